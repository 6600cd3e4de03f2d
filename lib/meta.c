#include "meta.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "publish.h"

/* Layout, native endianness like the rest of the log (a spool is local to
 * one machine): 'T', flags (bit 0: private), u16 id length, u32 topic
 * count, the id, then each topic as u32 length and bytes. */
#define META_HEAD 8
#define FLAG_PRIVATE 1

int sse_meta_wanted(const struct sse_event *ev)
{
	return ev->ntopics > 0 || ev->private_ || ev->hub_id.len > 0;
}


size_t sse_meta_size(const struct sse_event *ev, size_t id_len, struct sse_err *err)
{
	size_t size = META_HEAD + id_len;

	/* The producers' rules (lib/publish.c), for whoever calls the log. */
	if (ev->hub_id.len > 0 && sse_hub_id_check(ev->hub_id.p, ev->hub_id.len, err) < 0)
		return 0;
	if (id_len > 0xffff) {
		sse_err_set(err, "event id too long (%zu bytes, 65535 at most)", id_len);
		return 0;
	}
	if (ev->ntopics > 0xffffffffu) {
		sse_err_set(err, "too many topics");
		return 0;
	}
	for (size_t i = 0; i < ev->ntopics; i++) {
		const struct sse_str *t = &ev->topics[i];

		const char *why = sse_topic_unfit(t->p, t->len);

		if (why) {
			sse_err_set(err, "bad topic: %s", why);
			return 0;
		}
		if (t->len > SSE_META_MAX || size > SSE_META_MAX - 4 - t->len) {
			sse_err_set(err, "topics too long (%u bytes at most in all)", SSE_META_MAX);
			return 0;
		}
		size += 4 + t->len;
	}
	return size;
}

void sse_meta_encode(const struct sse_event *ev, const char *id, size_t id_len, char *out)
{
	uint16_t il = (uint16_t)id_len;
	uint32_t n = (uint32_t)ev->ntopics;
	char *p = out + META_HEAD;

	out[0] = 'T';
	out[1] = ev->private_ ? FLAG_PRIVATE : 0;
	memcpy(out + 2, &il, 2);
	memcpy(out + 4, &n, 4);
	memcpy(p, id, id_len);
	p += id_len;
	for (size_t i = 0; i < ev->ntopics; i++) {
		uint32_t tl = (uint32_t)ev->topics[i].len;

		memcpy(p, &tl, 4);
		memcpy(p + 4, ev->topics[i].p, tl);
		p += 4 + tl;
	}
}

int sse_meta_gen_id(char *out, struct sse_err *err)
{
	unsigned char u[16];
	static const char hex[] = "0123456789abcdef";
	char *p = out;

	/* getrandom() blocks only before the pool is first seeded at boot. */
	for (size_t got = 0; got < sizeof(u);) {
		ssize_t n = getrandom(u + got, sizeof(u) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sse_err_sys(err, "cannot make an event id: getrandom");
		got += (size_t)n;
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);   /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	memcpy(p, "urn:uuid:", 9);
	p += 9;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[u[i] >> 4];
		*p++ = hex[u[i] & 15];
	}
	return 0;
}

int sse_meta_decode(const char *rec, size_t len, struct sse_meta *m)
{
	uint16_t il;
	uint32_t n;
	const char *p, *end = rec + len;

	if (len < META_HEAD || rec[0] != 'T')
		return -1;
	memcpy(&il, rec + 2, 2);
	memcpy(&n, rec + 4, 4);
	if (il > len - META_HEAD)
		return -1;
	m->private_ = (rec[1] & FLAG_PRIVATE) != 0;
	m->id.p = rec + META_HEAD;
	m->id.len = il;
	m->ntopics = n;
	m->topics = p = rec + META_HEAD + il;
	m->end = end;
	/* Checked once here, so that iterating needs no checks. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tl;

		if ((size_t)(end - p) < 4)
			return -1;
		memcpy(&tl, p, 4);
		if (tl > (size_t)(end - p) - 4)
			return -1;
		p += 4 + tl;
	}
	return p == end ? 0 : -1;
}

int sse_meta_topic(const struct sse_meta *m, size_t *pos, struct sse_str *t)
{
	const char *p = m->topics + *pos;
	uint32_t tl;

	if (p >= m->end)
		return 0;
	memcpy(&tl, p, 4);
	t->p = p + 4;
	t->len = tl;
	*pos += 4 + tl;
	return 1;
}
