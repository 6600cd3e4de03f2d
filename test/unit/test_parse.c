/* Producer-input parser (SPEC "Input framing"): a table of inputs and the
 * events they must give. Every row is also fed split at every byte, and
 * byte by byte, re-feeding the unconsumed tail as the pipe reader does: the
 * result must not depend on how the bytes arrived. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1
#define ALL SIZE_MAX /* consumed: the whole input */
#define MAX_EV 8

struct want {
	const char *name;
	size_t name_len;
	const char *data;
	size_t data_len;
	long retry;
	const char *topics; /* joined with LF; NULL: none */
	int private_;
};

#define NO_EVENTS 0, { { 0 } }
#define EV(n, d) { S(n), S(d), -1, NULL, 0 }
#define EVR(n, d, r) { S(n), S(d), r, NULL, 0 }
#define EVT(n, d, t, p) { S(n), S(d), -1, t, p }
#define EMPTY_TOPIC "an empty topic"
#define CONTROL_TOPIC "a topic holding a control character"

struct row {
	const char *what;
	const char *in;
	size_t len;
	int eof;
	int no_bom;       /* at_start = 0: a BOM is not dropped */
	size_t max_event; /* 0: 65536 */
	size_t consumed;
	int toobig;       /* on_refused calls */
	int skipping;     /* parser still inside a refused event afterwards */
	size_t n;
	struct want ev[MAX_EV];
};

static const struct row rows[] = {
	{ "LF lines", S("event: tick\ndata: hello\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("tick", "hello") } },
	{ "CRLF lines", S("data: a\r\ndata: b\r\n\r\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a\nb") } },
	{ "CR lines", S("data: a\rdata: b\r\r"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a\nb") } },
	{ "mixed line ends", S("event: x\r\ndata: 1\rdata: 2\n\r\ndata: 3\r\r"),
	  0, 0, 0, ALL, 0, 0, 2, { EV("x", "1\n2"), EV("", "3") } },
	{ "CRLF between events", S("data: a\r\n\r\ndata: b\r\n\r\n"),
	  0, 0, 0, ALL, 0, 0, 2, { EV("", "a"), EV("", "b") } },
	{ "CR then LF-started event", S("data: a\r\r\ndata: b\n\n"),
	  0, 0, 0, ALL, 0, 0, 2, { EV("", "a"), EV("", "b") } },
	{ "one space removed", S("data:  two\ndata:x\nevent:  n\n\n"), 0, 0, 0,
	  ALL, 0, 0, 1, { EV(" n", " two\nx") } },
	{ "data alone", S("data\n\ndata\ndata\n\n"), 0, 0, 0, ALL, 0, 0,
	  2, { EV("", ""), EV("", "\n") } },
	{ "data: alone counts", S("data:\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "") } },
	{ "event alone empties the name", S("event: x\nevent\ndata: a\n\n"), 0,
	  0, 0, ALL, 0, 0, 1, { EV("", "a") } },
	{ "last event wins", S("event: a\ndata: x\nevent: b\n\n"), 0, 0, 0,
	  ALL, 0, 0, 1, { EV("b", "x") } },
	{ "comments", S(": hi\ndata: a\n:\n: data: no\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a") } },
	{ "unknown lines verbatim",
	  S("foo: bar\nhello world\nData: x\ndataa: y\n data: z\n\n"), 0, 0, 0,
	  ALL, 0, 0, 1,
	  { EV("", "foo: bar\nhello world\nData: x\ndataa: y\n data: z") } },
	{ "unknown line alone is an event", S("plain text\n\n"), 0, 0, 0, ALL,
	  0, 0, 1, { EV("", "plain text") } },
	{ "id ignored", S("id: 5\ndata: a\nid\nid:\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a") } },
	{ "id alone is no event", S("id: 5\n\n"), 0, 0, 0, ALL, 0, 0, NO_EVENTS },
	{ "retry digits", S("retry: 3000\ndata: a\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EVR("", "a", 3000) } },
	{ "retry no space, last valid wins",
	  S("retry:5\nretry: 7\nretry: x\ndata: a\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EVR("", "a", 7) } },
	{ "retry 0", S("data: a\nretry: 0\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EVR("", "a", 0) } },
	{ "bad retry ignored, not data",
	  S("retry: 30x0\nretry: -5\nretry:\nretry\nretry:  5\ndata: a\n\n"), 0,
	  0, 0, ALL, 0, 0, 1, { EV("", "a") } },
	{ "retry overflowing long ignored",
	  S("retry: 99999999999999999999999\ndata: a\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a") } },
	{ "retry does not leak to next event",
	  S("retry: 5\ndata: a\n\ndata: b\n\n"), 0, 0, 0, ALL, 0, 0,
	  2, { EVR("", "a", 5), EV("", "b") } },
	{ "retry without data dropped", S("retry: 5\n\ndata: b\n\n"), 0, 0, 0,
	  ALL, 0, 0, 1, { EV("", "b") } },
	{ "BOM dropped", S("\xEF\xBB\xBF" "data: a\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a") } },
	{ "BOM before a field", S("\xEF\xBB\xBF" "event: e\ndata: a\n\n"), 0, 0,
	  0, ALL, 0, 0, 1, { EV("e", "a") } },
	{ "BOM dropped once", S("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n"), 0, 0,
	  0, ALL, 0, 0, 1, { EV("", "\xEF\xBB\xBF" "data: a") } },
	{ "BOM kept when not at start", S("\xEF\xBB\xBF" "data: a\n\n"), 0, 1,
	  0, ALL, 0, 0, 1, { EV("", "\xEF\xBB\xBF" "data: a") } },
	{ "BOM kept after an event", S("data: a\n\n\xEF\xBB\xBF" "data: b\n\n"),
	  0, 0, 0, ALL, 0, 0, 2,
	  { EV("", "a"), EV("", "\xEF\xBB\xBF" "data: b") } },
	{ "BOM in data kept", S("data: \xEF\xBB\xBFx\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "\xEF\xBB\xBFx") } },
	{ "partial BOM is data", S("\xEF\xBB\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "\xEF\xBB") } },
	{ "BOM alone consumed", S("\xEF\xBB\xBF" "data: a"), 0, 0, 0, 3, 0, 0,
	  NO_EVENTS },
	{ "several events", S("data: 1\n\nevent: two\ndata: 2\n\n\n\ndata: 3\n\n"),
	  0, 0, 0, ALL, 0, 0, 3, { EV("", "1"), EV("two", "2"), EV("", "3") } },
	{ "incomplete event kept", S("data: a\n\ndata: b\n"), 0, 0, 0, 9, 0, 0,
	  1, { EV("", "a") } },
	{ "incomplete line kept", S("data: a\n\ndata: b"), 0, 0, 0, 9, 0, 0,
	  1, { EV("", "a") } },
	{ "eof ends event", S("data: a\n\ndata: b"), 1, 0, 0, ALL, 0, 0,
	  2, { EV("", "a"), EV("", "b") } },
	{ "eof after line end", S("event: e\ndata: b\r"), 1, 0, 0, ALL, 0, 0,
	  1, { EV("e", "b") } },
	{ "eof without data", S("event: e\n: c"), 1, 0, 0, ALL, 0, 0, NO_EVENTS },
	{ "event without data dropped", S("event: x\n\ndata: y\n\n"), 0, 0, 0,
	  ALL, 0, 0, 1, { EV("", "y") } },
	{ "blank lines only", S("\n\r\n\r\n"), 0, 0, 0, ALL, 0, 0, NO_EVENTS },
	{ "empty input", S(""), 0, 0, 0, 0, 0, 0, NO_EVENTS },
	{ "empty input at eof", S(""), 1, 0, 0, 0, 0, 0, NO_EVENTS },
	{ "NUL in data", S("data: a\0b\n\0\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a\0b\n\0") } },
	{ "NUL in name", S("event: n\0m\ndata: x\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("n\0m", "x") } },
	{ "name holds anything but CR/LF",
	  S("event:  a:b \xEF\xBB\xBF\xC3\xA9 \ndata: x\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV(" a:b \xEF\xBB\xBF\xC3\xA9 ", "x") } },
	{ "colon only after data", S("data:a:b\ndata::\n\n"), 0, 0, 0, ALL, 0, 0,
	  1, { EV("", "a:b\n:") } },
	{ "too big data skipped", S("data: 123456789\n\ndata: ok\n\n"), 0, 0, 8,
	  ALL, 1, 0, 1, { EV("", "ok") } },
	{ "exactly max accepted", S("event: abcd\ndata: 1234\n\n"), 0, 0, 8, ALL,
	  0, 0, 1, { EV("abcd", "1234") } },
	{ "name counts toward max", S("event: abcde\ndata: 1234\n\ndata: ok\n\n"),
	  0, 0, 8, ALL, 1, 0, 1, { EV("", "ok") } },
	{ "joining LF counts toward max",
	  S("data: 1234\ndata: 1234\n\ndata: 1234\ndata: 123\n\n"), 0, 0, 8, ALL,
	  1, 0, 1, { EV("", "1234\n123") } },
	{ "long earlier name replaced", S("event: 0123456789\nevent: n\ndata: ok\n\n"),
	  0, 0, 8, ALL, 0, 0, 1, { EV("n", "ok") } },
	{ "too big skips the whole event",
	  S("data: 1\ndata: 123456789\ndata: 2\nevent: x\n\ndata: ok\n\n"), 0, 0, 8,
	  ALL, 1, 0, 1, { EV("", "ok") } },
	{ "too big with CRLF, split CR/LF",
	  S("data: 123456789\r\ndata: x\r\n\r\ndata: ok\r\n\r\n"), 0, 0, 8, ALL, 1,
	  0, 1, { EV("", "ok") } },
	{ "too big with CR", S("data: 123456789\rdata: x\r\rdata: ok\r\r"), 0, 0,
	  8, ALL, 1, 0, 1, { EV("", "ok") } },
	{ "two too big in a row",
	  S("data: 123456789\n\ndata: 123456789\n\ndata: ok\n\n"), 0, 0, 8, ALL, 2,
	  0, 1, { EV("", "ok") } },
	{ "too big incomplete: skipping", S("data: ok\n\ndata: 123456789\ndata: x"),
	  0, 0, 8, ALL, 1, 1, 1, { EV("", "ok") } },
	{ "too big ended by eof", S("data: 123456789\ndata: x"), 1, 0, 8, ALL, 1,
	  0, NO_EVENTS },
	{ "too big partial line waits", S("data: 123456789"), 0, 0, 8, 0, 0, 0,
	  NO_EVENTS },
};

/* Mercure metadata: topic (repeatable) and private (any value). */
struct topic_row {
	const char *why; /* the last refusal's reason; NULL: for its size */
	struct row r;
};

static const struct topic_row topic_rows[] = {
	{ NULL,
	  { "topic repeatable, in order", S("topic: a\ntopic:b\ndata: x\ntopic:  c\n\n"),
	    0, 0, 0, ALL, 0, 0, 1, { EVT("", "x", "a\nb\n c", 0) } } },
	{ NULL,
	  { "topic keeps colons, spaces, UTF-8",
	    S("topic: https://example.com/books/{id} \xC3\xA9\ndata: y\r\n\r\n"), 0, 0, 0, ALL,
	    0, 0, 1, { EVT("", "y", "https://example.com/books/{id} \xC3\xA9", 0) } } },
	{ NULL,
	  { "private forms", S("private\ndata: a\n\nprivate:\ndata: b\n\n"
			       "private: no\rdata: c\r\rprivate:  \r\ndata: d\r\n\r\n"),
	    0, 0, 0, ALL, 0, 0, 4,
	    { EVT("", "a", NULL, 1), EVT("", "b", NULL, 1), EVT("", "c", NULL, 1),
	      EVT("", "d", NULL, 1) } } },
	{ NULL,
	  { "topics and private with name and retry",
	    S("event: e\nprivate\ntopic: t1\nretry: 5\ndata: 1\ntopic: t2\ndata: 2\n\n"),
	    0, 0, 0, ALL, 0, 0, 1, { { S("e"), S("1\n2"), 5, "t1\nt2", 1 } } } },
	{ NULL,
	  { "topics and private do not leak to the next event",
	    S("topic: a\nprivate\ndata: 1\n\ndata: 2\n\n"), 0, 0, 0, ALL, 0, 0, 2,
	    { EVT("", "1", "a", 1), EV("", "2") } } },
	{ NULL,
	  { "field names are case-sensitive: data lines",
	    S("Topic: a\nPRIVATE\ntopics: b\nprivate_\n topic: c\n\n"), 0, 0, 0, ALL, 0, 0, 1,
	    { EV("", "Topic: a\nPRIVATE\ntopics: b\nprivate_\n topic: c") } } },
	{ NULL,
	  { "a data: line's value is data", S("data: topic: x\ndata: private\n\n"),
	    0, 0, 0, ALL, 0, 0, 1, { EV("", "topic: x\nprivate") } } },
	{ NULL,
	  { "topic and private alone are no event", S("topic: a\nprivate\n\ndata: b\n\n"),
	    0, 0, 0, ALL, 0, 0, 1, { EV("", "b") } } },
	{ EMPTY_TOPIC,
	  { "topic alone refuses the event", S("topic\ndata: a\n\ndata: ok\n\n"),
	    0, 0, 0, ALL, 1, 0, 1, { EV("", "ok") } } },
	{ EMPTY_TOPIC,
	  { "empty topic: refused", S("data: a\ntopic: \r\ndata: b\r\n\r\ndata: ok\n\n"),
	    0, 0, 0, ALL, 1, 0, 1, { EV("", "ok") } } },
	{ EMPTY_TOPIC,
	  { "topic: alone refused, at eof", S("data: a\ntopic:"), 1, 0, 0, ALL, 1, 0,
	    NO_EVENTS } },
	{ CONTROL_TOPIC,
	  { "topic with a tab refused", S("topic: a\tb\ndata: x\n\ndata: ok\n\n"),
	    0, 0, 0, ALL, 1, 0, 1, { EV("", "ok") } } },
	{ CONTROL_TOPIC,
	  { "topic with NUL refused", S("topic: a\0b\ndata: x\n\ndata: ok\n\n"),
	    0, 0, 0, ALL, 1, 0, 1, { EV("", "ok") } } },
	{ CONTROL_TOPIC,
	  { "topic with DEL refused, skipping", S("data: ok\n\ntopic: \x7f\ndata: x"),
	    0, 0, 0, ALL, 1, 1, 1, { EV("", "ok") } } },
	{ NULL,
	  { "topics count toward max", S("topic: abcd\ndata: 12345\n\ndata: ok\n\n"),
	    0, 0, 8, ALL, 1, 0, 1, { EV("", "ok") } } },
	{ NULL,
	  { "topic after data counts toward max",
	    S("data: 12345\ntopic: abcd\n\ndata: ok\n\n"), 0, 0, 8, ALL, 1, 0, 1,
	    { EV("", "ok") } } },
	{ NULL,
	  { "topics + name + data exactly max", S("topic: ab\ntopic: cd\nevent: ab\ndata: 12\n\n"),
	    0, 0, 8, ALL, 0, 0, 1, { EVT("ab", "12", "ab\ncd", 0) } } },
	{ NULL,
	  { "name over max with topics", S("topic: abcd\nevent: abc\ndata: 12\n\ndata: ok\n\n"),
	    0, 0, 8, ALL, 1, 0, 1, { EV("", "ok") } } },
};

/* What the callbacks saw. */
struct got {
	size_t n;
	int toobig;
	size_t toobig_size;
	int overflow;
	int stop_at; /* on_event returns 7 for event number stop_at (1-based) */
	size_t max_tail;
	const char *why;
	struct {
		char name[64], data[512], topics[512];
		size_t name_len, data_len, topics_len;
		long retry;
		int private_, has_topics;
	} ev[MAX_EV];
};

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct got *g = ctx;

	if (g->n == MAX_EV || ev->name_len > sizeof(g->ev[0].name) ||
	    ev->data_len > sizeof(g->ev[0].data)) {
		g->overflow = 1;
		return 0;
	}
	g->ev[g->n].topics_len = 0;
	for (size_t i = 0; i < ev->ntopics; i++) {
		size_t *n = &g->ev[g->n].topics_len, add = ev->topics[i].len + (i > 0);

		if (add > sizeof(g->ev[0].topics) - *n) {
			g->overflow = 1;
			return 0;
		}
		if (i > 0)
			g->ev[g->n].topics[(*n)++] = '\n';
		memcpy(g->ev[g->n].topics + *n, ev->topics[i].p, ev->topics[i].len);
		*n += ev->topics[i].len;
	}
	g->ev[g->n].has_topics = ev->ntopics > 0;
	g->ev[g->n].private_ = ev->private_;
	memcpy(g->ev[g->n].name, ev->name, ev->name_len);
	g->ev[g->n].name_len = ev->name_len;
	memcpy(g->ev[g->n].data, ev->data, ev->data_len);
	g->ev[g->n].data_len = ev->data_len;
	g->ev[g->n].retry = ev->retry;
	return ++g->n == (size_t)g->stop_at ? 7 : 0;
}

static void on_toobig(void *ctx, size_t size, const char *why)
{
	struct got *g = ctx;

	g->toobig++;
	g->toobig_size = size;
	g->why = why;
}

static void init(struct sse_parser *p, const struct row *r, char *scratch)
{
	size_t max = r->max_event ? r->max_event : 65536;

	sse_parser_init(p, max, scratch, max + 1);
	p->at_start = !r->no_bom;
}

/* Feeds in[0..len) in pieces ending at cuts[] (the last one len), keeping
 * and re-feeding the unconsumed tail like the pipe reader. Returns the total
 * consumed; *skipping is the parser's state at the end, g->max_tail the
 * longest tail kept. */
static size_t feed(const struct row *r, const size_t *cuts, size_t ncuts,
		   struct got *g, int *skipping)
{
	struct sse_parser p;
	char *scratch = malloc((r->max_event ? r->max_event : 65536) + 1);
	char *acc = malloc(r->len + 1);
	size_t have = 0, from = 0, total = 0, used, i;

	init(&p, r, scratch);
	for (i = 0; i < ncuts; i++) {
		memcpy(acc + have, r->in + from, cuts[i] - from);
		have += cuts[i] - from;
		from = cuts[i];
		sse_parse(&p, acc, have, r->eof && from == r->len, &used,
			  on_event, on_toobig, g);
		memmove(acc, acc + used, have - used);
		have -= used;
		total += used;
		if (have > g->max_tail)
			g->max_tail = have;
	}
	*skipping = p.skipping;
	free(acc);
	free(scratch);
	return total;
}

static int same_events(const struct row *r, const struct got *g)
{
	size_t i;

	if (g->overflow || g->n != r->n)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct want *w = &r->ev[i];

		if (g->ev[i].name_len != w->name_len ||
		    memcmp(g->ev[i].name, w->name, w->name_len) ||
		    g->ev[i].data_len != w->data_len ||
		    memcmp(g->ev[i].data, w->data, w->data_len) ||
		    g->ev[i].retry != w->retry || g->ev[i].private_ != w->private_ ||
		    g->ev[i].has_topics != (w->topics != NULL) ||
		    (w->topics && (g->ev[i].topics_len != strlen(w->topics) ||
				   memcmp(g->ev[i].topics, w->topics, strlen(w->topics)))))
			return 0;
	}
	return 1;
}

static int same_why(const char *why, const struct got *g)
{
	return why ? g->why && strcmp(why, g->why) == 0 : g->why == NULL;
}

static size_t want_consumed(const struct row *r)
{
	return r->consumed == ALL ? r->len : r->consumed;
}

/* The result of one feeding matches the row. */
static int matches(const struct row *r, const char *why, const struct got *g,
		   size_t used, int skipping)
{
	return same_events(r, g) && g->toobig == r->toobig && same_why(why, g) &&
	       used == want_consumed(r) && !skipping == !r->skipping;
}

static void check_once(const struct row *r, const char *why)
{
	struct got g = { 0 };
	size_t cut = r->len, used;
	int skipping;

	used = feed(r, &cut, 1, &g, &skipping);
	tap_ok(same_events(r, &g), "%s: events (%zu, want %zu)", r->what, g.n,
	       r->n);
	tap_ok(used == want_consumed(r), "%s: consumed %zu, want %zu", r->what,
	       used, want_consumed(r));
	tap_ok(g.toobig == r->toobig && !skipping == !r->skipping,
	       "%s: %d too big, skipping %d", r->what, g.toobig, skipping);
	tap_ok(same_why(why, &g), "%s: refused for '%s'", r->what, g.why ? g.why : "(size)");
}

/* Every split point in two feeds, then byte by byte. */
static void check_splits(const struct row *r, const char *why)
{
	size_t cuts[2], k, bad = SIZE_MAX, used, *bytes;
	int skipping;

	for (k = 0; k <= r->len && bad == SIZE_MAX; k++) {
		struct got g = { 0 };

		cuts[0] = k;
		cuts[1] = r->len;
		used = feed(r, cuts, 2, &g, &skipping);
		if (!matches(r, why, &g, used, skipping))
			bad = k;
	}
	tap_ok(bad == SIZE_MAX, "%s: same result split at any byte (bad at %zu)",
	       r->what, bad);

	bytes = malloc((r->len + 1) * sizeof(*bytes));
	for (k = 0; k < r->len; k++)
		bytes[k] = k + 1;
	{
		struct got g = { 0 };

		used = feed(r, bytes, r->len, &g, &skipping);
		tap_ok(matches(r, why, &g, used, skipping),
		       "%s: same result byte by byte", r->what);
		/* the raw bound, plus a CRLF after a line just within it */
		tap_ok(g.max_tail <= 4 * (r->max_event ? r->max_event : 65536) +
					     4096 + 2,
		       "%s: tail bounded (%zu bytes)", r->what, g.max_tail);
	}
	free(bytes);
}

/* why: the reason of the last refusal (NULL: none, or for its size). */
static void check_row(const struct row *r, const char *why)
{
	check_once(r, why);
	check_splits(r, why);
}

/* Rows too large for the table: the raw-size bound (4 * max + 4096). */
static char *repeat(char *at, const char *s, size_t times)
{
	size_t n = strlen(s);

	while (times--) {
		memcpy(at, s, n);
		at += n;
	}
	return at;
}

static void check_built(const char *what, char *buf, char *end, int eof,
			int toobig, int skipping, size_t n,
			const struct want *ev)
{
	struct row r = { 0 };

	r.what = what;
	r.in = buf;
	r.len = (size_t)(end - buf);
	r.eof = eof;
	r.max_event = 16;
	r.consumed = ALL;
	r.toobig = toobig;
	r.skipping = skipping;
	r.n = n;
	memcpy(r.ev, ev, n * sizeof(*ev));
	check_row(&r, NULL);
}

static void check_raw_bound(void)
{
	static const struct want ok[] = { EV("", "ok") };
	static const struct want a_ok[] = { EV("", "a"), EV("", "ok") };
	char *buf = malloc(16384), *at;

	/* 600 comment lines of 9 bytes: more than 4160 raw bytes */
	at = repeat(buf, ":comment\n", 600);
	at = repeat(at, "data: x\n\ndata: ok\n\n", 1);
	check_built("endless comments refused", buf, at, 0, 1, 0, 1, ok);

	at = repeat(buf, "data: ", 1);
	at = repeat(at, "x", 5000);
	at = repeat(at, "\r\n\r\ndata: ok\n\n", 1);
	check_built("endless line refused", buf, at, 0, 1, 0, 1, ok);

	/* in one feed, before its end is seen */
	at = repeat(buf, "data: ", 1);
	at = repeat(at, "x", 5000);
	check_built("endless line refused early", buf, at, 0, 1, 1, 0, ok);

	/* data: a\n then comments so the last line ends exactly 4160 bytes
	 * after the event's start: accepted; one byte more: refused. */
	at = repeat(buf, "data: a\n", 1);
	at = repeat(at, ":", 4160 - 8);
	at = repeat(at, "\n\ndata: ok\n\n", 1);
	check_built("raw size at the bound accepted", buf, at, 1, 0, 0, 2, a_ok);

	at = repeat(buf, "data: a\n", 1);
	at = repeat(at, ":", 4161 - 8);
	at = repeat(at, "\n\ndata: ok\n\n", 1);
	check_built("raw size over the bound refused", buf, at, 1, 1, 0, 1, ok);
	free(buf);
}

/* SSE_PARSE_MAX_TOPICS topics are taken, one more refuses the event. */
static void check_topic_cap(void)
{
	char in[1024], topics[512], *at = in, *t = topics;
	struct row r = { 0 };

	for (int i = 0; i < SSE_PARSE_MAX_TOPICS; i++) {
		at += sprintf(at, "topic: t%d\n", i);
		t += sprintf(t, "%st%d", i ? "\n" : "", i);
	}
	at += sprintf(at, "data: x\n\n");
	r.what = "32 topics taken";
	r.in = in;
	r.len = (size_t)(at - in);
	r.consumed = ALL;
	r.n = 1;
	r.ev[0] = (struct want){ "", 0, "x", 1, -1, topics, 0 };
	check_row(&r, NULL);

	at = in + sprintf(in, "topic: more\n");
	for (int i = 0; i < SSE_PARSE_MAX_TOPICS; i++)
		at += sprintf(at, "topic: t%d\n", i);
	at += sprintf(at, "data: x\n\ndata: ok\n\n");
	r.what = "33 topics refused";
	r.len = (size_t)(at - in);
	r.toobig = 1;
	r.ev[0] = (struct want){ "", 0, "ok", 2, -1, NULL, 0 };
	check_row(&r, "more than 32 topics");
}

static void check_stop(void)
{
	static const char in[] = "data: a\n\ndata: b\n\n";
	struct sse_parser p;
	struct got g = { 0 };
	char scratch[64];
	size_t used, more;
	int rc;

	sse_parser_init(&p, 63, scratch, sizeof(scratch));
	g.stop_at = 1;
	rc = sse_parse(&p, in, sizeof(in) - 1, 0, &used, on_event, on_toobig,
		       &g);
	tap_ok(rc == 7 && used == 9 && g.n == 1,
	       "on_event's answer stops after that event (rc %d, used %zu)", rc,
	       used);
	rc = sse_parse(&p, in + used, sizeof(in) - 1 - used, 0, &more, on_event,
		       on_toobig, &g);
	tap_ok(rc == 0 && more == 9 && g.n == 2 && g.ev[1].data[0] == 'b',
	       "re-feeding the rest gives the next event");
}

/* A negative answer: the log could not take it (disk full); the event
 * stays unconsumed, to be presented again. */
static int refuse_second(void *ctx, const struct sse_event *ev)
{
	int *n = ctx;

	(void)ev;
	return ++*n == 2 ? -1 : 0;
}

static void check_refused_kept(void)
{
	static const char in[] = "data: a\n\nevent: x\ndata: b\n\ndata: c\n\n";
	struct sse_parser p;
	struct got g = { 0 };
	char scratch[64];
	size_t used, more;
	int n = 0, rc;

	sse_parser_init(&p, 63, scratch, sizeof(scratch));
	rc = sse_parse(&p, in, sizeof(in) - 1, 0, &used, refuse_second, on_toobig, &n);
	tap_ok(rc == -1 && used == 9 && n == 2,
	       "a negative answer stops before that event, unconsumed (rc %d, used %zu)", rc, used);
	rc = sse_parse(&p, in + used, sizeof(in) - 1 - used, 0, &more, on_event, on_toobig, &g);
	tap_ok(rc == 0 && more == sizeof(in) - 1 - used && g.n == 2 && g.ev[0].name_len == 1 &&
	       g.ev[0].name[0] == 'x' && g.ev[0].data[0] == 'b' && g.ev[1].data[0] == 'c',
	       "presented again, the refused event and the next arrive whole");
}

static void check_toobig_size(void)
{
	struct sse_parser p;
	struct got g = { 0 };
	char scratch[64];
	size_t used;

	sse_parser_init(&p, 8, scratch, sizeof(scratch));
	sse_parse(&p, S("data: 1234\ndata: 12345\n\n"), 0, &used, on_event,
		  on_toobig, &g);
	tap_ok(g.toobig == 1 && g.toobig_size == 10,
	       "too big reports the payload size (%zu)", g.toobig_size);
	g.toobig = 0;
	sse_parse(&p, S("event: abcde\ndata: 1234\n\n"), 0, &used, on_event,
		  on_toobig, &g);
	tap_ok(g.toobig == 1 && g.toobig_size == 9,
	       "too big by name reports name + data (%zu)", g.toobig_size);

	/* a scratch smaller than max_event + 1 limits the data it holds */
	sse_parser_init(&p, 100, scratch, 5);
	g.toobig = 0;
	g.n = 0;
	sse_parse(&p, S("data: 12345\n\ndata: 1234\n\n"), 0, &used, on_event,
		  on_toobig, &g);
	tap_ok(g.toobig == 1 && g.n == 1 && g.ev[0].data_len == 4,
	       "scratch capacity bounds the data");
}

static void check_scratch_terminated(void)
{
	struct sse_parser p;
	struct got g = { 0 };
	char scratch[16];
	size_t used;

	memset(scratch, 'z', sizeof(scratch));
	sse_parser_init(&p, 15, scratch, sizeof(scratch));
	sse_parse(&p, S("data: abc\n\n"), 0, &used, on_event, on_toobig, &g);
	tap_ok(g.n == 1 && scratch[3] == '\0', "data is NUL-terminated");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i], NULL);
	for (i = 0; i < sizeof(topic_rows) / sizeof(topic_rows[0]); i++)
		check_row(&topic_rows[i].r, topic_rows[i].why);
	check_raw_bound();
	check_topic_cap();
	check_stop();
	check_refused_kept();
	check_toobig_size();
	check_scratch_terminated();
	return tap_done();
}
