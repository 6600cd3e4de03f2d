#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A header's value as one line of at most cap - 1 bytes, "-" when unset. */
static void one_line(char *dst, size_t cap, const char *v)
{
	size_t i;

	if (!v || !v[0])
		v = "-";
	for (i = 0; v[i] && i < cap - 1; i++)
		dst[i] = v[i] == '\r' || v[i] == '\n' ? ' ' : v[i];
	dst[i] = '\0';
}

size_t sse_probe_event(char *buf, unsigned n, uint64_t sent_ms, const char *program,
		       const char *server_software, const char *accept_encoding)
{
	char soft[96], ae[64];
	size_t len;
	int k;

	one_line(soft, sizeof(soft), server_software);
	one_line(ae, sizeof(ae), accept_encoding);
	k = snprintf(buf, SSE_PROBE_EVENT_SIZE, "event: probe\ndata: %u %u %u %llu %s %s\n: accept-encoding: %s ",
		     n, SSE_PROBE_EVENTS, SSE_PROBE_INTERVAL_MS, (unsigned long long)sent_ms, program, soft, ae);
	len = k < 0 ? 0 : (size_t)k;
	if (len > SSE_PROBE_EVENT_SIZE - 3)
		len = SSE_PROBE_EVENT_SIZE - 3; /* cut inside a line: still one event */
	memset(buf + len, '.', SSE_PROBE_EVENT_SIZE - 2 - len);
	memcpy(buf + SSE_PROBE_EVENT_SIZE - 2, "\n\n", 2);
	return SSE_PROBE_EVENT_SIZE;
}

uint64_t sse_probe_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
