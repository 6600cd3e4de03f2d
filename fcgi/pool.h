/* sse-fcgi's supervisor: forks the workers, replaces one that dies (at
 * once; after a second when it died within a second of starting, so a
 * crash loop does not spin), and on SIGTERM/SIGINT stops them all: SIGTERM,
 * then SIGKILL for any still there after 900 ms. */
#ifndef SSE_FCGI_POOL_H
#define SSE_FCGI_POOL_H

#include "err.h"

struct fcgi_pool {
	unsigned workers;
	/* Runs in the child; its return value is the child's exit status. */
	int (*work)(unsigned index, void *ctx);
	/* In the supervisor, after a worker is reaped. */
	void (*gone)(unsigned index, void *ctx);
	void *ctx;
	sse_report_fn report;
};

/* Returns 0 once stopped by a signal, -1 (err) when it cannot run. */
int fcgi_pool_run(const struct fcgi_pool *pool, struct sse_err *err);

#endif
