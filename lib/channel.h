/* Channel names (SPEC "Spool layout"): 1 to 64 of A-Z a-z 0-9 . _ -, not
 * starting with '.', so a name is always one safe path component. */
#ifndef SSE_CHANNEL_H
#define SSE_CHANNEL_H

#include <stddef.h>

#include "err.h"

#define SSE_CHANNEL_MAX 64

/* 0 when valid; -1 with a message quoting the (sanitised) name otherwise. */
int sse_channel_check(const char *name, size_t len, struct sse_err *err);

#endif
