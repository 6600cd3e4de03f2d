/* WHATWG event-stream interpretation, for tests. See whatwg.h. Step names
 * follow the spec's wording so the two can be read side by side. */
#include "whatwg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bytes {
	char *p;
	size_t n, cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("whatwg");
		abort();
	}
	return p;
}

static void b_add(struct bytes *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void b_set(struct bytes *b, const char *s, size_t n)
{
	b->n = 0;
	b_add(b, s, n);
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

struct interp {
	struct ww_stream *s;
	struct bytes data, type, last_id;
	long block_retry;
};

static void push(struct interp *in, size_t data_len)
{
	struct ww_stream *s = in->s;
	struct ww_event *ev;
	const char *type = in->type.n ? in->type.p : "message";
	size_t type_len = in->type.n ? in->type.n : 7;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->ev = xrealloc(s->ev, s->cap * sizeof(*s->ev));
	}
	ev = &s->ev[s->n++];
	ev->type = dup_bytes(type, type_len);
	ev->type_len = type_len;
	ev->data = dup_bytes(in->data.p, data_len);
	ev->data_len = data_len;
	ev->last_id = dup_bytes(in->last_id.p ? in->last_id.p : "",
				in->last_id.n);
	ev->last_id_len = in->last_id.n;
	ev->retry = in->block_retry;
}

/* "If the line is empty (a blank line): Dispatch the event". The last event
 * ID buffer is not reset; data and type buffers are. */
static void dispatch(struct interp *in)
{
	size_t n = in->data.n;

	if (n) {
		if (in->data.p[n - 1] == '\n')
			n--;
		push(in, n);
	}
	in->data.n = 0;
	in->type.n = 0;
	in->block_retry = -1;
}

static int all_digits(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return n > 0;
}

/* Saturates: the reference must not invent an overflow rule. */
static long to_long(const char *v, size_t n)
{
	long ms = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = v[i] - '0';

		if (ms > (LONG_MAX - d) / 10)
			return LONG_MAX;
		ms = ms * 10 + d;
	}
	return ms;
}

static int name_is(const char *f, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(f, name, n) == 0;
}

/* "Process the field" */
static void field(struct interp *in, const char *f, size_t fn, const char *v,
		  size_t vn)
{
	if (name_is(f, fn, "event")) {
		b_set(&in->type, v, vn);
	} else if (name_is(f, fn, "data")) {
		b_add(&in->data, v, vn);
		b_add(&in->data, "\n", 1);
	} else if (name_is(f, fn, "id")) {
		if (!memchr(v, '\0', vn))
			b_set(&in->last_id, v, vn);
	} else if (name_is(f, fn, "retry")) {
		if (all_digits(v, vn)) {
			in->block_retry = to_long(v, vn);
			in->s->reconnect = in->block_retry;
		}
	}
	/* "Otherwise: The field is ignored." */
}

static void line(struct interp *in, const char *l, size_t n)
{
	const char *colon;
	const char *v;
	size_t vn;

	if (n == 0) {
		dispatch(in);
		return;
	}
	if (l[0] == ':')
		return;
	colon = memchr(l, ':', n);
	if (!colon) {
		field(in, l, n, "", 0);
		return;
	}
	v = colon + 1;
	vn = n - (size_t)(v - l);
	if (vn && v[0] == ' ') {
		v++;
		vn--;
	}
	field(in, l, (size_t)(colon - l), v, vn);
}

void ww_parse(const char *buf, size_t len, struct ww_stream *s)
{
	struct interp in;
	size_t pos = 0, e;

	memset(s, 0, sizeof(*s));
	s->reconnect = -1;
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.block_retry = -1;
	/* "One leading U+FEFF BYTE ORDER MARK character must be ignored" */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	for (;;) {
		e = pos;
		while (e < len && buf[e] != '\r' && buf[e] != '\n')
			e++;
		if (e == len)
			break; /* no end-of-line: pending data is discarded */
		line(&in, buf + pos, e - pos);
		pos = e + 1;
		if (buf[e] == '\r' && pos < len && buf[pos] == '\n')
			pos++;
	}
	free(in.data.p);
	free(in.type.p);
	free(in.last_id.p);
}

void ww_free(struct ww_stream *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->ev[i].type);
		free(s->ev[i].data);
		free(s->ev[i].last_id);
	}
	free(s->ev);
	memset(s, 0, sizeof(*s));
}
