// The README's page ("### 3. The page") in headless Chromium: its snippet
// as printed, and demo/index.html placed beside sse.cgi, both served by a
// real web server (test/bats/t3010-browser-readme.bats puts them there).
//
//   node readme-page.mjs SCENARIO [NAME=value...]
//
//   snippet  PAGE=url: onmessage and the tick listener log what arrives;
//            after the stream ends (SSE_MAX_LIFETIME) and more than
//            HISTORY events are published meanwhile, sse-gap reloads the
//            page, which then gets the events published after it.
//   stopped  PAGE=url of the snippet on a channel that does not exist: the
//            console says it stopped, never that it reconnects.
//   demo     PAGE=url of demo/index.html (CHANNEL=the channel it must show)
//
// Environment: SSE_SPOOL the spool, SSE_PUBLISH the sse-publish program,
// CHROMIUM the browser (default /usr/bin/chromium). Prints what it saw;
// exits 1 with the reason when an expectation fails.
import { Failure, expect, runScenario, sleep, waitFor } from './harness.mjs';
import { execFileSync } from 'node:child_process';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const SPOOL = env('SSE_SPOOL');
const PUBLISH = env('SSE_PUBLISH');
const args = Object.fromEntries(process.argv.slice(3).map((a) => a.split(/=(.*)/s).slice(0, 2)));



// publish(channel, data, event): sse-publish; returns the id.
function publish(channel, data, event) {
  const a = ['--spool', SPOOL, ...(event ? ['--event', event] : []), channel, data];
  return execFileSync(PUBLISH, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

// A page and what its code logged (console.log), in order; loads counts
// its loads. (The browser's own lines, such as a 404 for favicon.ico, are
// errors, not logs.)
async function open(browser) {
  const page = await (await browser.newContext()).newPage();
  const seen = { console: [], loads: 0 };
  page.on('console', (m) => m.type() === 'log' && seen.console.push(m.text()));
  page.on('load', () => seen.loads++);
  page.on('pageerror', (e) => seen.console.push(`page error: ${e.message}`));
  return { page, seen };
}

const has = (seen, line) => seen.console.includes(line);

// The snippet's own `es` (a global of the page): connected.
async function connected(page) {
  await waitFor(async () => (await page.evaluate('typeof es === "object" && es.readyState')) === 1, 5000,
    'the EventSource is open');
}

const scenarios = {
  async snippet(browser) {
    const ch = env('SSE_CHANNEL'), history = Number(args.HISTORY);
    const { page, seen } = await open(browser);
    await page.goto(args.PAGE);
    await connected(page);
    const id1 = publish(ch, 'hello');
    const id2 = publish(ch, 'tick 1', 'tick');
    publish(ch, 'a notice: no listener for it', 'notice');
    const id4 = publish(ch, 'two\nlines');
    // (the stream may end meanwhile: SSE_MAX_LIFETIME)
    const got = () => seen.console.filter((l) => l !== 'reconnecting...');
    await waitFor(async () => got().length >= 3, 5000, 'three lines in the console');
    expect(JSON.stringify(got()) ===
      JSON.stringify([`message ${id1} hello`, 'tick tick 1', `message ${id4} two\nlines`]),
    `the console: ${JSON.stringify(seen.console)}`);
    console.log(`onmessage and the tick listener: ${JSON.stringify(got())} (tick id ${id2})`);
    // The stream ends (SSE_MAX_LIFETIME); while the browser waits to come
    // back (SSE_RETRY_MS), more than the history is published.
    await waitFor(async () => (await page.evaluate('es.readyState')) === 0, 10000, 'the stream ends');
    expect(has(seen, 'reconnecting...'), `the console: ${JSON.stringify(seen.console)}`);
    expect(seen.loads === 1, `${seen.loads} loads before any gap`);
    for (let i = 1; i <= history * 3; i++) publish(ch, `missed ${i}`);
    await waitFor(async () => seen.loads === 2, 15000, 'sse-gap reloads the page');
    const t = seen.console.length;
    await connected(page);
    const id = publish(ch, 'after the reload');
    await waitFor(async () => seen.console.slice(t).includes(`message ${id} after the reload`), 5000,
      'the reloaded page gets the next event');
    expect(!seen.console.some((l) => l.startsWith('stopped') || l.startsWith('page error')),
      `the console: ${JSON.stringify(seen.console)}`);
    console.log(`sse-gap reloaded the page (loads ${seen.loads}), which then got event ${id}`);
  },

  async stopped(browser) {
    const { page, seen } = await open(browser);
    await page.goto(args.PAGE);
    await waitFor(async () => seen.console.length >= 1, 5000, 'a line in the console');
    await sleep(1000); // it stays stopped: nothing more comes
    expect(JSON.stringify(seen.console) === JSON.stringify(['stopped: see its answer in the network tab']),
      `the console: ${JSON.stringify(seen.console)}`);
    expect((await page.evaluate('es.readyState')) === 2, 'the EventSource is not CLOSED');
    console.log(`a channel that does not exist: ${JSON.stringify(seen.console)}`);
  },

  async demo(browser) {
    const ch = env('SSE_CHANNEL');
    const { page, seen } = await open(browser);
    await page.goto(args.PAGE);
    const text = (id) => page.evaluate((i) => document.getElementById(i).textContent, id);
    await waitFor(async () => (await text('state')) === 'open', 5000, 'the demo shows "open"');
    expect((await text('channel')) === ch, `the demo shows channel "${await text('channel')}", not "${ch}"`);
    publish(ch, `a tick on ${ch}`, 'tick');
    publish(ch, `a message on ${ch}`);
    await waitFor(async () => (await text('named')).includes(`a tick on ${ch}`), 5000, 'the tick on the page');
    await waitFor(async () => (await text('unnamed')).includes(`a message on ${ch}`), 5000, 'the message on the page');
    expect(!seen.console.some((l) => l.startsWith('page error')), `the console: ${JSON.stringify(seen.console)}`);
    console.log(`demo at ${args.PAGE}: channel ${await text('channel')}, state ${await text('state')}, ${await text('count')} events`);
  },
};

await runScenario('readme-page', scenarios);
