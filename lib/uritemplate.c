/* RFC 6570 templates: the parser that decides what is a template, and the
 * NFA that matches topics against one (see uritemplate.h for the semantics
 * and where they come from). */
#include "uritemplate.h"

#include <string.h>

/* Instructions. A consuming one reads one byte and moves to x (CLASS: to y
 * on a '%', which starts a %XX triplet); SPLIT moves to x and y without
 * reading. Every SPLIT points forward (x, y > its own pc): the compiler
 * lays loops out so that only consuming moves go back, which lets one sweep
 * in pc order close a state set. */
enum { OP_CHAR, OP_CLASS, OP_HEX, OP_SPLIT, OP_MATCH };

/* Byte properties; a CLASS instruction's arg is a mask of them. */
enum {
	P_UNRES = 1,  /* RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
	P_RES = 2,    /* reserved: gen-delims and sub-delims */
	P_COMMA = 4,
	P_EQ = 8,
	P_HEX = 16,
	P_VARCHAR = 32, /* ALPHA DIGIT _ (a variable name, beside '.' and %XX) */
};

/* What uritemplate v3's Regexp() lets a variable match: {var}-like
 * operators take unreserved and ',' (a list's values are joined by ','),
 * plus '=' where it writes name=value pairs; {+var} and {#var} take
 * unreserved and reserved. */
#define CLASS_U (P_UNRES | P_COMMA)
#define CLASS_UR (P_UNRES | P_RES)

static unsigned props(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return P_UNRES | P_VARCHAR | P_HEX;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return P_UNRES | P_VARCHAR | ((c | 0x20) <= 'f' ? P_HEX : 0);
	switch (c) {
	case '-': case '.': case '~':
		return P_UNRES;
	case '_':
		return P_UNRES | P_VARCHAR;
	case ',':
		return P_RES | P_COMMA;
	case '=':
		return P_RES | P_EQ;
	case '!': case '#': case '$': case '&': case '\'': case '(': case ')': case '*':
	case '+': case '/': case ':': case ';': case '?': case '@': case '[': case ']':
		return P_RES;
	}
	return 0;
}

static int pct(const unsigned char *s, size_t len, size_t i)
{
	return i + 2 < len && s[i] == '%' && (props(s[i + 1]) & P_HEX) && (props(s[i + 2]) & P_HEX);
}

/* Length of the UTF-8 sequence at s when it is valid (Go's DecodeRune: no
 * overlong forms, no surrogates, at most U+10FFFF) and RFC 6570 allows it
 * in a literal (ucschar or iprivate), else 0. */
static size_t ucs_literal(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t k;
	uint32_t r;

	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		k = 2, r = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		k = 3, r = s[0] & 0x0F;
		lo = s[0] == 0xE0 ? 0xA0 : lo;
		hi = s[0] == 0xED ? 0x9F : hi;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		k = 4, r = s[0] & 0x07;
		lo = s[0] == 0xF0 ? 0x90 : lo;
		hi = s[0] == 0xF4 ? 0x8F : hi;
	} else {
		return 0;
	}
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		r = r << 6 | (s[i] & 0x3F);
	}
	if ((r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFDCF) || (r >= 0xFDF0 && r <= 0xFFEF))
		return k;
	if (r >= 0x10000 && (r & 0xFFFF) <= 0xFFFD && !(r >= 0xE0000 && r < 0xE1000))
		return k;
	return 0;
}

/* One expression from just after its '{'; *end is just after its '}'. */
static int parse_expr(const unsigned char *s, size_t len, size_t i, struct sse_urit_expr *e,
		      size_t *end)
{
	memset(e, 0, sizeof(*e));
	if (i >= len)
		return -1;
	switch (s[i]) {
	case '+': case '#': case '.': case '/': case ';': case '?': case '&':
		e->op = (char)s[i++];
		break;
	case '=': case ',': case '!': case '@': case '|': /* op-reserved */
		return -1;
	}
	for (;;) {
		size_t start = i;

		while (i < len) {
			if (props(s[i]) & P_VARCHAR)
				i++;
			else if (s[i] == '%' && pct(s, len, i))
				i += 3;
			else if (s[i] == '.' && i > start && s[i - 1] != '.')
				i++;
			else
				break;
		}
		if (i == start || i >= len || s[i - 1] == '.')
			return -1;
		e->nvars++;
		if (s[i] == '*') {
			e->explode_first |= e->nvars == 1;
			e->explode_any = 1;
			i++;
		} else if (s[i] == ':') {
			unsigned n = 0;

			/* 1..9999, no leading zero (uritemplate refuses 0 at once) */
			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				n = n * 10 + (unsigned)(s[i] - '0');
				if (n == 0 || n > 9999)
					return -1;
			}
			if (n == 0)
				return -1;
		}
		if (i >= len)
			return -1;
		if (s[i] == '}') {
			*end = i + 1;
			return 0;
		}
		if (s[i] != ',')
			return -1;
		i++;
	}
}

int sse_urit_parse(const char *t, size_t len, sse_urit_part_fn fn, void *ctx)
{
	const unsigned char *s = (const unsigned char *)t;
	size_t i = 0, lit = 0, k;
	int rc;

	while (i < len) {
		if (s[i] == '{') {
			struct sse_urit_expr e;

			if (fn && i > lit && (rc = fn(ctx, t + lit, i - lit, NULL)) != 0)
				return rc;
			if (parse_expr(s, len, i + 1, &e, &i) < 0)
				return -1;
			if (fn && (rc = fn(ctx, NULL, 0, &e)) != 0)
				return rc;
			lit = i;
		} else if (s[i] == '%') {
			if (!pct(s, len, i))
				return -1;
			i += 3;
		} else if (s[i] < 0x80) {
			/* RFC 6570's ASCII literals are exactly unreserved and
			 * reserved (with the errata that admits '\'') */
			if (!(props(s[i]) & (P_UNRES | P_RES)))
				return -1;
			i++;
		} else {
			if ((k = ucs_literal(s + i, len - i)) == 0)
				return -1;
			i += k;
		}
	}
	if (fn && i > lit && (rc = fn(ctx, t + lit, i - lit, NULL)) != 0)
		return rc;
	return 0;
}

struct emit {
	struct sse_urit_inst *inst; /* NULL: count only */
	size_t n;
	int overflow;
	const char *lit;            /* the literal run not placed yet */
	size_t lit_len;
	int exprs;
	size_t pre;
};

static void put(struct emit *m, int op, unsigned arg, size_t x, size_t y)
{
	if (m->n >= SSE_URIT_INST_MAX) {
		m->overflow = 1;
		return;
	}
	if (m->inst)
		m->inst[m->n] = (struct sse_urit_inst){ (uint8_t)op, (uint8_t)arg, (uint16_t)x, (uint16_t)y };
	m->n++;
}

/* One value: (class | %XX)*, then on to next. 4 instructions. */
static void value(struct emit *m, unsigned cls, size_t next)
{
	size_t l = m->n;

	put(m, OP_SPLIT, 0, l + 1, next);
	put(m, OP_CLASS, cls, l, l + 2);
	put(m, OP_HEX, 0, l + 3, 0);
	put(m, OP_HEX, 0, l, 0);
}

/* uritemplate's Regexp() for an expression, "(?:FIRST(V0(?:SEP V1){0,max}))?"
 * where max is the number of further variables, unbounded when one of them
 * explodes; without FIRST the outer '?' adds nothing, V0 may be empty. */
static void expr(struct emit *m, const struct sse_urit_expr *e)
{
	char first = 0, sep = ',';
	unsigned base = CLASS_U, named = 0, cls0, cls1;
	size_t copies = e->explode_any ? 0 : e->nvars - 1, exit, at;

	switch (e->op) {
	case '+': base = CLASS_UR; break;
	case '#': base = CLASS_UR, first = '#'; break;
	case '.': first = sep = '.'; break;
	case '/': first = sep = '/'; break;
	case ';': first = sep = ';', named = 1; break;
	case '?': first = '?', sep = '&', named = 1; break;
	case '&': first = sep = '&', named = 1; break;
	}
	cls0 = base | (named || e->explode_first ? P_EQ : 0);
	cls1 = base | (named || e->explode_any ? P_EQ : 0);
	exit = m->n + (first ? 2 : 0) + 4 + (e->explode_any ? 6 : 6 * copies);
	if (first) {
		put(m, OP_SPLIT, 0, m->n + 1, exit);
		put(m, OP_CHAR, (unsigned char)first, m->n + 1, 0);
	}
	if (e->explode_any) {
		/* V0, then "SEP V1" any number of times: V1 is entered only by
		 * consuming a SEP, so its loop back is a consuming move. */
		at = m->n;
		value(m, cls0, at + 8);
		value(m, cls1, at + 8);
		put(m, OP_SPLIT, 0, at + 9, exit);
		put(m, OP_CHAR, (unsigned char)sep, at + 4, 0);
		return;
	}
	value(m, cls0, m->n + 4);
	while (copies--) {
		at = m->n;
		put(m, OP_SPLIT, 0, at + 1, exit);
		put(m, OP_CHAR, (unsigned char)sep, at + 2, 0);
		value(m, cls1, at + 6);
	}
}

static void literal(struct emit *m, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(m, OP_CHAR, (unsigned char)p[i], m->n + 1, 0);
}

/* The leading literal becomes the prefix, the trailing one the suffix
 * (memcmp); literals between expressions become CHARs. */
static int part(void *ctx, const char *lit, size_t len, const struct sse_urit_expr *e)
{
	struct emit *m = ctx;

	if (!e) {
		m->lit = lit, m->lit_len = len;
		return 0;
	}
	if (m->lit && m->exprs == 0)
		m->pre = m->lit_len;
	else if (m->lit)
		literal(m, m->lit, m->lit_len);
	m->lit = NULL;
	m->exprs++;
	expr(m, e);
	return 0;
}

int sse_urit_compile(const char *t, size_t len, struct sse_urit_inst *inst,
		     struct sse_urit_prog *out)
{
	struct emit m = { .inst = inst };

	/* Validate first: the parse hands out parts before it meets an error
	 * further on, and inst has room only for a well-formed template. */
	if (len > SSE_URIT_MAX_LEN || sse_urit_parse(t, len, NULL, NULL) != 0 ||
	    sse_urit_parse(t, len, part, &m) != 0)
		return -1;
	out->pre = m.pre;
	out->suf = m.exprs && m.lit ? m.lit_len : 0;
	out->ninst = 0;
	if (m.exprs == 0)
		return 0;
	put(&m, OP_MATCH, 0, 0, 0);
	if (m.overflow)
		return -1;
	out->ninst = m.n;
	return 0;
}

#define WORDS ((SSE_URIT_INST_MAX + 63) / 64)

static void add(uint64_t *set, size_t pc)
{
	set[pc >> 6] |= (uint64_t)1 << (pc & 63);
}

static unsigned lowest(uint64_t w)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(w);
#else
	unsigned b = 0;

	while (!(w & 1))
		w >>= 1, b++;
	return b;
#endif
}

/* Adds what SPLITs reach. They point forward, so a bit they set lies ahead
 * of the sweep, in this word (re-read below) or a later one. */
static void closure(const struct sse_urit_inst *p, uint64_t *set, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		uint64_t bits = set[w];

		while (bits) {
			unsigned b = lowest(bits);
			const struct sse_urit_inst *in = &p[w * 64 + b];

			if (in->op == OP_SPLIT) {
				add(set, in->x);
				add(set, in->y);
			}
			bits = b == 63 ? 0 : set[w] & (~(uint64_t)0 << (b + 1));
		}
	}
}

int sse_urit_run(const struct sse_urit_inst *p, size_t n, const char *s, size_t len)
{
	uint64_t a[WORDS], b[WORDS], *cur = a, *next = b, *tmp;
	size_t words = (n + 63) / 64;

	if (n == 0 || n > SSE_URIT_INST_MAX)
		return 0;
	memset(cur, 0, words * sizeof(*cur));
	add(cur, 0);
	closure(p, cur, words);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned pc_props = props(c);
		int live = 0;

		memset(next, 0, words * sizeof(*next));
		for (size_t w = 0; w < words; w++) {
			for (uint64_t bits = cur[w]; bits; bits &= bits - 1) {
				const struct sse_urit_inst *in = &p[w * 64 + lowest(bits)];

				if ((in->op == OP_CHAR && c == in->arg) ||
				    (in->op == OP_CLASS && (pc_props & in->arg)) ||
				    (in->op == OP_HEX && (pc_props & P_HEX)))
					add(next, in->x), live = 1;
				else if (in->op == OP_CLASS && c == '%')
					add(next, in->y), live = 1;
			}
		}
		if (!live)
			return 0;
		closure(p, next, words);
		tmp = cur, cur = next, next = tmp;
	}
	return (int)(cur[(n - 1) >> 6] >> ((n - 1) & 63) & 1);
}
