/* What sse.cgi takes from its web server beside the request itself
 * (lib/peer.c, lib/probe.c): REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR and
 * SERVER_PORT, which name the client's connection for the kernel lookup,
 * and the Accept-Encoding and SERVER_SOFTWARE the probe echoes.
 * Input: NUL-separated fields REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR,
 * SERVER_PORT, SERVER_SOFTWARE, HTTP_ACCEPT_ENCODING; a missing field is
 * an unset variable. Asserts, beyond "no crash":
 *   - variables are accepted only as numeric addresses of one family and
 *     ports 1..65535, and then there is something to look up;
 *   - a connection is called there only once it was seen;
 *   - a probe event is exactly SSE_PROBE_EVENT_SIZE bytes, three lines and
 *     a blank one, no CR, whatever the request sent. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "peer.h"
#include "probe.h"

#define FIELDS 6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *f[FIELDS] = { 0 }, *p;
	struct sse_peer peer;
	char ev[SSE_PROBE_EVENT_SIZE];
	size_t n, lf = 0;
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	for (int i = 0; i < FIELDS && p <= copy + size; i++) {
		f[i] = p;
		p += strlen(p) + 1;
	}
	rc = sse_peer_init(&peer, f[0], f[1], f[2], f[3]);
	CHECK(rc == 0 || rc == -1);
	CHECK((rc == 0) == (peer.family != 0));
	if (rc == 0) {
		CHECK(peer.local_port != 0 && peer.remote_port != 0);
		CHECK(f[1] && f[3] && strlen(f[1]) <= 20 && strlen(f[3]) <= 20);
		/* one lookup in the kernel, by whatever the variables say */
		CHECK(sse_peer_check(&peer) != SSE_PEER_THERE || peer.seen);
	}
	n = sse_probe_event(ev, 1, 1796600000000ull, "sse.cgi", f[4], f[5]);
	CHECK(n == SSE_PROBE_EVENT_SIZE);
	CHECK(memcmp(ev, "event: probe\ndata: 1 ", 20) == 0);
	CHECK(memcmp(ev + n - 2, "\n\n", 2) == 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(ev[i] != '\r' && ev[i] != '\0');
		lf += ev[i] == '\n';
	}
	CHECK(lf == 4);
	free(copy);
	return 0;
}
