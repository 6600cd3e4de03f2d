/* The settings table (SPEC "Configuration"): each setting declared once with
 * its default, its bounds, which programs read it and its text, feeding the
 * environment reader, the flags of sse-fcgi, every --help, and (through
 * tools/gendoc.c, `make docs`) the settings sections of the man pages and of
 * doc/stream.md, so no copy of a default or a rule can drift from the code. */
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
	/* The Mercure hub (SPEC "Topics, authorization and HTTP publishing") */
	const char *hub;            /* the hub's channel, NULL: not a hub URL */
	const char *jwt_key, *jwt_key_file;
	const char *publisher_jwt_key, *publisher_jwt_key_file;
	const char *subscriber_jwt_key, *subscriber_jwt_key_file;
	const char *jwt_alg;        /* NULL: HS256 */
	int anonymous;
	const char *publish_origins;
};

/* SECONDS: seconds with up to three decimals ("15", "0.5"), kept in ms;
 * min and max are in ms. */
/* TEXT: any non-empty text, checked where it is used. */
enum sse_setting_kind { SSE_SET_PATH, SSE_SET_TEXT, SSE_SET_UINT, SSE_SET_BOOL, SSE_SET_ORIGINS, SSE_SET_SECONDS };

/* The programs that read a setting (a mask): a program ignores, and does
 * not list, the settings it does not read. */
enum sse_prog { SSE_PROG_CGI = 1, SSE_PROG_FCGI = 2, SSE_PROG_PUBLISH = 4 };
#define SSE_PROG_STREAMS (SSE_PROG_CGI | SSE_PROG_FCGI)
#define SSE_PROG_ALL (SSE_PROG_STREAMS | SSE_PROG_PUBLISH)

struct sse_setting {
	const char *name;    /* environment name, e.g. "SSE_HEARTBEAT" */
	const char *flag;    /* long option, e.g. "heartbeat" */
	enum sse_setting_kind kind;
	const char *dflt;    /* default as text, NULL when unset by default */
	unsigned long min, max;
	const char *unit;    /* what a value means, for errors and --help */
	const char *help;    /* one short line for --help */
	unsigned progs;      /* enum sse_prog: who reads it */
	const char *unset;   /* the default column when dflt is NULL */
	const char *doc;     /* the man pages' and docs' text; `code` marks code */
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
/* The same, for the settings one program reads (an enum sse_prog). */
int sse_settings_load_for(struct sse_settings *s, unsigned prog, sse_lookup_fn lookup,
			  void *ctx, struct sse_err *err);

/* The program's name ("sse-fcgi") and where it takes its settings from, in
 * which order: the one home of that rule, printed by --help and written
 * into the man pages and doc/stream.md. `code` marks code. */
const char *sse_prog_name(unsigned prog);
const char *sse_settings_sources(unsigned prog);
/* src without its ` marks, wrapped at width columns (lines end in '\n'),
 * into dst of n bytes (cut short when too small); for --help. */
void sse_doc_plain(const char *src, size_t width, char *dst, size_t n);

/* Whether origin (len bytes) is allowed by the list: 1 listed, 2 wildcard, 0 not. */
int sse_cors_match(const char *origins, const char *origin, size_t len);

#endif
