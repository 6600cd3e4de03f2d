/* Topic selectors (lib/selector.c, lib/uritemplate.c): RFC 6570's own
 * expansion table read backwards (each expansion must match its template),
 * non-matches as the Mercure hub decides them (uritemplate v3's Regexp(),
 * which dunglas/mercure's topicselector.go uses), exact selectors, `*`, the
 * caps, malformed templates (plain strings, as in the hub) and a hostile
 * template that must still run in linear time. */
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "tap.h"
#include "uritemplate.h"

/* RFC 6570 section 3.2, with its variables: count := ("one", "two",
 * "three"), dom := ("example", "com"), dub := "me/too", hello := "Hello
 * World!", half := "50%", var := "value", who := "fred", base :=
 * "http://example.com/home/", path := "/foo/bar", list := ("red", "green",
 * "blue"), keys := [("semi",";"),("dot","."),("comma",",")], v := "6",
 * x := "1024", y := "768", empty := "", empty_keys := [], undef := null. */
static const char *const rfc[][2] = {
	/* 3.2.1 */
	{ "{count}", "one,two,three" }, { "{count*}", "one,two,three" },
	{ "{/count}", "/one,two,three" }, { "{/count*}", "/one/two/three" },
	{ "{;count}", ";count=one,two,three" }, { "{;count*}", ";count=one;count=two;count=three" },
	{ "{?count}", "?count=one,two,three" }, { "{?count*}", "?count=one&count=two&count=three" },
	{ "{&count*}", "&count=one&count=two&count=three" },
	/* 3.2.2 */
	{ "{var}", "value" }, { "{hello}", "Hello%20World%21" }, { "{half}", "50%25" },
	{ "O{empty}X", "OX" }, { "O{undef}X", "OX" }, { "{x,y}", "1024,768" },
	{ "{x,hello,y}", "1024,Hello%20World%21,768" }, { "?{x,empty}", "?1024," },
	{ "?{x,undef}", "?1024" }, { "?{undef,y}", "?768" }, { "{var:3}", "val" },
	{ "{var:30}", "value" }, { "{list}", "red,green,blue" }, { "{list*}", "red,green,blue" },
	{ "{keys}", "semi,%3B,dot,.,comma,%2C" }, { "{keys*}", "semi=%3B,dot=.,comma=%2C" },
	/* 3.2.3 */
	{ "{+var}", "value" }, { "{+hello}", "Hello%20World!" }, { "{+half}", "50%25" },
	{ "{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex" },
	{ "{+base}index", "http://example.com/home/index" }, { "O{+empty}X", "OX" },
	{ "O{+undef}X", "OX" }, { "{+path}/here", "/foo/bar/here" },
	{ "here?ref={+path}", "here?ref=/foo/bar" }, { "up{+path}{var}/here", "up/foo/barvalue/here" },
	{ "{+x,hello,y}", "1024,Hello%20World!,768" }, { "{+path,x}/here", "/foo/bar,1024/here" },
	{ "{+path:6}/here", "/foo/b/here" }, { "{+list}", "red,green,blue" },
	{ "{+list*}", "red,green,blue" }, { "{+keys}", "semi,;,dot,.,comma,," },
	{ "{+keys*}", "semi=;,dot=.,comma=," },
	/* 3.2.4 */
	{ "{#var}", "#value" }, { "{#hello}", "#Hello%20World!" }, { "{#half}", "#50%25" },
	{ "foo{#empty}", "foo#" }, { "foo{#undef}", "foo" },
	{ "{#x,hello,y}", "#1024,Hello%20World!,768" }, { "{#path,x}/here", "#/foo/bar,1024/here" },
	{ "{#path:6}/here", "#/foo/b/here" }, { "{#list}", "#red,green,blue" },
	{ "{#list*}", "#red,green,blue" }, { "{#keys}", "#semi,;,dot,.,comma,," },
	{ "{#keys*}", "#semi=;,dot=.,comma=," },
	/* 3.2.5 */
	{ "{.who}", ".fred" }, { "{.who,who}", ".fred.fred" }, { "{.half,who}", ".50%25.fred" },
	{ "www{.dom*}", "www.example.com" }, { "X{.var}", "X.value" }, { "X{.empty}", "X." },
	{ "X{.undef}", "X" }, { "X{.var:3}", "X.val" }, { "X{.list}", "X.red,green,blue" },
	{ "X{.list*}", "X.red.green.blue" }, { "X{.keys}", "X.semi,%3B,dot,.,comma,%2C" },
	{ "X{.keys*}", "X.semi=%3B.dot=..comma=%2C" }, { "X{.empty_keys}", "X" },
	{ "X{.empty_keys*}", "X" },
	/* 3.2.6 */
	{ "{/who}", "/fred" }, { "{/who,who}", "/fred/fred" }, { "{/half,who}", "/50%25/fred" },
	{ "{/who,dub}", "/fred/me%2Ftoo" }, { "{/var}", "/value" }, { "{/var,empty}", "/value/" },
	{ "{/var,undef}", "/value" }, { "{/var,x}/here", "/value/1024/here" },
	{ "{/var:1,var}", "/v/value" }, { "{/list}", "/red,green,blue" },
	{ "{/list*}", "/red/green/blue" }, { "{/list*,path:4}", "/red/green/blue/%2Ffoo" },
	{ "{/keys}", "/semi,%3B,dot,.,comma,%2C" }, { "{/keys*}", "/semi=%3B/dot=./comma=%2C" },
	/* 3.2.7 */
	{ "{;who}", ";who=fred" }, { "{;half}", ";half=50%25" }, { "{;empty}", ";empty" },
	{ "{;v,empty,who}", ";v=6;empty;who=fred" }, { "{;v,bar,who}", ";v=6;who=fred" },
	{ "{;x,y}", ";x=1024;y=768" }, { "{;x,y,empty}", ";x=1024;y=768;empty" },
	{ "{;x,y,undef}", ";x=1024;y=768" }, { "{;hello:5}", ";hello=Hello" },
	{ "{;list}", ";list=red,green,blue" }, { "{;list*}", ";list=red;list=green;list=blue" },
	{ "{;keys}", ";keys=semi,%3B,dot,.,comma,%2C" }, { "{;keys*}", ";semi=%3B;dot=.;comma=%2C" },
	/* 3.2.8 */
	{ "{?who}", "?who=fred" }, { "{?half}", "?half=50%25" }, { "{?x,y}", "?x=1024&y=768" },
	{ "{?x,y,empty}", "?x=1024&y=768&empty=" }, { "{?x,y,undef}", "?x=1024&y=768" },
	{ "{?var:3}", "?var=val" }, { "{?list}", "?list=red,green,blue" },
	{ "{?list*}", "?list=red&list=green&list=blue" },
	{ "{?keys}", "?keys=semi,%3B,dot,.,comma,%2C" }, { "{?keys*}", "?semi=%3B&dot=.&comma=%2C" },
	/* 3.2.9 */
	{ "{&who}", "&who=fred" }, { "{&half}", "&half=50%25" }, { "?fixed=yes{&x}", "?fixed=yes&x=1024" },
	{ "{&x,y,empty}", "&x=1024&y=768&empty=" }, { "{&var:3}", "&var=val" },
	{ "{&list}", "&list=red,green,blue" }, { "{&list*}", "&list=red&list=green&list=blue" },
	{ "{&keys}", "&keys=semi,%3B,dot,.,comma,%2C" }, { "{&keys*}", "&semi=%3B&dot=.&comma=%2C" },
};

/* selector, topic, 1 when it matches: the hub's answers. */
static const struct {
	const char *sel, *topic;
	int match;
} table[] = {
	{ "https://example.com/books/{id}", "https://example.com/books/1", 1 },
	{ "https://example.com/books/{id}", "https://example.com/books/1/2", 0 },
	{ "https://example.com/books/{id}", "https://example.com/authors/1", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books", 0 },
	/* a variable may be empty: Regexp() gives "(...)*" for it */
	{ "https://example.com/books/{id}", "https://example.com/books/", 1 },
	{ "https://example.com/books/{id}", "https://example.com/Books/1", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/1?x", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/caf%C3%A9", 1 },
	{ "https://example.com/books/{id}", "https://example.com/books/caf\xC3\xA9", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/50%", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/50%2", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/%zz", 0 },
	{ "https://example.com/books/{id}", "https://example.com/books/a b", 0 },
	{ "https://example.com/books/{id}.json", "https://example.com/books/1.json", 1 },
	{ "https://example.com/books/{id}.json", "https://example.com/books/1.xml", 0 },
	{ "https://example.com/users/{uid}/posts/{pid}", "https://example.com/users/42/posts/99", 1 },
	{ "https://example.com/users/{uid}/posts/{pid}", "https://example.com/users/42", 0 },
	{ "https://example.com/foo{?bar}", "https://example.com/foobaz", 0 }, /* uritemplate's own */
	{ "https://example.com/foo{?bar}", "https://example.com/foo", 1 },
	{ "https://example.com/foo{?bar}", "https://example.com/foo?", 1 },
	/* simple: ',' (list values), no '=' unless exploded, no reserved */
	{ "{x}", "a,b,c", 1 }, { "{x,y}", "a,b,c", 1 }, { "{x}", "a=b", 0 }, { "{x*}", "a=b", 1 },
	{ "{x}", "a/b", 0 }, { "{x}", "a#b", 0 }, { "{x}", "a:b", 0 }, { "{x}", "-._~", 1 },
	{ "{+x}", "a/b?c#d=e", 1 }, { "{+x}", "a b", 0 }, { "{+x}", "a{b}", 0 }, { "{+x}", "a%2", 0 },
	{ "{#x}", "", 1 }, { "{#x}", "#", 1 }, { "{#x}", "x", 0 }, { "foo{#x}", "foo#a#b", 1 },
	/* a list holds at most as many values as it names, unless exploded */
	{ "{/x,y}", "/a/b", 1 }, { "{/x,y}", "/a/b/c", 0 }, { "{/x*}", "/a/b/c", 1 },
	{ "{/x,y*}", "/a/b/c/d", 1 }, { "{/x}", "/a/b", 0 }, { "{/x}", "a", 0 }, { "{/x}", "", 1 },
	{ "{.x}", ".a.b", 1 }, /* '.' is unreserved */
	{ "{?x}", "?a&b", 0 }, { "{?x,y}", "?a&b", 1 }, { "{?x,y}", "?a&b&c", 0 },
	{ "{?x*}", "?a=1&b=2&c=3", 1 }, { "{&x}", "&a=1&b=2", 0 },
	/* named operators do not check the name (Regexp() does not) */
	{ "{;x}", ";y=1", 1 }, { "{?x}", "?y=1", 1 }, { "{;x}", ";x=a/b", 0 },
	/* :N is not a bound in Regexp() */
	{ "{x:2}", "abcdef", 1 },
	/* '=' in the later values of a list only when named or exploded */
	{ "{x,y}", "a,b=c", 0 }, { "{x,y*}", "a,b=c", 1 }, { "{x,y*}", "a=b", 0 },
	{ "{/x,y}", "/a/b=c", 0 }, { "{/x*,y}", "/a=b", 1 }, { "{/x,y*}", "/a=b", 0 },
	/* literals compare byte for byte, %XX included */
	{ "a%2Fb{x}", "a%2Fbc", 1 }, { "a%2Fb{x}", "a%2fbc", 0 }, { "a%2Fb{x}", "a/bc", 0 },
	{ "\xC3\xA9t\xC3\xA9/{x}", "\xC3\xA9t\xC3\xA9/1", 1 },
	{ "{a}-{b}", "x-y", 1 }, { "{a}-{b}", "x-y-z", 1 }, { "{a}-{b}", "xy", 0 },
	{ "{a}/{b}", "xy", 0 }, { "{a}/{b}", "/", 1 },
	/* a template also matches its own text: the hub compares first */
	{ "https://example.com/{id}", "https://example.com/{id}", 1 },
	/* exact selectors */
	{ "https://example.com/books/1", "https://example.com/books/1", 1 },
	{ "https://example.com/books/1", "https://example.com/books/12", 0 },
	{ "https://example.com/books/1", "https://example.com/books/", 0 },
	{ "https://example.com/books/1", "https://example.com/BOOKS/1", 0 },
	{ "foo", "foo", 1 }, { "foo", "fo", 0 }, { "", "", 1 }, { "", "x", 0 },
	{ "*", "", 1 }, { "*", "anything at all", 1 }, { "**", "x", 0 }, { "**", "**", 1 },
	/* malformed templates are plain strings (topicselector.go getRegexp) */
	{ "https://example.com/{id", "https://example.com/{id", 1 },
	{ "https://example.com/{id", "https://example.com/1", 0 },
	{ "{=x}", "{=x}", 1 }, { "{=x}", "a", 0 }, { "{!x}", "", 0 }, { "{x:0}", "a", 0 },
	{ "{x:10000}", "a", 0 }, { "{x:9999}", "a", 1 }, { "{x:1a}", "a", 0 }, { "{x:}", "a", 0 },
	{ "{x:3*}", "a", 0 }, { "{x*:3}", "a", 0 }, { "{}", "", 0 }, { "{}", "{}", 1 },
	{ "{.}", "", 0 }, { "{a..b}", "x", 0 }, { "{a.}", "x", 0 }, { "{.a}", ".x", 1 },
	{ "{.a.b}", ".x", 1 }, { "{%2Ex}", "x", 1 }, { "{a%2}", "x", 0 }, { "{a b}", "x", 0 },
	{ "{a,}", "x", 0 }, { "{,a}", "x", 0 }, { "a b{x}", "a bc", 0 }, { "{x}}", "a}", 0 },
	{ "{x}%", "a%", 0 }, { "{x}%4", "a%4", 0 }, { "{x}%41", "a%41", 1 },
	{ "{x}\x80", "a\x80", 0 }, { "{x}\xEF\xBF\xBF", "a\xEF\xBF\xBF", 0 },
	{ "{x}\xED\xA0\x80", "a\xED\xA0\x80", 0 }, { "{x}'", "a'", 1 },
	{ "{x}\xC2\xA0", "a\xC2\xA0", 1 }, { "{x}\xC2\x9F", "a\xC2\x9F", 0 },
	{ "{x}\xF3\xA0\x80\x80", "a\xF3\xA0\x80\x80", 0 }, { "{x}\xF3\xA1\x80\x80", "a\xF3\xA1\x80\x80", 1 },
	{ "{{x}}", "a", 0 }, { "{x{y}", "a", 0 }, { "{x}{", "a", 0 }, { "{|x}", "a", 0 },
};

static struct sse_selectors *one(const char *sel, size_t len, struct sse_err *err)
{
	struct sse_str s = { sel, len };

	return sse_selectors_compile(&s, 1, err);
}

static int match1(const char *sel, const char *topic)
{
	struct sse_err err;
	struct sse_selectors *s = one(sel, strlen(sel), &err);
	int m;

	if (!s)
		return -1;
	m = sse_selectors_match(s, topic, strlen(topic));
	sse_selectors_free(s);
	return m;
}

static void rfc_table(void)
{
	for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++)
		tap_ok(match1(rfc[i][0], rfc[i][1]) == 1, "RFC 6570: %s matches %s", rfc[i][0], rfc[i][1]);
	/* and none of them is taken for a plain string */
	for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++)
		if (sse_urit_parse(rfc[i][0], strlen(rfc[i][0]), NULL, NULL) != 0)
			tap_ok(0, "RFC 6570: %s parses", rfc[i][0]);
}

static void hub_table(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		tap_ok(match1(table[i].sel, table[i].topic) == table[i].match, "%s %s %s",
		       table[i].sel, table[i].match ? "matches" : "does not match", table[i].topic);
}

static void sets(void)
{
	struct sse_str sel[SSE_SELECTORS_MAX + 1], topics[3];
	struct sse_selectors *s;
	struct sse_err err;
	char *big = malloc(SSE_SELECTOR_MAX_LEN + 2);

	s = sse_selectors_compile(NULL, 0, &err);
	tap_ok(s && !sse_selectors_match(s, "x", 1) && !sse_selectors_match(s, "", 0),
	       "no selector matches nothing");
	sse_selectors_free(s);

	sel[0] = (struct sse_str){ "https://example.com/a", 21 };
	sel[1] = (struct sse_str){ "https://example.com/books/{id}", 30 };
	s = sse_selectors_compile(sel, 2, &err);
	topics[0] = (struct sse_str){ "https://example.com/b", 21 };
	topics[1] = (struct sse_str){ "https://example.com/books/7", 27 };
	topics[2] = (struct sse_str){ "https://example.com/a", 21 };
	tap_ok(s && sse_selectors_match(s, "https://example.com/a", 21) &&
	       sse_selectors_match(s, "https://example.com/books/9", 27) &&
	       !sse_selectors_match(s, "https://example.com/b", 21), "an exact selector and a template");
	tap_ok(s && !sse_selectors_match_any(s, topics, 1) && sse_selectors_match_any(s, topics, 2) &&
	       sse_selectors_match_any(s, topics + 2, 1) && !sse_selectors_match_any(s, topics, 0),
	       "match_any: one of the event's topics");
	sse_selectors_free(s);

	/* a template that goes wrong after some expressions takes no room
	 * (compiling it once wrote past its share, over the next one's text) */
	sel[0] = (struct sse_str){ "{a}{b}{c}{d}{e}{", 16 };
	sel[1] = (struct sse_str){ "https://example.com/{x}", 23 };
	s = sse_selectors_compile(sel, 2, &err);
	tap_ok(s && sse_selectors_match(s, "{a}{b}{c}{d}{e}{", 16) &&
	       sse_selectors_match(s, "https://example.com/1", 21) && !sse_selectors_match(s, "a", 1),
	       "a template malformed at its end leaves the others whole");
	sse_selectors_free(s);
	sel[0] = (struct sse_str){ "https://example.com/a", 21 };
	sel[1] = (struct sse_str){ "https://example.com/books/{id}", 30 };

	sel[2] = (struct sse_str){ "*", 1 };
	s = sse_selectors_compile(sel, 3, &err);
	tap_ok(s && sse_selectors_match(s, "https://example.com/b", 21) && sse_selectors_match(s, NULL, 0),
	       "'*' among others matches every topic");
	sse_selectors_free(s);

	for (size_t i = 0; i <= SSE_SELECTORS_MAX; i++)
		sel[i] = (struct sse_str){ i % 2 ? "{a}/{b}" : "x", i % 2 ? 7 : 1 };
	s = sse_selectors_compile(sel, SSE_SELECTORS_MAX, &err);
	tap_ok(s && sse_selectors_match(s, "a/b", 3), "%d selectors are allowed", SSE_SELECTORS_MAX);
	sse_selectors_free(s);
	s = sse_selectors_compile(sel, SSE_SELECTORS_MAX + 1, &err);
	tap_ok(!s && strcmp(err.msg, "too many topic selectors (65, at most 64)") == 0,
	       "%d are refused: %s", SSE_SELECTORS_MAX + 1, s ? "" : err.msg);
	sse_selectors_free(s);

	memset(big, 'a', SSE_SELECTOR_MAX_LEN + 1);
	memcpy(big, "{x}\n", 4);
	s = one(big, SSE_SELECTOR_MAX_LEN, &err);
	tap_ok(s != NULL, "a selector of %d bytes is allowed", SSE_SELECTOR_MAX_LEN);
	sse_selectors_free(s);
	s = one(big, SSE_SELECTOR_MAX_LEN + 1, &err);
	tap_ok(!s && strncmp(err.msg, "topic selector '{x}?aaa", 23) == 0 &&
	       strstr(err.msg, "a...' is longer than 1024 bytes") && strlen(err.msg) < 120,
	       "one of %d is refused, quoted short on one line: %s", SSE_SELECTOR_MAX_LEN + 1,
	       s ? "" : err.msg);
	sse_selectors_free(s);
	free(big);
}

/* Adjacent expressions over one long topic: every state is live at every
 * byte, which a backtracking matcher would explore exponentially. */
static void hostile(void)
{
	size_t tlen = 100000, n;
	char *tpl = malloc(SSE_SELECTOR_MAX_LEN + 1), *topic = malloc(tlen + 2);
	struct sse_err err;
	struct sse_selectors *s;

	for (n = 0; n + 3 <= SSE_SELECTOR_MAX_LEN - 4; n += 3)
		memcpy(tpl + n, "{a}", 3);
	memcpy(tpl + n, "{/b}", 4);
	n += 4;
	s = one(tpl, n, &err);
	memset(topic, 'a', tlen);
	tap_ok(s && sse_selectors_match(s, topic, tlen), "%zu expressions match %zu bytes", n / 3, tlen);
	topic[tlen - 10] = '/';
	tap_ok(s && sse_selectors_match(s, topic, tlen), "... with the last one taking a /segment");
	topic[tlen - 1] = '/';
	tap_ok(s && !sse_selectors_match(s, topic, tlen), "... and not two segments");
	sse_selectors_free(s);

	/* a list naming 511 values: 511 segments match, 512 do not */
	memcpy(tpl, "{/a", 3);
	for (n = 3; n + 2 <= SSE_SELECTOR_MAX_LEN - 1; n += 2)
		memcpy(tpl + n, ",a", 2);
	tpl[n++] = '}';
	s = one(tpl, n, &err);
	for (size_t i = 0; i < 2 * 512; i += 2)
		memcpy(topic + i, "/a", 2);
	tap_ok(s && sse_selectors_match(s, topic, 2 * 511) && !sse_selectors_match(s, topic, 2 * 512),
	       "{/a,a,...} with %zu names matches %zu segments, not one more", (n - 2) / 2,
	       (n - 2) / 2);
	sse_selectors_free(s);

	/* 64 of those: past SSE_SELECTORS_STATES_MAX, refused (a 400) */
	{
		struct sse_str many[SSE_SELECTORS_MAX];

		for (n = 0; n + 3 <= SSE_SELECTOR_MAX_LEN; n += 3)
			memcpy(tpl + n, "{a}", 3);
		for (size_t i = 0; i < SSE_SELECTORS_MAX; i++)
			many[i] = (struct sse_str){ tpl, n };
		s = sse_selectors_compile(many, SSE_SELECTORS_MAX, &err);
		tap_ok(!s && strstr(err.msg, "topic selectors too complex (") &&
		       strstr(err.msg, "at most 4096): use fewer or simpler URI templates"),
		       "64 templates of 341 adjacent expressions are refused: %s", s ? "accepted" : err.msg);
		sse_selectors_free(s);
		s = sse_selectors_compile(many, 2, &err);
		tap_ok(s != NULL, "2 of them are allowed (%s)", s ? "ok" : err.msg);
		sse_selectors_free(s);
	}
	free(tpl);
	free(topic);
}

int main(void)
{
	rfc_table();
	hub_table();
	sets();
	hostile();
	return tap_done();
}
