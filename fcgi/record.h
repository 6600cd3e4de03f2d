/* FastCGI records that sse-fcgi writes itself. libfcgi accepts connections
 * and decodes a request's parameters well, but its output streams block and
 * need a thread per request, which cannot hold thousands of streams in one
 * event loop; so the STDOUT and END_REQUEST records of a stream are encoded
 * here, into the caller's buffer, and written non-blocking by the caller.
 * Pure functions, no I/O; the record layout is libfcgi's fastcgi.h. */
#ifndef SSE_FCGI_RECORD_H
#define SSE_FCGI_RECORD_H

#include <fastcgi.h>
#include <stddef.h>
#include <stdint.h>

/* Content per STDOUT record: the largest multiple of 8 a record holds, so
 * only the last record of a run needs padding. */
#define FCGI_CHUNK 65528
/* An empty STDOUT record (end of the stream) and END_REQUEST. */
#define FCGI_END_LEN (3 * FCGI_HEADER_LEN)

/* Bytes fcgi_stdout() writes for len bytes of content (0 for len 0). */
size_t fcgi_stdout_size(size_t len);

/* STDOUT records carrying data[0..len) for request_id into out, which holds
 * fcgi_stdout_size(len) bytes; returns that size. Nothing for len 0: an
 * empty STDOUT record would end the stream (that is fcgi_end()'s job). */
size_t fcgi_stdout(uint16_t request_id, const void *data, size_t len, unsigned char *out);

/* The header of one STDOUT record of n (1..FCGI_CHUNK) content bytes, for
 * a writer that sends the content from where it lies (writev); returns the
 * padding that must follow the content (zero bytes). */
size_t fcgi_stdout_header(uint16_t request_id, size_t n, unsigned char h[FCGI_HEADER_LEN]);

/* The empty STDOUT record, then END_REQUEST (FCGI_REQUEST_COMPLETE) with
 * app_status: FCGI_END_LEN bytes. */
size_t fcgi_end(uint16_t request_id, uint32_t app_status, unsigned char out[FCGI_END_LEN]);

struct fcgi_header {
	unsigned version, type;
	uint16_t request_id;
	uint16_t content_len;
	uint8_t padding;
};
void fcgi_header_decode(const unsigned char in[FCGI_HEADER_LEN], struct fcgi_header *h);

/* The web server's records after a request's parameters, as they arrive in
 * pieces: headers are gathered across reads, content and padding skipped. */
struct fcgi_in {
	unsigned char hdr[FCGI_HEADER_LEN];
	uint8_t len;                  /* header bytes gathered */
	uint32_t skip;                /* content and padding left to skip */
};
/* Scans buf[0..n); 1 at an ABORT_REQUEST for request_id (the rest of buf
 * is not scanned), else 0 with the state kept for the next piece. */
int fcgi_in_scan(struct fcgi_in *in, const unsigned char *buf, size_t n, uint16_t request_id);

#endif
