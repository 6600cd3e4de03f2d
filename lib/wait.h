/* Waiting: fd readiness (epoll), change notification (inotify) and signals
 * (signalfd), so a stream sleeps with zero CPU until something happens.
 * cgi/ and fcgi/ never call epoll or inotify directly. Timers are the
 * caller's deadlines, turned into the timeout of sse_wait_run(). */
#ifndef SSE_WAIT_H
#define SSE_WAIT_H

#include <stdint.h>

#include "err.h"

/* SSE_HUP asked for: also the peer's shutdown of its writing side (a web
 * server that closed a FastCGI connection). SSE_EXCL (add only): one waiter
 * of several processes is woken (a shared listening socket). */
enum { SSE_IN = 1, SSE_OUT = 2, SSE_HUP = 4, SSE_EXCL = 8 };

struct sse_wait;
struct sse_ready {
	void *ptr;
	int events;          /* SSE_IN | SSE_OUT | SSE_HUP */
};

struct sse_wait *sse_wait_new(struct sse_err *err);
void sse_wait_free(struct sse_wait *w);
/* events 0 still reports errors and hang-ups (watching a stdout). */
int sse_wait_add(struct sse_wait *w, int fd, int events, void *ptr, struct sse_err *err);
int sse_wait_mod(struct sse_wait *w, int fd, int events, void *ptr, struct sse_err *err);
int sse_wait_del(struct sse_wait *w, int fd);
/* Up to max ready fds; 0 on timeout (ms, -1 forever); EINTR is a timeout. */
int sse_wait_run(struct sse_wait *w, int timeout_ms, struct sse_ready *out, int max,
		 struct sse_err *err);

uint64_t sse_now_ms(void);

/* inotify: one fd, many watches; a watch id maps an event back to its cause. */
int sse_watch_open(struct sse_err *err);
int sse_watch_add(int wfd, const char *path, uint32_t mask, struct sse_err *err);
/* Reads every pending notification; fn gets the watch id, mask and name. */
int sse_watch_drain(int wfd, void (*fn)(void *ctx, int wd, uint32_t mask, const char *name),
		    void *ctx, struct sse_err *err);

/* Blocks sigs (SIGTERM, SIGINT, SIGHUP) and returns a signalfd for them. */
int sse_signal_fd(struct sse_err *err);

#endif
