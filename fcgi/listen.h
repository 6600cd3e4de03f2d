/* The pool's listening socket for --listen: unix:/path or HOST:PORT. Not
 * libfcgi's FCGX_OpenSocket: it prints and exits on a failed bind, where a
 * user needs one line naming the socket, and resolves with gethostbyname,
 * which a static program cannot. */
#ifndef SSE_FCGI_LISTEN_H
#define SSE_FCGI_LISTEN_H

#include <sys/types.h>

#include "err.h"

/* A listening, non-blocking socket. A stale unix socket at the path (a
 * pool that died) is replaced; any other file there is an error. Returns
 * the fd, -1 on error, -2 when spec is malformed (bad usage). */
int fcgi_listen(const char *spec, mode_t unix_mode, struct sse_err *err);

#endif
