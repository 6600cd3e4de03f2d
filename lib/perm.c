#include "perm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The programs are linked statically, where getpwuid() would need the
 * shared libc's NSS modules at run time: names come from the files (the
 * web server's user is a local one), a number stands in for any other. */
static void id_name(const char *db, unsigned long id, char *out, size_t cap)
{
	FILE *f = fopen(db, "re");
	char *line = NULL;
	size_t lcap = 0;

	snprintf(out, cap, "%lu", id);
	if (!f)
		return;
	/* name:password:id:... in both /etc/passwd and /etc/group */
	while (getline(&line, &lcap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end;
		unsigned long v;

		if (!c2 || c2[1] < '0' || c2[1] > '9')
			continue;
		v = strtoul(c2 + 1, &end, 10);
		if (*end != ':' || v != id)
			continue;
		*c1 = '\0';
		snprintf(out, cap, "%s", line);
		break;
	}
	free(line);
	fclose(f);
}

/* The effective group first, then the supplementary ones: group access
 * is decided by all of them. */
static void group_names(char *out, size_t cap, int *many)
{
	gid_t list[32], eg = getegid();
	int n = getgroups(32, list);
	size_t len;

	id_name("/etc/group", eg, out, cap);
	*many = 0;
	for (int i = 0; i < n; i++) {
		if (list[i] == eg)
			continue;
		len = strlen(out);
		if (len + 2 >= cap)
			break;
		out[len] = ',';
		id_name("/etc/group", list[i], out + len + 1, cap - len - 1);
		*many = 1;
	}
}

/* The first '...' of the message: by convention the file it is about. */
static int quoted_path(const char *msg, char *out, size_t cap)
{
	const char *a = strchr(msg, '\''), *b = a ? strchr(a + 1, '\'') : NULL;
	size_t len = b ? (size_t)(b - a - 1) : 0;

	if (len == 0 || len >= cap)
		return -1;
	memcpy(out, a + 1, len);
	out[len] = '\0';
	return 0;
}

/* What denied access is the path itself when it can be seen, else the
 * nearest directory above it that can (a home directory without search
 * permission hides everything below it). */
static int nearest(char *path, struct stat *st)
{
	for (;;) {
		char *slash;

		if (stat(path, st) == 0)
			return 0;
		slash = strrchr(path, '/');
		if (!slash) {
			if (strcmp(path, ".") == 0)
				return -1;
			strcpy(path, ".");
		} else if (slash == path) {
			if (path[1] == '\0')
				return -1;
			path[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
}

void sse_err_perm(struct sse_err *err)
{
	int saved = errno, many;
	char user[64], groups[256], owner[64], group[64];
	char asked[PATH_MAX], path[PATH_MAX];
	char acl[2] = "";
	struct stat st;
	size_t n;

	/* Without a file named, it is not about the spool's permissions (an
	 * epoll_ctl on a regular file says EPERM, and is expected). */
	if (!err || (err->code != EACCES && err->code != EPERM) ||
	    quoted_path(err->msg, asked, sizeof(asked)) < 0)
		return;
	id_name("/etc/passwd", geteuid(), user, sizeof(user));
	group_names(groups, sizeof(groups), &many);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, " (running as user %s, group%s %s", user,
		 many ? "s" : "", groups);
	snprintf(path, sizeof(path), "%s", asked);
	if (nearest(path, &st) == 0) {
		id_name("/etc/passwd", st.st_uid, owner, sizeof(owner));
		id_name("/etc/group", st.st_gid, group, sizeof(group));
		/* as ls -l shows it: with an ACL, the group bits are its mask */
		if (getxattr(path, "system.posix_acl_access", NULL, 0) >= 0)
			acl[0] = '+';
		n = strlen(err->msg);
		if (strcmp(asked, path) == 0)
			snprintf(err->msg + n, sizeof(err->msg) - n, "; it is");
		else
			snprintf(err->msg + n, sizeof(err->msg) - n, "; '%s' is", path);
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, " %s:%s mode %04o%s", owner, group,
			 (unsigned)(st.st_mode & 07777), acl);
	}
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n,
		 "): user %s needs write access to the spool and search access to the "
		 "directories above it (a shared group or an ACL), see " SSE_PERM_DOC, user);
	errno = saved;
}
