#include "fcgi_hub.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io.h"

static int refuse(struct sse_hub_refusal *no, int status, const char *reason)
{
	no->status = status;
	no->reason = reason;
	no->why[0] = '\0';
	return -1;
}

int fcgi_hub_body(FCGX_Stream *in, const char *content_length, size_t max_event, char **body,
		  size_t *len, struct sse_hub_refusal *no)
{
	/* Percent-encoding triples a byte; beyond this no form can be valid. */
	unsigned long long max = 3ull * max_event + 4096, n = 0;
	int got;

	*body = NULL;
	if (content_length && content_length[0] &&
	    sse_parse_u64(content_length, strlen(content_length), &n) < 0)
		return refuse(no, 400, "bad Content-Length\n");
	if (n > max)
		return refuse(no, 400, "the form is larger than SSE_MAX_EVENT allows\n");
	*body = malloc((size_t)n + 1);
	if (!*body)
		return refuse(no, 500, "out of memory\n");
	got = n ? FCGX_GetStr(*body, (int)n, in) : 0;
	if (got < 0 || (unsigned long long)got != n) {
		free(*body);
		*body = NULL;
		return refuse(no, 400, "the body is shorter than its Content-Length\n");
	}
	*len = (size_t)n;
	return 0;
}

uint64_t fcgi_hub_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
