/* Figures shared by sse-fcgi's processes, in one anonymous shared mapping
 * made before the workers are forked: open streams per worker (the pool's
 * SSE_MAX_STREAMS) and per channel streams open and events delivered (the
 * ?status answer). Each worker writes only its own rows, so no lock is
 * needed; the supervisor clears a dead worker's open streams. */
#ifndef SSE_FCGI_STATS_H
#define SSE_FCGI_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Channels a worker counts; more are served, not counted in ?status. */
#define FCGI_STAT_CHANS 128

struct fcgi_stat_chan {
	uint64_t spool_hash;
	uint64_t streams, delivered;
	char name[72];          /* "" : free */
};

struct fcgi_stats;

struct fcgi_stats *fcgi_stats_new(unsigned workers, struct sse_err *err);
void fcgi_stats_free(struct fcgi_stats *s);

/* A worker's row for channel name of spool, created on first use; NULL when
 * the worker's table is full. */
struct fcgi_stat_chan *fcgi_stats_chan(struct fcgi_stats *s, unsigned worker,
				       const char *spool, const char *name);
void fcgi_stats_open(struct fcgi_stats *s, unsigned worker, struct fcgi_stat_chan *c, int delta);
void fcgi_stats_delivered(struct fcgi_stat_chan *c, uint64_t n);
/* Streams open in the whole pool. */
uint64_t fcgi_stats_total(const struct fcgi_stats *s);
/* A worker died: its streams are gone (delivered counts stay). */
void fcgi_stats_worker_gone(struct fcgi_stats *s, unsigned worker);
/* Sums over workers for one channel of spool. */
void fcgi_stats_sum(const struct fcgi_stats *s, const char *spool, const char *name,
		    uint64_t *streams, uint64_t *delivered);

#endif
