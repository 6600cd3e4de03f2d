/* The ?status answer (SSE_STATUS=1): per channel the newest id and the
 * retained events, as JSON. sse-fcgi adds its own per-stream figures. */
#ifndef SSE_STATUS_H
#define SSE_STATUS_H

#include <stddef.h>

#include "err.h"

/* Fills a malloc'd JSON document into *out (caller frees); -1 on error.
 * A channel that cannot be opened gets an "error" member, and one line
 * naming it and why goes to report (may be NULL). */
int sse_status_json(const char *spool, sse_report_fn report, char **out, size_t *len,
		    struct sse_err *err);

/* extra adds JSON members (without braces) to the document's top level
 * (channel NULL) and to each channel's object; returns their length, 0 for
 * none. sse-fcgi adds streams open and events delivered. */
typedef int (*sse_status_extra_fn)(void *ctx, const char *channel, char *buf, size_t cap);
int sse_status_json_extra(const char *spool, sse_status_extra_fn extra, void *ctx,
			  sse_report_fn report, char **out, size_t *len, struct sse_err *err);

#endif
