/* One sse-fcgi worker: a single event loop holding thousands of streams.
 * libfcgi accepts a connection and decodes its request; from then on the
 * stream is a cursor over its channel's log (shared by every stream of the
 * channel in this worker), written through fcgi/out.c. */
#ifndef SSE_FCGI_WORKER_H
#define SSE_FCGI_WORKER_H

#include <sys/types.h>

#include "err.h"
#include "settings.h"
#include "stats.h"

struct fcgi_worker_conf {
	int listen_fd;
	unsigned index;                    /* this worker's row in stats */
	unsigned workers;
	pid_t supervisor;                  /* the worker ends with it */
	const struct sse_settings *base;   /* environment and flags */
	struct fcgi_stats *stats;
	sse_report_fn report;
};

/* Runs until SIGTERM/SIGINT (every stream ended cleanly): exit status. */
int fcgi_worker_run(const struct fcgi_worker_conf *conf);

/* A request's settings: base, or (*own, to free) a copy with the FastCGI
 * parameters among envp (libfcgi's NAME=VALUE array) applied; -1 with err
 * on a bad value. */
int fcgi_request_settings(const struct sse_settings *base, char **envp,
			  struct sse_settings **own, struct sse_err *err);

#endif
