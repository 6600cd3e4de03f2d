/* Producer text -> event (lib/publish.c): lines ending in LF, CRLF or CR
 * are joined with LF, NUL bytes are kept; event names hold no CR or LF. */
#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

struct row {
	const char *what;
	const char *text;
	size_t len;
	const char *data;
	size_t data_len;
};

static const struct row rows[] = {
	{ "empty", S(""), S("") },
	{ "one line", S("hello"), S("hello") },
	{ "LF", S("a\nb"), S("a\nb") },
	{ "CRLF", S("a\r\nb"), S("a\nb") },
	{ "CR", S("a\rb"), S("a\nb") },
	{ "mixed endings", S("a\rb\r\nc\nd"), S("a\nb\nc\nd") },
	{ "CR CR is two line ends", S("a\r\rb"), S("a\n\nb") },
	{ "LF CR is two line ends", S("a\n\rb"), S("a\n\nb") },
	{ "CR LF LF", S("a\r\n\nb"), S("a\n\nb") },
	{ "trailing LF kept as an empty line", S("a\n"), S("a\n") },
	{ "trailing CRLF", S("a\r\n"), S("a\n") },
	{ "trailing CR", S("a\r"), S("a\n") },
	{ "lone CR", S("\r"), S("\n") },
	{ "lone CRLF", S("\r\n"), S("\n") },
	{ "empty lines", S("\n\n"), S("\n\n") },
	{ "NUL kept", S("a\0b"), S("a\0b") },
	{ "NUL only", S("\0"), S("\0") },
	{ "NUL around CR", S("\0\r\0"), S("\0\n\0") },
	{ "field-like text is data", S("data: x\r\nevent: y"), S("data: x\nevent: y") },
	{ "UTF-8 and BOM kept", S("\xEF\xBB\xBF\xC3\xA9"), S("\xEF\xBB\xBF\xC3\xA9") },
};

static void check_row(const struct row *r)
{
	struct sse_event ev;
	char *out = malloc(r->len + 1);
	int ok;

	memset(&ev, 0x5a, sizeof(ev));
	memset(out, 'Z', r->len + 1);
	sse_event_from_text(&ev, "tick", 4, r->text, r->len, out);
	ok = ev.data == out && ev.data_len == r->data_len && memcmp(ev.data, r->data, r->data_len) == 0 &&
	     out[ev.data_len] == '\0' && ev.name_len == 4 && memcmp(ev.name, "tick", 4) == 0 &&
	     ev.retry == -1;
	tap_ok(ok, "from_text %s (data_len %zu, want %zu)", r->what, ev.data_len, r->data_len);
	free(out);
}

struct name_row {
	const char *what;
	const char *name;
	size_t len;
	int ok;
};

static const struct name_row names[] = {
	{ "empty", S(""), 1 },
	{ "plain", S("tick"), 1 },
	{ "message", S("message"), 1 },
	{ "spaces and colons", S(" a: b "), 1 },
	{ "UTF-8", S("\xC3\xA9v\xC3\xA9nement"), 1 },
	{ "NUL", S("a\0b"), 1 },
	{ "tab", S("a\tb"), 1 },
	{ "LF", S("a\nb"), 0 },
	{ "CR", S("a\rb"), 0 },
	{ "CRLF", S("a\r\n"), 0 },
	{ "LF first", S("\nx"), 0 },
	{ "CR after a NUL", S("a\0\r"), 0 },
};

int main(void)
{
	struct sse_event ev;
	char out[8];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	sse_event_from_text(&ev, NULL, 5, "x", 1, out);
	tap_ok(ev.name != NULL && ev.name_len == 0, "no name: empty name");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sse_err err = { "", 0 };
		int rc = sse_event_name_check(names[i].name, names[i].len, &err);

		if (names[i].ok)
			tap_ok(rc == 0, "event name %s accepted %s", names[i].what, err.msg);
		else
			tap_ok(rc == -1 && err.msg[0] && !strpbrk(err.msg, "\r\n"),
			       "event name %s refused: %s", names[i].what, err.msg);
	}
	return tap_done();
}
