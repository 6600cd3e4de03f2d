/* RFC 6570 URI templates as topic selectors (lib/selector.c): which
 * templates are well formed, and a template compiled into a small NFA that
 * tells whether a topic is one of its expansions.
 *
 * The reference is the Mercure hub (dunglas/mercure topicselector.go), which
 * parses with github.com/yosida95/uritemplate/v3 (parse.go) and matches with
 * its Template.Regexp() (expression.go, escape.go). We accept exactly the
 * templates that parser accepts, and match the language that regexp
 * describes, which is looser than "some expansion equals the topic":
 *   - a variable of {var} {.var} {/var} {;var} {?var} {&var} matches any run
 *     of unreserved characters, ',' and %XX (and '=' for ; ? & and for an
 *     exploded first variable); of {+var} {#var} unreserved, reserved and
 *     %XX; a run may be empty, and an expression may expand to nothing;
 *   - variable names after ; ? & are not checked (';x=1' and ';y=1' both
 *     match {;x});
 *   - a prefix modifier :N is validated but does not bound the length;
 *   - a list {a,b,c} allows at most as many values as it names, joined by
 *     the operator's separator; an explode modifier anywhere in the list
 *     lifts that bound.
 * Matching simulates the NFA with a state set: time O(topic length x
 * program size), no backtracking, no recursion, no allocation. */
#ifndef SSE_URITEMPLATE_H
#define SSE_URITEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/* Templates longer than this are not compiled (the selector cap is 1024). */
#define SSE_URIT_MAX_LEN 1024
/* Program size bound: at most 3 instructions per template byte (a ",v" in a
 * list costs 6), plus the final MATCH. */
#define SSE_URIT_INST_MAX (3 * SSE_URIT_MAX_LEN + 1)

/* One expression as the parser saw it. */
struct sse_urit_expr {
	char op;            /* 0 (simple), '+', '#', '.', '/', ';', '?', '&' */
	unsigned nvars;     /* >= 1 */
	int explode_first;  /* the first variable has '*' */
	int explode_any;    /* some variable has '*' */
};

/* Called for each part in order: a literal run (lit, len, e == NULL) or an
 * expression (e). A nonzero return stops the parse and is returned. */
typedef int (*sse_urit_part_fn)(void *ctx, const char *lit, size_t len,
				const struct sse_urit_expr *e);

/* 0 when t is a template uritemplate v3 accepts (after calling fn for each
 * part; fn may be NULL), -1 when it is malformed (fn may have seen the parts
 * before the fault): unclosed '{', a reserved
 * or unknown operator, an empty or bad variable name, ':' without 1..9999,
 * a byte outside RFC 6570's literals or invalid UTF-8, a bad %XX. */
int sse_urit_parse(const char *t, size_t len, sse_urit_part_fn fn, void *ctx);

struct sse_urit_inst {
	uint8_t op, arg;
	uint16_t x, y;
};

/* A compiled template: the topic must start with pre bytes and end with
 * suf bytes of the template (its leading and trailing literals, compared
 * with memcmp) and the program must accept what lies between. */
struct sse_urit_prog {
	size_t pre, suf;
	size_t ninst;       /* 0: the template has no expression */
};

/* Compiles t (at most SSE_URIT_MAX_LEN bytes) into inst, which has room for
 * SSE_URIT_INST_MAX, or only counts when inst is NULL. -1 when malformed
 * or too long. */
int sse_urit_compile(const char *t, size_t len, struct sse_urit_inst *inst,
		     struct sse_urit_prog *out);

/* 1 when the program accepts s[0..len) entirely, else 0. */
int sse_urit_run(const struct sse_urit_inst *inst, size_t ninst, const char *s, size_t len);

#endif
