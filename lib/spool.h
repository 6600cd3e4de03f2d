/* Spool layout (SPEC "Spool layout and producers"): channel C lives in
 * SPOOL/C/ with its fifo, its drop-box incoming/ and its log/. A channel is
 * built under a temporary name and renamed into place, so it either does not
 * exist or is complete, even with two creators racing. */
#ifndef SSE_SPOOL_H
#define SSE_SPOOL_H

#include <limits.h>

#include "err.h"
#include "log.h"

#define SSE_DIR_MODE 02775   /* group-writable for producers, never world */
#define SSE_FILE_MODE 0664
#define SSE_FIFO_MODE 0660

/* dir = SPOOL/NAME; the name must already be valid. */
int sse_spool_chan_dir(char *dir, size_t cap, const char *spool, const char *name,
		       struct sse_err *err);
/* 0 when created, 1 when it already existed. A missing spool is created
 * too (its parent must exist), with the modes of a channel directory. */
int sse_spool_create(const char *spool, const char *name, unsigned long history,
		     struct sse_err *err);
/* Opens the channel's log; a missing channel fails with err->code ENOENT
 * (and is never created here). */
struct sse_log *sse_spool_open(const char *spool, const char *name, int sync,
			       struct sse_err *err);
/* The spool root is a directory we can use: for a clear 500 message. */
int sse_spool_check(const char *spool, struct sse_err *err);

#endif
