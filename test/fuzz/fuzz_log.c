/* The channel log on corrupted files (lib/log.c, lib/log_read.c,
 * lib/log_recover.c): whatever the disk holds after a crash, a bad disk or
 * a careless hand, opening, recovering, seeking and reading must refuse or
 * skip bad events cleanly, never crash, never read outside a segment.
 * Input: a flags byte, then the files of log/ separated by SEP: index, hwm,
 * then segments, each "N:" (its seq, decimal) and its bytes. They are
 * written into a directory on /dev/shm made once per process. Flags: bit 0
 * marks the index as after a reboot, so the open recovers it (else it is
 * made this boot's, so no recovery runs: the readers face the corruption
 * directly); bit 1 appends an event after the open. Asserts, beyond "no crash":
 *   - after a recovery, every retained event reads back whole from its
 *     segment with its crc, ids strictly increasing, below the next id,
 *     which is at least the high-water mark;
 *   - without one, a range read either fails with a message or returns
 *     what the entries say, inside the segment;
 *   - seeking any id lands within the retained events;
 *   - an event appended after a recovery reads back with its crc and the
 *     id it was given. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "io.h"
#include "log.h"
#include "log_layout.h"

#define SEP "\n--sse-fuzz-file--\n"

static char dir[64], logdir[80];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/dev/shm/sse-fuzz-log.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(logdir, sizeof(logdir), "%s/log", dir);
	CHECK(mkdir(logdir, 0700) == 0);
}

/* The directory is removed when the process ends: libFuzzer exits
 * through exit() after a run, and a crash leaves it for inspection. */
static void empty(void)
{
	DIR *d = opendir(logdir);
	struct dirent *e;
	char p[400];

	CHECK(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", logdir, e->d_name);
			CHECK(unlink(p) == 0);
		}
	closedir(d);
}

static void cleanup(void)
{
	empty();
	rmdir(logdir);
	rmdir(dir);
}

static void put(const char *name, const uint8_t *b, size_t n)
{
	char p[400];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", logdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(n == 0 || write(fd, b, n) == (ssize_t)n);
	close(fd);
}

/* The next file of the input: [*at, its end), *at moved past SEP. */
static size_t next_file(const uint8_t *d, size_t n, size_t *at, const uint8_t **f)
{
	const uint8_t *s = memmem(d + *at, n - *at, SEP, sizeof(SEP) - 1);
	size_t len = s ? (size_t)(s - d) - *at : n - *at;

	*f = d + *at;
	*at += len + (s ? sizeof(SEP) - 1 : 0);
	return len;
}

/* The boot id is set either way, so an input does the same on any boot. */
static void write_files(const uint8_t *d, size_t n, int unclean)
{
	const uint8_t *f;
	size_t at = 0, len;

	len = next_file(d, n, &at, &f);
	if (len >= sizeof(struct hdr)) {
		uint8_t *idx = malloc(len);
		char boot[BOOT_ID_LEN];

		CHECK(idx != NULL);
		memcpy(idx, f, len);
		sse_log_boot_id(boot);
		if (unclean)
			memset(boot, '?', BOOT_ID_LEN);
		memcpy(idx + offsetof(struct hdr, boot_id), boot, BOOT_ID_LEN);
		put("index", idx, len);
		free(idx);
	} else {
		put("index", f, len);
	}
	if (at >= n)
		return;
	len = next_file(d, n, &at, &f);
	put("hwm", f, len);
	for (int segs = 0; at < n && segs < 16; segs++) {
		const uint8_t *colon;
		char name[40];
		unsigned long long seq = 0;

		len = next_file(d, n, &at, &f);
		colon = memchr(f, ':', len);
		if (!colon || colon == f || sse_parse_u64((const char *)f, (size_t)(colon - f), &seq) < 0)
			continue;
		snprintf(name, sizeof(name), "seg-%020llu", seq);
		put(name, colon + 1, len - (size_t)(colon + 1 - f));
	}
}

/* Reads every retained event; with strict, each must be whole and match
 * its crc. */
static void read_all(struct sse_log *log, int strict)
{
	struct sse_log_head h;
	uint64_t prev = 0;

	sse_log_head(log, &h);
	CHECK(h.oldest_seq <= h.seq && h.seq - h.oldest_seq <= h.history);
	for (uint64_t s = h.oldest_seq; s < h.seq;) {
		struct sse_log_range r;
		struct sse_err err = { .msg = "" };
		int rc = sse_log_range(log, s, 65536, &r, &err);
		char *buf;
		struct stat st;
		size_t off = 0;

		if (strict)
			CHECK(rc == 1);
		if (rc != 1) {
			CHECK(rc != -1 || err.msg[0]);
			s++;
			continue;
		}
		CHECK(r.count >= 1 && s + r.count <= h.seq);
		CHECK(fstat(r.fd, &st) == 0);
		/* What stream.c and fcgi/chan.c do: one pread of the range. */
		if (r.len > (size_t)1 << 24) {
			CHECK(!strict);
			s += r.count;
			continue;
		}
		buf = malloc(r.len ? r.len : 1);
		CHECK(buf != NULL);
		if (sse_pread_all(r.fd, buf, r.len, r.off, "log segment", &err) < 0) {
			CHECK(!strict && err.msg[0]);
			CHECK((uint64_t)r.off + r.len > (uint64_t)st.st_size);
			free(buf);
			s += r.count;
			continue;
		}
		for (uint64_t k = s; k < s + r.count; k++) {
			struct entry *e = slot(log, k);
			size_t len = (size_t)(LD(e->offlen) & 0xffffffffu);

			CHECK(off + len <= r.len);
			if (strict) {
				CHECK(len > 0 && LD(e->id) > prev && LD(e->id) < h.next_id);
				CHECK(crc32(0L, (const Bytef *)buf + off, (uInt)len) == (LD(e->crc) & 0xffffffffu));
				prev = LD(e->id);
			}
			off += len;
		}
		CHECK(off == r.len);
		free(buf);
		s += r.count;
	}
}

static void seek_some(struct sse_log *log)
{
	struct sse_log_head h;
	uint64_t ids[6];

	sse_log_head(log, &h);
	ids[0] = 0;
	ids[1] = UINT64_MAX;
	ids[2] = h.oldest_id;
	ids[3] = h.oldest_id - 1;
	ids[4] = h.newest_id;
	ids[5] = h.next_id;
	for (int i = 0; i < 6; i++) {
		uint64_t seq = UINT64_MAX;
		int gap = -1;

		sse_log_seek(log, ids[i], &seq, &gap);
		CHECK(seq >= h.oldest_seq && seq <= h.seq && (gap == 0 || gap == 1));
	}
}

static void append_one(struct sse_log *log, int strict)
{
	static const char data[] = "after the damage";
	struct sse_event ev = { .name = "fuzz", .name_len = 4, .data = data,
				.data_len = sizeof(data) - 1, .retry = -1 };
	struct sse_err err = { .msg = "" };
	struct sse_log_head before, after;
	uint64_t id = 0;

	sse_log_head(log, &before);
	if (sse_log_publish(log, &ev, &id, &err) < 0) {
		CHECK(err.msg[0] != '\0');
		return;
	}
	sse_log_head(log, &after);
	if (!strict)
		return;
	CHECK(id >= before.next_id && after.newest_id == id && after.seq == before.seq + 1);
	read_all(log, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sse_err err = { .msg = "" };
	struct sse_log *log;
	uint64_t hwm = 0;
	int recovered;

	if (size < 1)
		return 0;
	if (!dir[0]) {
		setup();
		atexit(cleanup);
	}
	empty();
	write_files(data + 1, size - 1, data[0] & 1);
	log = sse_log_open(dir, 0, &err);
	if (!log) {
		CHECK(err.msg[0] != '\0');
		return 0;
	}
	recovered = sse_log_note(log) != NULL;
	if (recovered) {
		struct sse_log_head h;
		char b[32];
		int fd = open(sse_log_path(log, "hwm"), O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, b, sizeof(b) - 1) : -1;

		CHECK(n > 0);
		b[n] = '\0';
		hwm = strtoull(b, NULL, 10);
		close(fd);
		sse_log_head(log, &h);
		CHECK(h.next_id >= hwm);
	}
	read_all(log, recovered);
	seek_some(log);
	if (data[0] & 2)
		append_one(log, recovered);
	sse_log_close(log);
	return 0;
}
