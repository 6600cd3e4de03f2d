/* The installed API (sse.h) over the internal modules. */
#include "sse.h"

#include <errno.h>
#include <stdint.h>
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
	struct sse_str *topics; /* the last publish's, reused */
	size_t topics_cap;
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

/* The topics as the log takes them, checked as every producer's are. */
static int take_topics(sse_channel *ch, const char *const *topics, size_t n,
		       char *errbuf, size_t errlen)
{
	if (n > 0 && !topics) {
		snprintf(errbuf, errlen, "%zu topics but no array of them", n);
		return -1;
	}
	if (n > ch->topics_cap) {
		struct sse_str *nt = n <= SIZE_MAX / sizeof(*nt) ?
			realloc(ch->topics, n * sizeof(*nt)) : NULL;

		if (!nt) {
			snprintf(errbuf, errlen, "out of memory for %zu topics", n);
			return -1;
		}
		ch->topics = nt;
		ch->topics_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why = topics[i] ? sse_topic_unfit(topics[i], strlen(topics[i]))
					    : "a NULL topic";

		if (why) {
			snprintf(errbuf, errlen, "bad topic %zu: %s", i + 1, why);
			return -1;
		}
		ch->topics[i].p = topics[i];
		ch->topics[i].len = strlen(topics[i]);
	}
	return 0;
}

int sse_channel_publish(sse_channel *ch, const char *event, const char *data,
			size_t len, uint64_t *id, char *errbuf, size_t errlen)
{
	return sse_channel_publish_topics(ch, event, data, len, NULL, 0, 0, id, errbuf, errlen);
}

int sse_channel_publish_topics(sse_channel *ch, const char *event, const char *data,
			       size_t len, const char *const *topics, size_t ntopics,
			       int private_, uint64_t *id, char *errbuf, size_t errlen)
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
	if (take_topics(ch, topics, ntopics, errbuf, errlen) < 0)
		return -1;
	sse_event_from_text(&ev, event, nlen, data, len, ch->buf);
	ev.topics = ch->topics;
	ev.ntopics = ntopics;
	ev.private_ = private_ != 0;
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
		free(ch->topics);
		free(ch);
	}
}

const char *sse_version(void)
{
	return SSE_VERSION;
}
