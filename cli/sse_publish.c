/* sse-publish: append events to a channel's log from the shell. Never
 * touches the fifo, so it never blocks on a missing reader; prints each id
 * once the event is committed (and fsync'd with SSE_SYNC=1). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "io.h"
#include "log.h"
#include "parse.h"
#include "publish.h"
#include "settings.h"
#include "spool.h"

#define EXIT_USAGE 2

static const char *prog = "sse-publish";

struct opts {
	const char *spool, *event, *channel, *data, *hub_id;
	int create, raw, has_history, private_;
	struct sse_str *topics; /* --topic, in order; argc slots */
	size_t ntopics, topics_len;
	struct sse_settings set;
};

static void usage(FILE *f)
{
	char text[512];

	fprintf(f,
		"usage: sse-publish [options] CHANNEL [DATA]\n\n"
		"Publishes DATA (or stdin) as one event of CHANNEL and prints its id.\n\n"
		"  --spool DIR     spool root (default: $SSE_SPOOL_DIR)\n"
		"  --event NAME    event type (default: message)\n"
		"  --create        create the channel and exit\n"
		"  --raw           stdin holds many events in the input framing\n"
		"                  (event:/data:/retry:/topic:/private lines, blank line\n"
		"                  between events); one id is printed per event\n"
		"  --topic T       a topic of the event (repeatable; the first is its canonical\n"
		"                  topic); with --raw, of each event without a topic: line\n"
		"  --private       only hub subscribers authorized for the topics receive it;\n"
		"                  with --raw, every event is private\n"
		"  --id ID         the event's id on a Mercure hub (default: the hub makes one);\n"
		"                  not with --raw\n"
		"  --history N     events kept by a channel created now (default: $SSE_HISTORY or 1000)\n"
		"  --help, --version\n\n");
	sse_doc_plain(sse_settings_sources(SSE_PROG_PUBLISH), 78, text, sizeof(text));
	fprintf(f, "%s\nSettings (default; see man sse-publish):\n", text);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];

		if (s->progs & SSE_PROG_PUBLISH)
			fprintf(f, "  %-18s %-8s %s\n", s->name, s->dflt ? s->dflt : "-", s->help);
	}
	fprintf(f, "\nExit status: 0 published, 2 bad usage or input, 1 other failures.\n");
}

static int die(int code, const char *fmt, ...) SSE_PRINTF(2, 3);
static int die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "spool", required_argument, NULL, 's' }, { "event", required_argument, NULL, 'e' },
		{ "create", no_argument, NULL, 'c' },      { "raw", no_argument, NULL, 'r' },
		{ "history", required_argument, NULL, 'H' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     { "topic", required_argument, NULL, 't' },
		{ "private", no_argument, NULL, 'p' },     { "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct sse_err err;
	const char *why;
	int c;

	/* Each --topic takes an argument: argc slots hold them all. */
	o->topics = calloc((size_t)argc, sizeof(*o->topics));
	if (!o->topics)
		return die(1, "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->spool = optarg; break;
		case 'e': o->event = optarg; break;
		case 'c': o->create = 1; break;
		case 'r': o->raw = 1; break;
		case 'p': o->private_ = 1; break;
		case 'i': o->hub_id = optarg; break;
		case 't':
			/* The value is not quoted back: it may hold a line end. */
			why = sse_topic_unfit(optarg, strlen(optarg));
			if (why)
				return die(EXIT_USAGE, "--topic refused: %s", why);
			o->topics[o->ntopics].p = optarg;
			o->topics[o->ntopics++].len = strlen(optarg);
			o->topics_len += strlen(optarg);
			break;
		case 'H':
			if (sse_settings_set(&o->set, sse_setting_find("SSE_HISTORY"), optarg, &err) < 0)
				return die(EXIT_USAGE, "--history: %s", err.msg);
			o->has_history = 1;
			break;
		case 'h': usage(stdout); return -1;
		case 'V': printf("sse-publish %s\n", SSE_VERSION); return -1;
		case ':':
			return die(EXIT_USAGE, "option '%s' needs an argument (see --help)", argv[optind - 1]);
		default:
			return die(EXIT_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return die(EXIT_USAGE, "no channel given (see --help)");
	o->channel = argv[optind++];
	if (optind < argc)
		o->data = argv[optind++];
	if (optind < argc)
		return die(EXIT_USAGE, "too many arguments: quote DATA (see --help)");
	if (o->raw && o->data)
		return die(EXIT_USAGE, "--raw reads stdin: give no DATA");
	if (o->raw && o->hub_id)
		return die(EXIT_USAGE, "--id names one event: not with --raw");
	if (o->hub_id && sse_hub_id_check(o->hub_id, strlen(o->hub_id), &err) < 0)
		return die(EXIT_USAGE, "--id: %s", err.msg);
	if (!o->spool)
		o->spool = o->set.spool_dir;
	if (!o->spool)
		return die(EXIT_USAGE, "no spool: use --spool DIR or set SSE_SPOOL_DIR");
	if (sse_channel_check(o->channel, strlen(o->channel), &err) < 0)
		return die(EXIT_USAGE, "%s", err.msg);
	if (o->event && sse_event_name_check(o->event, strlen(o->event), &err) < 0)
		return die(EXIT_USAGE, "--event: %s", err.msg);
	return 0;
}

/* --- --raw: many events from stdin ------------------------------------ */

struct raw {
	struct sse_log *log;
	const char *event;
	const struct opts *o;
	uint64_t *ids;
	size_t nids, cap;
	int refused, failed;
	size_t max_event;
	struct sse_err err;
};

static size_t topics_len(const struct sse_event *ev)
{
	size_t n = 0;

	for (size_t i = 0; i < ev->ntopics; i++)
		n += ev->topics[i].len;
	return n;
}

static void raw_refused(void *ctx, size_t size, const char *why)
{
	struct raw *r = ctx;

	r->refused = 1;
	if (why)
		die(0, "event refused: %s", why);
	else
		die(0, "event of %zu bytes refused: larger than SSE_MAX_EVENT (%zu)", size, r->max_event);
}

static int raw_event(void *ctx, const struct sse_event *ev)
{
	struct raw *r = ctx;
	struct sse_event e = *ev;
	uint64_t id;

	if (e.name_len == 0 && r->event) {
		e.name = r->event;
		e.name_len = strlen(r->event);
	}
	if (e.ntopics == 0 && r->o->ntopics) {
		e.topics = r->o->topics;
		e.ntopics = r->o->ntopics;
	}
	e.private_ |= r->o->private_;
	/* The parser counted the event's own fields; --event and --topic may
	 * have made it larger. */
	if (e.name_len + e.data_len + topics_len(&e) > r->max_event) {
		raw_refused(r, e.name_len + e.data_len + topics_len(&e), NULL);
		return 0;
	}
	if (r->nids == r->cap) {
		uint64_t *n = realloc(r->ids, 2 * r->cap * sizeof(*n));

		if (!n) {
			sse_err_set(&r->err, "out of memory for %zu ids", 2 * r->cap);
			r->failed = 1;
			return 1;
		}
		r->ids = n;
		r->cap *= 2;
	}
	if (sse_log_append(r->log, &e, &id, &r->err) < 0) {
		r->failed = 1;
		return 1;
	}
	r->ids[r->nids++] = id;
	return 0;
}

static int print_ids(const uint64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%llu\n", (unsigned long long)ids[i]);
	return fflush(stdout) == 0 ? 0 : -1;
}

static int publish_raw(struct sse_log *log, const struct opts *o)
{
	size_t max = o->set.max_event, cap = 4 * max + 4096 + 65536, len = 0;
	char *in = malloc(cap), *scratch = malloc(max + 1);
	struct sse_parser p;
	struct raw r = { .log = log, .event = o->event, .o = o, .max_event = max };
	int eof = 0, rc = 0;

	r.cap = 4096; /* grows: "data\n\n" is a whole event in 6 bytes */
	r.ids = malloc(r.cap * sizeof(*r.ids));
	if (!in || !scratch || !r.ids) {
		rc = die(1, "out of memory");
		goto out;
	}
	sse_parser_init(&p, max, scratch, max + 1);
	while (!eof) {
		size_t consumed = 0;
		ssize_t n = read(STDIN_FILENO, in + len, cap - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = die(1, "cannot read stdin: %s", strerror(errno));
			break;
		}
		eof = n == 0;
		len += (size_t)n;
		r.nids = 0;
		if (sse_log_lock(log, &r.err) < 0) {
			rc = die(1, "%s", r.err.msg);
			break;
		}
		sse_parse(&p, in, len, eof, &consumed, raw_event, raw_refused, &r);
		/* What was appended before a failure is committed by the unlock:
		 * its ids are printed, so a retry knows where to start. */
		if (sse_log_unlock(log, r.failed ? NULL : &r.err) < 0 || r.failed) {
			(void)print_ids(r.ids, r.nids);
			rc = die(1, "%s", r.err.msg);
			break;
		}
		memmove(in, in + consumed, len - consumed);
		len -= consumed;
		if (print_ids(r.ids, r.nids) < 0) {
			rc = die(1, "cannot write to stdout: %s", strerror(errno));
			break;
		}
	}
	if (rc == 0 && r.refused)
		rc = EXIT_USAGE;
out:
	free(in);
	free(scratch);
	free(r.ids);
	return rc;
}

/* --- one event ---------------------------------------------------------- */

static int publish_one(struct sse_log *log, const struct opts *o)
{
	/* An event's size is its name, data and topics, as for --raw, and its
	 * hub id (as for the hub's publish). */
	size_t name_len = (o->event ? strlen(o->event) : 0) + o->topics_len +
			  (o->hub_id ? strlen(o->hub_id) : 0);
	size_t max = o->set.max_event > name_len ? o->set.max_event - name_len : 0, len;
	char *text = NULL, *data;
	struct sse_event ev;
	struct sse_err err;
	uint64_t id;
	int rc = 0;

	if (o->data) {
		len = strlen(o->data);
		if (len > max)
			return die(EXIT_USAGE, "event of %zu bytes refused: larger than SSE_MAX_EVENT (%lu)",
				   len + name_len, o->set.max_event);
		text = strdup(o->data);
	} else {
		ssize_t n;

		text = malloc(max + 4);
		if (!text)
			return die(1, "out of memory");
		n = sse_read_upto(STDIN_FILENO, text, max + 3, "stdin", &err);
		if (n == -1) {
			free(text);
			return die(1, "%s", err.msg);
		}
		if (n == -2) {
			free(text);
			return die(EXIT_USAGE, "event refused: stdin holds more than SSE_MAX_EVENT (%lu) bytes",
				   o->set.max_event);
		}
		len = (size_t)n;
		/* The BOM an editor leaves, and the newline that ends a file or
		 * an echo, are not part of the event. */
		if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			memmove(text, text + 3, len -= 3);
		if (len > 0 && text[len - 1] == '\n')
			len--;
		if (len > 0 && text[len - 1] == '\r')
			len--;
		if (len > max) {
			free(text);
			return die(EXIT_USAGE, "event of %zu bytes refused: larger than SSE_MAX_EVENT (%lu)",
				   len + name_len, o->set.max_event);
		}
	}
	data = malloc(len + 1);
	if (!text || !data) {
		free(text);
		free(data);
		return die(1, "out of memory");
	}
	sse_event_from_text(&ev, o->event, o->event ? strlen(o->event) : 0, text, len, data);
	ev.topics = o->topics;
	ev.ntopics = o->ntopics;
	ev.private_ = o->private_;
	if (o->hub_id) {
		ev.hub_id.p = o->hub_id;
		ev.hub_id.len = strlen(o->hub_id);
	}
	if (sse_log_publish(log, &ev, &id, &err) < 0)
		rc = die(1, "%s", err.msg);
	else if (print_ids(&id, 1) < 0)
		rc = die(1, "cannot write to stdout: %s", strerror(errno));
	free(text);
	free(data);
	return rc;
}

static int run(const struct opts *o)
{
	struct sse_err err;
	struct sse_log *log;
	int rc;

	/* Only --create makes a missing spool: a publish to a typo'd --spool
	 * would make one where no stream looks, and the event would be lost
	 * without a word. (A missing channel is made: SPEC.) */
	if (!o->create && sse_spool_check(o->spool, &err) < 0)
		return die(1, "%s", err.msg);
	rc = sse_spool_create(o->spool, o->channel, o->set.history, &err);
	if (rc < 0)
		return die(1, "%s", err.msg);
	if (o->create)
		return 0;
	log = sse_spool_open(o->spool, o->channel, o->set.sync, &err);
	if (!log)
		return die(1, "%s", err.msg);
	if (sse_log_note(log))
		die(0, "%s", sse_log_note(log));
	rc = o->raw ? publish_raw(log, o) : publish_one(log, o);
	sse_log_close(log);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct sse_err err;
	int rc;

	sse_settings_defaults(&o.set);
	if (sse_settings_load_for(&o.set, SSE_PROG_PUBLISH, env_lookup, NULL, &err) < 0)
		return die(EXIT_USAGE, "%s", err.msg);
	rc = parse_args(argc, argv, &o);
	if (rc == 0)
		rc = run(&o);
	free(o.topics);
	return rc < 0 ? 0 : rc;
}
