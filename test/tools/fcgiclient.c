/* A small FastCGI client for the tests: what a web server does, without one.
 *
 *   fcgiclient [-t SEC] [-a SEC] [-s] [-b FILE [-B N]] ADDR [NAME=VALUE]...
 *     one request; STDOUT content is copied to stdout as it arrives; exit 0
 *     after END_REQUEST, 3 when the connection closed without it, 4 when -t
 *     passed first. -a SEC: send ABORT_REQUEST after SEC. -s: stall (never
 *     read) until -t. -b FILE: the request body (FCGI_STDIN records; a POST
 *     also needs CONTENT_LENGTH among the params, which is not checked
 *     against it, so a lying one can be sent). -B N: send only the body's
 *     first N bytes and never its end (a client that stalls mid-body).
 *     The params may be large (1 MiB query strings): they are split into
 *     records as a web server does.
 *   fcgiclient -c N [-t SEC] [-u ID] ADDR [NAME=VALUE]...
 *     N concurrent requests; ids of events ("id: N" lines) are checked per
 *     stream: strictly increasing and consecutive. Ends when every stream has
 *     seen id ID (or -t). Prints one line:
 *       streams=N open=N ended=N events=N min=N max=N disorder=N
 *
 * ADDR is unix:/path or 127.0.0.1:PORT (loopback only). */
#include <arpa/inet.h>
#include <errno.h>
#include <fastcgi.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(const char *addr)
{
	int fd;

	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };

		if (strlen(addr + 5) >= sizeof(un.sun_path))
			return -1;
		strcpy(un.sun_path, addr + 5);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	{
		struct sockaddr_in in = { .sin_family = AF_INET };
		const char *colon = strrchr(addr, ':');
		char host[64];

		if (!colon || (size_t)(colon - addr) >= sizeof(host))
			return -1;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = 0;
		if (inet_pton(AF_INET, host, &in.sin_addr) != 1 || (ntohl(in.sin_addr.s_addr) >> 24) != 127)
			return -1;
		in.sin_port = htons((uint16_t)atoi(colon + 1));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&in, sizeof(in)) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
}

static size_t record(unsigned char *o, int type, const void *data, size_t len)
{
	o[0] = FCGI_VERSION_1;
	o[1] = (unsigned char)type;
	o[2] = 0;
	o[3] = 1;
	o[4] = (unsigned char)(len >> 8);
	o[5] = (unsigned char)len;
	o[6] = 0;
	o[7] = 0;
	if (len)
		memcpy(o + 8, data, len);
	return 8 + len;
}

static size_t nv(unsigned char *o, const char *pair)
{
	const char *eq = strchr(pair, '=');
	size_t n = (size_t)(eq - pair), v = strlen(eq + 1), k = 0;

	if (n > 127) {
		o[k++] = (unsigned char)(0x80 | n >> 24);
		o[k++] = (unsigned char)(n >> 16);
		o[k++] = (unsigned char)(n >> 8);
	}
	o[k++] = (unsigned char)n;
	if (v > 127) {
		o[k++] = (unsigned char)(0x80 | v >> 24);
		o[k++] = (unsigned char)(v >> 16);
		o[k++] = (unsigned char)(v >> 8);
	}
	o[k++] = (unsigned char)v;
	memcpy(o + k, pair, n);
	memcpy(o + k + n, eq + 1, v);
	return k + n + v;
}

/* A request's bytes, sent as the server reads them (one() does not block
 * on a server that answers and stops reading). */
struct req {
	unsigned char *b;
	size_t len, sent;
};

/* Appends records of TYPE holding data (none: one empty record), each at
 * most 65535 bytes as the protocol allows. */
static void records(struct req *r, int type, const unsigned char *data, size_t len)
{
	do {
		size_t n = len > 65535 ? 65535 : len;

		r->len += record(r->b + r->len, type, data, n);
		data += n;
		len -= n;
	} while (len);
}

/* BEGIN_REQUEST, the params, empty PARAMS, the body as STDIN and (unless
 * body_end is 0) the empty STDIN that ends it. -1: a param without '=',
 * or no memory. */
static int build_request(struct req *r, char **params, int np, const unsigned char *body,
			 size_t blen, int body_end)
{
	unsigned char begin[8] = { 0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0 }, *p;
	size_t pl = 0, cap = 0;

	r->b = NULL;
	for (int i = 0; i < np; i++) {
		if (!strchr(params[i], '='))
			return -1;
		cap += strlen(params[i]) + 8;
	}
	p = malloc(cap + 1);
	/* the records' heads: 8 bytes per 65535 of content, and the rest */
	r->b = malloc(cap + blen + 8 * ((cap + blen) / 65535 + 8));
	r->len = r->sent = 0;
	if (!p || !r->b) {
		free(p);
		free(r->b);
		r->b = NULL;
		return -1;
	}
	for (int i = 0; i < np; i++)
		pl += nv(p + pl, params[i]);
	r->len += record(r->b, FCGI_BEGIN_REQUEST, begin, 8);
	if (pl)
		records(r, FCGI_PARAMS, p, pl);
	records(r, FCGI_PARAMS, NULL, 0);
	if (blen)
		records(r, FCGI_STDIN, body, blen);
	if (body_end)
		records(r, FCGI_STDIN, NULL, 0);
	free(p);
	return 0;
}

static int send_request(int fd, char **params, int np)
{
	struct req r;
	int rc = build_request(&r, params, np, NULL, 0, 1);

	rc = rc < 0 || write(fd, r.b, r.len) != (ssize_t)r.len ? -1 : 0;
	free(r.b);
	return rc;
}

struct conn {
	int fd, ended, open;
	unsigned char rec[8 + 65535 + 255];
	size_t rec_len;
	char line[256];
	size_t line_len;
	unsigned long long last_id, events;
	int disorder;
};

/* Feeds bytes; calls out() with STDOUT content. Returns 1 at END_REQUEST. */
static int feed(struct conn *c, const unsigned char *b, size_t n,
		void (*out)(struct conn *c, const unsigned char *d, size_t len))
{
	for (size_t i = 0; i < n; i++) {
		size_t clen, plen;

		c->rec[c->rec_len++] = b[i];
		if (c->rec_len < 8)
			continue;
		clen = (size_t)c->rec[4] << 8 | c->rec[5];
		plen = c->rec[6];
		if (c->rec_len < 8 + clen + plen)
			continue;
		c->rec_len = 0;
		if (c->rec[1] == FCGI_STDOUT && clen)
			out(c, c->rec + 8, clen);
		if (c->rec[1] == FCGI_END_REQUEST)
			return 1;
	}
	return 0;
}

static void to_stdout(struct conn *c, const unsigned char *d, size_t len)
{
	(void)c;
	fwrite(d, 1, len, stdout);
	fflush(stdout);
}

static void count_ids(struct conn *c, const unsigned char *d, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (d[i] != '\n') {
			if (c->line_len < sizeof(c->line) - 1)
				c->line[c->line_len++] = (char)d[i];
			continue;
		}
		c->line[c->line_len] = 0;
		c->line_len = 0;
		if (strncmp(c->line, "id: ", 4) == 0) {
			unsigned long long id = strtoull(c->line + 4, NULL, 10);

			if (c->events && id != c->last_id + 1)
				c->disorder++;
			c->last_id = id;
			c->events++;
		}
	}
}

static int one(const char *addr, char **params, int np, double limit, double abort_at, int stall,
	       const unsigned char *body, size_t blen, int body_end)
{
	static struct conn conn;
	struct conn *c = &conn;
	double start = now();
	int sent_abort = 0, rc = -1;
	struct req r;

	if (build_request(&r, params, np, body, blen, body_end) < 0) {
		fprintf(stderr, "fcgiclient: a parameter is not NAME=VALUE, or out of memory\n");
		return 2;
	}
	c->fd = dial(addr);
	if (c->fd < 0) {
		fprintf(stderr, "fcgiclient: cannot reach %s: %s\n", addr, strerror(errno));
		rc = 1;
	}
	while (rc < 0) {
		struct pollfd pf = { c->fd, (short)((stall ? 0 : POLLIN) | (r.sent < r.len ? POLLOUT : 0)), 0 };
		double t = now() - start;
		unsigned char buf[65536];
		ssize_t n;

		if (t >= limit) {
			rc = 4;
			break;
		}
		if (abort_at > 0 && !sent_abort && t >= abort_at) {
			unsigned char rec[8];

			record(rec, FCGI_ABORT_REQUEST, NULL, 0);
			if (write(c->fd, rec, 8) != 8) {
				rc = 1;
				break;
			}
			sent_abort = 1;
		}
		if (poll(&pf, 1, 50) <= 0)
			continue;
		if (pf.revents & POLLOUT) {
			n = send(c->fd, r.b + r.sent, r.len - r.sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			/* a server that answered before it read it all stops reading */
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				r.sent = r.len;
			else if (n > 0)
				r.sent += (size_t)n;
		}
		if (stall || !(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(c->fd, buf, sizeof(buf));
		if (n <= 0)
			rc = 3;
		else if (feed(c, buf, (size_t)n, to_stdout))
			rc = 0;
	}
	free(r.b);
	return rc;
}

/* The whole of FILE, or NULL with a message. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f) {
		fprintf(stderr, "fcgiclient: cannot open '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		unsigned char *nb = cap - *len < 65536 ? realloc(b, cap = cap * 2 + 65536) : b;
		size_t n;

		if (!nb) {
			free(b);
			fclose(f);
			return NULL;
		}
		b = nb;
		n = fread(b + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return b;
}

static int many(const char *addr, char **params, int np, int count, double limit,
		unsigned long long until)
{
	struct rlimit rl;
	struct conn *cs = calloc((size_t)count, sizeof(*cs));
	int ep = epoll_create1(0), open = 0, ended = 0;
	double start = now();
	unsigned long long total = 0, min = ~0ull, max = 0;
	int disorder = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)count + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)count + 64 ? rl.rlim_max : (rlim_t)count + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!cs || ep < 0)
		return 1;
	for (int i = 0; i < count; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };

		cs[i].fd = dial(addr);
		if (cs[i].fd < 0 || send_request(cs[i].fd, params, np) < 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) {
			fprintf(stderr, "fcgiclient: connection %d: %s\n", i, strerror(errno));
			return 1;
		}
		cs[i].open = 1;
		open++;
	}
	while (now() - start < limit && open > 0) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, 100), done = 1;

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			unsigned char buf[65536];
			ssize_t r = read(c->fd, buf, sizeof(buf));

			if (r <= 0 || feed(c, buf, (size_t)r, count_ids)) {
				c->ended = r > 0;
				ended += c->ended;
				c->open = 0;
				open--;
				close(c->fd);
			}
		}
		for (int i = 0; i < count && done; i++)
			done = !cs[i].open || (until && cs[i].last_id >= until);
		if (until && done)
			break;
	}
	for (int i = 0; i < count; i++) {
		total += cs[i].events;
		disorder += cs[i].disorder;
		if (cs[i].events < min)
			min = cs[i].events;
		if (cs[i].events > max)
			max = cs[i].events;
	}
	printf("streams=%d open=%d ended=%d events=%llu min=%llu max=%llu disorder=%d\n", count, open,
	       ended, total, min, max, disorder);
	free(cs);
	close(ep);
	return 0;
}

int main(int argc, char **argv)
{
	double limit = 10, abort_at = 0;
	int count = 0, stall = 0, opt;
	unsigned long long until = 0;
	const char *body_file = NULL;
	long body_part = -1;
	unsigned char *body = NULL;
	size_t blen = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "t:a:sc:u:b:B:")) != -1) {
		switch (opt) {
		case 't': limit = atof(optarg); break;
		case 'a': abort_at = atof(optarg); break;
		case 's': stall = 1; break;
		case 'c': count = atoi(optarg); break;
		case 'u': until = strtoull(optarg, NULL, 10); break;
		case 'b': body_file = optarg; break;
		case 'B': body_part = atol(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: fcgiclient [-t SEC] [-a SEC] [-s] [-b FILE [-B N]] [-c N [-u ID]] ADDR [NAME=VALUE]...\n");
		return 2;
	}
	if (count > 0)
		return many(argv[optind], argv + optind + 1, argc - optind - 1, count, limit, until);
	if (body_file && !(body = slurp(body_file, &blen)))
		return 1;
	if (body_part >= 0 && (size_t)body_part < blen)
		blen = (size_t)body_part;
	opt = one(argv[optind], argv + optind + 1, argc - optind - 1, limit, abort_at, stall, body,
		  blen, body_part < 0);
	free(body);
	return opt;
}
