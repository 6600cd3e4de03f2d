/* Producer-input parser (SPEC "Input framing"): bytes from a pipe, a
 * drop-box file or `sse-publish --raw` -> events.
 *
 * Pure: no I/O, no allocation of its own beyond the caller's scratch buffer.
 * The caller owns the input buffer and keeps the bytes the parser did not
 * consume (an incomplete event) to feed them again with more input; that
 * tail is also what a pipe's drainer hands to the next drainer. */
#ifndef SSE_PARSE_H
#define SSE_PARSE_H

#include <stddef.h>

#include "event.h"

/* Topics one framed event may carry: they are kept in a fixed array on the
 * stack, since the parser allocates nothing. */
#define SSE_PARSE_MAX_TOPICS 32

struct sse_parser {
	size_t max_event;   /* largest event accepted: name + data + topics bytes */
	int at_start;       /* 1 until the first byte: a leading BOM is dropped;
			     * set it to 0 where no BOM may be dropped */
	int skipping;       /* inside an oversized event: discard up to its end;
			     * non-zero values also record where in a line the
			     * skip stopped (a CR may still pair with an LF), so
			     * hand it on unchanged with the tail */
	char *scratch;      /* caller's buffer for the joined data, >= max_event + 1 */
	size_t scratch_cap;
};

/* Called per complete event; a non-zero return stops parsing and is returned
 * by sse_parse(). A negative one also leaves the event unconsumed: it could
 * not be taken now (disk full) and is presented again later. */
typedef int (*sse_event_fn)(void *ctx, const struct sse_event *ev);
/* Called once per refused event. why is NULL when it was refused for its
 * size (size: payload bytes seen so far), else a phrase saying what was wrong
 * with it, to follow "refused: " (an empty topic, too many topics). */
typedef void (*sse_refused_fn)(void *ctx, size_t size, const char *why);

void sse_parser_init(struct sse_parser *p, size_t max_event, char *scratch,
		     size_t scratch_cap);

/* Parses buf[0..len). Complete events (ended by a blank line, or by the end
 * of input when eof is set) go to on_event. *consumed is set to the number of
 * bytes fully handled; the rest is an incomplete event to present again,
 * prefixed to later input. Returns 0, or what on_event returned (the event
 * that answered positive is consumed, one that answered negative is not).
 *
 * During on_event, ev->name and ev->topics[i].p point into buf and ev->data
 * into the scratch (NUL-terminated there when it fits); ev->topics itself is
 * the parser's; all are gone afterwards.
 * on_refused may be NULL. An event is refused for its size when its payload
 * (name, data lines joined, topics) exceeds max_event (or its data exceeds
 * scratch_cap - 1), and also when its raw bytes (comments, ignored fields
 * included) exceed 4 * max_event + 4096: that bounds the tail the caller
 * keeps. It is refused with a reason for an empty topic, a topic holding a
 * control character (the hub refuses the same) or more than
 * SSE_PARSE_MAX_TOPICS topics. A refused event is skipped up to its blank
 * line, so the result never depends on how the input was split into feeds. */
int sse_parse(struct sse_parser *p, const char *buf, size_t len, int eof,
	      size_t *consumed, sse_event_fn on_event, sse_refused_fn on_refused,
	      void *ctx);

#endif
