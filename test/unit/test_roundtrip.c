/* Properties, over random cases from a seeded PRNG (the seed is printed; pass
 * it as argv[1] to replay a failure):
 *  1. format: events -> sse_format -> WHATWG rules -> the same events;
 *  2. random producer bytes -> sse_parse -> sse_format -> WHATWG rules ->
 *     the events sse_parse produced, and parsing does not depend on how the
 *     bytes were split into feeds;
 *  3. events written in the input framing (any line ends, comments, fields
 *     alone, verbatim lines, ignored id:/retry: lines, oversized events) ->
 *     sse_parse -> the same events, the oversized ones refused.
 * The WHATWG reference itself is checked first against the spec's own
 * examples. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "parse.h"
#include "tap.h"
#include "whatwg.h"

#define S(x) x, sizeof(x) - 1
#define CASES 20000

/* ---- PRNG (splitmix64: tiny, and any seed is a good one) ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* ---- growable bytes and event lists ---- */

struct bytes {
	char *p;
	size_t n, cap;
};

static void reserve(struct bytes *b, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
}

static void add(struct bytes *b, const char *s, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void add_str(struct bytes *b, const char *s)
{
	add(b, s, strlen(s));
}

struct ev {
	struct bytes name, data;
	long retry;
};

struct evlist {
	struct ev *ev;
	size_t n, cap;
	int toobig;
};

static struct ev *push(struct evlist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		if (!l->ev)
			abort();
	}
	memset(&l->ev[l->n], 0, sizeof(l->ev[0]));
	l->ev[l->n].retry = -1;
	return &l->ev[l->n++];
}

static void list_free(struct evlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->ev[i].name.p);
		free(l->ev[i].data.p);
	}
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

static int same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static int same_list(const struct evlist *a, const struct evlist *b)
{
	size_t i;

	if (a->n != b->n || a->toobig != b->toobig)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same_bytes(a->ev[i].name.p, a->ev[i].name.n,
				b->ev[i].name.p, b->ev[i].name.n) ||
		    !same_bytes(a->ev[i].data.p, a->ev[i].data.n,
				b->ev[i].data.p, b->ev[i].data.n) ||
		    a->ev[i].retry != b->ev[i].retry)
			return 0;
	return 1;
}

/* ---- random content ---- */

/* Bytes that stress the rules: field syntax, spaces, NUL, BOM pieces,
 * UTF-8 and invalid high bytes. Never CR or LF. */
static void rand_text(struct bytes *b, size_t max)
{
	static const char *const bits[] = {
		"a", "z", "0", "7", " ", "  ", ":", ": ", "\0", "\xEF\xBB\xBF",
		"\xEF", "\xBB", "\xBF", "\xC3\xA9", "\xFF", "\x80", "data",
		"event", "id", "retry", "message", "\t",
	};
	size_t n = below(max + 1), i;

	for (i = 0; i < n; i++) {
		const char *s = bits[below(sizeof(bits) / sizeof(bits[0]))];

		add(b, s, s[0] ? strlen(s) : 1);
	}
}

static void rand_event(struct ev *e, size_t max_lines)
{
	size_t lines = 1 + below(max_lines), i;

	if (below(8) == 0)
		add_str(&e->name, "message");
	else if (below(3))
		rand_text(&e->name, 6);
	for (i = 0; i < lines; i++) {
		if (i)
			add(&e->data, "\n", 1);
		rand_text(&e->data, 8);
	}
	e->retry = below(4) ? -1 : (long)below(1u << 31);
}

/* ---- glue to the code under test ---- */

static int collect(void *ctx, const struct sse_event *ev)
{
	struct ev *e = push(ctx);

	add(&e->name, ev->name, ev->name_len);
	add(&e->data, ev->data, ev->data_len);
	e->retry = ev->retry;
	return 0;
}

static void count_toobig(void *ctx, size_t size, const char *why)
{
	(void)size;
	(void)why;
	((struct evlist *)ctx)->toobig++;
}

/* Parses in[0..len) at eof, fed in random pieces with the tail re-fed
 * (pieces == 1: one feed). */
static void parse_all(const char *in, size_t len, int at_start,
		      size_t max_event, size_t pieces, struct evlist *out)
{
	struct sse_parser p;
	char *scratch = malloc(max_event + 1);
	char *acc = malloc(len + 1);
	size_t have = 0, from = 0, used, cut;

	sse_parser_init(&p, max_event, scratch, max_event + 1);
	p.at_start = at_start;
	while (pieces--) {
		cut = pieces ? from + below(len - from + 1) : len;
		if (cut > from)
			memcpy(acc + have, in + from, cut - from);
		have += cut - from;
		from = cut;
		sse_parse(&p, acc, have, from == len && !pieces, &used,
			  collect, count_toobig, out);
		memmove(acc, acc + used, have - used);
		have -= used;
	}
	free(acc);
	free(scratch);
}

static int browser_event_ok(const struct ww_event *w, const struct ev *e,
			    uint64_t id)
{
	char idtext[24];
	int shown = e->name.n &&
		    !same_bytes(e->name.p, e->name.n, S("message"));

	snprintf(idtext, sizeof(idtext), "%llu", (unsigned long long)id);
	return (shown ? same_bytes(w->type, w->type_len, e->name.p, e->name.n)
		      : same_bytes(w->type, w->type_len, S("message"))) &&
	       same_bytes(w->data, w->data_len, e->data.p, e->data.n) &&
	       same_bytes(w->last_id, w->last_id_len, idtext, strlen(idtext)) &&
	       w->retry == e->retry;
}

/* What a browser sees when the events go out with ids first_id, ... */
static int browser_sees(const struct evlist *l, uint64_t first_id)
{
	struct bytes wire = { 0 };
	struct ww_stream ww;
	size_t i;
	int ok;

	for (i = 0; i < l->n; i++) {
		const struct ev *e = &l->ev[i];
		struct sse_event ev = { .name = e->name.p, .name_len = e->name.n, .data = e->data.p,
					.data_len = e->data.n, .retry = e->retry };

		reserve(&wire, sse_format_size(&ev, first_id + i));
		wire.n += sse_format(&ev, first_id + i, wire.p + wire.n);
	}
	ww_parse(wire.p, wire.n, &ww);
	ok = ww.n == l->n;
	for (i = 0; ok && i < l->n; i++)
		ok = browser_event_ok(&ww.ev[i], &l->ev[i], first_id + i);
	ww_free(&ww);
	free(wire.p);
	return ok;
}

static void dump(const char *what, const char *p, size_t n)
{
	size_t i;

	printf("# %s (%zu bytes):", what, n);
	for (i = 0; i < n && i < 400; i++)
		printf(" %02x", (unsigned char)p[i]);
	printf("\n");
}

/* ---- property 1: the formatter, read by the WHATWG rules ---- */

static int format_case(void)
{
	struct evlist l = { 0 };
	size_t n = 1 + below(4), i;
	uint64_t id = below(3) ? below(100000) : rnd() >> below(64);
	int ok;

	if (id > UINT64_MAX - n)
		id = 0;
	for (i = 0; i < n; i++)
		rand_event(push(&l), 5);
	ok = browser_sees(&l, id);
	if (!ok)
		dump("first event data", l.ev[0].data.p, l.ev[0].data.n);
	list_free(&l);
	return ok;
}

/* ---- property 2: random producer bytes ---- */

static void rand_input(struct bytes *b)
{
	static const char *const bits[] = {
		"data", "data:", "data: ", "event:", "event: ", "event",
		"retry: ", "retry:", "id: ", "id", ":", " ", "\r", "\n", "\r\n",
		"\n\n", "\r\r", "\0", "\xEF\xBB\xBF", "x", "yz", "\xC3\xA9",
		"\xFE", "12", "0", "message", "\t",
	};
	size_t n = below(48), i;

	if (below(4) == 0)
		add(b, S("\xEF\xBB\xBF"));
	for (i = 0; i < n; i++) {
		const char *s = bits[below(sizeof(bits) / sizeof(bits[0]))];

		add(b, s, s[0] ? strlen(s) : 1);
	}
}

static int producer_case(void)
{
	static const size_t maxes[] = { 4, 16, 65536 };
	struct bytes in = { 0 };
	struct evlist once = { 0 }, split = { 0 };
	size_t max = maxes[below(3)];
	int at_start = (int)below(2), ok;

	rand_input(&in);
	parse_all(in.p, in.n, at_start, max, 1, &once);
	parse_all(in.p, in.n, at_start, max, 2 + below(6), &split);
	ok = same_list(&once, &split) && browser_sees(&once, rnd() >> 1);
	if (!ok)
		dump("producer input", in.p, in.n);
	list_free(&once);
	list_free(&split);
	free(in.p);
	return ok;
}

/* ---- property 3: events written in the input framing ---- */

#define FRAMING_MAX 64

struct framing {
	struct bytes out;
	int last_cr; /* the last line ended in a lone CR */
};

/* A blank line right after a lone CR must not end in LF: the two would be
 * one CRLF, and the event would not end. */
static void put_line(struct framing *f, const char *s, size_t n)
{
	static const char *const ends[] = { "\n", "\r", "\r\n" };
	size_t e = below(3);

	if (n == 0 && f->last_cr && e == 0)
		e = 1 + below(2);
	add(&f->out, s, n);
	add_str(&f->out, ends[e]);
	f->last_cr = e == 1;
}

static void put_field(struct framing *f, const char *field, const char *v,
		      size_t n)
{
	struct bytes l = { 0 };

	add_str(&l, field);
	add(&l, v, n);
	put_line(f, l.p, l.n);
	free(l.p);
}

static int is_field(const char *s, size_t n)
{
	static const char *const names[] = { "data", "event", "retry", "id", "topic", "private" };
	const char *colon = memchr(s, ':', n);
	size_t fn = colon ? (size_t)(colon - s) : n, i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (same_bytes(s, fn, names[i], strlen(names[i])))
			return 1;
	return 0;
}

/* A data line may go verbatim when nothing else would claim it. A line that
 * starts like a BOM is kept out: at the stream's start it would lose it. */
static int verbatim_ok(const char *s, size_t n)
{
	return n && s[0] != ':' && (unsigned char)s[0] != 0xEF &&
	       !is_field(s, n);
}

static void put_data(struct framing *f, const char *s, size_t n)
{
	size_t form = below(4);

	if (form == 1 && n == 0)
		put_line(f, S("data"));
	else if (form == 2 && (n == 0 || s[0] != ' '))
		put_field(f, "data:", s, n);
	else if (form == 3 && verbatim_ok(s, n))
		put_line(f, s, n);
	else
		put_field(f, "data: ", s, n);
}

static void put_name(struct framing *f, const struct bytes *name)
{
	size_t form = below(3);

	if (form == 1 && name->n == 0)
		put_line(f, S("event"));
	else if (form == 2 && (name->n == 0 || name->p[0] != ' '))
		put_field(f, "event:", name->p, name->n);
	else
		put_field(f, "event: ", name->p, name->n);
}

/* Lines the parser must ignore. */
static void put_noise(struct framing *f)
{
	static const char *const lines[] = {
		"id: 12", "id", "id:", "retry: x", "retry: -1", "retry",
		"retry:  12", "retry: 1a", "retry:", ":", ": data: no",
	};
	const char *line = lines[below(sizeof(lines) / sizeof(lines[0]))];
	struct bytes l = { 0 };

	if (below(3) == 0) {
		add(&l, ":", 1);
		rand_text(&l, 6);
		put_line(f, l.p, l.n);
		free(l.p);
		return;
	}
	put_line(f, line, strlen(line));
}

static void maybe_noise(struct framing *f)
{
	while (below(4) == 0)
		put_noise(f);
}

/* The name line (after decoys the last one overrides) and retry line go
 * before data line `at`; retry decoys are valid values the real one
 * overrides. */
static void put_event(struct framing *f, const struct ev *e)
{
	size_t lines = 1, name_at, retry_at, i, at = 0;
	char ms[24];

	for (i = 0; i < e->data.n; i++)
		lines += e->data.p[i] == '\n';
	name_at = below(lines + 1);
	retry_at = below(lines + 1);
	for (i = 0; i <= lines; i++) {
		maybe_noise(f);
		if (i == name_at && (e->name.n || below(3))) {
			if (below(4) == 0)
				put_line(f, S("event: decoy"));
			put_name(f, &e->name);
		}
		if (i == retry_at && e->retry >= 0) {
			if (below(4) == 0)
				put_line(f, S("retry: 999"));
			snprintf(ms, sizeof(ms), "%ld", e->retry);
			put_field(f, below(2) ? "retry: " : "retry:", ms,
				  strlen(ms));
		}
		if (i < lines) {
			const char *s = (e->data.p ? e->data.p : "") + at;
			const char *nl = memchr(s, '\n', e->data.n - at);
			size_t n = nl ? (size_t)(nl - s) : e->data.n - at;

			put_data(f, s, n);
			at += n + 1;
		}
	}
	maybe_noise(f);
}

/* At eof the last event may go without its blank line, even without its
 * last line end. */
static void end_stream(struct framing *f)
{
	if (below(3))
		put_line(f, "", 0);
	else if (below(2))
		while (f->out.n && (f->out.p[f->out.n - 1] == '\n' ||
				    f->out.p[f->out.n - 1] == '\r'))
			f->out.n--;
}

static int framing_case(void)
{
	struct framing f = { { 0 }, 0 };
	struct evlist meant = { 0 }, got = { 0 }, all = { 0 };
	size_t n = 1 + below(5), i;
	int ok;

	if (below(4) == 0)
		add(&f.out, S("\xEF\xBB\xBF"));
	for (i = 0; i < n; i++) {
		struct ev *e = push(&all);

		rand_event(e, 5);
		while (below(4) == 0)
			put_line(&f, "", 0);
		put_event(&f, e);
		if (i + 1 < n)
			put_line(&f, "", 0);
		if (e->name.n + e->data.n > FRAMING_MAX) {
			meant.toobig++;
			continue;
		}
		*push(&meant) = *e;
	}
	end_stream(&f);
	parse_all(f.out.p, f.out.n, 1, FRAMING_MAX, 1 + below(8), &got);
	ok = same_list(&meant, &got);
	if (!ok)
		dump("framed input", f.out.p, f.out.n);
	free(meant.ev); /* its events are shared with all */
	list_free(&all);
	list_free(&got);
	free(f.out.p);
	return ok;
}

/* ---- the reference against the spec's examples ---- */

struct ww_want {
	const char *type, *data, *id;
	long retry;
};

static int ww_is(const char *in, size_t len, const struct ww_want *want,
		 size_t n)
{
	struct ww_stream s;
	size_t i;
	int ok;

	ww_parse(in, len, &s);
	ok = s.n == n;
	for (i = 0; ok && i < n; i++)
		ok = same_bytes(s.ev[i].type, s.ev[i].type_len, want[i].type,
				strlen(want[i].type)) &&
		     same_bytes(s.ev[i].data, s.ev[i].data_len, want[i].data,
				strlen(want[i].data)) &&
		     same_bytes(s.ev[i].last_id, s.ev[i].last_id_len,
				want[i].id, strlen(want[i].id)) &&
		     s.ev[i].retry == want[i].retry;
	ww_free(&s);
	return ok;
}

static void check_reference(void)
{
	static const struct ww_want two[] = {
		{ "message", "", "", -1 }, { "message", "\n", "", -1 } };
	static const struct ww_want ids[] = {
		{ "message", "first event", "1", -1 },
		{ "message", "second event", "", -1 },
		{ "message", " third event", "", -1 } };
	static const struct ww_want typed[] = {
		{ "add", "73857293", "", -1 }, { "remove", "2153", "", -1 } };
	static const struct ww_want ends[] = {
		{ "message", "a\nb", "", -1 }, { "message", "c", "", -1 } };
	static const struct ww_want misc[] = {
		{ "message", "a", "1", 12 }, { "message", "x", "1", -1 } };
	static const struct ww_want bom[] = { { "message", "a", "", -1 } };

	tap_ok(ww_is(S("data\n\ndata\ndata\n\ndata:"), two, 2),
	       "reference: spec example, empty data and unterminated event");
	tap_ok(ww_is(S(": test stream\n\ndata: first event\nid: 1\n\n"
		       "data:second event\nid\n\ndata:  third event\n\n"),
		     ids, 3), "reference: spec example, ids and one space");
	tap_ok(ww_is(S("event: add\ndata: 73857293\n\nevent: remove\n"
		       "data: 2153\n\n"), typed, 2), "reference: event types");
	tap_ok(ww_is(S("data: a\r\ndata: b\r\rdata: c\n\r\n"), ends, 2),
	       "reference: CR, LF and CRLF line ends");
	tap_ok(ww_is(S("id: 1\n\nid: 2\0\nretry: 12\nretry: x\nevent\ndata: a\n"
		       "\ndata: x\n\n"), misc, 2),
	       "reference: id with NUL ignored, retry per event, event alone");
	tap_ok(ww_is(S("\xEF\xBB\xBF" "data: a\n\n\xEF\xBB\xBF" "data: b\n\n"),
		     bom, 1) &&
	       ww_is(S("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n"), bom, 0),
	       "reference: one leading BOM dropped");
}

/* ---- driver ---- */

static void run(const char *what, int (*one)(void))
{
	size_t i, failed_at = 0;

	for (i = 1; i <= CASES && !failed_at; i++)
		if (!one())
			failed_at = i;
	if (failed_at)
		printf("# failed at case %zu\n", failed_at);
	tap_ok(!failed_at, "%s (%d cases)", what, CASES);
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	printf("# seed %llu (replay: %s %llu)\n", (unsigned long long)seed,
	       argv[0], (unsigned long long)seed);
	check_reference();
	rng = seed;
	run("format: browser sees the events meant", format_case);
	rng = seed;
	run("producer bytes: parse, format, browser agree", producer_case);
	rng = seed;
	run("framing: parse gives the events written", framing_case);
	return tap_done();
}
