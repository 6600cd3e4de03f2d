/* sse-fcgi as a Mercure hub: reading a publish's body from the request's
 * FastCGI STDIN (libfcgi decodes the records). */
#ifndef SSE_FCGI_HUB_H
#define SSE_FCGI_HUB_H

#include <fcgiapp.h>
#include <stddef.h>

#include "hub.h"

/* The body of CONTENT_LENGTH (content_length, may be NULL) bytes: 0 and
 * *body (malloc'd), or -1 and *no (400, 500). The reads are bounded by the
 * connection's receive timeout; web servers send a body whole (nginx and
 * Apache buffer it first). */
int fcgi_hub_body(FCGX_Stream *in, const char *content_length, size_t max_event, char **body,
		  size_t *len, struct sse_hub_refusal *no);

/* The wall clock in ms, as tokens count time. */
uint64_t fcgi_hub_wall_ms(void);

#endif
