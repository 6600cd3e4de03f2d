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
 * Exit 0 when every check held, 3 on a violation (described on stderr). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "io.h"
#include "log.h"
#include "spool.h"
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
		uint64_t n = 0;
		for (char *p = r->buf; p < r->buf + rg.len; n++) {
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
