/* logtool: drives the channel log for the log tests (test/log/).
 *   logtool publish SPOOL CH TAG N [BATCH [PAUSE_US]]
 *                                           publish N events "TAG SEQ LEN CRC PAYLOAD";
 *                                           print "ack ID TAG SEQ" after each commit
 *                                           (BATCH>1: batches; PAUSE_US between them)
 *   logtool verify SPOOL CH                 every retained event intact, ids strictly
 *                                           increasing; prints "ID TAG SEQ" per event
 *   logtool follow SPOOL CH SECONDS         a live reader: same checks while following
 *   logtool unclean SPOOL CH                mark the log as after a reboot
 *   logtool open SPOOL CH                   open (recovers if marked); prints the note
 *                                           and "next ID"
 *   logtool corrupt SPOOL CH SEQ record|wire
 *                                           changes one byte of event SEQ's metadata
 *                                           record (its last: the record stays well
 *                                           formed, with another topic or hub id) or
 *                                           of its wire bytes (the last before the
 *                                           blank line), as a lost page would
 * Events of a TAG starting with M carry Mercure metadata, by SEQ % 6 (the
 * rule: metarule.h); verify and follow check each record against it, and that a plain
 * channel's view of the event (sse_stream_view) is its wire bytes without
 * the record, and nothing for a private event.
 * Exit 0 when every check held, 3 on a violation (described on stderr). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "io.h"
#include "log.h"
#include "meta.h"
#include "metarule.h"
#include "spool.h"
#include "stream.h"
#include "wait.h"

static char dir[4096];

static struct sse_log *open_log(const char *spool, const char *ch)
{
	struct sse_err err;
	struct sse_log *log;

	snprintf(dir, sizeof(dir), "%s/%s", spool, ch);
	log = sse_log_open(dir, getenv("SSE_SYNC") && atoi(getenv("SSE_SYNC")), &err);
	if (!log) {
		fprintf(stderr, "logtool: %s\n", err.msg);
		exit(1);
	}
	return log;
}

static unsigned rnd(void)
{
	static unsigned long long x;

	if (!x)
		x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20) ^ 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned)(x >> 11);
}

static int publish(const char *spool, const char *ch, const char *tag, long n, long batch,
		   long pause_us)
{
	struct sse_log *log = open_log(spool, ch);
	char data[2048], payload[1024];
	struct sse_err err;
	uint64_t ids[256];

	if (batch < 1 || batch > 256)
		batch = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < n;) {
		long first = i;

		if (sse_log_lock(log, &err) < 0)
			goto fail;
		for (; i < n && i - first < batch; i++) {
			size_t len = rnd() % 600;
			struct sse_event ev = { .name = "", .data = data, .retry = -1 };
			struct want w;

			want_meta(tag, i, &w);
			ev.topics = w.topics;
			ev.ntopics = w.ntopics;
			ev.private_ = w.private_;
			ev.hub_id = w.hub_id;

			for (size_t k = 0; k < len; k++)
				payload[k] = (char)('a' + rnd() % 26);
			ev.data_len = (size_t)snprintf(data, sizeof(data), "%s %ld %zu %lu %.*s", tag, i, len,
						       crc32(0L, (const Bytef *)payload, (uInt)len), (int)len, payload);
			if (sse_log_append(log, &ev, &ids[i - first], &err) < 0)
				goto fail;
		}
		if (sse_log_unlock(log, &err) < 0)
			goto fail;
		for (long k = first; k < i; k++)
			printf("ack %llu %s %ld\n", (unsigned long long)ids[k - first], tag, k);
		if (pause_us > 0)
			usleep((useconds_t)pause_us);
	}
	sse_log_close(log);
	return 0;
fail:
	fprintf(stderr, "logtool: %s\n", err.msg);
	return 1;
}

/* Checks one event's wire bytes; returns its id or 0 on a violation. */
static uint64_t check_event(const char *ev, size_t len, char *tag, long *seq)
{
	unsigned long long id;
	const char *data, *end = ev + len;
	char payload[1024];
	size_t plen;
	unsigned long crc;
	int off = 0;

	if (sscanf(ev, "id: %llu\n", &id) != 1 || !(data = strstr(ev, "\ndata: ")) || data > end)
		return 0;
	data += 7;
	if (sscanf(data, "%63s %ld %zu %lu %n", tag, seq, &plen, &crc, &off) != 4 || plen >= sizeof(payload))
		return 0;
	if (data + off + plen + 2 != end - 0 && data + off + plen + 1 != end - 1)
		return 0;
	memcpy(payload, data + off, plen);
	if (crc32(0L, (const Bytef *)payload, (uInt)plen) != crc)
		return 0;
	return id;
}

struct reader {
	struct sse_log *log;
	uint64_t seq, last_id;
	char *buf;
	size_t cap;
	int print;
	long events;
};

/* A range as the log gives it: a record only on a range of one event, and a
 * plain channel's view (a stream without a hub) is exactly the wire bytes
 * after the record, or nothing for a private event. NULL when it holds. */
static const char *check_range(const struct sse_log_range *rg, const char *buf)
{
	struct sse_stream st;
	struct sse_meta m;
	struct iovec v[3];
	size_t n;
	int private_ = 0;

	if (rg->meta_len > 0) {
		if (rg->count != 1)
			return "a metadata record in a range of more than one event";
		if (rg->meta_len >= rg->len)
			return "a metadata record as long as its event";
		if (sse_meta_decode(buf, rg->meta_len, &m) < 0)
			return NULL; /* meta_mismatch() says it, naming the event */
		private_ = m.private_;
	}
	memset(&st, 0, sizeof(st));
	n = sse_stream_view(&st, rg, buf, v);
	if (private_)
		return n == 0 ? NULL : "a private event in a plain channel's view";
	if (n != 1 || v[0].iov_base != buf + rg->meta_len || v[0].iov_len != rg->len - rg->meta_len)
		return "a plain channel's view is not the wire bytes after the record";
	return NULL;
}

/* Reads every committed event from r->seq; 3 on a violation. */
static int read_some(struct reader *r)
{
	for (;;) {
		struct sse_log_range rg;
		struct sse_err err;
		int rc = sse_log_range(r->log, r->seq, 1 << 20, &rg, &err);

		if (rc == 0)
			return 0;
		if (rc == 2) {
			fprintf(stderr, "logtool: reader fell behind the history at seq %llu\n",
				(unsigned long long)r->seq);
			return 3;
		}
		if (rc < 0) {
			fprintf(stderr, "logtool: %s\n", err.msg);
			return 1;
		}
		if (rg.len + 1 > r->cap) {
			r->cap = rg.len + 1;
			r->buf = realloc(r->buf, r->cap);
		}
		if (sse_pread_all(rg.fd, r->buf, rg.len, rg.off, "segment", &err) < 0) {
			fprintf(stderr, "logtool: %s\n", err.msg);
			return 1;
		}
		r->buf[rg.len] = '\0';
		const char *why = check_range(&rg, r->buf);
		if (why) {
			fprintf(stderr, "logtool: range at seq %llu: %s\n", (unsigned long long)r->seq, why);
			return 3;
		}
		uint64_t n = 0;
		/* The record holds binary lengths: events are parsed after it. */
		for (char *p = r->buf + rg.meta_len; p < r->buf + rg.len; n++) {
			char *e = strstr(p, "\n\n"), tag[64];
			long s;
			uint64_t id;

			if (!e) {
				fprintf(stderr, "logtool: torn event at seq %llu\n", (unsigned long long)(r->seq + n));
				return 3;
			}
			*e = '\0';
			id = check_event(p, (size_t)(e - p) + 2, tag, &s);
			if (!id || id <= r->last_id) {
				fprintf(stderr, "logtool: bad event at seq %llu (id %llu after %llu): '%.80s'\n",
					(unsigned long long)(r->seq + n), (unsigned long long)id,
					(unsigned long long)r->last_id, p);
				return 3;
			}
			why = meta_mismatch(tag, s, r->buf, rg.meta_len);
			if (why) {
				fprintf(stderr, "logtool: event %s %ld (id %llu, seq %llu): its metadata record differs from what was published: %s\n",
					tag, s, (unsigned long long)id, (unsigned long long)(r->seq + n), why);
				return 3;
			}
			r->last_id = id;
			r->events++;
			if (r->print)
				printf("%llu %s %ld\n", (unsigned long long)id, tag, s);
			p = e + 2;
		}
		if (n != rg.count) {
			fprintf(stderr, "logtool: range of %llu events held %llu\n",
				(unsigned long long)rg.count, (unsigned long long)n);
			return 3;
		}
		r->seq += rg.count;
	}
}

static int verify(const char *spool, const char *ch)
{
	struct reader r = { .log = open_log(spool, ch), .print = 1 };
	struct sse_log_head h;
	int rc;

	sse_log_head(r.log, &h);
	r.seq = h.oldest_seq;
	rc = read_some(&r);
	sse_log_close(r.log);
	free(r.buf);
	return rc;
}

static void ignore(void *ctx, int wd, uint32_t mask, const char *name)
{
	(void)ctx, (void)wd, (void)mask, (void)name;
}

static int follow(const char *spool, const char *ch, int seconds)
{
	struct reader r = { .log = open_log(spool, ch) };
	struct sse_log_head h;
	struct sse_err err;
	struct sse_wait *w = sse_wait_new(&err);
	struct sse_ready ready[4];
	int wfd = sse_watch_open(&err), rc = 0;
	uint64_t end = sse_now_ms() + (uint64_t)seconds * 1000;

	if (!w || wfd < 0 || sse_watch_add(wfd, sse_log_watch_path(r.log), IN_MODIFY, &err) < 0 ||
	    sse_wait_add(w, wfd, SSE_IN, &wfd, &err) < 0) {
		fprintf(stderr, "logtool: %s\n", err.msg);
		return 1;
	}
	sse_log_head(r.log, &h);
	r.seq = h.oldest_seq;
	while (rc == 0 && sse_now_ms() < end) {
		rc = read_some(&r);
		if (rc == 0 && sse_wait_run(w, (int)(end - sse_now_ms()), ready, 4, &err) > 0)
			sse_watch_drain(wfd, ignore, NULL, &err);
	}
	if (rc == 0)
		rc = read_some(&r);
	printf("followed %ld events\n", r.events);
	return rc;
}

/* A byte of event seq changed in place, where readers and the recovery
 * look: the last of its record (which stays well formed) or the last of its
 * wire bytes before the blank line. The segment is reopened for writing by
 * the descriptor the log read it with. */
static int corrupt(const char *spool, const char *ch, uint64_t seq, int record)
{
	struct sse_log *log = open_log(spool, ch);
	struct sse_log_range rg;
	struct sse_err err;
	char path[64], c;
	off_t at;
	int fd, ok;

	if (sse_log_range(log, seq, 1, &rg, &err) != 1 || (record && rg.meta_len == 0) || rg.len < 3) {
		fprintf(stderr, "logtool: no event%s at seq %llu\n", record ? " with a metadata record" : "",
			(unsigned long long)seq);
		return 1;
	}
	at = rg.off + (record ? (off_t)rg.meta_len - 1 : (off_t)rg.len - 3);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rg.fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ok = fd >= 0 && pread(fd, &c, 1, at) == 1 && (c ^= 1, pwrite(fd, &c, 1, at) == 1);
	if (!ok)
		fprintf(stderr, "logtool: cannot change a byte of seq %llu: %s\n", (unsigned long long)seq,
			strerror(errno));
	if (fd >= 0)
		close(fd);
	sse_log_close(log);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sse_err err;

	if (argc >= 6 && strcmp(argv[1], "publish") == 0)
		return publish(argv[2], argv[3], argv[4], atol(argv[5]), argc > 6 ? atol(argv[6]) : 1,
			       argc > 7 ? atol(argv[7]) : 0);
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "follow") == 0)
		return follow(argv[2], argv[3], atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "corrupt") == 0 &&
	    (strcmp(argv[5], "record") == 0 || strcmp(argv[5], "wire") == 0))
		return corrupt(argv[2], argv[3], strtoull(argv[4], NULL, 10), strcmp(argv[5], "record") == 0);
	if (argc == 4 && strcmp(argv[1], "unclean") == 0) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[2], argv[3]);
		if (sse_log_mark_unclean(dir, &err) < 0) {
			fprintf(stderr, "logtool: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "open") == 0) {
		struct sse_log *log = open_log(argv[2], argv[3]);
		struct sse_log_head h;

		if (sse_log_note(log))
			printf("note %s\n", sse_log_note(log));
		sse_log_head(log, &h);
		printf("next %llu\n", (unsigned long long)h.next_id);
		sse_log_close(log);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of test/tools/logtool.c\n");
	return 2;
}
