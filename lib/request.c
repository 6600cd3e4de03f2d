#include "request.h"

#include <stdio.h>
#include <string.h>

#include "form.h"
#include "io.h"

/* Finds key in a query string; returns 1 and the raw value, or 0. A key
 * present without '=' ("?status") has an empty value. */
static int query_get(const char *q, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);

	while (q && *q) {
		size_t n = strcspn(q, "&;");
		const char *eq = memchr(q, '=', n);
		size_t name_len = eq ? (size_t)(eq - q) : n;

		if (name_len == klen && memcmp(q, key, klen) == 0) {
			*val = eq ? eq + 1 : q + n;
			*vlen = eq ? n - name_len - 1 : 0;
			return 1;
		}
		q += n;
		if (*q)
			q++;
	}
	return 0;
}

static void fail(struct sse_plan *p, int status, const char *reason)
{
	p->kind = SSE_PLAN_ERROR;
	p->status = status;
	p->reason = reason;
}

static int parse_id(const char *s, size_t len, uint64_t *out)
{
	unsigned long long v;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (sse_parse_u64(s, len, &v) < 0)
		return -1;
	*out = v;
	return 0;
}

static int find_channel(const struct sse_request *rq, struct sse_plan *p)
{
	const char *raw = NULL;
	size_t rawlen = 0, len;
	long dlen;
	char name[3 * SSE_CHANNEL_MAX + 4];

	if (rq->path_info && rq->path_info[0] && strcmp(rq->path_info, "/") != 0) {
		raw = rq->path_info;
		rawlen = strlen(raw);
		if (raw[0] == '/') {
			raw++;
			rawlen--;
		}
	} else if (!query_get(rq->query, "channel", &raw, &rawlen)) {
		return 0;
	}
	/* PATH_INFO arrives decoded from the server; decoding again is harmless
	 * for valid names, and a '%' left in it is then refused as bad. */
	if (rawlen >= sizeof(name) || (dlen = sse_form_decode(raw, rawlen, name)) < 0 ||
	    (len = (size_t)dlen, name[len] = '\0', sse_channel_check(name, len, NULL) < 0) ||
	    strlen(name) != len) {
		fail(p, 400, "bad channel name: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with .\n");
		return -1;
	}
	memcpy(p->channel, name, len + 1);
	return 1;
}

/* A hub URL (SSE_HUB): its channel is the setting's, whatever the path;
 * the rest (topics, token, form) is lib/hub.c's. */
static void hub_plan(const struct sse_request *rq, const struct sse_settings *s, const char *m,
		     struct sse_plan *p)
{
	size_t len = strlen(s->hub);

	if (sse_channel_check(s->hub, len, NULL) < 0) {
		fail(p, 500, "SSE_HUB is not a channel name: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with .\n");
		return;
	}
	memcpy(p->channel, s->hub, len + 1);
	if (strcmp(m, "POST") == 0) {
		p->kind = SSE_PLAN_HUB_PUBLISH;
		p->status = 200;
		return;
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		fail(p, 405, "method not allowed: use GET to subscribe, POST to publish\n");
		return;
	}
	(void)rq;
	p->head = strcmp(m, "HEAD") == 0;
	p->kind = SSE_PLAN_HUB;
	p->status = 200;
}

void sse_request_plan(const struct sse_request *rq, const struct sse_settings *s,
		      struct sse_plan *p)
{
	const char *m = rq->method ? rq->method : "GET";
	const char *v;
	size_t vlen;
	int has_channel;

	memset(p, 0, sizeof(*p));
	if (rq->origin && rq->origin[0] && s->cors_origins) {
		p->cors = sse_cors_match(s->cors_origins, rq->origin, strlen(rq->origin));
		p->origin = rq->origin;
	}
	p->hub = s->hub != NULL;
	if (strcmp(m, "OPTIONS") == 0) {
		p->kind = SSE_PLAN_PREFLIGHT;
		p->status = 204;
		return;
	}
	if (s->hub) {
		hub_plan(rq, s, m, p);
		return;
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		fail(p, 405, "method not allowed: use GET\n");
		return;
	}
	p->head = strcmp(m, "HEAD") == 0;
	has_channel = find_channel(rq, p);
	if (has_channel < 0)
		return;
	if (!has_channel) {
		if (query_get(rq->query, "status", &v, &vlen)) {
			if (!s->status) {
				fail(p, 404, "status is off: set SSE_STATUS=1 to answer ?status\n");
				return;
			}
			p->kind = SSE_PLAN_STATUS;
			p->status = 200;
			return;
		}
		if (query_get(rq->query, "probe", &v, &vlen)) {
			p->kind = SSE_PLAN_PROBE;
			p->status = 200;
			return;
		}
		/* Both programs answer this: the path is whatever the server
		 * maps to them (.../sse.cgi/, a location of sse-fcgi's). */
		fail(p, 404, "no channel: name it at the end of the URL's path (.../CHANNEL) "
			     "or as ?channel=CHANNEL\n");
		return;
	}
	if (rq->last_event_id && rq->last_event_id[0]) {
		if (parse_id(rq->last_event_id, strlen(rq->last_event_id), &p->last_id) < 0) {
			fail(p, 400, "bad Last-Event-ID: expected a decimal event id\n");
			return;
		}
		p->has_id = 1;
	} else if (query_get(rq->query, "lastEventId", &v, &vlen) && vlen > 0) {
		if (parse_id(v, vlen, &p->last_id) < 0) {
			fail(p, 400, "bad lastEventId: expected a decimal event id\n");
			return;
		}
		p->has_id = 1;
	}
	p->kind = SSE_PLAN_STREAM;
	p->status = 200;
}

/* Origins come from the client: one that could break the header block is
 * never echoed (the allow-list match already requires an exact entry). */
size_t sse_response_cors(const struct sse_plan *p, char *buf, size_t cap)
{
	int n = 0;

	if (p->cors == 1 && !strpbrk(p->origin, "\r\n"))
		n = snprintf(buf, cap,
			     "Access-Control-Allow-Origin: %s\r\n"
			     "Access-Control-Allow-Credentials: true\r\nVary: Origin\r\n",
			     p->origin);
	else if (p->cors == 2)
		n = snprintf(buf, cap, "Access-Control-Allow-Origin: *\r\n");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t sse_response_head(const struct sse_plan *p, char *buf, size_t cap)
{
	size_t n = 0;
	int k;

	if (p->kind == SSE_PLAN_STATUS) {
		k = snprintf(buf, cap, "Status: 200 OK\r\nContent-Type: application/json\r\n"
			     "Cache-Control: no-cache\r\n");
	} else {
		k = snprintf(buf, cap, "Status: 200 OK\r\nContent-Type: text/event-stream\r\n"
			     "Cache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n");
	}
	if (k < 0 || (size_t)k >= cap)
		return 0;
	n = (size_t)k;
	n += sse_response_cors(p, buf + n, cap - n);
	if (n + 3 > cap)
		return 0;
	memcpy(buf + n, "\r\n", 3);
	return n + 2;
}

size_t sse_response_error(const struct sse_plan *p, char *buf, size_t cap)
{
	const char *text = p->status == 404 ? "Not Found" : p->status == 405 ? "Method Not Allowed"
			 : p->status == 204 ? "No Content" : p->status == 500 ? "Internal Server Error"
			 : p->status == 401 ? "Unauthorized" : p->status == 403 ? "Forbidden"
			 : "Bad Request";
	const char *methods = p->hub ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS";
	size_t n;
	int k;

	k = snprintf(buf, cap, "Status: %d %s\r\n", p->status, text);
	if (k < 0 || (size_t)k >= cap)
		return 0;
	n = (size_t)k;
	if (p->kind == SSE_PLAN_PREFLIGHT || p->status == 405) {
		k = snprintf(buf + n, cap - n, "Allow: %s\r\n", methods);
		n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
	}
	if (p->status == 401) {
		/* RFC 6750: the hub wants a bearer token. */
		k = snprintf(buf + n, cap - n, "WWW-Authenticate: Bearer\r\n");
		n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
	}
	n += sse_response_cors(p, buf + n, cap - n);
	if (p->kind == SSE_PLAN_PREFLIGHT) {
		k = snprintf(buf + n, cap - n,
			     "Access-Control-Allow-Methods: %s\r\n"
			     "Access-Control-Allow-Headers: Last-Event-ID, Cache-Control%s\r\n"
			     "Access-Control-Max-Age: 86400\r\n\r\n",
			     methods, p->hub ? ", Authorization, Content-Type" : "");
	} else {
		k = snprintf(buf + n, cap - n, "Content-Type: text/plain\r\n"
			     "Cache-Control: no-cache\r\n\r\n%s", p->reason ? p->reason : "");
	}
	if (k < 0 || (size_t)k >= cap - n)
		return 0;
	return n + (size_t)k;
}

size_t sse_response_unknown(const struct sse_plan *p, char *buf, size_t cap)
{
	struct sse_plan nf = *p;
	char reason[256];

	/* The name passed the channel check: nothing in it needs escaping. */
	snprintf(reason, sizeof(reason),
		 "unknown channel '%s': check its name, or create it: sse-publish --spool SPOOL --create %s\n",
		 p->channel, p->channel);
	nf.kind = SSE_PLAN_ERROR;
	nf.status = 404;
	nf.reason = reason;
	return sse_response_error(&nf, buf, cap);
}
