/* Error buffer: lib/ never prints and never exits. A failing call fills the
 * caller's buffer with one line ("open '/srv/sse/x/log': Permission denied")
 * and returns -1; only main() files write it to stderr, prefixed with the
 * program name. */
#ifndef SSE_ERR_H
#define SSE_ERR_H

#include <stddef.h>

/* room for a permission error's explanation (perm.h) with two paths */
#define SSE_ERR_MAX 1024

struct sse_err {
	char msg[SSE_ERR_MAX];
	int code; /* errno of the failing syscall, 0 when not a syscall failure */
};

#if defined(__GNUC__)
#define SSE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SSE_PRINTF(a, b)
#endif

/* Sets the message; returns -1 so callers can "return sse_err_set(...)". */
int sse_err_set(struct sse_err *err, const char *fmt, ...) SSE_PRINTF(2, 3);
/* Same, with ": strerror(errno)" appended and errno kept in err->code;
 * EACCES and EPERM also say who runs and who owns what (perm.h). */
int sse_err_sys(struct sse_err *err, const char *fmt, ...) SSE_PRINTF(2, 3);
void sse_err_clear(struct sse_err *err);

/* Where long-running lib/ code sends a line it cannot return (a refused
 * event, a recovery): main() writes it to stderr, the web server's log. */
typedef void (*sse_report_fn)(void *ctx, const char *line);

#endif
