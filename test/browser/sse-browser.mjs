// The browser acceptance scenarios: Debian's chromium, headless, driven by
// playwright-core (never a downloaded browser), against a stream that a real
// web server serves (started by test/bats/browser.bash).
//
//   node sse-browser.mjs SCENARIO [NAME=value...]
//
// Environment (set by test/bats/browser.bash):
//   SSE_STREAM_URL  the stream's URL without the channel (http://127.0.0.1:P/sse.cgi)
//   SSE_CHANNEL     the channel (created, empty)
//   SSE_SPOOL       the spool, SSE_PUBLISH the sse-publish program
//   SSE_STREAMS_CMD a shell command printing how many streams the server runs
//   CHROMIUM        the browser (default /usr/bin/chromium)
//
// The page is a plain page of the stream's origin (or of another port, for
// CORS) whose script is the EventSource code of the usual tutorials. Prints
// what it measured; exits 1 with the reason when an expectation fails.
import { Failure, WATCH_SCRIPT, expect, runScenario, sleep, waitFor } from './harness.mjs';
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const STREAM_URL = env('SSE_STREAM_URL');
const CHANNEL = env('SSE_CHANNEL');
const SPOOL = env('SSE_SPOOL');
const PUBLISH = env('SSE_PUBLISH');
const ORIGIN = new URL(STREAM_URL).origin;
const args = Object.fromEntries(process.argv.slice(3).map((a) => a.split(/=(.*)/s).slice(0, 2)));


// --- producers ----------------------------------------------------------------

const pub = {
  // sse-publish --raw: the bytes on stdin, framed like the pipe.
  publish(bytes) {
    execFileSync(PUBLISH, ['--spool', SPOOL, '--raw', CHANNEL], { input: bytes, stdio: ['pipe', 'ignore', 'inherit'] });
  },
  event(data, name) {
    const a = ['--spool', SPOOL];
    if (name) a.push('--event', name);
    execFileSync(PUBLISH, [...a, CHANNEL, data], { stdio: ['ignore', 'ignore', 'inherit'] });
  },
  // One write into the channel's pipe; a stream of the channel reads it.
  async fifo(bytes) {
    const file = path.join(SPOOL, CHANNEL, 'fifo');
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      for (let i = 0; ; i++) {
        try {
          expect(fs.writeSync(fd, bytes) === bytes.length, 'a short write into the fifo');
          return;
        } catch (e) {
          if (e.code !== 'EAGAIN' || i >= 100) throw e;
          await sleep(20);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  },
  // One event per file, renamed in complete.
  dropbox(bytes) {
    const dir = path.join(SPOOL, CHANNEL, 'incoming');
    const name = `ev-${process.pid}-${++pub.n}`;
    fs.writeFileSync(path.join(dir, '.' + name), bytes);
    fs.renameSync(path.join(dir, '.' + name), path.join(dir, name));
  },
  n: 0,
};

function streams() {
  return Number(execSync(env('SSE_STREAMS_CMD'), { shell: '/bin/bash', encoding: 'utf8' }).trim());
}

// --- the page ---------------------------------------------------------------------

// Every EventSource of the page records what it sees (harness.mjs).
const PAGE = `<!doctype html><meta charset="utf-8"><title>sse-cgi acceptance</title>
<body><script>
${WATCH_SCRIPT}</script>`;

// A page of the stream's own origin is answered by the test (only this one
// URL; the stream goes to the server). A page of another origin is served
// for real from 127.0.0.1: Chrome lets only a page that came from a loopback
// address reach one (Local Network Access).
async function openPage(browser, origin = ORIGIN) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (origin === ORIGIN) {
    await page.route(`${origin}/acceptance.html`, (r) =>
      r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: PAGE }));
  } else {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise((ok, ko) => server.once('error', ko).listen(Number(new URL(origin).port), '127.0.0.1', ok));
    server.unref();
  }
  await page.goto(`${origin}/acceptance.html`);
  return { context, page };
}

const streamUrl = () => `${STREAM_URL}/${CHANNEL}`;

async function watch(page, name, opts = {}, types = ['tick', 'notice']) {
  await page.evaluate(([n, u, o, t]) => window.watch(n, u, o, t), [name, streamUrl(), opts, types]);
}

async function seen(page, name) {
  return page.evaluate((n) => window.seen[n] || [], name);
}

const eventsOf = (log) => log.filter((e) => e.kind === 'event');

// waitFor(page, fn, ms, what): polls fn() (async) until true.

async function waitOpen(page, name, ms = 5000) {
  await waitFor(async () => (await seen(page, name)).some((e) => e.kind === 'open'), ms, `${name}: onopen`);
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// --- scenarios ----------------------------------------------------------------------

const scenarios = {
  // onopen before anything is published; onmessage and two named events;
  // close() frees the server's stream (process or slot) within GONE_MS.
  async tutorial(browser) {
    const { page } = await openPage(browser);
    await watch(page, 's');
    await waitOpen(page, 's');
    expect(eventsOf(await seen(page, 's')).length === 0, 'an event before anything was published');
    pub.event('hello, world');
    pub.event('tick 1', 'tick');
    pub.event('notice 1', 'notice');
    await waitFor(async () => eventsOf(await seen(page, 's')).length >= 3, 5000, 'three events');
    const got = eventsOf(await seen(page, 's')).map((e) => `${e.id} ${e.type} ${e.data}`);
    expect(JSON.stringify(got) === JSON.stringify(['1 message hello, world', '2 tick tick 1', '3 notice notice 1']),
      `events: ${JSON.stringify(got)}`);
    await waitFor(async () => streams() === 1, 3000, 'the server runs one stream');
    const t0 = Date.now();
    await page.evaluate(() => window.sources.s.close());
    const gone = Number(args.GONE_MS || 1000);
    await waitFor(async () => streams() === 0, gone, `the stream freed within ${gone} ms of close()`);
    console.log(`close() to freed: ${Date.now() - t0} ms`);
  },

  // Time from a publish (sse-publish returned) to onmessage, N events.
  async latency(browser) {
    const { page } = await openPage(browser);
    await watch(page, 's');
    await waitOpen(page, 's');
    const n = Number(args.N || 50), lat = [];
    for (let i = 1; i <= n; i++) {
      const t0 = Date.now();
      pub.event(`ping ${i}`);
      await waitFor(async () => eventsOf(await seen(page, 's')).length >= i, 5000, `event ${i}`);
      lat.push(eventsOf(await seen(page, 's'))[i - 1].t - t0);
      await sleep(20);
    }
    console.log(`publish to onmessage over ${n} events: p50 ${pct(lat, 50)} ms, p90 ${pct(lat, 90)} ms, max ${Math.max(...lat)} ms`);
  },

  // Producer inputs through the pipe, the drop-box and sse-publish reach the
  // page as the producer meant them.
  async fidelity(browser) {
    const { page } = await openPage(browser);
    await watch(page, 's');
    await waitOpen(page, 's');
    const big = 'x'.repeat(60 * 1024 - 10) + '0123456789';
    const corpus = [
      ['LF', 'event: notice\ndata: lf one\ndata: lf two\n\n', ['notice', 'lf one\nlf two']],
      ['CRLF', 'data: crlf one\r\ndata: crlf two\r\n\r\n', ['message', 'crlf one\ncrlf two']],
      ['CR', 'event: tick\rdata: cr one\rdata: cr two\r\r', ['tick', 'cr one\ncr two']],
      ['empty data lines', 'data: a\ndata:\ndata\ndata: b\n\n', ['message', 'a\n\n\nb']],
      ['data alone', 'data\n\n', ['message', '']],
      ['other lines verbatim', 'data: x\nfoo: bar\nplain line\n\n', ['message', 'x\nfoo: bar\nplain line']],
      ['one space dropped', 'data:  two spaces\ndata:none\n\n', ['message', ' two spaces\nnone']],
      ['comment, producer id', ': a comment\nid: 999\ndata: c\n\n', ['message', 'c']],
      ['no data: dropped', 'event: tick\n\n', null],
      ['astral UTF-8', 'event: tick\ndata: \u{1F600} \u{1D11E} \u65E5\u672C \u00E9\n\n', ['tick', '\u{1F600} \u{1D11E} \u65E5\u672C \u00E9']],
      ['NUL', 'data: a\u0000b\n\n', ['message', 'a\u0000b']],
      ['retry', 'retry: 2500\ndata: r\n\n', ['message', 'r']],
    ];
    const only = { BOM: ['dropbox', 'publish'], '60 KiB': ['dropbox', 'publish'] };
    corpus.push(['BOM', '\uFEFFdata: bom\n\n', ['message', 'bom']]);
    corpus.push(['60 KiB', `data: ${big}\n\n`, ['message', big]]);
    const want = [];
    let lastId = 0;
    for (const via of ['fifo', 'dropbox', 'publish']) {
      for (const [what, input, expected] of corpus) {
        if (only[what] && !only[what].includes(via)) continue;
        // The drop-box takes a file as one event: no blank line needed.
        const bytes = Buffer.from(via === 'dropbox' ? input.replace(/(\r\n|\r|\n)+$/, '\n') : input, 'utf8');
        await pub[via](bytes);
        if (!expected) continue;
        want.push([via, what, ...expected]);
        await waitFor(async () => eventsOf(await seen(page, 's')).length >= want.length, 5000,
          `${via} ${what}: event ${want.length} on the page`);
      }
    }
    await sleep(300); // nothing more arrives (the dropped event)
    const got = eventsOf(await seen(page, 's'));
    expect(got.length === want.length, `${got.length} events on the page, ${want.length} meant`);
    want.forEach(([via, what, type, data], i) => {
      const e = got[i];
      expect(e.type === type && e.data === data,
        `${via} ${what}: got ${e.type} ${JSON.stringify(e.data.slice(0, 80))} (${e.data.length} chars), meant ${type} ${JSON.stringify(data.slice(0, 80))} (${data.length} chars)`);
      expect(Number(e.id) > lastId, `${via} ${what}: id ${e.id} after ${lastId}`);
      lastId = Number(e.id);
    });
    console.log(`${want.length} inputs arrived as meant (fifo, drop-box, sse-publish)`);
  },

  // SSE_MAX_LIFETIME ends the stream every few seconds while RATE events/s
  // are published for SECONDS: every event once, in order, across >= 5
  // reconnects, each after about SSE_RETRY_MS (RETRY_MS).
  async resume(browser) {
    const { page } = await openPage(browser);
    const rate = Number(args.RATE || 20), secs = Number(args.SECONDS || 20), retry = Number(args.RETRY_MS);
    await watch(page, 's');
    await waitOpen(page, 's');
    const n = rate * secs, t0 = Date.now();
    for (let i = 1; i <= n; i++) {
      pub.event(`e${i}`);
      const next = t0 + (i * 1000) / rate;
      if (next > Date.now()) await sleep(next - Date.now());
    }
    await waitFor(async () => eventsOf(await seen(page, 's')).length >= n, 15000, `${n} events`);
    await sleep(500);
    const log = await seen(page, 's');
    const data = eventsOf(log).map((e) => e.data);
    const wantData = Array.from({ length: n }, (_, i) => `e${i + 1}`);
    const firstBad = data.findIndex((d, i) => d !== wantData[i]);
    expect(data.length === n && firstBad < 0,
      `${data.length} events (meant ${n}); first difference at ${firstBad}: ${data[firstBad]} for ${wantData[firstBad]}`);
    const delays = [];
    log.forEach((e, i) => {
      if (e.kind !== 'error') return;
      expect(e.rs !== 2, 'the EventSource gave up (CLOSED)');
      const open = log.slice(i).find((x) => x.kind === 'open');
      if (open) delays.push(open.t - e.t);
    });
    expect(delays.length >= 5, `${delays.length} reconnects, meant at least 5`);
    const med = pct(delays, 50);
    expect(med >= retry - 50 && med < retry + 1000, `reconnect delay ${med} ms (median) for SSE_RETRY_MS=${retry}`);
    console.log(`${n} events at ${rate}/s, once each and in order, across ${delays.length} reconnects; ` +
      `reconnect delay median ${med} ms, max ${Math.max(...delays)} ms (SSE_RETRY_MS=${retry})`);
  },

  // Away longer than the history (HISTORY events): the page that listens
  // for sse-gap gets "LAST OLDEST", then what is retained.
  async gap(browser) {
    const { page } = await openPage(browser);
    const history = Number(args.HISTORY);
    await watch(page, 's', {}, ['sse-gap']);
    await waitOpen(page, 's');
    pub.event('before');
    await waitFor(async () => eventsOf(await seen(page, 's')).length >= 1, 5000, 'the first event');
    // The stream ends (lifetime); the page waits SSE_RETRY_MS, and meanwhile
    // more than the history is published.
    await waitFor(async () => (await seen(page, 's')).some((e) => e.kind === 'error'), 10000, 'the stream ends');
    const n = history * 3;
    pub.publish(Buffer.from(Array.from({ length: n }, (_, i) => `data: later ${i + 1}\n\n`).join('')));
    const newest = 1 + n, oldest = newest - history + 1;
    await waitFor(async () => eventsOf(await seen(page, 's')).length >= 2 + history, 15000, 'the reconnect');
    const got = eventsOf(await seen(page, 's')).map((e) => `${e.type} ${e.data}`);
    const want = ['message before', `sse-gap 1 ${oldest}`,
      ...Array.from({ length: history }, (_, i) => `message later ${oldest - 1 + i}`)];
    expect(JSON.stringify(got) === JSON.stringify(want), `events: ${JSON.stringify(got)}`);
    console.log(`sse-gap "1 ${oldest}" then ${history} retained events`);
  },

  // A page that came without an id, on a channel with events ("one", "two"):
  // at each of AWAY ends of its stream (lifetime or busy: the server's
  // settings) one more event is published while it is away. onmessage gets
  // each of them once and nothing else; the resume point (an sse-resume
  // event, id 2) reaches only a listener for it, once. The same as
  // node-clients.mjs, in the browser.
  async away(browser) {
    const { page } = await openPage(browser);
    const away = Number(args.AWAY || 2);
    const words = ['three', 'four', 'five', 'six'].slice(0, away);
    pub.event('one');
    pub.event('two');
    await watch(page, 's', {}, ['sse-resume']);
    await waitOpen(page, 's');
    const published = [];
    for (const word of words) {
      const ends = published.length + 1;
      await waitFor(async () => (await seen(page, 's')).filter((e) => e.kind === 'error').length >= ends,
        10000, `end ${ends} of the stream`);
      pub.event(word);
      published.push({ word, t: Date.now() });
    }
    await waitFor(async () => eventsOf(await seen(page, 's')).filter((e) => e.type === 'message').length >= away,
      10000, `the ${away} events published while it was away`);
    await sleep(300); // nothing more comes
    const log = await seen(page, 's');
    const got = eventsOf(log).map((e) => `${e.id} ${e.type} ${e.data}`);
    const want = ['2 sse-resume 2', ...words.map((w, i) => `${3 + i} message ${w}`)];
    expect(JSON.stringify(got) === JSON.stringify(want), `events: ${JSON.stringify(got)}, meant ${JSON.stringify(want)}`);
    // Each was published while the page was away: after an end, before the
    // next open (else this shows nothing about the resume point).
    const opens = log.filter((e) => e.kind === 'open');
    published.forEach(({ word, t }, i) =>
      expect(opens[i + 1] && opens[i + 1].t > t, `${word} was published after the page came back`));
    console.log(`resume point id 2 (sse-resume, not seen by onmessage); ${words.join(', ')} published while away, each received once`);
  },

  // SOURCES EventSources on a server that takes MAX: the others are answered
  // busy, never reach CLOSED, come back and end with every event.
  async busy(browser) {
    const { page } = await openPage(browser);
    const k = Number(args.SOURCES || 4), max = Number(args.MAX || 2), n = Number(args.EVENTS || 10);
    for (let i = 0; i < k; i++) await watch(page, `s${i}`);
    await waitFor(async () => {
      for (let i = 0; i < k; i++) if (!(await seen(page, `s${i}`)).some((e) => e.kind === 'open')) return false;
      return true;
    }, 10000, 'every source opened');
    for (let i = 1; i <= n; i++) {
      pub.event(`b${i}`);
      await sleep(300);
    }
    const want = Array.from({ length: n }, (_, i) => `b${i + 1}`);
    await waitFor(async () => {
      for (let i = 0; i < k; i++) if (eventsOf(await seen(page, `s${i}`)).length < n) return false;
      return true;
    }, 30000, `every source has all ${n} events`);
    let busy = 0;
    for (let i = 0; i < k; i++) {
      const log = await seen(page, `s${i}`);
      const data = eventsOf(log).map((e) => e.data);
      expect(JSON.stringify(data) === JSON.stringify(want), `s${i}: ${JSON.stringify(data)}`);
      expect(!log.some((e) => e.rs === 2), `s${i} reached CLOSED`);
      expect(await page.evaluate((s) => window.sources[s].readyState, `s${i}`) !== 2, `s${i} is CLOSED`);
      busy += log.filter((e) => e.kind === 'error').length;
    }
    expect(busy > 0, 'no source was ever answered busy');
    console.log(`${k} sources, room for ${max}: ${busy} busy answers, every source got all ${n} events, none CLOSED`);
  },

  // The page on PAGE_ORIGIN, the stream on the server's origin.
  //   EXPECT=ok|fail, CREDENTIALS=1: withCredentials, COOKIE=name=value set
  //   for 127.0.0.1 first (it must then reach the server).
  async cors(browser) {
    const { context, page } = await openPage(browser, args.PAGE_ORIGIN);
    if (args.COOKIE) {
      const [name, value] = args.COOKIE.split('=');
      await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
    }
    await watch(page, 's', args.CREDENTIALS === '1' ? { withCredentials: true } : {});
    if (args.EXPECT === 'ok') {
      await waitOpen(page, 's');
      pub.event('across origins');
      await waitFor(async () => eventsOf(await seen(page, 's')).length >= 1, 5000, 'the event');
      expect(eventsOf(await seen(page, 's'))[0].data === 'across origins', 'the event across origins');
      console.log(`${args.PAGE_ORIGIN} -> ${ORIGIN}: open, event received`);
      if (args.HOLD_MS) await sleep(Number(args.HOLD_MS));
    } else {
      await waitFor(async () => (await seen(page, 's')).some((e) => e.kind === 'error'), 5000, 'the error');
      const log = await seen(page, 's');
      expect(!log.some((e) => e.kind === 'open'), 'opened, though the origin is not allowed');
      expect(await page.evaluate(() => window.sources.s.readyState) === 2, 'not CLOSED after a CORS failure');
      console.log(`${args.PAGE_ORIGIN} -> ${ORIGIN}: refused by the browser (CLOSED, no event)`);
    }
  },

  // Quiet for SECONDS: with the heartbeat under the server's idle timeout
  // the stream lives on (no error, and a late event arrives on it);
  // EXPECT=dropped shows the timeout does bite without it.
  async idle(browser) {
    const { page } = await openPage(browser);
    const secs = Number(args.SECONDS);
    await watch(page, 's');
    await waitOpen(page, 's');
    await sleep(secs * 1000);
    const errors = (await seen(page, 's')).filter((e) => e.kind === 'error').length;
    if (args.EXPECT === 'dropped') {
      expect(errors > 0, `no reconnect in ${secs} s without a heartbeat: the idle timeout does not bite`);
      console.log(`without a heartbeat the server dropped the idle stream (${errors} reconnects in ${secs} s)`);
      return;
    }
    expect(errors === 0, `the idle stream was dropped ${errors} times in ${secs} s`);
    pub.event('still here');
    await waitFor(async () => eventsOf(await seen(page, 's')).length >= 1, 5000, 'the late event');
    const log = await seen(page, 's');
    expect(log.filter((e) => e.kind === 'open').length === 1, 'reconnected');
    console.log(`idle ${secs} s on one connection, then the event arrived`);
  },
};

// The README's demo (scripts/demo.sh at ORIGIN): the page shows the state,
// the ticks, and a notice published now; a screenshot goes to SHOT.
scenarios.demo = async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 640 } });
  const page = await context.newPage();
  await page.goto(`${ORIGIN}/`);
  const text = (id) => page.evaluate((i) => document.getElementById(i).textContent, id);
  await waitFor(async () => (await text('state')) === 'open', 5000, 'the demo shows "open"');
  await waitFor(async () => Number(await text('count')) >= 2, 10000, 'two ticks on the demo page');
  pub.event('hello from sse-publish', 'notice');
  pub.event('an unnamed message');
  await waitFor(async () => (await text('named')).includes('hello from sse-publish'), 5000, 'the notice on the page');
  await waitFor(async () => (await text('unnamed')).includes('an unnamed message'), 5000, 'the message on the page');
  await page.screenshot({ path: args.SHOT });
  console.log(`demo: state ${await text('state')}, ${await text('count')} events, last id ${await text('lastid')}; screenshot ${args.SHOT}`);
};

await runScenario('sse-browser', scenarios);
