/* Channel log. Format and protocol: lib/README.md. In short:
 *   log/index  header page + ring of entries (id, segment, offset, length,
 *              crc), mmap'd MAP_SHARED by every process
 *   log/seg-N  append-only files of wire bytes; N = seq of the first event
 *   log/hwm    ids reserved ahead, written durably before any is used
 * Writers serialise on flock(index). The commit point is one atomic store of
 * hdr->seq; readers read entries and then re-check seq (a seqlock), so they
 * never see a torn or half-written event, whoever is killed when. */
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "format.h"
#include "io.h"

#define LOG_MAGIC "SSELOG\0\1"
#define LOG_VERSION 1
#define HDR_SIZE 4096
#define SEG_BYTES (1u << 20)   /* a segment is closed past this size ... */
#define SEG_MIN_EVENTS 64      /* ... or past max(history, this) events */
#define BATCH_MAX 64           /* uncommitted entries a writer may hold */
#define ID_BLOCK 4096          /* ids reserved per durable hwm write */
#define BOOT_ID_LEN 36
#define SSE_LOG_FILE_MODE 0664   /* group-writable: producers of the group append */

struct hdr {
	char magic[8];
	uint32_t version;
	uint32_t entry_size;
	uint64_t history;
	uint64_t capacity;
	_Atomic uint64_t seq;         /* committed events: the commit point */
	_Atomic uint64_t floor_id;    /* next id is at least this */
	_Atomic uint64_t reserved;    /* ids below this are durably reserved */
	_Atomic uint64_t pending_seq; /* a drop-box take in flight: see below */
	_Atomic uint64_t pending;
	_Atomic uint64_t hole;        /* 1: ids were lost before the next event */
	char boot_id[BOOT_ID_LEN + 4];/* system boot of the last writer */
	unsigned char tick;           /* pwrite target: wakes inotify watchers */
};

struct entry {
	_Atomic uint64_t id;
	_Atomic uint64_t seg;
	_Atomic uint64_t offlen;      /* offset << 32 | length */
	_Atomic uint64_t crc;         /* crc32 | HOLE: ids lost just before it */
};

#define HOLE (1ull << 32)

struct sse_log {
	char *dir;                    /* channel directory */
	char *path;                   /* scratch for file names */
	char *watch;                  /* exact sizes: a stream process is small */
	size_t path_cap;
	int index_fd;
	struct hdr *hdr;
	struct entry *ent;
	size_t map_len;
	uint64_t cap, history;
	int sync, locked;
	uint64_t wseq;                /* next seq this writer fills */
	uint64_t wseg;                /* segment open for writing */
	int wseg_fd, wrote;
	char *buf;                    /* one event's wire bytes */
	size_t buf_cap;
	uint64_t rseg;                /* segment open for reading */
	int rseg_fd;
	char note[512];
	char boot[BOOT_ID_LEN];
};

_Static_assert(sizeof(struct hdr) <= HDR_SIZE, "header fits its page");
_Static_assert(sizeof(struct entry) == 32, "entry layout");

/* The boot this process runs in; per call, not cached in a static, so
 * threads of a libsse user share nothing. Without /proc it reads as dashes
 * and recovery cannot tell a reboot (README: what is not guaranteed). */
static void boot_id(char out[BOOT_ID_LEN])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	memset(out, '-', BOOT_ID_LEN);
	if (fd >= 0) {
		if (read(fd, out, BOOT_ID_LEN) != BOOT_ID_LEN)
			memset(out, '-', BOOT_ID_LEN);
		close(fd);
	}
}

static const char *lpath(struct sse_log *log, const char *name)
{
	if (sse_path(log->path, log->path_cap, NULL, "%s/log/%s", log->dir, name) < 0)
		log->path[0] = '\0';
	return log->path;
}

static const char *seg_name(struct sse_log *log, uint64_t seg)
{
	char name[40];

	snprintf(name, sizeof(name), "seg-%020llu", (unsigned long long)seg);
	return lpath(log, name);
}

static struct entry *slot(const struct sse_log *log, uint64_t seq)
{
	return &log->ent[seq % log->cap];
}

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define ST(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

static uint64_t committed(const struct sse_log *log)
{
	return atomic_load_explicit(&log->hdr->seq, memory_order_acquire);
}

/* Seqlock check: entries from seq s on, read before this call, were not
 * being overwritten. A writer fills at most BATCH_MAX entries past the
 * committed seq, so the ring (capacity history + 2 + BATCH_MAX) leaves
 * everything from seq - history - 1 on alone. */
static int still_valid(const struct sse_log *log, uint64_t s)
{
	atomic_thread_fence(memory_order_acquire);
	return s + log->history + 1 >= committed(log);
}

/* --- durable id reservation ------------------------------------------ */

static int hwm_read(struct sse_log *log, uint64_t *out, struct sse_err *err)
{
	char buf[32];
	unsigned long long v;
	int fd = sse_open(lpath(log, "hwm"), O_RDONLY, 0, err);
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
static int hwm_write(const char *path, uint64_t v, struct sse_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020llu\n", (unsigned long long)v);
	int fd = sse_open(path, O_WRONLY | O_CREAT, SSE_LOG_FILE_MODE, err);

	if (fd < 0)
		return -1;
	(void)fchmod(fd, SSE_LOG_FILE_MODE); /* group producers: not the umask's call */
	if (sse_pwrite_all(fd, buf, (size_t)n, 0, path, err) < 0 || fdatasync(fd) < 0) {
		if (!err || !err->msg[0] || errno)
			sse_err_sys(err, "cannot sync '%s'", path);
		sse_close(fd);
		return -1;
	}
	sse_close(fd);
	return 0;
}

static int reserve(struct sse_log *log, uint64_t id, struct sse_err *err)
{
	uint64_t r = id + ID_BLOCK;

	if (hwm_write(lpath(log, "hwm"), r, err) < 0)
		return -1;
	ST(log->hdr->reserved, r);
	return 0;
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
	if (hwm_write(path, 1, err) < 0)
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
	boot_id(h.boot_id);
	if (ftruncate(fd, size) < 0) {
		sse_err_sys(err, "cannot size '%s'", path);
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
	if (memcmp(h.magic, LOG_MAGIC, sizeof(h.magic)) != 0 || h.version != LOG_VERSION ||
	    h.entry_size != sizeof(struct entry) || h.history == 0 ||
	    h.capacity != h.history + 2 + BATCH_MAX)
		return sse_err_set(err, "'%s' is not a channel log of this version", log->watch);
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
	return 0;
}

static int recover(struct sse_log *log, struct sse_err *err);
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
	log->wseg_fd = log->rseg_fd = -1;
	snprintf(log->watch, cap, "%s/log/index", dir);
	log->index_fd = sse_open(log->watch, O_RDWR, 0, err);
	if (log->index_fd < 0 || map_index(log, err) < 0)
		goto fail;
	/* Only a reboot can lose writes that a crash of a process keeps (the
	 * page cache survives it), so recovery runs once per boot, and before
	 * a pending drop-box take is judged against the recovered log. */
	if (lock_raw(log, err) < 0)
		goto fail;
	boot_id(log->boot);
	if ((memcmp(log->hdr->boot_id, log->boot, BOOT_ID_LEN) != 0 && recover(log, err) < 0) ||
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

/* --- recovery after a reboot ------------------------------------------ */

static int entry_intact(struct sse_log *log, uint64_t s, uint64_t prev_id)
{
	struct entry *e = slot(log, s);
	uint64_t ol = LD(e->offlen);
	size_t len = (size_t)(ol & 0xffffffffu);
	off_t off = (off_t)(ol >> 32);
	struct stat st;
	int fd, ok = 0;
	char *buf;

	if (LD(e->id) <= prev_id || len == 0)
		return 0;
	fd = open(seg_name(log, LD(e->seg)), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	buf = malloc(len);
	if (buf && fstat(fd, &st) == 0 && st.st_size >= off + (off_t)len &&
	    pread(fd, buf, len, off) == (ssize_t)len)
		ok = crc32(0L, (const Bytef *)buf, (uInt)len) == (LD(e->crc) & 0xffffffffu);
	free(buf);
	close(fd);
	return ok;
}

/* Keeps the longest intact prefix of the retained events and moves the next
 * id past everything that was reserved, so no id handed out before the
 * power loss (even one whose event was lost) is ever used again. */
static int recover(struct sse_log *log, struct sse_err *err)
{
	struct hdr *h = log->hdr;
	uint64_t seq = LD(h->seq), oldest = seq > log->history ? seq - log->history : 0;
	uint64_t s, prev = 0, hwm = 0, floor;

	if (hwm_read(log, &hwm, err) < 0)
		return -1;
	for (s = oldest; s < seq; s++) {
		if (!entry_intact(log, s, prev))
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

void sse_log_take_end(struct sse_log *log)
{
	ST(log->hdr->pending, 0);
}

static uint64_t next_id(const struct sse_log *log, uint64_t seq)
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
	uint64_t seq = LD(log->hdr->seq), keep;
	DIR *d;
	struct dirent *de;

	if (seq <= log->history)
		return;
	keep = LD(slot(log, seq - log->history)->seg);
	d = opendir(lpath(log, "."));
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
		return sse_err_sys(err, "cannot sync '%s'", seg_name(log, log->wseg));
	sse_close(log->wseg_fd);
	log->wseg_fd = -1;
	/* A fresh segment may hold a dead writer's uncommitted bytes: truncate. */
	log->wseg_fd = sse_open(seg_name(log, seg), O_WRONLY | O_CREAT | (fresh ? O_TRUNC : 0),
				SSE_LOG_FILE_MODE, err);
	if (log->wseg_fd < 0)
		return -1;
	if (fresh)
		(void)fchmod(log->wseg_fd, SSE_LOG_FILE_MODE);
	log->wseg = seg;
	if (fresh && log->sync) {
		int d = sse_open(lpath(log, "."), O_RDONLY | O_DIRECTORY, 0, err);

		if (d < 0)
			return -1;
		if (fsync(d) < 0) {
			sse_close(d);
			return sse_err_sys(err, "cannot sync '%s'", log->path);
		}
		sse_close(d);
	}
	return 0;
}

int sse_log_append(struct sse_log *log, const struct sse_event *ev,
		   uint64_t *idp, struct sse_err *err)
{
	uint64_t seq = log->wseq, id, seg = seq, off = 0, limit;
	size_t size;
	struct entry *e;
	int fresh = 1;

	if (!log->locked)
		return sse_err_set(err, "log of '%s' appended without its lock", log->dir);
	if (seq - LD(log->hdr->seq) >= BATCH_MAX)
		commit(log);
	id = next_id(log, seq);
	if (id >= LD(log->hdr->reserved) && reserve(log, id, err) < 0)
		return -1;
	size = sse_format_size(ev, id);
	if (size > 0x7fffffffu)
		return sse_err_set(err, "event too large for the log of '%s'", log->dir);
	if (size > log->buf_cap) {
		char *nb = realloc(log->buf, size);

		if (!nb)
			return sse_err_set(err, "out of memory formatting an event of %zu bytes", size);
		log->buf = nb;
		log->buf_cap = size;
	}
	sse_format(ev, id, log->buf);
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
		   (LD(log->hdr->hole) ? HOLE : 0));
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
			return sse_err_sys(err, "cannot sync '%s'", seg_name(log, log->wseg));
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

/* --- reading ------------------------------------------------------------ */

void sse_log_head(struct sse_log *log, struct sse_log_head *h)
{
	for (;;) {
		uint64_t seq = committed(log);
		uint64_t oldest = seq > log->history ? seq - log->history : 0;

		h->seq = seq;
		h->oldest_seq = oldest;
		h->history = log->history;
		h->next_id = next_id(log, seq);
		h->newest_id = h->next_id - 1;
		if (seq > 0)
			h->newest_id = LD(slot(log, seq - 1)->id);
		h->oldest_id = seq > oldest ? LD(slot(log, oldest)->id) : h->next_id;
		if (still_valid(log, oldest))
			return;
	}
}

void sse_log_seek(struct sse_log *log, uint64_t after, uint64_t *seqp, int *gap)
{
	for (;;) {
		struct sse_log_head h;
		uint64_t lo, hi, before;

		sse_log_head(log, &h);
		/* The id just before the oldest retained event: a client that
		 * saw it missed nothing (ids need not be consecutive: a
		 * recovery skips the reserved ones). */
		before = h.oldest_seq > 0 ? LD(slot(log, h.oldest_seq - 1)->id) : 0;
		lo = h.oldest_seq;
		hi = h.seq;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;

			if (LD(slot(log, mid)->id) <= after)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (h.oldest_seq > 0 && !still_valid(log, h.oldest_seq - 1))
			continue;
		if (h.oldest_seq == 0 && !still_valid(log, 0))
			continue;
		*seqp = lo;
		if (after < before || after > h.newest_id) {
			*gap = 1;
			*seqp = h.oldest_seq;
		} else {
			/* Resuming across ids lost to a power cut. */
			*gap = lo < h.seq && (LD(slot(log, lo)->crc) & HOLE);
		}
		return;
	}
}

static int open_rseg(struct sse_log *log, uint64_t seg, struct sse_err *err)
{
	int fd;

	if (log->rseg_fd >= 0 && log->rseg == seg)
		return 0;
	fd = open(seg_name(log, seg), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1; /* trimmed: the reader fell behind */
		return sse_err_sys(err, "cannot open '%s'", log->path);
	}
	sse_close(log->rseg_fd);
	log->rseg_fd = fd;
	log->rseg = seg;
	return 0;
}

int sse_log_range(struct sse_log *log, uint64_t seq, size_t max_bytes,
		  struct sse_log_range *r, struct sse_err *err)
{
	uint64_t head = committed(log), s, seg, ol;
	int rc;

	if (seq >= head)
		return 0;
	if (seq + log->history < head)
		return 2;
	seg = LD(slot(log, seq)->seg);
	ol = LD(slot(log, seq)->offlen);
	r->off = (off_t)(ol >> 32);
	r->len = (size_t)(ol & 0xffffffffu);
	r->last_id = LD(slot(log, seq)->id);
	r->hole = (LD(slot(log, seq)->crc) & HOLE) != 0;
	r->first_id = r->last_id;
	for (s = seq + 1; s < head; s++) {
		struct entry *e = slot(log, s);
		size_t len = (size_t)(LD(e->offlen) & 0xffffffffu);

		if (LD(e->seg) != seg || r->len + len > max_bytes || (LD(e->crc) & HOLE))
			break;
		r->len += len;
		r->last_id = LD(e->id);
	}
	r->count = s - seq;
	if (!still_valid(log, seq))
		return 2;
	rc = open_rseg(log, seg, err);
	if (rc != 0)
		return rc < 0 ? -1 : 2;
	r->fd = log->rseg_fd;
	return 1;
}
