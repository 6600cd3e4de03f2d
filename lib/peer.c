#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long long v;

	if (!s || sse_parse_u64(s, strlen(s), &v) < 0 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* An IPv4 address into the first word; an IPv6 one whole. A web server
 * listening on [::] reports an IPv4 client as "127.0.0.1" or as
 * "::ffff:127.0.0.1": the kernel finds both by their IPv4 form. */
static int parse_addr(const char *s, int *family, uint32_t a[4])
{
	struct in6_addr a6;

	memset(a, 0, 4 * sizeof(a[0]));
	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, &a[0]) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a[0], &a6.s6_addr[12], 4);
		*family = AF_INET;
		return 0;
	}
	memcpy(a, &a6, 16);
	*family = AF_INET6;
	return 0;
}

int sse_peer_init(struct sse_peer *p, const char *remote_addr, const char *remote_port,
		  const char *server_addr, const char *server_port)
{
	int fr, fl;

	memset(p, 0, sizeof(*p));
	if (parse_addr(remote_addr, &fr, p->remote) < 0 || parse_addr(server_addr, &fl, p->local) < 0 ||
	    fr != fl || parse_port(remote_port, &p->remote_port) < 0 ||
	    parse_port(server_port, &p->local_port) < 0) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	p->family = fr;
	return 0;
}

/* The socket's TCP state, 0 when the kernel has no such socket, -1 when it
 * could not be asked. An exact lookup (no NLM_F_DUMP): the kernel finds the
 * one socket by its hash, whatever the number of connections. */
static int lookup_state(const struct sse_peer *p)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} rq;
	union {
		struct nlmsghdr nlh;
		char b[1024];
	} rs;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	int fd, state = -1;
	ssize_t n;

	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST;
	rq.req.sdiag_family = (uint8_t)p->family;
	rq.req.sdiag_protocol = IPPROTO_TCP;
	rq.req.idiag_states = ~0u;
	rq.req.id.idiag_sport = htons(p->local_port);
	rq.req.id.idiag_dport = htons(p->remote_port);
	memcpy(rq.req.id.idiag_src, p->local, sizeof(p->local));
	memcpy(rq.req.id.idiag_dst, p->remote, sizeof(p->remote));
	rq.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	rq.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	do
		n = sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&nl, sizeof(nl));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(rq)) {
		do
			n = recv(fd, &rs, sizeof(rs), MSG_DONTWAIT); /* queued before sendto returned */
		while (n < 0 && errno == EINTR);
		if (n >= (ssize_t)sizeof(struct nlmsghdr) && NLMSG_OK(&rs.nlh, (size_t)n)) {
			if (rs.nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY &&
			    rs.nlh.nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
				const struct inet_diag_msg *m = NLMSG_DATA(&rs.nlh);

				/* The lookup falls back to a listening socket on
				 * the port: not ours, so as good as missing. */
				state = m->idiag_state == TCP_LISTEN ? 0 : m->idiag_state;
			} else if (rs.nlh.nlmsg_type == NLMSG_ERROR &&
				   rs.nlh.nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
				const struct nlmsgerr *e = NLMSG_DATA(&rs.nlh);

				state = e->error == -ENOENT ? 0 : -1;
			}
		}
	}
	close(fd);
	return state;
}

enum sse_peer_state sse_peer_check(struct sse_peer *p)
{
	int state;

	if (!p->family)
		return SSE_PEER_UNKNOWN;
	state = lookup_state(p);
	if (state < 0)
		return SSE_PEER_UNKNOWN;
	if (state == TCP_ESTABLISHED) {
		p->seen = 1;
		return SSE_PEER_THERE;
	}
	/* Seen established, then CLOSE_WAIT (the client's FIN came in and the
	 * server has not noticed), reset, closed or missing: gone. Never seen:
	 * another hop's socket, or a client that half-closed right after its
	 * request (ncat, a TCP proxy passing the half-close on) and still
	 * reads: unknown, never gone, since a false "gone" ends a healthy
	 * stream. */
	return p->seen ? SSE_PEER_GONE : SSE_PEER_UNKNOWN;
}
