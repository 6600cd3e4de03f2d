/* Producer input of one channel: its fifo and its drop-box. Exactly one
 * running stream process (or sse-fcgi worker) of the channel is the holder:
 * it drains the fifo and takes the drop-box files into the log. The role is
 * a flock on drain.lock; the holder also keeps drain.owner open, so its exit
 * (even SIGKILL) closes that file and inotify wakes the others to take over
 * at once. Every stream keeps the fifo open for reading, so a writer never
 * sees EPIPE while any stream runs, and bytes written during a hand-over
 * wait in the pipe. An incomplete event is handed over in fifo.carry. */
#ifndef SSE_INTAKE_H
#define SSE_INTAKE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "log.h"
#include "parse.h"

struct sse_intake {
	char *dir;                   /* channel directory */
	char *path, *what;           /* exact-size scratch for file names: a
					stream process keeps its stack small */
	size_t path_cap;
	struct sse_log *log;         /* borrowed */
	int wfd;                     /* inotify fd, borrowed */
	int lock_fd, owner_fd, fifo_fd, holder;
	int wd_owner, wd_incoming;
	char *in;                    /* fifo bytes not yet consumed, then room */
	size_t in_len, in_cap;
	char *file;                  /* one drop-box file */
	size_t file_cap;
	char *scratch;
	struct sse_parser parser;    /* the fifo's, kept across reads */
	struct sse_parser fparser;   /* one drop-box file's */
	size_t max_event;
	uint64_t events;             /* appended by this intake */
	uint64_t retry_ms;           /* next take-over attempt, 0: none */
	uint64_t rescan_ms;          /* holder: next drop-box scan, 0: none */
	uint64_t backoff_ms;         /* no drop-box take before this (a failure) */
	int append_failed;           /* this parse stopped at an event the
					log could not take */
	int stall_said;              /* that was said; quiet until it works */
	uint64_t stall_ms;           /* holder: fifo bytes kept, next try */
	int stall_eof;               /* the kept bytes ended at the pipe's EOF */
	int retries;
	sse_report_fn report;
	void *report_ctx;
};

int sse_intake_open(struct sse_intake *in, const char *chan_dir, struct sse_log *log,
		    size_t max_event, int wfd, sse_report_fn report, void *ctx,
		    struct sse_err *err);
/* Tries to become the holder (non-blocking); when it does, takes what the
 * last holder left and what is waiting. Returns 1 holder, 0 not. */
int sse_intake_try(struct sse_intake *in, struct sse_err *err);
/* The fifo to wait on for reading while holder, else -1. */
int sse_intake_fifo_fd(const struct sse_intake *in);
/* The fifo is readable (or hung up): drain it into the log. */
int sse_intake_fifo(struct sse_intake *in, struct sse_err *err);
/* An inotify event for this intake's watches. */
int sse_intake_notify(struct sse_intake *in, int wd, uint32_t mask, const char *name,
		      struct sse_err *err);
int sse_intake_dropbox(struct sse_intake *in, struct sse_err *err);
/* The kernel may report the holder's close before it drops its flock, so a
 * failed take-over is retried a few times shortly after: ms until the next
 * attempt (-1: none), and the attempt itself. */
int sse_intake_timeout(const struct sse_intake *in, uint64_t now_ms);
int sse_intake_tick(struct sse_intake *in, uint64_t now_ms, struct sse_err *err);
/* Hands the role over (carry saved) and closes everything. */
int sse_intake_close(struct sse_intake *in, struct sse_err *err);

#endif
