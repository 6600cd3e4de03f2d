/* sse.cgi as a Mercure hub (SPEC "Topics, authorization and HTTP
 * publishing"): the CGI side of lib/hub.h, from the environment and stdin. */
#ifndef SSE_CGI_CGI_HUB_H
#define SSE_CGI_CGI_HUB_H

#include "hub.h"

/* The hub's channel exists (the first request creates it) and its keys
 * load: 0, or the 500 was answered (its return value in *rc). */
int cgi_hub_ready(const struct sse_plan *plan, const struct sse_settings *set,
		  struct sse_hub_keys *keys, int *rc);
/* A subscription: 0 and *sub for the stream, or the refusal was answered
 * (its return value in *rc). */
int cgi_hub_subscribe(const struct sse_plan *plan, const struct sse_settings *set,
		      const struct sse_hub_keys *keys, struct sse_hub_sub *sub, int *rc);
/* A publish, answered whole: the exit status. */
int cgi_hub_publish(const struct sse_plan *plan, const struct sse_settings *set,
		    const struct sse_hub_keys *keys);

#endif
