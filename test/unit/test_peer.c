/* The client-connection check (lib/peer.c): the CGI variables it accepts
 * and refuses, and real loopback connections seen there, closed by the
 * client (CLOSE_WAIT), reset, and over IPv6 and IPv4-mapped addresses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"
#include "tap.h"

struct row {
	const char *raddr, *rport, *laddr, *lport;
	int ok;
};

static const struct row rows[] = {
	{ "127.0.0.1", "40000", "127.0.0.1", "80", 1 },
	{ "::1", "40000", "::1", "443", 1 },
	{ "::ffff:10.0.0.1", "40000", "10.0.0.2", "80", 1 }, /* mapped is IPv4 */
	{ "2001:db8::1", "1", "2001:db8::2", "65535", 1 },
	{ NULL, "40000", "127.0.0.1", "80", 0 },              /* no REMOTE_ADDR */
	{ "127.0.0.1", NULL, "127.0.0.1", "80", 0 },
	{ "127.0.0.1", "40000", NULL, "80", 0 },
	{ "127.0.0.1", "40000", "127.0.0.1", NULL, 0 },
	{ "127.0.0.1", "0", "127.0.0.1", "80", 0 },            /* port 0 */
	{ "127.0.0.1", "65536", "127.0.0.1", "80", 0 },
	{ "127.0.0.1", "-1", "127.0.0.1", "80", 0 },
	{ "127.0.0.1", "80x", "127.0.0.1", "80", 0 },
	{ "example.org", "40000", "127.0.0.1", "80", 0 },      /* names are not looked up */
	{ "127.0.0.1", "40000", "::1", "80", 0 },              /* families differ */
	{ "unix:/run/x.sock", "40000", "127.0.0.1", "80", 0 },
	{ "", "", "", "", 0 },
};

static void check_init(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct sse_peer p;
		int rc = sse_peer_init(&p, r->raddr, r->rport, r->laddr, r->lport);

		tap_ok((rc == 0) == r->ok && (rc == 0) == (p.family != 0),
		       "init %s:%s -> %s:%s: %s", r->raddr ? r->raddr : "(null)", r->rport ? r->rport : "(null)",
		       r->laddr ? r->laddr : "(null)", r->lport ? r->lport : "(null)", r->ok ? "accepted" : "refused");
	}
}

/* A listener, a client connected to it, and the accepted socket: the
 * accepted one plays the web server's, the client the browser. */
struct conn {
	int lfd, cfd, sfd;
	char raddr[64], rport[8], laddr[64], lport[8];
};

static int open_conn(struct conn *c, int family, const char *listen_addr, const char *connect_addr)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->lfd = c->cfd = c->sfd = -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		inet_pton(AF_INET, listen_addr, &a->sin_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, listen_addr, &a->sin6_addr);
		sl = sizeof(*a);
	}
	c->lfd = socket(family, SOCK_STREAM, 0);
	/* IPv4 clients of [::] whatever net.ipv6.bindv6only says */
	if (c->lfd >= 0 && family == AF_INET6) {
		int zero = 0;

		(void)setsockopt(c->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (c->lfd < 0 || setsockopt(c->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(c->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(c->lfd, 4) < 0 ||
	    getsockname(c->lfd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	/* connect to the port we got, at connect_addr (maybe another family) */
	{
		struct sockaddr_storage cs;
		socklen_t csl;
		int port = family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
					     : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);

		memset(&cs, 0, sizeof(cs));
		if (strchr(connect_addr, ':')) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&cs;

			a->sin6_family = AF_INET6;
			a->sin6_port = htons((uint16_t)port);
			inet_pton(AF_INET6, connect_addr, &a->sin6_addr);
			csl = sizeof(*a);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&cs;

			a->sin_family = AF_INET;
			a->sin_port = htons((uint16_t)port);
			inet_pton(AF_INET, connect_addr, &a->sin_addr);
			csl = sizeof(*a);
		}
		c->cfd = socket(cs.ss_family, SOCK_STREAM, 0);
		if (c->cfd < 0 || connect(c->cfd, (struct sockaddr *)&cs, csl) < 0)
			return -1;
	}
	c->sfd = accept(c->lfd, NULL, NULL);
	if (c->sfd < 0)
		return -1;
	/* What a web server puts in REMOTE_* and SERVER_*: the accepted
	 * socket's peer and local names, as text. */
	{
		struct sockaddr_storage a;
		socklen_t al = sizeof(a);
		char host[64];

		for (int side = 0; side < 2; side++) {
			int port;

			al = sizeof(a);
			if ((side ? getsockname(c->sfd, (struct sockaddr *)&a, &al)
				  : getpeername(c->sfd, (struct sockaddr *)&a, &al)) < 0)
				return -1;
			if (a.ss_family == AF_INET) {
				inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, host, sizeof(host));
				port = ntohs(((struct sockaddr_in *)&a)->sin_port);
			} else {
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, host, sizeof(host));
				port = ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
			}
			snprintf(side ? c->laddr : c->raddr, 64, "%s", host);
			snprintf(side ? c->lport : c->rport, 8, "%d", port);
		}
	}
	return 0;
}

static void close_conn(struct conn *c)
{
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->sfd >= 0)
		close(c->sfd);
	if (c->lfd >= 0)
		close(c->lfd);
}

static void check_live(const char *what, int family, const char *listen_addr, const char *connect_addr, int reset)
{
	struct conn c;
	struct sse_peer p;

	if (!tap_ok(open_conn(&c, family, listen_addr, connect_addr) == 0, "%s: a loopback connection", what)) {
		close_conn(&c);
		return;
	}
	tap_ok(sse_peer_init(&p, c.raddr, c.rport, c.laddr, c.lport) == 0, "%s: init from %s:%s -> %s:%s", what,
	       c.raddr, c.rport, c.laddr, c.lport);
	tap_ok(sse_peer_check(&p) == SSE_PEER_THERE, "%s: seen established", what);
	tap_ok(sse_peer_check(&p) == SSE_PEER_THERE, "%s: still there at a second look", what);
	if (reset) {
		struct linger lg = { 1, 0 };

		setsockopt(c.cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c.cfd);
	c.cfd = -1;
	usleep(20000); /* the FIN or RST crosses loopback at once; a margin */
	tap_ok(sse_peer_check(&p) == SSE_PEER_GONE, "%s: the client %s: gone", what, reset ? "reset" : "closed");
	close_conn(&c);
}

/* A client that half-closes right after its request (ncat, a TCP proxy)
 * and goes on reading: before the first look it is never seen, so never
 * gone; once seen, its FIN counts as leaving. */
static void check_half_close(void)
{
	struct conn c;
	struct sse_peer p;
	char b[8];

	if (open_conn(&c, AF_INET, "127.0.0.1", "127.0.0.1") < 0) {
		tap_ok(0, "half-close: a loopback connection");
		close_conn(&c);
		return;
	}
	shutdown(c.cfd, SHUT_WR);
	usleep(20000);
	sse_peer_init(&p, c.raddr, c.rport, c.laddr, c.lport);
	tap_ok(sse_peer_check(&p) == SSE_PEER_UNKNOWN, "half-closed before the first look: unknown, not gone");
	tap_ok(write(c.sfd, "data\n", 5) == 5 && read(c.cfd, b, sizeof(b)) == 5,
	       "and the client still reads what the server writes");
	tap_ok(sse_peer_check(&p) == SSE_PEER_UNKNOWN, "still unknown at the next look");
	close_conn(&c);
}

static void check_other_hop(void)
{
	struct conn c;
	struct sse_peer p;
	char port[16];

	if (open_conn(&c, AF_INET, "127.0.0.1", "127.0.0.1") < 0) {
		tap_ok(0, "other hop: a loopback connection");
		close_conn(&c);
		return;
	}
	/* A REMOTE_PORT that is not this connection's (a proxy rewrote
	 * REMOTE_ADDR): never seen, so never called gone. */
	snprintf(port, sizeof(port), "%u", (unsigned)(atoi(c.rport) == 65535 ? 65534 : atoi(c.rport) + 1) & 0xffffu);
	sse_peer_init(&p, c.raddr, port, c.laddr, c.lport);
	tap_ok(sse_peer_check(&p) == SSE_PEER_UNKNOWN, "another hop's variables: unknown, not gone");
	tap_ok(sse_peer_check(&p) == SSE_PEER_UNKNOWN, "and again: unknown");
	close_conn(&c);
	memset(&p, 0, sizeof(p));
	tap_ok(sse_peer_check(&p) == SSE_PEER_UNKNOWN, "nothing to look up: unknown");
}

int main(void)
{
	check_init();
	check_live("ipv4", AF_INET, "127.0.0.1", "127.0.0.1", 0);
	check_live("ipv4 reset", AF_INET, "127.0.0.1", "127.0.0.1", 1);
	check_live("ipv6", AF_INET6, "::1", "::1", 0);
	check_live("ipv4 client of an [::] listener", AF_INET6, "::", "127.0.0.1", 0);
	check_half_close();
	check_other_hop();
	return tap_done();
}
