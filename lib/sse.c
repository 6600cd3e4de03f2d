/* The installed API (sse.h) over the internal modules. */
#include "sse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "log.h"
#include "publish.h"
#include "spool.h"

struct sse_channel {
	struct sse_log *log;
	char *buf;
	size_t cap;
};

static void copy_err(const struct sse_err *err, char *buf, size_t len)
{
	if (buf && len)
		snprintf(buf, len, "%s", err->msg);
}

sse_channel *sse_channel_open(const char *spool, const char *name, int flags,
			      unsigned long history, char *errbuf, size_t errlen)
{
	struct sse_err err;
	sse_channel *ch;

	if (sse_channel_check(name, strlen(name), &err) < 0 ||
	    ((flags & SSE_OPEN_CREATE) &&
	     sse_spool_create(spool, name, history ? history : 1000, &err) < 0)) {
		copy_err(&err, errbuf, errlen);
		return NULL;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	ch->log = sse_spool_open(spool, name, flags & SSE_OPEN_SYNC, &err);
	if (!ch->log) {
		if (err.code == ENOENT)
			sse_err_set(&err, "no channel '%s' in spool '%s'", name, spool);
		copy_err(&err, errbuf, errlen);
		free(ch);
		return NULL;
	}
	return ch;
}

int sse_channel_publish(sse_channel *ch, const char *event, const char *data,
			size_t len, uint64_t *id, char *errbuf, size_t errlen)
{
	struct sse_err err;
	struct sse_event ev;
	size_t nlen = event ? strlen(event) : 0;

	if (sse_event_name_check(event ? event : "", nlen, &err) < 0) {
		copy_err(&err, errbuf, errlen);
		return -1;
	}
	if (len + 1 > ch->cap) {
		char *nb = realloc(ch->buf, len + 1);

		if (!nb) {
			snprintf(errbuf, errlen, "out of memory for an event of %zu bytes", len);
			return -1;
		}
		ch->buf = nb;
		ch->cap = len + 1;
	}
	sse_event_from_text(&ev, event, nlen, data, len, ch->buf);
	if (sse_log_publish(ch->log, &ev, id, &err) < 0) {
		copy_err(&err, errbuf, errlen);
		return -1;
	}
	return 0;
}

void sse_channel_close(sse_channel *ch)
{
	if (ch) {
		sse_log_close(ch->log);
		free(ch->buf);
		free(ch);
	}
}

const char *sse_version(void)
{
	return SSE_VERSION;
}
