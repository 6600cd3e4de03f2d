/* Event formatter: a table of events and the exact wire bytes they give,
 * each also read back through the WHATWG rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "tap.h"
#include "whatwg.h"

#define S(x) x, sizeof(x) - 1

struct row {
	const char *what;
	const char *name;
	size_t name_len;
	const char *data;
	size_t data_len;
	long retry;
	uint64_t id;
	const char *wire;
	size_t wire_len;
	const char *type; /* what a browser sees, NULL: name as given */
	size_t type_len;
};

static const struct row rows[] = {
	{ "plain", S(""), S("hello"), -1, 1, S("id: 1\ndata: hello\n\n"),
	  S("message") },
	{ "named", S("tick"), S("x"), -1, 2,
	  S("id: 2\nevent: tick\ndata: x\n\n"), NULL, 0 },
	{ "message name left out", S("message"), S("x"), -1, 3,
	  S("id: 3\ndata: x\n\n"), S("message") },
	{ "Message is another name", S("Message"), S("x"), -1, 3,
	  S("id: 3\nevent: Message\ndata: x\n\n"), NULL, 0 },
	{ "retry", S(""), S("x"), 3000, 4, S("id: 4\nretry: 3000\ndata: x\n\n"),
	  S("message") },
	{ "retry 0", S("e"), S("x"), 0, 4,
	  S("id: 4\nevent: e\nretry: 0\ndata: x\n\n"), NULL, 0 },
	{ "negative retry left out", S(""), S("x"), -5, 4,
	  S("id: 4\ndata: x\n\n"), S("message") },
	{ "two lines", S(""), S("a\nb"), -1, 5, S("id: 5\ndata: a\ndata: b\n\n"),
	  S("message") },
	{ "empty data", S(""), S(""), -1, 6, S("id: 6\ndata: \n\n"),
	  S("message") },
	{ "trailing empty line", S(""), S("a\n"), -1, 7,
	  S("id: 7\ndata: a\ndata: \n\n"), S("message") },
	{ "empty lines only", S(""), S("\n\n"), -1, 7,
	  S("id: 7\ndata: \ndata: \ndata: \n\n"), S("message") },
	{ "leading space kept", S(" sp"), S(" x\n  y"), -1, 8,
	  S("id: 8\nevent:  sp\ndata:  x\ndata:   y\n\n"), NULL, 0 },
	{ "colons and field-like data", S("a:b"), S("id: 9\nevent: x\n:c"), -1, 9,
	  S("id: 9\nevent: a:b\ndata: id: 9\ndata: event: x\ndata: :c\n\n"),
	  NULL, 0 },
	{ "NUL bytes", S("n\0m"), S("a\0b\n\0"), -1, 10,
	  S("id: 10\nevent: n\0m\ndata: a\0b\ndata: \0\n\n"), NULL, 0 },
	{ "BOM and UTF-8 in data", S("\xC3\xA9"), S("\xEF\xBB\xBFx"), -1, 11,
	  S("id: 11\nevent: \xC3\xA9\ndata: \xEF\xBB\xBFx\n\n"), NULL, 0 },
	{ "CR in data breaks the line", S(""), S("a\rb\r\nc\r"), -1, 12,
	  S("id: 12\ndata: a\ndata: b\ndata: c\ndata: \n\n"), S("message") },
	{ "CR/LF in name cut", S("ev\nid: 1"), S("x"), -1, 13,
	  S("id: 13\nevent: ev\ndata: x\n\n"), S("ev") },
	{ "name that is only CR", S("\r"), S("x"), -1, 13,
	  S("id: 13\ndata: x\n\n"), S("message") },
	{ "id 0", S(""), S("x"), -1, 0, S("id: 0\ndata: x\n\n"), S("message") },
	{ "largest id", S(""), S("x"), -1, UINT64_MAX,
	  S("id: 18446744073709551615\ndata: x\n\n"), S("message") },
};

static void check_row(const struct row *r)
{
	struct sse_event ev = { .name = r->name, .name_len = r->name_len, .data = r->data,
				.data_len = r->data_len, .retry = r->retry };
	size_t size = sse_format_size(&ev, r->id), n;
	char *out = malloc(size + 1);
	struct ww_stream ww;
	const char *type = r->type ? r->type : r->name;
	size_t type_len = r->type ? r->type_len : r->name_len;

	out[size] = '#'; /* canary: nothing past the size */
	n = sse_format(&ev, r->id, out);
	tap_ok(size == r->wire_len && n == size &&
	       memcmp(out, r->wire, r->wire_len) == 0 && out[size] == '#',
	       "%s: exact bytes (%zu, want %zu)", r->what, n, r->wire_len);

	ww_parse(out, n, &ww);
	tap_ok(ww.n == 1 && ww.ev[0].type_len == type_len &&
	       memcmp(ww.ev[0].type, type, type_len) == 0 &&
	       ww.ev[0].retry == (r->retry < 0 ? -1 : r->retry),
	       "%s: browser sees the type and retry", r->what);
	ww_free(&ww);
	free(out);
}

static void check_comment(void)
{
	char out[16];

	memset(out, '#', sizeof(out));
	tap_ok(sse_format_comment("hi", out, sizeof(out)) == 5 &&
	       memcmp(out, ": hi\n", 5) == 0 && out[5] == '#',
	       "comment line");
	tap_ok(sse_format_comment("", out, sizeof(out)) == 3 &&
	       memcmp(out, ": \n", 3) == 0, "empty comment");
	tap_ok(sse_format_comment("abcde", out, 8) == 8 &&
	       memcmp(out, ": abcde\n", 8) == 0, "comment that just fits");
	memset(out, '#', sizeof(out));
	tap_ok(sse_format_comment("abcdef", out, 8) == 0 && out[0] == '#',
	       "comment that does not fit: 0, nothing written");
	tap_ok(sse_format_comment("", out, 2) == 0, "no room for the frame");
	tap_ok(sse_format_comment("a\nid: 1", out, sizeof(out)) == 0 &&
	       sse_format_comment("a\rb", out, sizeof(out)) == 0,
	       "comment with CR/LF refused");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	check_comment();
	return tap_done();
}
