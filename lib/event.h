/* One event as a producer meant it. */
#ifndef SSE_EVENT_H
#define SSE_EVENT_H

#include <stddef.h>

struct sse_event {
	const char *name;   /* event type, may be empty; never holds CR or LF */
	size_t name_len;
	const char *data;   /* data lines joined with LF (no trailing LF); may hold NUL */
	size_t data_len;
	long retry;         /* reconnection time in ms, or -1 when none was given */
};

#endif
