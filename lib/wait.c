#include "wait.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

struct sse_wait {
	int epfd;
	struct epoll_event evs[64];
};

struct sse_wait *sse_wait_new(struct sse_err *err)
{
	struct sse_wait *w = calloc(1, sizeof(*w));

	if (!w) {
		sse_err_set(err, "out of memory");
		return NULL;
	}
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		sse_err_sys(err, "epoll_create1");
		free(w);
		return NULL;
	}
	return w;
}

void sse_wait_free(struct sse_wait *w)
{
	if (w) {
		sse_close(w->epfd);
		free(w);
	}
}

static uint32_t to_epoll(int events)
{
	return (events & SSE_IN ? EPOLLIN : 0u) | (events & SSE_OUT ? EPOLLOUT : 0u) |
	       (events & SSE_HUP ? EPOLLRDHUP : 0u) | (events & SSE_EXCL ? EPOLLEXCLUSIVE : 0u);
}

static int ctl(struct sse_wait *w, int op, int fd, int events, void *ptr, struct sse_err *err)
{
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = ptr };

	if (epoll_ctl(w->epfd, op, fd, &ev) < 0)
		return sse_err_sys(err, "epoll_ctl(fd %d)", fd);
	return 0;
}

int sse_wait_add(struct sse_wait *w, int fd, int events, void *ptr, struct sse_err *err)
{
	return ctl(w, EPOLL_CTL_ADD, fd, events, ptr, err);
}

int sse_wait_mod(struct sse_wait *w, int fd, int events, void *ptr, struct sse_err *err)
{
	return ctl(w, EPOLL_CTL_MOD, fd, events, ptr, err);
}

int sse_wait_del(struct sse_wait *w, int fd)
{
	return epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int sse_wait_run(struct sse_wait *w, int timeout_ms, struct sse_ready *out, int max,
		 struct sse_err *err)
{
	int n;

	if (max > (int)(sizeof(w->evs) / sizeof(w->evs[0])))
		max = (int)(sizeof(w->evs) / sizeof(w->evs[0]));
	n = epoll_wait(w->epfd, w->evs, max, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return sse_err_sys(err, "epoll_wait");
	}
	for (int i = 0; i < n; i++) {
		uint32_t e = w->evs[i].events;

		out[i].ptr = w->evs[i].data.ptr;
		out[i].events = (e & EPOLLIN ? SSE_IN : 0) | (e & EPOLLOUT ? SSE_OUT : 0) |
				(e & (EPOLLHUP | EPOLLERR | EPOLLRDHUP) ? SSE_HUP : 0);
	}
	return n;
}

uint64_t sse_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sse_watch_open(struct sse_err *err)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return sse_err_sys(err, "inotify_init1");
	return fd;
}

int sse_watch_add(int wfd, const char *path, uint32_t mask, struct sse_err *err)
{
	int wd = inotify_add_watch(wfd, path, mask);

	if (wd < 0)
		return sse_err_sys(err, "cannot watch '%s'", path);
	return wd;
}

int sse_watch_drain(int wfd, void (*fn)(void *ctx, int wd, uint32_t mask, const char *name),
		    void *ctx, struct sse_err *err)
{
	/* Room for one event with the longest name; more come in the next read. */
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1 + 256]
		__attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(wfd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return sse_err_sys(err, "cannot read inotify events");
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			fn(ctx, ev->wd, ev->mask, ev->len ? ev->name : "");
			p += sizeof(*ev) + ev->len;
		}
	}
}

int sse_signal_fd(struct sse_err *err)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return sse_err_sys(err, "sigprocmask");
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return sse_err_sys(err, "signalfd");
	return fd;
}
