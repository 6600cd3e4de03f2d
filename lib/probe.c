#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

size_t sse_probe_event(char *buf, unsigned n, uint64_t sent_ms, const char *program,
		       const char *server_software)
{
	char soft[96];
	size_t len, i;
	int k;

	if (!server_software || !server_software[0])
		server_software = "-";
	for (i = 0; server_software[i] && i < sizeof(soft) - 1; i++)
		soft[i] = server_software[i] == '\r' || server_software[i] == '\n' ? ' ' : server_software[i];
	soft[i] = '\0';
	k = snprintf(buf, SSE_PROBE_EVENT_SIZE, "event: probe\ndata: %u %u %u %llu %s %s\n: ", n,
		     SSE_PROBE_EVENTS, SSE_PROBE_INTERVAL_MS, (unsigned long long)sent_ms, program, soft);
	len = k < 0 ? 0 : (size_t)k;
	if (len > SSE_PROBE_EVENT_SIZE - 3)
		len = SSE_PROBE_EVENT_SIZE - 3; /* cut inside the data line: still one event */
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
