#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every file these open lives in the spool, whose group may plant a
 * symbolic link to make a server user write, truncate, chmod or publish a
 * file outside it: a link is never followed (O_NOFOLLOW; the directories on
 * the way are checked where a channel is opened). */
static int refused_link(struct sse_err *err, const char *path, const char *name)
{
	int rc = sse_err_set(err, "refused '%s%s%s': a symbolic link (links in the spool are never followed)",
			     path, name ? "/" : "", name ? name : "");

	if (err)
		err->code = ELOOP;
	errno = ELOOP;
	return rc;
}

static int is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int sse_open(const char *path, int flags, mode_t mode, struct sse_err *err)
{
	int fd;

	do
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode);
	while (fd < 0 && errno == EINTR);
	/* O_DIRECTORY on a link says ENOTDIR */
	if (fd < 0 && (errno == ELOOP || (errno == ENOTDIR && flags & O_DIRECTORY && is_link(path))))
		return refused_link(err, path, NULL);
	if (fd < 0)
		return sse_err_sys(err, "cannot open '%s'", path);
	return fd;
}

int sse_open_setting(const char *path, struct sse_err *err)
{
	int fd;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return sse_err_sys(err, "cannot open '%s'", path);
	return fd;
}

int sse_openat(int dirfd, const char *dirname, const char *name, int flags,
	       mode_t mode, struct sse_err *err)
{
	int fd;

	do
		fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW, mode);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && errno == ELOOP)
		return refused_link(err, dirname, name);
	if (fd < 0)
		return sse_err_sys(err, "cannot open '%s/%s'", dirname, name);
	return fd;
}

int sse_mkdir(const char *path, mode_t mode, struct sse_err *err)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return sse_err_sys(err, "cannot create directory '%s'", path);
	if (stat(path, &st) < 0)
		return sse_err_sys(err, "cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return sse_err_set(err, "'%s' exists and is not a directory", path);
	return 0;
}

int sse_write_all(int fd, const void *buf, size_t len, const char *what,
		  struct sse_err *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sse_err_sys(err, "cannot write to %s", what);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sse_pwrite_all(int fd, const void *buf, size_t len, off_t off,
		   const char *what, struct sse_err *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sse_err_sys(err, "cannot write to '%s'", what);
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int sse_pread_all(int fd, void *buf, size_t len, off_t off, const char *what,
		  struct sse_err *err)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sse_err_sys(err, "cannot read '%s'", what);
		}
		if (n == 0)
			return sse_err_set(err, "cannot read '%s': file is shorter than expected", what);
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

ssize_t sse_read_upto(int fd, char *buf, size_t cap, const char *what,
		      struct sse_err *err)
{
	size_t have = 0;
	char extra;

	for (;;) {
		ssize_t n = read(fd, have < cap ? buf + have : &extra,
				 have < cap ? cap - have : 1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sse_err_sys(err, "cannot read %s", what);
		}
		if (n == 0)
			return (ssize_t)have;
		if (have >= cap)
			return -2;
		have += (size_t)n;
	}
}

void sse_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;

		/* Linux releases the fd even when close() fails (EINTR
		 * included), so a retry could close someone else's fd. */
		(void)close(fd);
		errno = saved;
	}
}

int sse_parse_u64(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;

	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int sse_path(char *buf, size_t cap, struct sse_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return sse_err_set(err, "path too long: '%.200s...'", buf);
	return 0;
}
