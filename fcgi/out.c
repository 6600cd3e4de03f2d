#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "record.h"

static const unsigned char zeros[8];

void fcgi_out_init(struct fcgi_out *o, int fd, uint16_t request_id)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->id = request_id;
}

void fcgi_out_free(struct fcgi_out *o)
{
	free(o->pend);
	o->pend = NULL;
	o->pend_off = o->pend_len = o->pend_cap = 0;
}

/* Room for n more bytes at the end of pend. bounded: within FCGI_OUT_MAX;
 * the rest of a write the socket took only part of is always kept (one
 * batch, which may hold one event larger than the bound on the wire). */
static unsigned char *pend_room(struct fcgi_out *o, size_t n, int bounded)
{
	if (o->pend_off > 0 && o->pend_off == o->pend_len)
		o->pend_off = o->pend_len = 0;
	if (bounded && o->pend_len - o->pend_off + n > FCGI_OUT_MAX)
		return NULL;
	if (o->pend_len + n > o->pend_cap) {
		size_t live = o->pend_len - o->pend_off;
		size_t cap = live + n < 4096 ? 4096 : live + n;
		unsigned char *p = malloc(cap);

		if (!p)
			return NULL;
		if (live)
			memcpy(p, o->pend + o->pend_off, live);
		free(o->pend);
		o->pend = p;
		o->pend_cap = (uint32_t)cap;
		o->pend_len = (uint32_t)live;
		o->pend_off = 0;
	}
	o->pend_len += (uint32_t)n;
	return o->pend + o->pend_len - n;
}

static ssize_t send_iov(int fd, struct iovec *iov, size_t n)
{
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = n };
	ssize_t w;

	do
		w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return w;
}

/* Writes iov[0..n) unless something already waits; keeps what was not taken. */
static int put_iov(struct fcgi_out *o, struct iovec *iov, size_t n)
{
	ssize_t w = 0;
	int bounded = fcgi_out_pending(o) > 0;

	if (fcgi_out_pending(o) == 0) {
		w = send_iov(o->fd, iov, n);
		if (w < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t skip = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
		size_t rest = iov[i].iov_len - skip;
		unsigned char *p;

		w -= (ssize_t)skip;
		if (rest == 0)
			continue;
		p = pend_room(o, rest, bounded);
		if (!p)
			return -1;
		memcpy(p, (const unsigned char *)iov[i].iov_base + skip, rest);
	}
	return 0;
}

int fcgi_out_send(struct fcgi_out *o, const void *data, size_t len)
{
	/* Three iovecs per record (header, content, padding), a few records
	 * per call: an event of SSE_MAX_EVENT bytes plus its framing. */
	unsigned char heads[8][FCGI_HEADER_LEN];
	struct iovec iov[24];
	const unsigned char *p = data;

	while (len > 0) {
		size_t n = 0, k = 0;

		for (; len > 0 && k < 8; k++) {
			size_t c = len < FCGI_CHUNK ? len : FCGI_CHUNK;
			size_t pad = fcgi_stdout_header(o->id, c, heads[k]);

			iov[n++] = (struct iovec){ heads[k], FCGI_HEADER_LEN };
			iov[n++] = (struct iovec){ (void *)p, c };
			if (pad)
				iov[n++] = (struct iovec){ (void *)zeros, pad };
			p += c;
			len -= c;
		}
		if (put_iov(o, iov, n) < 0)
			return -1;
	}
	return 0;
}

int fcgi_out_sendv(struct fcgi_out *o, const struct iovec *v, size_t n)
{
	unsigned char head[FCGI_HEADER_LEN];
	struct iovec iov[8 + 2];
	size_t len = 0, k = 0, pad;

	for (size_t i = 0; i < n; i++)
		len += v[i].iov_len;
	if (n > 8 || len > FCGI_CHUNK) {
		for (size_t i = 0; i < n; i++)
			if (fcgi_out_send(o, v[i].iov_base, v[i].iov_len) < 0)
				return -1;
		return 0;
	}
	pad = fcgi_stdout_header(o->id, len, head);
	iov[k++] = (struct iovec){ head, FCGI_HEADER_LEN };
	for (size_t i = 0; i < n; i++)
		iov[k++] = v[i];
	if (pad)
		iov[k++] = (struct iovec){ (void *)zeros, pad };
	return put_iov(o, iov, k);
}

int fcgi_out_end(struct fcgi_out *o, uint32_t app_status)
{
	unsigned char end[FCGI_END_LEN];
	struct iovec iov = { end, fcgi_end(o->id, app_status, end) };

	return put_iov(o, &iov, 1);
}

int fcgi_out_flush(struct fcgi_out *o)
{
	while (fcgi_out_pending(o) > 0) {
		struct iovec iov = { o->pend + o->pend_off, fcgi_out_pending(o) };
		ssize_t w = send_iov(o->fd, &iov, 1);

		if (w < 0)
			return -1;
		if (w == 0)
			return 1;
		o->pend_off += (uint32_t)w;
	}
	/* Drained: a stream that keeps up holds no buffer. */
	fcgi_out_free(o);
	return 0;
}
