#include "chan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "io.h"
#include "spool.h"
#include "wait.h"

struct fcgi_chan *fcgi_chan_open(const char *spool, const char *name, int sync,
				 size_t max_event, int wfd, sse_report_fn report,
				 struct sse_err *err)
{
	char dir[PATH_MAX];
	struct fcgi_chan *c = calloc(1, sizeof(*c));

	if (!c) {
		sse_err_set(err, "out of memory for channel '%s'", name);
		return NULL;
	}
	c->wfd = wfd;
	c->wd_log = -1;
	c->fifo_reg = -1;
	c->spool = strdup(spool);
	c->name = strdup(name);
	if (!c->spool || !c->name) {
		sse_err_set(err, "out of memory for channel '%s'", name);
		goto fail;
	}
	c->log = sse_spool_open(spool, name, sync, err);
	if (!c->log)
		goto fail;
	if (sse_log_note(c->log))
		report(NULL, sse_log_note(c->log));
	c->wd_log = sse_watch_add(wfd, sse_log_watch_path(c->log), IN_MODIFY, err);
	if (c->wd_log < 0 || sse_spool_chan_dir(dir, sizeof(dir), spool, name, err) < 0)
		goto fail;
	c->intake_open = 1;
	if (sse_intake_open(&c->in, dir, c->log, max_event, wfd, report, NULL, err) < 0)
		goto fail;
	return c;
fail:
	fcgi_chan_close(c, report);
	return NULL;
}

void fcgi_chan_close(struct fcgi_chan *c, sse_report_fn report)
{
	struct sse_err err;

	if (!c)
		return;
	/* Hands the holder role over to another process of the channel. */
	if (c->intake_open && sse_intake_close(&c->in, &err) < 0)
		report(NULL, err.msg);
	if (c->wd_log >= 0)
		(void)inotify_rm_watch(c->wfd, c->wd_log);
	sse_log_close(c->log);
	free(c->fresh_buf);
	free(c->spool);
	free(c->name);
	free(c);
}

static int grow(char **buf, size_t *cap, size_t need, struct sse_err *err)
{
	char *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return sse_err_set(err, "out of memory for %zu bytes of events", need);
	*buf = p;
	*cap = need;
	return 0;
}

const struct sse_log_range *fcgi_chan_fresh(const struct fcgi_chan *c, uint64_t seq)
{
	return c->fresh_valid && c->fresh_seq == seq ? &c->fresh : NULL;
}

/* sse_pread_all's line names no file: say which log, as sse.cgi does. */
static const char *read_failed(const struct fcgi_chan *c, struct sse_err *err)
{
	int code = err->code;

	sse_err_set(err, "cannot read a segment of channel log '%.300s': %s", sse_log_watch_path(c->log),
		    code ? strerror(code) : "shorter than its index says");
	return NULL;
}

const char *fcgi_chan_bytes(struct fcgi_chan *c, uint64_t seq, const struct sse_log_range *r,
			    char **scratch, size_t *scratch_cap, struct sse_err *err)
{
	if (c->fresh_valid && c->fresh_seq == seq && c->fresh.count == r->count)
		return c->fresh_buf;
	/* A stream at or past the end of the fresh range is among the first
	 * to see newer events: it refreshes the copy the others will use.
	 * One behind it (a resumed or slow client) reads on its own. */
	if (!c->fresh_valid || seq >= c->fresh_seq + c->fresh.count) {
		if (grow(&c->fresh_buf, &c->fresh_cap, r->len, err) < 0) {
			c->fresh_valid = 0;
			return NULL;
		}
		if (sse_pread_all(r->fd, c->fresh_buf, r->len, r->off, "log segment", err) < 0) {
			c->fresh_valid = 0;
			return read_failed(c, err);
		}
		c->fresh = *r;
		c->fresh_seq = seq;
		c->fresh_valid = 1;
		return c->fresh_buf;
	}
	if (grow(scratch, scratch_cap, r->len, err) < 0)
		return NULL;
	if (sse_pread_all(r->fd, *scratch, r->len, r->off, "log segment", err) < 0)
		return read_failed(c, err);
	return *scratch;
}
