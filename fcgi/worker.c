#include "worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "chan.h"
#include "fcgi_hub.h"
#include "heap.h"
#include "io.h"
#include "out.h"
#include "probe.h"
#include "record.h"
#include "request.h"
#include "spool.h"
#include "status.h"
#include "stream.h"
#include "wait.h"

/* What an epoll event points at: the first member of each. */
enum { K_LISTEN = 1, K_SIGNAL, K_WATCH, K_FIFO, K_STREAM };

/* Bytes of events one write carries to one stream; a stream sends one such
 * batch per round, so every stream of a channel uses the same fresh copy. */
#define BATCH 65536
#define ROUNDS 16
/* A channel's streams are written at most once per COALESCE_MS: events
 * that arrive closer together than that (a busy producer) go out in one
 * write per stream instead of one each, which is where the time goes under
 * load (a syscall per stream, and one more in the web server). An event
 * after a quiet spell goes out at once. */
#define COALESCE_MS 5
/* SIGTERM: how long ended streams may take to send their last bytes (the
 * supervisor kills a worker after 900 ms). */
#define SHUTDOWN_MS 300
/* A finished stream whose web server does not read its last bytes. */
#define CLOSING_MS 10000

struct fcgi_stream {
	int kind;                     /* K_STREAM */
	struct fcgi_out out;
	struct sse_stream st;
	struct fcgi_chan *chan;       /* NULL once finished */
	struct fcgi_stream *prev, *next;
	struct heap_node timer;
	struct sse_settings *own;     /* per-request settings, NULL: the base */
	struct fcgi_in in;            /* the web server's records */
	uint8_t busy, closing, counted, registered, want_out;
	uint8_t probe;                /* ?probe: events sent so far */
	char *probe_soft;             /* ?probe: SERVER_SOFTWARE */
	char *probe_ae;               /* ?probe: HTTP_ACCEPT_ENCODING */
	struct sse_hub_sub *hub;      /* a hub subscription's selectors */
};

struct worker {
	const struct fcgi_worker_conf *conf;
	struct sse_wait *w;
	int wfd, sig_fd;
	int t_listen, t_sig, t_watch; /* tags */
	FCGX_Request req;
	struct fcgi_chan *chans;
	struct heap timers;
	char *scratch;
	size_t scratch_cap;
	uint64_t now;
	size_t streams;
	uint64_t accept_paused;       /* out of fds: accept again after this */
	uint8_t accept_full;          /* said so: once until an accept succeeds */
};

static void say(struct worker *wk, const char *fmt, ...) SSE_PRINTF(2, 3);
static void say(struct worker *wk, const char *fmt, ...)
{
	char line[SSE_ERR_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	wk->conf->report(NULL, line);
}

/* A stream's timer; the heap's only failure is growing its array. */
static int arm(struct worker *wk, struct heap_node *timer, uint64_t due)
{
	if (heap_push(&wk->timers, timer, due) == 0)
		return 0;
	say(wk, "out of memory for the timer of a stream (%zu held)", wk->timers.len);
	return -1;
}

static struct fcgi_stream *of_timer(struct heap_node *n)
{
	return (struct fcgi_stream *)(void *)((char *)n - offsetof(struct fcgi_stream, timer));
}

/* The sink of lib/stream.c: head, comments, sse-gap, retry. */
static int sink_write(void *ctx, const void *buf, size_t len)
{
	struct fcgi_stream *s = ctx;

	return fcgi_out_send(&s->out, buf, len);
}

static int sink_writev(void *ctx, const struct iovec *v, size_t n)
{
	struct fcgi_stream *s = ctx;

	return fcgi_out_sendv(&s->out, v, n);
}

/* Waits for the socket to drain only while something is pending. */
static int sync_events(struct worker *wk, struct fcgi_stream *s)
{
	struct sse_err err;
	int want = fcgi_out_pending(&s->out) > 0;
	int ev = SSE_IN | SSE_HUP | (want ? SSE_OUT : 0);

	if (s->registered && want == s->want_out)
		return 0;
	if ((s->registered ? sse_wait_mod : sse_wait_add)(wk->w, s->out.fd, ev, s, &err) < 0) {
		say(wk, "%s", err.msg);
		return -1;
	}
	s->registered = 1;
	s->want_out = (uint8_t)want;
	return 0;
}

/* Leaves its channel: no more events, not counted as open. */
static void detach(struct worker *wk, struct fcgi_stream *s)
{
	struct fcgi_chan *c = s->chan;

	if (!c)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		c->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	c->nstreams--;
	if (s->counted)
		fcgi_stats_open(wk->conf->stats, wk->conf->index, c->stat, -1);
	s->counted = 0;
	s->chan = NULL;
	sse_stream_free(&s->st);
	heap_remove(&wk->timers, &s->timer);
}

static void destroy(struct worker *wk, struct fcgi_stream *s)
{
	detach(wk, s);
	heap_remove(&wk->timers, &s->timer);
	if (s->registered)
		(void)sse_wait_del(wk->w, s->out.fd);
	sse_close(s->out.fd);
	fcgi_out_free(&s->out);
	free(s->own);
	free(s->probe_soft);
	free(s->probe_ae);
	if (s->hub) {
		sse_hub_sub_free(s->hub);
		free(s->hub);
	}
	free(s);
	wk->streams--;
}

/* Ends the request (empty STDOUT, END_REQUEST). The connection closes when
 * the web server closes its side: closing first, with its last records
 * (an empty STDIN) unread, would reset the connection and some servers
 * (mod_proxy_fcgi) would answer 503 instead. */
static void finish(struct worker *wk, struct fcgi_stream *s)
{
	detach(wk, s);
	heap_remove(&wk->timers, &s->timer); /* a stream of no channel (?probe) */
	if (fcgi_out_end(&s->out, 0) < 0) {
		destroy(wk, s);
		return;
	}
	if (fcgi_out_pending(&s->out) == 0)
		(void)shutdown(s->out.fd, SHUT_WR);
	s->closing = 1;
	if (sync_events(wk, s) < 0 || arm(wk, &s->timer, wk->now + CLOSING_MS) < 0)
		destroy(wk, s);
}

/* One batch of events from the stream's cursor: 1 sent, 0 nothing to send
 * now, -1 gone. */
static int pump_once(struct worker *wk, struct fcgi_stream *s)
{
	struct fcgi_chan *c = s->chan;
	struct sse_err err;

	if (fcgi_out_pending(&s->out) > 0)
		return 0; /* its socket is full: EPOLLOUT brings it back */
	for (int k = 0; k < 4; k++) {
		const struct sse_log_range *f = fcgi_chan_fresh(c, s->st.seq);
		struct sse_log_range r;
		const char *data;
		uint64_t delivered;
		int rc;

		if (f) {
			r = *f;
			rc = 1;
		} else {
			rc = sse_log_range(c->log, s->st.seq, BATCH, &r, &err);
			if (rc < 0) {
				say(wk, "%s", err.msg);
				return -1;
			}
		}
		rc = sse_stream_judge(&s->st, rc, &r, wk->now);
		if (rc == 2)
			continue;
		if (rc <= 0)
			return rc;
		data = fcgi_chan_bytes(c, s->st.seq, &r, &wk->scratch, &wk->scratch_cap, &err);
		if (!data) {
			say(wk, "%s", err.msg);
			return -1;
		}
		/* The bytes were read once for the channel; what goes to this
		 * stream of them (topics, private) is the stream's view. */
		if (r.meta_len == 0 && !s->st.hub) {
			if (fcgi_out_send(&s->out, data, r.len) < 0)
				return -1;
			sse_stream_sent(&s->st, &r, wk->now);
			fcgi_stats_delivered(c->stat, r.count);
			return 1;
		}
		delivered = s->st.delivered;
		if (sse_stream_deliver(&s->st, &r, data, wk->now) < 0)
			return -1;
		fcgi_stats_delivered(c->stat, s->st.delivered - delivered);
		return 1;
	}
	return 0;
}

/* Everything committed is sent and nothing waits for the socket. */
static int caught_up(struct fcgi_stream *s)
{
	struct sse_log_head h;

	sse_log_head(s->chan->log, &h);
	return fcgi_out_pending(&s->out) == 0 && s->st.seq >= h.seq;
}

/* After a pump: a busy answer that caught up ends; a blocked socket is
 * waited on. 0, or -1 when s was destroyed (or finished). */
static int settle(struct worker *wk, struct fcgi_stream *s, int rc)
{
	if (rc == 0 && s->busy && caught_up(s)) {
		if (sse_stream_busy_end(&s->st, wk->now) < 0) {
			destroy(wk, s);
			return -1;
		}
		finish(wk, s);
		return -1;
	}
	if (rc < 0 || sync_events(wk, s) < 0) {
		destroy(wk, s);
		return -1;
	}
	return 0;
}

/* Every stream of the channel, one batch each per round, so that they all
 * send the same fresh bytes; a channel with more left stays dirty. */
static void pump_chan(struct worker *wk, struct fcgi_chan *c)
{
	for (int round = 0; round < ROUNDS; round++) {
		int progress = 0;

		for (struct fcgi_stream *s = c->streams, *next; s; s = next) {
			int rc;

			next = s->next;
			rc = pump_once(wk, s);
			if (settle(wk, s, rc) == 0 && rc > 0)
				progress = 1;
		}
		if (!progress) {
			c->dirty = 0;
			return;
		}
	}
	c->dirty = 1;
}

static const char *param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, (FCGX_ParamArray)ctx);
}

/* A setting's field when it is text (NULL-able pointer), else a pointer
 * to a NULL that stays NULL. */
static const char **text_field(struct sse_settings *s, const struct sse_setting *def)
{
	static const char *none;

	none = NULL;
	if (def->kind != SSE_SET_PATH && def->kind != SSE_SET_TEXT && def->kind != SSE_SET_ORIGINS)
		return &none;
	return (const char **)(void *)((char *)s + def->offset);
}

/* The base settings, or a copy with the request's FastCGI parameters
 * (fastcgi_param, SetEnv) applied: strings copied, the parameters go away. */
int fcgi_request_settings(const struct sse_settings *base, char **envp,
			  struct sse_settings **own, struct sse_err *err)
{
	struct sse_settings s = *base;
	size_t size = 0;
	char *at;
	int any = 0;

	*own = NULL;
	for (size_t i = 0; i < sse_setting_count; i++)
		any |= FCGX_GetParam(sse_setting_table[i].name, envp) != NULL;
	if (!any)
		return 0;
	if (sse_settings_load_for(&s, SSE_PROG_FCGI, param, envp, err) < 0)
		return -1;
	/* Every text setting, wherever it came from, into one block. */
	for (size_t i = 0; i < sse_setting_count; i++) {
		const char *v = *text_field(&s, &sse_setting_table[i]);

		size += v ? strlen(v) + 1 : 0;
	}
	*own = malloc(sizeof(**own) + size);
	if (!*own)
		return sse_err_set(err, "out of memory for a request's settings");
	**own = s;
	at = (char *)(*own + 1);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const char **f = text_field(*own, &sse_setting_table[i]);

		if (*f) {
			size_t n = strlen(*f) + 1;

			*f = memcpy(at, *f, n);
			at += n;
		}
	}
	return 0;
}

static void answer(struct worker *wk, struct fcgi_stream *s, const char *text, size_t len)
{
	if (fcgi_out_send(&s->out, text, len) < 0) {
		destroy(wk, s);
		return;
	}
	finish(wk, s);
}

/* public: the line goes in the answer too, for a setting's error, which
 * names no file and no user (the log is the pool's stderr, which whoever
 * configures the web server may not see). */
static void fail500_as(struct worker *wk, struct fcgi_stream *s, const char *line, int public)
{
	static const char head[] = "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
				   "Cache-Control: no-cache\r\n\r\nsse-fcgi is misconfigured: ";
	char b[sizeof(head) + SSE_ERR_MAX + 64];
	int n;

	say(wk, "%s", line);
	n = snprintf(b, sizeof(b), "%s%s\n", head, public ? line : "see its error log (the pool's stderr)");
	answer(wk, s, b, n < 0 ? 0 : (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

static void fail500(struct worker *wk, struct fcgi_stream *s, const char *line)
{
	fail500_as(wk, s, line, 0);
}

struct status_ctx {
	struct worker *wk;
	const char *spool;
};

static int status_extra(void *ctx, const char *channel, char *buf, size_t cap)
{
	struct status_ctx *sc = ctx;
	const struct fcgi_worker_conf *conf = sc->wk->conf;
	uint64_t streams, delivered;

	if (!channel)
		return snprintf(buf, cap, "\"pool\":{\"workers\":%u,\"streams\":%llu}", conf->workers,
				(unsigned long long)fcgi_stats_total(conf->stats));
	fcgi_stats_sum(conf->stats, sc->spool, channel, &streams, &delivered);
	return snprintf(buf, cap, "\"streams\":%llu,\"delivered\":%llu", (unsigned long long)streams,
			(unsigned long long)delivered);
}

static void send_status(struct worker *wk, struct fcgi_stream *s, const struct sse_plan *plan,
			const struct sse_settings *set)
{
	char head[512];
	size_t n = sse_response_head(plan, head, sizeof(head));
	char spool[PATH_MAX];
	struct status_ctx sc = { wk, realpath(set->spool_dir, spool) ? spool : set->spool_dir };
	struct sse_err err;
	char *json;
	size_t len;

	if (sse_status_json_extra(set->spool_dir, status_extra, &sc, wk->conf->report, &json, &len,
				  &err) < 0) {
		fail500(wk, s, err.msg);
		return;
	}
	if (fcgi_out_send(&s->out, head, n) < 0 || (!plan->head && fcgi_out_send(&s->out, json, len) < 0)) {
		free(json);
		destroy(wk, s);
		return;
	}
	free(json);
	finish(wk, s);
}

/* The fifo to wait on changes when this worker becomes the holder or stops
 * being it (the fd stays open: no longer watched), and when the intake
 * reopens the fifo after its last writer left (the old fd is closed, which
 * took it out of epoll). Called right after every intake call, before an
 * accept can reuse a closed fd's number. */
static void fifo_sync(struct worker *wk, struct fcgi_chan *c)
{
	struct sse_err err;
	int fd = sse_intake_fifo_fd(&c->in);

	if (fd == c->fifo_reg)
		return;
	if (c->fifo_reg >= 0)
		(void)sse_wait_del(wk->w, c->fifo_reg);
	c->fifo_reg = -1;
	if (fd >= 0 && sse_wait_add(wk->w, fd, SSE_IN, c, &err) < 0)
		say(wk, "%s", err.msg);
	else
		c->fifo_reg = fd;
}

static struct fcgi_chan *chan_get(struct worker *wk, const char *spool,
				  const struct sse_settings *set, const char *name,
				  struct sse_err *err)
{
	struct fcgi_chan *c;

	for (c = wk->chans; c; c = c->next) {
		if (strcmp(c->name, name) == 0 && strcmp(c->spool, spool) == 0)
			return c;
	}
	c = fcgi_chan_open(spool, name, set->sync, set->max_event, wk->wfd, wk->conf->report, err);
	if (!c)
		return NULL;
	c->kind = K_FIFO;
	c->stat = fcgi_stats_chan(wk->conf->stats, wk->conf->index, spool, name);
	fifo_sync(wk, c);
	c->next = wk->chans;
	wk->chans = c;
	return c;
}

static void start_stream(struct worker *wk, struct fcgi_stream *s, const struct sse_plan *plan,
			 const struct sse_settings *set)
{
	struct sse_err err;
	struct fcgi_chan *c;
	struct sse_sink sink = { sink_write, s, sink_writev };
	char spool[PATH_MAX];
	int busy;

	if (sse_spool_check(set->spool_dir, &err) < 0) {
		fail500(wk, s, err.msg);
		return;
	}
	/* One channel object per directory: /srv/sse and /srv/sse/ (two
	 * requests' SSE_SPOOL_DIR) would share inotify watches. */
	if (!realpath(set->spool_dir, spool)) {
		fail500(wk, s, "cannot resolve the spool directory");
		return;
	}
	c = chan_get(wk, spool, set, plan->channel, &err);
	if (!c) {
		char b[1024];

		if (err.code != ENOENT) {
			fail500(wk, s, err.msg);
			return;
		}
		answer(wk, s, b, sse_response_unknown(plan, b, sizeof(b)));
		return;
	}
	busy = fcgi_stats_total(wk->conf->stats) >= set->max_streams;
	(void)sse_stream_init(&s->st, c->log, set, sink, &err);
	s->st.hub = s->hub ? &s->hub->hub : NULL;
	s->chan = c;
	s->next = c->streams;
	if (c->streams)
		c->streams->prev = s;
	c->streams = s;
	c->nstreams++;
	if (!busy) {
		fcgi_stats_open(wk->conf->stats, wk->conf->index, c->stat, 1);
		s->counted = 1;
	}
	s->busy = (uint8_t)busy;
	if (sse_stream_begin(&s->st, plan, busy, wk->now) < 0) {
		destroy(wk, s);
		return;
	}
	if (plan->head) {
		finish(wk, s);
		return;
	}
	if (arm(wk, &s->timer, wk->now + (uint64_t)sse_stream_timeout(&s->st, wk->now)) < 0 ||
	    sync_events(wk, s) < 0) {
		destroy(wk, s);
		return;
	}
	c->dirty = 1; /* its replay, or the busy answer's */
}

/* ?probe (probe.h): the next event, then the next one an interval later;
 * the timer runs only for this stream, which belongs to no channel. */
static void probe_next(struct worker *wk, struct fcgi_stream *s)
{
	char b[SSE_PROBE_EVENT_SIZE];
	size_t n = sse_probe_event(b, ++s->probe, sse_probe_clock_ms(), "sse-fcgi", s->probe_soft, s->probe_ae);

	if (fcgi_out_send(&s->out, b, n) < 0) {
		destroy(wk, s);
		return;
	}
	if (s->probe >= SSE_PROBE_EVENTS) {
		finish(wk, s);
		return;
	}
	heap_remove(&wk->timers, &s->timer);
	if (arm(wk, &s->timer, wk->now + SSE_PROBE_INTERVAL_MS) < 0 ||
	    sync_events(wk, s) < 0)
		destroy(wk, s);
}

static void start_probe(struct worker *wk, struct fcgi_stream *s, const struct sse_plan *plan,
			const char *software, const char *accept_encoding)
{
	char b[512];

	if (fcgi_out_send(&s->out, b, sse_response_head(plan, b, sizeof(b))) < 0) {
		destroy(wk, s);
		return;
	}
	if (plan->head) {
		finish(wk, s);
		return;
	}
	s->probe_soft = strdup(software ? software : "-");
	s->probe_ae = strdup(accept_encoding ? accept_encoding : "-");
	if (!s->probe_soft || !s->probe_ae) {
		destroy(wk, s);
		return;
	}
	probe_next(wk, s);
}

static void hub_refused(struct worker *wk, struct fcgi_stream *s, const struct sse_plan *plan,
			const struct sse_hub_refusal *no)
{
	char b[1024];

	/* A forged or expired token is worth a line for the admin; a bad
	 * form is the client's business. */
	if ((no->status == 401 || no->status == 500) && no->why[0])
		say(wk, "%s", no->why);
	answer(wk, s, b, sse_hub_answer(plan, no->status, no->reason, b, sizeof(b)));
}

/* A Mercure hub request (SSE_HUB): its channel is made by the first one;
 * a publish is answered at once, a subscription becomes a stream. */
static void hub_request(struct worker *wk, struct fcgi_stream *s, const struct sse_plan *plan,
			const struct sse_settings *set, char **envp)
{
	struct sse_hub_request rq = {
		FCGX_GetParam("REQUEST_METHOD", envp), FCGX_GetParam("QUERY_STRING", envp),
		FCGX_GetParam("HTTP_LAST_EVENT_ID", envp), FCGX_GetParam("HTTP_AUTHORIZATION", envp),
		FCGX_GetParam("HTTP_COOKIE", envp), FCGX_GetParam("HTTP_ORIGIN", envp),
		FCGX_GetParam("CONTENT_TYPE", envp),
	};
	struct sse_hub_keys keys;
	struct sse_hub_refusal no;
	struct sse_err err;
	char spool[PATH_MAX], id[1024], b[2048];
	struct fcgi_chan *c;
	char *body;
	size_t len;
	int rc;

	if (sse_hub_keys(set, &keys, &err) < 0 || sse_spool_check(set->spool_dir, &err) < 0 ||
	    sse_spool_create(set->spool_dir, plan->channel, set->history, &err) < 0) {
		fail500(wk, s, err.msg);
		return;
	}
	if (plan->kind == SSE_PLAN_HUB) {
		s->hub = malloc(sizeof(*s->hub));
		if (!s->hub) {
			fail500(wk, s, "out of memory for a subscription");
			return;
		}
		if (sse_hub_subscribe(&rq, set, &keys, fcgi_hub_wall_ms(), s->hub, &no) < 0) {
			free(s->hub);
			s->hub = NULL;
			hub_refused(wk, s, plan, &no);
			return;
		}
		start_stream(wk, s, plan, set);
		return;
	}
	/* libfcgi reads the body blocking, each read bounded by the
	 * connection's SO_RCVTIMEO; the stream's socket is made non-blocking
	 * again right after. */
	if (fcntl(s->out.fd, F_SETFL, 0) < 0 ||
	    (rc = fcgi_hub_body(wk->req.in, FCGX_GetParam("CONTENT_LENGTH", envp), set->max_event,
				&body, &len, &no), fcntl(s->out.fd, F_SETFL, O_NONBLOCK)) < 0) {
		fail500(wk, s, "cannot switch a FastCGI connection's blocking mode");
		return;
	}
	if (rc < 0) {
		hub_refused(wk, s, plan, &no);
		return;
	}
	if (!realpath(set->spool_dir, spool)) {
		free(body);
		fail500(wk, s, "cannot resolve the spool directory");
		return;
	}
	c = chan_get(wk, spool, set, plan->channel, &err);
	if (!c) {
		free(body);
		fail500(wk, s, err.msg);
		return;
	}
	if (sse_hub_publish(&rq, body, len, set, &keys, c->log, fcgi_hub_wall_ms(), id, sizeof(id),
			    &no, &err) < 0) {
		free(body);
		if (err.msg[0])
			say(wk, "%s", err.msg);
		hub_refused(wk, s, plan, &no);
		return;
	}
	free(body);
	c->dirty = 1;
	answer(wk, s, b, sse_hub_answer(plan, 200, id, b, sizeof(b)));
}

static void handle_request(struct worker *wk, int fd, uint16_t id, char **envp)
{
	struct fcgi_stream *s = calloc(1, sizeof(*s));
	const struct sse_settings *set;
	struct sse_request rq;
	struct sse_plan plan;
	struct sse_err err;
	char b[1024];

	if (!s || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		say(wk, "cannot take a request: %s", s ? strerror(errno) : "out of memory");
		free(s);
		sse_close(fd);
		return;
	}
	s->kind = K_STREAM;
	s->timer.at = SIZE_MAX;
	fcgi_out_init(&s->out, fd, id);
	wk->streams++;
	if (fcgi_request_settings(wk->conf->base, envp, &s->own, &err) < 0) {
		fail500_as(wk, s, err.msg, 1);
		return;
	}
	set = s->own ? s->own : wk->conf->base;
	rq.method = FCGX_GetParam("REQUEST_METHOD", envp);
	rq.path_info = FCGX_GetParam("PATH_INFO", envp);
	rq.query = FCGX_GetParam("QUERY_STRING", envp);
	rq.last_event_id = FCGX_GetParam("HTTP_LAST_EVENT_ID", envp);
	rq.origin = FCGX_GetParam("HTTP_ORIGIN", envp);
	sse_request_plan(&rq, set, &plan);
	if (plan.kind == SSE_PLAN_ERROR || plan.kind == SSE_PLAN_PREFLIGHT) {
		answer(wk, s, b, sse_response_error(&plan, b, sizeof(b)));
		return;
	}
	if (plan.kind == SSE_PLAN_PROBE) {
		start_probe(wk, s, &plan, FCGX_GetParam("SERVER_SOFTWARE", envp),
			    FCGX_GetParam("HTTP_ACCEPT_ENCODING", envp));
		return;
	}
	if (!set->spool_dir) {
		fail500_as(wk, s, "SSE_SPOOL_DIR is not set: give --spool DIR, the environment variable, "
				  "or a FastCGI parameter (nginx: fastcgi_param SSE_SPOOL_DIR /path;)", 1);
		return;
	}
	if (plan.kind == SSE_PLAN_STATUS) {
		send_status(wk, s, &plan, set);
		return;
	}
	if (plan.kind == SSE_PLAN_HUB || plan.kind == SSE_PLAN_HUB_PUBLISH) {
		hub_request(wk, s, &plan, set, envp);
		return;
	}
	start_stream(wk, s, &plan, set);
}

/* FCGI_WEB_SERVER_ADDRS (as libfcgi reads it): the web servers allowed on
 * a TCP socket, comma-separated IPv4 addresses. Unset: anyone. */
static int peer_allowed(int fd)
{
	const char *list = getenv("FCGI_WEB_SERVER_ADDRS");
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	char addr[INET_ADDRSTRLEN];

	if (!list || getpeername(fd, (struct sockaddr *)&in, &len) < 0 || in.sin_family != AF_INET)
		return 1;
	if (!inet_ntop(AF_INET, &in.sin_addr, addr, sizeof(addr)))
		return 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", ");

		if (n == strlen(addr) && strncmp(p, addr, n) == 0)
			return 1;
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

/* The connection is accepted here and libfcgi decodes its request. Not
 * libfcgi's own accept: on a unix socket it waits up to 2 s for the peer
 * to speak, and its reads block; a silent peer would stall every stream of
 * the worker. Here the reads of one request are bounded (SO_RCVTIMEO), and
 * the connection and its buffers are taken from libfcgi before the next. */
static void accept_some(struct worker *wk)
{
	for (int i = 0; i < 64; i++) {
		struct timeval tv = { 1, 0 };
		int fd = accept4(wk->conf->listen_fd, NULL, NULL, SOCK_CLOEXEC), rc;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* Level-triggered: waiting on the socket again would
				 * spin. Leave the connection queued for a while. Said
				 * once while it lasts, not every 100 ms. */
				if (!wk->accept_full)
					say(wk, "cannot accept a FastCGI connection: %s (%zu connections open; "
						"raise ulimit -n); the next wait in the queue", strerror(errno),
					    wk->streams);
				wk->accept_full = 1;
				if (sse_wait_del(wk->w, wk->conf->listen_fd) == 0)
					wk->accept_paused = wk->now + 100;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				say(wk, "cannot accept a FastCGI connection: %s", strerror(errno));
			}
			return;
		}
		wk->accept_full = 0;
		if (!peer_allowed(fd)) {
			sse_close(fd);
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* A connection already there: libfcgi reads the request from it
		 * (keepConnection stops it closing it first). */
		wk->req.ipcFd = fd;
		wk->req.keepConnection = 1;
		rc = FCGX_Accept_r(&wk->req);
		if (rc < 0) {
			/* libfcgi closed it: a protocol error, or silence */
			wk->req.ipcFd = -1;
			continue;
		}
		if (wk->req.role != FCGI_RESPONDER) {
			FCGX_Free(&wk->req, 1);
			wk->req.ipcFd = -1;
			continue;
		}
		handle_request(wk, fd, (uint16_t)wk->req.requestId, wk->req.envp);
		FCGX_Free(&wk->req, 0);
		wk->req.ipcFd = -1;
	}
}

/* The web server's side of a stream: an ABORT_REQUEST ends it, end of
 * file means it is gone. Other records (an empty STDIN) are skipped.
 * 0 nothing to do, 1 aborted, -1 gone. */
static int read_incoming(struct fcgi_stream *s)
{
	unsigned char buf[512];

	for (;;) {
		ssize_t n = read(s->out.fd, buf, sizeof(buf));

		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		if (fcgi_in_scan(&s->in, buf, (size_t)n, s->out.id))
			return 1;
	}
}

static void on_stream(struct worker *wk, struct fcgi_stream *s, int events)
{
	if (events & SSE_OUT) {
		int rc = fcgi_out_flush(&s->out);

		if (rc < 0) {
			destroy(wk, s);
			return;
		}
		if (rc == 0 && s->closing)
			(void)shutdown(s->out.fd, SHUT_WR);
		if (rc == 0 && s->chan)
			s->chan->dirty = 1;
		if (sync_events(wk, s) < 0) {
			destroy(wk, s);
			return;
		}
	}
	if (events & SSE_IN) {
		int rc = read_incoming(s);

		if (rc < 0) {
			destroy(wk, s);
			return;
		}
		if (rc > 0 && !s->closing) {
			finish(wk, s);
			return;
		}
	}
	if (events & SSE_HUP)
		destroy(wk, s);
}

static void on_watch(void *ctx, int wd, uint32_t mask, const char *name)
{
	struct worker *wk = ctx;
	struct sse_err err;

	for (struct fcgi_chan *c = wk->chans; c; c = c->next) {
		if (wd == c->wd_log || mask & IN_Q_OVERFLOW)
			c->dirty = 1;
		if (wd != c->wd_log && sse_intake_notify(&c->in, wd, mask, name, &err) < 0)
			say(wk, "%s", err.msg);
		fifo_sync(wk, c);
	}
}

/* Per channel: intake timers, the fifo to wait on, and closing channels
 * nobody reads. Returns
 * the wait's timeout, at most timeout (-1: none) which is when the next
 * dirty channel may be written. */
static int chans_tick(struct worker *wk, int timeout)
{
	struct sse_err err;

	for (struct fcgi_chan **pc = &wk->chans, *c; (c = *pc) != NULL;) {
		int t;

		if (c->nstreams == 0) {
			*pc = c->next;
			if (c->fifo_reg >= 0)
				(void)sse_wait_del(wk->w, c->fifo_reg);
			fcgi_chan_close(c, wk->conf->report);
			continue;
		}
		if (sse_intake_tick(&c->in, wk->now, &err) < 0)
			say(wk, "%s", err.msg);
		fifo_sync(wk, c);
		t = sse_intake_timeout(&c->in, wk->now);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		pc = &c->next;
	}
	return timeout;
}

static void timers_due(struct worker *wk)
{
	struct heap_node *n;

	while ((n = heap_top(&wk->timers)) != NULL && n->due <= wk->now) {
		struct fcgi_stream *s = of_timer(n);

		if (s->closing) {
			destroy(wk, s);
			continue;
		}
		if (s->probe) {
			probe_next(wk, s);
			continue;
		}
		if (sse_stream_expired(&s->st, wk->now)) {
			(void)sse_stream_end(&s->st, wk->now);
			finish(wk, s);
			continue;
		}
		if (sse_stream_tick(&s->st, wk->now) < 0 || sync_events(wk, s) < 0) {
			destroy(wk, s);
			continue;
		}
		heap_update(&wk->timers, n, wk->now + (uint64_t)sse_stream_timeout(&s->st, wk->now));
	}
}

/* SIGTERM: every stream ends cleanly (the clients reconnect and resume),
 * every channel's intake is handed over. */
static void shutdown_all(struct worker *wk)
{
	uint64_t end;

	wk->now = sse_now_ms();
	end = wk->now + SHUTDOWN_MS;
	for (struct fcgi_chan *c = wk->chans; c; c = c->next) {
		while (c->streams) {
			(void)sse_stream_end(&c->streams->st, wk->now);
			finish(wk, c->streams);
		}
	}
	/* Probes belong to no channel: their timers find them. finish() re-keys
	 * a probe as closing, so the walk restarts and ends. */
	for (size_t i = 0; i < wk->timers.len; i++) {
		struct fcgi_stream *s = of_timer(wk->timers.v[i]);

		if (s->probe && !s->closing) {
			finish(wk, s);
			i = (size_t)-1;
		}
	}
	/* Their last bytes, for a moment: a full socket would lose the end. */
	while (wk->timers.len && (wk->now = sse_now_ms()) < end) {
		struct sse_ready ready[256];
		struct sse_err err;
		int n = sse_wait_run(wk->w, (int)(end - wk->now), ready, 256, &err);

		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (*(int *)ready[i].ptr == K_STREAM)
				on_stream(wk, ready[i].ptr, ready[i].events);
		}
	}
	while (wk->timers.len) /* finished streams still closing */
		destroy(wk, of_timer(heap_top(&wk->timers)));
	while (wk->chans) {
		struct fcgi_chan *c = wk->chans;

		wk->chans = c->next;
		fcgi_chan_close(c, wk->conf->report);
	}
}

static int setup(struct worker *wk, struct sse_err *err)
{
	wk->t_listen = K_LISTEN;
	wk->t_sig = K_SIGNAL;
	wk->t_watch = K_WATCH;
	wk->sig_fd = sse_signal_fd(err);
	if (wk->sig_fd < 0)
		return -1;
	wk->w = sse_wait_new(err);
	if (!wk->w)
		return -1;
	wk->wfd = sse_watch_open(err);
	if (wk->wfd < 0)
		return -1;
	/* No listening socket for libfcgi: accept_some() accepts. */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&wk->req, -1, 0) != 0)
		return sse_err_set(err, "libfcgi cannot be initialised");
	/* Exclusive: one worker wakes per connection, not all of them. */
	if (sse_wait_add(wk->w, wk->conf->listen_fd, SSE_IN | SSE_EXCL, &wk->t_listen, err) < 0 ||
	    sse_wait_add(wk->w, wk->sig_fd, SSE_IN, &wk->t_sig, err) < 0 ||
	    sse_wait_add(wk->w, wk->wfd, SSE_IN, &wk->t_watch, err) < 0)
		return -1;
	return 0;
}

int fcgi_worker_run(const struct fcgi_worker_conf *conf)
{
	static struct worker wk;
	struct sse_ready ready[256];
	struct sse_err err;

	wk.conf = conf;
	/* The supervisor's death (even SIGKILL) ends its workers. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != conf->supervisor)
		return 0; /* it died before prctl */
	if (setup(&wk, &err) < 0) {
		say(&wk, "worker %u: %s", conf->index, err.msg);
		return 1;
	}
	for (;;) {
		int n, timeout, coalesce;
		struct heap_node *top;

		wk.now = sse_now_ms();
		coalesce = -1;
		for (struct fcgi_chan *c = wk.chans; c; c = c->next) {
			if (!c->dirty)
				continue;
			if (wk.now < c->pumped_ms + COALESCE_MS) {
				int t = (int)(c->pumped_ms + COALESCE_MS - wk.now);

				if (coalesce < 0 || t < coalesce)
					coalesce = t;
				continue;
			}
			c->pumped_ms = wk.now;
			pump_chan(&wk, c);
		}
		timers_due(&wk);
		if (wk.accept_paused && wk.now >= wk.accept_paused) {
			if (sse_wait_add(wk.w, conf->listen_fd, SSE_IN | SSE_EXCL, &wk.t_listen, &err) < 0)
				say(&wk, "%s", err.msg);
			wk.accept_paused = 0;
		}
		if (wk.accept_paused) {
			int t = (int)(wk.accept_paused - wk.now);

			if (coalesce < 0 || t < coalesce)
				coalesce = t;
		}
		timeout = chans_tick(&wk, coalesce);
		top = heap_top(&wk.timers);
		if (top) {
			int t = top->due > wk.now ? (int)(top->due - wk.now) : 0;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		n = sse_wait_run(wk.w, timeout, ready, 256, &err);
		if (n < 0) {
			say(&wk, "worker %u: %s", conf->index, err.msg);
			shutdown_all(&wk);
			return 1;
		}
		wk.now = sse_now_ms();
		for (int i = 0; i < n; i++) {
			int kind = *(int *)ready[i].ptr;

			if (kind == K_STREAM) {
				on_stream(&wk, ready[i].ptr, ready[i].events);
			} else if (kind == K_LISTEN) {
				accept_some(&wk);
			} else if (kind == K_WATCH) {
				if (sse_watch_drain(wk.wfd, on_watch, &wk, &err) < 0)
					say(&wk, "%s", err.msg);
			} else if (kind == K_FIFO) {
				struct fcgi_chan *c = ready[i].ptr;

				if (sse_intake_fifo(&c->in, &err) < 0)
					say(&wk, "%s", err.msg);
				fifo_sync(&wk, c);
			} else if (kind == K_SIGNAL) {
				struct signalfd_siginfo si;

				while (read(wk.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
						shutdown_all(&wk);
						return 0;
					}
				}
			}
		}
	}
}
