/* The channel log's readers: cursors over the shared log, validated
 * seqlock-style against the commit point (lib/README.md, "Read"). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "log_layout.h"

/* --- reading ------------------------------------------------------------ */

void sse_log_head(struct sse_log *log, struct sse_log_head *h)
{
	for (;;) {
		uint64_t seq = committed(log);
		uint64_t oldest = oldest_of(log, seq);

		h->seq = seq;
		h->oldest_seq = oldest;
		h->history = log->history;
		h->next_id = sse_log_next_id(log, seq);
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
	fd = open(sse_log_seg_name(log, seg), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
	if (head - seq > log->history || seq < oldest_of(log, head))
		return 2;
	seg = LD(slot(log, seq)->seg);
	ol = LD(slot(log, seq)->offlen);
	r->off = (off_t)(ol >> 32);
	r->len = (size_t)(ol & 0xffffffffu);
	r->last_id = LD(slot(log, seq)->id);
	r->hole = (LD(slot(log, seq)->crc) & HOLE) != 0;
	r->meta_len = meta_len_of(LD(slot(log, seq)->crc));
	r->first_id = r->last_id;
	/* An event with a metadata record is a range of its own: every other
	 * range is wire bytes only, sent as it is. */
	for (s = seq + 1; s < head && r->meta_len == 0; s++) {
		struct entry *e = slot(log, s);
		size_t len = (size_t)(LD(e->offlen) & 0xffffffffu);

		if (LD(e->seg) != seg || r->len + len > max_bytes || (LD(e->crc) & (HOLE | ~0ull << META_SHIFT)))
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

