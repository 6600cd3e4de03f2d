#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int sse_status_json(const char *spool, sse_report_fn report, char **out, size_t *len,
		    struct sse_err *err)
{
	return sse_status_json_extra(spool, NULL, NULL, report, out, len, err);
}

/* A channel that cannot be opened is not left out silently: the answer
 * says so (what a reader of the status page may see: no path, no user)
 * and the server's log says why. */
static void unreadable(struct buf *b, const char *spool, const char *name, const struct sse_err *e,
		       sse_report_fn report)
{
	char line[SSE_ERR_MAX + 128];

	if (report) {
		snprintf(line, sizeof(line), "?status: cannot read channel '%s' of spool '%s': %s", name,
			 spool, e->msg);
		report(NULL, line);
	}
	add(b, "\"error\":\"cannot be read (%s): see the web server's error log\"",
	    e->code == ENOENT ? "not a channel" : e->code ? strerror(e->code) : "damaged or of another version");
}

int sse_status_json_extra(const char *spool, sse_status_extra_fn extra, void *ctx,
			  sse_report_fn report, char **out, size_t *len, struct sse_err *err)
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
		struct sse_err e;
		struct stat st;

		/* Only valid names: they need no JSON escaping. Only directories:
		 * a file lying in the spool is no channel. */
		if (sse_channel_check(de->d_name, strlen(de->d_name), NULL) < 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		add(&b, "%s\n\"%s\":{", first ? "" : ",", de->d_name);
		first = 0;
		log = sse_spool_open(spool, de->d_name, 0, &e);
		if (!log) {
			unreadable(&b, spool, de->d_name, &e, report);
			add(&b, "}");
			continue;
		}
		sse_log_head(log, &h);
		sse_log_close(log);
		add(&b, "\"newest_id\":%llu,\"oldest_id\":%llu,\"retained\":%llu,\"history\":%llu",
		    (unsigned long long)h.newest_id, (unsigned long long)h.oldest_id,
		    (unsigned long long)(h.seq - h.oldest_seq), (unsigned long long)h.history);
		if (extra && extra(ctx, de->d_name, more, sizeof(more)) > 0)
			add(&b, ",%s", more);
		add(&b, "}");
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
