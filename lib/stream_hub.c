#include "stream_hub.h"

#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "meta.h"
#include "selector.h"

int sse_stream_grow(struct sse_stream *st, size_t n, struct sse_err *err)
{
	char *nb;

	if (n <= st->cap && st->buf)
		return 0;
	if (n < 65536)
		n = 65536;
	nb = realloc(st->buf, n);
	if (!nb)
		return sse_err_set(err, "out of memory for a stream's buffer of %zu bytes", n);
	st->buf = nb;
	st->cap = n;
	return 0;
}

static void copy_id(char out[SSE_HUB_LAST_MAX], const struct sse_str *id)
{
	size_t n = id->len < SSE_HUB_LAST_MAX ? id->len : 0;

	memcpy(out, id->p, n);
	out[n] = '\0';
}

/* The metadata record of the event at seq into *rec (a caller's buffer of
 * *cap bytes, grown with malloc when a record needs more; the caller
 * frees it when it is no longer small): 1 with *m, 0 when it has none (or
 * the seq is no longer retained), -1 read error. Not the stream's 64 kB
 * buffer: a hub stream that waits must not hold one (sse-fcgi holds
 * thousands of them). */
static int meta_at(struct sse_stream *st, uint64_t seq, char **rec, size_t *cap, char *small,
		   struct sse_meta *m, struct sse_err *err)
{
	struct sse_log_range r;
	int rc = sse_log_range(st->log, seq, 1, &r, err);

	if (rc != 1)
		return rc < 0 ? -1 : 0;
	if (r.meta_len == 0 || r.meta_len > r.len)
		return 0;
	if (r.meta_len > *cap) {
		char *nb = malloc(r.meta_len);

		if (!nb)
			return sse_err_set(err, "out of memory for a record of %zu bytes", r.meta_len);
		if (*rec != small)
			free(*rec);
		*rec = nb;
		*cap = r.meta_len;
	}
	if (sse_pread_all(r.fd, *rec, r.meta_len, r.off, "log segment", err) < 0)
		return -1;
	return sse_meta_decode(*rec, r.meta_len, m) == 0;
}

int sse_hub_scan(struct sse_stream *st, uint64_t from, int step, const char *want,
		 uint64_t *at, char id_out[SSE_HUB_LAST_MAX], struct sse_err *err)
{
	struct sse_log_head h;
	size_t wlen = want ? strlen(want) : 0, cap;
	char small[512], *rec = small;
	int found = 0;

	cap = sizeof(small);
	sse_log_head(st->log, &h);
	/* Bounded by the history: one pread per event, at connect only. */
	for (uint64_t s = from; s >= h.oldest_seq && s < h.seq; s += (uint64_t)(int64_t)step) {
		struct sse_meta m;
		int rc = meta_at(st, s, &rec, &cap, small, &m, err);

		if (rc < 0) {
			found = -1;
			break;
		}
		if (rc == 0 || (want && (m.id.len != wlen || memcmp(m.id.p, want, wlen) != 0)))
			continue;
		*at = s;
		copy_id(id_out, &m.id);
		found = 1;
		break;
	}
	if (rec != small)
		free(rec);
	return found;
}

int sse_hub_begin(struct sse_stream *st, char header[SSE_HUB_LAST_MAX], int *gap,
		  struct sse_err *err)
{
	const char *want = st->hub->last_event_id;
	struct sse_log_head h;
	char id[SSE_HUB_LAST_MAX];
	uint64_t at;
	int rc;

	*gap = 0;
	sse_log_head(st->log, &h);
	strcpy(header, "earliest");
	if (!want) {
		/* Live events only; the header says where that is. */
		st->seq = h.seq;
		rc = h.seq ? sse_hub_scan(st, h.seq - 1, -1, NULL, &at, id, err) : 0;
		if (rc > 0 && id[0]) {
			strcpy(header, id);
			st->hub_last_seq = at;
			st->hub_last_set = 1;
		}
		return rc < 0 ? -1 : 0;
	}
	st->has_id = 1;
	st->seq = h.oldest_seq;
	if (strcmp(want, "earliest") == 0)
		return 0;
	rc = h.seq ? sse_hub_scan(st, h.seq - 1, -1, want, &at, id, err) : 0;
	if (rc < 0)
		return -1;
	if (rc > 0) {
		st->seq = at + 1;
		strcpy(header, id);
		return 0;
	}
	*gap = 1; /* its sse-gap names the client's id, want */
	return 0;
}

void sse_hub_id_at(struct sse_stream *st, uint64_t seq, char out[SSE_HUB_LAST_MAX])
{
	uint64_t at;

	out[0] = '\0';
	if (sse_hub_scan(st, seq, 1, NULL, &at, out, NULL) <= 0 || at != seq)
		out[0] = '\0';
}

/* Whether a private event may go to this stream: one of its topics is
 * in the token's mercure.subscribe. */
static int topics_match(const struct sse_selectors *sel, const struct sse_meta *m)
{
	struct sse_str t;
	size_t pos = 0;

	while (sse_meta_topic(m, &pos, &t))
		if (sse_selectors_match(sel, t.p, t.len))
			return 1;
	return 0;
}

size_t sse_hub_view(const struct sse_stream *st, const struct sse_log_range *r,
		    const char *b, struct iovec v[3])
{
	struct sse_meta m;
	const char *wire = b + r->meta_len, *nl;
	size_t wlen = r->len - r->meta_len;

	if (r->meta_len == 0 || r->meta_len > r->len || sse_meta_decode(b, r->meta_len, &m) < 0)
		return 0; /* no topics: no selector can match it */
	if (m.private_ && (!st->hub->authorized || !topics_match(st->hub->authorized, &m)))
		return 0;
	if (!topics_match(st->hub->topics, &m))
		return 0;
	/* The wire bytes start with the log's "id: N\n": that line is replaced
	 * by the hub id's, the rest is sent as it was formatted at append. */
	nl = memchr(wire, '\n', wlen);
	if (!nl || wlen < 4 || memcmp(wire, "id: ", 4) != 0)
		return 0;
	v[0].iov_base = (void *)"id: ";
	v[0].iov_len = 4;
	v[1].iov_base = (void *)m.id.p;
	v[1].iov_len = m.id.len;
	v[2].iov_base = (void *)nl;
	v[2].iov_len = wlen - (size_t)(nl - wire);
	return 3;
}
