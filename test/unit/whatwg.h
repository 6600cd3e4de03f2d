/* Test-side reference: the WHATWG "interpreting an event stream" rules
 * (html.spec.whatwg.org, server-sent-events, event-stream-interpretation),
 * written straight from the spec and independent of lib/, so the unit tests
 * can check what a browser would see. Bytes, not decoded text: strings are
 * (pointer, length) and may hold NUL. Allocates; aborts when out of memory. */
#ifndef SSE_TEST_WHATWG_H
#define SSE_TEST_WHATWG_H

#include <stddef.h>

struct ww_event {
	char *type;        /* "message" when no event: field set it */
	size_t type_len;
	char *data;        /* data buffer with its final LF removed */
	size_t data_len;
	char *last_id;     /* the last event ID string at dispatch */
	size_t last_id_len;
	long retry;        /* valid retry: field within this event, or -1 */
};

struct ww_stream {
	struct ww_event *ev;
	size_t n, cap;
	long reconnect;    /* reconnection time after the whole stream, or -1 */
};

/* Interprets a whole stream buf[0..len); events go to s (which ww_free()
 * must release). An unterminated final event is dropped, as at end of a
 * connection. */
void ww_parse(const char *buf, size_t len, struct ww_stream *s);
void ww_free(struct ww_stream *s);

#endif
