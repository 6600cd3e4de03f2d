#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "meta.h"
#include "stream_hub.h"

#define STREAM_BUF 65536

int sse_stream_init(struct sse_stream *st, struct sse_log *log,
		    const struct sse_settings *set, struct sse_sink sink,
		    struct sse_err *err)
{
	memset(st, 0, sizeof(*st));
	st->log = log;
	st->set = set;
	st->sink = sink;
	(void)err;
	return 0;
}

void sse_stream_free(struct sse_stream *st)
{
	free(st->buf);
	st->buf = NULL;
}

static int put(struct sse_stream *st, const void *buf, size_t len, uint64_t now)
{
	if (st->sink.write(st->sink.ctx, buf, len) < 0)
		return -1;
	st->last_write_ms = now;
	return 0;
}

/* sse-gap "LAST OLDEST", then the stream goes on at seq: OLDEST is the id
 * there (the next id when nothing is retained). No id line: the client's
 * lastEventId stays what it really saw. */
static int send_gap(struct sse_stream *st, uint64_t seq, uint64_t now)
{
	struct sse_log_head h;
	struct sse_log_range r;
	char b[128];
	int n;

	sse_log_head(st->log, &h);
	if (seq < h.oldest_seq)
		seq = h.oldest_seq;
	if (st->hub) {
		/* The same on the hub, in its ids: the client's, and the first
		 * hub event retained ("" when there is none). */
		char oldest[SSE_HUB_LAST_MAX] = "", last[SSE_HUB_LAST_MAX] = "";
		const char *client = last;
		uint64_t at;

		if (sse_hub_scan(st, seq, 1, NULL, &at, oldest, NULL) < 0)
			oldest[0] = '\0';
		if (st->hub_last_set)
			sse_hub_id_at(st, st->hub_last_seq, last);
		else if (st->hub->last_event_id)
			client = st->hub->last_event_id; /* not found at connect */
		st->seq = seq;
		st->gap_at = seq + 1;
		return put(st, "event: sse-gap\ndata: ", 21, now) < 0 ||
		       put(st, client, strlen(client), now) < 0 ||
		       put(st, " ", 1, now) < 0 || put(st, oldest, strlen(oldest), now) < 0 ||
		       put(st, "\n\n", 2, now) < 0 ? -1 : 0;
	}
	if (sse_log_range(st->log, seq, 1, &r, NULL) != 1)
		r.first_id = seq >= h.seq ? h.next_id : h.oldest_id;
	n = snprintf(b, sizeof(b), "event: sse-gap\ndata: %llu %llu\n\n",
		     (unsigned long long)st->last_id, (unsigned long long)r.first_id);
	st->seq = seq;
	st->gap_at = seq + 1;
	return put(st, b, (size_t)n, now);
}

int sse_stream_judge(struct sse_stream *st, int rc, const struct sse_log_range *r,
		     uint64_t now)
{
	if (rc == 0)
		return 0;
	if (rc == 2) /* fell behind the history (slow client): say so, go on */
		return send_gap(st, 0, now) < 0 ? -1 : 2;
	if (rc < 0)
		return -1;
	if (r->hole && st->has_id && st->gap_at != st->seq + 1)
		return send_gap(st, st->seq, now) < 0 ? -1 : 2;
	return 1;
}

int sse_stream_next(struct sse_stream *st, size_t max_bytes, struct sse_log_range *r,
		    uint64_t now, struct sse_err *err)
{
	sse_err_clear(err);
	for (int rounds = 0; rounds < 4; rounds++) {
		int rc = sse_stream_judge(st, sse_log_range(st->log, st->seq, max_bytes, r, err),
					  r, now);

		if (rc != 2)
			return rc;
	}
	return 0; /* the log moves faster than we read: the caller comes back */
}

void sse_stream_sent(struct sse_stream *st, const struct sse_log_range *r, uint64_t now)
{
	st->seq += r->count;
	st->last_id = r->last_id;
	st->has_id = 1;
	st->delivered += r->count;
	st->last_write_ms = now;
}

size_t sse_stream_view(const struct sse_stream *st, const struct sse_log_range *r,
		       const char *b, struct iovec v[3])
{
	struct sse_meta m;

	if (st->hub)
		return sse_hub_view(st, r, b, v);
	if (r->meta_len > 0) {
		/* A channel URL never sends a private event (SPEC "Topics on
		 * events"); a public one goes without its record. */
		if (r->meta_len > r->len || sse_meta_decode(b, r->meta_len, &m) < 0 || m.private_)
			return 0;
	}
	v[0].iov_base = (void *)(b + r->meta_len);
	v[0].iov_len = r->len - r->meta_len;
	return 1;
}

int sse_stream_deliver(struct sse_stream *st, const struct sse_log_range *r, const char *b,
		       uint64_t now)
{
	struct iovec v[3];
	size_t n = sse_stream_view(st, r, b, v);
	uint64_t last_write = st->last_write_ms;

	if (n > 1 && st->sink.writev) {
		if (st->sink.writev(st->sink.ctx, v, n) < 0)
			return -1;
		st->last_write_ms = now;
	} else {
		for (size_t i = 0; i < n; i++)
			if (put(st, v[i].iov_base, v[i].iov_len, now) < 0)
				return -1;
	}
	if (st->hub) {
		/* Skipped events move the cursor, never the client's id. */
		st->seq += r->count;
		if (n == 0)
			return 0;
		st->delivered++;
		st->has_id = 1;
		st->hub_last_seq = st->seq - r->count;
		st->hub_last_set = 1;
		return 0;
	}
	sse_stream_sent(st, r, now);
	if (n == 0) {
		st->delivered -= r->count;
		st->last_write_ms = last_write; /* nothing went out: the heartbeat stays due */
	}
	return 0;
}

static int read_failed(struct sse_stream *st, struct sse_err *err)
{
	int code = err ? err->code : 0;

	return sse_err_set(err, "cannot read a segment of channel log '%.300s': %s",
			   sse_log_watch_path(st->log),
			   code ? strerror(code) : "shorter than its index says");
}

int sse_stream_pump(struct sse_stream *st, uint64_t now, struct sse_err *err)
{
	sse_err_clear(err);
	/* Allocated on the first event, not per connection: a busy answer or
	 * an idle stream never needs it. */
	if (!st->buf) {
		st->buf = malloc(STREAM_BUF);
		if (!st->buf)
			return sse_err_set(err, "out of memory for a stream's buffer");
		st->cap = STREAM_BUF;
	}
	for (int rounds = 0; rounds < 1024; rounds++) {
		struct sse_log_range r;
		int rc = sse_stream_next(st, 1u << 20, &r, now, err);

		if (rc <= 0)
			return rc;
		if (st->hub && r.meta_len == 0) {
			st->seq += r.count; /* no topics: for no subscriber */
			continue;
		}
		if (r.meta_len > 0 || st->hub) {
			/* One event with its record, looked at whole. */
			if (sse_stream_grow(st, r.len, err) < 0)
				return -1;
			if (sse_pread_all(r.fd, st->buf, r.len, r.off, "", err) < 0)
				return read_failed(st, err);
			if (sse_stream_deliver(st, &r, st->buf, now) < 0) {
				sse_err_clear(err);
				return -1;
			}
			continue;
		}
		for (size_t done = 0; done < r.len;) {
			size_t n = r.len - done < st->cap ? r.len - done : st->cap;

			if (sse_pread_all(r.fd, st->buf, n, r.off + (off_t)done, "", err) < 0)
				return read_failed(st, err);
			if (put(st, st->buf, n, now) < 0) {
				sse_err_clear(err); /* the client is gone: nothing to report */
				return -1;
			}
			done += n;
		}
		sse_stream_sent(st, &r, now);
	}
	return 1; /* more to send: the caller comes back without waiting */
}

/* A fifth of the busy retry, at random, so refused clients do not all come
 * back in the same second. */
static unsigned long spread(unsigned long ms)
{
	struct timespec ts;
	unsigned long x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
	x ^= x >> 13;
	x *= 2654435761u;
	return ms + (ms / 5 ? (x >> 7) % (ms / 5 + 1) : 0);
}

int sse_stream_begin(struct sse_stream *st, const struct sse_plan *plan, int busy,
		     uint64_t now)
{
	char b[1024], last[SSE_HUB_LAST_MAX];
	size_t n = sse_response_head(plan, b, sizeof(b));
	int gap = 0;

	if (st->hub && !plan->head) {
		/* Where it resumes is known before the head, which says it. */
		if (sse_hub_begin(st, last, &gap, NULL) < 0)
			return -1;
		if (n == 0 || n + strlen(last) + 20 > sizeof(b))
			return -1;
		n -= 2; /* before the blank line */
		n += (size_t)snprintf(b + n, sizeof(b) - n, "Last-Event-ID: %s\r\n\r\n", last);
	}
	if (n == 0 || put(st, b, n, now) < 0)
		return -1;
	if (plan->head)
		return 0;
	/* At once, so EventSource.onopen fires and proxies flush the head. */
	n = (size_t)snprintf(b, sizeof(b), ": sse-cgi %s\n", SSE_VERSION);
	if (!busy && st->set->retry_ms >= 0)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "retry: %ld\n\n", st->set->retry_ms);
	if (put(st, b, n, now) < 0)
		return -1;
	if (st->hub) {
		if (gap && send_gap(st, st->seq, now) < 0)
			return -1;
	} else if (plan->has_id) {
		st->last_id = plan->last_id;
		st->has_id = 1;
		sse_log_seek(st->log, plan->last_id, &st->seq, &gap);
		if (gap && send_gap(st, st->seq, now) < 0)
			return -1;
	} else {
		struct sse_log_head h;

		sse_log_head(st->log, &h);
		st->seq = h.seq;
		st->start_id = h.newest_id;
	}
	if (busy)
		return 0;
	if (st->set->max_lifetime)
		st->end_ms = now + st->set->max_lifetime * 1000u;
	/* A subscriber's stream ends when its token expires (SPEC
	 * "Authorization"). */
	if (st->hub && st->hub->ttl_ms && (!st->end_ms || now + st->hub->ttl_ms < st->end_ms))
		st->end_ms = now + st->hub->ttl_ms;
	return 0;
}

/* The last block of a stream that ends. A client that came without an id
 * and has had no event would reconnect without one and miss what is
 * published while it is away, so it is given the id it is at, in an event of
 * type sse-resume (data: the id). An id line alone is not enough: browsers
 * take it (WHATWG "dispatch the event" sets lastEventId before it drops an
 * event without data), but eventsource-parser, under npm's eventsource and
 * eventsource-client, forgets an id that came without data. A named event
 * never reaches onmessage. */
static int end_block(struct sse_stream *st, char *b, size_t size, int n, uint64_t now)
{
	if (st->hub) {
		/* Its hub id, the same way; none known: nothing to give. */
		char id[SSE_HUB_LAST_MAX] = "";

		if (!st->has_id && st->hub_last_set)
			sse_hub_id_at(st, st->hub_last_seq, id);
		if (id[0]) {
			n += snprintf(b + n, size - (size_t)n, "id: %s\nevent: sse-resume\ndata: %s\n", id, id);
			st->has_id = 1;
		}
	} else if (!st->has_id) {
		unsigned long long id = st->start_id;

		n += snprintf(b + n, size - (size_t)n, "id: %llu\nevent: sse-resume\ndata: %llu\n", id, id);
		st->last_id = st->start_id;
		st->has_id = 1;
	}
	n += snprintf(b + n, size - (size_t)n, "\n");
	return put(st, b, (size_t)n, now);
}

int sse_stream_end(struct sse_stream *st, uint64_t now)
{
	char b[128 + 2 * SSE_HUB_LAST_MAX];

	if (st->has_id)
		return 0;
	return end_block(st, b, sizeof(b), 0, now);
}

int sse_stream_busy_end(struct sse_stream *st, uint64_t now)
{
	char b[160 + 2 * SSE_HUB_LAST_MAX];

	return end_block(st, b, sizeof(b), snprintf(b, sizeof(b), "retry: %lu\n", spread(st->set->busy_retry_ms)), now);
}

int sse_stream_tick(struct sse_stream *st, uint64_t now)
{
	if (now >= st->last_write_ms + st->set->heartbeat_ms)
		return put(st, ":\n", 2, now);
	return 0;
}

int sse_stream_expired(const struct sse_stream *st, uint64_t now)
{
	return st->end_ms && now >= st->end_ms;
}

int sse_stream_timeout(const struct sse_stream *st, uint64_t now)
{
	uint64_t next = st->last_write_ms + st->set->heartbeat_ms;

	if (st->end_ms && st->end_ms < next)
		next = st->end_ms;
	return next > now ? (int)(next - now) : 0;
}
