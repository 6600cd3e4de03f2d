/* Topic selectors (lib/selector.c, lib/uritemplate.c): a subscriber's
 * selectors against an event's topic.
 * Input: lines; every line but the last is a selector, the last is the
 * topic (no '\n' at all: no selector). Asserts, beyond "no crash":
 *   - the set compiles unless it has more than SSE_SELECTORS_MAX selectors
 *     or one longer than SSE_SELECTOR_MAX_LEN, and then the error is one
 *     line;
 *   - every selector matches its own text, `*` everything;
 *   - the set matches exactly when one of its selectors does, each one
 *     judged by a reference built apart from the NFA: the Mercure hub's
 *     rule (`*`, equal, else a template that parses, matched by the POSIX
 *     regex that uritemplate v3's Regexp() writes for it, run by glibc). */
#include <regex.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "selector.h"
#include "uritemplate.h"

/* The character classes as Regexp() spells them (escape.go reUnreserved,
 * reReserved; ',' always beside unreserved, '=' when named or exploded). */
#define UNRES "A-Za-z0-9._~"
#define CLASS_U "[" UNRES ",-]"
#define CLASS_UEQ "[" UNRES ",=-]"
#define CLASS_UR "[]" UNRES "!#$&'()*+,/:;=?@[-]"
#define VALUE(cls) "(" cls "|%[0-9A-Fa-f][0-9A-Fa-f])*"
/* Templates longer than this get no reference: glibc copies a bounded
 * repeat's subexpression once per bound, slow for a long list. */
#define REF_MAX 300

struct re {
	char s[64 * REF_MAX];
	size_t n;
};

static void app(struct re *r, const char *s)
{
	size_t k = strlen(s);

	CHECK(r->n + k < sizeof(r->s));
	memcpy(r->s + r->n, s, k + 1);
	r->n += k;
}

static void lit(struct re *r, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c[3] = { '\\', p[i], 0 };

		app(r, strchr(".[]\\()*+?{}|^$", p[i]) ? c : c + 1);
	}
}

static int part(void *ctx, const char *p, size_t len, const struct sse_urit_expr *e)
{
	struct re *r = ctx;
	const char *op = e && e->op ? strchr("+#./;?&", e->op) : NULL;
	int named = op && strchr(";?&", *op) != NULL, ur = op && strchr("+#", *op) != NULL;
	char first = !op || *op == '+' ? 0 : *op, sep = !op || ur ? ',' : *op == '?' ? '&' : *op;
	char bound[32];

	if (!e) {
		lit(r, p, len);
		return 0;
	}
	app(r, "(");
	lit(r, &first, first != 0);
	app(r, ur ? "(" VALUE(CLASS_UR) : named || e->explode_first ? "(" VALUE(CLASS_UEQ) : "(" VALUE(CLASS_U));
	if (e->nvars > 1 || e->explode_any) {
		app(r, "(");
		lit(r, &sep, 1);
		app(r, ur ? VALUE(CLASS_UR) : named || e->explode_any ? VALUE(CLASS_UEQ) : VALUE(CLASS_U));
		snprintf(bound, sizeof(bound), "){0,%u}", e->nvars - 1);
		app(r, e->explode_any ? ")*" : bound);
	}
	app(r, "))?");
	return 0;
}

/* -1: no reference (too long for glibc's regex in a fuzz loop) */
static int reference(const char *sel, size_t sl, const char *topic, size_t tl)
{
	static struct re r;
	regex_t re;
	regmatch_t m = { 0, (regoff_t)tl };
	char *copy;
	int rc;

	if ((sl == 1 && sel[0] == '*') || (sl == tl && memcmp(sel, topic, tl) == 0))
		return 1;
	if (!memchr(sel, '{', sl) || sse_urit_parse(sel, sl, NULL, NULL) != 0)
		return 0;
	if (sl > REF_MAX)
		return -1;
	r.n = 0;
	app(&r, "^");
	CHECK(sse_urit_parse(sel, sl, part, &r) == 0);
	app(&r, "$");
	CHECK(regcomp(&re, r.s, REG_EXTENDED | REG_NOSUB) == 0);
	/* REG_STARTEND lets glibc see NUL bytes in the topic; the sanitizer's
	 * interceptor still reads up to a NUL, so there must be one */
	copy = malloc(tl + 1);
	CHECK(copy != NULL);
	memcpy(copy, topic, tl);
	copy[tl] = '\0';
	rc = regexec(&re, copy, 1, &m, REG_STARTEND);
	regfree(&re);
	free(copy);
	return rc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *topic = in, *p;
	struct sse_str sel[128];
	size_t n = 0, tl;
	int capped = 0, want = 0, unknown = 0, rc;
	struct sse_selectors *s;
	struct sse_err err;

	for (p = in; (p = memchr(topic, '\n', (size_t)(end - topic))) && n < 128; topic = p + 1) {
		sel[n] = (struct sse_str){ topic, (size_t)(p - topic) };
		capped |= sel[n++].len > SSE_SELECTOR_MAX_LEN;
	}
	tl = (size_t)(end - topic);
	capped |= n > SSE_SELECTORS_MAX;
	s = sse_selectors_compile(sel, n, &err);
	CHECK((s == NULL) == capped);
	if (!s) {
		CHECK(strchr(err.msg, '\n') == NULL && strlen(err.msg) < 200);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct sse_selectors *one = sse_selectors_compile(&sel[i], 1, &err);

		CHECK(one != NULL);
		CHECK(sse_selectors_match(one, sel[i].p, sel[i].len) == 1);
		rc = reference(sel[i].p, sel[i].len, topic, tl);
		if (rc >= 0)
			CHECK(sse_selectors_match(one, topic, tl) == rc);
		want |= rc == 1;
		unknown |= rc < 0 && sse_selectors_match(one, topic, tl);
		sse_selectors_free(one);
	}
	CHECK(sse_selectors_match(s, topic, tl) == (want || unknown));
	CHECK(sse_selectors_match_any(s, &(struct sse_str){ topic, tl }, 1) == (want || unknown));
	sse_selectors_free(s);
	return 0;
}
