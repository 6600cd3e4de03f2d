/* One client's stream, written once for every front end over a small sink
 * (cgi/: stdout; fcgi/: FastCGI records): head, first comment, retry,
 * resume and sse-gap, replay, live events, heartbeat, lifetime, busy. The
 * front end owns the waiting and calls in when something happened. */
#ifndef SSE_STREAM_H
#define SSE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "err.h"
#include "log.h"
#include "request.h"
#include "settings.h"

struct sse_sink {
	/* All of buf, or -1 when the client is gone. */
	int (*write)(void *ctx, const void *buf, size_t len);
	void *ctx;
	/* All of the pieces as one write (a hub event: its id line and the
	 * rest, one record and one syscall per subscriber, not three); NULL:
	 * write() each. */
	int (*writev)(void *ctx, const struct iovec *v, size_t n);
};

struct sse_selectors;

/* A Mercure subscription (SPEC "Subscribe"): the events of the hub's channel
 * one of whose topics matches topics; a private one only when one of its
 * topics also matches authorized (the token's mercure.subscribe). */
struct sse_stream_hub {
	const struct sse_selectors *topics;      /* borrowed */
	const struct sse_selectors *authorized;  /* borrowed; NULL: public only */
	const char *last_event_id;               /* the client's, or NULL */
	uint64_t ttl_ms;                         /* until the token's exp, 0: none */
};

#define SSE_HUB_LAST_MAX 256

struct sse_stream {
	struct sse_log *log;                /* borrowed */
	const struct sse_stream_hub *hub;   /* borrowed; NULL: a plain channel stream */
	uint64_t hub_last_seq;              /* hub: the event whose id the client has
					       (read back from the log when needed: a
					       waiting stream keeps no copy) */
	int hub_last_set;
	const struct sse_settings *set;     /* borrowed */
	struct sse_sink sink;
	uint64_t seq;                       /* cursor: next event to send */
	uint64_t last_id;                   /* last id the client has */
	int has_id;
	uint64_t start_id;                  /* newest id when a client without one came */
	uint64_t last_write_ms, end_ms;     /* end_ms 0: no lifetime */
	uint64_t delivered;
	uint64_t gap_at;                    /* seq announced by the last sse-gap, +1 */
	char *buf;
	size_t cap;
};

int sse_stream_init(struct sse_stream *st, struct sse_log *log,
		    const struct sse_settings *set, struct sse_sink sink,
		    struct sse_err *err);
void sse_stream_free(struct sse_stream *st);

/* Head, first comment, retry, and (for a client with an id) the cursor and
 * any sse-gap; the replay is the pump's. busy: the answer to a request over
 * SSE_MAX_STREAMS: the front end pumps the replay, then busy_end() sends the
 * spread retry and the stream is over. -1: the client is gone. */
int sse_stream_begin(struct sse_stream *st, const struct sse_plan *plan, int busy,
		     uint64_t now_ms);
/* The last bytes of a stream that ends with its client still there
 * (lifetime, SIGTERM, busy): a client that has no id yet is given the one
 * it is at (an sse-resume event), so its reconnect resumes from here and
 * does not miss what is published meanwhile. -1: the client is gone. */
int sse_stream_end(struct sse_stream *st, uint64_t now);
int sse_stream_busy_end(struct sse_stream *st, uint64_t now_ms);
/* Sends what was committed since: 0 done, 1 more is waiting (a bounded
 * amount is sent per call), -1 the client is gone (err->msg empty) or the
 * log could not be read (err says why). */
int sse_stream_pump(struct sse_stream *st, uint64_t now_ms, struct sse_err *err);
/* The pump in two halves, for a front end that writes the log's bytes
 * itself (sse-fcgi: once per channel, framed per stream): the next range of
 * whole events from the cursor (an sse-gap goes to the sink first when the
 * cursor fell behind the history or before a hole): 1 a range, 0 none,
 * -1 gone. Then sent() moves the cursor past it. */
int sse_stream_next(struct sse_stream *st, size_t max_bytes, struct sse_log_range *r,
		    uint64_t now_ms, struct sse_err *err);
/* next() for a caller that asked the log itself (rc and r of
 * sse_log_range() at the cursor): 1 send r, 0 nothing, 2 an sse-gap went
 * out and the cursor moved (ask again), -1 gone. */
int sse_stream_judge(struct sse_stream *st, int rc, const struct sse_log_range *r,
		     uint64_t now_ms);
void sse_stream_sent(struct sse_stream *st, const struct sse_log_range *r, uint64_t now_ms);
/* What of r (its bytes at b) goes to this stream: up to 3 pieces into v,
 * 0 when none (a private event on a channel URL, an event no selector of a
 * hub stream matches). A hub event goes with its hub id in place of the
 * log's. Formatting was done once at append: this only points. */
size_t sse_stream_view(const struct sse_stream *st, const struct sse_log_range *r,
		       const char *b, struct iovec v[3]);
/* view, the sink, then sent: 0, or -1 when the client is gone. */
int sse_stream_deliver(struct sse_stream *st, const struct sse_log_range *r, const char *b,
		       uint64_t now_ms);
/* A comment when idle for a heartbeat; -1: gone. */
int sse_stream_tick(struct sse_stream *st, uint64_t now_ms);
/* Milliseconds until tick() has something to do (heartbeat or end). */
int sse_stream_timeout(const struct sse_stream *st, uint64_t now_ms);
/* The lifetime is over: end cleanly, the client resumes. */
int sse_stream_expired(const struct sse_stream *st, uint64_t now_ms);

#endif
