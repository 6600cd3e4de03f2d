/* Topics in the log and what a stream sends of them (lib/meta.c, the
 * records of lib/log.c and lib/log_read.c, sse_stream_view, the hub's resume
 * of lib/stream_hub.c): a table of records, then a real log in a temporary
 * directory read by a channel stream and by hub streams. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "meta.h"
#include "publish.h"
#include "selector.h"
#include "stream.h"
#include "tap.h"

/* --- records ----------------------------------------------------------- */

static void records(void)
{
	struct sse_str topics[] = { { "https://example.com/a", 21 }, { "b", 1 } };
	struct sse_event ev = { .name = "", .data = "x", .data_len = 1, .retry = -1,
				.topics = topics, .ntopics = 2, .private_ = 1 };
	struct sse_err err;
	struct sse_meta m;
	struct sse_str t;
	char rec[256], id[SSE_HUB_ID_GEN_LEN + 1], id2[SSE_HUB_ID_GEN_LEN + 1];
	size_t size, pos = 0;

	tap_ok(sse_meta_wanted(&ev), "an event with topics has a record");
	size = sse_meta_size(&ev, 4, &err);
	tap_ok(size == 8 + 4 + 4 + 21 + 4 + 1, "its size: head, id, two topics (%zu)", size);
	sse_meta_encode(&ev, "id-1", 4, rec);
	tap_ok(sse_meta_decode(rec, size, &m) == 0 && m.private_ && m.ntopics == 2 && m.id.len == 4 &&
	       memcmp(m.id.p, "id-1", 4) == 0, "decodes: private, 2 topics, id-1");
	tap_ok(sse_meta_topic(&m, &pos, &t) && t.len == 21 && memcmp(t.p, topics[0].p, 21) == 0 &&
	       sse_meta_topic(&m, &pos, &t) && t.len == 1 && t.p[0] == 'b' && !sse_meta_topic(&m, &pos, &t),
	       "its topics, in order, then the end");
	/* damaged records are refused, never read past */
	tap_ok(sse_meta_decode(rec, size - 1, &m) < 0, "one byte short: refused");
	tap_ok(sse_meta_decode(rec, 7, &m) < 0, "shorter than its head: refused");
	rec[0] = 'X';
	tap_ok(sse_meta_decode(rec, size, &m) < 0, "bad magic: refused");
	rec[0] = 'T';
	rec[4] = 3; /* three topics claimed */
	tap_ok(sse_meta_decode(rec, size, &m) < 0, "more topics than bytes: refused");
	rec[4] = 2;
	memset(rec + 8 + 4, 0xff, 4); /* the first topic's length */
	tap_ok(sse_meta_decode(rec, size, &m) < 0, "a topic's length past the end: refused");
	tap_ok(sse_meta_decode(rec, 0, &m) < 0, "empty: refused");

	ev.ntopics = 0;
	ev.private_ = 0;
	tap_ok(!sse_meta_wanted(&ev), "a plain event has none (the log is what 0.2 wrote)");
	ev.hub_id = (struct sse_str){ "x", 1 };
	tap_ok(sse_meta_wanted(&ev), "a publisher's id alone makes one");

	/* what a record may not hold */
	ev.topics = topics;
	ev.ntopics = 1;
	ev.hub_id = (struct sse_str){ "#5", 2 };
	tap_ok(sse_meta_size(&ev, 2, &err) == 0 && strstr(err.msg, "'#'"), "id '#5': %s", err.msg);
	ev.hub_id = (struct sse_str){ "a\tb", 3 };
	tap_ok(sse_meta_size(&ev, 3, &err) == 0, "an id with a control character: refused");
	ev.hub_id = (struct sse_str){ "a\x7f", 2 };
	tap_ok(sse_meta_size(&ev, 2, &err) == 0, "an id with DEL: refused");
	ev.hub_id = (struct sse_str){ "urn:é", 6 };
	tap_ok(sse_meta_size(&ev, 6, &err) > 0, "an id in UTF-8: taken");
	ev.hub_id = (struct sse_str){ NULL, 0 };
	topics[1] = (struct sse_str){ "a\nb", 3 };
	ev.ntopics = 2;
	tap_ok(sse_meta_size(&ev, 4, &err) == 0 && strstr(err.msg, "topic"), "a topic with LF: %s", err.msg);
	topics[1] = (struct sse_str){ "", 0 };
	tap_ok(sse_meta_size(&ev, 4, &err) == 0, "an empty topic: refused");
	tap_ok(sse_meta_size(&ev, 70000, &err) == 0 && strstr(err.msg, "too long"), "an id of 70000 bytes: %s",
	       err.msg);

	tap_ok(sse_meta_gen_id(id, &err) == 0 && sse_meta_gen_id(id2, &err) == 0, "ids are made");
	id[SSE_HUB_ID_GEN_LEN] = id2[SSE_HUB_ID_GEN_LEN] = '\0';
	tap_ok(strncmp(id, "urn:uuid:", 9) == 0 && id[9 + 14] == '4' && strchr("89ab", id[9 + 19]) &&
	       id[9 + 8] == '-' && id[9 + 13] == '-' && id[9 + 18] == '-' && id[9 + 23] == '-',
	       "a made id is a version 4 urn:uuid: %s", id);
	tap_ok(strcmp(id, id2) != 0, "two made ids differ");
	tap_ok(sse_hub_id_check(id, strlen(id), &err) == 0, "a made id passes the publisher's rules");
}

/* --- a log read by streams -------------------------------------------- */

static char out[65536];
static size_t out_len;

static int sink(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (out_len + len > sizeof(out))
		return -1;
	memcpy(out + out_len, buf, len);
	out_len += len;
	return 0;
}

static void publish(struct sse_log *log, const char *topic, int private_, const char *id,
		    const char *data)
{
	struct sse_str t = { topic, topic ? strlen(topic) : 0 };
	struct sse_event ev = { .name = "", .data = data, .data_len = strlen(data), .retry = -1,
				.topics = topic ? &t : NULL, .ntopics = topic ? 1 : 0,
				.private_ = private_ };
	struct sse_err err;
	uint64_t seq_id;

	if (id)
		ev.hub_id = (struct sse_str){ id, strlen(id) };
	if (sse_log_publish(log, &ev, &seq_id, &err) < 0)
		tap_ok(0, "publish %s: %s", data, err.msg);
}

static struct sse_selectors *sel(const char *a, const char *b)
{
	struct sse_str s[2] = { { a, strlen(a) }, { b ? b : "", b ? strlen(b) : 0 } };
	struct sse_err err;

	return sse_selectors_compile(s, b ? 2 : 1, &err);
}

/* Everything a stream from the start of the log sends, its head aside. */
static const char *read_all(struct sse_log *log, const struct sse_stream_hub *hub,
			    struct sse_settings *set)
{
	struct sse_stream st;
	struct sse_sink sk = { sink, NULL, NULL };
	struct sse_plan plan = { .kind = hub ? SSE_PLAN_HUB : SSE_PLAN_STREAM, .status = 200,
				 .has_id = !hub, .last_id = 0 };
	struct sse_err err;
	char *body, *w;

	out_len = 0;
	sse_stream_init(&st, log, set, sk, &err);
	st.hub = hub;
	if (sse_stream_begin(&st, &plan, 0, 0) < 0)
		tap_ok(0, "stream begin");
	while (sse_stream_pump(&st, 0, &err) > 0)
		;
	sse_stream_free(&st);
	out[out_len] = '\0';
	/* the events: after the head, without the comment lines */
	body = strstr(out, "\r\n\r\n");
	body = body ? body + 4 : out;
	for (w = out; *body;) {
		size_t n = strcspn(body, "\n") + (body[strcspn(body, "\n")] == '\n');

		if (body[0] != ':')
			memmove(w, body, n), w += n;
		body += n;
	}
	*w = '\0';
	return out;
}

static void streams(void)
{
	char dir[] = "/tmp/test_hub_log.XXXXXX";
	struct sse_settings set;
	struct sse_err err;
	struct sse_log *log;
	struct sse_stream_hub hub = { 0 };
	const char *got;

	sse_settings_defaults(&set);
	if (!mkdtemp(dir) || sse_log_init(dir, 16, &err) < 0 || !(log = sse_log_open(dir, 0, &err))) {
		tap_ok(0, "a log in %s", dir);
		return;
	}
	publish(log, NULL, 0, NULL, "plain");
	publish(log, "https://example.com/books/1", 0, "b1", "book");
	publish(log, "https://example.com/users/7", 1, "u7", "secret");
	publish(log, "other", 0, NULL, "other");

	got = read_all(log, NULL, &set);
	tap_ok(strcmp(got, "id: 1\ndata: plain\n\nid: 2\ndata: book\n\nid: 4\ndata: other\n\n") == 0,
	       "a channel stream: decimal ids, no record, no private event: %s", got);

	hub.topics = sel("https://example.com/{kind}/{id}", NULL);
	hub.last_event_id = "earliest";
	got = read_all(log, &hub, &set);
	tap_ok(strcmp(got, "id: b1\ndata: book\n\n") == 0,
	       "a hub stream of a template, without authorization: the public match only: %s", got);
	hub.authorized = sel("https://example.com/users/{id}", NULL);
	got = read_all(log, &hub, &set);
	tap_ok(strcmp(got, "id: b1\ndata: book\n\nid: u7\ndata: secret\n\n") == 0,
	       "authorized for users: the private one too: %s", got);
	sse_selectors_free((struct sse_selectors *)hub.authorized);
	hub.authorized = sel("https://example.com/books/{id}", NULL);
	got = read_all(log, &hub, &set);
	tap_ok(strcmp(got, "id: b1\ndata: book\n\n") == 0, "authorized for other topics: not it: %s", got);
	sse_selectors_free((struct sse_selectors *)hub.topics);
	hub.topics = sel("*", NULL);
	got = read_all(log, &hub, &set);
	tap_ok(strncmp(got, "id: b1\ndata: book\n\nid: urn:uuid:", 32) == 0 && strstr(got, "data: other\n\n") &&
	       !strstr(got, "plain") && !strstr(got, "secret"),
	       "'*': every event with a topic (a made id for the one without), never one without: %s", got);
	/* resume by hub id */
	hub.last_event_id = "b1";
	got = read_all(log, &hub, &set);
	tap_ok(strncmp(got, "id: urn:uuid:", 13) == 0 && strstr(got, "data: other") && !strstr(got, "book"),
	       "resume after b1: what followed it: %s", got);
	hub.last_event_id = "nowhere";
	got = read_all(log, &hub, &set);
	tap_ok(strncmp(got, "event: sse-gap\ndata: nowhere b1\n\nid: b1\n", 40) == 0,
	       "an unknown id: sse-gap (its id, the oldest hub id), then everything: %s", got);
	sse_selectors_free((struct sse_selectors *)hub.topics);
	sse_selectors_free((struct sse_selectors *)hub.authorized);
	sse_log_close(log);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		tap_ok(system(cmd) == 0, "cleaned up");
	}
}

int main(void)
{
	records();
	streams();
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
