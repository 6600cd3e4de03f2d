// The resume point with the two most used Node clients on npm: eventsource
// (the WHATWG EventSource for Node) and eventsource-client. Both parse with
// eventsource-parser, which forgets an id that came without data, so a
// stream's last `id: N` line alone never reached them (issue 11, point 10).
// Run by test/bats/clients.bash against a stream a real web server serves.
//
//   node node-clients.mjs CLIENT [NAME=value...]
//
// CLIENT: eventsource | eventsource-client. Environment as for
// sse-browser.mjs: SSE_STREAM_URL (the stream's URL without the channel),
// SSE_CHANNEL (created, empty), SSE_SPOOL, SSE_PUBLISH.
// NAME=value: AWAY (events published while the client is away, one at each
// end of its stream, default 2), END_MS (how long one connection may take to
// end and come back, default 10000).
//
// Publishes "one" and "two", connects without an id, and at each end of the
// stream (lifetime, busy: the server's settings decide) publishes one more
// event while the client is away. The client must get each of those exactly
// once and its handler for unnamed events nothing else; its resume point
// (an sse-resume event, id 2) comes once, at the first end. Prints what it
// saw; exits 1 with the reason when an expectation fails.
import { EventSource } from 'eventsource';
import { createEventSource } from 'eventsource-client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const URL_ = `${env('SSE_STREAM_URL')}/${env('SSE_CHANNEL')}`;
const client = process.argv[2];
const args = Object.fromEntries(process.argv.slice(3).map((a) => a.split(/=(.*)/s).slice(0, 2)));
const AWAY = Number(args.AWAY || 2), END_MS = Number(args.END_MS || 10000);
const WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Failure extends Error {}
function expect(cond, what) {
  if (!cond) throw new Failure(what);
}

// sse-publish prints the id it gave: the test knows which id each word has.
function publish(word) {
  return execFileSync(env('SSE_PUBLISH'), ['--spool', env('SSE_SPOOL'), env('SSE_CHANNEL'), word],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function version(pkg) {
  const file = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

// What the client did: the Last-Event-ID of every request it made (seen
// through its fetch option), the unnamed events its message handler got,
// the named ones, the ends of its stream.
const seen = { requests: [], messages: [], named: [], ends: 0, published: [] };
const spyFetch = (url, init) => {
  seen.requests.push(new Headers(init && init.headers).get('last-event-id'));
  return fetch(url, init);
};

// At an end, synchronously (the client's reconnect timer cannot run before
// this returns): one more event while it is away.
function onEnd() {
  seen.ends++;
  if (seen.ends <= AWAY) {
    const word = WORDS[1 + seen.ends];
    seen.published.push({ id: publish(word), data: word });
  }
}

let fatal = null;
const clients = {
  // The tutorials' code: onmessage, and a listener for the resume point (a
  // page would not need one; here it shows where the id came from).
  eventsource() {
    const es = new EventSource(URL_, { fetch: spyFetch });
    es.onmessage = (e) => seen.messages.push({ id: e.lastEventId, data: e.data });
    es.addEventListener('sse-resume', (e) => seen.named.push({ type: e.type, id: e.lastEventId, data: e.data }));
    es.onerror = () => {
      if (es.readyState === es.CLOSED) fatal = 'the EventSource gave up (CLOSED)';
      else onEnd();
    };
    return () => es.close();
  },
  // Its one handler gets every event, each with its name (undefined:
  // unnamed); the ones a consumer of unnamed events takes are kept apart.
  'eventsource-client'() {
    const es = createEventSource({
      url: URL_,
      fetch: spyFetch,
      onMessage: (m) => (m.event === undefined || m.event === 'message' ? seen.messages : seen.named)
        .push({ ...(m.event ? { type: m.event } : {}), id: m.id, data: m.data }),
      onDisconnect: onEnd,
    });
    return () => es.close();
  },
};

if (!clients[client]) {
  console.error(`node-clients: unknown client '${client}' (${Object.keys(clients).join(', ')})`);
  process.exit(2);
}

// waitFor(fn, ms, what): polls fn() until true; what (or what()) says what
// was awaited.
async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (fatal) throw new Failure(fatal);
    if (fn()) return;
    if (Date.now() > end) throw new Failure(`gave up after ${ms} ms: ${typeof what === 'function' ? what() : what}`);
    await sleep(25);
  }
}

const show = (x) => JSON.stringify(x);
let rc = 0, close = () => {};
try {
  expect(publish('one') === '1' && publish('two') === '2', 'the channel was not empty');
  close = clients[client]();
  await waitFor(() => seen.ends >= AWAY, (AWAY + 1) * END_MS, `${AWAY} ends of the stream`);
  const want = seen.published.map(({ id, data }) => ({ id, data }));
  await waitFor(() => seen.messages.length >= want.length, END_MS,
    () => `the ${want.length} events published while it was away (got ${show(seen.messages)}; ` +
    `Last-Event-ID of its requests: ${show(seen.requests)})`);
  await sleep(300); // nothing more comes
  close();
  expect(show(seen.messages) === show(want),
    `its message handler got ${show(seen.messages)}, meant ${show(want)} (once each, nothing else)`);
  expect(show(seen.named) === show([{ type: 'sse-resume', id: '2', data: '2' }]),
    `named events: ${show(seen.named)}, meant one sse-resume with id 2`);
  expect(seen.requests[0] === null && seen.requests[1] === '2',
    `Last-Event-ID of its requests: ${show(seen.requests)}, meant none then 2`);
  console.log(`${client} ${version(client)}: resume point id 2 (sse-resume) at the first end; ` +
    `Last-Event-ID of its requests ${seen.requests.map((h) => h ?? '-').join(', ')}; ` +
    `${want.map((w) => `${w.data} (id ${w.id})`).join(', ')} published while away, each received once`);
} catch (e) {
  close();
  console.error(`${client}: ${e instanceof Failure ? e.message : e.stack}`);
  rc = 1;
}
process.exit(rc);
