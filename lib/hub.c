#include "hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meta.h"
#include "publish.h"

/* --- keys --------------------------------------------------------------- */

/* One key per role, kept while the settings name the same key: sse.cgi
 * loads it once per process, an sse-fcgi worker once per configuration,
 * not once per request. */
struct key_slot {
	char *conf;                  /* alg, secret and file, NUL-separated */
	size_t conf_len;
	struct sse_jwt_key *key;
};
static struct key_slot slots[2];

static int load_role(struct key_slot *ks, const char *alg, const char *secret, const char *file,
		     const char *setting, const struct sse_jwt_key **out, struct sse_err *err)
{
	char conf[4096];
	int n = snprintf(conf, sizeof(conf), "%s%c%s%c%s", alg ? alg : "", 0, secret ? secret : "",
			 0, file ? file : "");

	*out = NULL;
	if (!secret && !file)
		return 0;
	if (n < 0 || (size_t)n >= sizeof(conf))
		return sse_err_set(err, "%s is too long", setting);
	if (ks->key && ks->conf_len == (size_t)n && memcmp(ks->conf, conf, (size_t)n) == 0) {
		*out = ks->key;
		return 0;
	}
	sse_jwt_key_free(ks->key);
	free(ks->conf);
	ks->conf = NULL;
	ks->key = sse_jwt_key_load(alg, file ? NULL : secret, file, setting, err);
	if (!ks->key)
		return -1;
	ks->conf = malloc((size_t)n);
	if (ks->conf)
		memcpy(ks->conf, conf, (size_t)n);
	ks->conf_len = ks->conf ? (size_t)n : 0;
	*out = ks->key;
	return 0;
}

int sse_hub_keys(const struct sse_settings *s, struct sse_hub_keys *k, struct sse_err *err)
{
	const char *ps = s->publisher_jwt_key, *pf = s->publisher_jwt_key_file;
	const char *ss = s->subscriber_jwt_key, *sf = s->subscriber_jwt_key_file;

	/* The role's own setting wins over the shared one. */
	if (!ps && !pf) {
		ps = s->jwt_key;
		pf = s->jwt_key_file;
	}
	if (!ss && !sf) {
		ss = s->jwt_key;
		sf = s->jwt_key_file;
	}
	if ((ps && pf) || (ss && sf))
		return sse_err_set(err, "both a JWT key and a JWT key file are set for the hub: "
				   "set one of SSE_JWT_KEY and SSE_JWT_KEY_FILE (or of their "
				   "SSE_PUBLISHER_/SSE_SUBSCRIBER_ forms)");
	if (load_role(&slots[0], s->jwt_alg, ps, pf,
		      pf ? (s->publisher_jwt_key_file ? "SSE_PUBLISHER_JWT_KEY_FILE" : "SSE_JWT_KEY_FILE")
			 : (s->publisher_jwt_key ? "SSE_PUBLISHER_JWT_KEY" : "SSE_JWT_KEY"),
		      &k->publisher, err) < 0)
		return -1;
	return load_role(&slots[1], s->jwt_alg, ss, sf,
			 sf ? (s->subscriber_jwt_key_file ? "SSE_SUBSCRIBER_JWT_KEY_FILE" : "SSE_JWT_KEY_FILE")
			    : (s->subscriber_jwt_key ? "SSE_SUBSCRIBER_JWT_KEY" : "SSE_JWT_KEY"),
			 &k->subscriber, err);
}

/* --- who asks ----------------------------------------------------------- */

enum source { NO_TOKEN, FROM_HEADER, FROM_QUERY, FROM_COOKIE };

static int refuse(struct sse_hub_refusal *no, int status, const char *reason)
{
	no->status = status;
	no->reason = reason;
	return -1;
}

/* The token, by SPEC's order: header, query, cookie. A header that is not
 * Bearer is a bad credential, not an absent one (as the stable hub). */
static enum source find_token(const struct sse_hub_request *rq, const struct sse_str *query_auth,
			      int has_query_auth, struct sse_str *tok, int *bad)
{
	const char *a = rq->authorization;

	*bad = 0;
	if (a && a[0]) {
		if (strncasecmp(a, "Bearer ", 7) != 0) {
			*bad = 1;
			return FROM_HEADER;
		}
		tok->p = a + 7;
		tok->len = strlen(a + 7);
		return FROM_HEADER;
	}
	if (has_query_auth) {
		*tok = *query_auth;
		return FROM_QUERY;
	}
	if (rq->cookie && sse_cookie_get(rq->cookie, "mercureAuthorization", tok))
		return FROM_COOKIE;
	return NO_TOKEN;
}

static int verify(const struct sse_jwt_key *key, const struct sse_str *tok, int bad,
		  uint64_t now_ms, struct sse_jwt_claims *c, struct sse_hub_refusal *no)
{
	struct sse_err err;

	if (bad)
		return snprintf(no->why, sizeof(no->why), "token refused: Authorization is not a Bearer token"),
		       refuse(no, 401, "invalid token\n");
	if (!key)
		return snprintf(no->why, sizeof(no->why), "token refused: no JWT key is set (SSE_JWT_KEY or SSE_JWT_KEY_FILE)"),
		       refuse(no, 401, "invalid token\n");
	if (tok->len > SSE_JWT_MAX ||
	    sse_jwt_verify(key, tok->p, tok->len, (int64_t)(now_ms / 1000), c, &err) < 0) {
		snprintf(no->why, sizeof(no->why), "%.180s",
			 tok->len > SSE_JWT_MAX ? "token refused: longer than 8192 bytes" : err.msg);
		return refuse(no, 401, "invalid token\n");
	}
	return 0;
}

/* --- subscribe ---------------------------------------------------------- */

int sse_hub_subscribe(const struct sse_hub_request *rq, const struct sse_settings *s,
		      const struct sse_hub_keys *k, uint64_t now_ms, struct sse_hub_sub *sub,
		      struct sse_hub_refusal *no)
{
	struct sse_jwt_claims c = { 0 };
	struct sse_str tok = { 0 };
	struct sse_err err;
	const char *q = rq->query ? rq->query : "";
	int bad, have_claims = 0;
	const char *lei = NULL;
	size_t lei_len = 0;

	memset(sub, 0, sizeof(*sub));
	no->why[0] = '\0';
	if (sse_hub_query_parse(q, strlen(q), &sub->q, &err) < 0) {
		snprintf(no->why, sizeof(no->why), "%.190s\n", err.msg);
		return refuse(no, 400, no->why);
	}
	if (sub->q.ntopics == 0) {
		sse_hub_sub_free(sub);
		return refuse(no, 400, "missing \"topic\" parameter\n");
	}
	if (find_token(rq, &sub->q.authorization, sub->q.has_authorization, &tok, &bad) != NO_TOKEN) {
		if (verify(k->subscriber, &tok, bad, now_ms, &c, no) < 0)
			goto fail;
		have_claims = 1;
	} else if (!s->anonymous) {
		refuse(no, 401, "a token is needed (or SSE_ANONYMOUS=1)\n");
		goto fail;
	}
	sub->topics = sse_selectors_compile(sub->q.topics, sub->q.ntopics, &err);
	if (!sub->topics) {
		snprintf(no->why, sizeof(no->why), "%.190s\n", err.msg);
		refuse(no, 400, no->why);
		goto fail;
	}
	if (have_claims && c.has_subscribe) {
		sub->authorized = sse_selectors_compile(c.subscribe, c.nsubscribe, &err);
		if (!sub->authorized) {
			snprintf(no->why, sizeof(no->why), "token refused: mercure.subscribe: %.150s", err.msg);
			refuse(no, 401, "invalid token\n");
			goto fail;
		}
	}
	/* The stream's clock is monotonic: it gets the time left. */
	if (have_claims && c.has_exp)
		sub->hub.ttl_ms = (uint64_t)c.exp * 1000 > now_ms ? (uint64_t)c.exp * 1000 - now_ms : 1;
	if (rq->last_event_id && rq->last_event_id[0]) {
		lei = rq->last_event_id;
		lei_len = strlen(lei);
	} else if (sub->q.has_last_event_id && sub->q.last_event_id.len > 0) {
		lei = sub->q.last_event_id.p;
		lei_len = sub->q.last_event_id.len;
	}
	/* No hub id holds a control character (publishers cannot make one),
	 * and the client's id is echoed in an sse-gap: refused, never sent. */
	for (size_t i = 0; lei && i < lei_len; i++) {
		if ((unsigned char)lei[i] < 0x20 || lei[i] == 0x7f) {
			refuse(no, 400, "bad Last-Event-ID: it holds a control character\n");
			goto fail;
		}
	}
	if (lei) {
		sub->last_event_id = strndup(lei, lei_len);
		if (!sub->last_event_id) {
			refuse(no, 500, "out of memory\n");
			goto fail;
		}
	}
	sse_jwt_claims_free(&c);
	/* The selectors hold their own text: a stream that waits keeps only
	 * them (sse-fcgi keeps thousands). */
	sse_hub_query_free(&sub->q);
	sub->hub.topics = sub->topics;
	sub->hub.authorized = sub->authorized;
	sub->hub.last_event_id = sub->last_event_id;
	return 0;
fail:
	if (have_claims)
		sse_jwt_claims_free(&c);
	sse_hub_sub_free(sub);
	return -1;
}

void sse_hub_sub_free(struct sse_hub_sub *sub)
{
	sse_selectors_free(sub->topics);
	sse_selectors_free(sub->authorized);
	sse_hub_query_free(&sub->q);
	free(sub->last_event_id);
	memset(sub, 0, sizeof(*sub));
}

/* --- publish ------------------------------------------------------------ */

/* Each topic matches one of the token's mercure.publish selectors; an
 * empty claim allows public updates to any topic (SPEC). */
static int may_publish(const struct sse_jwt_claims *c, const struct sse_hub_update *u,
		       struct sse_hub_refusal *no)
{
	struct sse_selectors *sel;
	struct sse_err err;
	int ok = 1;

	if (!c->has_publish)
		return refuse(no, 403, "the token's mercure claim has no publish array\n");
	if (c->npublish == 0)
		return u->private_ ? refuse(no, 403, "the token may not publish private updates\n") : 0;
	sel = sse_selectors_compile(c->publish, c->npublish, &err);
	if (!sel)
		return refuse(no, 403, "the token's mercure.publish holds a bad selector\n");
	for (size_t i = 0; i < u->ntopics && ok; i++)
		ok = sse_selectors_match(sel, u->topics[i].p, u->topics[i].len);
	sse_selectors_free(sel);
	return ok ? 0 : refuse(no, 403, "the token may not publish to these topics\n");
}

int sse_hub_publish(const struct sse_hub_request *rq, const char *body, size_t len,
		    const struct sse_settings *s, const struct sse_hub_keys *k,
		    struct sse_log *log, uint64_t now_ms, char *id_out, size_t cap,
		    struct sse_hub_refusal *no, struct sse_err *err)
{
	static const char form[] = "application/x-www-form-urlencoded";
	struct sse_jwt_claims c;
	struct sse_hub_update u;
	struct sse_str tok = { 0 };
	struct sse_event ev = { 0 };
	struct sse_err ferr;
	char gen[SSE_HUB_ID_GEN_LEN + 1];
	enum source from;
	int bad, rc = -1;
	uint64_t seq_id;

	no->why[0] = '\0';
	sse_err_clear(err);
	from = find_token(rq, NULL, 0, &tok, &bad);
	if (from == NO_TOKEN)
		return refuse(no, 401, "a publisher's token is needed\n");
	if (verify(k->publisher, &tok, bad, now_ms, &c, no) < 0)
		return -1;
	/* A cookie is sent by the browser on its own: only pages of listed
	 * origins may publish with it (cross-site request forgery). */
	if (from == FROM_COOKIE &&
	    (!s->publish_origins || !rq->origin ||
	     !sse_cors_match(s->publish_origins, rq->origin, strlen(rq->origin)))) {
		refuse(no, 403, "publishing with the cookie needs an Origin in SSE_PUBLISH_ORIGINS\n");
		goto out_claims;
	}
	if (!rq->content_type || strncasecmp(rq->content_type, form, sizeof(form) - 1) != 0 ||
	    (rq->content_type[sizeof(form) - 1] && rq->content_type[sizeof(form) - 1] != ';')) {
		refuse(no, 400, "expected Content-Type: application/x-www-form-urlencoded\n");
		goto out_claims;
	}
	if (sse_hub_update_parse(body, len, s->max_event, &u, &ferr) < 0) {
		/* The parser's line is the answer: it says which field. */
		snprintf(no->why, sizeof(no->why), "%.190s\n", ferr.msg);
		refuse(no, 400, no->why);
		goto out_claims;
	}
	if (may_publish(&c, &u, no) < 0)
		goto out_update;
	if (u.id.len > 0 && sse_hub_id_check(u.id.p, u.id.len, &ferr) < 0) {
		snprintf(no->why, sizeof(no->why), "bad id: %.180s\n", ferr.msg);
		refuse(no, 400, no->why);
		goto out_update;
	}
	ev.name = u.type.p ? u.type.p : "";
	ev.name_len = u.type.len;
	ev.data = u.data.p ? u.data.p : "";
	ev.data_len = u.data.len;
	ev.retry = u.retry;
	ev.topics = u.topics;
	ev.ntopics = u.ntopics;
	ev.private_ = u.private_;
	ev.hub_id = u.id;
	if (u.id.len == 0) {
		/* Made here, not by the log, to be the answer's body. */
		if (sse_meta_gen_id(gen, err) < 0) {
			refuse(no, 500, "cannot make an id\n");
			goto out_update;
		}
		ev.hub_id.p = gen;
		ev.hub_id.len = SSE_HUB_ID_GEN_LEN;
	}
	if (ev.hub_id.len >= cap) {
		refuse(no, 400, "id too long\n");
		goto out_update;
	}
	if (sse_log_publish(log, &ev, &seq_id, err) < 0) {
		refuse(no, 500, "cannot publish\n");
		goto out_update;
	}
	memcpy(id_out, ev.hub_id.p, ev.hub_id.len);
	id_out[ev.hub_id.len] = '\0';
	rc = 0;
out_update:
	sse_hub_update_free(&u);
out_claims:
	sse_jwt_claims_free(&c);
	return rc;
}

size_t sse_hub_answer(const struct sse_plan *plan, int status, const char *body, char *buf,
		      size_t cap)
{
	struct sse_plan p = *plan;
	size_t n;

	if (status == 200) {
		int k = snprintf(buf, cap, "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
				 "Cache-Control: no-store\r\n");
		size_t body_len = strlen(body);

		if (k < 0 || (size_t)k >= cap)
			return 0;
		n = (size_t)k;
		n += sse_response_cors(&p, buf + n, cap - n);
		if (n + 2 + body_len >= cap)
			return 0;
		memcpy(buf + n, "\r\n", 2);
		memcpy(buf + n + 2, body, body_len);
		return n + 2 + body_len;
	}
	p.kind = SSE_PLAN_ERROR;
	p.status = status;
	p.reason = body;
	return sse_response_error(&p, buf, cap);
}
