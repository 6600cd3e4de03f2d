#include "slots.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "spool.h"

int sse_slot_take(const char *spool, unsigned long max, struct sse_err *err)
{
	char path[PATH_MAX];
	struct timespec ts;
	unsigned long start;
	int fd;

	if (sse_path(path, sizeof(path), err, "%s/.streams", spool) < 0)
		return -1;
	fd = sse_open(path, O_RDWR | O_CREAT, SSE_FILE_MODE, err);
	if (fd < 0)
		return -1;
	/* Shared by every server user of the spool, whatever the umask. */
	(void)fchmod(fd, SSE_FILE_MODE);
	/* A random first slot: a probe or two while there is room. */
	clock_gettime(CLOCK_REALTIME, &ts);
	start = ((unsigned long)ts.tv_nsec ^ (unsigned long)getpid() * 2654435761u) % max;
	for (unsigned long i = 0; i < max; i++) {
		struct flock fl = {
			.l_type = F_WRLCK, .l_whence = SEEK_SET,
			.l_start = (off_t)((start + i) % max), .l_len = 1,
		};

		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return fd;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			sse_err_sys(err, "cannot lock '%s'", path);
			sse_close(fd);
			return -1;
		}
	}
	sse_close(fd);
	return -2;
}
