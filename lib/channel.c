#include "channel.h"

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int sse_channel_check(const char *name, size_t len, struct sse_err *err)
{
	if (len == 0)
		return sse_err_set(err, "empty channel name");
	if (len > SSE_CHANNEL_MAX)
		return sse_err_set(err, "channel name longer than %d characters", SSE_CHANNEL_MAX);
	for (size_t i = 0; i < len; i++)
		if (!name_char((unsigned char)name[i]))
			/* The name is not echoed: it may hold control bytes. */
			return sse_err_set(err, "bad channel name: only A-Z a-z 0-9 . _ - are allowed");
	if (name[0] == '.')
		return sse_err_set(err, "bad channel name '%.*s': must not start with '.'",
				   (int)len, name);
	return 0;
}
