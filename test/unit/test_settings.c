/* The settings table (SPEC "Configuration"): defaults as SPEC's table says,
 * values and the errors for bad ones (naming the setting, quoting the
 * value), loading from a lookup, the CORS list, and the README listing
 * every setting.
 *
 * Usage: test_settings [PAGE]   (default $SSE_README, else doc/stream.md) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "tap.h"

/* ---------------------------------------------------------------------- */
/* Defaults: SPEC's table */

static void check_defaults(void)
{
	struct sse_settings s;

	memset(&s, 0x5a, sizeof(s));
	sse_settings_defaults(&s);
	tap_ok(s.spool_dir == NULL, "default SSE_SPOOL_DIR unset");
	tap_ok(s.history == 1000, "default SSE_HISTORY 1000 (got %lu)", s.history);
	tap_ok(s.max_event == 65536, "default SSE_MAX_EVENT 65536 (got %lu)", s.max_event);
	tap_ok(s.heartbeat_ms == 15000, "default SSE_HEARTBEAT 15 s (got %lu ms)", s.heartbeat_ms);
	tap_ok(s.retry_ms == -1, "default SSE_RETRY_MS unset, -1 (got %ld)", s.retry_ms);
	tap_ok(s.max_lifetime == 0, "default SSE_MAX_LIFETIME 0 (got %lu)", s.max_lifetime);
	tap_ok(s.max_streams >= 1000, "default SSE_MAX_STREAMS high (got %lu)", s.max_streams);
	tap_ok(s.busy_retry_ms == 10000, "default SSE_BUSY_RETRY_MS 10000 (got %lu)", s.busy_retry_ms);
	tap_ok(s.cors_origins == NULL, "default SSE_CORS_ORIGINS unset");
	tap_ok(s.sync == 0, "default SSE_SYNC 0 (got %d)", s.sync);
	tap_ok(s.status == 0, "default SSE_STATUS 0 (got %d)", s.status);
	tap_ok(s.hub == NULL && s.jwt_key == NULL && s.jwt_key_file == NULL &&
	       s.publisher_jwt_key == NULL && s.subscriber_jwt_key_file == NULL &&
	       s.publish_origins == NULL, "default: no hub, no JWT key, no publish origins");
	tap_ok(s.jwt_alg && strcmp(s.jwt_alg, "HS256") == 0, "default SSE_JWT_ALG HS256");
	tap_ok(s.anonymous == 0, "default SSE_ANONYMOUS 0 (got %d)", s.anonymous);
}

/* The table itself: every entry findable by name and flag, documented, its
 * default within its bounds. */
static void check_table(void)
{
	static const char *const spec_names[] = {
		"SSE_SPOOL_DIR", "SSE_HISTORY", "SSE_MAX_EVENT", "SSE_HEARTBEAT",
		"SSE_RETRY_MS", "SSE_MAX_LIFETIME", "SSE_MAX_STREAMS", "SSE_BUSY_RETRY_MS",
		"SSE_CORS_ORIGINS", "SSE_SYNC", "SSE_STATUS",
		/* SPEC "Topics, authorization and HTTP publishing" */
		"SSE_HUB", "SSE_JWT_KEY", "SSE_JWT_KEY_FILE", "SSE_PUBLISHER_JWT_KEY",
		"SSE_PUBLISHER_JWT_KEY_FILE", "SSE_SUBSCRIBER_JWT_KEY", "SSE_SUBSCRIBER_JWT_KEY_FILE",
		"SSE_JWT_ALG", "SSE_ANONYMOUS", "SSE_PUBLISH_ORIGINS",
	};

	for (size_t i = 0; i < sizeof(spec_names) / sizeof(spec_names[0]); i++)
		tap_ok(sse_setting_find(spec_names[i]) != NULL, "SPEC setting %s is in the table", spec_names[i]);
	tap_ok(sse_setting_count == sizeof(spec_names) / sizeof(spec_names[0]),
	       "the table holds SPEC's %zu settings (got %zu)",
	       sizeof(spec_names) / sizeof(spec_names[0]), sse_setting_count);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *d = &sse_setting_table[i];
		int ok = sse_setting_find(d->name) == d && d->flag && sse_setting_find_flag(d->flag) == d &&
			 d->help && d->help[0] && d->unit && d->unit[0] && strncmp(d->name, "SSE_", 4) == 0 &&
			 d->doc && d->doc[0] && !strchr(d->doc, '|') && d->progs && !(d->progs & ~SSE_PROG_ALL) &&
			 (d->dflt || (d->unset && d->unset[0]));

		if (ok && d->dflt && (d->kind == SSE_SET_UINT || d->kind == SSE_SET_BOOL)) {
			char *end;
			unsigned long v = strtoul(d->dflt, &end, 10);

			ok = *end == '\0' && v >= d->min && v <= d->max;
		}
		tap_ok(ok, "table entry %s: findable by name and --%s, documented (no | for the docs' "
			   "table), read by someone, default in range or unset said",
		       d->name, d->flag ? d->flag : "?");
	}
	tap_ok(sse_setting_find("SSE_NOPE") == NULL && sse_setting_find("sse_history") == NULL &&
	       sse_setting_find_flag("nope") == NULL, "unknown names are not found");
}

/* ---------------------------------------------------------------------- */
/* Good values */

struct good {
	const char *name, *value;
	size_t offset;
	int type;   /* 0 unsigned long, 1 long, 2 int, 3 string */
	long long want;
};

#define OFF(f) offsetof(struct sse_settings, f)

static const struct good goods[] = {
	{ "SSE_HISTORY", "1", OFF(history), 0, 1 },
	{ "SSE_HISTORY", "5000", OFF(history), 0, 5000 },
	{ "SSE_MAX_EVENT", "1024", OFF(max_event), 0, 1024 },
	{ "SSE_HEARTBEAT", "1", OFF(heartbeat_ms), 0, 1000 },
	{ "SSE_HEARTBEAT", "30", OFF(heartbeat_ms), 0, 30000 },
	{ "SSE_HEARTBEAT", "0.5", OFF(heartbeat_ms), 0, 500 },
	{ "SSE_HEARTBEAT", "0.1", OFF(heartbeat_ms), 0, 100 },
	{ "SSE_HEARTBEAT", "1.25", OFF(heartbeat_ms), 0, 1250 },
	{ "SSE_HEARTBEAT", "2.125", OFF(heartbeat_ms), 0, 2125 },
	{ "SSE_HEARTBEAT", "86400", OFF(heartbeat_ms), 0, 86400000 },
	{ "SSE_RETRY_MS", "0", OFF(retry_ms), 1, 0 },
	{ "SSE_RETRY_MS", "2500", OFF(retry_ms), 1, 2500 },
	{ "SSE_MAX_LIFETIME", "0", OFF(max_lifetime), 0, 0 },
	{ "SSE_MAX_LIFETIME", "3600", OFF(max_lifetime), 0, 3600 },
	{ "SSE_MAX_STREAMS", "1", OFF(max_streams), 0, 1 },
	{ "SSE_MAX_STREAMS", "200", OFF(max_streams), 0, 200 },
	{ "SSE_BUSY_RETRY_MS", "500", OFF(busy_retry_ms), 0, 500 },
	{ "SSE_SYNC", "1", OFF(sync), 2, 1 },
	{ "SSE_SYNC", "0", OFF(sync), 2, 0 },
	{ "SSE_STATUS", "1", OFF(status), 2, 1 },
	{ "SSE_SPOOL_DIR", "/srv/sse", OFF(spool_dir), 3, 0 },
	{ "SSE_CORS_ORIGINS", "https://a.example https://b.example", OFF(cors_origins), 3, 0 },
	{ "SSE_CORS_ORIGINS", "*", OFF(cors_origins), 3, 0 },
};

static void check_goods(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		const struct sse_setting *d = sse_setting_find(g->name);
		struct sse_settings s;
		struct sse_err err = { "", 0 };
		const char *f;
		int ok;

		sse_settings_defaults(&s);
		if (g->type == 2)
			*(int *)(void *)((char *)&s + g->offset) = 1 - (int)g->want;
		ok = d && sse_settings_set(&s, d, g->value, &err) == 0;
		f = (const char *)&s + g->offset;
		if (ok) {
			switch (g->type) {
			case 0: ok = *(const unsigned long *)(const void *)f == (unsigned long)g->want; break;
			case 1: ok = *(const long *)(const void *)f == (long)g->want; break;
			case 2: ok = *(const int *)(const void *)f == (int)g->want; break;
			default: ok = strcmp(*(const char *const *)(const void *)f, g->value) == 0; break;
			}
		}
		tap_ok(ok, "%s=%s is taken %s", g->name, g->value, err.msg);
	}
	/* a value with a line break is quoted on one line (the error log's) */
	{
		struct sse_settings s;
		struct sse_err err;

		sse_settings_defaults(&s);
		tap_ok(sse_settings_set(&s, sse_setting_find("SSE_HEARTBEAT"), "1\nsse.cgi: forged\r", &err) < 0 &&
		       !strpbrk(err.msg, "\r\n") && strstr(err.msg, "'1?sse.cgi: forged?'"),
		       "a bad value's line breaks do not split its error line: %s", err.msg);
	}
	/* an empty CORS list is the same as none */
	{
		struct sse_settings s;
		struct sse_err err;

		sse_settings_defaults(&s);
		tap_ok(sse_settings_set(&s, sse_setting_find("SSE_CORS_ORIGINS"), "", &err) == 0 &&
		       s.cors_origins == NULL, "SSE_CORS_ORIGINS= (empty) means unset");
	}
	/* boundaries of each numeric setting: min and max accepted */
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *d = &sse_setting_table[i];
		struct sse_settings s;
		struct sse_err err = { "", 0 };
		char lo[32], hi[32];

		if (d->kind != SSE_SET_UINT && d->kind != SSE_SET_BOOL)
			continue;
		snprintf(lo, sizeof(lo), "%lu", d->min);
		snprintf(hi, sizeof(hi), "%lu", d->max);
		sse_settings_defaults(&s);
		tap_ok(sse_settings_set(&s, d, lo, &err) == 0 && sse_settings_set(&s, d, hi, &err) == 0,
		       "%s accepts its bounds %s and %s %s", d->name, lo, hi, err.msg);
	}
}

/* ---------------------------------------------------------------------- */
/* Bad values: an error naming the setting and quoting the value */

struct bad {
	const char *name, *value;
};

static const struct bad bads[] = {
	{ "SSE_HISTORY", "abc" },       { "SSE_HISTORY", "-1" },       { "SSE_HISTORY", "" },
	{ "SSE_HISTORY", "0" },         { "SSE_HISTORY", "10k" },      { "SSE_HISTORY", "99999999999999999999999" },
	{ "SSE_MAX_EVENT", "big" },     { "SSE_MAX_EVENT", "-65536" }, { "SSE_MAX_EVENT", "" },
	{ "SSE_MAX_EVENT", "0" },       { "SSE_MAX_EVENT", "64KiB" },
	{ "SSE_HEARTBEAT", "x" },       { "SSE_HEARTBEAT", "-5" },     { "SSE_HEARTBEAT", "" },
	{ "SSE_HEARTBEAT", "0" },       { "SSE_HEARTBEAT", "0.05" },   { "SSE_HEARTBEAT", " 15" },
	{ "SSE_HEARTBEAT", "1." },      { "SSE_HEARTBEAT", ".5" },     { "SSE_HEARTBEAT", "1.2345" },
	{ "SSE_HEARTBEAT", "1.5.0" },   { "SSE_HEARTBEAT", "86400.001" }, { "SSE_HEARTBEAT", "1,5" },
	{ "SSE_HEARTBEAT", "99999999999999999999" },
	{ "SSE_HEARTBEAT", "15 " },     { "SSE_HEARTBEAT", "+15" },    { "SSE_HEARTBEAT", "0x10" },
	{ "SSE_RETRY_MS", "soon" },     { "SSE_RETRY_MS", "-1" },      { "SSE_RETRY_MS", "" },
	{ "SSE_MAX_LIFETIME", "never" },{ "SSE_MAX_LIFETIME", "-1" },  { "SSE_MAX_LIFETIME", "" },
	{ "SSE_MAX_STREAMS", "many" },  { "SSE_MAX_STREAMS", "-1" },   { "SSE_MAX_STREAMS", "" },
	{ "SSE_MAX_STREAMS", "0" },
	{ "SSE_BUSY_RETRY_MS", "x" },   { "SSE_BUSY_RETRY_MS", "-1" }, { "SSE_BUSY_RETRY_MS", "" },
	{ "SSE_SYNC", "2" },            { "SSE_SYNC", "yes" },         { "SSE_SYNC", "true" },
	{ "SSE_SYNC", "" },             { "SSE_SYNC", "-1" },
	{ "SSE_STATUS", "2" },          { "SSE_STATUS", "on" },        { "SSE_STATUS", "" },
	{ "SSE_SPOOL_DIR", "" },
};

static int quotes(const char *msg, const char *value)
{
	char q[160];

	snprintf(q, sizeof(q), "'%s'", value);
	return strstr(msg, q) != NULL;
}

/* After a refused value the setting keeps what it had. */
static int unchanged(const struct sse_settings *a, const struct sse_settings *b)
{
	return a->spool_dir == b->spool_dir && a->history == b->history && a->max_event == b->max_event &&
	       a->heartbeat_ms == b->heartbeat_ms && a->retry_ms == b->retry_ms &&
	       a->max_lifetime == b->max_lifetime && a->max_streams == b->max_streams &&
	       a->busy_retry_ms == b->busy_retry_ms && a->cors_origins == b->cors_origins &&
	       a->sync == b->sync && a->status == b->status;
}

static void check_one_bad(const char *name, const char *value)
{
	const struct sse_setting *d = sse_setting_find(name);
	struct sse_settings s, before;
	struct sse_err err = { "", 0 };
	int rc = -2;

	sse_settings_defaults(&s);
	before = s;
	if (d)
		rc = sse_settings_set(&s, d, value, &err);
	tap_ok(rc == -1 && strstr(err.msg, name) != NULL && quotes(err.msg, value) && unchanged(&s, &before),
	       "%s='%s' refused, the message names it and quotes the value: %s", name, value, err.msg);
}

static void check_bads(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		check_one_bad(bads[i].name, bads[i].value);
	/* just past the bounds of every numeric setting */
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *d = &sse_setting_table[i];
		char v[32];

		if (d->kind != SSE_SET_UINT && d->kind != SSE_SET_BOOL)
			continue;
		snprintf(v, sizeof(v), "%lu", d->max + 1);
		check_one_bad(d->name, v);
		if (d->min > 0) {
			snprintf(v, sizeof(v), "%lu", d->min - 1);
			check_one_bad(d->name, v);
		}
	}
	/* a switch's error says "0 or 1", not a range of it too */
	{
		struct sse_settings s;
		struct sse_err err = { "", 0 };

		sse_settings_defaults(&s);
		tap_ok(sse_settings_set(&s, sse_setting_find("SSE_STATUS"), "yes", &err) == -1 &&
		       strcmp(err.msg, "bad value 'yes' for SSE_STATUS: expected 0 or 1") == 0,
		       "a bad SSE_STATUS says: expected 0 or 1 (%s)", err.msg);
	}
	/* CORS origins that would end up in a header verbatim: refused and
	 * named (the value itself may hold control bytes, so not quoted) */
	{
		static const char *const cors_bad[] = { "https://a.example\r\nX: y", "https://\xC3\xA9.example",
							"https://a.example\x7f" };

		for (size_t i = 0; i < sizeof(cors_bad) / sizeof(cors_bad[0]); i++) {
			struct sse_settings s;
			struct sse_err err = { "", 0 };
			int rc;

			sse_settings_defaults(&s);
			rc = sse_settings_set(&s, sse_setting_find("SSE_CORS_ORIGINS"), cors_bad[i], &err);
			tap_ok(rc == -1 && strstr(err.msg, "SSE_CORS_ORIGINS") && s.cors_origins == NULL &&
			       !strpbrk(err.msg, "\r\n"),
			       "bad SSE_CORS_ORIGINS #%zu refused, named, one line: %s", i, err.msg);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* sse_settings_load from a lookup table */

struct kv {
	const char *name, *value;
};

static const char *lookup(void *ctx, const char *name)
{
	for (const struct kv *p = ctx; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

static int asked_all;
static const char *lookup_count(void *ctx, const char *name)
{
	(void)ctx;
	if (sse_setting_find(name))
		asked_all++;
	return NULL;
}

static void check_load(void)
{
	static const struct kv all[] = {
		{ "SSE_SPOOL_DIR", "/var/spool/sse" }, { "SSE_HISTORY", "50" },
		{ "SSE_MAX_EVENT", "4096" },           { "SSE_HEARTBEAT", "5" },
		{ "SSE_RETRY_MS", "1500" },            { "SSE_MAX_LIFETIME", "60" },
		{ "SSE_MAX_STREAMS", "3" },            { "SSE_BUSY_RETRY_MS", "2000" },
		{ "SSE_CORS_ORIGINS", "https://a.example" }, { "SSE_SYNC", "1" },
		{ "SSE_STATUS", "1" },                 { "OTHER", "ignored" },
		{ NULL, NULL },
	};
	static const struct kv none[] = { { "HOME", "/root" }, { NULL, NULL } };
	static const struct kv badone[] = { { "SSE_HISTORY", "7" }, { "SSE_HEARTBEAT", "often" }, { NULL, NULL } };
	struct sse_settings s, d;
	struct sse_err err = { "", 0 };
	int rc;

	sse_settings_defaults(&s);
	rc = sse_settings_load(&s, lookup, (void *)all, &err);
	tap_ok(rc == 0 && s.spool_dir && strcmp(s.spool_dir, "/var/spool/sse") == 0 && s.history == 50 &&
	       s.max_event == 4096 && s.heartbeat_ms == 5000 && s.retry_ms == 1500 && s.max_lifetime == 60 &&
	       s.max_streams == 3 && s.busy_retry_ms == 2000 && s.cors_origins &&
	       strcmp(s.cors_origins, "https://a.example") == 0 && s.sync == 1 && s.status == 1,
	       "load: every setting from the lookup %s", err.msg);

	sse_settings_defaults(&s);
	sse_settings_defaults(&d);
	rc = sse_settings_load(&s, lookup, (void *)none, &err);
	tap_ok(rc == 0 && unchanged(&s, &d), "load: nothing known keeps the defaults");

	sse_settings_defaults(&s);
	err.msg[0] = '\0';
	rc = sse_settings_load(&s, lookup, (void *)badone, &err);
	tap_ok(rc == -1 && strstr(err.msg, "SSE_HEARTBEAT") && quotes(err.msg, "often"),
	       "load: a bad value fails naming it: %s", err.msg);

	sse_settings_defaults(&s);
	sse_settings_defaults(&d);
	rc = sse_settings_load_for(&s, SSE_PROG_PUBLISH, lookup, (void *)badone, &err);
	tap_ok(rc == 0 && s.history == 7 && s.heartbeat_ms == d.heartbeat_ms,
	       "load_for: a program reads its settings and not even checks the others' (%s)",
	       rc ? err.msg : "ok");
	sse_settings_defaults(&s);
	rc = sse_settings_load_for(&s, SSE_PROG_CGI, lookup, (void *)all, &err);
	tap_ok(rc == 0 && s.history == 50 && s.heartbeat_ms == 5000,
	       "load_for: sse.cgi reads SSE_HISTORY (a hub's first request creates its channel)");

	asked_all = 0;
	sse_settings_defaults(&s);
	rc = sse_settings_load(&s, lookup_count, NULL, &err);
	tap_ok(rc == 0 && asked_all == (int)sse_setting_count,
	       "load asks for every setting of the table (%d of %zu)", asked_all, sse_setting_count);
}

/* ---------------------------------------------------------------------- */
/* sse_cors_match */

struct cors_row {
	const char *list, *origin;
	int want;
};

static const struct cors_row cors_rows[] = {
	{ "https://a.example https://b.example", "https://a.example", 1 },
	{ "https://a.example https://b.example", "https://b.example", 1 },
	{ "https://a.example https://b.example", "https://c.example", 0 },
	{ "https://a.example", "https://a.example:443", 0 },
	{ "https://a.example", "http://a.example", 0 },
	{ "https://a.example", "https://a.exampl", 0 },
	{ "https://a.example", "https://a.example.evil", 0 },
	{ "https://a.example", "", 0 },
	{ "  https://a.example   https://b.example  ", "https://b.example", 1 },
	{ "https://a.example\thttps://b.example", "https://b.example", 1 },
	{ "*", "https://any.example", 2 },
	{ "*", "null", 2 },
	{ "https://a.example *", "https://a.example", 1 },
	{ "https://a.example *", "https://z.example", 2 },
	{ "**", "https://a.example", 0 },
	{ "", "https://a.example", 0 },
	{ "https://a.example https://a.example", "https://a.example https://a.example", 0 },
	{ "http://localhost:8080", "http://localhost:8080", 1 },
};

static void check_cors(void)
{
	for (size_t i = 0; i < sizeof(cors_rows) / sizeof(cors_rows[0]); i++) {
		const struct cors_row *r = &cors_rows[i];
		int got = sse_cors_match(r->list, r->origin, strlen(r->origin));

		tap_ok(got == r->want, "cors '%s' vs '%s': %d (want %d)", r->list, r->origin, got, r->want);
	}
	tap_ok(sse_cors_match(NULL, "https://a.example", 17) == 0, "cors: no list matches nothing");
	/* the origin is (pointer, length): bytes past len are not looked at */
	tap_ok(sse_cors_match("https://a.example", "https://a.example/x", 17) == 1,
	       "cors: the length bounds the origin");
}

/* ---------------------------------------------------------------------- */
/* README lists every setting, in a table row with its default */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* word w appears in line [p, e) not inside a longer word */
static int has_word(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);

	for (const char *q = p; q + n <= e; q++) {
		if (memcmp(q, w, n) != 0)
			continue;
		if ((q == p || !(q[-1] == '_' || (q[-1] >= 'A' && q[-1] <= 'Z') || (q[-1] >= '0' && q[-1] <= '9'))) &&
		    (q + n == e || !(q[n] == '_' || (q[n] >= 'A' && q[n] <= 'Z') || (q[n] >= '0' && q[n] <= '9'))))
			return 1;
	}
	return 0;
}

static void check_readme(const char *path)
{
	char *text = slurp(path);

	tap_ok(text != NULL, "README '%s' exists (pass its path as argv[1] or SSE_README)", path);
	if (!text)
		return;
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *d = &sse_setting_table[i];
		const char *row = NULL;

		for (const char *p = text; *p;) {
			const char *e = strchr(p, '\n');

			if (!e)
				e = p + strlen(p);
			if (*p == '|' && has_word(p, e, d->name)) {
				row = p;
				if (!d->dflt || has_word(p, e, d->dflt))
					break;
			}
			p = *e ? e + 1 : e;
		}
		tap_ok(row != NULL, "README lists %s in a table row", d->name);
		if (row && d->dflt) {
			const char *e = strchr(row, '\n');

			tap_ok(has_word(row, e ? e : row + strlen(row), d->dflt),
			       "README's row of %s gives its default %s", d->name, d->dflt);
		}
	}
	free(text);
}

/* --help's text: ` marks dropped, lines wrapped, never past the buffer. */
static void check_plain(void)
{
	char b[64], tiny[8];
	static const unsigned progs[] = { SSE_PROG_CGI, SSE_PROG_FCGI, SSE_PROG_PUBLISH };

	sse_doc_plain("`a` bb `cc dd` e", 8, b, sizeof(b));
	tap_ok(strcmp(b, "a bb cc\ndd e\n") == 0, "doc_plain: marks dropped, wrapped at 8");
	sse_doc_plain("averyveryverylongword x", 8, b, sizeof(b));
	tap_ok(strcmp(b, "averyveryverylongword\nx\n") == 0, "doc_plain: a long word stands alone");
	memset(tiny, 'x', sizeof(tiny));
	sse_doc_plain("abcdefghijkl", 78, tiny, sizeof(tiny));
	tap_ok(strlen(tiny) < sizeof(tiny) && tiny[strlen(tiny) - 1] == '\n', "doc_plain: cut short within the buffer");
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		tap_ok(strstr(sse_settings_sources(progs[i]), sse_prog_name(progs[i])) != NULL,
		       "sources: %s's sentence names it", sse_prog_name(progs[i]));
}

int main(int argc, char **argv)
{
	const char *readme = argc > 1 ? argv[1] : getenv("SSE_README") ? getenv("SSE_README") : "doc/stream.md";

	check_defaults();
	check_table();
	check_goods();
	check_bads();
	check_load();
	check_cors();
	check_readme(readme);
	check_plain();
	return tap_done();
}
