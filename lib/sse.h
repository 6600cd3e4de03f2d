/* libsse: publish server-sent events into a channel of an sse-cgi spool,
 * with the guarantees of sse-publish: ids strictly increasing and never
 * reused, an event whose id was returned survives any process being killed
 * (and power loss with SSE_OPEN_SYNC). Thread-compatible: one sse_channel
 * per thread. Link with `pkg-config --libs libsse`. */
#ifndef LIBSSE_H
#define LIBSSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sse_channel sse_channel;

#define SSE_OPEN_CREATE 1   /* create the channel if it does not exist */
#define SSE_OPEN_SYNC 2     /* fsync each publish before returning (SSE_SYNC=1) */

/* Opens channel name in spool. history: events kept when the channel is
 * created here (0: 1000). NULL on error, with one line in errbuf. */
sse_channel *sse_channel_open(const char *spool, const char *name, int flags,
			      unsigned long history, char *errbuf, size_t errlen);

/* Publishes one event: event is its type (NULL or "" for "message"; no CR or
 * LF), data its text (len bytes; lines end in LF, CRLF or CR; NUL allowed).
 * On success returns 0 and stores the id in *id (if id is not NULL). */
int sse_channel_publish(sse_channel *ch, const char *event, const char *data,
			size_t len, uint64_t *id, char *errbuf, size_t errlen);

/* As sse_channel_publish, with Mercure metadata (kept in the log with the
 * event, never sent on the wire): topics[0..ntopics) are its topics (the
 * first is its canonical topic; each NUL-terminated, not empty, no control
 * characters), private_ non-zero makes it private (only hub subscribers
 * authorized for one of its topics receive it; a plain channel stream never
 * sends it). ntopics 0 and private_ 0 publish what sse_channel_publish does.
 * A hub stream of the channel (SSE_HUB) sends the event to subscribers
 * whose topic selectors match one of its topics. */
int sse_channel_publish_topics(sse_channel *ch, const char *event, const char *data,
			       size_t len, const char *const *topics, size_t ntopics,
			       int private_, uint64_t *id, char *errbuf, size_t errlen);

void sse_channel_close(sse_channel *ch);

const char *sse_version(void);

#ifdef __cplusplus
}
#endif

#endif
