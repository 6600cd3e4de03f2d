/* fcgi/record.c: what it encodes, decoded by the FastCGI rules, is the
 * content and the end that were meant. */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "tap.h"

/* Walks records: checks each header, appends STDOUT content to got. */
static int walk(const unsigned char *b, size_t n, uint16_t id, unsigned char *got, size_t *got_len,
		int *ends_seen)
{
	size_t off = 0;

	*got_len = 0;
	*ends_seen = 0;
	while (off < n) {
		struct fcgi_header h;

		if (n - off < FCGI_HEADER_LEN)
			return 0;
		fcgi_header_decode(b + off, &h);
		if (h.version != FCGI_VERSION_1 || h.request_id != id ||
		    (FCGI_HEADER_LEN + h.content_len + h.padding) % 8 != 0 ||
		    n - off < FCGI_HEADER_LEN + (size_t)h.content_len + h.padding)
			return 0;
		if (h.type == FCGI_STDOUT) {
			if (h.content_len == 0)
				(*ends_seen)++;
			memcpy(got + *got_len, b + off + FCGI_HEADER_LEN, h.content_len);
			*got_len += h.content_len;
		} else if (h.type == FCGI_END_REQUEST) {
			const unsigned char *e = b + off + FCGI_HEADER_LEN;

			if (h.content_len != 8 || e[4] != FCGI_REQUEST_COMPLETE ||
			    (e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3]) != 7)
				return 0;
			(*ends_seen)++;
		} else {
			return 0;
		}
		off += FCGI_HEADER_LEN + h.content_len + h.padding;
	}
	return 1;
}

int main(void)
{
	static const size_t lens[] = { 1, 7, 8, 9, 100, FCGI_CHUNK - 1, FCGI_CHUNK, FCGI_CHUNK + 1,
				       65535, 65536, 3 * FCGI_CHUNK + 5, 300000 };
	size_t max = 300000;
	unsigned char *in = malloc(max), *buf = malloc(fcgi_stdout_size(max) + FCGI_END_LEN),
		      *got = malloc(max);

	for (size_t i = 0; i < max; i++)
		in[i] = (unsigned char)(i * 131 + 7);
	tap_ok(fcgi_stdout_size(0) == 0 && fcgi_stdout(1, in, 0, buf) == 0,
	       "no content: no record (an empty one would end the stream)");
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k], n, got_len;
		int ends;
		uint16_t id = (uint16_t)(k * 4099 + 1);

		n = fcgi_stdout(id, in, len, buf);
		tap_ok(n == fcgi_stdout_size(len), "%zu bytes: size %zu as announced", len, n);
		n += fcgi_end(id, 7, buf + n);
		tap_ok(walk(buf, n, id, got, &got_len, &ends) && got_len == len &&
			       memcmp(got, in, len) == 0 && ends == 2,
		       "%zu bytes, request %u: records decode to the content, then the end", len, id);
	}
	{
		unsigned char e[FCGI_END_LEN];
		static const unsigned char want[FCGI_END_LEN] = {
			1, FCGI_STDOUT, 0x12, 0x34, 0, 0, 0, 0,
			1, FCGI_END_REQUEST, 0x12, 0x34, 0, 8, 0, 0,
			0, 0, 1, 2, FCGI_REQUEST_COMPLETE, 0, 0, 0,
		};

		tap_ok(fcgi_end(0x1234, 258, e) == FCGI_END_LEN && memcmp(e, want, FCGI_END_LEN) == 0,
		       "the end: empty STDOUT, then END_REQUEST with the app status, byte for byte");
	}
	free(in);
	free(buf);
	free(got);
	return tap_done();
}
