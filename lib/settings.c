#include "settings.h"

#include <stdint.h>
#include <string.h>

#include "io.h"

#define F(field) offsetof(struct sse_settings, field)

/* The text of a setting lives here only: --help prints help, and `make
 * docs` writes doc into doc/man/ and doc/stream.md (t1010 fails when those
 * are not regenerated). */
const struct sse_setting sse_setting_table[] = {
	{ "SSE_SPOOL_DIR", "spool", SSE_SET_PATH, NULL, 0, 0, "directory",
	  "spool root: one directory per channel", SSE_PROG_ALL, "none (500)",
	  "The spool root: one directory per channel. Unset, a stream request gets "
	  "500 and one line in the error log, and `sse-publish` needs `--spool DIR`.",
	  F(spool_dir) },
	{ "SSE_HISTORY", "history", SSE_SET_UINT, "1000", 1, 10000000, "events",
	  "events kept by a channel created now", SSE_PROG_ALL, NULL,
	  "Events kept per channel, fixed when the channel is created: by `sse-publish` "
	  "(`--history N` overrides it), or by the first request to a hub (`SSE_HUB`); a "
	  "stream of a channel never creates it.",
	  F(history) },
	{ "SSE_MAX_EVENT", "max-event", SSE_SET_UINT, "65536", 16, 16777216, "bytes",
	  "largest event accepted", SSE_PROG_ALL, NULL,
	  "The largest event accepted, in bytes (name, data, and a hub update's topics and id). A larger one is refused "
	  "with one line on standard error or in the error log, and nothing else is lost.",
	  F(max_event) },
	{ "SSE_HEARTBEAT", "heartbeat", SSE_SET_SECONDS, "15", 100, 86400000, "seconds",
	  "seconds between idle comment lines (0.1 at least)", SSE_PROG_STREAMS, NULL,
	  "Seconds between comment lines on an idle stream (decimals allowed, 0.1 at "
	  "least); keep it below the idle timeouts of the web server and of proxies.",
	  F(heartbeat_ms) },
	{ "SSE_RETRY_MS", "retry-ms", SSE_SET_UINT, NULL, 0, 86400000, "milliseconds",
	  "retry: sent at stream start", SSE_PROG_STREAMS, "unset",
	  "When set, sent as `retry:` (milliseconds) at stream start.",
	  F(retry_ms) },
	{ "SSE_MAX_LIFETIME", "max-lifetime", SSE_SET_UINT, "0", 0, 31536000, "seconds",
	  "seconds before a stream ends cleanly (0: never)", SSE_PROG_STREAMS, NULL,
	  "Seconds before a stream ends cleanly (0: never); the client resumes without loss.",
	  F(max_lifetime) },
	{ "SSE_MAX_STREAMS", "max-streams", SSE_SET_UINT, "100000", 1, 1000000, "streams",
	  "open streams before a request is answered busy", SSE_PROG_STREAMS, NULL,
	  "Open streams before a request is answered busy (`sse.cgi`: all channels of the "
	  "spool; `sse-fcgi`: the whole pool): a 200 stream that replays what the client "
	  "missed, sends `retry:` of `SSE_BUSY_RETRY_MS` and ends.",
	  F(max_streams) },
	{ "SSE_BUSY_RETRY_MS", "busy-retry-ms", SSE_SET_UINT, "10000", 1, 86400000, "milliseconds",
	  "retry: sent with a busy answer", SSE_PROG_STREAMS, NULL,
	  "The `retry:` (milliseconds) sent with a busy answer, spread by up to a fifth "
	  "at random so that clients do not come back all at once.",
	  F(busy_retry_ms) },
	{ "SSE_CORS_ORIGINS", "cors-origins", SSE_SET_ORIGINS, NULL, 0, 0, "origins",
	  "CORS allow-list (space-separated origins) or *", SSE_PROG_STREAMS, "unset",
	  "A space-separated allow-list of origins (answered with credentials), or `*` "
	  "(without); unset, no CORS headers.",
	  F(cors_origins) },
	{ "SSE_SYNC", "sync", SSE_SET_BOOL, "0", 0, 1, "0 or 1",
	  "1: fsync each event before it is acknowledged", SSE_PROG_ALL, NULL,
	  "1: fsync each event before it is acknowledged (`sse-publish` prints its id, a "
	  "stream takes it from the pipe or the drop-box), so it survives power loss.",
	  F(sync) },
	{ "SSE_STATUS", "status", SSE_SET_BOOL, "0", 0, 1, "0 or 1",
	  "1: answer ?status", SSE_PROG_STREAMS, NULL,
	  "1: answer `?status` with JSON.",
	  F(status) },
	{ "SSE_HUB", "hub", SSE_SET_TEXT, NULL, 0, 0, "channel",
	  "this URL is a Mercure hub over this channel", SSE_PROG_STREAMS, "unset",
	  "Makes the URL where it is set a Mercure hub (conventionally "
	  "`/.well-known/mercure`) whose events are those of this channel, created by the "
	  "first request: subscribe with `?topic=`, publish with `POST` (README \"Mercure hub\").",
	  F(hub) },
	{ "SSE_JWT_KEY", "jwt-key", SSE_SET_TEXT, NULL, 0, 0, "secret",
	  "hub: the JWT secret of publishers and subscribers", SSE_PROG_STREAMS, "unset",
	  "The hub's HMAC secret for the JWTs of publishers and subscribers. Without any "
	  "key, every publish is refused with 401.",
	  F(jwt_key) },
	{ "SSE_JWT_KEY_FILE", "jwt-key-file", SSE_SET_PATH, NULL, 0, 0, "file",
	  "hub: a file holding the JWT secret or PEM public key", SSE_PROG_STREAMS, "unset",
	  "A file holding the hub's JWT secret (one trailing newline is ignored), or a PEM "
	  "public key for `RS256` and `ES256`; keeps the secret out of the server's configuration.",
	  F(jwt_key_file) },
	{ "SSE_PUBLISHER_JWT_KEY", "publisher-jwt-key", SSE_SET_TEXT, NULL, 0, 0, "secret",
	  "hub: the publishers' JWT secret", SSE_PROG_STREAMS, "unset",
	  "The publishers' JWT secret, when it differs from the subscribers' (instead of `SSE_JWT_KEY`).",
	  F(publisher_jwt_key) },
	{ "SSE_PUBLISHER_JWT_KEY_FILE", "publisher-jwt-key-file", SSE_SET_PATH, NULL, 0, 0, "file",
	  "hub: a file holding the publishers' JWT key", SSE_PROG_STREAMS, "unset",
	  "A file holding the publishers' JWT secret or PEM public key.",
	  F(publisher_jwt_key_file) },
	{ "SSE_SUBSCRIBER_JWT_KEY", "subscriber-jwt-key", SSE_SET_TEXT, NULL, 0, 0, "secret",
	  "hub: the subscribers' JWT secret", SSE_PROG_STREAMS, "unset",
	  "The subscribers' JWT secret, when it differs from the publishers' (instead of `SSE_JWT_KEY`).",
	  F(subscriber_jwt_key) },
	{ "SSE_SUBSCRIBER_JWT_KEY_FILE", "subscriber-jwt-key-file", SSE_SET_PATH, NULL, 0, 0, "file",
	  "hub: a file holding the subscribers' JWT key", SSE_PROG_STREAMS, "unset",
	  "A file holding the subscribers' JWT secret or PEM public key.",
	  F(subscriber_jwt_key_file) },
	{ "SSE_JWT_ALG", "jwt-alg", SSE_SET_TEXT, "HS256", 0, 0, "algorithm",
	  "hub: HS256, HS384, HS512, RS256 or ES256", SSE_PROG_STREAMS, NULL,
	  "The JWT algorithm: `HS256`, `HS384`, `HS512` (a secret), `RS256` or `ES256` (a PEM "
	  "public key in a key file). A token signed otherwise is refused; a key that does not "
	  "fit the algorithm is a configuration error (500 and one line in the error log).",
	  F(jwt_alg) },
	{ "SSE_ANONYMOUS", "anonymous", SSE_SET_BOOL, "0", 0, 1, "0 or 1",
	  "hub: 1 lets subscribers without a token have public updates", SSE_PROG_STREAMS, NULL,
	  "1: subscribers without a token receive the public updates; 0: they get 401, as from "
	  "the stable Mercure hub. An invalid token is always 401.",
	  F(anonymous) },
	{ "SSE_PUBLISH_ORIGINS", "publish-origins", SSE_SET_ORIGINS, NULL, 0, 0, "origins",
	  "hub: origins that may publish with the cookie", SSE_PROG_STREAMS, "unset",
	  "Space-separated origins whose pages may publish with the `mercureAuthorization` "
	  "cookie (a browser); a cookie-authorized publish from any other origin gets 403.",
	  F(publish_origins) },
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
	case SSE_SET_TEXT:
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
	if ((sse_parse_u64(value, strlen(value), &v) < 0 || v < def->min || v > def->max) &&
	    def->kind == SSE_SET_BOOL) /* its unit says it all: "0 or 1" */
		return sse_err_set(err, "bad value '%.64s' for %s: expected %s", value, def->name, def->unit);
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
	return sse_settings_load_for(s, SSE_PROG_ALL, lookup, ctx, err);
}

/* A setting the program does not read is not even validated: a bad
 * SSE_HEARTBEAT meant for the web server must not stop sse-publish. */
int sse_settings_load_for(struct sse_settings *s, unsigned prog, sse_lookup_fn lookup,
			  void *ctx, struct sse_err *err)
{
	for (size_t i = 0; i < sse_setting_count; i++) {
		const char *v;

		if (!(sse_setting_table[i].progs & prog))
			continue;
		v = lookup(ctx, sse_setting_table[i].name);

		if (v && sse_settings_set(s, &sse_setting_table[i], v, err) < 0)
			return -1;
	}
	return 0;
}

const char *sse_prog_name(unsigned prog)
{
	switch (prog) {
	case SSE_PROG_CGI: return "sse.cgi";
	case SSE_PROG_FCGI: return "sse-fcgi";
	case SSE_PROG_PUBLISH: return "sse-publish";
	}
	return "?";
}

/* The order is main()'s (and fcgi/worker.c's per request): a later source
 * wins. t1010 checks the behaviour against this text. */
const char *sse_settings_sources(unsigned prog)
{
	switch (prog) {
	case SSE_PROG_CGI:
		return "`sse.cgi` reads its settings from the environment the web server gives it "
		       "(Apache `SetEnv`, lighttpd `setenv.add-environment`).";
	case SSE_PROG_FCGI:
		return "`sse-fcgi` reads its settings from the environment at start, then from its "
		       "flags (`--heartbeat 5`), then per request from the FastCGI parameters of the "
		       "same names (nginx `fastcgi_param`, Apache `SetEnv`, lighttpd "
		       "`setenv.add-environment`): a later source wins, so a flag overrides the "
		       "environment and a parameter overrides both for its request.";
	case SSE_PROG_PUBLISH:
		return "`sse-publish` reads its settings from the environment; `--spool` and "
		       "`--history` override `SSE_SPOOL_DIR` and `SSE_HISTORY`.";
	}
	return "";
}

void sse_doc_plain(const char *src, size_t width, char *dst, size_t n)
{
	size_t len = 0, col = 0;

	if (n == 0)
		return;
	while (*src && len + 2 < n) {
		const char *w = src + strcspn(src, " ");
		size_t wl = 0;

		for (const char *p = src; p < w; p++)
			wl += *p != '`';
		if (col > 0 && col + 1 + wl > width) {
			dst[len++] = '\n';
			col = 0;
		} else if (col > 0) {
			dst[len++] = ' ';
			col++;
		}
		for (; src < w && len + 2 < n; src++)
			if (*src != '`')
				dst[len++] = *src, col++;
		src += strspn(src, " ");
	}
	dst[len++] = '\n';
	dst[len] = 0;
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
