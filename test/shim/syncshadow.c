/* syncshadow: an LD_PRELOAD shim for the power-loss test
 * (test/harden/power.sh). It keeps, for every file under SSE_SHADOW_ROOT,
 * what a power cut could not take away: each successful fsync/fdatasync of
 * a regular file, and msync(MS_SYNC) of a map of one, copies the file's
 * content to SSE_SHADOW_DIR/f<inode>; fsync of a directory writes its
 * listing ("inode name" lines) to SSE_SHADOW_DIR/d<inode>. power.sh builds
 * "the disk after the cut" from these and the files as they are.
 *
 * The copy is taken after the sync returned, so it may hold more than was
 * synced (bytes written meanwhile): that can only make unsynced data look
 * durable, never hide the loss of synced data. Copies are serialised by a
 * flock, so a slower copy never replaces a newer one. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Under the root? The fd's path as the kernel names it now. */
static int tracked(int fd)
{
	const char *root = env("SSE_SHADOW_ROOT");
	char link[64], path[4096];
	ssize_t n;

	if (!root || !env("SSE_SHADOW_DIR"))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strncmp(path, root, strlen(root)) == 0 &&
	       (path[strlen(root)] == '/' || path[strlen(root)] == '\0');
}

/* A failed copy aborts: a shadow silently missing would make the test
 * report losses the product did not cause, or hide ones it did. */
static void fail(const char *what)
{
	fprintf(stderr, "syncshadow: %s: %s\n", what, strerror(errno));
	abort();
}

static void copy_out(int wfd, const char *tmp)
{
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), fd;
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	/* the synced fd may be write-only (a segment) */
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", wfd);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (out < 0 || fd < 0)
		fail(tmp);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0)
				fail(tmp);
			w += k;
		}
		off += n;
	}
	if (n < 0)
		fail("reading a synced file");
	close(fd);
	close(out);
}

static void list_out(int fd, const char *tmp)
{
	int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FILE *out = fopen(tmp, "w");
	DIR *dir;
	struct dirent *de;

	if (d < 0 || !out || !(dir = fdopendir(d)))
		fail(tmp);
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			fprintf(out, "%llu %s\n", (unsigned long long)de->d_ino, de->d_name);
	closedir(dir);
	if (fclose(out) != 0)
		fail(tmp);
}

static void record(int fd)
{
	const char *sdir = env("SSE_SHADOW_DIR");
	char lockp[4096], tmp[4096], dst[4096];
	struct stat st;
	int lk, saved = errno;

	if (!tracked(fd) || fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		goto out;
	snprintf(lockp, sizeof(lockp), "%s/.lock", sdir);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d", sdir, (int)getpid());
	snprintf(dst, sizeof(dst), "%s/%c%llu", sdir, S_ISDIR(st.st_mode) ? 'd' : 'f',
		 (unsigned long long)st.st_ino);
	lk = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0 || flock(lk, LOCK_EX) < 0)
		fail(lockp);
	if (S_ISDIR(st.st_mode))
		list_out(fd, tmp);
	else
		copy_out(fd, tmp);
	if (rename(tmp, dst) < 0)
		fail(dst);
	close(lk); /* drops the flock */
out:
	errno = saved;
}

int fsync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	rc = real(fd);
	if (rc == 0)
		record(fd);
	return rc;
}

int fdatasync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	rc = real(fd);
	if (rc == 0)
		record(fd);
	return rc;
}

/* The mapped file, found in /proc/self/maps (the path as it is now). */
static void record_map(void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4608];
	unsigned long a = (unsigned long)addr;

	if (!f)
		fail("/proc/self/maps");
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) >= 2 && off > 0 && a >= lo &&
		    a < hi && line[off] == '/') {
			char *nl = strchr(line + off, '\n');
			int fd;

			if (nl)
				*nl = '\0';
			fd = open(line + off, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				record(fd);
				close(fd);
			}
			break;
		}
	}
	fclose(f);
}

int msync(void *addr, size_t len, int flags)
{
	static int (*real)(void *, size_t, int);
	int rc;

	if (!real)
		real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "msync");
	rc = real(addr, len, flags);
	if (rc == 0 && (flags & MS_SYNC)) {
		int saved = errno;

		record_map(addr);
		errno = saved;
	}
	return rc;
}
