#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "io.h"

#define BACKLOG 4096

static int listen_unix(const char *path, mode_t mode, struct sse_err *err)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (path[0] != '/')
		return sse_err_set(err, "--listen 'unix:%s': expected unix:/absolute/path", path), -2;
	if (strlen(path) >= sizeof(un.sun_path))
		return sse_err_set(err, "--listen 'unix:%s': the path is too long for a socket", path);
	strcpy(un.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return sse_err_set(err, "cannot listen on '%s': a file that is not a socket is there",
					   path);
		if (unlink(path) < 0)
			return sse_err_sys(err, "cannot remove the old socket '%s'", path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sse_err_sys(err, "socket for '%s'", path);
	if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		if (errno == ENOENT) /* /run is emptied at every boot: the usual miss */
			sse_err_set(err, "cannot listen on '%s': its directory does not exist (make it, "
				    "writable by the pool's user: install -d -o www-data -g www-data DIR; "
				    "systemd: RuntimeDirectory=)", path);
		else
			sse_err_sys(err, "cannot listen on '%s'", path);
		close(fd);
		return -1;
	}
	if (chmod(path, mode) < 0 || listen(fd, BACKLOG) < 0) {
		sse_err_sys(err, "cannot listen on '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int listen_inet(const char *spec, struct sse_err *err)
{
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST |
								       AI_NUMERICSERV };
	struct addrinfo *ai;
	char host[256];
	int fd, one = 1, rc;
	size_t hl;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return sse_err_set(err, "--listen '%s': expected unix:/path or HOST:PORT", spec), -2;
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host))
		return sse_err_set(err, "--listen '%s': the host is too long", spec), -2;
	memcpy(host, spec, hl);
	host[hl] = 0;
	/* [::1]:9000 */
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = 0;
	}
	rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
	if (rc != 0)
		return sse_err_set(err, "--listen '%s': %s (give a numeric address)", spec, gai_strerror(rc)),
		       -2;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return sse_err_sys(err, "socket for '%s'", spec);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, BACKLOG) < 0) {
		sse_err_sys(err, "cannot listen on '%s'", spec);
		freeaddrinfo(ai);
		close(fd);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int fcgi_listen(const char *spec, mode_t unix_mode, struct sse_err *err)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return listen_unix(spec + 5, unix_mode, err);
	return listen_inet(spec, err);
}
