#include "publish.h"

#include <string.h>

void sse_event_from_text(struct sse_event *ev, const char *name, size_t name_len,
			 const char *text, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			out[o++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			out[o++] = text[i];
		}
	}
	out[o] = '\0';
	ev->name = name ? name : "";
	ev->name_len = name ? name_len : 0;
	ev->data = out;
	ev->data_len = o;
	ev->retry = -1;
	ev->topics = NULL;
	ev->ntopics = 0;
	ev->private_ = 0;
	ev->hub_id.p = NULL;
	ev->hub_id.len = 0;
}

int sse_event_name_check(const char *name, size_t len, struct sse_err *err)
{
	if (memchr(name, '\r', len) || memchr(name, '\n', len))
		return sse_err_set(err, "bad event name: it must not hold CR or LF");
	return 0;
}

const char *sse_topic_unfit(const char *topic, size_t len)
{
	if (len == 0)
		return "an empty topic";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)topic[i];

		if (c < 0x20 || c == 0x7f)
			return "a topic holding a control character";
	}
	return NULL;
}

int sse_hub_id_check(const char *id, size_t len, struct sse_err *err)
{
	if (len == 0)
		return sse_err_set(err, "an id must not be empty");
	if (id[0] == '#')
		return sse_err_set(err, "an id must not start with '#' (the hub's own ids do)");
	/* It goes into the hub's Last-Event-ID header too. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
			return sse_err_set(err, "an id must not hold a control character");
	if (len > 0xffff)
		return sse_err_set(err, "an id must not be longer than 65535 bytes (%zu)", len);
	return 0;
}
