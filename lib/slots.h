/* SSE_MAX_STREAMS across processes: a stream holds one byte-range lock
 * (open-file-description lock) in SPOOL/.streams; the kernel drops it when
 * the process dies, so a crash never leaks a slot. */
#ifndef SSE_SLOTS_H
#define SSE_SLOTS_H

#include "err.h"

/* Returns an fd holding a slot (keep it open while streaming), -2 when all
 * max slots are taken (busy), -1 on error. */
int sse_slot_take(const char *spool, unsigned long max, struct sse_err *err);

#endif
