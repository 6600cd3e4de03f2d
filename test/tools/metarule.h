/* The metadata the log tools give their events, and its check (included by
 * test/tools/logtool.c; the header keeps the rule in one place). Events of a
 * tag starting with M carry Mercure metadata by their seq % 6; the others
 * carry none. test/harden/crash-check.py knows the private ones (2 and 4)
 * by the same rule: a channel URL never sends them. */
#ifndef SSE_TEST_METARULE_H
#define SSE_TEST_METARULE_H

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "meta.h"

/* What an event of tag and seq carries besides its data: nothing (kinds 0
 * and 5: plain events among the others), or topics, the private flag and a
 * hub id, given ("urn:crash:TAG-SEQ") or made by the log (gen_id). */
struct want {
	int meta, private_, gen_id;
	size_t ntopics;
	struct sse_str topics[3];
	char t[3][128], id[96];
	struct sse_str hub_id;
};

static inline void want_meta(const char *tag, long seq, struct want *w)
{
	int kind = tag[0] == 'M' ? (int)(seq % 6) : 0;

	memset(w, 0, sizeof(*w));
	if (kind == 0 || kind == 5)
		return;
	w->meta = 1;
	w->private_ = kind == 2 || kind == 4;
	w->gen_id = kind <= 2;
	w->ntopics = kind == 4 ? 0 : (size_t)kind;
	snprintf(w->t[0], sizeof(w->t[0]), "https://example.com/%s/%ld", tag, seq);
	snprintf(w->t[1], sizeof(w->t[1]), "%s-%ld", tag, seq % 7);
	snprintf(w->t[2], sizeof(w->t[2]), "caf\xc3\xa9 %s %ld", tag, seq);
	for (size_t i = 0; i < w->ntopics; i++)
		w->topics[i] = (struct sse_str){ w->t[i], strlen(w->t[i]) };
	if (!w->gen_id) {
		snprintf(w->id, sizeof(w->id), "urn:crash:%s-%ld", tag, seq);
		w->hub_id = (struct sse_str){ w->id, strlen(w->id) };
	}
}

static inline int same(struct sse_str a, const char *b, size_t len)
{
	return a.len == len && memcmp(a.p, b, len) == 0;
}

/* The record of event tag/seq as read (rec, len; len 0: none) against
 * want_meta(); NULL when they agree, else what differs. */
static inline const char *meta_mismatch(const char *tag, long seq, const char *rec, size_t len)
{
	struct want w;
	struct sse_meta m;
	struct sse_str t;
	size_t pos = 0, i = 0;

	want_meta(tag, seq, &w);
	if (!w.meta)
		return len == 0 ? NULL : "a record on a plain event";
	if (len == 0)
		return "no record";
	if (sse_meta_decode(rec, len, &m) < 0)
		return "a record that does not decode";
	if (m.private_ != w.private_)
		return "the private flag";
	if (w.gen_id ? m.id.len != SSE_HUB_ID_GEN_LEN || memcmp(m.id.p, "urn:uuid:", 9) != 0
		     : !same(m.id, w.id, strlen(w.id)))
		return "the hub id";
	if (m.ntopics != w.ntopics)
		return "the number of topics";
	while (sse_meta_topic(&m, &pos, &t))
		if (i >= w.ntopics || !same(t, w.t[i], strlen(w.t[i])) || (i++, 0))
			return "a topic";
	return NULL;
}

#endif
