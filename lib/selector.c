/* A subscriber's topic selectors, compiled once into one allocation and
 * matched against each event's topics (the hot path of a hub stream:
 * no allocation, no recursion, time linear in the topic's length). The
 * rules are the Mercure hub's (dunglas/mercure topicselector.go,
 * TopicSelectorStore.match and getRegexp):
 *   - `*` matches every topic;
 *   - a selector equal to the topic matches, whatever it holds (also a
 *     template: the hub compares before it parses);
 *   - a selector holding a '{' that uritemplate v3 parses is a template and
 *     matches as lib/uritemplate.h says; one it cannot parse is a plain
 *     string ("If an error occurs, it's a raw string"), not an error. */
#include "selector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uritemplate.h"

struct sel {
	uint32_t text;     /* offset of its bytes in the text area */
	uint16_t len;
	uint16_t pre, suf; /* template: literal prefix and suffix lengths */
	uint16_t ninst;    /* 0: compared as a string only */
	uint32_t inst;     /* index of its first instruction */
};

struct sse_selectors {
	size_t n;
	int star;
	const char *text;
	const struct sse_urit_inst *inst;
	struct sel sel[];
};

_Static_assert(SSE_SELECTOR_MAX_LEN <= SSE_URIT_MAX_LEN && SSE_URIT_INST_MAX <= UINT16_MAX,
	       "a selector's lengths and program fit struct sel");

/* The selector, cut short, as the error quotes it. */
#define QUOTE_MAX 64

static int is_template(const struct sse_str *s, struct sse_urit_inst *inst,
		       struct sse_urit_prog *prog)
{
	return s->len > 0 && memchr(s->p, '{', s->len) &&
	       sse_urit_compile(s->p, s->len, inst, prog) == 0 && prog->ninst > 0;
}

struct sse_selectors *sse_selectors_compile(const struct sse_str *sel, size_t n,
					    struct sse_err *err)
{
	struct sse_selectors *s;
	struct sse_urit_inst *inst;
	struct sse_urit_prog prog;
	size_t ninst = 0, text = 0, head, at_inst = 0, at_text = 0;
	char *t;

	if (n > SSE_SELECTORS_MAX) {
		sse_err_set(err, "too many topic selectors (%zu, at most %d)", n, SSE_SELECTORS_MAX);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (sel[i].len > SSE_SELECTOR_MAX_LEN) {
			sse_err_set(err, "topic selector '%.*s...' is longer than %d bytes",
				    QUOTE_MAX, sel[i].p, SSE_SELECTOR_MAX_LEN);
			return NULL;
		}
		if (is_template(&sel[i], NULL, &prog))
			ninst += prog.ninst;
		text += sel[i].len;
	}
	if (ninst > SSE_SELECTORS_STATES_MAX) {
		sse_err_set(err, "topic selectors too complex (%zu states, at most %d): use fewer "
			    "or simpler URI templates", ninst, SSE_SELECTORS_STATES_MAX);
		return NULL;
	}
	/* header and entries, then the programs (2-aligned), then the text */
	head = offsetof(struct sse_selectors, sel) + n * sizeof(struct sel);
	head = (head + _Alignof(struct sse_urit_inst) - 1) & ~(_Alignof(struct sse_urit_inst) - 1);
	s = malloc(head + ninst * sizeof(*inst) + text + 1);
	if (!s) {
		sse_err_set(err, "cannot allocate %zu topic selectors: out of memory", n);
		return NULL;
	}
	inst = (struct sse_urit_inst *)((char *)s + head);
	t = (char *)(inst + ninst);
	s->n = n;
	s->star = 0;
	s->inst = inst;
	s->text = t;
	for (size_t i = 0; i < n; i++) {
		struct sel *e = &s->sel[i];

		s->star |= sel[i].len == 1 && sel[i].p[0] == '*';
		e->text = (uint32_t)at_text;
		e->len = (uint16_t)sel[i].len;
		e->pre = e->suf = e->ninst = 0;
		e->inst = (uint32_t)at_inst;
		if (sel[i].len)
			memcpy(t + at_text, sel[i].p, sel[i].len);
		at_text += sel[i].len;
		if (is_template(&sel[i], inst + at_inst, &prog)) {
			e->pre = (uint16_t)prog.pre;
			e->suf = (uint16_t)prog.suf;
			e->ninst = (uint16_t)prog.ninst;
			at_inst += prog.ninst;
		}
	}
	return s;
}

void sse_selectors_free(struct sse_selectors *s)
{
	free(s);
}

int sse_selectors_match(const struct sse_selectors *s, const char *topic, size_t len)
{
	if (!s)
		return 0;
	if (s->star)
		return 1;
	if (!topic)
		topic = "", len = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct sel *e = &s->sel[i];
		const char *t = s->text + e->text;

		if (e->len == len && memcmp(t, topic, len) == 0)
			return 1;
		/* the literal ends first: most topics fail there */
		if (e->ninst && len >= (size_t)e->pre + e->suf && memcmp(t, topic, e->pre) == 0 &&
		    memcmp(t + e->len - e->suf, topic + len - e->suf, e->suf) == 0 &&
		    sse_urit_run(s->inst + e->inst, e->ninst, topic + e->pre, len - e->pre - e->suf))
			return 1;
	}
	return 0;
}

int sse_selectors_match_any(const struct sse_selectors *s, const struct sse_str *topics,
			    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sse_selectors_match(s, topics[i].p, topics[i].len))
			return 1;
	return 0;
}
