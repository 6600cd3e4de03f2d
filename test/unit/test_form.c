/* The Mercure hub's form parser (lib/form.c): decoding as Go's
 * net/url.ParseQuery decodes, a publish's fields and refusals (SPEC
 * "Publish"), a subscription's query, and the mercureAuthorization cookie
 * as Go's net/http reads a Cookie header. */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static int str_is(struct sse_str s, const char *p, size_t n)
{
	return s.len == n && (n == 0 || memcmp(s.p, p, n) == 0);
}

/* --- decode ----------------------------------------------------------- */

struct dec_row {
	const char *what, *in;
	size_t len;
	const char *out;
	long out_len;          /* -1: refused */
};

static const struct dec_row dec_rows[] = {
	{ "empty", S(""), "", 0 },
	{ "plain", S("abc"), "abc", 3 },
	{ "'+' is a space", S("a+b"), "a b", 3 },
	{ "%20 is a space", S("a%20b"), "a b", 3 },
	{ "%2B is a '+'", S("a%2Bb"), "a+b", 3 },
	{ "lower-case hex", S("%2b%2f"), "+/", 2 },
	{ "%00 is NUL", S("a%00b"), "a\0b", 3 },
	{ "%25 is '%'", S("100%25"), "100%", 4 },
	{ "UTF-8 escaped", S("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9", 5 },
	{ "UTF-8 raw", S("\xC3\xA9"), "\xC3\xA9", 2 },
	{ "bytes that are not UTF-8", S("%FF%FE"), "\xFF\xFE", 2 },
	{ "'=' and ';' in a value decode as themselves", S("a=b;c"), "a=b;c", 5 },
	{ "'%' at the end", S("ab%"), NULL, -1 },
	{ "'%' and one digit", S("ab%4"), NULL, -1 },
	{ "'%' and non-hex", S("%zz"), NULL, -1 },
	{ "'%' and one hex one not", S("%4g"), NULL, -1 },
	{ "'%' then '+'", S("%+1"), NULL, -1 },
	{ "'%%'", S("%%41"), NULL, -1 },
};

static void decode_table(void)
{
	for (size_t i = 0; i < sizeof(dec_rows) / sizeof(dec_rows[0]); i++) {
		const struct dec_row *r = &dec_rows[i];
		char out[64];
		long n;

		memset(out, 'Z', sizeof(out));
		n = sse_form_decode(r->in, r->len, out);
		tap_ok(n == r->out_len && (n < 0 || memcmp(out, r->out, (size_t)n) == 0),
		       "decode %s (got %ld, want %ld)", r->what, n, r->out_len);
	}
}

/* --- pairs ------------------------------------------------------------ */

/* The pairs of s, as "key=value|" or "key|" (no '='), raw. */
static void pairs(const char *s, size_t len, char *out)
{
	struct sse_str k, v;
	size_t pos = 0;
	int hv;

	*out = '\0';
	while (sse_form_next(s, len, &pos, &k, &v, &hv)) {
		strncat(out, k.p, k.len);
		if (hv)
			strcat(out, "=");
		strncat(out, v.p, v.len);
		strcat(out, "|");
	}
}

static void pairs_table(void)
{
	static const struct {
		const char *what, *in, *want;
	} rows[] = {
		{ "empty", "", "" },
		{ "one", "a=1", "a=1|" },
		{ "two", "a=1&b=2", "a=1|b=2|" },
		{ "empty pairs skipped", "&&a=1&&&b=2&", "a=1|b=2|" },
		{ "key without '='", "private&a=1", "private|a=1|" },
		{ "key with '=' and no value", "private=&a", "private=|a|" },
		{ "second '=' is the value's", "a==b=c", "a==b=c|" },
		{ "empty key", "=x", "=x|" },
		{ "repeated keys kept in order", "t=1&t=2&t=3", "t=1|t=2|t=3|" },
		{ "';' is not a separator here", "a=1;b=2", "a=1;b=2|" },
		{ "still encoded", "a%3D=%26", "a%3D=%26|" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pairs(rows[i].in, strlen(rows[i].in), out);
		tap_ok(strcmp(out, rows[i].want) == 0, "pairs %s ('%s', want '%s')", rows[i].what, out,
		       rows[i].want);
	}
}

/* --- publish ---------------------------------------------------------- */

struct up_row {
	const char *what, *body;
	size_t len, max_event;
	const char *error;     /* NULL: accepted; else a word of the message */
	const char *topics;    /* accepted: topics joined with '|' */
	const char *data;
	size_t data_len;
	const char *id, *type;
	long retry;
	int has_data, private_;
};

#define M 65536
#define BAD(w, b, m, e) { .what = w, .body = b, .len = sizeof(b) - 1, .max_event = m, .error = e }

static const struct up_row up_rows[] = {
	{ "minimal", S("topic=t"), M, NULL, "t", S(""), "", "", -1, 0, 0 },
	{ "all fields", S("topic=https%3A%2F%2Fex.org%2Fbooks%2F1&topic=urn%3Aa&data=hello+world"
			  "&private=on&id=ev-1&type=update&retry=3000&other=x"),
	  M, NULL, "https://ex.org/books/1|urn:a", S("hello world"), "ev-1", "update", 3000, 1, 1 },
	{ "private empty", S("topic=t&private="), M, NULL, "t", S(""), "", "", -1, 0, 1 },
	{ "private without '='", S("private&topic=t"), M, NULL, "t", S(""), "", "", -1, 0, 1 },
	{ "private 'false' is still private", S("topic=t&private=false"), M, NULL, "t", S(""), "", "", -1, 0, 1 },
	{ "data first value wins", S("topic=t&data=1&data=2"), M, NULL, "t", S("1"), "", "", -1, 1, 0 },
	{ "id, type, retry first value wins", S("topic=t&id=a&id=b&type=x&type=y&retry=1&retry=zz"),
	  M, NULL, "t", S(""), "a", "x", 1, 0, 0 },
	{ "data with NUL, CR, LF", S("topic=t&data=a%00b%0D%0Ac"), M, NULL, "t", S("a\0b\r\nc"), "", "", -1, 1, 0 },
	{ "empty data present", S("topic=t&data="), M, NULL, "t", S(""), "", "", -1, 1, 0 },
	{ "encoded key", S("%74opic=t&d%61ta=x"), M, NULL, "t", S("x"), "", "", -1, 1, 0 },
	{ "keys are case-sensitive", S("topic=t&Data=x&TOPIC=u"), M, NULL, "t", S(""), "", "", -1, 0, 0 },
	{ "empty retry is none", S("topic=t&retry="), M, NULL, "t", S(""), "", "", -1, 0, 0 },
	{ "retry 0", S("topic=t&retry=0"), M, NULL, "t", S(""), "", "", 0, 0, 0 },
	{ "retry LONG_MAX", S("topic=t&retry=9223372036854775807"), M, NULL, "t", S(""), "", "", 9223372036854775807L, 0, 0 },
	{ "'#' inside an id", S("topic=t&id=a%23b"), M, NULL, "t", S(""), "a#b", "", -1, 0, 0 },
	{ "UTF-8 topic", S("topic=%C3%A9"), M, NULL, "\xC3\xA9", S(""), "", "", -1, 0, 0 },
	{ "type+data exactly max", S("topic=t&type=ab&data=0123456789abc"), 16, NULL, "t", S("0123456789abc"), "", "ab", -1, 1, 0 },
	BAD("empty body", "", M, "no topic"),
	BAD("no topic", "data=x&id=1", M, "no topic"),
	BAD("topic spelled otherwise", "topics=x", M, "no topic"),
	BAD("empty topic", "topic=", M, "empty"),
	BAD("topic without '='", "topic", M, "empty"),
	BAD("NUL in topic", "topic=a%00b", M, "control"),
	BAD("LF in topic", "topic=a%0Ab", M, "control"),
	BAD("tab in topic", "topic=a%09b", M, "control"),
	BAD("DEL in topic", "topic=a%7Fb", M, "control"),
	BAD("retry not digits", "topic=t&retry=abc", M, "retry"),
	BAD("retry signed", "topic=t&retry=%2B5", M, "retry"),
	BAD("retry negative", "topic=t&retry=-1", M, "retry"),
	BAD("retry spaced", "topic=t&retry=+5", M, "retry"),
	BAD("retry over LONG_MAX", "topic=t&retry=9223372036854775808", M, "retry"),
	BAD("retry over 2^64", "topic=t&retry=18446744073709551616", M, "retry"),
	BAD("id starting with '#'", "topic=t&id=%2342", M, "'#'"),
	BAD("id with LF", "topic=t&id=a%0Aid:+x", M, "bad id"),
	BAD("id with CR", "topic=t&id=a%0D", M, "bad id"),
	BAD("id with NUL", "topic=t&id=a%00", M, "bad id"),
	BAD("type with CR", "topic=t&type=a%0Db", M, "bad type"),
	BAD("type with LF", "topic=t&type=a%0A", M, "bad type"),
	BAD("type with NUL", "topic=t&type=%00", M, "bad type"),
	BAD("bad escape", "topic=t&data=%zz", M, "hex"),
	BAD("bad escape in an unknown field", "topic=t&x=%4", M, "hex"),
	BAD("bad escape in a key", "topic=t&%zz=1", M, "hex"),
	BAD("';' in a value", "topic=t&data=a;b", M, "';'"),
	BAD("';' as a separator", "topic=t;data=x", M, "';'"),
	BAD("';' in an unknown field", "topic=t&x;y", M, "';'"),
	BAD("oversize data", "topic=t&data=0123456789abcdefg", 16, "field 'data'"),
	BAD("oversize topic", "topic=0123456789abcdefg", 16, "field 'topic'"),
	BAD("oversize whole", "topic=01234567&data=012345678", 16, "update of 17 bytes"),
	BAD("type+data over max", "topic=t&type=abc&data=0123456789abc", 16, "update of"),
};

static void join(char *out, const struct sse_hub_update *u)
{
	*out = '\0';
	for (size_t i = 0; i < u->ntopics; i++) {
		if (i)
			strcat(out, "|");
		strncat(out, u->topics[i].p, u->topics[i].len);
	}
}

static void update_table(void)
{
	for (size_t i = 0; i < sizeof(up_rows) / sizeof(up_rows[0]); i++) {
		const struct up_row *r = &up_rows[i];
		struct sse_hub_update u;
		struct sse_err err = { "", 0 };
		char topics[256];
		int rc = sse_hub_update_parse(r->body, r->len, r->max_event, &u, &err);

		if (r->error) {
			tap_ok(rc == -1 && strstr(err.msg, r->error) && u.mem == NULL,
			       "update %s: refused (%s)", r->what, err.msg);
			continue;
		}
		join(topics, &u);
		tap_ok(rc == 0 && strcmp(topics, r->topics) == 0 && str_is(u.data, r->data, r->data_len) &&
			       u.data.p[u.data.len] == '\0' && str_is(u.id, r->id, strlen(r->id)) &&
			       str_is(u.type, r->type, strlen(r->type)) && u.retry == r->retry &&
			       u.has_data == r->has_data && u.private_ == r->private_,
		       "update %s (rc %d %s, topics '%s', retry %ld)", r->what, rc, err.msg, topics, u.retry);
		sse_hub_update_free(&u);
		tap_ok(u.mem == NULL && u.topics == NULL, "update %s: freed", r->what);
	}
}

/* Limits that need a body built at run time. */
static void update_limits(void)
{
	size_t max = 1000, n = 0, cap = 8 * 4096;
	char *b = malloc(cap);
	struct sse_hub_update u;
	struct sse_err err = { "", 0 };
	int rc;

	/* Every data byte escaped: 3 x max raw bytes are still taken. */
	n = (size_t)sprintf(b, "topic=t&data=");
	for (size_t i = 0; i < max - 1; i++)
		n += (size_t)sprintf(b + n, "%%41");
	rc = sse_hub_update_parse(b, n, max, &u, &err);
	tap_ok(rc == 0 && u.data.len == max - 1 && u.data.p[0] == 'A', "update: a data of max-1 bytes all escaped (%zu raw) is taken (%s)", n, err.msg);
	sse_hub_update_free(&u);
	/* 1000 topics, then 1001. */
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(b + n, "topic=%d&", i);
	rc = sse_hub_update_parse(b, n, 65536, &u, &err);
	tap_ok(rc == 0 && u.ntopics == 1000 && str_is(u.topics[999], "999", 3), "update: 1000 topics taken (%s)", err.msg);
	sse_hub_update_free(&u);
	n += (size_t)sprintf(b + n, "topic=x");
	rc = sse_hub_update_parse(b, n, 65536, &u, &err);
	tap_ok(rc == -1 && strstr(err.msg, "too many topics"), "update: 1001 topics refused (%s)", err.msg);
	/* Exactly the raw bound, and one byte over. */
	memset(b, 'x', cap);
	memcpy(b, "topic=t&x=", 10);
	rc = sse_hub_update_parse(b, 3 * 16 + 4096, 16, &u, &err);
	tap_ok(rc == 0, "update: a body of 3 x max + 4096 bytes is read (%s)", err.msg);
	sse_hub_update_free(&u);
	rc = sse_hub_update_parse(b, 3 * 16 + 4097, 16, &u, &err);
	tap_ok(rc == -1 && strstr(err.msg, "form of 4145 bytes"), "update: one byte more is refused (%s)", err.msg);
	free(b);
}

/* --- subscribe -------------------------------------------------------- */

struct q_row {
	const char *what, *query;
	int rc;
	const char *topics;    /* joined with '|' */
	const char *last_id;   /* NULL: none */
	const char *auth;      /* NULL: none */
};

static const struct q_row q_rows[] = {
	{ "empty", "", 0, "", NULL, NULL },
	{ "one topic", "topic=%2A", 0, "*", NULL, NULL },
	{ "topics in order", "topic=https%3A%2F%2Fex.org%2Fbooks%2F%7Bid%7D&topic=urn:a", 0,
	  "https://ex.org/books/{id}|urn:a", NULL, NULL },
	{ "lastEventID", "topic=a&lastEventID=urn%3Auuid%3Ax", 0, "a", "urn:uuid:x", NULL },
	{ "Last-Event-ID", "topic=a&Last-Event-ID=5", 0, "a", "5", NULL },
	{ "lastEventId", "topic=a&lastEventId=%2342", 0, "a", "#42", NULL },
	{ "lastEventID before the others", "lastEventId=3&Last-Event-ID=2&lastEventID=1&topic=a", 0, "a", "1", NULL },
	{ "Last-Event-ID before lastEventId", "lastEventId=3&Last-Event-ID=2", 0, "", "2", NULL },
	{ "an empty one is skipped", "lastEventID=&lastEventId=3", 0, "", "3", NULL },
	{ "all empty: none", "lastEventID=&Last-Event-ID", 0, "", NULL, NULL },
	{ "first value of a name", "lastEventID=a&lastEventID=b", 0, "", "a", NULL },
	{ "earliest", "topic=a&lastEventID=earliest", 0, "a", "earliest", NULL },
	{ "authorization", "topic=a&authorization=eyJ.x.y", 0, "a", NULL, "eyJ.x.y" },
	{ "authorization empty is present", "topic=a&authorization=", 0, "a", NULL, "" },
	{ "publish fields ignored", "topic=a&data=x&id=1", 0, "a", NULL, NULL },
	{ "empty topic kept for the caller", "topic=&topic", 0, "|", NULL, NULL },
	{ "bad escape", "topic=%E", -1, NULL, NULL, NULL },
	{ "bad escape in an unknown field", "topic=a&utm=%G0", -1, NULL, NULL, NULL },
	{ "';'", "topic=a;b", -1, NULL, NULL, NULL },
};

static void query_table(void)
{
	for (size_t i = 0; i < sizeof(q_rows) / sizeof(q_rows[0]); i++) {
		const struct q_row *r = &q_rows[i];
		struct sse_hub_query q;
		struct sse_err err = { "", 0 };
		char topics[256] = "";
		int rc = sse_hub_query_parse(r->query, strlen(r->query), &q, &err), ok;

		if (r->rc < 0) {
			tap_ok(rc == -1 && strstr(err.msg, "bad form") && q.mem == NULL, "query %s: refused (%s)",
			       r->what, err.msg);
			continue;
		}
		for (size_t t = 0; rc == 0 && t < q.ntopics; t++) {
			if (t)
				strcat(topics, "|");
			strncat(topics, q.topics[t].p, q.topics[t].len);
		}
		ok = rc == 0 && strcmp(topics, r->topics) == 0 &&
		     q.has_last_event_id == (r->last_id != NULL) &&
		     (!r->last_id || str_is(q.last_event_id, r->last_id, strlen(r->last_id))) &&
		     q.has_authorization == (r->auth != NULL) &&
		     (!r->auth || str_is(q.authorization, r->auth, strlen(r->auth)));
		tap_ok(ok, "query %s (rc %d %s, topics '%s')", r->what, rc, err.msg, topics);
		sse_hub_query_free(&q);
	}
}

/* --- cookie ----------------------------------------------------------- */

static void cookie_table(void)
{
	static const struct {
		const char *what, *header, *want; /* want NULL: not found */
	} rows[] = {
		{ "alone", "mercureAuthorization=abc", "abc" },
		{ "among others", "a=1; mercureAuthorization=abc; b=2", "abc" },
		{ "last", "a=1; mercureAuthorization=abc", "abc" },
		{ "no space after ';'", "a=1;mercureAuthorization=abc;b=2", "abc" },
		{ "spaces and tabs around", "  a=1 ;\t mercureAuthorization=abc \t; b", "abc" },
		{ "spaces around the name", "a=1; mercureAuthorization =abc", "abc" },
		{ "quoted", "mercureAuthorization=\"abc\"", "abc" },
		{ "only a quote", "mercureAuthorization=\"", NULL },
		{ "empty value", "mercureAuthorization=", "" },
		{ "name alone", "mercureAuthorization", "" },
		{ "'=' in the value", "mercureAuthorization=a=b", "a=b" },
		{ "first of two", "mercureAuthorization=1; mercureAuthorization=2", "1" },
		{ "invalid value skipped", "mercureAuthorization=a\\b; mercureAuthorization=2", "2" },
		{ "a quote inside is invalid", "mercureAuthorization=a\"b", NULL },
		{ "control byte is invalid", "mercureAuthorization=a\x01", NULL },
		{ "case-sensitive name", "MercureAuthorization=abc", NULL },
		{ "prefix of the name", "mercureAuthorizationX=abc; mercure=x", NULL },
		{ "name as a value", "a=mercureAuthorization", NULL },
		{ "empty header", "", NULL },
		{ "only separators", ";;; ;", NULL },
		{ "a JWT", "mercureAuthorization=eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7fX0.sig-_", "eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7fX0.sig-_" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sse_str v = { NULL, 0 };
		int found = sse_cookie_get(rows[i].header, "mercureAuthorization", &v);

		tap_ok(rows[i].want ? found == 1 && str_is(v, rows[i].want, strlen(rows[i].want)) : found == 0,
		       "cookie %s (found %d, '%.*s')", rows[i].what, found, (int)v.len, v.p ? v.p : "");
	}
	tap_ok(sse_cookie_get(NULL, "a", &(struct sse_str){ 0 }) == 0, "cookie: no header");
}

int main(void)
{
	decode_table();
	pairs_table();
	update_table();
	update_limits();
	query_table();
	cookie_table();
	return tap_done();
}
