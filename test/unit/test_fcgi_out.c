/* fcgi/out.c over a real socket pair with a small send buffer: whatever the
 * socket takes at a time, the peer decodes the exact byte stream in STDOUT
 * records followed by END_REQUEST; the pending buffer stays bounded, and is
 * released once drained. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "out.h"
#include "record.h"
#include "tap.h"

struct peer {
	int fd;
	unsigned char *got;  /* STDOUT content, concatenated */
	size_t got_len, got_cap;
	unsigned char rec[8 + 65535 + 255];
	size_t rec_len;
	int bad, ended, empty_stdout;
	uint32_t app_status;
};

/* Reads what is there and decodes whole records. */
static void peer_read(struct peer *p, uint16_t id)
{
	for (;;) {
		unsigned char buf[4096];
		ssize_t n = read(p->fd, buf, sizeof(buf));

		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			struct fcgi_header h;

			p->rec[p->rec_len++] = buf[i];
			if (p->rec_len < FCGI_HEADER_LEN)
				continue;
			fcgi_header_decode(p->rec, &h);
			if (p->rec_len < (size_t)FCGI_HEADER_LEN + h.content_len + h.padding)
				continue;
			if (h.version != FCGI_VERSION_1 || h.request_id != id || p->ended)
				p->bad++;
			if (h.type == FCGI_STDOUT && h.content_len == 0) {
				p->empty_stdout = 1;
			} else if (h.type == FCGI_STDOUT) {
				if ((h.content_len + h.padding) % 8 != 0 && h.content_len != 0)
					p->bad++;
				if (p->got_len + h.content_len > p->got_cap) {
					p->got_cap = (p->got_len + h.content_len) * 2;
					p->got = realloc(p->got, p->got_cap);
				}
				memcpy(p->got + p->got_len, p->rec + FCGI_HEADER_LEN, h.content_len);
				p->got_len += h.content_len;
			} else if (h.type == FCGI_END_REQUEST && h.content_len == 8) {
				const unsigned char *b = p->rec + FCGI_HEADER_LEN;

				p->ended = p->empty_stdout && b[4] == FCGI_REQUEST_COMPLETE;
				p->app_status = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
						(uint32_t)b[2] << 8 | b[3];
			} else {
				p->bad++;
			}
			p->rec_len = 0;
		}
	}
}

int main(void)
{
	int sv[2], sndbuf = 4096;
	struct fcgi_out o;
	struct peer p = { 0 };
	unsigned char *want = malloc(1u << 22);
	size_t want_len = 0, max_pending = 0;
	int blocked = 0, sends = 0, failed = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0 || !want) {
		perror("setup");
		return 1;
	}
	p.fd = sv[1];
	fcgi_out_init(&o, sv[0], 513);
	/* Sizes around the record bounds: 1..7 (padding), 65528 (one full
	 * record), 65529 and 70000 (two records). */
	static const size_t sizes[] = { 1, 7, 8, 9, 100, 4096, 65528, 65529, 70000, 3 };
	for (int round = 0; round < 40; round++) {
		size_t n = sizes[round % 10];
		unsigned char *d = malloc(n);

		for (size_t i = 0; i < n; i++)
			d[i] = (unsigned char)(round * 31 + i * 7);
		if (fcgi_out_send(&o, d, n) < 0) {
			failed++;
		} else {
			memcpy(want + want_len, d, n);
			want_len += n;
		}
		free(d);
		sends++;
		if (fcgi_out_pending(&o) > max_pending)
			max_pending = fcgi_out_pending(&o);
		if (fcgi_out_pending(&o) > 0)
			blocked++;
		/* Every third send the peer reads and the writer flushes. */
		if (round % 3 == 2) {
			for (int k = 0; k < 50 && fcgi_out_pending(&o) > 0; k++) {
				peer_read(&p, 513);
				if (fcgi_out_flush(&o) < 0)
					failed++;
			}
		}
	}
	tap_ok(failed == 0, "every send and flush succeeded while the peer reads (%d failures)", failed);
	tap_ok(blocked > 0, "the small socket buffer blocked the writer (%d of %d sends)", blocked, sends);
	tap_ok(max_pending <= FCGI_OUT_MAX, "pending bytes stayed within the bound (%zu)", max_pending);
	if (fcgi_out_end(&o, 7) < 0)
		failed++;
	for (int k = 0; k < 1000 && (fcgi_out_pending(&o) > 0 || !p.ended); k++) {
		peer_read(&p, 513);
		if (fcgi_out_flush(&o) < 0)
			break;
	}
	tap_ok(p.ended && p.app_status == 7, "the peer saw the empty STDOUT and END_REQUEST (status %u)",
	       p.app_status);
	tap_ok(p.bad == 0, "every record was well formed and for request 513 (%d bad)", p.bad);
	tap_ok(p.got_len == want_len && memcmp(p.got, want, want_len) == 0,
	       "the peer decoded exactly the bytes sent (%zu of %zu)", p.got_len, want_len);
	tap_ok(o.pend == NULL, "a drained connection holds no buffer");

	/* A stalled peer: sends go on until the bound is passed, never beyond. */
	{
		struct fcgi_out s;
		unsigned char chunk[10000] = { 0 };
		int sv2[2], gave_up = 0;
		size_t most = 0;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0)
			return 1;
		(void)setsockopt(sv2[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		fcgi_out_init(&s, sv2[0], 1);
		for (int i = 0; i < 1000 && !gave_up; i++) {
			gave_up = fcgi_out_send(&s, chunk, sizeof(chunk)) < 0;
			if (fcgi_out_pending(&s) > most)
				most = fcgi_out_pending(&s);
		}
		tap_ok(gave_up, "a peer that never reads is given up");
		tap_ok(most <= FCGI_OUT_MAX && most > FCGI_OUT_MAX - sizeof(chunk) - 64,
		       "after holding up to the bound (%zu bytes)", most);
		/* A peer that went away: the next write fails. */
		fcgi_out_free(&s);
		close(sv2[1]);
		fcgi_out_init(&s, sv2[0], 1);
		for (int i = 0; i < 200 && !(gave_up = fcgi_out_send(&s, chunk, 10) < 0); i++)
			;
		tap_ok(gave_up && errno == EPIPE, "a closed peer fails the write (EPIPE, no SIGPIPE)");
		fcgi_out_free(&s);
		close(sv2[0]);
	}
	/* One write larger than the bound (a 64 KiB event of empty lines is
	 * ~460 kB on the wire) is kept whole; only what comes after is bounded. */
	{
		struct fcgi_out b;
		size_t big = FCGI_OUT_MAX + 200000;
		unsigned char *d = calloc(1, big);
		int sv3[2];

		if (!d || socketpair(AF_UNIX, SOCK_STREAM, 0, sv3) < 0)
			return 1;
		(void)setsockopt(sv3[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		fcgi_out_init(&b, sv3[0], 1);
		int sent = fcgi_out_send(&b, d, big);
		size_t waiting = fcgi_out_pending(&b);

		tap_ok(sent == 0 && waiting > FCGI_OUT_MAX,
		       "a first write larger than the bound is kept whole (%zu pending)", waiting);
		tap_ok(fcgi_out_send(&b, d, 100) < 0, "more while it waits is refused");
		fcgi_out_free(&b);
		close(sv3[0]);
		close(sv3[1]);
		free(d);
	}
	fcgi_out_free(&o);
	free(p.got);
	free(want);
	return tap_done();
}
