/* The output side of one FastCGI connection on a non-blocking socket: the
 * stream's bytes framed as STDOUT records, then END_REQUEST. This is written
 * by hand because libfcgi's output streams block (a thread per request);
 * here a socket that takes only part of a write keeps the rest, framed, in
 * a per-connection buffer that exists only while the socket is full. The
 * rest of one write is always kept (the stream logic stops feeding a
 * blocked connection, so that is one batch); what is added while bytes
 * wait (heartbeats, the end) is bounded: past FCGI_OUT_MAX the client is
 * given up (it reconnects and resumes from the log). */
#ifndef SSE_FCGI_OUT_H
#define SSE_FCGI_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define FCGI_OUT_MAX (256u * 1024u)

struct fcgi_out {
	int fd;
	uint16_t id;                 /* FastCGI request id */
	unsigned char *pend;         /* framed bytes the socket did not take */
	uint32_t pend_off, pend_len, pend_cap;
};

void fcgi_out_init(struct fcgi_out *o, int fd, uint16_t request_id);
/* Frames data[0..len) as STDOUT records and writes what the socket takes;
 * the rest waits for fcgi_out_flush(). 0, or -1 when the connection failed
 * or the bound was passed (the client is gone for us). */
int fcgi_out_send(struct fcgi_out *o, const void *data, size_t len);
/* The n pieces as one STDOUT record (when they fit one) in one write. */
int fcgi_out_sendv(struct fcgi_out *o, const struct iovec *v, size_t n);
/* The empty STDOUT record and END_REQUEST, after anything pending. */
int fcgi_out_end(struct fcgi_out *o, uint32_t app_status);
/* The socket is writable: 0 all sent, 1 still blocked, -1 failed. */
int fcgi_out_flush(struct fcgi_out *o);
/* Bytes waiting for the socket. */
static inline size_t fcgi_out_pending(const struct fcgi_out *o)
{
	return o->pend_len - o->pend_off;
}
void fcgi_out_free(struct fcgi_out *o);

#endif
