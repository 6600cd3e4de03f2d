/* sse.cgi: the CGI/1.1 front end. The CGI environment becomes a plan
 * (lib/request.c), stdout becomes a sink, and the process streams until the
 * client goes away: stdout hangs up or errors (the web server closed the
 * pipe), SIGTERM (lighttpd's way to say it), or the lifetime ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "intake.h"
#include "io.h"
#include "probe.h"
#include "request.h"
#include "settings.h"
#include "slots.h"
#include "spool.h"
#include "status.h"
#include "stream.h"
#include "wait.h"

static const char *prog = "sse.cgi";
static int sig_fd = -1;

static void report(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", prog, line);
}

struct loop;
static struct loop *active; /* the streaming loop, once its intake is open */
static void serve_intake(struct loop *l, int fifo_ready, int watch_ready);
static int intake_fds(struct loop *l, int *fifo, int *watch, int *timeout);

/* stdout is non-blocking: a stalled client must not keep us deaf to SIGTERM,
 * so a full pipe is waited on together with the signal fd. A process that
 * holds its channel's intake keeps draining the fifo and the drop-box
 * meanwhile: a slow client must not stall every producer of the channel. */
static int out_write(void *ctx, const void *buf, size_t len)
{
	const char *p = buf;

	(void)ctx;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0) {
			struct pollfd pf[4] = { { STDOUT_FILENO, POLLOUT, 0 }, { sig_fd, POLLIN, 0 },
						{ -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
			int timeout = -1;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1; /* EPIPE and friends: the client is gone */
			if (active)
				(void)intake_fds(active, &pf[2].fd, &pf[3].fd, &timeout);
			if (poll(pf, 4, timeout) < 0 && errno != EINTR)
				return -1;
			if (pf[0].revents & (POLLERR | POLLHUP) || pf[1].revents & POLLIN)
				return -1;
			if (active)
				serve_intake(active, pf[2].revents != 0, pf[3].revents != 0);
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sse.cgi            (run by a web server as a CGI/1.1 program)\n"
		   "       sse.cgi --help | --version\n\n"
		   "Streams a channel's events as text/event-stream:\n"
		   "  GET .../sse.cgi/CHANNEL   or   .../sse.cgi?channel=CHANNEL\n"
		   "  resume with Last-Event-ID or ?lastEventId=N; ?status with SSE_STATUS=1;\n"
		   "  ?probe: a short test stream for sse-doctor (is anything buffering?)\n\n"
		   "Settings (environment: SetEnv, setenv.add-environment):\n");
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];

		fprintf(f, "  %-18s %-8s %s\n", s->name, s->dflt ? s->dflt : "-", s->help);
	}
}

/* A request body left unread makes the kernel reset mod_cgid's socket when
 * we exit, and the client loses the answer: read (a bounded amount) and drop
 * it first. Under mod_cgid stdin is the same socket as stdout, which main()
 * made non-blocking, so a body not there yet is waited for (two seconds at
 * most in all). */
static void discard_body(void)
{
	static int done;
	const char *cl = getenv("CONTENT_LENGTH");
	unsigned long long left;
	uint64_t end = sse_now_ms() + 2000;
	char buf[8192];

	if (done || !cl || sse_parse_u64(cl, strlen(cl), &left) < 0)
		return;
	done = 1;
	if (left > (1u << 20))
		left = 1u << 20;
	while (left > 0) {
		ssize_t n = read(STDIN_FILENO, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = { STDIN_FILENO, POLLIN, 0 };
			uint64_t now = sse_now_ms();
			int r = now >= end ? 0 : poll(&pf, 1, (int)(end - now));

			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
			return;
		}
		if (n <= 0)
			return;
		left -= (unsigned long long)n;
	}
}

static int answer(const char *text, size_t len)
{
	discard_body();
	return out_write(NULL, text, len) < 0 ? 1 : 0;
}

static int fail500(const char *line)
{
	static const char body[] = "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
				   "Cache-Control: no-cache\r\n\r\nsse.cgi is misconfigured: see the web server's error log\n";

	report(NULL, line);
	return answer(body, sizeof(body) - 1);
}

/* ?probe: the buffering doctor's stream (probe.h), one event per interval;
 * SIGTERM or a departed client ends it. */
static int probe(const struct sse_plan *plan)
{
	char b[SSE_PROBE_EVENT_SIZE > 512 ? SSE_PROBE_EVENT_SIZE : 512];

	if (answer(b, sse_response_head(plan, b, sizeof(b))) != 0 || plan->head)
		return 0;
	for (unsigned i = 1; i <= SSE_PROBE_EVENTS; i++) {
		struct pollfd pf = { sig_fd, POLLIN, 0 };
		size_t n = sse_probe_event(b, i, sse_probe_clock_ms(), "sse.cgi", getenv("SERVER_SOFTWARE"));

		if (out_write(NULL, b, n) < 0)
			return 0;
		if (i < SSE_PROBE_EVENTS && poll(&pf, 1, SSE_PROBE_INTERVAL_MS) != 0)
			return 0;
	}
	return 0;
}

static int send_status(const struct sse_plan *plan, const char *spool)
{
	char head[512];
	char *json;
	size_t len, n = sse_response_head(plan, head, sizeof(head));
	struct sse_err err;

	if (sse_status_json(spool, &json, &len, &err) < 0)
		return fail500(err.msg);
	if (answer(head, n) == 0 && !plan->head)
		(void)answer(json, len);
	free(json);
	return 0;
}

struct loop {
	struct sse_stream st;
	struct sse_intake in;
	struct sse_wait *w;
	int wfd, wd_log, fifo_reg, gone;
};

static void on_watch(void *ctx, int wd, uint32_t mask, const char *name)
{
	struct loop *l = ctx;
	struct sse_err err;

	if (wd == l->wd_log)
		return; /* the pump after every wake-up sends it */
	if (sse_intake_notify(&l->in, wd, mask, name, &err) < 0)
		report(NULL, err.msg);
}

static int intake_fds(struct loop *l, int *fifo, int *watch, int *timeout)
{
	*fifo = sse_intake_fifo_fd(&l->in);
	*watch = l->wfd;
	*timeout = sse_intake_timeout(&l->in, sse_now_ms());
	return 0;
}

static void serve_intake(struct loop *l, int fifo_ready, int watch_ready)
{
	struct sse_err err;

	if (watch_ready && sse_watch_drain(l->wfd, on_watch, l, &err) < 0)
		report(NULL, err.msg);
	if (fifo_ready && sse_intake_fifo(&l->in, &err) < 0)
		report(NULL, err.msg);
	if (sse_intake_tick(&l->in, sse_now_ms(), &err) < 0)
		report(NULL, err.msg);
}

/* The fifo to wait on changes when this process becomes the holder and
 * when the fifo is reopened after its last writer left. */
static int sync_fifo(struct loop *l, struct sse_err *err)
{
	int fd = sse_intake_fifo_fd(&l->in);

	if (fd == l->fifo_reg)
		return 0;
	if (l->fifo_reg >= 0)
		(void)sse_wait_del(l->w, l->fifo_reg);
	l->fifo_reg = -1;
	if (fd >= 0 && sse_wait_add(l->w, fd, SSE_IN, &l->in, err) < 0)
		return -1;
	l->fifo_reg = fd;
	return 0;
}

static int run(struct loop *l, struct sse_err *err)
{
	static int tag_out, tag_sig, tag_watch;
	struct sse_ready ready[8];

	/* A regular file as stdout (a test, a redirect) cannot be watched and
	 * cannot hang up either. */
	if (sse_wait_add(l->w, STDOUT_FILENO, 0, &tag_out, err) < 0 && err->code != EPERM)
		return -1;
	if (sse_wait_add(l->w, sig_fd, SSE_IN, &tag_sig, err) < 0 ||
	    sse_wait_add(l->w, l->wfd, SSE_IN, &tag_watch, err) < 0)
		return -1;
	for (;;) {
		uint64_t now = sse_now_ms();
		int n, timeout, t, more;

		if (sse_intake_tick(&l->in, now, err) < 0)
			report(NULL, err->msg);
		/* After the tick: a take-over there must wait on the fifo now. */
		if (sync_fifo(l, err) < 0)
			return -1;
		more = sse_stream_pump(&l->st, now, err);
		if (more < 0)
			return err->msg[0] ? -1 : 0;
		if (sse_stream_tick(&l->st, now) < 0)
			return 0;
		if (sse_stream_expired(&l->st, now)) {
			(void)sse_stream_end(&l->st, now);
			return 0;
		}
		timeout = more ? 0 : sse_stream_timeout(&l->st, now);
		t = sse_intake_timeout(&l->in, now);
		if (t >= 0 && t < timeout)
			timeout = t;
		n = sse_wait_run(l->w, timeout, ready, 8, err);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			if (ready[i].ptr == &tag_out)
				return 0;
			if (ready[i].ptr == &tag_sig) {
				(void)sse_stream_end(&l->st, sse_now_ms());
				return 0;
			}
			if (ready[i].ptr == &tag_watch) {
				if (sse_watch_drain(l->wfd, on_watch, l, err) < 0)
					return -1;
			} else if (ready[i].ptr == &l->in) {
				if (sse_intake_fifo(&l->in, err) < 0)
					report(NULL, err->msg);
			}
		}
	}
}

/* inotify_init1 fails with EMFILE past fs.inotify.max_user_instances and
 * past the process's own limit alike: a dup tells which. */
static int out_of_fds(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return errno == EMFILE;
	close(fd);
	return 0;
}

static int stream(const struct sse_plan *plan, const struct sse_settings *set)
{
	static struct loop l;
	static char dir[PATH_MAX]; /* static: the stack of a stream stays small */
	struct sse_err err;
	struct sse_log *log;
	int slot, busy, said = 0, rc = 0;
	struct sse_sink sink = { out_write, NULL };

	if (sse_spool_check(set->spool_dir, &err) < 0)
		return fail500(err.msg);
	log = sse_spool_open(set->spool_dir, plan->channel, set->sync, &err);
	if (!log) {
		struct sse_plan nf = *plan;
		char b[512];

		if (err.code != ENOENT)
			return fail500(err.msg);
		nf.kind = SSE_PLAN_ERROR;
		nf.status = 404;
		nf.reason = "unknown channel\n";
		return answer(b, sse_response_error(&nf, b, sizeof(b)));
	}
	if (sse_log_note(log))
		report(NULL, sse_log_note(log));
	slot = sse_slot_take(set->spool_dir, set->max_streams, &err);
	if (slot == -1)
		report(NULL, err.msg); /* no accounting is no reason to refuse */
	if (sse_stream_init(&l.st, log, set, sink, &err) < 0) {
		sse_log_close(log);
		return fail500(err.msg);
	}
	l.fifo_reg = -1;
	l.wfd = -1;
	busy = slot == -2;
	/* Waiting needs an inotify instance per process; past the system's
	 * limit (fs.inotify.max_user_instances) the client is told to come back
	 * later, like any busy answer, and the admin is told why. */
	if (!busy && !plan->head) {
		l.w = sse_wait_new(&err);
		l.wfd = l.w ? sse_watch_open(&err) : -1;
		if (l.wfd >= 0)
			l.wd_log = sse_watch_add(l.wfd, sse_log_watch_path(log), IN_MODIFY, &err);
		if (l.wfd < 0 || l.wd_log < 0) {
			report(NULL, out_of_fds()
				     ? "out of file descriptors (ulimit -n): answering busy; raise the "
				       "web server's open files limit"
				     : err.code == EMFILE || err.code == ENOSPC
				     ? "out of inotify instances or watches: answering busy; raise "
				       "fs.inotify.max_user_instances (and max_user_watches)"
				     : err.msg);
			busy = said = 1;
		}
	}
	if (sse_stream_begin(&l.st, plan, busy, sse_now_ms()) < 0 || plan->head)
		goto out;
	if (busy) {
		int more;

		while ((more = sse_stream_pump(&l.st, sse_now_ms(), &err)) > 0)
			;
		if (more < 0 && err.msg[0] && !said) {
			report(NULL, err.msg);
			rc = 1;
		}
		/* A replay the log could not give still ends as a busy answer. */
		if (more == 0 || (more < 0 && err.msg[0]))
			(void)sse_stream_busy_end(&l.st, sse_now_ms());
		goto out;
	}
	if (sse_spool_chan_dir(dir, sizeof(dir), set->spool_dir, plan->channel, &err) < 0 ||
	    sse_intake_open(&l.in, dir, log, set->max_event, l.wfd, report, NULL, &err) < 0 ||
	    (active = &l, run(&l, &err)) < 0) {
		report(NULL, err.msg);
		rc = 1;
	}
	active = NULL;
	/* After a failure, only its cause is worth the line. */
	if (sse_intake_close(&l.in, &err) < 0 && rc == 0)
		report(NULL, err.msg);
out:
	sse_close(l.wfd);
	sse_wait_free(l.w);
	sse_stream_free(&l.st);
	sse_close(slot);
	sse_log_close(log);
	return rc;
}

int main(int argc, char **argv)
{
	struct sse_settings set;
	struct sse_request rq;
	struct sse_plan plan;
	struct sse_err err;
	char b[1024];

	/* A web server may pass a query without '=' ("?status") as argv (CGI
	 * 1.1 "search strings"), so options count only outside a server. */
	if (!getenv("GATEWAY_INTERFACE")) {
		if (argc == 2 && strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (argc == 2 && strcmp(argv[1], "--version") == 0) {
			printf("sse.cgi %s\n", SSE_VERSION);
			return 0;
		}
		fprintf(stderr, "%s: not run by a web server (GATEWAY_INTERFACE is not set); see --help\n",
			prog);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sig_fd = sse_signal_fd(&err);
	if (sig_fd < 0)
		return fail500(out_of_fds() ? "out of file descriptors (ulimit -n): raise the web server's "
					      "open files limit"
					    : err.msg);
	if (fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK) < 0)
		return fail500("cannot make stdout non-blocking");
	sse_settings_defaults(&set);
	if (sse_settings_load(&set, env_lookup, NULL, &err) < 0)
		return fail500(err.msg);
	rq.method = getenv("REQUEST_METHOD");
	rq.path_info = getenv("PATH_INFO");
	rq.query = getenv("QUERY_STRING");
	rq.last_event_id = getenv("HTTP_LAST_EVENT_ID");
	rq.origin = getenv("HTTP_ORIGIN");
	sse_request_plan(&rq, &set, &plan);
	if (plan.kind == SSE_PLAN_ERROR || plan.kind == SSE_PLAN_PREFLIGHT)
		return answer(b, sse_response_error(&plan, b, sizeof(b)));
	if (plan.kind == SSE_PLAN_PROBE)
		return probe(&plan);
	if (!set.spool_dir)
		return fail500("SSE_SPOOL_DIR is not set: set it to the spool directory "
			       "(Apache: SetEnv SSE_SPOOL_DIR /path; lighttpd: setenv.add-environment)");
	if (plan.kind == SSE_PLAN_STATUS)
		return send_status(&plan, set.spool_dir);
	return stream(&plan, &set);
}
