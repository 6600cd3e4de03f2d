#include "intake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "backlog.h"
#include "io.h"
#include "spool.h"
#include "wait.h"

#define CARRY "fifo.carry"

/* in->path, or in->what when a name must outlive the next call. */
static const char *cpath(const struct sse_intake *in, char *buf, const char *name)
{
	if (sse_path(buf, in->path_cap, NULL, "%s/%s", in->dir, name) < 0)
		buf[0] = '\0';
	return buf;
}

static void say(struct sse_intake *in, const char *fmt, ...) SSE_PRINTF(2, 3);
static void say(struct sse_intake *in, const char *fmt, ...)
{
	char line[SSE_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (in->report)
		in->report(in->report_ctx, line);
}

/* A failed syscall's line, through sse_err_sys: a permission error there
 * also says who runs and who owns the file (perm.h). */
static void say_sys(struct sse_intake *in, const char *fmt, ...) SSE_PRINTF(2, 3);
static void say_sys(struct sse_intake *in, const char *fmt, ...)
{
	int saved = errno;
	char line[SSE_ERR_MAX];
	struct sse_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	errno = saved;
	sse_err_sys(&err, "%s", line);
	say(in, "%s", err.msg);
}

/* The parser re-reads an incomplete event, so the buffer holds the largest
 * tail the parser keeps (4 x max + 4096, see parse.h) plus a pipe's worth. */
static size_t tail_max(size_t max_event)
{
	return 4 * max_event + 4096;
}

/* The channel's pipe, which a producer of the group could have replaced by
 * a regular file (read again at every end of file) or a directory. */
static int open_fifo(struct sse_intake *in, struct sse_err *err)
{
	const char *p = cpath(in, in->path, "fifo");
	struct stat st;
	int fd = sse_open(p, O_RDONLY | O_NONBLOCK, 0, err);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		sse_err_sys(err, "cannot stat '%s'", p);
		sse_close(fd);
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		sse_err_set(err, "refused '%s': not a named pipe", p);
		sse_close(fd);
		return -1;
	}
	return fd;
}

int sse_intake_open(struct sse_intake *in, const char *chan_dir, struct sse_log *log,
		    size_t max_event, int wfd, sse_report_fn report, void *ctx,
		    struct sse_err *err)
{
	const char *p;
	size_t len = strlen(chan_dir);

	memset(in, 0, sizeof(*in));
	in->lock_fd = in->owner_fd = in->fifo_fd = -1;
	in->wd_owner = in->wd_incoming = -1;
	/* the longest name below the channel: incoming/ + a file name */
	in->path_cap = len + sizeof("/incoming/") + NAME_MAX + 16;
	in->dir = strdup(chan_dir);
	in->path = malloc(in->path_cap);
	in->what = malloc(in->path_cap);
	if (!in->dir || !in->path || !in->what)
		return sse_err_set(err, "out of memory for the intake of '%s'", chan_dir);
	in->log = log;
	in->wfd = wfd;
	in->max_event = max_event;
	in->report = report;
	in->report_ctx = ctx;
	in->in_cap = tail_max(max_event) + 65536;
	in->file_cap = tail_max(max_event);
	in->in = malloc(in->in_cap);
	in->file = malloc(in->file_cap);
	in->scratch = malloc(max_event + 1);
	if (!in->in || !in->file || !in->scratch)
		return sse_err_set(err, "out of memory for the intake of '%s'", chan_dir);
	in->lock_fd = sse_open(p = cpath(in, in->path, "drain.lock"), O_RDONLY | O_CREAT, SSE_FILE_MODE, err);
	if (in->lock_fd < 0)
		return -1;
	/* drain.owner is created with the channel. Opening it here just to be
	 * sure would wake every stream of the channel when it is closed. */
	p = cpath(in, in->path, "drain.owner");
	in->wd_owner = sse_watch_add(wfd, p, IN_CLOSE_NOWRITE | IN_CLOSE_WRITE, err);
	if (in->wd_owner < 0 && err->code == ENOENT) {
		int fd = sse_open(p, O_RDONLY | O_CREAT, SSE_FILE_MODE, err);

		if (fd < 0)
			return -1;
		sse_close(fd);
		in->wd_owner = sse_watch_add(wfd, p, IN_CLOSE_NOWRITE | IN_CLOSE_WRITE, err);
	}
	if (in->wd_owner < 0)
		return -1;
	in->fifo_fd = open_fifo(in, err);
	if (in->fifo_fd < 0)
		return -1;
	return sse_intake_try(in, err) < 0 ? -1 : 0;
}

int sse_intake_fifo_fd(const struct sse_intake *in)
{
	/* Stalled: not read (nor watched) until the retry; writers wait in
	 * the pipe. */
	return in->holder && !in->stall_ms ? in->fifo_fd : -1;
}

static int append_event(void *ctx, const struct sse_event *ev)
{
	struct sse_intake *in = ctx;
	struct sse_err err;

	/* Not dropped: the fifo's bytes are kept, a drop-box file goes back,
	 * and both are tried again a second later (the pipe holds what
	 * writers add meanwhile). One line per stall, not per retry. */
	if (sse_log_append(in->log, ev, NULL, &err) < 0) {
		in->append_failed = 1;
		if (!in->stall_said)
			say(in, "event from '%s' not published yet: %s; kept, tried again every second",
			    in->what, err.msg);
		in->stall_said = 1;
		return -1;
	}
	in->events++;
	return 0;
}

/* After a commit: a stall that was said is over once a parse went through
 * without a refusal (an append that a later refusal rolled back is not). */
static void stall_over(struct sse_intake *in)
{
	if (in->stall_said && !in->append_failed) {
		say(in, "events from '%s' published again", in->what);
		in->stall_said = 0;
	}
}

static void refused(void *ctx, size_t size, const char *why)
{
	struct sse_intake *in = ctx;

	if (why)
		say(in, "event from '%s' refused: %s", in->what, why);
	else
		say(in, "event of %zu bytes from '%s' refused: larger than SSE_MAX_EVENT (%zu)",
		    size, in->what, in->max_event);
}

/* Parses buf under the log lock: one batch, one wake-up of the readers. */
static int parse_into_log(struct sse_intake *in, const char *buf, size_t len, int eof,
			  size_t *consumed, struct sse_err *err)
{
	int rc;

	if (sse_log_lock(in->log, err) < 0)
		return -1;
	in->append_failed = 0;
	sse_parse(&in->parser, buf, len, eof, consumed, append_event, refused, in);
	rc = sse_log_unlock(in->log, err);
	if (rc == 0 && *consumed > 0)
		stall_over(in);
	return rc;
}

/* Makes room for n more bytes in in->in. A stalled holder keeps whole
 * events there, and hands them on in the carry, beyond the usual tail. */
static int grow_in(struct sse_intake *in, size_t n)
{
	char *nb;

	if (in->in_cap - in->in_len >= n)
		return 0;
	nb = realloc(in->in, in->in_len + n);
	if (!nb)
		return -1;
	in->in = nb;
	in->in_cap = in->in_len + n;
	return 0;
}

/* The log refused an event: the fifo is left unread for a second. An event
 * the pipe's EOF ended gets its blank line, so that it stays ended when
 * the kept bytes are handed on in the carry and more input follows. */
static void stall(struct sse_intake *in, int eof)
{
	in->stall_ms = sse_now_ms() + 1000;
	in->stall_eof = 0;
	if (eof && in->in_len) {
		if (grow_in(in, 2) == 0) {
			memcpy(in->in + in->in_len, "\n\n", 2);
			in->in_len += 2;
		} else {
			in->stall_eof = 1;
		}
	}
}

/* Parses the fifo's bytes kept in in->in (a stall's, or a carry's): what
 * the log takes is consumed; when it refuses an event, the fifo stalls and
 * the rest is tried again a second later. */
static int parse_kept(struct sse_intake *in, int eof, struct sse_err *err)
{
	size_t consumed = 0;
	int rc;

	(void)cpath(in, in->what, "fifo");
	rc = parse_into_log(in, in->in, in->in_len, eof, &consumed, err);
	memmove(in->in, in->in + consumed, in->in_len - consumed);
	in->in_len -= consumed;
	if (rc < 0)
		return -1;
	if (in->append_failed)
		stall(in, eof);
	return 0;
}

/* fifo.carry: "sse-carry SKIP\n" (the parser's skipping state, inside a
 * refused event) then the unconsumed bytes. */
static void load_carry(struct sse_intake *in)
{
	const char *p = cpath(in, in->path, CARRY);
	struct sse_err err;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	char *nl;
	unsigned long long skip;
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || grow_in(in, (size_t)st.st_size + 65536) < 0) {
		/* left in place for the next holder */
		say_sys(in, "cannot read '%s'", p);
		sse_close(fd);
		return;
	}
	n = sse_read_upto(fd, in->in, in->in_cap - 65536, p, &err);
	sse_close(fd);
	nl = n > 0 ? memchr(in->in, '\n', (size_t)n) : NULL;
	if (nl && nl - in->in > 10 && memcmp(in->in, "sse-carry ", 10) == 0 &&
	    sse_parse_u64(in->in + 10, (size_t)(nl - in->in - 10), &skip) == 0 && skip < 16) {
		size_t head = (size_t)(nl + 1 - in->in);

		in->parser.skipping = (int)skip;
		memmove(in->in, nl + 1, (size_t)n - head);
		in->in_len = (size_t)n - head;
	} else if (n != 0) {
		say(in, "ignoring '%s': not a carry file of this version", p);
	}
	if (unlink(p) < 0)
		say_sys(in, "cannot remove '%s'", p);
}

int sse_intake_try(struct sse_intake *in, struct sse_err *err)
{
	if (in->holder)
		return 1;
	if (flock(in->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return sse_err_sys(err, "cannot lock '%s'", cpath(in, in->path, "drain.lock"));
	}
	sse_parser_init(&in->parser, in->max_event, in->scratch, in->max_event + 1);
	in->parser.at_start = 0; /* a pipe is a stream of events: no BOM rule */
	in->owner_fd = sse_open(cpath(in, in->path, "drain.owner"), O_RDONLY, 0, err);
	if (in->owner_fd >= 0)
		in->wd_incoming = sse_watch_add(in->wfd, cpath(in, in->path, "incoming"),
						IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE, err);
	if (in->owner_fd < 0 || in->wd_incoming < 0) {
		/* Not a holder that nobody would ever replace: give it back. */
		sse_close(in->owner_fd);
		in->owner_fd = -1;
		(void)flock(in->lock_fd, LOCK_UN);
		return -1;
	}
	in->holder = 1;
	in->retry_ms = 0;
	load_carry(in);
	/* A carry may hold whole events (its holder was stalled): now. */
	if (in->in_len > 0 && parse_kept(in, 0, err) < 0)
		return -1;
	if (sse_intake_dropbox(in, err) < 0)
		return -1;
	if (sse_intake_fifo(in, err) < 0)
		return -1;
	return 1;
}

/* After the last writer closed: a fresh reader open of a fifo reports no
 * hang-up until a writer comes and goes, so this stops POLLHUP from spinning.
 * Other streams keep the pipe open meanwhile, so no writer sees EPIPE. */
static int reopen_fifo(struct sse_intake *in, struct sse_err *err)
{
	int fd = open_fifo(in, err);

	if (fd < 0)
		return -1;
	sse_close(in->fifo_fd);
	in->fifo_fd = fd;
	return 0;
}

int sse_intake_fifo(struct sse_intake *in, struct sse_err *err)
{
	const char *p;
	int eof = 0, rc;

	if (!in->holder || in->stall_ms)
		return 0;
	p = cpath(in, in->what, "fifo");
	/* Bounded: a writer that never stops must not starve the readers. */
	for (int round = 0; round < 16 && !eof && in->in_len < in->in_cap; round++) {
		size_t consumed = 0;
		ssize_t n = read(in->fifo_fd, in->in + in->in_len, in->in_cap - in->in_len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return sse_err_sys(err, "cannot read '%s'", p);
		}
		if (n == 0)
			eof = 1;
		in->in_len += (size_t)n;
		if (in->in_len == 0)
			break;
		rc = parse_into_log(in, in->in, in->in_len, eof, &consumed, err);
		/* Committed even when the sync after it failed: never parse twice. */
		memmove(in->in, in->in + consumed, in->in_len - consumed);
		in->in_len -= consumed;
		if (rc < 0)
			return -1;
		if (in->append_failed) {
			stall(in, eof);
			break;
		}
	}
	if (eof && reopen_fifo(in, err) < 0)
		return -1;
	return 0;
}

/* Moves a refused drop-box entry aside (hidden, so it is not seen again) and
 * says why; the admin finds it there. */
static void reject(struct sse_intake *in, int dfd, const char *name, const char *why)
{
	char aside[NAME_MAX + 16];

	snprintf(aside, sizeof(aside), ".rejected-%.*s", NAME_MAX - 10, name);
	if (renameat(dfd, name, dfd, aside) < 0 && errno != ENOENT)
		say_sys(in, "drop-box file '%s/incoming/%s' refused (%s), and cannot be moved aside",
			in->dir, name, why);
	else
		say(in, "drop-box file '%s/incoming/%s' refused: %s; moved to '%s'", in->dir, name,
		    why, aside);
}

/* A file still open for writing cannot get a read lease: it is not complete
 * yet, and its close will raise IN_CLOSE_WRITE. Leases need the file's
 * owner: for another user's file found by a scan (not named by its own
 * close or rename event) only age tells, so a file younger than this is
 * left for its event or a later scan. 1: still written, 0: complete. */
#define FOREIGN_SETTLE_MS 2000
static int still_written(struct sse_intake *in, int fd, const struct stat *st, int named)
{
	struct timespec now;
	int64_t age_ms;

	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		(void)fcntl(fd, F_SETLEASE, F_UNLCK);
		return 0;
	}
	if (errno == EAGAIN)
		return 1;
	if (named)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	age_ms = (int64_t)(now.tv_sec - st->st_mtim.tv_sec) * 1000 +
		 (now.tv_nsec - st->st_mtim.tv_nsec) / 1000000;
	if (age_ms >= FOREIGN_SETTLE_MS)
		return 0;
	in->rescan_ms = sse_now_ms() + (uint64_t)(FOREIGN_SETTLE_MS - age_ms) + 10;
	return 1;
}

/* The part of a taken file not yet in the log goes back under its name.
 * Written over the file's own start: a full disk has no room for a copy. */
static int keep_rest(struct sse_intake *in, int dfd, const char *name, const char *rest,
		     size_t len, struct sse_err *err)
{
	const char *what = in->what;
	int fd;

	if (sse_path(in->what, in->path_cap, err, "%s/incoming/%s", in->dir, SSE_TAKING_NAME) < 0)
		return -1;
	fd = openat(dfd, SSE_TAKING_NAME, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sse_err_sys(err, "cannot open '%s'", what);
	if (sse_pwrite_all(fd, rest, len, 0, what, err) < 0) {
		sse_close(fd);
		return -1;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		sse_close(fd);
		return sse_err_sys(err, "cannot truncate '%s'", what);
	}
	sse_close(fd);
	if (renameat(dfd, SSE_TAKING_NAME, dfd, name) < 0)
		return sse_err_sys(err, "cannot rename '%s' back", what);
	return 0;
}

/* named: the file's own IN_CLOSE_WRITE / IN_MOVED_TO says it is complete. */
static int take_file(struct sse_intake *in, int dfd, const char *name, int named,
		     struct sse_err *err)
{
	char *what = in->what;
	struct stat st, now;
	uint64_t before;
	size_t consumed;
	ssize_t n;
	int fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* taken meanwhile */
		if (errno == ELOOP) {
			reject(in, dfd, name, "a symbolic link");
			return 0;
		}
		say_sys(in, "cannot open '%s/incoming/%s'", in->dir, name);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		sse_close(fd);
		return sse_err_sys(err, "cannot stat '%s/incoming/%s'", in->dir, name);
	}
	if (!S_ISREG(st.st_mode)) {
		sse_close(fd);
		reject(in, dfd, name, "not a regular file");
		return 0;
	}
	if (still_written(in, fd, &st, named)) {
		sse_close(fd);
		return 0;
	}
	(void)sse_path(what, in->path_cap, NULL, "%s/incoming/%s", in->dir, name);
	n = sse_read_upto(fd, in->file, in->file_cap, what, err);
	sse_close(fd);
	if (n == -2) {
		reject(in, dfd, name, "larger than SSE_MAX_EVENT allows");
		return 0;
	}
	if (n < 0)
		return -1;
	if (sse_log_lock(in->log, err) < 0)
		return -1;
	sse_log_take_begin(in->log);
	if (renameat(dfd, name, dfd, SSE_TAKING_NAME) < 0) {
		if (errno != ENOENT)
			rc = sse_err_sys(err, "cannot rename '%s'", what);
		sse_log_take_end(in->log);
	} else if (fstatat(dfd, SSE_TAKING_NAME, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
		   now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
		/* The name was given to a new file since it was read: that one
		 * goes back, to be taken on its own event. */
		if (renameat(dfd, SSE_TAKING_NAME, dfd, name) < 0)
			rc = sse_err_sys(err, "cannot rename '%s/incoming/%s' back", in->dir, SSE_TAKING_NAME);
		sse_log_take_end(in->log);
	} else {
		before = in->events;
		in->append_failed = 0;
		sse_parser_init(&in->fparser, in->max_event, in->scratch, in->max_event + 1);
		sse_parse(&in->fparser, in->file, (size_t)n, 1, &consumed, append_event, refused, in);
		if (in->append_failed && sse_log_take_rollback(in->log) == 0) {
			/* Not all of it went in (disk full...): none of it does,
			 * and the file stays whole, for a take a second later. */
			in->events = before;
			in->backoff_ms = in->rescan_ms = sse_now_ms() + 1000;
			if (renameat(dfd, SSE_TAKING_NAME, dfd, name) < 0)
				rc = sse_err_sys(err, "cannot rename '%s/incoming/%s' back", in->dir,
						 SSE_TAKING_NAME);
			sse_log_take_end(in->log);
		} else if (in->append_failed) {
			/* More than a batch went in, and is committed: the file
			 * keeps only the rest, for a take a second later. */
			in->backoff_ms = in->rescan_ms = sse_now_ms() + 1000;
			if (sse_log_commit(in->log, err) < 0 ||
			    keep_rest(in, dfd, name, in->file + consumed, (size_t)n - consumed, err) < 0) {
				/* Not left as .taking, which the next locker
				 * would remove as done: aside, for the admin. */
				char aside[NAME_MAX + 16];

				snprintf(aside, sizeof(aside), ".partial-%.*s", NAME_MAX - 10, name);
				if (renameat(dfd, SSE_TAKING_NAME, dfd, aside) < 0)
					snprintf(aside, sizeof(aside), "%s", SSE_TAKING_NAME);
				say(in, "%s; drop-box file '%s/incoming/%s' published up to byte %zu, the rest kept as '%s'",
				    err->msg, in->dir, name, consumed, aside);
				sse_log_take_end(in->log);
				rc = 0;
			} else {
				sse_log_take_end(in->log);
			}
		} else if (sse_log_commit(in->log, err) < 0) {
			/* Commit before the unlink: a taker killed in between
			 * counts as done (resolve_take removes .taking). */
			rc = -1;
		} else if (unlinkat(dfd, SSE_TAKING_NAME, 0) < 0) {
			rc = sse_err_sys(err, "cannot remove '%s/incoming/%s'", in->dir, SSE_TAKING_NAME);
		} else {
			sse_log_take_end(in->log);
			stall_over(in);
		}
	}
	if (sse_log_unlock(in->log, rc < 0 ? NULL : err) < 0)
		rc = -1;
	return rc;
}

static int take_scanned(void *ctx, int dfd, const char *name, struct sse_err *err)
{
	return take_file(ctx, dfd, name, 0, err);
}

int sse_intake_dropbox(struct sse_intake *in, struct sse_err *err)
{
	DIR *d;
	int rc, dfd;

	if (!in->holder)
		return 0;
	if (sse_now_ms() < in->backoff_ms) {
		/* else the wait would be due at once until then: a spin */
		if (in->rescan_ms && in->rescan_ms < in->backoff_ms)
			in->rescan_ms = in->backoff_ms;
		return 0;
	}
	/* Not opendir(): a link planted as incoming/ would have us take (and
	 * remove) files outside the spool. */
	dfd = sse_open(cpath(in, in->path, "incoming"), O_RDONLY | O_DIRECTORY, 0, err);
	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (!d) {
		sse_close(dfd);
		return sse_err_sys(err, "cannot open drop-box '%s'", in->path);
	}
	in->rescan_ms = 0;
	rc = sse_backlog_scan(d, take_scanned, in, err);
	closedir(d);
	return rc;
}

/* One file, named by its own close or rename event. */
static int take_named(struct sse_intake *in, const char *name, struct sse_err *err)
{
	int dfd, rc;

	if (name[0] == '.' || !name[0] || sse_now_ms() < in->backoff_ms)
		return 0; /* a back-off has its rescan scheduled */
	dfd = sse_open(cpath(in, in->path, "incoming"), O_RDONLY | O_DIRECTORY, 0, err);
	if (dfd < 0)
		return -1;
	rc = take_file(in, dfd, name, 1, err);
	sse_close(dfd);
	return rc;
}

int sse_intake_notify(struct sse_intake *in, int wd, uint32_t mask, const char *name,
		      struct sse_err *err)
{
	(void)name;
	/* Events were dropped: whatever they were, look again. */
	if (mask & IN_Q_OVERFLOW)
		return (in->holder ? sse_intake_dropbox(in, err) : sse_intake_try(in, err)) < 0 ? -1 : 0;
	if (wd == in->wd_owner && !in->holder) {
		int rc = sse_intake_try(in, err);

		if (rc == 0) {
			in->retries = 0;
			in->retry_ms = sse_now_ms() + 5;
		}
		return rc < 0 ? -1 : 0;
	}
	if (wd == in->wd_incoming && in->holder) {
		/* A created regular file is taken at its close; anything else
		 * (fifo, directory, link) is refused now, not at the next scan. */
		if (mask & IN_CREATE && !(mask & IN_ISDIR)) {
			struct stat st;

			if (sse_path(in->path, in->path_cap, NULL, "%s/incoming/%s", in->dir, name) < 0 ||
			    lstat(in->path, &st) < 0 || S_ISREG(st.st_mode))
				return 0;
		}
		return take_named(in, name, err);
	}
	return 0;
}

/* The fifo's kept bytes, once more; then drains the pipe again. */
static int retry_kept(struct sse_intake *in, struct sse_err *err)
{
	in->stall_ms = 0;
	if (parse_kept(in, in->stall_eof, err) < 0)
		return -1;
	if (in->stall_ms)
		return 0;
	in->stall_eof = 0;
	return sse_intake_fifo(in, err);
}

int sse_intake_timeout(const struct sse_intake *in, uint64_t now)
{
	uint64_t at = in->holder ? in->rescan_ms : in->retry_ms;

	if (in->holder && in->stall_ms && (!at || in->stall_ms < at))
		at = in->stall_ms;

	if (!at)
		return -1;
	return at > now ? (int)(at - now) : 0;
}

int sse_intake_tick(struct sse_intake *in, uint64_t now, struct sse_err *err)
{
	static const unsigned delays[] = { 20, 100, 400, 1500 };
	int rc;

	if (in->holder && in->stall_ms && now >= in->stall_ms && retry_kept(in, err) < 0)
		return -1;
	if (in->holder && in->rescan_ms && now >= in->rescan_ms)
		return sse_intake_dropbox(in, err);
	if (in->holder || !in->retry_ms || now < in->retry_ms)
		return 0;
	rc = sse_intake_try(in, err);
	if (rc != 0 || in->retries >= (int)(sizeof(delays) / sizeof(delays[0]))) {
		in->retry_ms = 0;
		return rc < 0 ? -1 : 0;
	}
	in->retry_ms = now + delays[in->retries++];
	return 0;
}

static void keep_pipe(struct sse_intake *in)
{
	struct statvfs fs;

	/* Taken out of the pipe only when the carry has room for them: else
	 * they stay, for the next holder (if another stream keeps it open). */
	if (fstatvfs(in->lock_fd, &fs) < 0 ||
	    (unsigned long long)fs.f_bavail * fs.f_frsize < in->in_len + (64ull << 10) + (1ull << 20))
		return;
	/* Bounded: a pipe holds at most 1 MiB (pipe-max-size). */
	for (int round = 0; round < 64; round++) {
		ssize_t n;

		if (grow_in(in, 65536) < 0) {
			say(in, "out of memory keeping the bytes of '%s'", cpath(in, in->what, "fifo"));
			return;
		}
		n = read(in->fifo_fd, in->in + in->in_len, in->in_cap - in->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		in->in_len += (size_t)n;
	}
}

/* The incomplete event goes to the next holder; written before the lock is
 * released (at close), so only one process ever touches the carry file. */
static int save_carry(struct sse_intake *in, struct sse_err *err)
{
	const char *p = cpath(in, in->path, CARRY);
	char *tmp = in->what;
	int fd;

	if (in->in_len == 0 && !in->parser.skipping)
		return 0;
	if (sse_path(tmp, in->path_cap, err, "%s.tmp", p) < 0)
		return -1;
	fd = sse_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, SSE_FILE_MODE, err);
	if (fd < 0)
		return -1;
	char head[32];
	int hl = snprintf(head, sizeof(head), "sse-carry %d\n", in->parser.skipping);

	if (sse_write_all(fd, head, (size_t)hl, tmp, err) < 0 ||
	    sse_write_all(fd, in->in, in->in_len, tmp, err) < 0) {
		sse_close(fd);
		return -1;
	}
	sse_close(fd);
	if (rename(tmp, p) < 0)
		return sse_err_sys(err, "cannot rename '%s'", tmp);
	return 0;
}

int sse_intake_close(struct sse_intake *in, struct sse_err *err)
{
	int rc = 0;

	if (in->holder) {
		/* What writers already put in the pipe is ours to drain; a
		 * stalled holder cannot, so it hands the bytes on in the carry
		 * (the pipe's contents die with its last reader). */
		if (sse_intake_fifo(in, err) < 0)
			rc = -1;
		if (in->stall_ms)
			keep_pipe(in);
		if (save_carry(in, rc < 0 ? NULL : err) < 0) {
			if (in->in_len)
				say(in, "%zu bytes of events from '%s' lost: they could not be handed on",
				    in->in_len, cpath(in, in->what, "fifo"));
			rc = -1;
		}
	}
	/* A worker of sse-fcgi keeps its inotify fd for other channels. */
	if (in->wd_owner >= 0)
		(void)inotify_rm_watch(in->wfd, in->wd_owner);
	if (in->wd_incoming >= 0)
		(void)inotify_rm_watch(in->wfd, in->wd_incoming);
	in->wd_owner = in->wd_incoming = -1;
	sse_close(in->fifo_fd);
	/* The lock first: closing drain.owner wakes the others to take it. */
	sse_close(in->lock_fd);
	sse_close(in->owner_fd);
	in->fifo_fd = in->owner_fd = in->lock_fd = -1;
	in->holder = 0;
	free(in->in);
	free(in->file);
	free(in->scratch);
	free(in->dir);
	free(in->path);
	free(in->what);
	in->in = in->file = in->scratch = in->dir = in->path = in->what = NULL;
	return rc;
}
