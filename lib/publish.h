/* Turning a producer's text into an event: shared by sse-publish and the
 * public libsse API. */
#ifndef SSE_PUBLISH_H
#define SSE_PUBLISH_H

#include <stddef.h>

#include "err.h"
#include "event.h"

/* Builds ev from raw text whose lines end in LF, CRLF or CR: the data lines
 * are joined with LF into out (cap >= len + 1). */
void sse_event_from_text(struct sse_event *ev, const char *name, size_t name_len,
			 const char *text, size_t len, char *out);
/* An event name may hold anything but CR and LF. */
int sse_event_name_check(const char *name, size_t len, struct sse_err *err);
/* Why a topic is unfit, whichever producer gives it (NULL: fit): it must not
 * be empty (no selector but '*' could name it) nor hold a control character
 * (the hub's form refuses the same, and the log cannot keep CR, LF, NUL). */
const char *sse_topic_unfit(const char *topic, size_t len);
/* A publisher's hub id (SPEC "Ids on the hub"): not empty, not starting
 * with '#' (the hub's own ids do), no control character, 65535 bytes at
 * most. */
int sse_hub_id_check(const char *id, size_t len, struct sse_err *err);

#endif
