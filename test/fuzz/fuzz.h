/* Shared by the libFuzzer targets (test/fuzz/fuzz_*.c): a failed invariant
 * aborts with its line, which libFuzzer reports as a crash and saves the
 * input. Each target is one translation unit, so these are static. */
#ifndef SSE_FUZZ_H
#define SSE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) ((c) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #c))

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

/* Deterministic cuts of an input into pieces, from a seed byte of it. */
static inline uint32_t fuzz_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static inline size_t fuzz_piece(uint32_t *x, size_t left)
{
	size_t n = 1 + fuzz_rand(x) % (1u << (fuzz_rand(x) % 12));

	return n < left ? n : left;
}

/* A CGI response head: "Name: value\r\n" lines up to the blank line. Every
 * line ends with CRLF, no value holds a CR, LF or other control byte (a
 * client value echoed there would split the header block), and the head
 * ends where it should. Returns the head's length. */
static inline size_t fuzz_check_head(const char *b, size_t n)
{
	size_t at = 0;

	for (;;) {
		const char *lf = memchr(b + at, '\n', n - at), *colon;
		size_t e;

		CHECK(lf != NULL);
		e = (size_t)(lf - b);
		CHECK(e > at && b[e - 1] == '\r');
		if (e - 1 == at)
			return e + 1;
		colon = memchr(b + at, ':', e - 1 - at);
		CHECK(colon != NULL && colon > b + at && colon[1] == ' ');
		for (const char *p = b + at; p < colon; p++)
			CHECK((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-');
		for (const char *p = colon + 2; p < b + e - 1; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
		at = e + 1;
	}
}

#endif
