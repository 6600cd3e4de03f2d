// What every browser and client script of the suite shares: a failed
// expectation (reported as FAILED: ..., exit status 1), bounded waits, and
// running one named scenario in Debian's chromium.
import { chromium } from 'playwright-core';

// The pages' recorder, one copy for every scenario: each EventSource of a
// page records what it sees in window.seen[name]: {kind: open|error|event,
// type, data, id, t, rs (readyState)}. Embed it in a page's <script>.
export const WATCH_SCRIPT = `window.seen = {};
window.sources = {};
window.watch = (name, url, opts, types) => {
  const log = (window.seen[name] = window.seen[name] || []);
  const rec = (kind) => (e) => log.push({ kind, type: e.type, data: e.data, id: e.lastEventId,
                                         t: Date.now(), rs: source.readyState });
  // The tutorials' code: onopen, onmessage, addEventListener per name.
  const source = new EventSource(url, opts);
  source.onopen = rec('open');
  source.onerror = rec('error');
  source.onmessage = rec('event');
  for (const t of types) source.addEventListener(t, rec('event'));
  window.sources[name] = source;
};
`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Failure extends Error {}
export function expect(cond, what) {
  if (!cond) throw new Failure(what);
}

// waitFor(fn, ms, what): until fn() is true, at most ms.
export async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Failure(`gave up after ${ms} ms: ${what}`);
    await sleep(25);
  }
}

// runScenario(prog, scenarios): the scenario named by argv[2], given a
// browser; exits 0, 1 (failed) or 2 (no such scenario).
export async function runScenario(prog, scenarios) {
  const name = process.argv[2];
  if (!scenarios[name]) {
    console.error(`${prog}: unknown scenario '${name}' (${Object.keys(scenarios).join(', ')})`);
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // root (the CI) cannot use chromium's sandbox
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  let rc = 0;
  try {
    await scenarios[name](browser);
  } catch (e) {
    console.error(e instanceof Failure ? `FAILED: ${e.message}` : e);
    rc = 1;
  } finally {
    await browser.close();
  }
  process.exit(rc);
}
