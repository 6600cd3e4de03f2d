/* sse-doctor: reads the probe answer (`?probe`, lib/probe.h) through the
 * real deployment path and says in plain words whether something on the
 * way buffers or compresses the event stream, and which setting of which
 * server to change.
 *
 * The HTTP client is ours (plain HTTP/1.1 over TCP, a few dozen lines):
 * what is measured is when each byte arrives, through chunked framing and
 * gzip, which a library that hands over whole responses would hide. For
 * https, curl fetches and the doctor reads its raw output from stdin. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "probe.h"

#ifndef SSE_VERSION
#define SSE_VERSION "0"
#endif

/* An event is held back when it arrives this much later than the fastest
 * one did, relative to when it was sent. */
#define HELD_MS 150

/* What a browser announces (Chromium, Firefox): a server compresses only
 * for a request that announces it, so the doctor asks the same way. */
#define BROWSER_ENCODINGS "gzip, deflate, br, zstd"

static const char *prog = "sse-doctor";

/* --- what arrived, and when --------------------------------------------------- */

struct piece {
	size_t end;        /* offset in the raw buffer after this read */
	uint64_t wall_ms;  /* when it arrived */
};

struct raw {
	char *buf;
	size_t len, cap;
	struct piece *pieces;
	size_t npieces, cap_pieces;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c * size);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(2);
	}
	*cap = c;
	return p;
}

/* Reads fd until EOF or timeout_ms, stamping each read. */
static int slurp(int fd, struct raw *r, int timeout_ms)
{
	uint64_t end = mono_ms() + (uint64_t)timeout_ms;

	for (;;) {
		uint64_t now = mono_ms();
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;

		if (now >= end)
			return 1;
		if (poll(&pf, 1, (int)(end - now)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
			return -1;
		}
		if (!pf.revents)
			continue;
		r->buf = grow(r->buf, &r->cap, r->len + 65536, 1);
		n = read(fd, r->buf + r->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: read: %s\n", prog, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		r->len += (size_t)n;
		r->pieces = grow(r->pieces, &r->cap_pieces, r->npieces + 1, sizeof(*r->pieces));
		r->pieces[r->npieces++] = (struct piece){ r->len, sse_probe_clock_ms() };
	}
}

/* --- the response ------------------------------------------------------------------- */

struct head {
	int status;
	char type[128], encoding[64], transfer[64], server[128], via[160];
	int has_length;
	size_t body;       /* offset of the body in the raw buffer */
};

static void header_value(char *dst, size_t cap, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* The head that starts at offset from (HTTP/1.x, or curl's "HTTP/2 200"). */
static int parse_head(const struct raw *r, size_t from, struct head *h)
{
	const char *p = r->buf + from, *end = r->buf + r->len, *line, *sp;

	memset(h, 0, sizeof(*h));
	if (r->len < from + 12 || strncmp(p, "HTTP/", 5) != 0 ||
	    !(sp = memchr(p, ' ', (size_t)(end - p))))
		return -1;
	h->status = atoi(sp + 1);
	for (line = p; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len;

		if (!nl)
			return -1;
		len = (size_t)(nl - line);
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0) {
			h->body = (size_t)(nl + 1 - r->buf);
			return 0;
		}
		const char *colon = memchr(line, ':', len);
		if (colon && line != p) {
			size_t nlen = (size_t)(colon - line), vlen = len - nlen - 1;

#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(line, name, nlen) == 0)
#define TAKE(dst) header_value(dst, sizeof(dst), colon + 1, vlen)
			if (IS("Content-Type"))
				TAKE(h->type);
			else if (IS("Content-Encoding"))
				TAKE(h->encoding);
			else if (IS("Transfer-Encoding"))
				TAKE(h->transfer);
			else if (IS("Server"))
				TAKE(h->server);
			else if (IS("Via"))
				TAKE(h->via);
			else if (IS("Content-Length"))
				h->has_length = 1;
#undef TAKE
#undef IS
		}
		line = nl + 1;
	}
	return -1;
}

/* --- the body, piece by piece: chunked framing, then gzip, then events ------------ */

struct event_seen {
	unsigned n;
	uint64_t sent_ms, got_ms;
};

struct reader {
	/* chunked framing */
	int chunked, state; /* 0 size line, 1 data, 2 CRLF after data, 3 done */
	size_t chunk_left;
	char sizeline[32];
	size_t sizelen;
	/* content coding */
	int inflating, coding_unknown, inflate_failed;
	z_stream z;
	/* event lines */
	char line[1024];
	size_t linelen;
	int in_probe;
	unsigned n, total, interval;
	uint64_t sent;
	char program[32], software[96];
	char asked_encoding[64];    /* the probe's echo of Accept-Encoding; "" before 0.3 */
	struct event_seen *ev;
	size_t nev, cap_ev;
	size_t body_bytes;
	char start[160];            /* the body's first bytes, decoded: an error's text */
	size_t start_len;
};

static void on_line(struct reader *rd, uint64_t now)
{
	char *l = rd->line;

	rd->line[rd->linelen] = '\0';
	if (rd->linelen == 0) {
		if (rd->in_probe && rd->n) {
			rd->ev = grow(rd->ev, &rd->cap_ev, rd->nev + 1, sizeof(*rd->ev));
			rd->ev[rd->nev++] = (struct event_seen){ rd->n, rd->sent, now };
		}
		rd->in_probe = 0;
		rd->n = 0;
		return;
	}
	if (strcmp(l, "event: probe") == 0) {
		rd->in_probe = 1;
	} else if (rd->in_probe && !rd->asked_encoding[0] && strncmp(l, ": accept-encoding: ", 19) == 0) {
		sscanf(l + 19, "%63s", rd->asked_encoding);
	} else if (strncmp(l, "data: ", 6) == 0) {
		unsigned long long sent;
		unsigned n, total, interval;
		int off = 0;

		if (sscanf(l + 6, "%u %u %u %llu %31s %n", &n, &total, &interval, &sent, rd->program, &off) >= 5) {
			rd->n = n;
			rd->total = total;
			rd->interval = interval;
			rd->sent = sent;
			if (off > 0)
				snprintf(rd->software, sizeof(rd->software), "%s", l + 6 + off);
		}
	}
}

static void events_in(struct reader *rd, const char *p, size_t len, uint64_t now)
{
	for (size_t i = 0; i < len && rd->start_len < sizeof(rd->start) - 1; i++)
		rd->start[rd->start_len++] = p[i];
	rd->body_bytes += len;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			on_line(rd, now);
			rd->linelen = 0;
		} else if (rd->linelen < sizeof(rd->line) - 1) {
			rd->line[rd->linelen++] = p[i];
		}
	}
}

static void decoded_in(struct reader *rd, const char *p, size_t len, uint64_t now)
{
	char out[16384];

	if (!rd->inflating) {
		if (!rd->coding_unknown)
			events_in(rd, p, len, now);
		else
			rd->body_bytes += len;
		return;
	}
	if (rd->inflate_failed)
		return;
	rd->z.next_in = (Bytef *)(uintptr_t)p;
	rd->z.avail_in = (uInt)len;
	while (rd->z.avail_in > 0 || rd->z.avail_out == 0) {
		int rc;

		rd->z.next_out = (Bytef *)out;
		rd->z.avail_out = sizeof(out);
		rc = inflate(&rd->z, Z_SYNC_FLUSH);
		events_in(rd, out, sizeof(out) - rd->z.avail_out, now);
		if (rc == Z_STREAM_END)
			return;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			rd->inflate_failed = 1;
			return;
		}
		if (rc == Z_BUF_ERROR && rd->z.avail_out == sizeof(out))
			return;
	}
}

static void body_in(struct reader *rd, const char *p, size_t len, uint64_t now)
{
	if (!rd->chunked) {
		decoded_in(rd, p, len, now);
		return;
	}
	while (len > 0 && rd->state != 3) {
		if (rd->state == 0) {
			char c = *p++;

			len--;
			if (c == '\n') {
				rd->sizeline[rd->sizelen] = '\0';
				rd->chunk_left = strtoul(rd->sizeline, NULL, 16);
				rd->sizelen = 0;
				rd->state = rd->chunk_left ? 1 : 3;
			} else if (rd->sizelen < sizeof(rd->sizeline) - 1) {
				rd->sizeline[rd->sizelen++] = c;
			}
		} else if (rd->state == 1) {
			size_t n = len < rd->chunk_left ? len : rd->chunk_left;

			decoded_in(rd, p, n, now);
			p += n;
			len -= n;
			rd->chunk_left -= n;
			if (!rd->chunk_left)
				rd->state = 2;
		} else { /* CRLF after the data */
			if (*p == '\n')
				rd->state = 0;
			p++;
			len--;
		}
	}
}

/* --- the verdict ---------------------------------------------------------------------- */

static int contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

enum server { S_UNKNOWN, S_LIGHTTPD, S_APACHE, S_NGINX };

static enum server server_of(const char *s)
{
	return contains(s, "lighttpd") ? S_LIGHTTPD
	       : contains(s, "apache") ? S_APACHE
	       : contains(s, "nginx")  ? S_NGINX
				       : S_UNKNOWN;
}

static void advise_buffering(enum server srv, int fcgi)
{
	switch (srv) {
	case S_LIGHTTPD:
		printf("  lighttpd holds the program's output: set\n"
		       "    server.stream-response-body = 2\n"
		       "  in lighttpd.conf (1.4.40 or later); and keep mod_deflate off text/event-stream.\n");
		break;
	case S_APACHE:
		if (fcgi)
			printf("  Apache's mod_proxy_fcgi holds the output: add flushpackets=on to the ProxyPass line:\n"
			       "    ProxyPass \"/sse\" \"unix:/run/sse-fcgi.sock|fcgi://localhost\" flushpackets=on\n"
			       "  (mod_fcgid: FcgidOutputBufferSize 0).\n");
		else
			printf("  Apache passes a CGI program's output on as it comes, so an output filter holds it:\n"
			       "  mod_buffer (SetOutputFilter BUFFER), mod_deflate, mod_substitute, mod_sed.\n"
			       "  Take it off this URL, e.g. in its <Location>: RemoveOutputFilter, SetEnv no-gzip 1.\n");
		break;
	case S_NGINX:
		printf("  nginx buffers the FastCGI answer: in the stream's location put\n"
		       "    fastcgi_buffering off;\n"
		       "  (nginx would honour the X-Accel-Buffering: no that sse-fcgi sends, unless\n"
		       "  fastcgi_ignore_headers lists it).\n");
		break;
	case S_UNKNOWN:
		printf("  Turn off response buffering for this URL in the web server.\n");
		break;
	}
}

static void advise_compression(enum server srv, int fcgi)
{
	switch (srv) {
	case S_LIGHTTPD:
		printf("  lighttpd's mod_deflate compresses it: leave text/event-stream out of deflate.mimetypes.\n");
		break;
	case S_APACHE:
		printf("  mod_deflate or mod_brotli compresses it. Where you can edit the server's\n"
		       "  configuration: leave text/event-stream out of AddOutputFilterByType. Where you\n"
		       "  cannot (shared hosting), in the .htaccess beside the program (or its <Location>):\n"
		       "    SetEnv no-gzip 1\n"
		       "    SetEnv no-brotli 1\n");
		if (!fcgi)
			printf("  or (sse.cgi) name the program nph-sse.cgi: Apache then passes its output through\n"
			       "  no filter.\n");
		break;
	case S_NGINX:
		printf("  nginx compresses it: gzip off; in the stream's location (or leave\n"
		       "  text/event-stream out of gzip_types).\n");
		break;
	case S_UNKNOWN:
		printf("  Turn off compression for text/event-stream in the web server.\n");
		break;
	}
}

/* by_url: the doctor sent the request itself (with BROWSER_ENCODINGS), so
 * an echo without Accept-Encoding means something on the way removed it. */
static int verdict(const struct head *h, struct reader *rd, uint64_t asked_ms, int timed_out, int by_url)
{
	const char *soft = rd->software[0] ? rd->software : "-";
	int fcgi = strcmp(rd->program, "sse-fcgi") == 0, problems = 0;
	enum server srv = server_of(soft), front = server_of(h->server);
	int64_t base = INT64_MAX, held = 0;
	size_t held_n = 0;

	printf("status %d, Content-Type: %s%s%s\n", h->status, h->type[0] ? h->type : "(none)",
	       h->encoding[0] ? ", Content-Encoding: " : "", h->encoding);
	if (h->status == 200 && rd->nev == 0 && h->encoding[0] && (rd->coding_unknown || rd->inflate_failed)) {
		printf("PROBLEM: the stream is compressed (Content-Encoding: %s), which the doctor cannot\n"
		       "  read; a compressor holds events until its block fills, and EventSource gains\n"
		       "  nothing from it.\n", h->encoding);
		advise_compression(front, 0);
		return 1;
	}
	if (h->status != 200 || rd->nev == 0) {
		printf("PROBLEM: no probe events came back (status %d, %zu body bytes).\n", h->status,
		       rd->body_bytes);
		if (h->encoding[0] && (rd->coding_unknown || rd->inflate_failed)) {
			printf("  The answer is compressed (%s) in a way the doctor cannot read.\n", h->encoding);
			return 1;
		}
		if (rd->start_len > 0) {
			/* what the program said (a 404's or a 500's reason), one line */
			printf("  The answer says: ");
			for (size_t i = 0; i < rd->start_len && rd->start[i] != '\n'; i++)
				putchar((unsigned char)rd->start[i] < 0x20 || rd->start[i] == 0x7f ? '?' : rd->start[i]);
			printf("\n");
		}
		if (h->status == 200 && contains(h->type, "text/event-stream"))
			printf("  That is a channel's stream, not the probe: give the doctor the URL without the\n"
			       "  channel (.../sse.cgi, not .../sse.cgi/news).\n");
		else
			printf("  Is this the stream's URL (.../sse.cgi, or where sse-fcgi is mounted), and is\n"
			       "  it sse-cgi 0.2 or later (which answers ?probe)?\n");
		return 1;
	}
	printf("program %s behind \"%s\"%s%s%s%s\n", rd->program, soft, h->server[0] ? ", Server: " : "",
	       h->server, h->via[0] ? ", Via: " : "", h->via);
	printf("events (ms after the first, as sent / as arrived):\n ");
	for (size_t i = 0; i < rd->nev; i++) {
		int64_t d = (int64_t)rd->ev[i].got_ms - (int64_t)rd->ev[i].sent_ms;

		if (d < base)
			base = d;
	}
	for (size_t i = 0; i < rd->nev; i++) {
		int64_t lag = (int64_t)rd->ev[i].got_ms - (int64_t)rd->ev[i].sent_ms - base;

		printf(" %llu/%llu", (unsigned long long)(rd->ev[i].sent_ms - rd->ev[0].sent_ms),
		       (unsigned long long)(rd->ev[i].got_ms - rd->ev[0].got_ms));
		if (lag > held)
			held = lag;
		if (lag > HELD_MS)
			held_n++;
	}
	printf("\n");
	if (h->encoding[0] && strcasecmp(h->encoding, "identity") != 0) {
		problems++;
		printf("PROBLEM: the stream is compressed (Content-Encoding: %s). A compressor holds\n"
		       "  events until its block fills, and EventSource gains nothing from it.\n", h->encoding);
		advise_compression(front != S_UNKNOWN ? front : srv, fcgi);
	}
	if (held_n > 0 || rd->nev < rd->total) {
		problems++;
		if (rd->nev < rd->total)
			printf("PROBLEM: %zu of %u events arrived%s: something cut or held the stream.\n",
			       rd->nev, rd->total, timed_out ? " before the doctor gave up" : "");
		else
			printf("PROBLEM: %zu of %zu events were held back, up to %lld ms: something on the way\n"
			       "  buffers the stream.\n", held_n, rd->nev, (long long)held);
		advise_buffering(srv, fcgi);
	}
	if (problems && (h->via[0] || (front != S_UNKNOWN && front != srv)))
		printf("  A proxy in front (%s%s) may be the one instead: nginx proxy_buffering off;\n"
		       "  Apache ProxyPass ... flushpackets=on; a CDN: its no-buffering setting for this URL.\n",
		       h->via[0] ? "Via: " : "Server: ", h->via[0] ? h->via : h->server);
	if (h->has_length)
		printf("note: the answer has a Content-Length, which an event stream should not have.\n");
	/* A server compresses only for a request that announces it: a probe
	 * asked without Accept-Encoding (curl without -H) cannot show what a
	 * browser gets. */
	if (strcmp(rd->asked_encoding, "-") == 0 && by_url) {
		printf("note: something on the way (a proxy?) removed the Accept-Encoding the doctor sent:\n"
		       "  a compressor behind it cannot show itself here, nor to a browser.\n");
	} else if (strcmp(rd->asked_encoding, "-") == 0) {
		problems++;
		printf("PROBLEM: the probe was asked without Accept-Encoding, and browsers always send\n"
		       "  one: a server that compresses the stream would not show it here. Ask as a\n"
		       "  browser does:\n"
		       "    curl -sN --raw -i -H 'Accept-Encoding: " BROWSER_ENCODINGS "' 'URL?probe' | %s -\n",
		       prog);
	}
	if (!problems) {
		printf("OK: the %zu events arrived as they were sent (largest hold-up %lld ms, first after %llu ms):\n"
		       "  nothing on the way buffers or compresses the stream.\n",
		       rd->nev, (long long)held, (unsigned long long)(rd->ev[0].got_ms - asked_ms));
		return 0;
	}
	return 1;
}

/* --- the request ------------------------------------------------------------------------ */

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	int fd = -1, rc;

	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "%s: cannot connect to %s port %s: %s\n", prog, host, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* http://HOST[:PORT]/PATH[?QUERY] -> a connected socket, the request sent. */
static int ask(const char *url)
{
	char host[256], port[8] = "80", req[4096];
	const char *p, *path, *colon;
	size_t hlen;
	int fd, n;

	if (strncmp(url, "https://", 8) == 0) {
		fprintf(stderr, "%s: https: the doctor speaks plain HTTP; let curl fetch and read its output:\n"
				"  curl -sN --raw -i -H 'Accept-Encoding: " BROWSER_ENCODINGS "' '%s?probe' | %s -\n",
			prog, url, prog);
		return -1;
	}
	if (strncmp(url, "http://", 7) != 0) {
		fprintf(stderr, "%s: '%s' is not an http:// URL (or - for standard input)\n", prog, url);
		return -1;
	}
	p = url + 7;
	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	hlen = (size_t)(path - p);
	colon = memchr(p, ':', hlen);
	if (colon && p[0] != '[') {
		snprintf(port, sizeof(port), "%.*s", (int)(path - colon - 1), colon + 1);
		hlen = (size_t)(colon - p);
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		fprintf(stderr, "%s: no host in '%s'\n", prog, url);
		return -1;
	}
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	n = snprintf(req, sizeof(req),
		     "GET %s%sprobe HTTP/1.1\r\nHost: %.*s\r\nAccept: text/event-stream\r\n"
		     "Accept-Encoding: " BROWSER_ENCODINGS "\r\nCache-Control: no-cache\r\n"
		     "User-Agent: sse-doctor/%s\r\nConnection: close\r\n\r\n",
		     *path ? path : "/", strchr(path, '?') ? "&" : "?", (int)(path - p), p, SSE_VERSION);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		fprintf(stderr, "%s: URL too long\n", prog);
		return -1;
	}
	fd = connect_to(host, port);
	if (fd < 0)
		return -1;
	for (const char *w = req; n > 0;) {
		ssize_t k = write(fd, w, (size_t)n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "%s: sending to %s: %s\n", prog, host, strerror(errno));
			close(fd);
			return -1;
		}
		w += k;
		n -= (int)k;
	}
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sse-doctor [--timeout SECONDS] URL\n"
		   "       curl -sN --raw -i -H 'Accept-Encoding: " BROWSER_ENCODINGS "' 'URL?probe' | sse-doctor -\n"
		   "       sse-doctor --help | --version\n\n"
		   "Reads URL?probe (the stream's URL: .../sse.cgi or where sse-fcgi is mounted)\n"
		   "through the web server, and says whether anything on the way buffers or\n"
		   "compresses the event stream, and which setting to change.\n"
		   "Exit status: 0 streams as it should, 1 a problem found, 2 could not probe.\n");
}

int main(int argc, char **argv)
{
	struct raw r = { 0 };
	struct head h;
	struct reader rd = { 0 };
	int timeout = 15, fd, rc, i = 1;
	uint64_t asked;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sse-doctor %s\n", SSE_VERSION);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--timeout") == 0) {
		char *e;
		long t = strtol(argv[2], &e, 10);

		timeout = *e || t < 1 || t > 3600 ? 0 : (int)t;
		i = 3;
	}
	if (i != argc - 1 || timeout <= 0) {
		usage(stderr);
		return 2;
	}
	asked = sse_probe_clock_ms();
	fd = strcmp(argv[i], "-") == 0 ? STDIN_FILENO : ask(argv[i]);
	if (fd < 0)
		return 2;
	rc = slurp(fd, &r, timeout * 1000);
	if (rc < 0)
		return 2;
	/* curl -i through an https proxy prints the proxy's answer first */
	for (size_t from = 0;; from = h.body) {
		const char *nl = memchr(r.buf + from, '\n', r.len - from);

		if (parse_head(&r, from, &h) < 0 || h.status != 200 || h.type[0] || !nl ||
		    !memmem(r.buf + from, (size_t)(nl - r.buf - (ptrdiff_t)from), "onnection established", 21))
			break;
	}
	if (h.status == 0 || h.body == 0) {
		fprintf(stderr, "%s: no HTTP answer from %s (%zu bytes)%s\n", prog, argv[i], r.len,
			rc == 1 ? ", timed out" : "");
		return 2;
	}
	rd.chunked = contains(h.transfer, "chunked");
	if (h.encoding[0] && strcasecmp(h.encoding, "identity") != 0) {
		if (strcasecmp(h.encoding, "gzip") == 0 || strcasecmp(h.encoding, "deflate") == 0) {
			rd.inflating = 1;
			if (inflateInit2(&rd.z, 15 + 32) != Z_OK)
				rd.inflate_failed = 1;
		} else {
			rd.coding_unknown = 1;
		}
	}
	for (size_t k = 0, start = 0; k < r.npieces; start = r.pieces[k++].end) {
		size_t from = start > h.body ? start : h.body;

		if (r.pieces[k].end > from)
			body_in(&rd, r.buf + from, r.pieces[k].end - from, r.pieces[k].wall_ms);
	}
	rc = verdict(&h, &rd, asked, rc == 1, fd != STDIN_FILENO);
	if (rd.inflating)
		inflateEnd(&rd.z);
	free(r.buf);
	free(r.pieces);
	free(rd.ev);
	return rc;
}
