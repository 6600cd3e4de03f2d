/* application/x-www-form-urlencoded, as the Mercure hub reads it (SPEC
 * "Publish", "Subscribe"): the body of a publish and the query string of a
 * subscription, plus the mercureAuthorization cookie. Pure: no I/O; each
 * parse result owns one allocation. Errors are one line for a 400 body. */
#ifndef SSE_FORM_H
#define SSE_FORM_H

#include <stddef.h>

#include "err.h"
#include "event.h"

/* The next key=value pair of s[0..len) from *pos (advanced): 1 a pair
 * (raw, still encoded slices; a key without '=' has an empty value and
 * *has_value 0), 0 at the end. Empty pairs ("a&&b") are skipped. */
int sse_form_next(const char *s, size_t len, size_t *pos, struct sse_str *key,
		  struct sse_str *value, int *has_value);
/* Decodes '+' and %XX of in into out (room for len bytes); -1 on a bad
 * escape ("%4", "%zz"), else the decoded length. */
long sse_form_decode(const char *in, size_t len, char *out);

/* A publish (POST body): every field at most max_event bytes decoded, and
 * the whole body too, else 400. */
struct sse_hub_update {
	struct sse_str *topics;     /* at least one */
	size_t ntopics;
	struct sse_str data, id, type;
	int has_data, private_;
	long retry;                 /* -1: none */
	void *mem;
};
int sse_hub_update_parse(const char *body, size_t len, size_t max_event,
			 struct sse_hub_update *u, struct sse_err *err);
void sse_hub_update_free(struct sse_hub_update *u);

/* A subscription's query string: topic (repeatable), lastEventID (also
 * Last-Event-ID and lastEventId), authorization. */
struct sse_hub_query {
	struct sse_str *topics;
	size_t ntopics;
	struct sse_str last_event_id, authorization;
	int has_last_event_id, has_authorization;
	void *mem;
};
int sse_hub_query_parse(const char *query, size_t len, struct sse_hub_query *q,
			struct sse_err *err);
void sse_hub_query_free(struct sse_hub_query *q);

/* The value of cookie name in a Cookie header (HTTP_COOKIE): 1 found (*out
 * points into header), 0 not. */
int sse_cookie_get(const char *header, const char *name, struct sse_str *out);

#endif
