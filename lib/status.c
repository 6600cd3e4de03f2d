#include "status.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "spool.h"

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void add(struct buf *b, const char *fmt, ...) SSE_PRINTF(2, 3);
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->p && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
		char *np = realloc(b->p, ncap);

		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

int sse_status_json(const char *spool, char **out, size_t *len, struct sse_err *err)
{
	return sse_status_json_extra(spool, NULL, NULL, out, len, err);
}

int sse_status_json_extra(const char *spool, sse_status_extra_fn extra, void *ctx,
			  char **out, size_t *len, struct sse_err *err)
{
	char more[256];

	struct buf b = { 0 };
	DIR *d = opendir(spool);
	struct dirent *de;
	int first = 1;

	if (!d)
		return sse_err_sys(err, "cannot open spool '%s'", spool);
	add(&b, "{");
	if (extra && extra(ctx, NULL, more, sizeof(more)) > 0)
		add(&b, "%s,", more);
	add(&b, "\"channels\":{");
	while ((de = readdir(d)) != NULL) {
		struct sse_log *log;
		struct sse_log_head h;

		/* Only valid names: they need no JSON escaping. */
		if (sse_channel_check(de->d_name, strlen(de->d_name), NULL) < 0)
			continue;
		log = sse_spool_open(spool, de->d_name, 0, NULL);
		if (!log)
			continue;
		sse_log_head(log, &h);
		sse_log_close(log);
		add(&b, "%s\n\"%s\":{\"newest_id\":%llu,\"oldest_id\":%llu,\"retained\":%llu,\"history\":%llu",
		    first ? "" : ",", de->d_name, (unsigned long long)h.newest_id,
		    (unsigned long long)h.oldest_id, (unsigned long long)(h.seq - h.oldest_seq),
		    (unsigned long long)h.history);
		if (extra && extra(ctx, de->d_name, more, sizeof(more)) > 0)
			add(&b, ",%s", more);
		add(&b, "}");
		first = 0;
	}
	closedir(d);
	add(&b, "\n}}\n");
	if (b.oom) {
		free(b.p);
		return sse_err_set(err, "out of memory writing the status");
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
