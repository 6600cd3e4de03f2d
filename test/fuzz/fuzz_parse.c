/* The producer-input parser (lib/parse.c) and the formatter (lib/format.c)
 * on what a fifo, a drop-box file or `sse-publish --raw` may carry.
 * Input: byte 0 picks the largest event and whether a BOM may be dropped,
 * byte 1 seeds where the rest is cut into feeds; the rest is the
 * producer's bytes. Asserts, beyond "no crash":
 *   - fed in pieces the way the intake feeds a pipe (the unconsumed tail
 *     presented again with more input, end of input last), the parser gives
 *     the same events (topics and private flag included) and refusals (and
 *     their reasons) as in one feed: the split never matters;
 *   - an event's name holds no CR/LF, its data no CR, its topics are not
 *     empty and hold no control character, at most SSE_PARSE_MAX_TOPICS of
 *     them; name, data and topics are within the largest event, and its data
 *     is NUL-terminated when the scratch has room;
 *   - format: sse_format_size() is what sse_format() writes, the bytes are
 *     "id:", "event:", "retry:" and "data:" lines ended by LF and a blank
 *     line, no CR; parsing them again gives back the same event (without
 *     its topics: they are never on the wire). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fuzz.h"
#include "parse.h"
#include "publish.h"

struct log {
	char *b;            /* every event and refusal, serialised */
	size_t n, cap;
	size_t max_event;
};

static void put(struct log *l, const void *p, size_t n)
{
	if (l->n + n > l->cap) {
		l->cap = (l->n + n) * 2 + 256;
		l->b = realloc(l->b, l->cap);
		CHECK(l->b != NULL);
	}
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static int same_event(const struct sse_event *a, const struct sse_event *b)
{
	size_t an = a->name_len, bn = b->name_len;

	/* "message" is the default type: the formatter leaves it out. */
	if (an == 7 && memcmp(a->name, "message", 7) == 0)
		an = 0;
	if (bn == 7 && memcmp(b->name, "message", 7) == 0)
		bn = 0;
	return an == bn && memcmp(a->name, b->name, an) == 0 && a->data_len == b->data_len &&
	       memcmp(a->data, b->data, a->data_len) == 0 && a->retry == b->retry;
}

static int reparsed(void *ctx, const struct sse_event *ev)
{
	const struct sse_event *want = ctx;

	CHECK(want->data != NULL); /* exactly one event */
	CHECK(same_event(want, ev));
	CHECK(ev->ntopics == 0 && !ev->private_);
	((struct sse_event *)ctx)->data = NULL;
	return 0;
}

static void reparse_toobig(void *ctx, size_t size, const char *why)
{
	(void)ctx;
	(void)size;
	(void)why;
	CHECK(!"a formatted event was refused");
}

/* format -> parse gives the event back. */
static void round_trip(const struct sse_event *ev, uint64_t id)
{
	size_t size = sse_format_size(ev, id), consumed, at = 0;
	char *out = malloc(size), *scratch = malloc(size + 1);
	struct sse_event want = *ev;
	struct sse_parser p;

	CHECK(out && scratch);
	CHECK(sse_format(ev, id, out) == size);
	CHECK(size >= 2 && out[size - 1] == '\n' && out[size - 2] == '\n');
	CHECK(memchr(out, '\r', size) == NULL);
	while (at < size - 1) {
		const char *lf = memchr(out + at, '\n', size - at);

		CHECK(lf != NULL);
		CHECK(strncmp(out + at, "id: ", 4) == 0 || strncmp(out + at, "event: ", 7) == 0 ||
		      strncmp(out + at, "retry: ", 7) == 0 || strncmp(out + at, "data: ", 6) == 0);
		CHECK((at == 0) == (strncmp(out + at, "id: ", 4) == 0));
		at = (size_t)(lf - out) + 1;
	}
	/* Room for any formatted event: its raw bytes may well exceed what
	 * the producer wrote (a data line costs "data: " more). */
	sse_parser_init(&p, size, scratch, size + 1);
	CHECK(sse_parse(&p, out, size, 1, &consumed, reparsed, reparse_toobig, &want) == 0);
	CHECK(consumed == size && want.data == NULL);
	free(out);
	free(scratch);
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct log *l = ctx;
	char tag = 'E';
	size_t topics = 0;

	CHECK(ev->name != NULL && ev->data != NULL);
	CHECK(memchr(ev->name, '\r', ev->name_len) == NULL && memchr(ev->name, '\n', ev->name_len) == NULL);
	CHECK(memchr(ev->data, '\r', ev->data_len) == NULL);
	CHECK(ev->data[ev->data_len] == '\0');
	CHECK(ev->retry >= -1);
	CHECK(ev->ntopics <= SSE_PARSE_MAX_TOPICS && (ev->private_ == 0 || ev->private_ == 1));
	CHECK(ev->hub_id.len == 0);
	for (size_t i = 0; i < ev->ntopics; i++) {
		CHECK(sse_topic_unfit(ev->topics[i].p, ev->topics[i].len) == NULL);
		topics += ev->topics[i].len;
	}
	CHECK(ev->name_len + ev->data_len + topics <= l->max_event);
	put(l, &tag, 1);
	put(l, &ev->name_len, sizeof(ev->name_len));
	put(l, ev->name, ev->name_len);
	put(l, &ev->data_len, sizeof(ev->data_len));
	put(l, ev->data, ev->data_len);
	put(l, &ev->retry, sizeof(ev->retry));
	put(l, &ev->private_, sizeof(ev->private_));
	put(l, &ev->ntopics, sizeof(ev->ntopics));
	for (size_t i = 0; i < ev->ntopics; i++) {
		put(l, &ev->topics[i].len, sizeof(ev->topics[i].len));
		put(l, ev->topics[i].p, ev->topics[i].len);
	}
	return 0;
}

static void on_toobig(void *ctx, size_t size, const char *why)
{
	struct log *l = ctx;

	(void)size; /* bytes seen so far: that depends on the feeds */
	put(l, "T", 1);
	/* The reason does not: it is the same phrase however the bytes came. */
	put(l, why ? why : "", why ? strlen(why) + 1 : 1);
}

static const size_t max_events[] = { 16, 17, 64, 100, 1000, 65536 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole = { 0 }, cut = { 0 };
	struct sse_parser p;
	size_t max_event, consumed, off = 0, tail = 0;
	uint32_t seed;
	char *scratch, *buf;
	const char *in;
	int bom;

	if (size < 2)
		return 0;
	max_event = max_events[data[0] % (sizeof(max_events) / sizeof(max_events[0]))];
	bom = !(data[0] & 0x80);
	seed = data[1] * 2654435761u | 1;
	in = (const char *)data + 2;
	size -= 2;
	whole.max_event = cut.max_event = max_event;
	scratch = malloc(max_event + 1);
	buf = malloc(size + 1);
	CHECK(scratch && buf);

	/* One feed: a drop-box file. */
	sse_parser_init(&p, max_event, scratch, max_event + 1);
	p.at_start = bom;
	CHECK(sse_parse(&p, in, size, 1, &consumed, on_event, on_toobig, &whole) == 0);
	CHECK(consumed == size);

	/* Pieces: a pipe, its tail kept and fed again with the next read. */
	sse_parser_init(&p, max_event, scratch, max_event + 1);
	p.at_start = bom;
	while (off < size) {
		size_t n = fuzz_piece(&seed, size - off);

		memcpy(buf + tail, in + off, n);
		off += n;
		tail += n;
		CHECK(sse_parse(&p, buf, tail, 0, &consumed, on_event, on_toobig, &cut) == 0);
		CHECK(consumed <= tail);
		/* The tail a holder keeps (and hands over) stays bounded. */
		CHECK(tail - consumed <= 4 * max_event + 4096 + 1);
		memmove(buf, buf + consumed, tail - consumed);
		tail -= consumed;
	}
	CHECK(sse_parse(&p, buf, tail, 1, &consumed, on_event, on_toobig, &cut) == 0);
	CHECK(consumed == tail);
	CHECK(whole.n == cut.n && (whole.n == 0 || memcmp(whole.b, cut.b, whole.n) == 0));

	/* Every event formats and parses back, with a few kinds of ids. */
	for (size_t at = 0, k = 0; at < whole.n; k++) {
		struct sse_event ev = { 0 };
		size_t ntopics;

		if (whole.b[at++] == 'T') {
			at += strlen(whole.b + at) + 1;
			continue;
		}
		memcpy(&ev.name_len, whole.b + at, sizeof(ev.name_len));
		at += sizeof(ev.name_len);
		ev.name = whole.b + at;
		at += ev.name_len;
		memcpy(&ev.data_len, whole.b + at, sizeof(ev.data_len));
		at += sizeof(ev.data_len);
		ev.data = whole.b + at;
		at += ev.data_len;
		memcpy(&ev.retry, whole.b + at, sizeof(ev.retry));
		at += sizeof(ev.retry);
		/* Topics and the private flag are metadata, never on the wire:
		 * what comes back has none. */
		at += sizeof(ev.private_);
		memcpy(&ntopics, whole.b + at, sizeof(ntopics));
		at += sizeof(ntopics);
		for (size_t i = 0; i < ntopics; i++) {
			size_t tl;

			memcpy(&tl, whole.b + at, sizeof(tl));
			at += sizeof(tl) + tl;
		}
		round_trip(&ev, k % 3 == 0 ? k + 1 : k % 3 == 1 ? UINT64_MAX - k : (uint64_t)seed << 20);
	}
	free(whole.b);
	free(cut.b);
	free(scratch);
	free(buf);
	return 0;
}
