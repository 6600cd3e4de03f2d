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

#include "cgi_hub.h"
#include "intake.h"
#include "out.h"
#include "peer.h"
#include "io.h"
#include "probe.h"
#include "request.h"
#include "settings.h"
#include "slots.h"
#include "spool.h"
#include "status.h"
#include "stream.h"
#include "wait.h"

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static void usage(FILE *f)
{
	char text[1024];

	fprintf(f, "usage: sse.cgi            (run by a web server as a CGI/1.1 program)\n"
		   "       sse.cgi --help | --version\n\n"
		   "Streams a channel's events as text/event-stream:\n"
		   "  GET .../sse.cgi/CHANNEL   or   .../sse.cgi?channel=CHANNEL\n"
		   "  resume with Last-Event-ID or ?lastEventId=N; ?status with SSE_STATUS=1;\n"
		   "  ?probe: a short test stream for sse-doctor (is anything buffering?)\n"
		   "Where SSE_HUB is set, a Mercure hub (man sse.cgi, MERCURE HUB):\n"
		   "  GET ...?topic=SELECTOR subscribes, POST a form publishes, with a JWT\n\n");
	sse_doc_plain(sse_settings_sources(SSE_PROG_CGI), 78, text, sizeof(text));
	fprintf(f, "%s\nSettings (default; see man sse.cgi):\n", text);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];

		if (s->progs & SSE_PROG_CGI)
			fprintf(f, "  %-18s %-8s %s\n", s->name, s->dflt ? s->dflt : "-", s->help);
	}
}

/* ?probe: the buffering doctor's stream (probe.h), one event per interval;
 * SIGTERM or a departed client ends it. */
static int probe(const struct sse_plan *plan)
{
	char b[SSE_PROBE_EVENT_SIZE > 512 ? SSE_PROBE_EVENT_SIZE : 512];

	if (cgi_answer(b, sse_response_head(plan, b, sizeof(b))) != 0 || plan->head)
		return 0;
	for (unsigned i = 1; i <= SSE_PROBE_EVENTS; i++) {
		struct pollfd pf = { cgi_sig_fd, POLLIN, 0 };
		size_t n = sse_probe_event(b, i, sse_probe_clock_ms(), "sse.cgi", getenv("SERVER_SOFTWARE"),
					   getenv("HTTP_ACCEPT_ENCODING"));

		if (cgi_out_write(NULL, b, n) < 0)
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

	if (sse_status_json(spool, cgi_report, &json, &len, &err) < 0)
		return cgi_fail500(err.msg);
	if (cgi_answer(head, n) == 0 && !plan->head)
		(void)cgi_answer(json, len);
	free(json);
	return 0;
}

struct loop {
	struct sse_stream st;
	struct sse_intake in;
	struct sse_wait *w;
	int wfd, wd_log, fifo_reg, gone;
	struct sse_peer peer;       /* the client's connection, when it can be seen */
	uint64_t peer_at;           /* when to look at it next */
};

static void on_watch(void *ctx, int wd, uint32_t mask, const char *name)
{
	struct loop *l = ctx;
	struct sse_err err;

	if (wd == l->wd_log)
		return; /* the pump after every wake-up sends it */
	if (sse_intake_notify(&l->in, wd, mask, name, &err) < 0)
		cgi_report(NULL, err.msg);
}

static void intake_fds(void *ctx, int *fifo, int *watch, int *timeout)
{
	struct loop *l = ctx;

	*fifo = sse_intake_fifo_fd(&l->in);
	*watch = l->wfd;
	*timeout = sse_intake_timeout(&l->in, sse_now_ms());
}

static void serve_intake(void *ctx, int fifo_ready, int watch_ready)
{
	struct loop *l = ctx;
	struct sse_err err;

	if (watch_ready && sse_watch_drain(l->wfd, on_watch, l, &err) < 0)
		cgi_report(NULL, err.msg);
	if (fifo_ready && sse_intake_fifo(&l->in, &err) < 0)
		cgi_report(NULL, err.msg);
	if (sse_intake_tick(&l->in, sse_now_ms(), &err) < 0)
		cgi_report(NULL, err.msg);
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
	if (sse_wait_add(l->w, cgi_sig_fd, SSE_IN, &tag_sig, err) < 0 ||
	    sse_wait_add(l->w, l->wfd, SSE_IN, &tag_watch, err) < 0)
		return -1;
	for (;;) {
		uint64_t now = sse_now_ms();
		int n, timeout, t, more;

		if (sse_intake_tick(&l->in, now, err) < 0)
			cgi_report(NULL, err->msg);
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
		/* A web server that holds our output in a buffer (mod_deflate
		 * reading a CGI to its end) lets every write succeed after its
		 * client left: once a heartbeat, the kernel is asked about the
		 * client's connection itself. */
		if (l->peer.family && now >= l->peer_at) {
			if (sse_peer_check(&l->peer) == SSE_PEER_GONE)
				return 0;
			l->peer_at = now + l->st.set->heartbeat_ms;
		}
		timeout = more ? 0 : sse_stream_timeout(&l->st, now);
		if (l->peer.family && l->peer_at - now < (uint64_t)timeout)
			timeout = (int)(l->peer_at - now);
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
					cgi_report(NULL, err->msg);
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

/* mod_deflate, before it looks at no-gzip or at anything else, reads a
 * CGI's output until it holds more than 68 bytes, and blocks doing so: a
 * stream's first comment and heartbeats take minutes to get there, and
 * nothing reaches the client meanwhile, compressed or not. A 2 kB comment
 * at once gets it past that check (and gives old XHR-based EventSource
 * polyfills the 2 kB they wait for). */
static int pad(void)
{
	/* From read-only data, not a buffer of ours: every stream is a
	 * process, and a page written here would be private to each. */
#define SPACES16 "                "
#define SPACES256 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 \
	SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16 SPACES16
	static const char spaces[] = SPACES256;

	if (cgi_out_write(NULL, ":", 1) < 0)
		return -1;
	for (int i = 0; i < 2048 / 256; i++)
		if (cgi_out_write(NULL, spaces, i < 2048 / 256 - 1 ? 256 : 254) < 0)
			return -1;
	return cgi_out_write(NULL, "\n", 1);
#undef SPACES16
#undef SPACES256
}

static int stream(const struct sse_plan *plan, const struct sse_settings *set,
		  const struct sse_stream_hub *hub)
{
	static struct loop l;
	static char dir[PATH_MAX]; /* static: the stack of a stream stays small */
	struct sse_err err, in_err;
	struct sse_log *log;
	int slot, busy, said = 0, rc = 0, in_open = 0, in_rc = 0;
	struct sse_sink sink = { cgi_out_write, NULL, cgi_out_writev };
	struct cgi_out_hook hook = { intake_fds, serve_intake, NULL };

	if (sse_spool_check(set->spool_dir, &err) < 0)
		return cgi_fail500(err.msg);
	log = sse_spool_open(set->spool_dir, plan->channel, set->sync, &err);
	if (!log) {
		char b[1024];

		if (err.code != ENOENT)
			return cgi_fail500(err.msg);
		return cgi_answer(b, sse_response_unknown(plan, b, sizeof(b)));
	}
	if (sse_log_note(log))
		cgi_report(NULL, sse_log_note(log));
	slot = sse_slot_take(set->spool_dir, set->max_streams, &err);
	if (slot == -1)
		cgi_report(NULL, err.msg); /* no accounting is no reason to refuse */
	if (sse_stream_init(&l.st, log, set, sink, &err) < 0) {
		sse_log_close(log);
		return cgi_fail500(err.msg);
	}
	l.st.hub = hub;
	l.fifo_reg = -1;
	l.wfd = -1;
	(void)sse_peer_init(&l.peer, getenv("REMOTE_ADDR"), getenv("REMOTE_PORT"), getenv("SERVER_ADDR"),
			    getenv("SERVER_PORT"));
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
			cgi_report(NULL, out_of_fds()
				     ? "out of file descriptors (ulimit -n): answering busy; raise the "
				       "web server's open files limit"
				     : err.code == EMFILE || err.code == ENOSPC
				     ? "out of inotify instances or watches: answering busy; raise "
				       "fs.inotify.max_user_instances (and max_user_watches)"
				     : err.msg);
			busy = said = 1;
		}
	}
	/* The intake before the stream fixes where it starts: files that
	 * waited in the drop-box while no stream ran were written before this
	 * client came, so they go into the log first and reach it as history,
	 * as what sse-publish put there meanwhile would, not as new events (a
	 * cron job's stale value). */
	if (!busy && !plan->head) {
		if (sse_spool_chan_dir(dir, sizeof(dir), set->spool_dir, plan->channel, &in_err) < 0)
			in_rc = -1;
		else if (in_open = 1, /* it readies every field first */
			 sse_intake_open(&l.in, dir, log, set->max_event, l.wfd, cgi_report, NULL, &in_err) < 0)
			in_rc = -1;
	}
	if (sse_stream_begin(&l.st, plan, busy, sse_now_ms()) < 0 || plan->head)
		goto out;
	if (!busy && pad() < 0)
		goto out;
	if (busy) {
		int more;

		while ((more = sse_stream_pump(&l.st, sse_now_ms(), &err)) > 0)
			;
		if (more < 0 && err.msg[0] && !said) {
			cgi_report(NULL, err.msg);
			rc = 1;
		}
		/* A replay the log could not give still ends as a busy answer. */
		if (more == 0 || (more < 0 && err.msg[0]))
			(void)sse_stream_busy_end(&l.st, sse_now_ms());
		goto out;
	}
	if (in_rc < 0) {
		cgi_report(NULL, in_err.msg);
		rc = 1;
	} else if ((hook.ctx = &l, cgi_out_hook(&hook), run(&l, &err)) < 0) {
		cgi_report(NULL, err.msg);
		rc = 1;
	}
	cgi_out_hook(NULL);
out:
	/* After a failure, only its cause is worth the line. */
	if (in_open && sse_intake_close(&l.in, &err) < 0 && rc == 0)
		cgi_report(NULL, err.msg);
	sse_close(l.wfd);
	sse_wait_free(l.w);
	sse_stream_free(&l.st);
	sse_close(slot);
	sse_log_close(log);
	return rc;
}

static int hub(const struct sse_plan *plan, const struct sse_settings *set)
{
	/* static: the stack of a stream stays small */
	static struct sse_hub_sub sub;
	struct sse_hub_keys keys;
	int rc;

	if (cgi_hub_ready(plan, set, &keys, &rc) < 0)
		return rc;
	if (plan->kind == SSE_PLAN_HUB_PUBLISH)
		return cgi_hub_publish(plan, set, &keys);
	if (cgi_hub_subscribe(plan, set, &keys, &sub, &rc) < 0)
		return rc;
	rc = stream(plan, set, &sub.hub);
	sse_hub_sub_free(&sub);
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
			cgi_prog);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (cgi_is_nph(getenv("SCRIPT_FILENAME"), argv[0]))
		cgi_out_nph(getenv("SERVER_PROTOCOL"));
	cgi_sig_fd = sse_signal_fd(&err);
	if (cgi_sig_fd < 0)
		return cgi_fail500(out_of_fds() ? "out of file descriptors (ulimit -n): raise the web server's "
					      "open files limit"
					    : err.msg);
	if (fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK) < 0)
		return cgi_fail500("cannot make stdout non-blocking");
	sse_settings_defaults(&set);
	if (sse_settings_load_for(&set, SSE_PROG_CGI, env_lookup, NULL, &err) < 0)
		return cgi_fail500_public(err.msg);
	rq.method = getenv("REQUEST_METHOD");
	rq.path_info = getenv("PATH_INFO");
	rq.query = getenv("QUERY_STRING");
	rq.last_event_id = getenv("HTTP_LAST_EVENT_ID");
	rq.origin = getenv("HTTP_ORIGIN");
	sse_request_plan(&rq, &set, &plan);
	if (plan.kind == SSE_PLAN_ERROR || plan.kind == SSE_PLAN_PREFLIGHT)
		return cgi_answer(b, sse_response_error(&plan, b, sizeof(b)));
	if (plan.kind == SSE_PLAN_PROBE)
		return probe(&plan);
	if (!set.spool_dir)
		return cgi_fail500_public("SSE_SPOOL_DIR is not set: set it to the spool directory "
			       "(Apache: SetEnv SSE_SPOOL_DIR /path; lighttpd: setenv.add-environment)");
	if (plan.kind == SSE_PLAN_STATUS)
		return send_status(&plan, set.spool_dir);
	if (plan.kind == SSE_PLAN_HUB || plan.kind == SSE_PLAN_HUB_PUBLISH)
		return hub(&plan, &set);
	return stream(&plan, &set, NULL);
}
