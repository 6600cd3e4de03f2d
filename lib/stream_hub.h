/* The hub half of lib/stream.c (SPEC "Ids on the hub", "Subscribe"):
 * reading an event's metadata record from the log, finding a hub id in the
 * retained history, and what of an event a stream sends. Private to
 * stream.c. */
#ifndef SSE_STREAM_HUB_H
#define SSE_STREAM_HUB_H

#include "stream.h"

/* The scratch buffer of st, at least n bytes; -1 out of memory. */
int sse_stream_grow(struct sse_stream *st, size_t n, struct sse_err *err);

/* Scans the retained events from seq `from` by step (-1 back, +1 on) for
 * the first with a metadata record and, when want is not NULL, that hub id:
 * 1 found (*at its seq, its id copied into id_out, "" when too long), 0
 * none, -1 read error. */
int sse_hub_scan(struct sse_stream *st, uint64_t from, int step, const char *want,
		 uint64_t *at, char id_out[SSE_HUB_LAST_MAX], struct sse_err *err);

/* The hub id of the event at seq into out ("" when it is no longer
 * retained, or its id is longer than SSE_HUB_LAST_MAX - 1). */
void sse_hub_id_at(struct sse_stream *st, uint64_t seq, char out[SSE_HUB_LAST_MAX]);

/* Where a hub stream starts (before its head goes out): sets st->seq and
 * hub_last_seq, and header (SSE_HUB_LAST_MAX bytes) to the Last-Event-ID
 * response header's value; *gap when the client's id was not found. */
int sse_hub_begin(struct sse_stream *st, char header[SSE_HUB_LAST_MAX], int *gap,
		  struct sse_err *err);

size_t sse_hub_view(const struct sse_stream *st, const struct sse_log_range *r,
		    const char *b, struct iovec v[3]);

#endif
