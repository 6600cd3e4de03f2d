/* The channel log's layout, shared by its three files: log.c (open,
 * append, commit), log_read.c (cursors), log_recover.c (ids reserved ahead,
 * recovery after a reboot). Format and protocol: lib/README.md. In short:
 *   log/index  header page + ring of entries (id, segment, offset, length,
 *              crc), mmap'd MAP_SHARED by every process
 *   log/seg-N  append-only files of wire bytes; N = seq of the first event
 *   log/hwm    ids reserved ahead, written durably before any is used
 * Writers serialise on flock(index). The commit point is one atomic store of
 * hdr->seq; readers read entries and then re-check seq (a seqlock), so they
 * never see a torn or half-written event, whoever is killed when. */
#ifndef SSE_LOG_LAYOUT_H
#define SSE_LOG_LAYOUT_H

#include <stdatomic.h>
#include <stdint.h>

#include "err.h"
#include "log.h"

#define LOG_MAGIC "SSELOG\0\1"
/* 2: entries may hold a metadata record (lib/meta.h) before the event's
 * wire bytes; version 1 logs (0.2) have none and are upgraded in place. */
#define LOG_VERSION 2
#define LOG_VERSION_0_2 1
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
	_Atomic uint64_t low_seq;     /* no event below it is retained: set by a
				       * recovery, whose checks began there (0 in
				       * logs made before it existed) */
};

struct entry {
	_Atomic uint64_t id;
	_Atomic uint64_t seg;
	_Atomic uint64_t offlen;      /* offset << 32 | length */
	_Atomic uint64_t crc;         /* crc32 | HOLE: ids lost just before it */
};

#define HOLE (1ull << 32)
/* Bits 40..63 of the crc word: the length of the metadata record that
 * starts the entry's bytes (0: none; the entry is wire bytes only). */
#define META_SHIFT 40

static inline size_t meta_len_of(uint64_t crcword)
{
	return (size_t)(crcword >> META_SHIFT);
}

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
	int allocated;                /* the index's blocks were checked */
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

static inline struct entry *slot(const struct sse_log *log, uint64_t seq)
{
	return &log->ent[seq % log->cap];
}

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define ST(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

static inline uint64_t committed(const struct sse_log *log)
{
	return atomic_load_explicit(&log->hdr->seq, memory_order_acquire);
}

/* Seqlock check: entries from seq s on, read before this call, were not
 * being overwritten. A writer fills at most BATCH_MAX entries past the
 * committed seq, so the ring (capacity history + 2 + BATCH_MAX) leaves
 * everything from seq - history - 1 on alone. */
static inline int still_valid(const struct sse_log *log, uint64_t s)
{
	uint64_t seq;

	atomic_thread_fence(memory_order_acquire);
	seq = committed(log);
	/* Not s + history + 1 >= seq: a damaged seq near 2^64 wraps that, and
	 * the readers' retry loops would never end. */
	return seq <= s || seq - s <= log->history + 1;
}

/* The first retained event of a log whose head is seq: the history back,
 * but never below what the last recovery checked (the entries before it
 * were never verified, and their ring slots or segments may be gone). */
static inline uint64_t oldest_of(const struct sse_log *log, uint64_t seq)
{
	uint64_t oldest = seq > log->history ? seq - log->history : 0;
	uint64_t low = LD(log->hdr->low_seq);

	if (low > seq)
		low = seq;
	return low > oldest ? low : oldest;
}

/* log.c */
const char *sse_log_path(struct sse_log *log, const char *name);
const char *sse_log_seg_name(struct sse_log *log, uint64_t seg);
uint64_t sse_log_next_id(const struct sse_log *log, uint64_t seq);
/* log_recover.c */
void sse_log_boot_id(char out[BOOT_ID_LEN]);
int sse_log_hwm_write(const char *path, uint64_t v, struct sse_err *err);
int sse_log_reserve(struct sse_log *log, uint64_t id, struct sse_err *err);
int sse_log_recover(struct sse_log *log, struct sse_err *err);

#endif
