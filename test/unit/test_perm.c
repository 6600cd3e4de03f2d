/* A permission error says who runs and who owns what (lib/perm.h), and
 * libsse's SSE_OPEN_CREATE makes a missing spool as sse-publish does
 * (lib/spool.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "perm.h"
#include "sse.h"
#include "tap.h"

static void explain(const char *dir)
{
	struct sse_err err;
	char want[512];
	struct stat st;

	/* A file under a directory we can stat: the directory is named. */
	errno = EACCES;
	sse_err_sys(&err, "cannot open '%s/none/index'", dir);
	tap_ok(err.code == EACCES && errno == EACCES, "the code and errno are kept (%d)", err.code);
	tap_ok(strstr(err.msg, ": Permission denied (running as user ") != NULL, "names the user: %s",
	       err.msg);
	if (stat(dir, &st) < 0)
		st.st_mode = 0;
	snprintf(want, sizeof(want), "; '%s' is ", dir);
	tap_ok(strstr(err.msg, want) != NULL, "names the nearest directory it can see");
	snprintf(want, sizeof(want), "mode %04o", (unsigned)(st.st_mode & 07777));
	tap_ok(strstr(err.msg, want) != NULL, "with its mode (%s)", want);
	tap_ok(strstr(err.msg, "see doc/publishing.md#who-may-write-the-spool") != NULL &&
	       strchr(err.msg, '\n') == NULL, "points at the fix, in one line");

	/* The file itself when it can be seen. */
	errno = EPERM;
	sse_err_sys(&err, "cannot set the mode of '%s'", dir);
	tap_ok(strstr(err.msg, "; it is ") != NULL, "EPERM too, the file itself: %s", err.msg);

	/* Without a file named, nothing is added (epoll_ctl's EPERM). */
	errno = EPERM;
	sse_err_sys(&err, "epoll_ctl(fd 1)");
	tap_ok(strcmp(err.msg, "epoll_ctl(fd 1): Operation not permitted") == 0, "no file, no note: %s",
	       err.msg);
	errno = ENOENT;
	sse_err_sys(&err, "cannot open '%s/x'", dir);
	tap_ok(strstr(err.msg, "running as") == NULL, "other errors are left alone");
}

static void create_spool(const char *dir)
{
	char spool[512], nope[512], msg[1024];
	struct stat st;
	sse_channel *c;

	snprintf(spool, sizeof(spool), "%s/spool", dir);
	umask(077);
	c = sse_channel_open(spool, "ch", SSE_OPEN_CREATE, 0, msg, sizeof(msg));
	tap_ok(c != NULL, "SSE_OPEN_CREATE makes a missing spool (%s)", c ? "" : msg);
	sse_channel_close(c);
	if (stat(spool, &st) < 0)
		st.st_mode = 0;
	tap_ok((st.st_mode & 07777) == 02775, "with mode 2775 under umask 077 (%o)",
	       (unsigned)(st.st_mode & 07777));
	snprintf(nope, sizeof(nope), "%s/nope/spool", dir);
	c = sse_channel_open(nope, "ch", SSE_OPEN_CREATE, 0, msg, sizeof(msg));
	tap_ok(c == NULL && strstr(msg, "its parent directory") != NULL, "not its parent: %s", msg);
	snprintf(nope, sizeof(nope), "%s/other", dir);
	c = sse_channel_open(nope, "ch", 0, 0, msg, sizeof(msg));
	tap_ok(c == NULL && access(nope, F_OK) < 0, "without SSE_OPEN_CREATE nothing is made");
}

int main(void)
{
	char dir[] = "/tmp/sse-perm.XXXXXX";
	char cmd[64];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	explain(dir);
	create_spool(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "cannot remove %s", dir);
	return tap_done();
}
