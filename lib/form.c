/* Form decoding for the Mercure hub. See form.h.
 *
 * The reference is what the stable hub (Go) does with a request: its publish
 * handler reads r.PostForm and its subscribe handler r.URL.Query(), both
 * built by net/url.ParseQuery. So: pairs split at '&' only; since Go 1.17 a
 * pair holding ';' is an error, not a second separator (it used to split
 * there, and proxies that disagreed let a query smuggle parameters); '+' is
 * a space; a '%' not followed by two hex digits is an error; any other byte,
 * NUL included, decodes to itself; keys are decoded before they are
 * compared ("%74opic" is "topic"); r.PostForm.Get takes a field's first
 * value. The rules of what may be published (the publish handler and
 * Update.Validate) are then applied to the decoded fields.
 *
 * Two walks over the input: the first checks it and measures what is kept,
 * the second decodes into one allocation of exactly that size, so a result
 * is freed with one free() and a form never costs more than its kept bytes. */
#include "form.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

/* The fields we read, publish's and subscribe's in one table: a name of the
 * other kind is then just an unknown field, ignored. */
enum field { F_OTHER, F_TOPIC, F_DATA, F_PRIVATE, F_ID, F_TYPE, F_RETRY,
	     F_LAST_ID, F_LAST_ID_HEADER, F_LAST_ID_LOWER, F_AUTH, F_N };

static const char *const names[F_N] = {
	[F_TOPIC] = "topic", [F_DATA] = "data", [F_PRIVATE] = "private",
	[F_ID] = "id", [F_TYPE] = "type", [F_RETRY] = "retry",
	/* SPEC "Subscribe": lastEventID first (the 2022 protocol), then the
	 * older spellings, in that order. */
	[F_LAST_ID] = "lastEventID", [F_LAST_ID_HEADER] = "Last-Event-ID",
	[F_LAST_ID_LOWER] = "lastEventId", [F_AUTH] = "authorization",
};

/* Where the hub's publish and the other producers meet (SPEC "Publish"):
 * an event's size is counted as the framing counts it (lib/parse.c, name +
 * data), and the hub adds what it also stores with the event, its topics
 * and its id; that whole must fit SSE_MAX_EVENT, so an update the hub takes
 * is one that every other producer's limit would take too. The raw body may
 * be three times its decoded size (every byte %XX), plus room for field
 * names and ignored fields: the bound lib/parse.c keeps for raw framing
 * input, with 3 for its 4 since an escape costs 3 bytes. */
static size_t raw_bound(size_t max_event)
{
	if (max_event > (SIZE_MAX - 4096) / 3)
		return SIZE_MAX;
	return 3 * max_event + 4096;
}

/* The stable hub refuses more (Update.Validate, maxPublishTopics): each
 * topic is matched against every publish selector of the token. */
#define MAX_PUBLISH_TOPICS 1000

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* sse_form_decode(), or with out NULL only the check and the length. */
static long decode(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++, o++) {
		char c = in[i];

		if (c == '%') {
			int hi = len - i >= 3 ? hexval(in[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(in[i + 2]) : -1;

			if (lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (out)
			out[o] = c;
	}
	return (long)o;
}

long sse_form_decode(const char *in, size_t len, char *out)
{
	return decode(in, len, out);
}

int sse_form_next(const char *s, size_t len, size_t *pos, struct sse_str *key,
		  struct sse_str *value, int *has_value)
{
	while (*pos < len) {
		const char *p = s + *pos, *amp = memchr(p, '&', len - *pos), *eq;
		size_t n = amp ? (size_t)(amp - p) : len - *pos;

		*pos += n + (amp != NULL);
		if (n == 0)
			continue;
		eq = memchr(p, '=', n);
		key->p = p;
		key->len = eq ? (size_t)(eq - p) : n;
		value->p = eq ? eq + 1 : p + n;
		value->len = eq ? n - key->len - 1 : 0;
		*has_value = eq != NULL;
		return 1;
	}
	return 0;
}

/* One pair, checked: its field and its raw value with the decoded length. */
struct pair {
	enum field f;
	struct sse_str raw;
	size_t len;
};

/* 1 a pair, 0 the end, -1 a bad form (err set). */
static int next_pair(const char *s, size_t len, size_t *pos, struct pair *pr,
		     struct sse_err *err)
{
	struct sse_str k, v;
	char kb[16];
	long kn, vn;
	int has_value;

	if (!sse_form_next(s, len, pos, &k, &v, &has_value))
		return 0;
	if (memchr(k.p, ';', k.len + (has_value ? 1 + v.len : 0)))
		return sse_err_set(err, "bad form: ';' is not a separator, '&' is (write a ';' in a value as %%3B)");
	kn = decode(k.p, k.len, NULL);
	vn = decode(v.p, v.len, NULL);
	if (kn < 0 || vn < 0)
		return sse_err_set(err, "bad form: a '%%' must be followed by two hex digits (write a '%%' as %%25)");
	pr->f = F_OTHER;
	if ((size_t)kn < sizeof(kb)) {
		decode(k.p, k.len, kb);
		for (int f = F_TOPIC; f < F_N; f++)
			if (strlen(names[f]) == (size_t)kn && memcmp(kb, names[f], (size_t)kn) == 0)
				pr->f = (enum field)f;
	}
	pr->raw = v;
	pr->len = (size_t)vn;
	return 1;
}

/* Decodes a checked value into the result's memory, NUL-terminated there
 * for the caller's convenience (a value may also hold NUL). */
static struct sse_str put(char **at, struct sse_str raw)
{
	struct sse_str out = { *at, (size_t)decode(raw.p, raw.len, *at) };

	*at += out.len;
	*(*at)++ = '\0';
	return out;
}

/* Why the id, type and topics are refused as the stable hub refuses them
 * (Update.Validate): a CR or LF in the id or the type would end its line on
 * the wire and let a publisher write fields of its own; WHATWG ignores an id
 * that holds NUL, and Go refuses NUL in both. A topic is metadata, never on
 * the wire, but the protocol forbids control bytes in topics, and the
 * framing's "topic:" lines, the log and the matcher need never meet a CR,
 * LF or NUL in one. Go also refuses the C1 controls, invalid UTF-8 and
 * Unicode format characters in topics; we do not decode UTF-8. */
static int bad_bytes(struct sse_str s, int control)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '\0' || c == '\r' || c == '\n' || (control && (c < 0x20 || c == 0x7f)))
			return 1;
	}
	return 0;
}

static int check_update(const struct sse_hub_update *u, const struct sse_str *retry,
			struct sse_err *err)
{
	unsigned long long ms;

	for (size_t i = 0; i < u->ntopics; i++) {
		/* Go takes an empty topic; no selector but '*' could name it,
		 * so it is a publisher's mistake better said at once. */
		if (u->topics[i].len == 0)
			return sse_err_set(err, "bad topic: a topic must not be empty");
		if (bad_bytes(u->topics[i], 1))
			return sse_err_set(err, "bad topic: a topic must not hold control characters");
	}
	if (u->id.len && u->id.p[0] == '#')
		return sse_err_set(err, "bad id: an id must not start with '#' (the hub's own ids do)");
	if (bad_bytes(u->id, 0))
		return sse_err_set(err, "bad id: an id must not hold CR, LF or NUL");
	if (bad_bytes(u->type, 0))
		return sse_err_set(err, "bad type: a type must not hold CR, LF or NUL");
	/* As Go: an empty retry is none; else strconv.ParseUint's decimal
	 * digits, no sign and no spaces. Go takes up to 2^64-1, we up to
	 * LONG_MAX, which an event's retry holds (far beyond any sane delay). */
	if (retry->len) {
		if (sse_parse_u64(retry->p, retry->len, &ms) < 0 || ms > LONG_MAX)
			return sse_err_set(err, "bad retry: it must be a number of milliseconds (digits only)");
	}
	return 0;
}

int sse_hub_update_parse(const char *body, size_t len, size_t max_event,
			 struct sse_hub_update *u, struct sse_err *err)
{
	struct sse_str first[F_N] = { { NULL, 0 } }, retry = { NULL, 0 };
	int seen[F_N] = { 0 }, rc;
	size_t pos = 0, ntopics = 0, total = 0, at_topic = 0;
	struct pair pr;
	char *at;

	memset(u, 0, sizeof(*u));
	u->retry = -1;
	if (len > raw_bound(max_event))
		return sse_err_set(err, "form of %zu bytes refused: larger than 3 x SSE_MAX_EVENT (%zu) + 4096",
				   len, max_event);
	while ((rc = next_pair(body, len, &pos, &pr, err)) > 0) {
		if (pr.f == F_OTHER || (pr.f != F_TOPIC && seen[pr.f]))
			continue; /* unknown, or not the first value */
		if (pr.len > max_event)
			return sse_err_set(err, "field '%s' of %zu bytes refused: larger than SSE_MAX_EVENT (%zu)",
					   names[pr.f], pr.len, max_event);
		if (pr.f == F_TOPIC && ++ntopics > MAX_PUBLISH_TOPICS)
			return sse_err_set(err, "too many topics: at most %d", MAX_PUBLISH_TOPICS);
		if (pr.f != F_TOPIC) {
			seen[pr.f] = 1;
			first[pr.f] = pr.raw;
		}
		if (pr.f == F_TOPIC || pr.f == F_DATA || pr.f == F_ID || pr.f == F_TYPE)
			total += pr.len;
		else if (pr.f == F_RETRY)
			retry.len = pr.len;
	}
	if (rc < 0)
		return -1;
	if (ntopics == 0)
		return sse_err_set(err, "no topic: a publish needs at least one 'topic' field");
	if (total > max_event)
		return sse_err_set(err, "update of %zu bytes refused: larger than SSE_MAX_EVENT (%zu)",
				   total, max_event);
	/* topics, then each kept string and its NUL */
	u->mem = malloc(ntopics * sizeof(struct sse_str) + total + retry.len + ntopics + 4);
	if (!u->mem)
		return sse_err_set(err, "out of memory");
	u->topics = u->mem;
	at = (char *)(u->topics + ntopics);
	for (pos = 0; next_pair(body, len, &pos, &pr, err) > 0;)
		if (pr.f == F_TOPIC)
			u->topics[at_topic++] = put(&at, pr.raw);
	u->ntopics = ntopics;
	u->data = put(&at, first[F_DATA]);
	u->id = put(&at, first[F_ID]);
	u->type = put(&at, first[F_TYPE]);
	retry = put(&at, first[F_RETRY]);
	u->has_data = seen[F_DATA];
	/* Present, with any value or none: SPEC, and the stable hub
	 * (len(r.PostForm["private"]) != 0), not "on" as a checkbox sends. */
	u->private_ = seen[F_PRIVATE];
	if (check_update(u, &retry, err) < 0) {
		sse_hub_update_free(u);
		return -1;
	}
	if (retry.len) {
		unsigned long long ms;

		sse_parse_u64(retry.p, retry.len, &ms);
		u->retry = (long)ms;
	}
	return 0;
}

void sse_hub_update_free(struct sse_hub_update *u)
{
	free(u->mem);
	memset(u, 0, sizeof(*u));
	u->retry = -1;
}

int sse_hub_query_parse(const char *query, size_t len, struct sse_hub_query *q,
			struct sse_err *err)
{
	struct sse_str first[F_N] = { { NULL, 0 } };
	int seen[F_N] = { 0 }, rc, id = F_OTHER;
	size_t pos = 0, ntopics = 0, total = 0, at_topic = 0;
	struct pair pr;
	char *at;

	memset(q, 0, sizeof(*q));
	while ((rc = next_pair(query, len, &pos, &pr, err)) > 0) {
		if (pr.f == F_TOPIC) {
			ntopics++;
			total += pr.len;
		} else if (pr.f >= F_LAST_ID && !seen[pr.f]) {
			seen[pr.f] = 1;
			first[pr.f] = pr.raw;
			total += pr.len;
		}
	}
	if (rc < 0)
		return -1;
	/* As the stable hub's retrieveLastEventID: an empty value is no id
	 * (an EventSource with an empty last id sends none either), so the
	 * next spelling is looked at. */
	for (int f = F_LAST_ID; f <= F_LAST_ID_LOWER && id == F_OTHER; f++)
		if (seen[f] && first[f].len)
			id = f;
	q->mem = malloc(ntopics * sizeof(struct sse_str) + total + ntopics + 2);
	if (!q->mem)
		return sse_err_set(err, "out of memory");
	q->topics = q->mem;
	at = (char *)(q->topics + ntopics);
	for (pos = 0; next_pair(query, len, &pos, &pr, err) > 0;)
		if (pr.f == F_TOPIC)
			q->topics[at_topic++] = put(&at, pr.raw);
	q->ntopics = ntopics;
	q->has_last_event_id = id != F_OTHER;
	q->last_event_id = put(&at, first[id]);
	/* Present, even empty: an empty credential is an invalid one (401),
	 * never a reason to look for the cookie instead. */
	q->has_authorization = seen[F_AUTH];
	q->authorization = put(&at, first[F_AUTH]);
	return 0;
}

void sse_hub_query_free(struct sse_hub_query *q)
{
	free(q->mem);
	memset(q, 0, sizeof(*q));
}

/* textproto.TrimString: what net/http trims around a cookie and its name. */
static int cookie_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 6265 section 5.4's cookie-string, read as Go's net/http reads it
 * (readCookies, parseCookieValue), since the stable hub's r.Cookie() is the
 * reference: pairs split at ';' and trimmed, the name exact and
 * case-sensitive, a value in double quotes unquoted, and a value holding a
 * byte a cookie may not (a control, '"', ';', '\\', DEL or above) skipped
 * as if absent, so a later cookie of that name may still be found. */
int sse_cookie_get(const char *header, const char *name, struct sse_str *out)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (nlen && p && *p) {
		const char *e = strchr(p, ';'), *eq, *v;
		size_t n = e ? (size_t)(e - p) : strlen(p), klen, vlen, i;

		while (n && cookie_space(*p)) {
			p++;
			n--;
		}
		while (n && cookie_space(p[n - 1]))
			n--;
		/* "name" alone is that cookie with an empty value, as in Go */
		eq = memchr(p, '=', n);
		klen = eq ? (size_t)(eq - p) : n;
		while (klen && cookie_space(p[klen - 1]))
			klen--;
		v = eq ? eq + 1 : p + n;
		vlen = n - (size_t)(v - p);
		if (vlen > 1 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		for (i = 0; i < vlen; i++) {
			unsigned char c = (unsigned char)v[i];

			if (c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\')
				break;
		}
		if (klen == nlen && memcmp(p, name, nlen) == 0 && i == vlen) {
			out->p = v;
			out->len = vlen;
			return 1;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}
