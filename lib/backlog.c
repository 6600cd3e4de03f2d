#include "backlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct entry {
	int unseen; /* could not be stat'ed: after the others */
	struct timespec mtime;
	char *name;
};

static int older(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->unseen != y->unseen)
		return x->unseen - y->unseen;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void drop(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
}

int sse_backlog_scan(DIR *d, sse_backlog_take_fn take, void *ctx, struct sse_err *err)
{
	struct entry *e = malloc(SSE_BACKLOG_BATCH * sizeof(*e));
	int dfd = dirfd(d), rc = 0, more = 1;

	if (!e)
		return sse_err_set(err, "out of memory for a drop-box scan");
	while (rc == 0 && more) {
		size_t n = 0;
		struct dirent *de;

		while (n < SSE_BACKLOG_BATCH && (de = readdir(d)) != NULL) {
			struct stat st;

			if (de->d_name[0] == '.')
				continue;
			/* Gone meanwhile (another taker) or unreadable: last, by
			 * name; take() says what is wrong with it. */
			memset(&e[n], 0, sizeof(e[n]));
			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				e[n].unseen = 1;
			else
				e[n].mtime = st.st_mtim;
			e[n].name = strdup(de->d_name);
			if (!e[n].name) {
				drop(e, n);
				free(e);
				return sse_err_set(err, "out of memory for a drop-box scan");
			}
			n++;
		}
		more = n == SSE_BACKLOG_BATCH;
		qsort(e, n, sizeof(*e), older);
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = take(ctx, dfd, e[i].name, err);
		drop(e, n);
	}
	free(e);
	return rc;
}
