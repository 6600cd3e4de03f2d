/* Event formatter. See format.h.
 *
 * Size and bytes come from one walk (emit() with or without an output) so
 * they cannot disagree. */
#include "format.h"

#include <string.h>

/* Output cursor; p == NULL only counts. */
struct out {
	char *p;
	size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->p && n)
		memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void put_u64(struct out *o, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, digits + i, sizeof(digits) - i);
}

static size_t eol_at(const char *s, size_t at, size_t len)
{
	while (at < len && s[at] != '\n' && s[at] != '\r')
		at++;
	return at;
}

/* The name as written. A CR or LF would end the line and let the rest be
 * read as a field (an injected "id:"), so the name stops there; the parser
 * never produces one. "message" is the default type: WHATWG dispatches it
 * for an empty event type buffer, so writing it is wasted bytes. */
static size_t shown_name(const struct sse_event *ev)
{
	size_t n;

	if (!ev->name)
		return 0;
	n = eol_at(ev->name, 0, ev->name_len);
	if (n == 7 && memcmp(ev->name, "message", 7) == 0)
		return 0;
	return n;
}

/* One "data: " line per LF-separated line. Always "data: " with the space:
 * WHATWG drops one space after the colon, so a line that starts with a
 * space survives. CR and CRLF also break lines here, defensively: written
 * raw, the client would end the line there and read the rest as a field. */
static void put_data(struct out *o, const char *d, size_t len)
{
	size_t at = 0, e;

	if (!d)
		d = "";
	for (;;) {
		e = eol_at(d, at, len);
		put(o, "data: ", 6);
		put(o, d + at, e - at);
		put(o, "\n", 1);
		if (e == len)
			return;
		at = e + 1;
		if (d[e] == '\r' && at < len && d[at] == '\n')
			at++;
	}
}

static size_t emit(const struct sse_event *ev, uint64_t id, char *buf)
{
	struct out o = { buf, 0 };
	size_t name_len = shown_name(ev);

	put(&o, "id: ", 4);
	put_u64(&o, id);
	put(&o, "\n", 1);
	if (name_len) {
		put(&o, "event: ", 7);
		put(&o, ev->name, name_len);
		put(&o, "\n", 1);
	}
	if (ev->retry >= 0) {
		put(&o, "retry: ", 7);
		put_u64(&o, (uint64_t)ev->retry);
		put(&o, "\n", 1);
	}
	put_data(&o, ev->data, ev->data_len);
	put(&o, "\n", 1);
	return o.n;
}

size_t sse_format_size(const struct sse_event *ev, uint64_t id)
{
	return emit(ev, id, NULL);
}

size_t sse_format(const struct sse_event *ev, uint64_t id, char *out)
{
	return emit(ev, id, out);
}

/* A CR or LF in the text would end the comment and start a field, so such
 * text is refused like text that does not fit. */
size_t sse_format_comment(const char *text, char *out, size_t cap)
{
	size_t n = strlen(text);

	if (eol_at(text, 0, n) != n || n > cap || cap - n < 3)
		return 0;
	out[0] = ':';
	out[1] = ' ';
	memcpy(out + 2, text, n);
	out[n + 2] = '\n';
	return n + 3;
}
