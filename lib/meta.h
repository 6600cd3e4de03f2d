/* An event's Mercure metadata as the log stores it (lib/README.md, "Topics
 * and hub ids"): a record written just before the event's wire bytes in its
 * segment, covered by the entry's length and crc, never sent. Only events
 * that carry topics, the private flag or a publisher's id have one, so a
 * plain channel's log is byte for byte what 0.2 wrote. */
#ifndef SSE_META_H
#define SSE_META_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"

/* The record's size is kept in 24 bits of the index entry. */
#define SSE_META_MAX ((1u << 24) - 1)
/* A hub id the log makes: "urn:uuid:" and a version 4 UUID, as the stable
 * hub's. */
#define SSE_HUB_ID_GEN_LEN 45

struct sse_meta {
	int private_;
	struct sse_str id;        /* the hub id */
	size_t ntopics;
	const char *topics;       /* ntopics times: u32 length, bytes */
	const char *end;
};

/* Whether ev needs a record at all. */
int sse_meta_wanted(const struct sse_event *ev);
/* Bytes of ev's record with a hub id of id_len bytes; 0 when it is too
 * large (err says so) or a field is unfit (lib/publish.h: an empty topic
 * or one holding a control character, an id starting with '#' or holding
 * one). */
size_t sse_meta_size(const struct sse_event *ev, size_t id_len, struct sse_err *err);
/* Writes the record (size from sse_meta_size) into out. */
void sse_meta_encode(const struct sse_event *ev, const char *id, size_t id_len, char *out);
/* A fresh generated hub id into out (SSE_HUB_ID_GEN_LEN bytes, no NUL). */
int sse_meta_gen_id(char *out, struct sse_err *err);

/* Reads a record of len bytes: -1 when it is malformed (a damaged log). */
int sse_meta_decode(const char *rec, size_t len, struct sse_meta *m);
/* Iterates m's topics: *pos starts at 0; 1 with *t, 0 at the end. */
int sse_meta_topic(const struct sse_meta *m, size_t *pos, struct sse_str *t);

#endif
