/* The channel log's durability across reboots: ids reserved ahead in a
 * durably written high-water mark, and the recovery the first opener runs
 * after a reboot (lib/README.md, "Recovery"). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io.h"
#include "log_layout.h"

/* The boot this process runs in; per call, not cached in a static, so
 * threads of a libsse user share nothing. Without /proc it reads as dashes
 * and recovery cannot tell a reboot (doc/testing.md: what is not guaranteed). */
void sse_log_boot_id(char out[BOOT_ID_LEN])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	memset(out, '-', BOOT_ID_LEN);
	if (fd >= 0) {
		if (read(fd, out, BOOT_ID_LEN) != BOOT_ID_LEN)
			memset(out, '-', BOOT_ID_LEN);
		close(fd);
	}
}

/* --- durable id reservation ------------------------------------------ */

static int hwm_read(struct sse_log *log, uint64_t *out, struct sse_err *err)
{
	char buf[32];
	unsigned long long v;
	int fd = sse_open(sse_log_path(log, "hwm"), O_RDONLY, 0, err);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = sse_read_upto(fd, buf, sizeof(buf), log->path, err);
	sse_close(fd);
	if (n < 0)
		return n == -2 ? sse_err_set(err, "bad high-water mark in '%s'", log->path) : -1;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	if (sse_parse_u64(buf, (size_t)n, &v) < 0)
		return sse_err_set(err, "bad high-water mark in '%s'", log->path);
	*out = v;
	return 0;
}

/* Fixed width, so the rewrite is one small write within one sector. */
int sse_log_hwm_write(const char *path, uint64_t v, struct sse_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020llu\n", (unsigned long long)v);
	int fd = sse_open(path, O_WRONLY | O_CREAT, SSE_LOG_FILE_MODE, err);

	if (fd < 0)
		return -1;
	(void)fchmod(fd, SSE_LOG_FILE_MODE); /* group producers: not the umask's call */
	if (sse_pwrite_all(fd, buf, (size_t)n, 0, path, err) < 0) {
		sse_close(fd);
		return -1;
	}
	if (fdatasync(fd) < 0) {
		sse_err_sys(err, "cannot sync '%s'", path);
		sse_close(fd);
		return -1;
	}
	sse_close(fd);
	return 0;
}

int sse_log_reserve(struct sse_log *log, uint64_t id, struct sse_err *err)
{
	uint64_t r = id + ID_BLOCK;

	/* Only a damaged log/hwm gets here (2^64 ids): wrapping would reuse ids. */
	if (r < id)
		return sse_err_set(err, "no event ids left in '%s': its high-water mark is damaged",
				   sse_log_path(log, "hwm"));
	if (sse_log_hwm_write(sse_log_path(log, "hwm"), r, err) < 0)
		return -1;
	ST(log->hdr->reserved, r);
	return 0;
}


/* --- recovery after a reboot ------------------------------------------ */

/* prev: the entry before, already found intact, or NULL; hwm: the durable
 * high-water mark of ids. Readers send the events of one segment as one
 * range, so they must lie where the writer puts them: each right after the
 * one before, a new segment from 0. */
static int entry_intact(struct sse_log *log, uint64_t s, const struct entry *prev, uint64_t hwm)
{
	struct entry *e = slot(log, s);
	uint64_t ol = LD(e->offlen);
	size_t len = (size_t)(ol & 0xffffffffu);
	off_t off = (off_t)(ol >> 32);
	struct stat st;
	int fd, ok = 0;
	char *buf;

	/* Every id handed out was below the durable mark first. */
	if (len == 0 || LD(e->id) == 0 || LD(e->id) >= hwm)
		return 0;
	if (prev) {
		uint64_t pol = LD(prev->offlen);

		if (LD(e->id) <= LD(prev->id))
			return 0;
		if (LD(e->seg) == LD(prev->seg) ? (uint64_t)off != (pol >> 32) + (pol & 0xffffffffu)
						 : off != 0)
			return 0;
	}
	fd = open(sse_log_seg_name(log, LD(e->seg)), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	/* The size first: a damaged entry may claim up to 4 GiB. */
	if (fstat(fd, &st) == 0 && st.st_size >= off + (off_t)len && (buf = malloc(len)) != NULL) {
		if (pread(fd, buf, len, off) == (ssize_t)len)
			ok = crc32(0L, (const Bytef *)buf, (uInt)len) == (LD(e->crc) & 0xffffffffu);
		free(buf);
	}
	close(fd);
	return ok;
}

/* Keeps the longest intact prefix of the retained events and moves the next
 * id past everything that was reserved, so no id handed out before the
 * power loss (even one whose event was lost) is ever used again. */
int sse_log_recover(struct sse_log *log, struct sse_err *err)
{
	struct hdr *h = log->hdr;
	uint64_t seq = LD(h->seq), oldest = oldest_of(log, seq);
	uint64_t s, prev = 0, hwm = 0, floor;

	if (hwm_read(log, &hwm, err) < 0)
		return -1;
	for (s = oldest; s < seq; s++) {
		if (!entry_intact(log, s, s > oldest ? slot(log, s - 1) : NULL, hwm))
			break;
		prev = LD(slot(log, s)->id);
	}
	floor = LD(h->floor_id);
	if (hwm > floor)
		floor = hwm;
	if (prev + 1 > floor)
		floor = prev + 1;
	ST(h->floor_id, floor);
	ST(h->reserved, hwm);
	/* Events may have existed (and been seen) up to the mark: a client
	 * resuming across the jump is told (sse-gap). */
	ST(h->hole, 1);
	/* Dropping the broken tail must not bring back into the history the
	 * events before the checked ones. */
	ST(h->low_seq, oldest);
	atomic_store_explicit(&h->seq, s, memory_order_release);
	memcpy(h->boot_id, log->boot, BOOT_ID_LEN);
	if (msync(h, log->map_len, MS_SYNC) < 0)
		return sse_err_sys(err, "cannot sync '%s'", log->watch);
	snprintf(log->note, sizeof(log->note),
		 "recovered channel log '%.300s' after a system restart: %llu of %llu retained events intact, ids resume at %llu",
		 log->watch, (unsigned long long)(s - oldest), (unsigned long long)(seq - oldest),
		 (unsigned long long)floor);
	return 0;
}

int sse_log_mark_unclean(const char *dir, struct sse_err *err)
{
	struct sse_log *log = sse_log_open(dir, 0, err);

	if (!log)
		return -1;
	if (sse_log_lock(log, err) < 0) {
		sse_log_close(log);
		return -1;
	}
	memset(log->hdr->boot_id, '?', BOOT_ID_LEN);
	(void)sse_log_unlock(log, NULL);
	sse_log_close(log);
	return 0;
}

