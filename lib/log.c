/* The channel log: creating, opening, appending, committing. Layout and
 * protocol: log_layout.h and lib/README.md. */
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/file.h>
#include <zlib.h>

#include "format.h"
#include "io.h"
#include "log_layout.h"
#include "meta.h"

const char *sse_log_path(struct sse_log *log, const char *name)
{
	if (sse_path(log->path, log->path_cap, NULL, "%s/log/%s", log->dir, name) < 0)
		log->path[0] = '\0';
	return log->path;
}

const char *sse_log_seg_name(struct sse_log *log, uint64_t seg)
{
	char name[40];

	snprintf(name, sizeof(name), "seg-%020llu", (unsigned long long)seg);
	return sse_log_path(log, name);
}

/* --- creation and opening -------------------------------------------- */

int sse_log_init(const char *dir, unsigned long history, struct sse_err *err)
{
	char path[PATH_MAX];
	struct hdr h;
	uint64_t cap = (uint64_t)history + 2 + BATCH_MAX;
	off_t size = HDR_SIZE + (off_t)(cap * sizeof(struct entry));
	int fd;

	snprintf(path, sizeof(path), "%s/log", dir);
	if (sse_mkdir(path, 02775, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/log/hwm", dir);
	if (sse_log_hwm_write(path, 1, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/log/index", dir);
	fd = sse_open(path, O_RDWR | O_CREAT | O_EXCL, SSE_LOG_FILE_MODE, err);
	if (fd < 0)
		return -1;
	if (fchmod(fd, SSE_LOG_FILE_MODE) < 0) {
		sse_err_sys(err, "cannot set the mode of '%s'", path);
		goto fail;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, LOG_MAGIC, sizeof(h.magic));
	h.version = LOG_VERSION;
	h.entry_size = sizeof(struct entry);
	h.history = history;
	h.capacity = cap;
	atomic_init(&h.seq, 0);
	atomic_init(&h.floor_id, 1);
	atomic_init(&h.reserved, 1);
	atomic_init(&h.pending_seq, 0);
	atomic_init(&h.pending, 0);
	sse_log_boot_id(h.boot_id);
	if (ftruncate(fd, size) < 0) {
		sse_err_sys(err, "cannot size '%s'", path);
		goto fail;
	}
	/* Blocks now, not at the first store into a page of the map: on a
	 * full disk that store would be a SIGBUS instead of an error. */
	if ((errno = posix_fallocate(fd, 0, size)) != 0) {
		sse_err_sys(err, "cannot allocate '%s'", path);
		goto fail;
	}
	if (sse_pwrite_all(fd, &h, sizeof(h), 0, path, err) < 0)
		goto fail;
	/* The layout must survive power loss: recovery trusts magic and sizes. */
	if (fsync(fd) < 0) {
		sse_err_sys(err, "cannot sync '%s'", path);
		goto fail;
	}
	sse_close(fd);
	return 0;
fail:
	sse_close(fd);
	return -1;
}

static int map_index(struct sse_log *log, struct sse_err *err)
{
	struct hdr h;
	struct stat st;
	void *p;

	if (sse_pread_all(log->index_fd, &h, sizeof(h), 0, log->watch, err) < 0)
		return -1;
	/* A later release's log: its writers may store what this one would
	 * send as wire bytes (as 0.2 would a version 2 record), so the admin
	 * is told to upgrade, not that the log is broken. Far beyond (not a
	 * version any release wrote) is damage, said below. */
	if (memcmp(h.magic, LOG_MAGIC, sizeof(h.magic)) == 0 && h.version > LOG_VERSION &&
	    h.version < 1000)
		return sse_err_set(err, "'%s' is a channel log of version %u, newer than sse-cgi %s reads (up to %d): "
				   "upgrade every program that uses the spool to the release that wrote it",
				   log->watch, h.version, SSE_VERSION, LOG_VERSION);
	if (memcmp(h.magic, LOG_MAGIC, sizeof(h.magic)) != 0 ||
	    (h.version != LOG_VERSION && h.version != LOG_VERSION_0_2) ||
	    h.entry_size != sizeof(struct entry) || h.history == 0 ||
	    h.capacity != h.history + 2 + BATCH_MAX)
		return sse_err_set(err, "'%s' is not a channel log of this version", log->watch);
	/* Damaged sizes must not wrap: capacity * 32 (a map smaller than the
	 * ring), or seq (ids and the readers' checks go round). */
	if (h.history > (1ull << 40) || atomic_load(&h.seq) >= (1ull << 62))
		return sse_err_set(err, "'%s' is damaged: impossible sizes in its header", log->watch);
	if (fstat(log->index_fd, &st) < 0)
		return sse_err_sys(err, "cannot stat '%s'", log->watch);
	log->map_len = HDR_SIZE + h.capacity * sizeof(struct entry);
	if ((uint64_t)st.st_size < log->map_len)
		return sse_err_set(err, "'%s' is truncated", log->watch);
	p = mmap(NULL, log->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, log->index_fd, 0);
	if (p == MAP_FAILED)
		return sse_err_sys(err, "cannot map '%s'", log->watch);
	log->hdr = p;
	log->ent = (struct entry *)(void *)((char *)p + HDR_SIZE);
	log->cap = h.capacity;
	log->history = h.history;
	/* A 0.2 log is a version 2 log without metadata records: it is read
	 * as it is, and marked so that 0.2 programs, which would send such a
	 * record as wire bytes, refuse it from now on. */
	if (h.version == LOG_VERSION_0_2)
		log->hdr->version = LOG_VERSION;
	return 0;
}

static int check_dir(const char *path, struct sse_err *err)
{
	int fd = sse_open(path, O_RDONLY | O_DIRECTORY, 0, err);

	if (fd < 0)
		return -1;
	sse_close(fd);
	return 0;
}

static int lock_raw(struct sse_log *log, struct sse_err *err);
static int resolve_take(struct sse_log *log, struct sse_err *err);

struct sse_log *sse_log_open(const char *dir, int sync, struct sse_err *err)
{
	struct sse_log *log;
	atomic_uint_least64_t probe;

	if (!atomic_is_lock_free(&probe)) {
		sse_err_set(err, "this CPU has no lock-free 64-bit atomics: the shared log cannot work");
		return NULL;
	}
	size_t len = strlen(dir), cap = len + 64;

	log = calloc(1, sizeof(*log) + 3 * cap);
	if (!log) {
		sse_err_set(err, "out of memory opening the log of '%s'", dir);
		return NULL;
	}
	log->dir = (char *)(log + 1);
	log->path = log->dir + cap;
	log->watch = log->path + cap;
	log->path_cap = cap;
	memcpy(log->dir, dir, len + 1);
	log->sync = sync;
	log->index_fd = log->wseg_fd = log->rseg_fd = -1;
	snprintf(log->watch, cap, "%s/log/index", dir);
	/* The channel and log/ directories as well as the files (sse_open) must
	 * not be links planted to lead out of the spool. */
	if (check_dir(dir, err) < 0 ||
	    sse_path(log->path, log->path_cap, err, "%s/log", dir) < 0 || check_dir(log->path, err) < 0)
		goto fail;
	log->index_fd = sse_open(log->watch, O_RDWR, 0, err);
	if (log->index_fd < 0 || map_index(log, err) < 0)
		goto fail;
	/* Only a reboot can lose writes that a crash of a process keeps (the
	 * page cache survives it), so recovery runs once per boot, and before
	 * a pending drop-box take is judged against the recovered log. */
	if (lock_raw(log, err) < 0)
		goto fail;
	sse_log_boot_id(log->boot);
	if ((memcmp(log->hdr->boot_id, log->boot, BOOT_ID_LEN) != 0 && sse_log_recover(log, err) < 0) ||
	    (LD(log->hdr->pending) && resolve_take(log, err) < 0)) {
		(void)sse_log_unlock(log, NULL);
		goto fail;
	}
	if (sse_log_unlock(log, err) < 0)
		goto fail;
	return log;
fail:
	sse_log_close(log);
	return NULL;
}

void sse_log_close(struct sse_log *log)
{
	if (!log)
		return;
	if (log->hdr)
		munmap(log->hdr, log->map_len);
	sse_close(log->index_fd);
	sse_close(log->wseg_fd);
	sse_close(log->rseg_fd);
	free(log->buf);
	free(log);
}

const char *sse_log_note(const struct sse_log *log)
{
	return log->note[0] ? log->note : NULL;
}

const char *sse_log_watch_path(const struct sse_log *log)
{
	return log->watch;
}

/* --- writing ------------------------------------------------------------ */

/* A take is resolved by the very next locker, before anything else is
 * appended, so "seq moved past pending_seq" means exactly "its events were
 * committed". */
static int resolve_take(struct sse_log *log, struct sse_err *err)
{
	char taking[PATH_MAX], back[PATH_MAX];
	uint64_t at = LD(log->hdr->pending_seq);

	snprintf(taking, sizeof(taking), "%s/incoming/%s", log->dir, SSE_TAKING_NAME);
	if (LD(log->hdr->seq) > at) {
		if (unlink(taking) < 0 && errno != ENOENT)
			return sse_err_sys(err, "cannot remove '%s'", taking);
	} else {
		snprintf(back, sizeof(back), "%s/incoming/retaken-%llu-%d", log->dir,
			 (unsigned long long)at, (int)getpid());
		if (rename(taking, back) < 0 && errno != ENOENT)
			return sse_err_sys(err, "cannot rename '%s'", taking);
	}
	ST(log->hdr->pending, 0);
	return 0;
}

static int lock_raw(struct sse_log *log, struct sse_err *err)
{
	while (flock(log->index_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return sse_err_sys(err, "cannot lock '%s'", log->watch);
	log->locked = 1;
	log->wrote = 0;
	log->wseq = committed(log);
	/* An index made sparse (by an older version, or copied) gets its
	 * blocks before this process first stores into the map (a store into
	 * a hole of a full disk is a SIGBUS). Here, once per writer, not at
	 * open: readers only load, and fallocate raises IN_MODIFY, which would
	 * wake every reader at each open (on compressing filesystems st_blocks
	 * stays small however allocated). */
	if (!log->allocated) {
		struct stat st;

		log->allocated = 1;
		if (fstat(log->index_fd, &st) == 0 && (uint64_t)st.st_blocks * 512 < log->map_len)
			(void)posix_fallocate(log->index_fd, 0, (off_t)log->map_len);
	}
	return 0;
}

int sse_log_lock(struct sse_log *log, struct sse_err *err)
{
	if (lock_raw(log, err) < 0)
		return -1;
	if (LD(log->hdr->pending) && resolve_take(log, err) < 0) {
		log->locked = 0;
		(void)flock(log->index_fd, LOCK_UN);
		return -1;
	}
	return 0;
}

void sse_log_take_begin(struct sse_log *log)
{
	ST(log->hdr->pending_seq, log->wseq);
	ST(log->hdr->pending, 1);
}

int sse_log_take_rollback(struct sse_log *log)
{
	uint64_t start = LD(log->hdr->pending_seq);

	if (LD(log->hdr->seq) != start)
		return -1;
	/* Uncommitted entries and segment bytes are rewritten by the next
	 * append (a segment it starts is created with O_TRUNC). */
	log->wseq = start;
	return 0;
}

void sse_log_take_end(struct sse_log *log)
{
	ST(log->hdr->pending, 0);
}

uint64_t sse_log_next_id(const struct sse_log *log, uint64_t seq)
{
	uint64_t floor = LD(log->hdr->floor_id), last;

	if (seq == 0)
		return floor;
	last = LD(slot(log, seq - 1)->id) + 1;
	return last > floor ? last : floor;
}

static int commit(struct sse_log *log)
{
	atomic_store_explicit(&log->hdr->seq, log->wseq, memory_order_release);
	/* After the store: killed in between, the next event is flagged too,
	 * which costs a spurious sse-gap at worst, never a silent loss. */
	if (LD(log->hdr->hole))
		ST(log->hdr->hole, 0);
	return 0;
}

/* Segments wholly older than the history go when a new one starts: one
 * readdir per segment, so trimming costs O(1) per event. */
static void trim(struct sse_log *log)
{
	/* From what readers see (committed), not from this writer's batch: a
	 * reader at the oldest committed event must still find its segment.
	 * That entry is intact: a batch overwrites only older slots. */
	uint64_t seq = LD(log->hdr->seq), oldest = oldest_of(log, seq), keep;
	DIR *d;
	struct dirent *de;

	if (oldest == 0 || oldest >= seq)
		return;
	keep = LD(slot(log, oldest)->seg);
	d = opendir(sse_log_path(log, "."));
	if (!d)
		return; /* trimming is retried at the next segment */
	while ((de = readdir(d)) != NULL) {
		unsigned long long n;

		if (strncmp(de->d_name, "seg-", 4) == 0 &&
		    sse_parse_u64(de->d_name + 4, strlen(de->d_name + 4), &n) == 0 && n < keep)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

static int open_wseg(struct sse_log *log, uint64_t seg, int fresh, struct sse_err *err)
{
	if (log->wseg_fd >= 0 && log->wseg == seg && !fresh)
		return 0;
	/* With SSE_SYNC, unlock syncs only the last segment of a batch. */
	if (log->sync && log->wseg_fd >= 0 && log->wrote && fdatasync(log->wseg_fd) < 0)
		return sse_err_sys(err, "cannot sync '%s'", sse_log_seg_name(log, log->wseg));
	sse_close(log->wseg_fd);
	log->wseg_fd = -1;
	/* A fresh segment may hold a dead writer's uncommitted bytes: truncate. */
	log->wseg_fd = sse_open(sse_log_seg_name(log, seg), O_WRONLY | O_CREAT | (fresh ? O_TRUNC : 0),
				SSE_LOG_FILE_MODE, err);
	if (log->wseg_fd < 0)
		return -1;
	if (fresh)
		(void)fchmod(log->wseg_fd, SSE_LOG_FILE_MODE);
	log->wseg = seg;
	/* Not only a segment we create: a writer without SSE_SYNC may have
	 * created this one and never synced its directory entry. Once per
	 * segment per process. */
	if (log->sync) {
		int d = sse_open(sse_log_path(log, "."), O_RDONLY | O_DIRECTORY, 0, err);

		if (d < 0)
			return -1;
		if (fsync(d) < 0) {
			sse_close(d);
			return sse_err_sys(err, "cannot sync '%s'", log->path);
		}
		sse_close(d);
		/* log->path names the segment again: the append's errors say it */
		(void)sse_log_seg_name(log, seg);
	}
	return 0;
}

static int reserve_buf(struct sse_log *log, size_t size, struct sse_err *err)
{
	char *nb;

	if (size <= log->buf_cap)
		return 0;
	nb = realloc(log->buf, size);
	if (!nb)
		return sse_err_set(err, "out of memory formatting an event of %zu bytes", size);
	log->buf = nb;
	log->buf_cap = size;
	return 0;
}

int sse_log_append(struct sse_log *log, const struct sse_event *ev,
		   uint64_t *idp, struct sse_err *err)
{
	uint64_t seq = log->wseq, id, seg = seq, off = 0, limit;
	size_t size, meta = 0;
	struct entry *e;
	int fresh = 1;
	char gen[SSE_HUB_ID_GEN_LEN];

	if (!log->locked)
		return sse_err_set(err, "log of '%s' appended without its lock", log->dir);
	if (seq - LD(log->hdr->seq) >= BATCH_MAX)
		commit(log);
	id = sse_log_next_id(log, seq);
	if (id >= LD(log->hdr->reserved) && sse_log_reserve(log, id, err) < 0)
		return -1;
	size = sse_format_size(ev, id);
	if (sse_meta_wanted(ev)) {
		const char *hid = ev->hub_id.p;
		size_t hlen = ev->hub_id.len;

		if (hlen == 0) {
			if (sse_meta_gen_id(gen, err) < 0)
				return -1;
			hid = gen;
			hlen = SSE_HUB_ID_GEN_LEN;
		}
		meta = sse_meta_size(ev, hlen, err);
		if (meta == 0)
			return -1;
		if (reserve_buf(log, meta + size, err) < 0)
			return -1;
		sse_meta_encode(ev, hid, hlen, log->buf);
	}
	if (size > 0x7fffffffu - meta)
		return sse_err_set(err, "event too large for the log of '%s'", log->dir);
	if (reserve_buf(log, meta + size, err) < 0)
		return -1;
	sse_format(ev, id, log->buf + meta);
	size += meta;
	limit = log->history > SEG_MIN_EVENTS ? log->history : SEG_MIN_EVENTS;
	if (seq > 0) {
		e = slot(log, seq - 1);
		seg = LD(e->seg);
		off = (LD(e->offlen) >> 32) + (LD(e->offlen) & 0xffffffffu);
		fresh = 0;
		if ((off > 0 && off + size > SEG_BYTES) || seq - seg >= limit) {
			seg = seq;
			off = 0;
			fresh = 1;
		}
	}
	if (open_wseg(log, seg, fresh, err) < 0 ||
	    sse_pwrite_all(log->wseg_fd, log->buf, size, (off_t)off, log->path, err) < 0)
		return -1;
	e = slot(log, seq);
	/* Seqlock writer: the slot being refilled (an event older than the
	 * history) must not look rewritten before the commits that retired it;
	 * readers pair this with the acquire fence in still_valid(). */
	atomic_thread_fence(memory_order_release);
	ST(e->id, id);
	ST(e->seg, seg);
	ST(e->offlen, off << 32 | size);
	ST(e->crc, (uint64_t)crc32(0L, (const Bytef *)log->buf, (uInt)size) |
		   (LD(log->hdr->hole) ? HOLE : 0) | (uint64_t)meta << META_SHIFT);
	log->wseq = seq + 1;
	log->wrote = 1;
	if (fresh && seq > 0)
		trim(log);
	if (idp)
		*idp = id;
	return 0;
}

int sse_log_commit(struct sse_log *log, struct sse_err *err)
{
	if (!log->wrote || LD(log->hdr->seq) == log->wseq)
		return 0;
	commit(log);
	if (log->sync) {
		if (fdatasync(log->wseg_fd) < 0)
			return sse_err_sys(err, "cannot sync '%s'", sse_log_seg_name(log, log->wseg));
		if (msync(log->hdr, log->map_len, MS_SYNC) < 0)
			return sse_err_sys(err, "cannot sync '%s'", log->watch);
	}
	return 0;
}

int sse_log_unlock(struct sse_log *log, struct sse_err *err)
{
	int rc = 0;
	unsigned char t = 0;

	if (!log->locked)
		return 0;
	if (log->wrote) {
		rc = sse_log_commit(log, err);
		/* Stores into the map raise no inotify event; this write does. */
		if (sse_pwrite_all(log->index_fd, &t, 1, offsetof(struct hdr, tick), log->watch,
				   rc < 0 ? NULL : err) < 0)
			rc = -1;
	}
	log->locked = 0;
	while (flock(log->index_fd, LOCK_UN) < 0)
		if (errno != EINTR)
			return sse_err_sys(err, "cannot unlock '%s'", log->watch);
	return rc;
}

int sse_log_publish(struct sse_log *log, const struct sse_event *ev,
		    uint64_t *id, struct sse_err *err)
{
	if (sse_log_lock(log, err) < 0)
		return -1;
	if (sse_log_append(log, ev, id, err) < 0) {
		(void)sse_log_unlock(log, NULL);
		return -1;
	}
	return sse_log_unlock(log, err);
}

