// The Mercure hub in Debian's chromium (SPEC "Topics, authorization and HTTP
// publishing"): a page served by the hub's own web server (from its document
// root, as an application's page would be) subscribes with EventSource and
// publishes with fetch(), as Mercure's clients do.
//
//   node hub-browser.mjs SCENARIO [NAME=value...]
//
// Environment (set by test/bats/hub-browser.bash):
//   HUB_URL       the hub (http://127.0.0.1:P/.well-known/mercure)
//   HUB_KEY       its HS256 key (Mercure's conformance key)
//   HUB_DOC_ROOT  the server's document root: the page is written there
//   SYMFONY_PUBLISHER  (scenario symfony) test/browser/symfony-publisher.php
// The page and its helpers: hub-page.mjs.
//
// Mercure's conformance suite (conformance-tests/mercure.spec.ts in
// github.com/dunglas/mercure, as of the stable hub: commit bbf271c, 2025-08;
// read for its facts, none of its code) and where each of its cases is here:
//
// | conformance case                                    | here                                     |
// | --------------------------------------------------- | ---------------------------------------- |
// | raw string (selector = the update's topic)          | conformance: 'raw string'                |
// | multiple topics (update with 2 topics, 2nd selected)| conformance: 'multiple topics'           |
// | multiple topic selectors (`foo` + the topic)        | conformance: 'multiple topic selectors'  |
// | URI (an https URI as topic and selector)            | conformance: 'URI'                       |
// | URI template (`.../foo/{random}`)                   | conformance: 'URI template'              |
// | nonmatching raw string                              | conformance: 'nonmatching raw string'    |
// | nonmatching URI                                     | conformance: 'nonmatching URI'           |
// | nonmatching URI template (`.../bar/{var}`)          | conformance: 'nonmatching URI template'  |
// | private raw string (anonymous subscriber)           | conformance: 'private raw string'        |
// | private URI                                         | conformance: 'private URI'               |
// | private URI template                                | conformance: 'private URI template'      |
// | every case: EventSource without credentials opens  | conformance (server SSE_ANONYMOUS=1)     |
// |   before the POST; POST by fetch, form body, JWT    |                                          |
// |   HS256 {mercure:{publish:[*],subscribe:[*]}}       |                                          |
// | every received case: type `message`, lastEventId = | conformance: check() of each case        |
// |   the POST's id, data (with an empty line) intact;  |                                          |
// |   answer 200 text/plain, body = the id (CUSTOM_ID)  |                                          |
// | received within 2 s / not received within 2 s       | 2 s bound; a non-delivery is proven by a |
// |                                                     |   matching public update after it        |
// Beyond the conformance suite (issue 12's tests):
// | the hub generates the id (urn:uuid) = lastEventId   | conformance: 'generated id'              |
// | `type` names the event (addEventListener)           | conformance: 'type'                      |
// | several selectors and topics on one connection      | conformance: 'one connection, 3 topics'  |
// | `*` selector                                        | conformance: 'any topic'                 |
// | private by cookie mercureAuthorization (same origin)| private: source c                        |
// | private by query token ?authorization=              | private: sources q, cq                   |
// | query token wins over the cookie                    | private: source cq                       |
// | token without subscribe claim: public only          | private: source p                        |
// | anonymous refused by default (401, CLOSED)          | private: source anon                     |
// | publishing with the cookie from a listed origin     | private: cookie POST, 200 and 403        |
// | the cookie from another origin (CORS, credentials)  | private: source x                        |
// | a cookie post from an unlisted origin refused (CSRF)| private: 'forged' never delivered        |
// | resume on reconnect (Last-Event-ID header) across   | resume: first part                       |
// |   two topics: missed events once, in order          |                                          |
// | resume by ?lastEventID= in a new EventSource        | resume: second part                      |
// | lastEventID=earliest                                | resume: third part                       |
// | `retry` sets the browser's reconnection delay       | retry                                    |
// | Symfony's Hub/Update/Authorization cookie           | symfony (t3820)                          |
// Not here, as SPEC's "Not yet": the newer suite's `match`/`match_urlpattern`
// parameters and RFC 9068 `authorization_details` tokens (Mercure 1.0).
import { Failure, expect, runScenario, waitFor } from './harness.mjs';
import {
  HUB, KEY, PAGE_URL, PUB_SUB_ALL, env, eventsOf, expectEvents, hubUrl, openPage, otherPage, post, rand, seen,
  show, token, waitEvents, waitOpen, watch,
} from './hub-page.mjs';
import { spawnSync } from 'node:child_process';

// --- scenarios ----------------------------------------------------------------------

// One case of the conformance table: an anonymous EventSource on the
// selectors, opened before the POST. Received: within 2 s, of type
// `message` unless typed, with the POST's id as lastEventId and the data
// intact. Not received: a public update on a topic the selectors do match,
// posted after it, arrives alone.
async function conformanceCase(page, c) {
  const name = `s${++conformanceCase.n}`;
  const types = c.type ? [c.type] : [];
  await watch(page, name, hubUrl(c.selectors), types);
  await waitOpen(page, name);
  const data = `data for\n\n        ${c.name}`;
  const fields = c.topics.map((t) => ['topic', t]);
  if (c.id !== null) fields.push(['id', c.id ?? `id-${JSON.stringify(c.topics)}`]);
  fields.push(['data', data]);
  if (c.private) fields.push(['private', 'on']);
  if (c.type) fields.push(['type', c.type]);
  const r = await post(page, fields);
  if (c.id === null) expect(/^urn:uuid:[0-9a-f-]{36}$/.test(r.body), `${c.name}: generated id ${r.body}`);
  else expect(r.body === (c.id ?? `id-${JSON.stringify(c.topics)}`), `${c.name}: POST answered ${r.body}`);
  const want = [];
  if (c.received) want.push(`${r.body} ${c.type || 'message'} ${data}`);
  else {
    const f = await post(page, [['topic', c.fence], ['data', 'fence']]);
    want.push(`${f.body} message fence`);
  }
  await waitEvents(page, name, 1, 2000);
  await expectEvents(page, name, want);
  await page.evaluate((n) => window.sources[n].close(), name);
}
conformanceCase.n = 0;

const scenarios = {
  // The conformance table, and a few cases of ours (server: SSE_ANONYMOUS=1,
  // as the conformance page subscribes without credentials).
  async conformance(browser) {
    const { page } = await openPage(browser);
    const r = Array.from({ length: 6 }, rand);
    const cases = [
      { name: 'raw string', received: true, topics: [r[0]], selectors: [r[0]] },
      { name: 'multiple topics', received: true, topics: [rand(), r[1]], selectors: [r[1]] },
      { name: 'multiple topic selectors', received: true, topics: [r[2]], selectors: ['foo', r[2]] },
      { name: 'URI', received: true, topics: [`https://example.net/foo/${r[3]}`], selectors: [`https://example.net/foo/${r[3]}`] },
      { name: 'URI template', received: true, topics: [`https://example.net/foo/${r[4]}`], selectors: ['https://example.net/foo/{random}'] },
      { name: 'nonmatching raw string', received: false, topics: ['will-not-match}'], selectors: ['another-name'], fence: 'another-name' },
      { name: 'nonmatching URI', received: false, topics: ['https://example.net/foo/will-not-match}'],
        selectors: ['https://example.net/foo/another-name'], fence: 'https://example.net/foo/another-name' },
      { name: 'nonmatching URI template', received: false, topics: ['https://example.net/foo/will-not-match}'],
        selectors: ['https://example.net/bar/{var}'], fence: `https://example.net/bar/${r[5]}` },
      { name: 'private raw string', received: false, private: true, topics: [r[0]], selectors: [r[0]], fence: r[0] },
      { name: 'private URI', received: false, private: true, topics: [`https://example.net/foo/${r[3]}`],
        selectors: [`https://example.net/foo/${r[3]}`], fence: `https://example.net/foo/${r[3]}` },
      { name: 'private URI template', received: false, private: true, topics: [`https://example.net/foo/${r[4]}`],
        selectors: ['https://example.net/foo/{random}'], fence: `https://example.net/foo/${r[4]}` },
      // ours
      { name: 'generated id', received: true, id: null, topics: [r[5]], selectors: [r[5]] },
      { name: 'type', received: true, type: 'book.updated', topics: [r[5]], selectors: [r[5]] },
      { name: 'any topic', received: true, topics: [`urn:x:${r[5]}`], selectors: ['*'] },
    ];
    for (const c of cases) {
      try {
        await conformanceCase(page, c);
      } catch (e) {
        if (e instanceof Failure) e.message = `${c.name}: ${e.message}`;
        throw e;
      }
    }
    // Several topics on one connection: an exact one and a template; a
    // third topic is not selected.
    const a = `https://example.org/a/${r[0]}`, b = `https://example.org/b/${r[1]}/{n}`;
    await watch(page, 'm', hubUrl([a, b]), ['t']);
    await waitOpen(page, 'm');
    const ids = [];
    for (const [topic, d] of [[a, 'one'], [`https://example.org/c/${r[1]}/1`, 'other'],
      [`https://example.org/b/${r[1]}/1`, 'two'], [a, 'three'], [`https://example.org/b/${r[1]}/2`, 'four']]) {
      ids.push((await post(page, [['topic', topic], ['data', d], ['type', 't']])).body);
    }
    await waitEvents(page, 'm', 4);
    await expectEvents(page, 'm', [`${ids[0]} t one`, `${ids[2]} t two`, `${ids[3]} t three`, `${ids[4]} t four`]);
    console.log(`${cases.length} cases (11 of Mercure's conformance suite) and 3 topics on one connection as meant`);
  },

  // Private updates reach only the subscribers whose token allows them: by
  // the mercureAuthorization cookie of the page's origin and by the
  // authorization query parameter (which wins over the cookie). Server:
  // SSE_ANONYMOUS=0, SSE_PUBLISH_ORIGINS=the page's origin.
  async private(browser) {
    const u = (n) => `https://example.com/users/${n}`;
    const sel = [u('{id}'), 'https://example.com/books/{id}'];
    const cookieTok = token({ mercure: { subscribe: [u(7)], publish: ['https://example.com/books/{id}'] } });
    const c = await openPage(browser);
    await c.page.evaluate((t) => {
      document.cookie = `mercureAuthorization=${t}; path=/.well-known/mercure; SameSite=Strict`;
    }, cookieTok);
    await watch(c.page, 'c', hubUrl(sel));
    await watch(c.page, 'cq', hubUrl(sel, [['authorization', token({ mercure: { subscribe: [u(8)] } })]]));
    const q = await openPage(browser);
    await watch(q.page, 'q', hubUrl(sel, [['authorization', token({ mercure: { subscribe: [u('{id}')] } })]]));
    await watch(q.page, 'p', hubUrl(sel, [['authorization', token({ mercure: {} })]]));
    await watch(q.page, 'anon', hubUrl(sel));
    for (const [p, n] of [[c.page, 'c'], [c.page, 'cq'], [q.page, 'q'], [q.page, 'p']]) await waitOpen(p, n);
    await waitFor(async () => (await seen(q.page, 'anon')).some((e) => e.kind === 'error' && e.rs === 2), 5000,
      'anon: refused for good (401, EventSource CLOSED)');
    const ids = {};
    for (const [k, topic, priv] of [['b1', 'https://example.com/books/1', false], ['u7', u(7), true],
      ['u8', u(8), true], ['u9', u(9), true], ['b2', 'https://example.com/books/2', false]]) {
      const f = [['topic', topic], ['data', k]];
      if (priv) f.push(['private', 'on']);
      ids[k] = (await post(q.page, f)).body;
    }
    const line = (k) => `${ids[k]} message ${k}`;
    const want = { c: ['b1', 'u7', 'b2'], cq: ['b1', 'u8', 'b2'], q: ['b1', 'u7', 'u8', 'u9', 'b2'], p: ['b1', 'b2'] };
    for (const [n, ks] of Object.entries(want)) {
      const page = n[0] === 'c' ? c.page : q.page;
      await waitEvents(page, n, ks.length);
      await expectEvents(page, n, ks.map(line));
    }
    // The cookie publishes too, from a listed origin, within its claim.
    const ok = await c.page.evaluate(([h]) => window.post(h, [['topic', 'https://example.com/books/3'], ['data', 'b3']], null),
      [HUB.toString()]);
    expect(ok.status === 200, `publishing with the cookie: ${ok.status} ${ok.body}`);
    const no = await c.page.evaluate(([h, t]) => window.post(h, [['topic', t], ['data', 'x'], ['private', 'on']], null),
      [HUB.toString(), u(7)]);
    expect(no.status === 403, `publishing outside the cookie's claim: ${no.status} ${no.body}`);
    await waitEvents(c.page, 'c', 4);
    await expectEvents(c.page, 'c', [...want.c.map(line), `${ok.body} message b3`]);

    // From another origin (SSE_CORS_ORIGINS, SSE_PUBLISH_ORIGINS list it):
    // the cookie goes along with withCredentials / credentials: 'include'.
    // A page of an unlisted origin sends it too (a form post needs no
    // preflight): the hub must refuse that publish.
    const o = await otherPage(c.context, env('OTHER_ORIGIN'));
    await watch(o, 'x', hubUrl(sel), [], { withCredentials: true });
    await waitOpen(o, 'x');
    const xo = await o.evaluate(([h]) => window.post(h, [['topic', 'https://example.com/books/4'], ['data', 'b4']], null,
      { credentials: 'include' }), [HUB.toString()]);
    expect(xo.status === 200, `publishing with the cookie from a listed origin: ${xo.status} ${xo.body}`);
    const e = await otherPage(c.context, env('EVIL_ORIGIN'));
    const evil = await e.evaluate(async ([h]) => {
      await fetch(h, { method: 'POST', mode: 'no-cors', credentials: 'include',
        body: new URLSearchParams([['topic', 'https://example.com/books/5'], ['data', 'forged']]) });
      return true;
    }, [HUB.toString()]);
    expect(evil, 'the unlisted origin\'s post');
    ids.u7b = (await post(q.page, [['topic', u(7)], ['data', 'u7b'], ['private', 'on']])).body;
    await waitEvents(o, 'x', 2);
    await expectEvents(o, 'x', [`${xo.body} message b4`, line('u7b')]);
    await waitEvents(c.page, 'c', 6);
    await expectEvents(c.page, 'c', [...want.c.map(line), `${ok.body} message b3`, `${xo.body} message b4`, line('u7b')]);
    console.log('private updates by cookie (same origin and CORS) and by query token reached exactly their subscribers; cookie publishing only from listed origins');
  },

  // Resume across two topics. Server: SSE_MAX_LIFETIME=2, SSE_RETRY_MS=1500,
  // so the stream ends and the browser comes back 1.5 s later with
  // Last-Event-ID; what was published in between arrives once, in order.
  async resume(browser) {
    const { page } = await openPage(browser);
    const A = `https://example.com/a/${rand()}`, B = `urn:b:${rand()}`, C = `urn:c:${rand()}`;
    const auth = ['authorization', token({ mercure: { subscribe: ['*'] } })];
    const posted = [];
    const pub = async (fields, list) => {
      const r = await post(page, fields);
      const topic = fields[0][1];
      if (topic !== C) list.push(`${r.body} message ${fields.find((f) => f[0] === 'data')[1]}`);
      return r;
    };
    await watch(page, 's', hubUrl([A, B], [auth]));
    await waitOpen(page, 's');
    await pub([['topic', A], ['data', 'a0']], posted);
    await pub([['topic', B], ['data', 'b0'], ['id', `b0-${rand()}`]], posted);
    await waitEvents(page, 's', 2);
    // At the stream's end (onerror), publish while the browser waits.
    const missed = await page.evaluate(async ([h, tok, list]) => {
      const s = window.sources.s;
      const ended = new Promise((ok) => s.addEventListener('error', ok, { once: true }));
      const late = new Promise((ok) => setTimeout(ok, 6000, 'late'));
      if ((await Promise.race([ended, late])) === 'late') return { late: true };
      const out = [];
      for (const f of list) out.push(await window.post(h, f, tok));
      return { out, t: Date.now() };
    }, [HUB.toString(), PUB_SUB_ALL, [
      [['topic', A], ['data', 'a1']], [['topic', C], ['data', 'c1']], [['topic', B], ['data', 'b1'], ['id', `b1-${rand()}`]],
      [['topic', B], ['topic', A], ['data', 'ab2']], [['topic', A], ['data', 'a3'], ['private', 'on']]]]);
    expect(!missed.late, 'the stream did not end within 6 s (SSE_MAX_LIFETIME=2)');
    const fieldsData = ['a1', 'c1', 'b1', 'ab2', 'a3'];
    missed.out.forEach((r, i) => {
      expect(r.status === 200, `POST ${fieldsData[i]}: ${r.status} ${r.body}`);
      if (fieldsData[i] !== 'c1') posted.push(`${r.body} message ${fieldsData[i]}`);
    });
    await waitEvents(page, 's', posted.length, 8000);
    const log = await seen(page, 's');
    const reopen = log.filter((e) => e.kind === 'open')[1];
    expect(reopen && reopen.t > missed.t, 'the browser came back before the missed updates were published: no resume shown');
    await pub([['topic', A], ['data', 'a4']], posted);
    await waitEvents(page, 's', posted.length);
    await expectEvents(page, 's', posted);

    // A new EventSource resumes by ?lastEventID= (browsers cannot set the
    // header on a new one): the updates published while none was open.
    await page.evaluate(() => window.sources.s.close());
    const last = eventsOf(await seen(page, 's')).pop().id;
    const after = [];
    await pub([['topic', B], ['data', 'b5']], after);
    await pub([['topic', C], ['data', 'c5']], after);
    await pub([['topic', A], ['data', 'a6'], ['id', `a6-${rand()}`]], after);
    await watch(page, 'r', hubUrl([A, B], [auth, ['lastEventID', last]]));
    await waitEvents(page, 'r', after.length);
    await pub([['topic', B], ['data', 'b7']], after);
    await waitEvents(page, 'r', after.length);
    await expectEvents(page, 'r', after);
    posted.push(...after);

    // earliest: the whole retained history of A and B, in order, once.
    await watch(page, 'e', hubUrl([A, B], [auth, ['lastEventID', 'earliest']]));
    await waitEvents(page, 'e', posted.length);
    await expectEvents(page, 'e', posted);
    const reconnects = (await seen(page, 's')).filter((e) => e.kind === 'open').length - 1;
    console.log(`resume across 2 topics: ${posted.length} updates once and in order (${reconnects} reconnects by Last-Event-ID, then lastEventID, then earliest)`);
  },

  // `retry` sets the browser's reconnection delay. Server: SSE_MAX_LIFETIME=2
  // and no SSE_RETRY_MS (Chromium's own delay is 3 s).
  async retry(browser) {
    const { page } = await openPage(browser);
    const T = `urn:retry:${rand()}`;
    await watch(page, 's', hubUrl([T], [['authorization', token({ mercure: { subscribe: [] } })]]), ['config']);
    await waitOpen(page, 's');
    const gaps = [];
    for (const [retry, lo, hi] of [[200, 0, 1500], [2500, 2300, 5000]]) {
      const before = (await seen(page, 's')).length;
      await post(page, [['topic', T], ['data', `retry ${retry}`], ['type', 'config'], ['retry', String(retry)]]);
      // the next error (the stream's end) and the open after it
      await waitFor(async () => {
        const l = (await seen(page, 's')).slice(before);
        const err = l.findIndex((e) => e.kind === 'error');
        return err >= 0 && l.slice(err).some((e) => e.kind === 'open');
      }, 10000, `a reconnect after retry ${retry}`);
      const l = (await seen(page, 's')).slice(before);
      const err = l.find((e) => e.kind === 'error');
      const open = l.find((e) => e.kind === 'open' && e.t >= err.t);
      const gap = open.t - err.t;
      expect(gap >= lo && gap < hi, `retry ${retry}: the browser came back after ${gap} ms, meant ${lo} to ${hi}`);
      gaps.push(gap);
    }
    const ev = eventsOf(await seen(page, 's'));
    expect(ev.length === 2 && ev.every((e) => e.type === 'config'), `events ${show(ev)}`);
    console.log(`retry 200 -> reconnect after ${gaps[0]} ms, retry 2500 -> ${gaps[1]} ms`);
  },

  // Symfony's Mercure component as the publisher (symfony-publisher.php): a
  // page with the mercureAuthorization cookie made by Symfony's
  // Authorization gets the public and its private updates with type, id
  // and retry; a subscriber without a subscribe claim gets the public ones.
  // Server: SSE_MAX_LIFETIME=2, no SSE_RETRY_MS.
  async symfony(browser) {
    const php = env('SYMFONY_PUBLISHER');
    const run = (argv, input) => spawnSync('php', [php, ...argv], {
      input, encoding: 'utf8', timeout: 20000, env: { ...process.env, MERCURE_URL: HUB.toString(), MERCURE_JWT_SECRET: KEY },
    });
    const ok = (r, what) => {
      expect(r.status === 0, `${what}: php exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr}`);
      return r.stdout;
    };
    const u7 = 'https://example.com/users/7';
    const cookie = JSON.parse(ok(run(['cookie', PAGE_URL, u7]), 'the cookie'));
    expect(cookie.name === 'mercureAuthorization' && cookie.path === HUB.pathname && cookie.httpOnly,
      `Symfony's cookie: ${JSON.stringify(cookie)}`);
    const c = await openPage(browser);
    await c.context.addCookies([{ name: cookie.name, value: cookie.value, domain: HUB.hostname, path: cookie.path,
      httpOnly: true, sameSite: 'Strict', expires: cookie.expires }]);
    const sel = ['https://example.com/books/{id}', u7, 'https://example.com/users/8'];
    await watch(c.page, 'c', hubUrl(sel), ['book', 'note']);
    await watch(c.page, 'p', hubUrl(sel, [['authorization', token({ mercure: {} })]]), ['book', 'note']);
    await waitOpen(c.page, 'c');
    await waitOpen(c.page, 'p');
    const updates = [
      { topics: ['https://example.com/books/1'], data: 'Symfony says hi', type: 'book', id: `book-1-${rand()}`, retry: 250 },
      { topics: [u7], data: 'for seven\nonly', private: true, type: 'note' },
      { topics: ['https://example.com/users/8'], data: 'for eight', private: true },
      { topics: ['https://example.com/books/2', 'https://example.com/authors/3'], data: 'two' },
    ];
    const ids = ok(run(['publish'], JSON.stringify(updates)), 'publishing').trim().split('\n');
    expect(ids.length === 4 && ids[0] === updates[0].id && ids.slice(1).every((i) => /^urn:uuid:/.test(i)),
      `ids from Hub::publish: ${JSON.stringify(ids)}`);
    const line = (i) => `${ids[i]} ${updates[i].type || 'message'} ${updates[i].data}`;
    await waitEvents(c.page, 'c', 3);
    await waitEvents(c.page, 'p', 2);
    await expectEvents(c.page, 'c', [line(0), line(1), line(3)]);
    await expectEvents(c.page, 'p', [line(0), line(3)]);
    // retry: 250 -> back within 1.5 s of the stream's end (not 3 s); the
    // cookie goes with the reconnect, and the stream resumes from there.
    await waitFor(async () => (await seen(c.page, 'c')).filter((e) => e.kind === 'open').length >= 2, 6000,
      'c: reconnected after the stream\'s end');
    const log = await seen(c.page, 'c');
    const err = log.find((e) => e.kind === 'error'), back = log.filter((e) => e.kind === 'open')[1];
    expect(back.t - err.t < 1500, `retry 250 from Symfony: came back after ${back.t - err.t} ms`);
    const more = ok(run(['publish'], JSON.stringify([{ topics: [u7], data: 'again', private: true, type: 'note' }])), 'publishing').trim();
    await waitEvents(c.page, 'c', 4);
    await expectEvents(c.page, 'c', [line(0), line(1), line(3), `${more} note again`]);
    // A wrong secret: Symfony reports the refusal, nothing is published.
    const bad = spawnSync('php', [php, 'publish'], { input: JSON.stringify([{ topics: [u7], data: 'forged' }]), encoding: 'utf8',
      timeout: 20000, env: { ...process.env, MERCURE_URL: HUB.toString(), MERCURE_JWT_SECRET: 'not the key' } });
    expect(bad.status !== 0 && /Failed to send an update/.test(bad.stderr), `a wrong secret: exit ${bad.status}: ${bad.stderr}`);
    const fence = ok(run(['publish'], JSON.stringify([{ topics: [u7], data: 'fence' }])), 'publishing').trim();
    await waitEvents(c.page, 'c', 5);
    await expectEvents(c.page, 'c', [line(0), line(1), line(3), `${more} note again`, `${fence} message fence`]);
    console.log(`Symfony's Hub::publish: public and private updates with type, id and retry reached the page (back ${back.t - err.t} ms after the stream's end)`);
  },
};

await runScenario('hub-browser', scenarios);
