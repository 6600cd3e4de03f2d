/* What sse.cgi sends to its web server: stdout, non-blocking, with the
 * wait for a full pipe kept open to SIGTERM and to the channel's intake;
 * the response head in CGI form, or as a whole HTTP status line when the
 * program runs as an NPH script (nph-sse.cgi: Apache then passes the
 * output through no filter at all, mod_deflate included); and the short
 * answers (errors, 500 with its line in the error log). */
#ifndef SSE_CGI_OUT_H
#define SSE_CGI_OUT_H

#include <stddef.h>
#include <sys/uio.h>

extern const char *cgi_prog;
extern int cgi_sig_fd;

/* The intake a process holds must be served while stdout is full: fds()
 * gives the fifo, the watch and a timeout; serve() handles what is ready. */
struct cgi_out_hook {
	void (*fds)(void *ctx, int *fifo, int *watch, int *timeout);
	void (*serve)(void *ctx, int fifo_ready, int watch_ready);
	void *ctx;
};
void cgi_out_hook(const struct cgi_out_hook *hook); /* NULL: none */

/* NPH (the script's file name starts with "nph-"): the head's "Status:"
 * line becomes the HTTP status line; proto is SERVER_PROTOCOL. */
void cgi_out_nph(const char *proto);
/* Whether this run is NPH: from the script's file name, as Apache decides. */
int cgi_is_nph(const char *script_filename, const char *argv0);

/* All of buf to stdout; -1: the client is gone (or SIGTERM came). */
int cgi_out_write(void *ctx, const void *buf, size_t len);
/* A publish read the whole request body: nothing is left to discard
 * before answering. */
void cgi_out_body_taken(void);
/* The pieces as one write when they fit a small buffer (a hub event). */
int cgi_out_writev(void *ctx, const struct iovec *v, size_t n);
/* A head (and body) for a request that is not a stream; 0, or 1 when the
 * client was gone. */
int cgi_answer(const char *text, size_t len);
/* The line in the error log, 500 to the client. */
int cgi_fail500(const char *line);
/* The same, with the line in the answer too: for a setting's error, which
 * names no file and no user (a shared host's owner may not read the log). */
int cgi_fail500_public(const char *line);
void cgi_report(void *ctx, const char *line);

/* The "Status: ..." head in buf as an NPH head into out (status line,
 * Date, Connection: close, the rest of the head); its length, 0 when buf
 * is not a CGI head or out is too small. */
size_t cgi_nph_head(const char *buf, size_t len, const char *proto, char *out, size_t cap);

#endif
