#include "settings.h"

#include <stdint.h>
#include <string.h>

#include "io.h"

#define F(field) offsetof(struct sse_settings, field)

const struct sse_setting sse_setting_table[] = {
	{ "SSE_SPOOL_DIR", "spool", SSE_SET_PATH, NULL, 0, 0, "directory",
	  "spool root: one directory per channel", F(spool_dir) },
	{ "SSE_HISTORY", "history", SSE_SET_UINT, "1000", 1, 10000000, "events",
	  "events kept per channel (at creation)", F(history) },
	{ "SSE_MAX_EVENT", "max-event", SSE_SET_UINT, "65536", 16, 16777216, "bytes",
	  "largest event accepted", F(max_event) },
	{ "SSE_HEARTBEAT", "heartbeat", SSE_SET_SECONDS, "15", 100, 86400000, "seconds",
	  "seconds between idle comment lines (0.1 at least)", F(heartbeat_ms) },
	{ "SSE_RETRY_MS", "retry-ms", SSE_SET_UINT, NULL, 0, 86400000, "milliseconds",
	  "retry: sent at stream start", F(retry_ms) },
	{ "SSE_MAX_LIFETIME", "max-lifetime", SSE_SET_UINT, "0", 0, 31536000, "seconds",
	  "seconds before a stream ends cleanly (0: never)", F(max_lifetime) },
	{ "SSE_MAX_STREAMS", "max-streams", SSE_SET_UINT, "100000", 1, 1000000, "streams",
	  "open streams before a request is answered busy", F(max_streams) },
	{ "SSE_BUSY_RETRY_MS", "busy-retry-ms", SSE_SET_UINT, "10000", 1, 86400000, "milliseconds",
	  "retry: sent with a busy answer", F(busy_retry_ms) },
	{ "SSE_CORS_ORIGINS", "cors-origins", SSE_SET_ORIGINS, NULL, 0, 0, "origins",
	  "CORS allow-list (space-separated origins) or *", F(cors_origins) },
	{ "SSE_SYNC", "sync", SSE_SET_BOOL, "0", 0, 1, "0 or 1",
	  "1: fsync each event before it is acknowledged", F(sync) },
	{ "SSE_STATUS", "status", SSE_SET_BOOL, "0", 0, 1, "0 or 1",
	  "1: answer ?status", F(status) },
};
const size_t sse_setting_count = sizeof(sse_setting_table) / sizeof(sse_setting_table[0]);

const struct sse_setting *sse_setting_find(const char *name)
{
	for (size_t i = 0; i < sse_setting_count; i++)
		if (strcmp(sse_setting_table[i].name, name) == 0)
			return &sse_setting_table[i];
	return NULL;
}

const struct sse_setting *sse_setting_find_flag(const char *flag)
{
	for (size_t i = 0; i < sse_setting_count; i++)
		if (strcmp(sse_setting_table[i].flag, flag) == 0)
			return &sse_setting_table[i];
	return NULL;
}

/* An origin is scheme://host[:port]: printable ASCII without spaces; anything
 * else would end up verbatim in a response header. */
static int origins_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

/* "15", "0.5", "1.25": seconds with up to three decimals, in ms. */
static int parse_seconds_ms(const char *v, unsigned long long *ms)
{
	const char *dot = strchr(v, '.');
	size_t n = dot ? (size_t)(dot - v) : strlen(v), fl;
	unsigned long long whole, frac = 0;

	if (sse_parse_u64(v, n, &whole) < 0 || whole > 100000000)
		return -1;
	if (dot) {
		fl = strlen(dot + 1);
		if (fl == 0 || fl > 3 || sse_parse_u64(dot + 1, fl, &frac) < 0)
			return -1;
		for (; fl < 3; fl++)
			frac *= 10;
	}
	*ms = whole * 1000 + frac;
	return 0;
}

int sse_settings_set(struct sse_settings *s, const struct sse_setting *def,
		     const char *value, struct sse_err *err)
{
	char *field = (char *)s + def->offset;
	unsigned long long v;

	switch (def->kind) {
	case SSE_SET_PATH:
		if (value[0] == '\0')
			return sse_err_set(err, "bad value '' for %s: expected a %s", def->name, def->unit);
		*(const char **)(void *)field = value;
		return 0;
	case SSE_SET_ORIGINS:
		if (!origins_ok(value))
			return sse_err_set(err, "bad value for %s: origins must be printable ASCII", def->name);
		*(const char **)(void *)field = value[0] ? value : NULL;
		return 0;
	case SSE_SET_SECONDS:
		if (parse_seconds_ms(value, &v) < 0 || v < def->min || v > def->max)
			return sse_err_set(err, "bad value '%.64s' for %s: expected seconds from %lu.%03lu to %lu",
					   value, def->name, def->min / 1000, def->min % 1000, def->max / 1000);
		*(unsigned long *)(void *)field = (unsigned long)v;
		return 0;
	case SSE_SET_UINT:
	case SSE_SET_BOOL:
		break;
	}
	if (sse_parse_u64(value, strlen(value), &v) < 0 || v < def->min || v > def->max)
		return sse_err_set(err, "bad value '%.64s' for %s: expected %s from %lu to %lu",
				   value, def->name, def->unit, def->min, def->max);
	if (def->kind == SSE_SET_BOOL)
		*(int *)(void *)field = (int)v;
	else if (def->offset == F(retry_ms))
		*(long *)(void *)field = (long)v;
	else
		*(unsigned long *)(void *)field = (unsigned long)v;
	return 0;
}

void sse_settings_defaults(struct sse_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->retry_ms = -1;
	for (size_t i = 0; i < sse_setting_count; i++)
		if (sse_setting_table[i].dflt)
			(void)sse_settings_set(s, &sse_setting_table[i], sse_setting_table[i].dflt, NULL);
}

int sse_settings_load(struct sse_settings *s, sse_lookup_fn lookup, void *ctx,
		      struct sse_err *err)
{
	for (size_t i = 0; i < sse_setting_count; i++) {
		const char *v = lookup(ctx, sse_setting_table[i].name);

		if (v && sse_settings_set(s, &sse_setting_table[i], v, err) < 0)
			return -1;
	}
	return 0;
}

int sse_cors_match(const char *origins, const char *origin, size_t len)
{
	const char *p = origins;

	if (!origins || len == 0)
		return 0;
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == 1 && p[0] == '*')
			return 2;
		if (n == len && memcmp(p, origin, len) == 0)
			return 1;
		p += n;
	}
	return 0;
}
