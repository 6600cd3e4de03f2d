/* The Mercure hub's request handling, shared by sse.cgi and sse-fcgi (SPEC
 * "Topics, authorization and HTTP publishing"): who the requester is (a JWT
 * from the Authorization header, the authorization query parameter or the
 * mercureAuthorization cookie, in that order), what a subscription
 * receives, and a publish from its form to the log. The front ends own the
 * I/O: the request's variables and body in, the answer's bytes out. */
#ifndef SSE_HUB_H
#define SSE_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "form.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "selector.h"
#include "settings.h"
#include "stream.h"

struct sse_hub_request {
	const char *method, *query, *last_event_id;   /* HTTP_LAST_EVENT_ID */
	const char *authorization;                    /* HTTP_AUTHORIZATION */
	const char *cookie;                           /* HTTP_COOKIE */
	const char *origin;                           /* HTTP_ORIGIN */
	const char *content_type;                     /* CONTENT_TYPE */
};

/* The keys of this hub's settings, loaded once and kept while the settings
 * name the same keys (sse-fcgi asks per request). NULL keys: none set. A
 * misconfiguration: -1 and err names the setting (500). */
struct sse_hub_keys {
	const struct sse_jwt_key *publisher, *subscriber;
};
int sse_hub_keys(const struct sse_settings *s, struct sse_hub_keys *k, struct sse_err *err);

/* The answer when a request is refused: status 400, 401, 403 or 500 and a
 * one-line reason for the body. */
struct sse_hub_refusal {
	int status;
	const char *reason;
	char why[200];          /* for the error log (a bad token), or "" */
};

/* A subscription: what its stream needs, owned here. */
struct sse_hub_sub {
	struct sse_stream_hub hub;
	struct sse_selectors *topics, *authorized;
	struct sse_hub_query q;
	char *last_event_id;
};
/* 0 and *sub (free with sse_hub_sub_free), or -1 and *no. now_ms: the
 * wall clock (CLOCK_REALTIME), as tokens' exp. */
int sse_hub_subscribe(const struct sse_hub_request *rq, const struct sse_settings *s,
		      const struct sse_hub_keys *k, uint64_t now_ms, struct sse_hub_sub *sub,
		      struct sse_hub_refusal *no);
void sse_hub_sub_free(struct sse_hub_sub *sub);

/* A publish of body (len bytes, all of it) into log: 0 and the event's hub
 * id in id_out (NUL-terminated, cap bytes), or -1 and *no; a log failure
 * is a 500 with err saying why. */
int sse_hub_publish(const struct sse_hub_request *rq, const char *body, size_t len,
		    const struct sse_settings *s, const struct sse_hub_keys *k,
		    struct sse_log *log, uint64_t now_ms, char *id_out, size_t cap,
		    struct sse_hub_refusal *no, struct sse_err *err);

/* The head and body of an answer in CGI form (Status: ...) into buf: 200
 * with the id, or the refusal (401 with WWW-Authenticate: Bearer). cors
 * from the request's plan. 0 when it does not fit. */
size_t sse_hub_answer(const struct sse_plan *plan, int status, const char *body, char *buf,
		      size_t cap);

#endif
