#include "stats.h"

#include <string.h>
#include <sys/mman.h>

struct fcgi_stats {
	unsigned workers;
	size_t size;
	uint64_t *open;                 /* [workers] */
	struct fcgi_stat_chan *chans;   /* [workers][FCGI_STAT_CHANS] */
};

/* FNV-1a: spools are told apart without storing their paths. */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct fcgi_stats *fcgi_stats_new(unsigned workers, struct sse_err *err)
{
	static struct fcgi_stats s;
	size_t size = workers * sizeof(uint64_t) +
		      (size_t)workers * FCGI_STAT_CHANS * sizeof(struct fcgi_stat_chan);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		sse_err_sys(err, "cannot map %zu bytes for the pool's figures", size);
		return NULL;
	}
	s.workers = workers;
	s.size = size;
	s.open = p;
	s.chans = (struct fcgi_stat_chan *)(void *)(s.open + workers);
	return &s;
}

void fcgi_stats_free(struct fcgi_stats *s)
{
	if (s && s->open) {
		munmap(s->open, s->size);
		s->open = NULL;
	}
}

struct fcgi_stat_chan *fcgi_stats_chan(struct fcgi_stats *s, unsigned worker,
				       const char *spool, const char *name)
{
	struct fcgi_stat_chan *row = s->chans + (size_t)worker * FCGI_STAT_CHANS;
	uint64_t h = hash(spool);

	if (strlen(name) >= sizeof(row->name))
		return NULL;
	for (unsigned i = 0; i < FCGI_STAT_CHANS; i++) {
		if (row[i].name[0] && row[i].spool_hash == h && strcmp(row[i].name, name) == 0)
			return &row[i];
	}
	for (unsigned i = 0; i < FCGI_STAT_CHANS; i++) {
		if (!row[i].name[0]) {
			row[i].spool_hash = h;
			row[i].streams = row[i].delivered = 0;
			/* Readers see the name last: a row is never half made. */
			__atomic_store_n(&row[i].name[sizeof(row[i].name) - 1], 0, __ATOMIC_RELAXED);
			strcpy(row[i].name + 1, name + 1);
			__atomic_store_n(&row[i].name[0], name[0], __ATOMIC_RELEASE);
			return &row[i];
		}
	}
	return NULL;
}

void fcgi_stats_open(struct fcgi_stats *s, unsigned worker, struct fcgi_stat_chan *c, int delta)
{
	__atomic_add_fetch(&s->open[worker], (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
	if (c)
		__atomic_add_fetch(&c->streams, (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
}

void fcgi_stats_delivered(struct fcgi_stat_chan *c, uint64_t n)
{
	if (c)
		__atomic_add_fetch(&c->delivered, n, __ATOMIC_RELAXED);
}

uint64_t fcgi_stats_total(const struct fcgi_stats *s)
{
	uint64_t t = 0;

	for (unsigned w = 0; w < s->workers; w++)
		t += __atomic_load_n(&s->open[w], __ATOMIC_RELAXED);
	return t;
}

void fcgi_stats_worker_gone(struct fcgi_stats *s, unsigned worker)
{
	struct fcgi_stat_chan *row = s->chans + (size_t)worker * FCGI_STAT_CHANS;

	__atomic_store_n(&s->open[worker], 0, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < FCGI_STAT_CHANS; i++)
		__atomic_store_n(&row[i].streams, 0, __ATOMIC_RELAXED);
}

void fcgi_stats_sum(const struct fcgi_stats *s, const char *spool, const char *name,
		    uint64_t *streams, uint64_t *delivered)
{
	uint64_t h = hash(spool);

	*streams = *delivered = 0;
	for (unsigned w = 0; w < s->workers; w++) {
		const struct fcgi_stat_chan *row = s->chans + (size_t)w * FCGI_STAT_CHANS;

		for (unsigned i = 0; i < FCGI_STAT_CHANS; i++) {
			if (__atomic_load_n(&row[i].name[0], __ATOMIC_ACQUIRE) &&
			    row[i].spool_hash == h && strcmp(row[i].name, name) == 0) {
				*streams += __atomic_load_n(&row[i].streams, __ATOMIC_RELAXED);
				*delivered += __atomic_load_n(&row[i].delivered, __ATOMIC_RELAXED);
			}
		}
	}
}
