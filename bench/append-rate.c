/* append-rate: how fast events can be appended to a channel log.
 *
 *   cc -O2 -Ilib bench/append-rate.c build/libsse.a -lz -o append-rate
 *   append-rate [-n EVENTS] [-s BYTES] [-c CALLS] [-r REPEATS] [-k] SSE_PUBLISH
 *
 * In a fresh temporary spool (removed at the end unless -k):
 *   lib   sse_channel_open() + EVENTS x sse_channel_publish(), one event per
 *         call, each BYTES of data (default 200000 x 100)
 *   raw   EVENTS events in the input framing ("data: ...\n\n") in a file,
 *         timed as `SSE_PUBLISH --spool SPOOL --raw raw < file > ids`
 *         (the ids printed are counted: one per event)
 *   one   CALLS x `SSE_PUBLISH --spool SPOOL one DATA > /dev/null`, one after
 *         the other (fork + exec + wait timed around each), default 200
 * lib and raw are repeated REPEATS times (default 3), each into a new channel.
 * Every loop is bounded by its count. Output: human-readable lines and one
 * machine-readable line per measurement:
 *   APPEND path=lib|raw events=... bytes=... wall_s=... rate=... cpu_s=...
 *   ONECALL calls=... mean_us=... p50_us=... p90_us=... p99_us=... max_us=... cpu_mean_us=...
 * Exit status 1 when a publish fails or an id count is off. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sse.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double self_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

static void fill(char *buf, size_t size, unsigned long i)
{
	/* "<seq> xxxx..." : printable, one line */
	int n = snprintf(buf, size + 1, "%lu ", i);
	for (size_t k = (size_t)n; k < size; k++)
		buf[k] = (char)('a' + (k + i) % 26);
	buf[size] = 0;
}

static int bench_lib(const char *spool, const char *chan, unsigned long n, size_t size)
{
	char err[512], data[70000];
	uint64_t id = 0, first = 0;
	sse_channel *ch = sse_channel_open(spool, chan, SSE_OPEN_CREATE, 0, err, sizeof err);
	if (!ch) {
		fprintf(stderr, "append-rate: sse_channel_open %s/%s: %s\n", spool, chan, err);
		return -1;
	}
	double c0 = self_cpu(), t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		fill(data, size, i);
		if (sse_channel_publish(ch, NULL, data, size, &id, err, sizeof err) != 0) {
			fprintf(stderr, "append-rate: publish %lu: %s\n", i, err);
			sse_channel_close(ch);
			return -1;
		}
		if (i == 0)
			first = id;
	}
	double t1 = now_s(), c1 = self_cpu();
	sse_channel_close(ch);
	if (id - first + 1 != n) {
		fprintf(stderr, "append-rate: ids %" PRIu64 "..%" PRIu64 " for %lu events\n", first, id, n);
		return -1;
	}
	printf("lib: %lu events of %zu bytes in %.3f s = %.0f events/s (cpu %.3f s, ids %" PRIu64 "..%" PRIu64 ")\n",
	       n, size, t1 - t0, (double)n / (t1 - t0), c1 - c0, first, id);
	printf("APPEND path=lib events=%lu bytes=%zu wall_s=%.4f rate=%.0f cpu_s=%.3f\n", n, size, t1 - t0,
	       (double)n / (t1 - t0), c1 - c0);
	return 0;
}

/* Runs argv with stdin/stdout redirected; returns the exit status (-1 on
 * error), the wall time and the child's CPU time. */
static int run(char *const argv[], const char *in, const char *out, double *wall, double *cpu)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fi = open(in ? in : "/dev/null", O_RDONLY);
		int fo = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fi < 0 || fo < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*wall = now_s() - t0;
	*cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;
	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int bench_raw(const char *pub, const char *dir, const char *spool, const char *chan, unsigned long n,
		     size_t size)
{
	char in[4096], out[4096], data[70000];
	snprintf(in, sizeof in, "%s/events.txt", dir);
	snprintf(out, sizeof out, "%s/ids.txt", dir);
	FILE *f = fopen(in, "w");
	if (!f) {
		fprintf(stderr, "append-rate: %s: %s\n", in, strerror(errno));
		return -1;
	}
	for (unsigned long i = 0; i < n; i++) {
		fill(data, size, i);
		fprintf(f, "data: %s\n\n", data);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "append-rate: writing %s failed\n", in);
		return -1;
	}
	/* create the channel first, so the timed call only appends */
	char *cargv[] = {(char *)pub, "--spool", (char *)spool, "--create", (char *)chan, NULL};
	double wall, cpu;
	if (run(cargv, NULL, NULL, &wall, &cpu) != 0) {
		fprintf(stderr, "append-rate: %s --create %s failed\n", pub, chan);
		return -1;
	}
	char *argv[] = {(char *)pub, "--spool", (char *)spool, "--raw", (char *)chan, NULL};
	int st = run(argv, in, out, &wall, &cpu);
	long ids = count_lines(out);
	if (st != 0 || ids != (long)n) {
		fprintf(stderr, "append-rate: %s --raw exited %d, printed %ld ids for %lu events\n", pub, st, ids, n);
		return -1;
	}
	printf("raw: %lu events of %zu bytes in %.3f s = %.0f events/s (cpu %.3f s) via sse-publish --raw\n", n,
	       size, wall, (double)n / wall, cpu);
	printf("APPEND path=raw events=%lu bytes=%zu wall_s=%.4f rate=%.0f cpu_s=%.3f\n", n, size, wall,
	       (double)n / wall, cpu);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int bench_one(const char *pub, const char *spool, unsigned long calls, size_t size)
{
	char data[70000];
	double *t = calloc(calls, sizeof *t), sum = 0, cpusum = 0;
	if (!t)
		return -1;
	for (unsigned long i = 0; i < calls; i++) {
		fill(data, size, i);
		char *argv[] = {(char *)pub, "--spool", (char *)spool, "one", data, NULL};
		double cpu;
		int st = run(argv, NULL, NULL, &t[i], &cpu);
		if (st != 0) {
			fprintf(stderr, "append-rate: call %lu of %s exited %d\n", i, pub, st);
			free(t);
			return -1;
		}
		sum += t[i];
		cpusum += cpu;
	}
	qsort(t, calls, sizeof *t, cmp_double);
#define PCT(p) (t[(size_t)((double)(calls - 1) * (p))] * 1e6)
	printf("one: %lu sse-publish calls: mean %.0f us, p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us "
	       "(child cpu mean %.0f us)\n",
	       calls, sum / (double)calls * 1e6, PCT(0.5), PCT(0.9), PCT(0.99), t[calls - 1] * 1e6,
	       cpusum / (double)calls * 1e6);
	printf("ONECALL calls=%lu mean_us=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f cpu_mean_us=%.0f\n",
	       calls, sum / (double)calls * 1e6, PCT(0.5), PCT(0.9), PCT(0.99), t[calls - 1] * 1e6,
	       cpusum / (double)calls * 1e6);
	free(t);
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	unsigned long n = 200000, calls = 200, repeats = 3;
	size_t size = 100;
	int keep = 0, opt, rc = 0;
	while ((opt = getopt(argc, argv, "n:s:c:r:kh")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'c': calls = strtoul(optarg, NULL, 10); break;
		case 'r': repeats = strtoul(optarg, NULL, 10); break;
		case 'k': keep = 1; break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: append-rate [-n EVENTS] [-s BYTES] [-c CALLS] [-r REPEATS] [-k] SSE_PUBLISH\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 1 || n < 1 || n > 100000000 || size < 24 || size > 60000 || calls < 1 ||
	    calls > 1000000 || repeats < 1 || repeats > 100) {
		fprintf(stderr, "usage: append-rate [-n 1..1e8] [-s 24..60000] [-c CALLS] [-r 1..100] [-k] SSE_PUBLISH\n");
		return 2;
	}
	const char *pub = argv[optind];
	if (access(pub, X_OK) != 0) {
		fprintf(stderr, "append-rate: %s: not executable\n", pub);
		return 2;
	}
	char dir[] = "/tmp/append-rate.XXXXXX", spool[4096];
	if (!mkdtemp(dir)) {
		perror("append-rate: mkdtemp");
		return 1;
	}
	snprintf(spool, sizeof spool, "%s/spool", dir);
	if (mkdir(spool, 0755) != 0) {
		perror("append-rate: mkdir spool");
		return 1;
	}
	printf("append-rate: %s, %lu events of %zu bytes x %lu repeats, %lu single calls; spool %s\n", sse_version(),
	       n, size, repeats, calls, spool);
	fflush(stdout);
	for (unsigned long r = 0; r < repeats && rc == 0; r++) {
		char chan[32];
		snprintf(chan, sizeof chan, "lib%lu", r);
		rc |= bench_lib(spool, chan, n, size);
		fflush(stdout);
		snprintf(chan, sizeof chan, "raw%lu", r);
		if (rc == 0)
			rc |= bench_raw(pub, dir, spool, chan, n, size);
		fflush(stdout);
	}
	if (rc == 0)
		rc |= bench_one(pub, spool, calls, size);
	if (!keep)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("kept %s\n", dir);
	return rc ? 1 : 0;
}
