/* libpub: the producers of the crash harness (test/harden/crash.sh). Every
 * event's data is one self-checking line "TAG SEQ LEN CRC PAYLOAD" (LEN
 * random letters, CRC their crc32: logtool's format, so `logtool verify` and
 * the client checker tell a torn event from a whole one).
 *   libpub publish SPOOL CH TAG FIRST N [PAUSE_US]
 *       through the public API (lib/sse.h); "ack ID TAG SEQ" after each
 *       publish returned
 *   libpub gen TAG FIRST N raw|line [PAUSE_US]
 *       the events on stdout: raw: "data: LINE" + blank line (sse-publish
 *       --raw's input); line: LINE only (one sse-publish argument each)
 *   libpub fifo PATH TAG FIRST N [PAUSE_US]
 *       each event in one write(2) into the pipe; "wrote TAG SEQ" after it
 *   libpub dropbox DIR TAG FIRST N [PAUSE_US]
 *       each event written to DIR/.TAG-SEQ, then renamed to DIR/TAG-SEQ;
 *       "wrote TAG SEQ" after the rename
 * Output is flushed per line: a SIGKILL loses at most the line of the event
 * in flight, never acknowledges one that was not done. Exit 0, 1 on a
 * failure (one line on stderr), 2 on bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sse.h"

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

/* One event's data line, without a line end; returns its length. */
static size_t make_line(char *buf, size_t cap, const char *tag, long seq)
{
	char payload[600];
	size_t len = rnd() % sizeof(payload);
	int n;

	for (size_t k = 0; k < len; k++)
		payload[k] = (char)('a' + rnd() % 26);
	n = snprintf(buf, cap, "%s %ld %zu %lu %.*s", tag, seq, len,
		     crc32(0L, (const Bytef *)payload, (uInt)len), (int)len, payload);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int write_all(int fd, const char *buf, size_t len, const char *what)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "libpub: cannot write '%s': %s\n", what, strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void pause_us(long us)
{
	if (us > 0)
		usleep((useconds_t)us);
}

static int publish(const char *spool, const char *ch, const char *tag, long first, long n, long us)
{
	char err[256], line[1024];
	sse_channel *c = sse_channel_open(spool, ch, 0, 0, err, sizeof(err));

	if (!c) {
		fprintf(stderr, "libpub: %s\n", err);
		return 1;
	}
	for (long i = first; i < first + n; i++) {
		uint64_t id;
		size_t len = make_line(line, sizeof(line), tag, i);

		if (sse_channel_publish(c, NULL, line, len, &id, err, sizeof(err)) < 0) {
			fprintf(stderr, "libpub: %s\n", err);
			sse_channel_close(c);
			return 1;
		}
		printf("ack %llu %s %ld\n", (unsigned long long)id, tag, i);
		pause_us(us);
	}
	sse_channel_close(c);
	return 0;
}

static int gen(const char *tag, long first, long n, int raw, long us)
{
	char line[1024];

	for (long i = first; i < first + n; i++) {
		size_t len = make_line(line, sizeof(line), tag, i);

		if (printf(raw ? "data: %.*s\n\n" : "%.*s\n", (int)len, line) < 0 || fflush(stdout) != 0)
			return 1; /* the reader went away */
		pause_us(us);
	}
	return 0;
}

static int fifo(const char *path, const char *tag, long first, long n, long us)
{
	char ev[1100] = "data: ";
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "libpub: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	for (long i = first; i < first + n; i++) {
		size_t len = 6 + make_line(ev + 6, sizeof(ev) - 8, tag, i);

		/* One write of at most PIPE_BUF bytes: never interleaved. */
		memcpy(ev + len, "\n\n", 2);
		if (write_all(fd, ev, len + 2, path) < 0)
			return 1;
		printf("wrote %s %ld\n", tag, i);
		pause_us(us);
	}
	close(fd);
	return 0;
}

static int dropbox(const char *dir, const char *tag, long first, long n, long us)
{
	char ev[1100] = "data: ", tmp[4096], name[4096];

	for (long i = first; i < first + n; i++) {
		size_t len = 6 + make_line(ev + 6, sizeof(ev) - 8, tag, i);
		int fd;

		snprintf(tmp, sizeof(tmp), "%s/.%s-%ld", dir, tag, i);
		snprintf(name, sizeof(name), "%s/%s-%ld", dir, tag, i);
		memcpy(ev + len, "\n", 1);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "libpub: cannot create '%s': %s\n", tmp, strerror(errno));
			return 1;
		}
		if (write_all(fd, ev, len + 1, tmp) < 0 || close(fd) < 0)
			return 1;
		if (rename(tmp, name) < 0) {
			fprintf(stderr, "libpub: cannot rename '%s': %s\n", tmp, strerror(errno));
			return 1;
		}
		printf("wrote %s %ld\n", tag, i);
		pause_us(us);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 7 || argc == 8) && strcmp(cmd, "publish") == 0)
		return publish(argv[2], argv[3], argv[4], atol(argv[5]), atol(argv[6]),
			       argc > 7 ? atol(argv[7]) : 0);
	if ((argc == 6 || argc == 7) && strcmp(cmd, "gen") == 0 &&
	    (strcmp(argv[5], "raw") == 0 || strcmp(argv[5], "line") == 0))
		return gen(argv[2], atol(argv[3]), atol(argv[4]), strcmp(argv[5], "raw") == 0,
			   argc > 6 ? atol(argv[6]) : 0);
	if ((argc == 6 || argc == 7) && strcmp(cmd, "fifo") == 0)
		return fifo(argv[2], argv[3], atol(argv[4]), atol(argv[5]), argc > 6 ? atol(argv[6]) : 0);
	if ((argc == 6 || argc == 7) && strcmp(cmd, "dropbox") == 0)
		return dropbox(argv[2], argv[3], atol(argv[4]), atol(argv[5]), argc > 6 ? atol(argv[6]) : 0);
	fprintf(stderr, "usage: see the comment at the top of test/tools/libpub.c\n");
	return 2;
}
