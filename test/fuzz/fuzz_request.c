/* The request handling of sse.cgi and sse-fcgi (lib/request.c,
 * lib/settings.c, lib/channel.c): from the CGI/FastCGI variables and the
 * settings to a plan and the response head.
 * Input: NUL-separated fields REQUEST_METHOD, PATH_INFO, QUERY_STRING,
 * Last-Event-ID, Origin, then settings as one byte (which setting) and its
 * value; a missing field is an unset variable. Asserts, beyond "no crash":
 *   - a setting is either refused with a message naming it, or set within
 *     its bounds;
 *   - a stream's channel passes the channel check; its Last-Event-ID is the
 *     decimal number the client sent;
 *   - a listed origin is echoed only when it is exactly an entry of the
 *     allow-list;
 *   - the response head is well formed, and no header value holds a CR,
 *     LF or other control byte, whatever the client sent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "fuzz.h"
#include "request.h"
#include "settings.h"

#define FIELDS 5

static void check_setting(const struct sse_settings *s, const struct sse_setting *def)
{
	const char *field = (const char *)s + def->offset;
	unsigned long v;
	const char *str;

	switch (def->kind) {
	case SSE_SET_PATH:
	case SSE_SET_TEXT:
	case SSE_SET_ORIGINS:
		memcpy(&str, field, sizeof(str));
		CHECK(def->kind == SSE_SET_ORIGINS || (str && str[0]));
		for (; str && *str; str++)
			CHECK(def->kind != SSE_SET_ORIGINS || ((unsigned char)*str >= 0x20 && (unsigned char)*str < 0x7f));
		return;
	case SSE_SET_BOOL: {
		int b;

		memcpy(&b, field, sizeof(b));
		CHECK(b == 0 || b == 1);
		return;
	}
	case SSE_SET_UINT:
	case SSE_SET_SECONDS:
		break;
	}
	if (def->offset == offsetof(struct sse_settings, retry_ms)) {
		long l;

		memcpy(&l, field, sizeof(l));
		CHECK(l >= 0);
		v = (unsigned long)l;
	} else {
		memcpy(&v, field, sizeof(v));
	}
	CHECK(v >= def->min && v <= def->max);
}

/* The entry of the allow-list that equals origin, by a walk of our own. */
static int listed(const char *list, const char *origin)
{
	size_t n = strlen(origin);

	for (const char *p = list; *p;) {
		size_t k;

		p += strspn(p, " \t");
		k = strcspn(p, " \t");
		if (k == n && memcmp(p, origin, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

static void check_id(const char *sent, uint64_t got)
{
	char want[32];
	size_t len = strlen(sent);

	while (*sent == ' ' || *sent == '\t')
		sent++, len--;
	while (len && (sent[len - 1] == ' ' || sent[len - 1] == '\t'))
		len--;
	while (len > 1 && *sent == '0')
		sent++, len--;
	snprintf(want, sizeof(want), "%llu", (unsigned long long)got);
	CHECK(strlen(want) == len && memcmp(want, sent, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *f[FIELDS] = { 0 }, *p, *end;
	struct sse_settings s;
	struct sse_request rq;
	struct sse_plan plan;
	char b[1024];
	size_t n, i = 0;

	CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	end = copy + size;
	sse_settings_defaults(&s);
	for (p = copy; p <= end; p += strlen(p) + 1, i++) {
		if (i < FIELDS) {
			f[i] = p;
			continue;
		}
		if (!*p)
			continue;
		const struct sse_setting *def = &sse_setting_table[(unsigned char)*p % sse_setting_count];
		struct sse_settings before = s;
		struct sse_err err = { .msg = "" };

		if (sse_settings_set(&s, def, p + 1, &err) < 0) {
			CHECK(strstr(err.msg, def->name) != NULL);
			CHECK(memcmp(&before, &s, sizeof(s)) == 0);
		} else {
			check_setting(&s, def);
		}
	}
	rq.method = f[0];
	rq.path_info = f[1];
	rq.query = f[2];
	rq.last_event_id = f[3];
	rq.origin = f[4];
	sse_request_plan(&rq, &s, &plan);
	switch (plan.kind) {
	case SSE_PLAN_STREAM:
		n = strlen(plan.channel);
		CHECK(n <= SSE_CHANNEL_MAX && sse_channel_check(plan.channel, n, NULL) == 0);
		if (rq.last_event_id && rq.last_event_id[0]) {
			CHECK(plan.has_id);
			check_id(rq.last_event_id, plan.last_id);
		}
		/* fall through */
	case SSE_PLAN_STATUS:
	case SSE_PLAN_PROBE:
		CHECK(plan.status == 200);
		CHECK(plan.kind != SSE_PLAN_STATUS || s.status);
		n = sse_response_head(&plan, b, sizeof(b));
		break;
	case SSE_PLAN_PREFLIGHT:
		CHECK(plan.status == 204);
		n = sse_response_error(&plan, b, sizeof(b));
		break;
	case SSE_PLAN_HUB:
	case SSE_PLAN_HUB_PUBLISH:
		/* a hub URL: its channel is the setting's, whatever the path */
		CHECK(s.hub && strcmp(plan.channel, s.hub) == 0 && plan.status == 200);
		CHECK((plan.kind == SSE_PLAN_HUB_PUBLISH) == (rq.method && strcmp(rq.method, "POST") == 0));
		n = sse_response_head(&plan, b, sizeof(b));
		break;
	case SSE_PLAN_ERROR:
		/* 500: SSE_HUB is not a channel name (a misconfiguration) */
		CHECK(plan.status == 400 || plan.status == 404 || plan.status == 405 ||
		      (plan.status == 500 && s.hub));
		CHECK(plan.reason && plan.reason[0] && plan.reason[strlen(plan.reason) - 1] == '\n');
		n = sse_response_error(&plan, b, sizeof(b));
		break;
	default:
		CHECK(!"an unknown plan");
		return 0;
	}
	CHECK(plan.cors == 0 || (s.cors_origins && rq.origin && rq.origin[0]));
	CHECK(plan.cors != 1 || listed(s.cors_origins, rq.origin));
	CHECK(plan.cors != 2 || listed(s.cors_origins, "*"));
	/* Only an origin as long as a real one is sure to fit the buffer. */
	CHECK(n > 0 || (rq.origin && strlen(rq.origin) > 256));
	if (n > 0) {
		size_t head = fuzz_check_head(b, n);

		CHECK(strncmp(b, "Status: ", 8) == 0);
		CHECK(plan.kind != SSE_PLAN_ERROR || strcmp(b + head, plan.reason) == 0);
		CHECK(plan.cors != 1 || strstr(b, "Access-Control-Allow-Origin: ") != NULL);
	}
	free(copy);
	return 0;
}
