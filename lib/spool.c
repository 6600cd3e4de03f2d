#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

int sse_spool_chan_dir(char *dir, size_t cap, const char *spool, const char *name,
		       struct sse_err *err)
{
	int n = snprintf(dir, cap, "%s/%s", spool, name);

	if (n < 0 || (size_t)n >= cap)
		return sse_err_set(err, "spool path too long: '%.200s'", spool);
	return 0;
}

int sse_spool_check(const char *spool, struct sse_err *err)
{
	struct stat st;

	if (stat(spool, &st) < 0 && errno == ENOENT && spool[0] != '/')
		return sse_err_set(err, "cannot use spool '%s': no such directory here; give an absolute "
				   "path (a web server starts programs in a directory of its choosing)", spool);
	if (stat(spool, &st) < 0 && errno == ENOENT)
		return sse_err_set(err, "cannot use spool '%s': no such directory (check the path; "
				   "sse-publish --spool '%s' --create CHANNEL makes it)", spool, spool);
	if (stat(spool, &st) < 0)
		return sse_err_sys(err, "cannot use spool '%s'", spool);
	if (!S_ISDIR(st.st_mode))
		return sse_err_set(err, "cannot use spool '%s': not a directory", spool);
	return 0;
}

/* The modes are set explicitly: a web server's umask 022 would otherwise
 * lock out a producer running as another user of the group. */
static int make_dir(const char *path, struct sse_err *err)
{
	if (mkdir(path, SSE_DIR_MODE) < 0)
		return sse_err_sys(err, "cannot create directory '%s'", path);
	if (chmod(path, SSE_DIR_MODE) < 0)
		return sse_err_sys(err, "cannot set the mode of '%s'", path);
	return 0;
}

/* Undoes build(): best effort, the caller reports the first error. */
static void remove_partial(const char *tmp)
{
	static const char *const files[] = { "fifo", "drain.lock", "drain.owner", "log/index", "log/hwm" };
	static const char *const dirs[] = { "log", "incoming" };
	char path[PATH_MAX];
	struct stat st;

	/* A link planted under our name must not lead the unlinks out of the
	 * spool: it goes itself, and nothing behind it. */
	if (lstat(tmp, &st) < 0 || !S_ISDIR(st.st_mode)) {
		(void)unlink(tmp);
		return;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (sse_path(path, sizeof(path), NULL, "%s/%s", tmp, files[i]) == 0)
			(void)unlink(path);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (sse_path(path, sizeof(path), NULL, "%s/%s", tmp, dirs[i]) == 0)
			(void)rmdir(path);
	}
	(void)rmdir(tmp);
}

/* A new name is durable only once its directory is synced. Not sse_open():
 * the spool itself may be a link an admin made (/var/spool/sse -> /srv/sse);
 * only what lies under it is never followed. */
static int sync_dir(const char *path, struct sse_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sse_err_sys(err, "cannot open '%s'", path);
	if (fsync(fd) < 0) {
		sse_err_sys(err, "cannot sync '%s'", path);
		sse_close(fd);
		return -1;
	}
	sse_close(fd);
	return 0;
}

/* The first channel makes the spool too, as a channel directory is made
 * (the web side never creates anything). Its parent must exist: a typo
 * there must not grow a tree of directories. */
static int make_spool(const char *spool, struct sse_err *err)
{
	char parent[PATH_MAX];
	char *slash;
	size_t len;
	struct stat st;

	if (stat(spool, &st) == 0 || errno != ENOENT)
		return sse_spool_check(spool, err);
	if (sse_path(parent, sizeof(parent), err, "%s", spool) < 0)
		return -1;
	for (len = strlen(parent); len > 1 && parent[len - 1] == '/'; len--)
		parent[len - 1] = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		strcpy(parent, ".");
	else
		slash[slash == parent] = '\0'; /* "/spool" has the parent "/" */
	if (mkdir(spool, SSE_DIR_MODE) < 0) {
		if (errno == EEXIST) /* another creator was first */
			return sse_spool_check(spool, err);
		if (errno == ENOENT)
			return sse_err_set(err, "cannot create spool '%s': its parent directory '%s' does "
					   "not exist (create it first)", spool, parent);
		return sse_err_sys(err, "cannot create spool '%s'", spool);
	}
	if (chmod(spool, SSE_DIR_MODE) < 0)
		return sse_err_sys(err, "cannot set the mode of '%s'", spool);
	/* The spool's name must outlive a power cut with the channels in it. */
	return sync_dir(parent, err);
}

static int build(const char *tmp, unsigned long history, struct sse_err *err)
{
	char path[PATH_MAX];

	if (make_dir(tmp, err) < 0)
		return -1;
	if (sse_path(path, sizeof(path), err, "%s/incoming", tmp) < 0 || make_dir(path, err) < 0)
		return -1;
	if (sse_path(path, sizeof(path), err, "%s/fifo", tmp) < 0)
		return -1;
	if (mkfifo(path, SSE_FIFO_MODE) < 0)
		return sse_err_sys(err, "cannot create fifo '%s'", path);
	if (chmod(path, SSE_FIFO_MODE) < 0)
		return sse_err_sys(err, "cannot set the mode of '%s'", path);
	/* The intake's lock files (intake.h), so their modes are ours too. */
	for (int i = 0; i < 2; i++) {
		int fd;

		if (sse_path(path, sizeof(path), err, "%s/%s", tmp, i ? "drain.owner" : "drain.lock") < 0)
			return -1;
		fd = sse_open(path, O_RDONLY | O_CREAT | O_EXCL, SSE_FILE_MODE, err);
		if (fd < 0)
			return -1;
		sse_close(fd);
		if (chmod(path, SSE_FILE_MODE) < 0)
			return sse_err_sys(err, "cannot set the mode of '%s'", path);
	}
	if (sse_log_init(tmp, history, err) < 0)
		return -1;
	if (sse_path(path, sizeof(path), err, "%s/log", tmp) < 0)
		return -1;
	if (chmod(path, SSE_DIR_MODE) < 0)
		return sse_err_sys(err, "cannot set the mode of '%s'", path);
	/* Its entries reach the disk before the rename can: a power cut must
	 * not leave a channel without log/index. */
	if (sync_dir(path, err) < 0 || sync_dir(tmp, err) < 0)
		return -1;
	return 0;
}

int sse_spool_create(const char *spool, const char *name, unsigned long history,
		     struct sse_err *err)
{
	char dir[PATH_MAX - 80], tmp[PATH_MAX];
	struct stat st;
	int rc;

	if (sse_spool_chan_dir(dir, sizeof(dir), spool, name, err) < 0)
		return -1;
	if (lstat(dir, &st) == 0) /* a link there is refused when opened */
		return 1;
	if (make_spool(spool, err) < 0)
		return -1;
	/* A leading '.' can never be a channel name. */
	if (sse_path(tmp, sizeof(tmp), err, "%s/.new-%s-%ld", spool, name, (long)getpid()) < 0)
		return -1;
	remove_partial(tmp);
	if (build(tmp, history, err) < 0) {
		remove_partial(tmp);
		return -1;
	}
	rc = rename(tmp, dir);
	if (rc < 0 && (errno == EEXIST || errno == ENOTEMPTY)) {
		remove_partial(tmp);
		return 1;
	}
	if (rc < 0) {
		sse_err_sys(err, "cannot create channel '%s'", dir);
		remove_partial(tmp);
		return -1;
	}
	/* Else a power cut could take the channel, and the ids it handed out,
	 * back (an SSE_SYNC=1 producer's acknowledged events with it). */
	return sync_dir(spool, err) < 0 ? -1 : 0;
}

struct sse_log *sse_spool_open(const char *spool, const char *name, int sync,
			       struct sse_err *err)
{
	char dir[PATH_MAX - 80];

	if (sse_spool_chan_dir(dir, sizeof(dir), spool, name, err) < 0)
		return NULL;
	return sse_log_open(dir, sync, err);
}
