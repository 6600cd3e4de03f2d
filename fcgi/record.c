#include "record.h"

#include <string.h>

static void header(unsigned char *h, unsigned type, uint16_t id, size_t len, unsigned pad)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = (unsigned char)pad;
	h[7] = 0;
}

/* Padding to a multiple of 8, as the specification recommends. */
static size_t pad_of(size_t len)
{
	return (8 - len % 8) % 8;
}

size_t fcgi_stdout_size(size_t len)
{
	size_t full = len / FCGI_CHUNK, rest = len % FCGI_CHUNK;

	return full * (FCGI_HEADER_LEN + FCGI_CHUNK) +
	       (rest ? FCGI_HEADER_LEN + rest + pad_of(rest) : 0);
}

size_t fcgi_stdout_header(uint16_t request_id, size_t n, unsigned char h[FCGI_HEADER_LEN])
{
	size_t pad = pad_of(n);

	header(h, FCGI_STDOUT, request_id, n, (unsigned)pad);
	return pad;
}

size_t fcgi_stdout(uint16_t request_id, const void *data, size_t len, unsigned char *out)
{
	const unsigned char *p = data;
	unsigned char *o = out;

	while (len > 0) {
		size_t n = len < FCGI_CHUNK ? len : FCGI_CHUNK, pad = pad_of(n);

		header(o, FCGI_STDOUT, request_id, n, (unsigned)pad);
		memcpy(o + FCGI_HEADER_LEN, p, n);
		memset(o + FCGI_HEADER_LEN + n, 0, pad);
		o += FCGI_HEADER_LEN + n + pad;
		p += n;
		len -= n;
	}
	return (size_t)(o - out);
}

size_t fcgi_end(uint16_t request_id, uint32_t app_status, unsigned char out[FCGI_END_LEN])
{
	unsigned char *b = out + 2 * FCGI_HEADER_LEN;

	header(out, FCGI_STDOUT, request_id, 0, 0);
	header(out + FCGI_HEADER_LEN, FCGI_END_REQUEST, request_id, 8, 0);
	b[0] = (unsigned char)(app_status >> 24);
	b[1] = (unsigned char)(app_status >> 16);
	b[2] = (unsigned char)(app_status >> 8);
	b[3] = (unsigned char)app_status;
	b[4] = FCGI_REQUEST_COMPLETE;
	b[5] = b[6] = b[7] = 0;
	return FCGI_END_LEN;
}

void fcgi_header_decode(const unsigned char in[FCGI_HEADER_LEN], struct fcgi_header *h)
{
	h->version = in[0];
	h->type = in[1];
	h->request_id = (uint16_t)(in[2] << 8 | in[3]);
	h->content_len = (uint16_t)(in[4] << 8 | in[5]);
	h->padding = in[6];
}

int fcgi_in_scan(struct fcgi_in *in, const unsigned char *buf, size_t n, uint16_t request_id)
{
	for (size_t i = 0; i < n;) {
		if (in->skip > 0) {
			size_t k = n - i < in->skip ? n - i : in->skip;

			in->skip -= (uint32_t)k;
			i += k;
			continue;
		}
		in->hdr[in->len++] = buf[i++];
		if (in->len == FCGI_HEADER_LEN) {
			struct fcgi_header h;

			fcgi_header_decode(in->hdr, &h);
			in->len = 0;
			in->skip = (uint32_t)h.content_len + h.padding;
			if (h.type == FCGI_ABORT_REQUEST && h.request_id == request_id)
				return 1;
		}
	}
	return 0;
}
