/* Permission errors that say what to change. The usual cause is a spool
 * made by one user (the site's owner, over ssh) and used by another (the
 * web server's): a bare "Permission denied" names neither, so every such
 * error also says who this process runs as, who owns what it could not
 * use, and where the fix is documented. */
#ifndef SSE_PERM_H
#define SSE_PERM_H

#include "err.h"

#define SSE_PERM_DOC "doc/publishing.md#who-may-write-the-spool"

/* For err->code EACCES or EPERM: appends to err->msg, in the same line,
 * "(running as user U, group G; 'P' is O:G mode M)" and what to change.
 * P is the first path quoted in the message ('...'), or the nearest of its
 * parents this process can stat. Other errors are left alone. Keeps errno.
 * sse_err_sys() calls it: every syscall error of lib/ gets it. */
void sse_err_perm(struct sse_err *err);

#endif
