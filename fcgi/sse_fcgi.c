/* sse-fcgi: the FastCGI front end. Settings come from the environment, then
 * the flags (the same table as sse.cgi's), then per request from FastCGI
 * parameters, a later one winning (sse_settings_sources() tells users); the
 * listening socket is fd 0 (spawned by the web server) or --listen. A
 * supervisor keeps --workers event-loop workers running. */
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "listen.h"
#include "pool.h"
#include "settings.h"
#include "stats.h"
#include "worker.h"

static const char *prog = "sse-fcgi";

static void report(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s[%d]: %s\n", prog, (int)getpid(), line);
}

static void usage(FILE *f)
{
	char text[1024];

	fprintf(f, "usage: sse-fcgi [--listen unix:PATH|HOST:PORT] [--socket-mode MODE] [--workers N]\n"
		   "                [--SETTING VALUE]...\n"
		   "       sse-fcgi --help | --version\n\n"
		   "FastCGI responder streaming channels as text/event-stream, many streams per\n"
		   "worker. Without --listen the listening socket is fd 0 (lighttpd bin-path,\n"
		   "spawn-fcgi); nginx (fastcgi_pass) and Apache (mod_proxy_fcgi) talk to a pool\n"
		   "started with --listen. Not mod_fcgid: it hands one request at a time to each\n"
		   "process it starts. Requests: .../CHANNEL or ?channel=CHANNEL, resume with\n"
		   "Last-Event-ID or ?lastEventId=N; ?status with SSE_STATUS=1; ?probe: a short\n"
		   "test stream for sse-doctor (is anything buffering?).\n\n"
		   "  --listen ADDR       unix:/path/to.sock, or HOST:PORT (127.0.0.1:9000)\n"
		   "  --socket-mode MODE  permissions of a unix socket, octal (default 0660)\n"
		   "  --workers N         worker processes (default: the number of CPUs)\n\n");
	sse_doc_plain(sse_settings_sources(SSE_PROG_FCGI), 78, text, sizeof(text));
	fprintf(f, "%s\nSettings (flag, FastCGI parameter or environment, default; see man sse-fcgi):\n",
		text);
	for (size_t i = 0; i < sse_setting_count; i++) {
		const struct sse_setting *s = &sse_setting_table[i];
		char flag[40];

		if (!(s->progs & SSE_PROG_FCGI))
			continue;
		snprintf(flag, sizeof(flag), "--%s", s->flag);
		fprintf(f, "  %-18s %-18s %-8s %s\n", flag, s->name, s->dflt ? s->dflt : "-", s->help);
	}
}

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static int bad_usage(const char *fmt, const char *what)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, what);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

struct options {
	const char *listen;
	unsigned long workers;
	unsigned long socket_mode;
};

static int parse_args(int argc, char **argv, struct options *o, struct sse_settings *set)
{
	struct sse_err err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		char name[64];
		size_t n;

		if (strncmp(a, "--", 2) != 0)
			return bad_usage("unexpected argument '%s'", a);
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		if (n >= sizeof(name))
			return bad_usage("unknown option '%s'", argv[i]);
		memcpy(name, a, n);
		name[n] = 0;
		if (strcmp(name, "listen") != 0 && strcmp(name, "workers") != 0 &&
		    strcmp(name, "socket-mode") != 0 && !sse_setting_find_flag(name))
			return bad_usage("unknown option '%s'", argv[i]);
		if (eq) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return bad_usage("option '%s' needs a value", argv[i]);
			val = argv[++i];
		}
		if (sse_setting_find_flag(name) && !(sse_setting_find_flag(name)->progs & SSE_PROG_FCGI)) {
			/* A flag another program reads: a pool that no longer
			 * starts after an upgrade would be worse. (None is, since
			 * the hub made SSE_HISTORY the streams' too.) */
			fprintf(stderr, "%s: ignoring '--%s %s': sse-fcgi does not read it\n",
				prog, name, val);
			continue;
		}
		if (strcmp(name, "listen") == 0) {
			o->listen = val;
		} else if (strcmp(name, "workers") == 0 || strcmp(name, "socket-mode") == 0) {
			unsigned long long v;
			char *end;

			errno = 0;
			v = strtoull(val, &end, name[0] == 'w' ? 10 : 8);
			if (errno || end == val || *end || (name[0] == 'w' ? v < 1 || v > 1024 : v > 0777)) {
				fprintf(stderr, "%s: --%s '%s': expected %s\n", prog, name, val,
					name[0] == 'w' ? "a number of workers from 1 to 1024"
						       : "an octal mode such as 0660");
				return 2;
			}
			if (name[0] == 'w')
				o->workers = (unsigned long)v;
			else
				o->socket_mode = (unsigned long)v;
		} else {
			const struct sse_setting *def = sse_setting_find_flag(name);

			if (sse_settings_set(set, def, val, &err) < 0) {
				/* the flag the user typed first, then the setting's line */
				fprintf(stderr, "%s: --%s: %s\n", prog, name, err.msg);
				return 2;
			}
		}
	}
	return 0;
}

/* The socket to accept on: --listen's, or the one a spawner left on fd 0. */
static int open_listener(const struct options *o)
{
	struct sse_err err;
	int fd;

	if (o->listen) {
		fd = fcgi_listen(o->listen, (mode_t)o->socket_mode, &err);
		if (fd < 0)
			fprintf(stderr, "%s: %s\n", prog, err.msg);
		return fd;
	}
	if (FCGX_IsCGI()) {
		fprintf(stderr, "%s: fd 0 is not a listening socket: give --listen unix:PATH or "
				"HOST:PORT, or let the web server spawn it (lighttpd bin-path, "
				"spawn-fcgi)\n", prog);
		return -2;
	}
	/* Shared by the workers, each accepting from its event loop. */
	if (fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK) < 0) {
		fprintf(stderr, "%s: cannot make the listening socket (fd 0) non-blocking: %s\n", prog,
			strerror(errno));
		return -1;
	}
	return 0;
}

struct run {
	struct fcgi_worker_conf conf;
};

static int work(unsigned index, void *ctx)
{
	struct run *r = ctx;

	r->conf.index = index;
	return fcgi_worker_run(&r->conf);
}

static void gone(unsigned index, void *ctx)
{
	struct run *r = ctx;

	fcgi_stats_worker_gone(r->conf.stats, index);
}

int main(int argc, char **argv)
{
	static struct sse_settings set;
	struct options o = { NULL, 0, 0660 };
	struct sse_err err;
	struct run r;
	struct fcgi_pool pool;
	long cpus;
	int rc, fd;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sse-fcgi %s\n", SSE_VERSION);
		return 0;
	}
	sse_settings_defaults(&set);
	if (sse_settings_load_for(&set, SSE_PROG_FCGI, env_lookup, NULL, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 2;
	}
	rc = parse_args(argc, argv, &o, &set);
	if (rc)
		return rc;
	if (!o.workers) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o.workers = cpus > 0 ? (unsigned long)cpus : 1;
	}
	/* No warning without a spool: the documented configurations pass it per
	 * request (fastcgi_param, SetEnv); a request without one gets the 500
	 * and the line saying what to set. */
	signal(SIGPIPE, SIG_IGN);
	fd = open_listener(&o);
	if (fd < 0)
		return fd == -2 ? 2 : 1;
	r.conf = (struct fcgi_worker_conf){ .listen_fd = fd, .workers = (unsigned)o.workers,
					    .supervisor = getpid(), .base = &set, .report = report };
	/* Two descriptors per stream at the web server, one here: take what
	 * the hard limit allows. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	r.conf.stats = fcgi_stats_new((unsigned)o.workers, &err);
	if (!r.conf.stats) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 1;
	}
	pool = (struct fcgi_pool){ .workers = (unsigned)o.workers, .work = work, .gone = gone,
				   .ctx = &r, .report = report };
	if (fcgi_pool_run(&pool, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 1;
	}
	fcgi_stats_free(r.conf.stats);
	if (o.listen && strncmp(o.listen, "unix:", 5) == 0)
		(void)unlink(o.listen + 5);
	return 0;
}
