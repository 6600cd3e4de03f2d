/* A channel as one sse-fcgi worker holds it: its log opened once, its
 * intake (the worker may be the channel's holder), the streams reading it,
 * and the bytes of the newest events read once for all of them. */
#ifndef SSE_FCGI_CHAN_H
#define SSE_FCGI_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "intake.h"
#include "log.h"
#include "stats.h"

struct fcgi_stream;

struct fcgi_chan {
	int kind;                        /* first: epoll tag (the fifo) */
	char *spool, *name;
	struct sse_log *log;
	struct sse_intake in;
	int intake_open;
	int wfd, wd_log;                 /* the worker's inotify fd, borrowed */
	int fifo_reg;                    /* fd registered for the fifo, -1 */
	struct fcgi_stream *streams;     /* list of its streams */
	size_t nstreams;
	int dirty;                       /* the log moved, or streams have more */
	uint64_t pumped_ms;              /* when its streams were last written */
	struct fcgi_stat_chan *stat;
	/* The newest range read: every stream whose cursor is at fresh_seq
	 * sends these bytes, read from the log once per batch. */
	struct sse_log_range fresh;
	uint64_t fresh_seq;
	int fresh_valid;
	char *fresh_buf;
	size_t fresh_cap;
	struct fcgi_chan *next;
};

/* Opens channel name of spool (ENOENT in err->code: no such channel). */
struct fcgi_chan *fcgi_chan_open(const char *spool, const char *name, int sync,
				 size_t max_event, int wfd, sse_report_fn report,
				 struct sse_err *err);
void fcgi_chan_close(struct fcgi_chan *c, sse_report_fn report);

/* The bytes of r (the range at seq): the shared fresh copy when seq is its
 * start or past its end (then r becomes the fresh copy), else scratch,
 * a buffer of the worker's. NULL on a read error. */
const char *fcgi_chan_bytes(struct fcgi_chan *c, uint64_t seq, const struct sse_log_range *r,
			    char **scratch, size_t *scratch_cap, struct sse_err *err);
/* The fresh range when it starts at seq, so a stream need not ask the log. */
const struct sse_log_range *fcgi_chan_fresh(const struct fcgi_chan *c, uint64_t seq);

#endif
