/* faultshim: an LD_PRELOAD shim for the I/O fault test
 * (test/harden/faults.sh). Configured by the environment:
 *   SSE_FAULT_OPS    comma list of the calls to fail: open (open, openat),
 *                    read (read, pread), write (write, pwrite, writev),
 *                    sync (fsync, fdatasync, msync)
 *   SSE_FAULT_PATH   only on files whose path holds this string (required
 *                    with SSE_FAULT_OPS: stdout and stderr are never failed)
 *   SSE_FAULT_ERRNO  ENOSPC (default), EIO or EMFILE
 *   SSE_FAULT_AFTER  that many matching calls succeed; every later one fails
 *   SSE_FAULT_MALLOC N: the Nth malloc/calloc/realloc and every later one
 *                    return NULL (ENOMEM); 0 or unset: never
 *   SSE_FAULT_COUNT  a file: at exit, "MALLOCS FAULTS PID" (allocations
 *                    made, calls failed), so a sweep knows its range; one
 *                    line per process that exits normally
 *   SSE_FAULT_FORKED 1: allocations are counted and failed in forked
 *                    children only, each from 0 at its fork (a pool's
 *                    workers; the supervisor is left alone)
 * Allocations go to glibc's __libc_* functions: dlsym itself allocates. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static unsigned long mallocs, fail_from, faults, matched;
static int inited, err_no = ENOSPC, forked_only, in_child;
static long after;
static char ops[64], pat[1024];

static void init(void)
{
	const char *v;

	if (inited)
		return;
	inited = 1;
	if ((v = getenv("SSE_FAULT_MALLOC")))
		fail_from = strtoul(v, NULL, 10);
	if ((v = getenv("SSE_FAULT_OPS")))
		snprintf(ops, sizeof(ops), ",%s,", v);
	if ((v = getenv("SSE_FAULT_PATH")))
		snprintf(pat, sizeof(pat), "%s", v);
	if ((v = getenv("SSE_FAULT_AFTER")))
		after = strtol(v, NULL, 10);
	if ((v = getenv("SSE_FAULT_FORKED")))
		forked_only = strcmp(v, "1") == 0;
	if ((v = getenv("SSE_FAULT_ERRNO")))
		err_no = strcmp(v, "EIO") == 0 ? EIO : strcmp(v, "EMFILE") == 0 ? EMFILE : ENOSPC;
}

/* A child counts its own allocations, from 0 (the fork copied the parent's
 * count). */
static void child_forked(void)
{
	in_child = 1;
	mallocs = 0;
	faults = 0;
}

__attribute__((constructor)) static void on_load(void)
{
	(void)pthread_atfork(NULL, NULL, child_forked);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("SSE_FAULT_COUNT");
	char b[64];
	int fd, n;

	if (!path)
		return;
	n = snprintf(b, sizeof(b), "%lu %lu %ld\n", mallocs, faults, (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, b, (size_t)n) != n)
			n = 0;
		close(fd);
	}
}

static int alloc_fails(void)
{
	init();
	if (forked_only && !in_child)
		return 0;
	mallocs++;
	if (fail_from && mallocs >= fail_from) {
		faults++;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return alloc_fails() ? NULL : __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	return alloc_fails() ? NULL : __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __libc_realloc(p, n);
}

/* Is this call (op, on this path) one to fail? */
static int hit(const char *op, const char *path)
{
	char key[16];

	init();
	if (!ops[0] || !pat[0] || !path)
		return 0;
	snprintf(key, sizeof(key), ",%s,", op);
	if (!strstr(ops, key) || !strstr(path, pat))
		return 0;
	if ((long)matched++ < after)
		return 0;
	faults++;
	errno = err_no;
	return 1;
}

static int fd_hit(const char *op, int fd)
{
	char link[64], path[4096];
	ssize_t n;

	init();
	if (!ops[0] || fd <= 2)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return hit(op, path);
}

#define REAL(name) \
	static __typeof__(&name) real_##name; \
	if (!real_##name) \
		real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int open_hit(const char *path)
{
	/* EMFILE is per process: the file need not exist */
	return hit("open", path);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(open);
	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return open_hit(path) ? -1 : real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(open64);
	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return open_hit(path) ? -1 : real_open64(path, flags, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(openat);
	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return open_hit(path) ? -1 : real_openat(dfd, path, flags, mode);
}

int openat64(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(openat64);
	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return open_hit(path) ? -1 : real_openat64(dfd, path, flags, mode);
}

ssize_t read(int fd, void *b, size_t n)
{
	REAL(read);
	return fd_hit("read", fd) ? -1 : real_read(fd, b, n);
}

ssize_t pread(int fd, void *b, size_t n, off_t off)
{
	REAL(pread);
	return fd_hit("read", fd) ? -1 : real_pread(fd, b, n, off);
}

ssize_t pread64(int fd, void *b, size_t n, off_t off)
{
	REAL(pread64);
	return fd_hit("read", fd) ? -1 : real_pread64(fd, b, n, off);
}

ssize_t write(int fd, const void *b, size_t n)
{
	REAL(write);
	return fd_hit("write", fd) ? -1 : real_write(fd, b, n);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t off)
{
	REAL(pwrite);
	return fd_hit("write", fd) ? -1 : real_pwrite(fd, b, n, off);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off_t off)
{
	REAL(pwrite64);
	return fd_hit("write", fd) ? -1 : real_pwrite64(fd, b, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(writev);
	return fd_hit("write", fd) ? -1 : real_writev(fd, iov, cnt);
}

int fsync(int fd)
{
	REAL(fsync);
	return fd_hit("sync", fd) ? -1 : real_fsync(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	return fd_hit("sync", fd) ? -1 : real_fdatasync(fd);
}

/* msync names no file: the index is the only file the product maps, so
 * the pattern is matched against "log/index". */
int msync(void *addr, size_t len, int flags)
{
	REAL(msync);
	return hit("sync", "log/index") ? -1 : real_msync(addr, len, flags);
}
