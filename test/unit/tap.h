/* Minimal TAP for the C unit tests: "ok N - what" / "not ok N - what", a plan
 * at the end, exit status 1 on any failure. The test runner counts the lines. */
#ifndef SSE_TAP_H
#define SSE_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int tap_ok(int cond, const char *fmt, ...);

#include <stdarg.h>
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
