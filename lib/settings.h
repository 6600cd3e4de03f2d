/* The settings table (SPEC "Configuration"): each setting declared once with
 * its default, its bounds and its help, feeding the environment reader, the
 * flags of sse-fcgi, --help, and the test that the README lists them all. */
#ifndef SSE_SETTINGS_H
#define SSE_SETTINGS_H

#include <stddef.h>

#include "err.h"

struct sse_settings {
	const char *spool_dir;      /* NULL when unset */
	unsigned long history;
	unsigned long max_event;
	unsigned long heartbeat_ms;
	long retry_ms;              /* -1: unset */
	unsigned long max_lifetime; /* 0: unlimited */
	unsigned long max_streams;
	unsigned long busy_retry_ms;
	const char *cors_origins;   /* NULL when unset */
	int sync;
	int status;
};

/* SECONDS: seconds with up to three decimals ("15", "0.5"), kept in ms;
 * min and max are in ms. */
enum sse_setting_kind { SSE_SET_PATH, SSE_SET_UINT, SSE_SET_BOOL, SSE_SET_ORIGINS, SSE_SET_SECONDS };

struct sse_setting {
	const char *name;    /* environment name, e.g. "SSE_HEARTBEAT" */
	const char *flag;    /* long option, e.g. "heartbeat" */
	enum sse_setting_kind kind;
	const char *dflt;    /* default as text, NULL when unset by default */
	unsigned long min, max;
	const char *unit;    /* what a value means, for errors and --help */
	const char *help;
	size_t offset;       /* into struct sse_settings */
};

extern const struct sse_setting sse_setting_table[];
extern const size_t sse_setting_count;

void sse_settings_defaults(struct sse_settings *s);
/* Sets one setting from text; the error names the setting and quotes the value. */
int sse_settings_set(struct sse_settings *s, const struct sse_setting *def,
		     const char *value, struct sse_err *err);
const struct sse_setting *sse_setting_find(const char *name);
const struct sse_setting *sse_setting_find_flag(const char *flag);

typedef const char *(*sse_lookup_fn)(void *ctx, const char *name);
/* Applies every setting that lookup() knows (getenv, FastCGI params...). */
int sse_settings_load(struct sse_settings *s, sse_lookup_fn lookup, void *ctx,
		      struct sse_err *err);

/* Whether origin (len bytes) is allowed by the list: 1 listed, 2 wildcard, 0 not. */
int sse_cors_match(const char *origins, const char *origin, size_t len);

#endif
