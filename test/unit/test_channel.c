/* Channel names (SPEC "Spool layout"): 1 to 64 of A-Z a-z 0-9 . _ -, not
 * starting with '.'. A table of names, valid or not; a refusal is one line
 * that never echoes control bytes. */
#include <string.h>

#include "channel.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1
#define C64 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

struct row {
	const char *what;
	const char *name;
	size_t len;
	int ok;
};

static const struct row rows[] = {
	{ "one letter", S("a"), 1 },
	{ "one digit", S("7"), 1 },
	{ "upper and lower", S("News"), 1 },
	{ "every allowed kind", S("a.b_c-D9"), 1 },
	{ "dash first", S("-x"), 1 },
	{ "underscore first", S("_x"), 1 },
	{ "dot inside", S("a..b"), 1 },
	{ "dot last", S("a."), 1 },
	{ "64 characters", S(C64), 1 },
	{ "empty", S(""), 0 },
	{ "65 characters", S(C64 "x"), 0 },
	{ "200 characters", S(C64 C64 C64 "abcdefgh"), 0 },
	{ "dot", S("."), 0 },
	{ "dot dot", S(".."), 0 },
	{ "hidden .x", S(".x"), 0 },
	{ "dot then LF (never echoed)", S(".\nx"), 0 },
	{ "dot then ESC (never echoed)", S(".\x1b[31m"), 0 },
	{ "slash", S("a/b"), 0 },
	{ "leading slash", S("/a"), 0 },
	{ "parent path", S("../a"), 0 },
	{ "backslash", S("a\\b"), 0 },
	{ "space", S("a b"), 0 },
	{ "tab", S("a\tb"), 0 },
	{ "LF", S("a\nb"), 0 },
	{ "CR", S("a\rb"), 0 },
	{ "NUL inside", S("ab\0cd"), 0 },
	{ "NUL last", S("ab\0"), 0 },
	{ "percent", S("a%2e"), 0 },
	{ "plus", S("a+b"), 0 },
	{ "colon", S("a:b"), 0 },
	{ "tilde", S("a~b"), 0 },
	{ "asterisk", S("*"), 0 },
	{ "UTF-8 e acute", S("caf\xC3\xA9"), 0 },
	{ "high byte", S("a\xFF"), 0 },
	{ "DEL", S("a\x7F"), 0 },
};

static void check_row(const struct row *r)
{
	struct sse_err err;
	int rc, clean;

	memset(&err, 0, sizeof(err));
	strcpy(err.msg, "(untouched)");
	rc = sse_channel_check(r->name, r->len, &err);
	if (r->ok) {
		tap_ok(rc == 0, "%s: valid (%s)", r->what, rc == 0 ? "" : err.msg);
		return;
	}
	/* refused with one printable line */
	clean = rc == -1 && err.msg[0] != '\0' && strcmp(err.msg, "(untouched)") != 0;

	for (const char *p = err.msg; clean && *p; p++)
		clean = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f;
	tap_ok(clean, "%s: refused with one printable line: %s", r->what, err.msg);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	/* the length counts, not a NUL: a valid prefix of a longer buffer */
	tap_ok(sse_channel_check("abc/def", 3, NULL) == 0, "only len bytes are checked");
	tap_ok(sse_channel_check(C64 "x", 64, NULL) == 0, "64 of a longer buffer");
	/* NULL err is allowed */
	tap_ok(sse_channel_check("..", 2, NULL) == -1, "refusal without an error buffer");
	return tap_done();
}
