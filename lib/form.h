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
 * *has_value 0), 0 at the end. Pairs are split at '&' only (a ';' is
 * refused by the parsers below, as Go's url.ParseQuery refuses it); empty
 * pairs ("a&&b") are skipped. */
int sse_form_next(const char *s, size_t len, size_t *pos, struct sse_str *key,
		  struct sse_str *value, int *has_value);
/* Decodes '+' and %XX of in into out (room for len bytes; out may be in);
 * -1 on a bad escape ("%4", "%zz"), else the decoded length. Any byte may
 * come out, NUL included. */
long sse_form_decode(const char *in, size_t len, char *out);

/* A publish (POST body). Refused (-1, the line for a 400 body in err): a
 * bad form; no topic, an empty one, one with a control byte, or more than
 * 1000; an id starting with '#' or holding CR, LF or NUL; a type holding
 * CR, LF or NUL; a retry that is not digits (up to LONG_MAX); a field over
 * max_event bytes decoded; topics + id + type + data over max_event (the
 * framing's name + data, plus what the hub stores beside them); a body over
 * 3 * max_event + 4096 bytes. data, id, type and retry take their field's
 * first value, as the stable hub does; other fields are ignored. The
 * strings are decoded copies in mem, each followed by a NUL (data may hold
 * NUL too). Free with sse_hub_update_free(), also after a failure. */
struct sse_hub_update {
	struct sse_str *topics;     /* at least one, in the body's order */
	size_t ntopics;
	struct sse_str data, id, type; /* len 0 when absent; id: the hub makes one */
	int has_data, private_;     /* private_: the field present, any value */
	long retry;                 /* -1: none (absent or empty) */
	void *mem;
};
int sse_hub_update_parse(const char *body, size_t len, size_t max_event,
			 struct sse_hub_update *u, struct sse_err *err);
void sse_hub_update_free(struct sse_hub_update *u);

/* A subscription's query string: topic (repeatable; none is the caller's
 * 400), lastEventID (else Last-Event-ID, else lastEventId: the first of
 * them with a non-empty value), authorization (present, even empty: an
 * empty token is an invalid one). -1 only for a bad form or no memory.
 * Decoded, NUL-terminated copies in mem; free with sse_hub_query_free(). */
struct sse_hub_query {
	struct sse_str *topics;     /* the selectors as given, unchecked */
	size_t ntopics;
	struct sse_str last_event_id, authorization;
	int has_last_event_id, has_authorization;
	void *mem;
};
int sse_hub_query_parse(const char *query, size_t len, struct sse_hub_query *q,
			struct sse_err *err);
void sse_hub_query_free(struct sse_hub_query *q);

/* The value of cookie name in a Cookie header (HTTP_COOKIE, "a=b; c=d"):
 * 1 found (*out points into header, without the quotes of a quoted value),
 * 0 not. The first cookie of that exact name whose value is valid, as Go's
 * net/http finds it. */
int sse_cookie_get(const char *header, const char *name, struct sse_str *out);

#endif
