/* The drop-box's waiting files in the order they were written. readdir()
 * gives a directory's names in hash order, so files dropped while no
 * stream ran (a cron job's, a form's) would be published shuffled; a scan
 * takes them oldest first (modification time, then name), in batches that
 * bound the memory a crowded directory can cost. */
#ifndef SSE_BACKLOG_H
#define SSE_BACKLOG_H

#include <dirent.h>

#include "err.h"

/* Names per batch: a directory with more is taken a batch at a time,
 * each batch oldest first. */
#define SSE_BACKLOG_BATCH 4096

/* take() for each name of d not starting with '.', oldest first; it
 * returns 0 to go on, -1 to stop (its err kept). Returns 0, or -1. */
typedef int (*sse_backlog_take_fn)(void *ctx, int dfd, const char *name, struct sse_err *err);
int sse_backlog_scan(DIR *d, sse_backlog_take_fn take, void *ctx, struct sse_err *err);

#endif
