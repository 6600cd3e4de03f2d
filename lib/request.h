/* What to do with one HTTP request (SPEC "The stream"): pure logic from the
 * CGI/FastCGI variables to a plan, so it is tested from tables. */
#ifndef SSE_REQUEST_H
#define SSE_REQUEST_H

#include <stdint.h>

#include "channel.h"
#include "settings.h"

struct sse_request {
	const char *method;         /* REQUEST_METHOD */
	const char *path_info;      /* PATH_INFO, may be NULL */
	const char *query;          /* QUERY_STRING, may be NULL */
	const char *last_event_id;  /* HTTP_LAST_EVENT_ID, may be NULL */
	const char *origin;         /* HTTP_ORIGIN, may be NULL */
};

/* PROBE: `?probe` (no channel), the buffering doctor's stream (probe.h);
 * it needs no spool, so it works before the rest is set up. */
/* HUB, HUB_PUBLISH: a Mercure hub URL (SSE_HUB), subscribe or publish
 * (lib/hub.h does the rest). */
enum sse_plan_kind { SSE_PLAN_STREAM, SSE_PLAN_PREFLIGHT, SSE_PLAN_STATUS, SSE_PLAN_PROBE,
		     SSE_PLAN_ERROR, SSE_PLAN_HUB, SSE_PLAN_HUB_PUBLISH };

struct sse_plan {
	enum sse_plan_kind kind;
	int status;                 /* HTTP status for SSE_PLAN_ERROR */
	const char *reason;         /* short text body for an error */
	char channel[SSE_CHANNEL_MAX + 1];
	int has_id;
	uint64_t last_id;
	int head;                   /* HEAD: headers only */
	int cors;                   /* 0 none, 1 listed origin, 2 wildcard */
	const char *origin;         /* echoed when cors == 1 */
	int hub;                    /* a hub URL: POST is allowed too */
};

void sse_request_plan(const struct sse_request *rq, const struct sse_settings *s,
		      struct sse_plan *plan);

/* The response head in CGI form ("Status: ...\r\n...\r\n\r\n") into buf;
 * returns its length (0 if it does not fit). For a stream, the head only;
 * for the others, head and body. */
size_t sse_response_head(const struct sse_plan *plan, char *buf, size_t cap);
size_t sse_response_error(const struct sse_plan *plan, char *buf, size_t cap);
/* The CORS header lines of plan into buf; their length. */
size_t sse_response_cors(const struct sse_plan *plan, char *buf, size_t cap);
/* The 404 for plan->channel when it does not exist: names it and the
 * command that creates it. */
size_t sse_response_unknown(const struct sse_plan *plan, char *buf, size_t cap);

#endif
