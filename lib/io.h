/* The one place that opens files: every fd is close-on-exec (a CGI program
 * must not leak the log or the pipe into anything it might run) and every
 * failure names the path. */
#ifndef SSE_IO_H
#define SSE_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* open(2) with O_CLOEXEC and O_NOFOLLOW: a symbolic link is refused (ELOOP). */
int sse_open(const char *path, int flags, mode_t mode, struct sse_err *err);
/* open(2) O_RDONLY with O_CLOEXEC, following links: for a file a setting
 * names outside the spool (a key file), which is often a link (/etc/ssl, a
 * Kubernetes secret) and which only the administrator can name. */
int sse_open_setting(const char *path, struct sse_err *err);
int sse_openat(int dirfd, const char *dirname, const char *name, int flags,
	       mode_t mode, struct sse_err *err);
/* mkdir that accepts an existing directory. */
int sse_mkdir(const char *path, mode_t mode, struct sse_err *err);

/* Writes all of buf, retrying on EINTR and short writes. EAGAIN is an error
 * (callers with non-blocking fds use write() themselves). */
int sse_write_all(int fd, const void *buf, size_t len, const char *what,
		  struct sse_err *err);
int sse_pwrite_all(int fd, const void *buf, size_t len, off_t off,
		   const char *what, struct sse_err *err);
/* Reads exactly len bytes at off; a short file is an error. */
int sse_pread_all(int fd, void *buf, size_t len, off_t off, const char *what,
		  struct sse_err *err);
/* Reads up to cap bytes of a whole fd; returns the length, -1 on error,
 * and -2 (without error text) if the input holds more than cap bytes. */
ssize_t sse_read_upto(int fd, char *buf, size_t cap, const char *what,
		      struct sse_err *err);

void sse_close(int fd);

/* snprintf for paths: a path that does not fit is an error, never cut. */
int sse_path(char *buf, size_t cap, struct sse_err *err, const char *fmt, ...)
	SSE_PRINTF(4, 5);

/* Parses a decimal unsigned integer spanning all of s[0..len). */
int sse_parse_u64(const char *s, size_t len, unsigned long long *out);

#endif
