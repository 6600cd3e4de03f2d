#include "cgi_hub.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "out.h"
#include "spool.h"
#include "wait.h"

/* A body that stops coming for this long is not waited for. */
#define BODY_WAIT_MS 10000

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void request_of_env(struct sse_hub_request *rq)
{
	rq->method = getenv("REQUEST_METHOD");
	rq->query = getenv("QUERY_STRING");
	rq->last_event_id = getenv("HTTP_LAST_EVENT_ID");
	rq->authorization = getenv("HTTP_AUTHORIZATION");
	rq->cookie = getenv("HTTP_COOKIE");
	rq->origin = getenv("HTTP_ORIGIN");
	rq->content_type = getenv("CONTENT_TYPE");
}

static int refused(const struct sse_plan *plan, const struct sse_hub_refusal *no)
{
	char b[1024];

	/* A forged or expired token is worth a line for the admin; a bad
	 * form is the client's business. */
	if ((no->status == 401 || no->status == 500) && no->why[0])
		cgi_report(NULL, no->why);
	return cgi_answer(b, sse_hub_answer(plan, no->status, no->reason, b, sizeof(b)));
}

int cgi_hub_ready(const struct sse_plan *plan, const struct sse_settings *set,
		  struct sse_hub_keys *keys, int *rc)
{
	struct sse_err err;

	if (sse_hub_keys(set, keys, &err) < 0) {
		*rc = cgi_fail500(err.msg);
		return -1;
	}
	if (sse_spool_check(set->spool_dir, &err) < 0 ||
	    sse_spool_create(set->spool_dir, plan->channel, set->history, &err) < 0) {
		*rc = cgi_fail500(err.msg);
		return -1;
	}
	return 0;
}

int cgi_hub_subscribe(const struct sse_plan *plan, const struct sse_settings *set,
		      const struct sse_hub_keys *keys, struct sse_hub_sub *sub, int *rc)
{
	struct sse_hub_request rq;
	struct sse_hub_refusal no;

	request_of_env(&rq);
	if (sse_hub_subscribe(&rq, set, keys, wall_ms(), sub, &no) < 0) {
		*rc = refused(plan, &no);
		return -1;
	}
	return 0;
}

/* The body, CONTENT_LENGTH bytes of stdin; NULL after answering. */
static char *read_body(const struct sse_plan *plan, const struct sse_settings *set, size_t *len,
		       int *rc)
{
	const char *cl = getenv("CONTENT_LENGTH");
	/* Percent-encoding triples a byte; beyond this no form can be valid. */
	unsigned long long max = 3ull * set->max_event + 4096, n = 0;
	struct sse_hub_refusal no = { 400, "bad Content-Length\n", "" };
	uint64_t end = sse_now_ms() + BODY_WAIT_MS;
	char *body;

	if (cl && cl[0] && sse_parse_u64(cl, strlen(cl), &n) < 0) {
		*rc = refused(plan, &no);
		return NULL;
	}
	if (n > max) {
		no.reason = "the form is larger than SSE_MAX_EVENT allows\n";
		*rc = refused(plan, &no);
		return NULL;
	}
	body = malloc((size_t)n + 1);
	if (!body) {
		*rc = cgi_fail500("out of memory for a publish's body");
		return NULL;
	}
	for (size_t got = 0; got < n;) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		uint64_t now = sse_now_ms();
		ssize_t r = -1;

		/* Blocking or not (mod_cgid hands one socket for stdin and
		 * stdout, which we made non-blocking), the body is waited for
		 * BODY_WAIT_MS in all, never longer. */
		errno = ETIMEDOUT;
		if (now < end && poll(&p, 1, (int)(end - now)) > 0)
			r = read(STDIN_FILENO, body + got, (size_t)n - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN) && sse_now_ms() < end)
			continue;
		if (r <= 0) {
			free(body);
			no.reason = "the body is shorter than its Content-Length\n";
			*rc = refused(plan, &no);
			return NULL;
		}
		got += (size_t)r;
	}
	*len = (size_t)n;
	cgi_out_body_taken();
	return body;
}

int cgi_hub_publish(const struct sse_plan *plan, const struct sse_settings *set,
		    const struct sse_hub_keys *keys)
{
	struct sse_hub_request rq;
	struct sse_hub_refusal no;
	struct sse_err err;
	struct sse_log *log;
	char id[1024], b[2048];
	size_t len = 0;
	char *body;
	int rc;

	request_of_env(&rq);
	body = read_body(plan, set, &len, &rc);
	if (!body)
		return rc;
	log = sse_spool_open(set->spool_dir, plan->channel, set->sync, &err);
	if (!log) {
		free(body);
		return cgi_fail500(err.msg);
	}
	if (sse_log_note(log))
		cgi_report(NULL, sse_log_note(log));
	if (sse_hub_publish(&rq, body, len, set, keys, log, wall_ms(), id, sizeof(id), &no, &err) < 0) {
		if (err.msg[0])
			cgi_report(NULL, err.msg);
		rc = refused(plan, &no);
	} else {
		rc = cgi_answer(b, sse_hub_answer(plan, 200, id, b, sizeof(b)));
	}
	sse_log_close(log);
	free(body);
	return rc;
}
