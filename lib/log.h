/* The channel log: the last SSE_HISTORY events of one channel, shared by
 * every process (producers, draining streams, readers). Design and on-disk
 * format: lib/README.md.
 *
 * Events are stored as their wire bytes, formatted once on append; a reader
 * is a cursor (a sequence number) over the shared log and copies committed
 * bytes, never a per-reader queue. */
#ifndef SSE_LOG_H
#define SSE_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "event.h"

struct sse_log;

/* Creates a fresh log in dir (which must exist); used on a channel that is
 * not yet visible (spool.c builds it under a temporary name). */
int sse_log_init(const char *dir, unsigned long history, struct sse_err *err);

/* Opens the log in dir. After a reboot (power loss may have dropped unsynced
 * writes) the first opener recovers it: see sse_log_note(). */
struct sse_log *sse_log_open(const char *dir, int sync, struct sse_err *err);
void sse_log_close(struct sse_log *log);
/* One line about a recovery done by sse_log_open(), or NULL. */
const char *sse_log_note(const struct sse_log *log);

/* Appending: lock, append any number of events, unlock. Ids are final when
 * append returns, and acknowledged (durable; fsync'd with SSE_SYNC=1) once
 * unlock returns 0. Unlock also wakes the readers, once per batch. */
int sse_log_lock(struct sse_log *log, struct sse_err *err);
int sse_log_append(struct sse_log *log, const struct sse_event *ev,
		   uint64_t *id, struct sse_err *err);
int sse_log_unlock(struct sse_log *log, struct sse_err *err);
/* Commits (and with SSE_SYNC syncs) what was appended so far, still locked. */
int sse_log_commit(struct sse_log *log, struct sse_err *err);
/* lock + append + unlock */
int sse_log_publish(struct sse_log *log, const struct sse_event *ev,
		    uint64_t *id, struct sse_err *err);

/* Drop-box take protocol (dropbox.c), so that each file is published exactly
 * once even if its taker is killed: under the lock, take_begin records the
 * commit point; the taker renames the file to incoming/.taking, appends its
 * events, unlinks it, and calls take_end. The next sse_log_lock() resolves a
 * take whose taker died: events committed -> .taking is removed; none
 * committed -> it goes back into incoming/ to be taken again. */
void sse_log_take_begin(struct sse_log *log);
/* A take that cannot finish (disk full): drops its uncommitted appends so
 * that the file can go back whole. -1 when some were already committed (a
 * file of more than one batch): those stay. */
int sse_log_take_rollback(struct sse_log *log);
void sse_log_take_end(struct sse_log *log);
#define SSE_TAKING_NAME ".taking"

struct sse_log_head {
	uint64_t seq;        /* events ever committed: the next event's seq */
	uint64_t oldest_seq; /* first retained event */
	uint64_t oldest_id;  /* its id, or next_id when none is retained */
	uint64_t newest_id;  /* id of seq-1, or next_id - 1 when empty */
	uint64_t next_id;    /* lowest id the next event can get */
	uint64_t history;
};
void sse_log_head(struct sse_log *log, struct sse_log_head *h);

/* Where a client that last saw after_id resumes: *seq is the first retained
 * event with id > after_id. *gap is set when events it never saw are gone
 * (older than the history, or after_id newer than the newest: a reset; then
 * *seq is the oldest retained), or when ids were lost just before *seq. */
void sse_log_seek(struct sse_log *log, uint64_t after_id, uint64_t *seq,
		  int *gap);

/* Committed wire bytes of consecutive events from seq on, in one segment. */
struct sse_log_range {
	int fd;             /* segment, owned by the log: do not close */
	off_t off;
	size_t len;
	uint64_t count;     /* events in the range */
	uint64_t first_id, last_id;
	int hole;           /* ids were lost just before the first event (after
			       a power cut): a client that has an id gets sse-gap */
	size_t meta_len;    /* > 0: one event (count 1) whose bytes begin with
			       its metadata record (lib/meta.h), meta_len bytes,
			       then its wire bytes; 0: wire bytes only */
};
/* 1 with a range, 0 when seq is the head, 2 when seq fell behind the
 * history (the caller reports a gap and seeks to the oldest), -1 on error.
 * At most max_bytes unless the first event alone is larger. */
int sse_log_range(struct sse_log *log, uint64_t seq, size_t max_bytes,
		  struct sse_log_range *r, struct sse_err *err);

/* Makes the next open recover as after a reboot: for a spool restored from
 * a backup or copied from another machine, whose ids must not be reused
 * (tests use it to simulate power loss). Run while no process uses it. */
int sse_log_mark_unclean(const char *dir, struct sse_err *err);

/* The file whose modification (IN_MODIFY) means "the log changed". */
const char *sse_log_watch_path(const struct sse_log *log);

#endif
