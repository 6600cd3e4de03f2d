/* One event as a producer meant it. */
#ifndef SSE_EVENT_H
#define SSE_EVENT_H

#include <stddef.h>

/* A byte string that is not NUL-terminated: a slice of a request, a form or
 * a log record. */
struct sse_str {
	const char *p;
	size_t len;
};

struct sse_event {
	const char *name;   /* event type, may be empty; never holds CR or LF */
	size_t name_len;
	const char *data;   /* data lines joined with LF (no trailing LF); may hold NUL */
	size_t data_len;
	long retry;         /* reconnection time in ms, or -1 when none was given */
	/* Mercure metadata (SPEC "Topics on events"): kept in the log with the
	 * event, never sent on the wire. topics[0] is the canonical topic. */
	const struct sse_str *topics;
	size_t ntopics;
	int private_;       /* only for authorized hub subscribers */
	struct sse_str hub_id; /* the publisher's id (len 0: the log makes one) */
};

#endif
