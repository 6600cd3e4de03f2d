#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "wait.h"

#define STOP_MS 900
#define RESPAWN_DELAY_MS 1000

struct slot {
	pid_t pid;              /* 0: not running */
	uint64_t started, respawn_at;
};

static void say(const struct fcgi_pool *p, const char *fmt, ...) SSE_PRINTF(2, 3);
static void say(const struct fcgi_pool *p, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->report(p->ctx, line);
}

static int spawn(const struct fcgi_pool *p, struct slot *s, unsigned i, int sig_fd)
{
	pid_t pid = fork();

	if (pid < 0) {
		say(p, "cannot start worker %u: fork: %s", i, strerror(errno));
		s->respawn_at = sse_now_ms() + RESPAWN_DELAY_MS;
		return -1;
	}
	if (pid == 0) {
		sse_close(sig_fd);
		/* exit, not _exit: a sanitizer build reports leaks at exit */
		exit(p->work(i, p->ctx));
	}
	s->pid = pid;
	s->started = sse_now_ms();
	s->respawn_at = 0;
	return 0;
}

/* Reaps every exited worker; returns how many are still running. */
static unsigned reap(const struct fcgi_pool *p, struct slot *slots, int stopping)
{
	unsigned running = 0;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < p->workers; i++) {
			if (slots[i].pid != pid)
				continue;
			slots[i].pid = 0;
			p->gone(i, p->ctx);
			if (stopping)
				break;
			if (WIFSIGNALED(status))
				say(p, "worker %u (pid %d) was killed by signal %d; starting another", i,
				    (int)pid, WTERMSIG(status));
			else
				say(p, "worker %u (pid %d) exited with status %d; starting another", i,
				    (int)pid, WEXITSTATUS(status));
			slots[i].respawn_at = sse_now_ms() - slots[i].started < RESPAWN_DELAY_MS
					      ? sse_now_ms() + RESPAWN_DELAY_MS : sse_now_ms();
		}
	}
	for (unsigned i = 0; i < p->workers; i++)
		running += slots[i].pid != 0;
	return running;
}

static void stop(const struct fcgi_pool *p, struct slot *slots, int sig_fd)
{
	uint64_t end = sse_now_ms() + STOP_MS;

	for (unsigned i = 0; i < p->workers; i++) {
		if (slots[i].pid)
			(void)kill(slots[i].pid, SIGTERM);
	}
	while (reap(p, slots, 1) > 0) {
		uint64_t now = sse_now_ms();
		struct pollfd pf = { sig_fd, POLLIN, 0 };
		struct signalfd_siginfo si;

		if (now >= end) {
			for (unsigned i = 0; i < p->workers; i++) {
				if (slots[i].pid) {
					say(p, "worker %u (pid %d) did not stop in %d ms: killed", i,
					    (int)slots[i].pid, STOP_MS);
					(void)kill(slots[i].pid, SIGKILL);
				}
			}
			end = now + 1000;
			while (reap(p, slots, 1) > 0 && sse_now_ms() < end)
				(void)poll(&pf, 1, 20);
			return;
		}
		(void)poll(&pf, 1, (int)(end - now));
		while (read(sig_fd, &si, sizeof(si)) > 0)
			;
	}
}

int fcgi_pool_run(const struct fcgi_pool *p, struct sse_err *err)
{
	struct slot *slots = calloc(p->workers, sizeof(*slots));
	sigset_t set;
	int sig_fd;

	if (!slots)
		return sse_err_set(err, "out of memory for %u workers", p->workers);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		free(slots);
		return sse_err_sys(err, "signalfd");
	}
	for (unsigned i = 0; i < p->workers; i++)
		(void)spawn(p, &slots[i], i, sig_fd);
	for (;;) {
		struct pollfd pf = { sig_fd, POLLIN, 0 };
		struct signalfd_siginfo si;
		int timeout = -1;
		uint64_t now = sse_now_ms();

		for (unsigned i = 0; i < p->workers; i++) {
			if (slots[i].pid == 0 && slots[i].respawn_at <= now)
				(void)spawn(p, &slots[i], i, sig_fd);
			if (slots[i].pid == 0) {
				int t = (int)(slots[i].respawn_at - now);

				if (timeout < 0 || t < timeout)
					timeout = t;
			}
		}
		if (poll(&pf, 1, timeout) < 0 && errno != EINTR) {
			sse_err_sys(err, "poll");
			break;
		}
		while (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				stop(p, slots, sig_fd);
				sse_close(sig_fd);
				free(slots);
				return 0;
			}
		}
		(void)reap(p, slots, 0);
	}
	stop(p, slots, sig_fd);
	sse_close(sig_fd);
	free(slots);
	return -1;
}
