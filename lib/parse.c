/* Producer-input parser. See parse.h and SPEC "Input framing".
 *
 * Why the caller re-feeds the tail instead of the parser keeping state: the
 * unconsumed bytes ARE the whole state of an incomplete event, so a pipe's
 * drainer can hand them to the next drainer (another process) as plain
 * bytes, and the scratch buffer never holds a half-built event across calls.
 * The price is re-scanning an incomplete event on every feed; the raw-size
 * bound below keeps that finite. For the same reason an event's topics are
 * slices of the input, in a fixed array on the stack while the event is
 * built: found again on each scan, never kept. Only two facts must survive a
 * call: at_start (is a BOM still droppable?) and skipping (are we inside a
 * refused event, and where in a line did we stop?). */
#include "parse.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "meta.h"
#include "publish.h"

/* The log keeps an event's topics in a record of at most SSE_META_MAX bytes
 * (lib/meta.h), beside a generated id and 4 bytes per topic; only an
 * SSE_MAX_EVENT near its 16 MiB ceiling comes near that. An event the log
 * would not take must be refused here: the intake would retry it forever. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define TOPICS_MAX (SSE_META_MAX - 64 - SSE_HUB_ID_GEN_LEN - 4 * SSE_PARSE_MAX_TOPICS)

/* p->skipping values: where the discarded bytes stopped, so the next feed
 * resumes mid-line correctly. SKIP_CR matters because a CR at the end of one
 * feed may be the first half of a CRLF: the LF that follows must not be read
 * as a blank line, which would end the refused event early and turn its
 * remaining lines into a bogus event. */
enum { SKIP_NONE, SKIP_LINE, SKIP_MID, SKIP_CR };

static const char bom[3] = { '\xEF', '\xBB', '\xBF' };

struct run {
	struct sse_parser *p;
	const char *buf;
	size_t len;
	int eof;
	size_t limit;   /* most data bytes the scratch holds */
	size_t raw_max; /* most raw bytes one event may span */
	sse_event_fn on_event;
	sse_refused_fn on_refused;
	void *ctx;
};

/* The event being built. */
struct pev {
	const char *name;
	size_t name_len;
	size_t data_len;
	int has_data;
	long retry;
	int private_;
	size_t ntopics;
	size_t topics_len; /* bytes of the topics, counted in the payload */
	struct sse_str topics[SSE_PARSE_MAX_TOPICS];
	size_t refused;    /* payload size that made a field refuse the event */
	const char *why;   /* NULL: refused for its size */
};

/* An event's raw bytes are bounded too, not only its payload: otherwise
 * endless comments or ignored fields would grow the caller's tail (and our
 * re-scan cost) without limit. Four payloads plus room for field names and
 * comments is generous for any honest producer. */
static size_t raw_bound(size_t max_event)
{
	if (max_event > (SIZE_MAX - 4096) / 4)
		return SIZE_MAX;
	return 4 * max_event + 4096;
}

static size_t line_end(const char *buf, size_t at, size_t len)
{
	while (at < len && buf[at] != '\n' && buf[at] != '\r')
		at++;
	return at;
}

/* e indexes a CR or LF; a CRLF is one line end. */
static size_t after_eol(const char *buf, size_t e, size_t len)
{
	if (buf[e] == '\r' && e + 1 < len && buf[e + 1] == '\n')
		return e + 2;
	return e + 1;
}

static int field_is(const char *f, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(f, name, n) == 0;
}

/* WHATWG: "If the field value consists of only ASCII digits". An empty value
 * or one that does not fit a long is refused rather than guessed at. */
static int parse_retry(const char *v, size_t n, long *out)
{
	long ms = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		int d = v[i] - '0';

		if (v[i] < '0' || v[i] > '9' || ms > (LONG_MAX - d) / 10)
			return -1;
		ms = ms * 10 + d;
	}
	*out = ms;
	return 0;
}

static void refused(struct run *r, size_t size, const char *why)
{
	if (r->on_refused)
		r->on_refused(r->ctx, size, why);
}

/* Payload bytes the event may still take: the data's room in the scratch,
 * and max_event shared by data and topics (the name counts at dispatch,
 * once the last event: line is known). Both stay within bounds: every add
 * checks them. */
static size_t room(const struct run *r, const struct pev *ev)
{
	size_t scratch = r->limit - ev->data_len;
	size_t payload = r->p->max_event - ev->data_len - ev->topics_len;

	return scratch < payload ? scratch : payload;
}

/* Appends one data line to the scratch; -1 when it would exceed the limit. */
static int add_data(struct run *r, struct pev *ev, const char *s, size_t n)
{
	size_t sep = ev->has_data ? 1 : 0, left = room(r, ev);

	if (n > left || sep > left - n) {
		ev->refused = ev->name_len + ev->data_len + ev->topics_len + sep + n;
		return -1;
	}
	if (sep)
		r->p->scratch[ev->data_len++] = '\n';
	if (n)
		memcpy(r->p->scratch + ev->data_len, s, n);
	ev->data_len += n;
	ev->has_data = 1;
	return 0;
}

/* Keeps one topic; -1 (ev->why set for all but the size) when the event
 * must be refused for it. */
static int add_topic(struct run *r, struct pev *ev, const char *s, size_t n)
{
	size_t left = r->p->max_event - ev->data_len - ev->topics_len;

	ev->why = sse_topic_unfit(s, n);
	if (!ev->why && ev->ntopics == SSE_PARSE_MAX_TOPICS)
		ev->why = "more than " STR(SSE_PARSE_MAX_TOPICS) " topics";
	if (!ev->why && n > TOPICS_MAX - ev->topics_len)
		ev->why = "topics too long for the log (16 MiB in all)";
	if (!ev->why && n > left)
		ev->refused = ev->name_len + ev->data_len + ev->topics_len + n;
	if (ev->why || n > left)
		return -1;
	ev->topics[ev->ntopics].p = s;
	ev->topics[ev->ntopics++].len = n;
	ev->topics_len += n;
	return 0;
}

/* One non-blank line. Field names are split at the first colon and one space
 * after it is dropped, as WHATWG does, so producers can test their input
 * against a browser. Anything that is not one of our fields is data taken
 * verbatim: a producer piping plain text must not lose lines that merely
 * happen to hold a colon. */
static int take_line(struct run *r, struct pev *ev, const char *s, size_t n)
{
	const char *colon, *v;
	size_t fn, vn;

	if (s[0] == ':')
		return 0;
	colon = memchr(s, ':', n);
	fn = colon ? (size_t)(colon - s) : n;
	v = colon ? colon + 1 : s + n;
	vn = n - (size_t)(v - s);
	if (vn && v[0] == ' ') {
		v++;
		vn--;
	}
	if (field_is(s, fn, "data"))
		return add_data(r, ev, v, vn);
	if (field_is(s, fn, "event")) {
		ev->name = v;
		ev->name_len = vn;
		return 0;
	}
	if (field_is(s, fn, "retry")) {
		parse_retry(v, vn, &ev->retry);
		return 0;
	}
	if (field_is(s, fn, "id"))
		return 0; /* the log assigns ids; a producer's would lie */
	if (field_is(s, fn, "topic"))
		return add_topic(r, ev, v, vn);
	if (field_is(s, fn, "private")) {
		ev->private_ = 1; /* its presence says it, whatever the value */
		return 0;
	}
	return add_data(r, ev, s, n);
}

static int dispatch(struct run *r, struct pev *ev)
{
	struct sse_event out = { 0 };

	if (!ev->has_data)
		return 0;
	/* The name only counts once the last event: line is known. */
	if (ev->name_len > r->p->max_event - ev->data_len - ev->topics_len) {
		refused(r, ev->name_len + ev->data_len + ev->topics_len, NULL);
		return 0;
	}
	if (ev->data_len < r->p->scratch_cap)
		r->p->scratch[ev->data_len] = '\0';
	out.name = ev->name ? ev->name : "";
	out.name_len = ev->name_len;
	out.data = r->p->scratch;
	out.data_len = ev->data_len;
	out.retry = ev->retry;
	out.topics = ev->topics;
	out.ntopics = ev->ntopics;
	out.private_ = ev->private_;
	return r->on_event(r->ctx, &out);
}

/* Discards bytes of a refused event from pos up to and including the blank
 * line that ends it. Returns where parsing resumes; p->skipping stays set
 * when the input ran out first. */
static size_t skip(struct sse_parser *p, const char *buf, size_t pos,
		   size_t len, int eof)
{
	int st = p->skipping;

	while (pos < len) {
		char c = buf[pos];

		if (st == SKIP_CR && c == '\n') {
			st = SKIP_LINE;
			pos++;
			continue;
		}
		if (st != SKIP_MID && (c == '\r' || c == '\n')) {
			p->skipping = SKIP_NONE;
			return after_eol(buf, pos, len);
		}
		st = c == '\r' ? SKIP_CR : c == '\n' ? SKIP_LINE : SKIP_MID;
		pos++;
	}
	p->skipping = eof ? SKIP_NONE : st;
	return len;
}

/* Refuses the event whose line ends (or, for a partial line, has reached)
 * index e: skipping resumes at e, so the line's end is seen by skip(). */
static void refuse(struct run *r, size_t *pos, size_t e, size_t size, const char *why)
{
	refused(r, size, why);
	r->p->skipping = SKIP_MID;
	*pos = e;
}

/* Parses one event starting at *pos. Returns 1 when it is incomplete (*pos
 * unchanged), else 0 with *pos past its end, or at the point to skip from
 * when it was refused. *stop receives on_event's answer. */
static int parse_event(struct run *r, size_t *pos, int *stop)
{
	const char *buf = r->buf;
	size_t start = *pos, at = *pos, e;
	struct pev ev = { .retry = -1 };

	for (;;) {
		e = line_end(buf, at, r->len);
		if (e == r->len && !r->eof) {
			/* A partial line only grows, so refusing it now is
			 * what a later feed would decide anyway. */
			if (e > at && e - start > r->raw_max) {
				refuse(r, pos, e, e - start, NULL);
				return 0;
			}
			return 1;
		}
		if (e == at) {
			*pos = e == r->len ? e : after_eol(buf, e, r->len);
			*stop = dispatch(r, &ev);
			/* Not taken (the log is full): the caller keeps it. */
			if (*stop < 0)
				*pos = start;
			return 0;
		}
		if (e - start > r->raw_max) {
			refuse(r, pos, e, e - start, NULL);
			return 0;
		}
		if (take_line(r, &ev, buf + at, e - at) < 0) {
			refuse(r, pos, e, ev.refused, ev.why);
			return 0;
		}
		at = e == r->len ? e : after_eol(buf, e, r->len);
	}
}

void sse_parser_init(struct sse_parser *p, size_t max_event, char *scratch,
		     size_t scratch_cap)
{
	p->max_event = max_event;
	p->at_start = 1;
	p->skipping = SKIP_NONE;
	p->scratch = scratch;
	p->scratch_cap = scratch_cap;
}

static void run_init(struct run *r, struct sse_parser *p, const char *buf,
		     size_t len, int eof)
{
	size_t room = p->scratch_cap ? p->scratch_cap - 1 : 0;

	r->p = p;
	r->buf = buf;
	r->len = len;
	r->eof = eof;
	r->limit = p->max_event < room ? p->max_event : room;
	r->raw_max = raw_bound(p->max_event);
}

int sse_parse(struct sse_parser *p, const char *buf, size_t len, int eof,
	      size_t *consumed, sse_event_fn on_event, sse_refused_fn on_refused,
	      void *ctx)
{
	struct run r;
	size_t pos = 0;
	int stop = 0;

	run_init(&r, p, buf, len, eof);
	r.on_event = on_event;
	r.on_refused = on_refused;
	r.ctx = ctx;
	/* A partial BOM is left alone: it stays in the tail (nothing can be
	 * consumed before a line end) and is matched on the next feed. */
	if (p->at_start && len >= sizeof(bom) &&
	    memcmp(buf, bom, sizeof(bom)) == 0)
		pos = sizeof(bom);
	while (!stop) {
		if (p->skipping)
			pos = skip(p, buf, pos, len, eof);
		if (pos == len || parse_event(&r, &pos, &stop))
			break;
	}
	if (pos > 0)
		p->at_start = 0;
	*consumed = pos;
	return stop;
}
