/* Is the browser's TCP connection still there? A CGI program cannot see
 * its client's socket, and learns that the client left only when a write
 * fails; a web server that holds the output in a buffer (Apache's
 * mod_deflate reading a CGI to its end, an output filter) makes every write
 * succeed, so a stream whose client is gone would live until the server
 * stops. The kernel still knows the connection by the four values every
 * CGI gets (REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR, SERVER_PORT): one
 * NETLINK_SOCK_DIAG lookup of that exact socket says whether the client
 * closed it (CLOSE_WAIT), reset it (gone), or is still connected. */
#ifndef SSE_PEER_H
#define SSE_PEER_H

#include <stdint.h>

struct sse_peer {
	int family;          /* AF_INET or AF_INET6; 0: nothing to look up */
	uint32_t local[4], remote[4]; /* network order, as inet_diag wants */
	uint16_t local_port, remote_port; /* host order */
	int seen;            /* found established once: a later miss means gone */
};

/* From the CGI variables; -1 (and nothing to look up) when one is missing
 * or not a numeric address and port (a unix socket, a proxy's rewrite). */
int sse_peer_init(struct sse_peer *p, const char *remote_addr, const char *remote_port,
		  const char *server_addr, const char *server_port);

enum sse_peer_state { SSE_PEER_UNKNOWN, SSE_PEER_THERE, SSE_PEER_GONE };

/* One lookup. UNKNOWN when the kernel cannot be asked or the connection
 * was never seen established (the variables describe another hop, or the
 * client half-closed before the first look): only a connection seen
 * established and then closed (CLOSE_WAIT), reset or missing is GONE. */
enum sse_peer_state sse_peer_check(struct sse_peer *p);

#endif
