// What the hub's browser scenarios (hub-browser.mjs) share: the hub's
// settings from the environment, HS256 tokens, the page (served by the
// hub's own server) with its EventSource and fetch() helpers, and bounded
// waits on what each EventSource saw.
import { WATCH_SCRIPT, expect, waitFor } from './harness.mjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
export const HUB = new URL(env('HUB_URL'));
export const KEY = env('HUB_KEY');
export const ORIGIN = HUB.origin;
export const PAGE_URL = `${ORIGIN}/hub-acceptance.html`;
export const rand = () => crypto.randomBytes(20).toString('hex');

// token(claims): an HS256 JWT signed with the hub's key.
export function token(claims, key = KEY) {
  const b64 = (s) => Buffer.from(s).toString('base64url');
  const head = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return `${head}.${crypto.createHmac('sha256', key).update(head).digest('base64url')}`;
}
export const PUB_SUB_ALL = token({ mercure: { publish: ['*'], subscribe: ['*'] } });

// --- the page ---------------------------------------------------------------------

// A static file of the server's document root, so that the page, the hub and
// the cookie share one origin. window.watch opens an EventSource and records
// what it sees (harness.mjs); window.post publishes with fetch().
export const PAGE = `<!doctype html><meta charset="utf-8"><title>hub acceptance</title>
<body><script>
${WATCH_SCRIPT}// post(hub, fields, bearer, init): fields as [name, value] pairs; bearer
// null: none (the cookie goes along from the same origin, or with init
// {credentials: 'include'} from another).
window.post = async (hub, fields, bearer, init) => {
  const headers = bearer ? { Authorization: 'Bearer ' + bearer } : {};
  const r = await fetch(hub, { method: 'POST', headers, body: new URLSearchParams(fields), ...init });
  return { status: r.status, type: r.headers.get('Content-Type'), body: await r.text(), t: Date.now() };
};
</script>`;

export async function openPage(browser) {
  fs.writeFileSync(path.join(env('HUB_DOC_ROOT'), path.basename(new URL(PAGE_URL).pathname)), PAGE);
  const context = await browser.newContext();
  const page = await context.newPage();
  // The test configs keep no table of file types (lighttpd answers
  // application/octet-stream, nginx text/plain): the page comes from the
  // server, its type from here.
  await page.route(PAGE_URL, async (route) => {
    const r = await route.fetch();
    await route.fulfill({ response: r, headers: { ...r.headers(), 'content-type': 'text/html; charset=utf-8' } });
  });
  const r = await page.goto(PAGE_URL);
  expect(r && r.status() === 200, `the page ${PAGE_URL}: status ${r && r.status()}`);
  return { context, page };
}

// otherPage(context, origin): the same page from another origin (another
// port of 127.0.0.1: same site, so the hub's cookie goes along when asked
// to), served by the test itself.
export async function otherPage(context, origin) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise((ok, ko) => server.once('error', ko).listen(Number(new URL(origin).port), '127.0.0.1', ok));
  server.unref();
  const page = await context.newPage();
  await page.goto(`${origin}/hub-acceptance.html`);
  return page;
}

// subscribe URL: selectors, then other query parameters ([name, value] pairs).
export function hubUrl(selectors, extra = []) {
  const u = new URL(HUB);
  for (const s of selectors) u.searchParams.append('topic', s);
  for (const [k, v] of extra) u.searchParams.append(k, v);
  return u.toString();
}

export async function watch(page, name, url, types = [], opts = {}) {
  await page.evaluate(([n, u, t, o]) => window.watch(n, u, o, t), [name, url, types, opts]);
}
export const seen = (page, name) => page.evaluate((n) => window.seen[n] || [], name);
export const eventsOf = (log) => log.filter((e) => e.kind === 'event');
export const show = (evs) => JSON.stringify(evs.map((e) => `${e.id} ${e.type} ${e.data}`));

export async function waitOpen(page, name, ms = 5000) {
  await waitFor(async () => (await seen(page, name)).some((e) => e.kind === 'open'), ms, `${name}: onopen`);
}

// waitEvents(page, name, n): at least n events (ms at most).
export async function waitEvents(page, name, n, ms = 5000) {
  await waitFor(async () => eventsOf(await seen(page, name)).length >= n, ms,
    `${name}: ${n} events (got ${show(eventsOf(await seen(page, name)))})`);
  return eventsOf(await seen(page, name));
}

// post(page, fields, bearer): must be 200 text/plain; the hub's id.
export async function post(page, fields, bearer = PUB_SUB_ALL) {
  const r = await page.evaluate(([h, f, b]) => window.post(h, f, b), [HUB.toString(), fields, bearer]);
  expect(r.status === 200, `POST ${JSON.stringify(fields)}: status ${r.status}: ${r.body}`);
  expect(/^text\/plain(;|$)/.test(r.type || ''), `POST answered Content-Type ${r.type}`);
  return r;
}

// expectEvents(page, name, want): exactly these "id type data" lines.
export async function expectEvents(page, name, want) {
  const got = eventsOf(await seen(page, name)).map((e) => `${e.id} ${e.type} ${e.data}`);
  expect(JSON.stringify(got) === JSON.stringify(want), `${name}: got ${JSON.stringify(got)}, meant ${JSON.stringify(want)}`);
}
