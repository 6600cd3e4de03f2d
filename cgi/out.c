#include "out.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "wait.h"

const char *cgi_prog = "sse.cgi";
int cgi_sig_fd = -1;

static struct cgi_out_hook hook;
static const char *nph_proto; /* NULL: a normal CGI head */
static int head_sent;

void cgi_report(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", cgi_prog, line);
}

void cgi_out_hook(const struct cgi_out_hook *h)
{
	if (h)
		hook = *h;
	else
		memset(&hook, 0, sizeof(hook));
}

void cgi_out_nph(const char *proto)
{
	/* HTTP/1.0 clients get a 1.0 line; anything else (1.1, and HTTP/2,
	 * which mod_http2 turns from an HTTP/1.1 head) a 1.1 one. */
	nph_proto = proto && strcmp(proto, "HTTP/1.0") == 0 ? "HTTP/1.0" : "HTTP/1.1";
}

int cgi_is_nph(const char *script_filename, const char *argv0)
{
	const char *name = script_filename && *script_filename ? script_filename : argv0;
	const char *slash = name ? strrchr(name, '/') : NULL;

	if (!name)
		return 0;
	return strncmp(slash ? slash + 1 : name, "nph-", 4) == 0;
}

size_t cgi_nph_head(const char *buf, size_t len, const char *proto, char *out, size_t cap)
{
	static const char st[] = "Status: ";
	char date[64];
	struct tm tm;
	time_t now = time(NULL);
	int k;

	if (len < sizeof(st) - 1 || memcmp(buf, st, sizeof(st) - 1) != 0 || !gmtime_r(&now, &tm) ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		return 0;
	buf += sizeof(st) - 1;
	len -= sizeof(st) - 1;
	{
		const char *eol = memchr(buf, '\n', len);
		size_t line = eol ? (size_t)(eol - buf) + 1 : 0;

		if (!line)
			return 0;
		/* We own the connection: no length, no chunks, so the end of
		 * the response is the end of the connection, which the client
		 * must be told (RFC 9112 9.6). An origin server sends Date. */
		k = snprintf(out, cap, "%s %.*sDate: %s\r\nConnection: close\r\n", proto, (int)line, buf, date);
		if (k < 0 || (size_t)k >= cap || cap - (size_t)k < len - line)
			return 0;
		memcpy(out + k, buf + line, len - line);
		return (size_t)k + len - line;
	}
}

static int write_raw(const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0) {
			struct pollfd pf[4] = { { STDOUT_FILENO, POLLOUT, 0 }, { cgi_sig_fd, POLLIN, 0 },
						{ -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
			int timeout = -1;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1; /* EPIPE and friends: the client is gone */
			if (hook.fds)
				hook.fds(hook.ctx, &pf[2].fd, &pf[3].fd, &timeout);
			if (poll(pf, 4, timeout) < 0 && errno != EINTR)
				return -1;
			if (pf[0].revents & (POLLERR | POLLHUP) || pf[1].revents & POLLIN)
				return -1;
			if (hook.serve)
				hook.serve(hook.ctx, pf[2].revents != 0, pf[3].revents != 0);
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* stdout is non-blocking: a stalled client must not keep us deaf to SIGTERM,
 * so a full pipe is waited on together with the signal fd. A process that
 * holds its channel's intake keeps draining the fifo and the drop-box
 * meanwhile: a slow client must not stall every producer of the channel. */
int cgi_out_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (nph_proto && !head_sent) {
		char b[2048];
		size_t n = cgi_nph_head(buf, len, nph_proto, b, sizeof(b));

		head_sent = 1;
		if (n == 0)
			return -1; /* every head we make fits: not reached */
		return write_raw(b, n);
	}
	head_sent = 1;
	return write_raw(buf, len);
}

int cgi_out_writev(void *ctx, const struct iovec *v, size_t n)
{
	ssize_t w = 0;

	/* One writev for the whole event; what the pipe did not take (it is
	 * full) goes the way of every write, waiting with the signal fd. */
	if (head_sent && n <= IOV_MAX) {
		do
			w = writev(STDOUT_FILENO, v, (int)n);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN)
			return -1; /* EPIPE and friends: the client is gone */
		if (w < 0)
			w = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t skip = (size_t)w < v[i].iov_len ? (size_t)w : v[i].iov_len;

		w -= (ssize_t)skip;
		if (skip < v[i].iov_len &&
		    cgi_out_write(ctx, (const char *)v[i].iov_base + skip, v[i].iov_len - skip) < 0)
			return -1;
	}
	return 0;
}

/* A request body left unread makes the kernel reset mod_cgid's socket when
 * we exit, and the client loses the answer: read (a bounded amount) and drop
 * it first. Under mod_cgid stdin is the same socket as stdout, which main()
 * made non-blocking, so a body not there yet is waited for (two seconds at
 * most in all). */
static int body_done;

void cgi_out_body_taken(void)
{
	body_done = 1;
}

static void discard_body(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	unsigned long long left;
	uint64_t end = sse_now_ms() + 2000;
	char buf[8192];

	if (body_done || !cl || sse_parse_u64(cl, strlen(cl), &left) < 0)
		return;
	body_done = 1;
	if (left > (1u << 20))
		left = 1u << 20;
	while (left > 0) {
		struct pollfd pf = { STDIN_FILENO, POLLIN, 0 };
		uint64_t now = sse_now_ms();
		ssize_t n;
		int r;

		/* Polled first: a blocking stdin (a pipe whose writer stalls)
		 * is waited on no longer than a non-blocking one. */
		r = now >= end ? 0 : poll(&pf, 1, (int)(end - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		n = read(STDIN_FILENO, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		left -= (unsigned long long)n;
	}
}

int cgi_answer(const char *text, size_t len)
{
	discard_body();
	return cgi_out_write(NULL, text, len) < 0 ? 1 : 0;
}

static int fail(const char *line, int public)
{
	static const char head[] = "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
				   "Cache-Control: no-cache\r\n\r\nsse.cgi is misconfigured: ";
	char b[sizeof(head) + SSE_ERR_MAX + 64];
	int n;

	cgi_report(NULL, line);
	n = snprintf(b, sizeof(b), "%s%s\n", head, public ? line : "see the web server's error log");
	return cgi_answer(b, n < 0 ? 0 : (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

int cgi_fail500(const char *line)
{
	return fail(line, 0);
}

int cgi_fail500_public(const char *line)
{
	return fail(line, 1);
}
