/* The Mercure hub's form parser (lib/form.c) on what a publisher's POST
 * body, a subscriber's query string and a Cookie header may carry.
 * Input: byte 0 picks the largest event; the rest is the body, the query
 * and (up to its first NUL) the Cookie header. Asserts, beyond "no crash":
 *   - a publish taken has 1..1000 topics, none empty or with a control
 *     byte; an id not starting with '#'; no CR, LF or NUL in the id or
 *     type; a retry of -1 or more; topics + id + type + data within the
 *     largest event; every string NUL-terminated in the result's memory;
 *   - a form taken, written again with only the escapes it needs, parses
 *     to the same fields (publish and query), and a refused one is refused
 *     with a message;
 *   - sse_form_decode() decodes in place as it does into another buffer;
 *   - a cookie found lies inside the header and holds only bytes a cookie
 *     value may; set alone as "name=value" it is found again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

struct buf {
	char *b;
	size_t n, cap;
};

static void add(struct buf *o, const char *p, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2 + 64;
		o->b = realloc(o->b, o->cap);
		CHECK(o->b != NULL);
	}
	if (n)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* key=value with the fewest escapes, and no '=' for an empty value: never
 * more bytes than a valid form spent on the same field. */
static void field(struct buf *o, const char *key, struct sse_str v)
{
	static const char hex[] = "0123456789ABCDEF";

	if (o->n)
		add(o, "&", 1);
	add(o, key, strlen(key));
	if (v.len)
		add(o, "=", 1);
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (c == ' ')
			add(o, "+", 1);
		else if (c == '%' || c == '&' || c == '+' || c == ';')
			add(o, e, 3);
		else
			add(o, (const char *)&c, 1);
	}
}

static int same(struct sse_str a, struct sse_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* s holds a byte of set or NUL */
static int has(struct sse_str s, const char *set)
{
	for (size_t i = 0; i < s.len; i++)
		if (memchr(set, s.p[i], strlen(set) + 1))
			return 1;
	return 0;
}

static void check_update(const char *in, size_t len, size_t max_event)
{
	struct sse_hub_update u, again;
	struct sse_err err;
	struct buf o = { 0 };
	size_t total = 0;

	err.msg[0] = '\0';
	if (sse_hub_update_parse(in, len, max_event, &u, &err) < 0) {
		CHECK(err.msg[0] != '\0' && u.mem == NULL);
		return;
	}
	CHECK(u.ntopics >= 1 && u.ntopics <= 1000);
	for (size_t i = 0; i < u.ntopics; i++) {
		struct sse_str t = u.topics[i];

		CHECK(t.len > 0 && t.p[t.len] == '\0');
		for (size_t k = 0; k < t.len; k++)
			CHECK((unsigned char)t.p[k] >= 0x20 && t.p[k] != 0x7f);
		total += t.len;
		field(&o, "topic", t);
	}
	CHECK(!(u.id.len && u.id.p[0] == '#'));
	CHECK(!has(u.id, "\r\n") && !has(u.type, "\r\n"));
	CHECK(u.data.p[u.data.len] == '\0' && u.id.p[u.id.len] == '\0' && u.type.p[u.type.len] == '\0');
	CHECK(u.retry >= -1);
	CHECK(u.has_data || u.data.len == 0);
	total += u.data.len + u.id.len + u.type.len;
	CHECK(total <= max_event);

	if (u.has_data)
		field(&o, "data", u.data);
	if (u.id.len)
		field(&o, "id", u.id);
	if (u.type.len)
		field(&o, "type", u.type);
	if (u.private_)
		add(&o, "&private", 8);
	if (u.retry >= 0) {
		char r[24];
		int n = snprintf(r, sizeof(r), "%ld", u.retry);

		field(&o, "retry", (struct sse_str){ r, (size_t)n });
	}
	/* Never longer than what it came from: every byte costs it at most
	 * what it cost the original, and dropped fields cost nothing. */
	CHECK(o.n <= len);
	CHECK(sse_hub_update_parse(o.b, o.n, max_event, &again, &err) == 0);
	CHECK(again.ntopics == u.ntopics);
	for (size_t i = 0; i < u.ntopics; i++)
		CHECK(same(again.topics[i], u.topics[i]));
	CHECK(same(again.data, u.data) && same(again.id, u.id) && same(again.type, u.type));
	CHECK(again.has_data == u.has_data && again.private_ == u.private_ && again.retry == u.retry);
	sse_hub_update_free(&again);
	sse_hub_update_free(&u);
	CHECK(u.mem == NULL);
	free(o.b);
}

static void check_query(const char *in, size_t len)
{
	struct sse_hub_query q, again;
	struct sse_err err;
	struct buf o = { 0 };

	err.msg[0] = '\0';
	if (sse_hub_query_parse(in, len, &q, &err) < 0) {
		CHECK(err.msg[0] != '\0' && q.mem == NULL);
		return;
	}
	for (size_t i = 0; i < q.ntopics; i++) {
		CHECK(q.topics[i].p[q.topics[i].len] == '\0');
		field(&o, "topic", q.topics[i]);
	}
	CHECK(q.has_last_event_id == (q.last_event_id.len > 0));
	if (q.has_last_event_id)
		field(&o, "lastEventID", q.last_event_id);
	if (q.has_authorization)
		field(&o, "authorization", q.authorization);
	CHECK(sse_hub_query_parse(o.b, o.n, &again, &err) == 0);
	CHECK(again.ntopics == q.ntopics);
	for (size_t i = 0; i < q.ntopics; i++)
		CHECK(same(again.topics[i], q.topics[i]));
	CHECK(again.has_last_event_id == q.has_last_event_id && same(again.last_event_id, q.last_event_id));
	CHECK(again.has_authorization == q.has_authorization && same(again.authorization, q.authorization));
	sse_hub_query_free(&again);
	sse_hub_query_free(&q);
	free(o.b);
}

static void check_decode(const char *in, size_t len)
{
	char *a = malloc(len + 1), *b = malloc(len + 1);
	long n, m;

	CHECK(a && b);
	memcpy(b, in, len);
	n = sse_form_decode(in, len, a);
	m = sse_form_decode(b, len, b);
	CHECK(n == m && n <= (long)len);
	CHECK(n < 0 || memcmp(a, b, (size_t)n) == 0);
	free(a);
	free(b);
}

static void check_cookie(const char *header, const char *name)
{
	struct sse_str v;
	struct buf o = { 0 };

	if (!sse_cookie_get(header, name, &v))
		return;
	CHECK(v.p >= header && v.p + v.len <= header + strlen(header));
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		CHECK(c >= 0x20 && c < 0x7f && c != '"' && c != ';' && c != '\\');
	}
	add(&o, name, strlen(name));
	add(&o, "=", 1);
	add(&o, v.p, v.len);
	add(&o, "", 1);
	/* A value of one space or with spaces at its ends is trimmed away
	 * with the pair's spaces: only an inner one survives. */
	if (v.len && v.p[0] != ' ' && v.p[v.len - 1] != ' ') {
		struct sse_str w;

		CHECK(sse_cookie_get(o.b, name, &w) == 1 && same(v, w));
	}
	free(o.b);
}

static const size_t max_events[] = { 16, 17, 64, 100, 1000, 65536 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max_event;
	const char *in;
	char *header;

	if (size < 1)
		return 0;
	max_event = max_events[data[0] % (sizeof(max_events) / sizeof(max_events[0]))];
	in = (const char *)data + 1;
	size -= 1;
	check_update(in, size, max_event);
	check_query(in, size);
	check_decode(in, size);
	header = malloc(size + 1);
	CHECK(header != NULL);
	memcpy(header, in, size);
	header[size] = '\0';
	check_cookie(header, "mercureAuthorization");
	check_cookie(header, "a");
	free(header);
	return 0;
}
