#include "err.h"
#include "perm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message quotes values from requests, settings and file names: a CR,
 * LF or other control byte there would split the error log's one line or
 * forge another, so each becomes '?'. */
static void one_line(char *msg)
{
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			*msg = '?';
}

int sse_err_set(struct sse_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg);
	err->code = 0;
	return -1;
}

int sse_err_sys(struct sse_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	err->code = saved;
	sse_err_perm(err);
	one_line(err->msg);
	errno = saved;
	return -1;
}

void sse_err_clear(struct sse_err *err)
{
	if (err) {
		err->msg[0] = '\0';
		err->code = 0;
	}
}
