/* The probe answer (`?probe`): a short stream of timestamped, padded events
 * that sse-doctor reads through the real deployment to see whether anything
 * on the way buffers or compresses it. Both front ends send the same bytes. */
#ifndef SSE_PROBE_H
#define SSE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define SSE_PROBE_EVENTS 12
#define SSE_PROBE_INTERVAL_MS 250
/* Small enough that a buffer of a few kB (nginx's 4k/8k, Apache's 8k)
 * holds several events back, which is what the doctor looks for. */
#define SSE_PROBE_EVENT_SIZE 256

/* Event n (1..SSE_PROBE_EVENTS) into buf (at least SSE_PROBE_EVENT_SIZE):
 *   event: probe
 *   data: N TOTAL INTERVAL_MS SENT_MS PROGRAM SERVER_SOFTWARE
 *   : accept-encoding: ACCEPT_ENCODING padding
 * SENT_MS is the wall clock (ms since the epoch); SERVER_SOFTWARE is what
 * the web server told the program, ACCEPT_ENCODING what the request asked
 * for (HTTP_ACCEPT_ENCODING; CR, LF cut out; "-" when unset): a server
 * compresses only for a request that announces it, as browsers always do,
 * so the doctor must know whether the probe was asked that way. */
size_t sse_probe_event(char *buf, unsigned n, uint64_t sent_ms, const char *program,
		       const char *server_software, const char *accept_encoding);

/* The wall clock in ms since the epoch: what SENT_MS is read against. */
uint64_t sse_probe_clock_ms(void);

#endif
