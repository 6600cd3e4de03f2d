/* Request plan (SPEC "The stream"): tables of CGI variables and settings,
 * the plan each must give, and the response head or error it leads to. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "request.h"
#include "settings.h"
#include "tap.h"

#define C64 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
#define C65 C64 "x"

enum { ERR = SSE_PLAN_ERROR, STREAM = SSE_PLAN_STREAM, PRE = SSE_PLAN_PREFLIGHT,
       STAT = SSE_PLAN_STATUS, PROBE = SSE_PLAN_PROBE };

struct row {
	const char *what;
	const char *method, *path_info, *query, *lei, *origin;
	const char *cors_origins; /* SSE_CORS_ORIGINS, NULL unset */
	int status_on;            /* SSE_STATUS */
	int kind, status;
	const char *channel;      /* expected for a stream */
	int has_id;
	uint64_t last_id;
	int head, cors;
};

/* ---------------------------------------------------------------------- */

static const struct row rows[] = {
	/* methods */
	{ "GET streams", "GET", "/news", NULL, NULL, NULL, NULL, 0, STREAM, 200, "news", 0, 0, 0, 0 },
	{ "no REQUEST_METHOD is GET", NULL, "/news", NULL, NULL, NULL, NULL, 0, STREAM, 200, "news", 0, 0, 0, 0 },
	{ "HEAD sets the head flag", "HEAD", "/news", NULL, NULL, NULL, NULL, 0, STREAM, 200, "news", 0, 0, 1, 0 },
	{ "OPTIONS is a 204 preflight", "OPTIONS", "/news", NULL, NULL, NULL, NULL, 0, PRE, 204, NULL, 0, 0, 0, 0 },
	{ "OPTIONS without channel is a preflight", "OPTIONS", NULL, NULL, NULL, NULL, NULL, 0, PRE, 204, NULL, 0, 0, 0, 0 },
	{ "POST is 405", "POST", "/news", NULL, NULL, NULL, NULL, 0, ERR, 405, NULL, 0, 0, 0, 0 },
	{ "PUT is 405", "PUT", "/news", NULL, NULL, NULL, NULL, 0, ERR, 405, NULL, 0, 0, 0, 0 },
	{ "DELETE is 405", "DELETE", "/news", NULL, NULL, NULL, NULL, 0, ERR, 405, NULL, 0, 0, 0, 0 },
	{ "lowercase get is 405 (methods are case-sensitive)", "get", "/news", NULL, NULL, NULL, NULL, 0, ERR, 405, NULL, 0, 0, 0, 0 },

	/* channel from PATH_INFO and the query */
	{ "channel from PATH_INFO", "GET", "/a.b_c-9", NULL, NULL, NULL, NULL, 0, STREAM, 200, "a.b_c-9", 0, 0, 0, 0 },
	{ "channel from ?channel=", "GET", NULL, "channel=room1", NULL, NULL, NULL, 0, STREAM, 200, "room1", 0, 0, 0, 0 },
	{ "channel from ?channel= among others", "GET", NULL, "x=1&channel=room2&y=2", NULL, NULL, NULL, 0, STREAM, 200, "room2", 0, 0, 0, 0 },
	{ "?channel= percent-decoded", "GET", NULL, "channel=r%6Fom%2D3", NULL, NULL, NULL, 0, STREAM, 200, "room-3", 0, 0, 0, 0 },
	{ "PATH_INFO wins over ?channel=", "GET", "/path", "channel=query", NULL, NULL, NULL, 0, STREAM, 200, "path", 0, 0, 0, 0 },
	{ "PATH_INFO \"/\" falls back to ?channel=", "GET", "/", "channel=q", NULL, NULL, NULL, 0, STREAM, 200, "q", 0, 0, 0, 0 },
	{ "empty PATH_INFO falls back to ?channel=", "GET", "", "channel=q", NULL, NULL, NULL, 0, STREAM, 200, "q", 0, 0, 0, 0 },
	{ "no channel at all is 404", "GET", NULL, NULL, NULL, NULL, NULL, 0, ERR, 404, NULL, 0, 0, 0, 0 },
	{ "PATH_INFO \"/\" alone is 404", "GET", "/", "", NULL, NULL, NULL, 0, ERR, 404, NULL, 0, 0, 0, 0 },
	{ "64 characters OK (PATH_INFO)", "GET", "/" C64, NULL, NULL, NULL, NULL, 0, STREAM, 200, C64, 0, 0, 0, 0 },
	{ "64 characters OK (query)", "GET", NULL, "channel=" C64, NULL, NULL, NULL, 0, STREAM, 200, C64, 0, 0, 0, 0 },

	/* bad names: 400 */
	{ "empty ?channel= is 400", "GET", NULL, "channel=", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"..\" is 400 (PATH_INFO)", "GET", "/..", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"..\" is 400 (query)", "GET", NULL, "channel=..", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\".x\" is 400", "GET", "/.x", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"%2e%2e\" is 400 (query)", "GET", NULL, "channel=%2e%2e", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"%2e%2e\" is 400 (PATH_INFO)", "GET", "/%2e%2e", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"a/b\" is 400 (PATH_INFO)", "GET", "/a/b", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"a%2Fb\" is 400 (query)", "GET", NULL, "channel=a%2Fb", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "\"../x\" is 400", "GET", NULL, "channel=../x", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "65 characters is 400 (PATH_INFO)", "GET", "/" C65, NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "65 characters is 400 (query)", "GET", NULL, "channel=" C65, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "NUL via %00 is 400", "GET", NULL, "channel=ab%00cd", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "trailing %00 is 400", "GET", NULL, "channel=ab%00", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "space (%20) is 400", "GET", NULL, "channel=a%20b", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "space (+) is 400", "GET", NULL, "channel=a+b", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "space in PATH_INFO is 400", "GET", "/a b", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "non-ASCII (%C3%A9) is 400", "GET", NULL, "channel=caf%C3%A9", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "non-ASCII in PATH_INFO is 400", "GET", "/caf\xC3\xA9", NULL, NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "bad escape %zz is 400", "GET", NULL, "channel=a%zz", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "cut escape %2 is 400", "GET", NULL, "channel=a%2", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "a bad PATH_INFO is 400 even with a good ?channel=", "GET", "/..", "channel=ok", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },

	/* Last-Event-ID and ?lastEventId */
	{ "no id: live only", "GET", "/c", NULL, NULL, NULL, NULL, 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "Last-Event-ID header", "GET", "/c", NULL, "42", NULL, NULL, 0, STREAM, 200, "c", 1, 42, 0, 0 },
	{ "Last-Event-ID 0", "GET", "/c", NULL, "0", NULL, NULL, 0, STREAM, 200, "c", 1, 0, 0, 0 },
	{ "?lastEventId", "GET", "/c", "lastEventId=7", NULL, NULL, NULL, 0, STREAM, 200, "c", 1, 7, 0, 0 },
	{ "?lastEventId with ?channel", "GET", NULL, "channel=c&lastEventId=9", NULL, NULL, NULL, 0, STREAM, 200, "c", 1, 9, 0, 0 },
	{ "header wins over ?lastEventId", "GET", "/c", "lastEventId=7", "42", NULL, NULL, 0, STREAM, 200, "c", 1, 42, 0, 0 },
	{ "header wins even when the query is bad", "GET", "/c", "lastEventId=zz", "42", NULL, NULL, 0, STREAM, 200, "c", 1, 42, 0, 0 },
	{ "bad header is 400", "GET", "/c", NULL, "abc", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "negative header is 400", "GET", "/c", NULL, "-1", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "header with trailing junk is 400", "GET", "/c", NULL, "12x", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "header 1 2 (inner space) is 400", "GET", "/c", NULL, "1 2", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "bad header is 400 even with a good query", "GET", "/c", "lastEventId=7", "abc", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "empty header is absent", "GET", "/c", NULL, "", NULL, NULL, 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "empty header is absent: query used", "GET", "/c", "lastEventId=7", "", NULL, NULL, 0, STREAM, 200, "c", 1, 7, 0, 0 },
	{ "spaces around the header trimmed", "GET", "/c", NULL, "  12 ", NULL, NULL, 0, STREAM, 200, "c", 1, 12, 0, 0 },
	{ "tab around the header trimmed", "GET", "/c", NULL, "\t13\t", NULL, NULL, 0, STREAM, 200, "c", 1, 13, 0, 0 },
	{ "2^64-1 accepted", "GET", "/c", NULL, "18446744073709551615", NULL, NULL, 0, STREAM, 200, "c", 1, UINT64_MAX, 0, 0 },
	{ "2^64 is 400 (header)", "GET", "/c", NULL, "18446744073709551616", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "21 digits is 400", "GET", "/c", NULL, "100000000000000000000", NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "2^64 is 400 (query)", "GET", "/c", "lastEventId=18446744073709551616", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "bad ?lastEventId is 400", "GET", "/c", "lastEventId=x", NULL, NULL, NULL, 0, ERR, 400, NULL, 0, 0, 0, 0 },
	{ "empty ?lastEventId is absent", "GET", "/c", "lastEventId=", NULL, NULL, NULL, 0, STREAM, 200, "c", 0, 0, 0, 0 },

	/* ?status */
	{ "?status with SSE_STATUS=1", "GET", NULL, "status", NULL, NULL, NULL, 1, STAT, 200, NULL, 0, 0, 0, 0 },
	{ "?status= with SSE_STATUS=1", "GET", NULL, "status=", NULL, NULL, NULL, 1, STAT, 200, NULL, 0, 0, 0, 0 },
	{ "?status without SSE_STATUS is 404", "GET", NULL, "status", NULL, NULL, NULL, 0, ERR, 404, NULL, 0, 0, 0, 0 },
	{ "?status with a channel streams", "GET", "/c", "status", NULL, NULL, NULL, 1, STREAM, 200, "c", 0, 0, 0, 0 },

	/* ?probe: no spool or setting needed; with a channel it is a stream */
	{ "?probe", "GET", NULL, "probe", NULL, NULL, NULL, 0, PROBE, 200, NULL, 0, 0, 0, 0 },
	{ "?probe=1 among others", "GET", NULL, "x=1&probe=1", NULL, NULL, NULL, 0, PROBE, 200, NULL, 0, 0, 0, 0 },
	{ "HEAD ?probe", "HEAD", NULL, "probe", NULL, NULL, NULL, 0, PROBE, 200, NULL, 0, 0, 0, 0 },
	{ "?probe with a channel streams", "GET", "/c", "probe", NULL, NULL, NULL, 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "?prob is no probe", "GET", NULL, "prob", NULL, NULL, NULL, 0, ERR, 404, NULL, 0, 0, 0, 0 },

	/* CORS */
	{ "listed origin", "GET", "/c", NULL, NULL, "https://b.example", "https://a.example https://b.example", 0, STREAM, 200, "c", 0, 0, 0, 1 },
	{ "first listed origin", "GET", "/c", NULL, NULL, "https://a.example", "https://a.example https://b.example", 0, STREAM, 200, "c", 0, 0, 0, 1 },
	{ "unlisted origin", "GET", "/c", NULL, NULL, "https://c.example", "https://a.example https://b.example", 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "prefix of a listed origin is unlisted", "GET", "/c", NULL, NULL, "https://a.exampl", "https://a.example", 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "listed origin plus suffix is unlisted", "GET", "/c", NULL, NULL, "https://a.example.evil", "https://a.example", 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "wildcard", "GET", "/c", NULL, NULL, "https://any.example", "*", 0, STREAM, 200, "c", 0, 0, 0, 2 },
	{ "no Origin with a list", "GET", "/c", NULL, NULL, NULL, "https://a.example", 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "no Origin with wildcard", "GET", "/c", NULL, NULL, NULL, "*", 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "Origin without SSE_CORS_ORIGINS", "GET", "/c", NULL, NULL, "https://a.example", NULL, 0, STREAM, 200, "c", 0, 0, 0, 0 },
	{ "preflight from a listed origin", "OPTIONS", "/c", NULL, NULL, "https://a.example", "https://a.example", 0, PRE, 204, NULL, 0, 0, 0, 1 },
	{ "HEAD from a listed origin", "HEAD", "/c", NULL, NULL, "https://a.example", "https://a.example", 0, STREAM, 200, "c", 0, 0, 1, 1 },
};

/* ---------------------------------------------------------------------- */

static int has_line(const char *head, const char *line)
{
	char want[256];
	const char *end = strstr(head, "\r\n\r\n");
	const char *p;

	snprintf(want, sizeof(want), "%s\r\n", line);
	for (p = head; (p = strstr(p, want)) != NULL; p++)
		if ((p == head || p[-1] == '\n') && (!end || p < end + 2))
			return 1;
	return 0;
}

/* A header name anywhere in the head, case-insensitively. */
static int has_header(const char *head, const char *name)
{
	size_t n = strlen(name);
	const char *end = strstr(head, "\r\n\r\n");

	for (const char *p = head; *p && (!end || p < end + 2);) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
		p = strstr(p, "\r\n");
		if (!p)
			break;
		p += 2;
	}
	return 0;
}

static void check_head(const struct row *r, const struct sse_plan *p)
{
	char b[2048], o[300];
	size_t n;
	int ok;

	memset(b, 0, sizeof(b));
	if (p->kind == SSE_PLAN_STREAM || p->kind == SSE_PLAN_STATUS)
		n = sse_response_head(p, b, sizeof(b) - 1);
	else
		n = sse_response_error(p, b, sizeof(b) - 1);
	ok = n > 0 && n == strlen(b) && strstr(b, "\r\n\r\n") != NULL;
	if (p->kind == SSE_PLAN_STREAM) {
		/* the head only, ending at the blank line */
		ok = ok && strcmp(b + n - 4, "\r\n\r\n") == 0 && strncmp(b, "Status: 200 OK\r\n", 16) == 0 &&
		     has_line(b, "Content-Type: text/event-stream") &&
		     has_line(b, "Cache-Control: no-cache, no-transform") &&
		     has_line(b, "X-Accel-Buffering: no");
	} else if (p->kind == SSE_PLAN_ERROR) {
		char st[64];
		const char *body = strstr(b, "\r\n\r\n");

		snprintf(st, sizeof(st), "Status: %d ", p->status);
		ok = ok && strncmp(b, st, strlen(st)) == 0 && has_line(b, "Content-Type: text/plain") &&
		     body && strlen(body + 4) > 0 && b[n - 1] == '\n' &&
		     !has_header(b, "Content-Type: text/event-stream");
		if (p->status == 405)
			ok = ok && has_header(b, "Allow") && strstr(b, "GET") != NULL;
	} else if (p->kind == SSE_PLAN_PREFLIGHT) {
		ok = ok && strncmp(b, "Status: 204 ", 12) == 0 && strcmp(b + n - 4, "\r\n\r\n") == 0 &&
		     has_header(b, "Access-Control-Allow-Methods");
	}
	ok = ok && !has_header(b, "Content-Length") && !has_header(b, "Connection");
	/* CORS headers exactly when the plan says so */
	if (r->cors == 1) {
		snprintf(o, sizeof(o), "Access-Control-Allow-Origin: %s", r->origin);
		ok = ok && has_line(b, o) && has_line(b, "Access-Control-Allow-Credentials: true") &&
		     has_line(b, "Vary: Origin");
	} else if (r->cors == 2) {
		ok = ok && has_line(b, "Access-Control-Allow-Origin: *") &&
		     !has_header(b, "Access-Control-Allow-Credentials");
	} else {
		ok = ok && !has_header(b, "Access-Control-Allow-Origin") &&
		     !has_header(b, "Access-Control-Allow-Credentials");
	}
	tap_ok(ok, "%s: response %s", r->what, ok ? "as expected" : b);
}

static void check_row(const struct row *r)
{
	struct sse_settings s;
	struct sse_request rq = { r->method, r->path_info, r->query, r->lei, r->origin };
	struct sse_plan p;
	int ok;

	sse_settings_defaults(&s);
	s.cors_origins = r->cors_origins;
	s.status = r->status_on;
	s.spool_dir = "/nonexistent";
	memset(&p, 0xa5, sizeof(p));
	sse_request_plan(&rq, &s, &p);
	ok = (int)p.kind == r->kind && p.status == r->status;
	if (ok && r->kind == SSE_PLAN_STREAM)
		ok = strcmp(p.channel, r->channel) == 0 && p.has_id == r->has_id &&
		     (!r->has_id || p.last_id == r->last_id) && p.head == r->head;
	if (ok && (r->kind == SSE_PLAN_STREAM || r->kind == SSE_PLAN_PREFLIGHT))
		ok = p.cors == r->cors;
	if (ok && r->kind == SSE_PLAN_ERROR)
		ok = p.reason != NULL && p.reason[0] != '\0';
	tap_ok(ok, "%s: plan kind %d status %d channel '%.70s' has_id %d id %llu head %d cors %d",
	       r->what, (int)p.kind, p.status, p.kind == SSE_PLAN_STREAM ? p.channel : "",
	       p.has_id, (unsigned long long)p.last_id, p.head, p.cors);
	if (ok)
		check_head(r, &p);
}

/* The exact head of a plain stream: what SPEC lists and nothing else. */
static void check_exact_head(void)
{
	static const char want[] = "Status: 200 OK\r\nContent-Type: text/event-stream\r\n"
				   "Cache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n\r\n";
	struct sse_settings s;
	struct sse_request rq = { "GET", "/c", NULL, NULL, NULL };
	struct sse_plan p;
	char b[1024];
	size_t n;

	sse_settings_defaults(&s);
	sse_request_plan(&rq, &s, &p);
	n = sse_response_head(&p, b, sizeof(b));
	tap_ok(n == sizeof(want) - 1 && memcmp(b, want, n) == 0, "exact stream head");
	/* too small a buffer: 0, never a cut head */
	tap_ok(sse_response_head(&p, b, 20) == 0, "head into a small buffer gives 0");
	p.kind = SSE_PLAN_ERROR;
	p.status = 404;
	p.reason = "unknown channel\n";
	tap_ok(sse_response_error(&p, b, 20) == 0, "error into a small buffer gives 0");
}

/* An origin that could break the header block is never echoed, even if a
 * list were to hold it. */
static void check_origin_injection(void)
{
	struct sse_plan p;
	char b[1024];
	size_t n;

	memset(&p, 0, sizeof(p));
	p.kind = SSE_PLAN_STREAM;
	p.status = 200;
	p.cors = 1;
	p.origin = "https://a.example\r\nSet-Cookie: x=1";
	n = sse_response_head(&p, b, sizeof(b));
	b[n < sizeof(b) ? n : sizeof(b) - 1] = '\0';
	tap_ok(n > 0 && strstr(b, "Set-Cookie") == NULL, "origin with CRLF is not echoed");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	check_exact_head();
	check_origin_injection();
	return tap_done();
}
