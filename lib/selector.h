/* Mercure topic selectors (SPEC "Subscribe"): `*` (every topic), an exact
 * topic, or an RFC 6570 URI template that matches a topic when one of its
 * expansions equals it (`https://example.com/books/{id}`). A subscriber's
 * selectors are compiled once per stream into one allocation and matched in
 * time linear in the topic's length (a state-set simulation, never
 * backtracking), so a hostile selector cannot stall a worker. */
#ifndef SSE_SELECTOR_H
#define SSE_SELECTOR_H

#include <stddef.h>

#include "err.h"
#include "event.h"

/* Caps (SPEC: 400 beyond): selectors per subscription or per token claim,
 * bytes per selector. */
#define SSE_SELECTORS_MAX 64
#define SSE_SELECTOR_MAX_LEN 1024
/* States of all of a set's templates together: matching costs a topic's
 * length times these at worst, so one hostile subscriber (64 templates of
 * 1024 bytes of adjacent expressions: 30 ms per event) cannot slow a
 * worker's every other stream. A realistic template needs a handful. */
#define SSE_SELECTORS_STATES_MAX 4096

struct sse_selectors;

/* Compiles n selectors; NULL with err (one line, for a 400 body) when there
 * are more than SSE_SELECTORS_MAX or one is longer than
 * SSE_SELECTOR_MAX_LEN (the line quotes its start), or without memory. A
 * template that does not parse is no error: it matches as a plain string,
 * as in the Mercure hub (lib/selector.c says why). n == 0 compiles a set
 * that matches nothing. */
struct sse_selectors *sse_selectors_compile(const struct sse_str *sel, size_t n,
					    struct sse_err *err);
void sse_selectors_free(struct sse_selectors *s);

/* 1 when topic matches one of the selectors, else 0. No allocation; about
 * 800 bytes of stack; s may be shared read-only between threads. */
int sse_selectors_match(const struct sse_selectors *s, const char *topic, size_t len);
/* 1 when one of the n topics matches one of the selectors. */
int sse_selectors_match_any(const struct sse_selectors *s, const struct sse_str *topics,
			    size_t n);

#endif
