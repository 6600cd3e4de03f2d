/* Event formatter: an event and its id -> the wire bytes of text/event-stream.
 * Done once per event, when it is appended to the log; readers copy the
 * stored bytes and never format again. */
#ifndef SSE_FORMAT_H
#define SSE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Exact number of bytes sse_format() writes for ev with this id. */
size_t sse_format_size(const struct sse_event *ev, uint64_t id);

/* Writes "id: N\n", "event: NAME\n" (left out for "" and "message"),
 * "retry: MS\n" (when ev->retry >= 0), one "data: LINE\n" per data line,
 * then "\n". out must hold sse_format_size() bytes; returns that size.
 * Never lets a stray CR/LF inject a field: a name stops at its first CR/LF,
 * and a CR (or CRLF) in data breaks the line like an LF. */
size_t sse_format(const struct sse_event *ev, uint64_t id, char *out);

/* A comment line ": TEXT\n" (TEXT must hold no CR/LF) into out (cap bytes);
 * returns the length, or 0 if it does not fit or TEXT holds a CR/LF. No NUL
 * is written. */
size_t sse_format_comment(const char *text, char *out, size_t cap);

#endif
