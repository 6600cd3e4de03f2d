/* JWT verification (lib/jwt.h): a JWS compact token (RFC 7515 7.1) checked
 * against one configured key. The order matters: the header is read only
 * to refuse a token whose alg is not the configured one (so `none` and
 * algorithm confusion never reach a key), then the signature is checked,
 * and only a signed payload is read for its claims.
 *
 * Everything lives on the stack or in jansson's objects, which are freed
 * before returning: a stream process keeps only the claims' one
 * allocation, and no state is global. */
#include "jwt.h"
#include "jwt_key.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nettle/base64.h>
#include <nettle/bignum.h>
#include <nettle/ecdsa.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

/* The longest decoded part: base64url carries 3 bytes in 4 characters. */
#define RAW_MAX (SSE_JWT_MAX / 4 * 3 + 3)

static int refuse(struct sse_err *err, const char *why)
{
	return sse_err_set(err, "token refused: %s", why);
}

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* One part, base64url without padding (RFC 7515 2), in exactly one
 * encoding: nettle's decoder would skip white space and take '=', which
 * the JWS alphabet has not, so those are refused first; its final check
 * wants the padding that JWS leaves out, so it gets it, and then also
 * refuses a last character whose unused bits are not zero. */
static int b64url(const char *s, size_t n, uint8_t *dst, size_t *len)
{
	static const char pad[] = "==";
	struct base64_decode_ctx ctx;
	uint8_t none[2];
	size_t more = 0;

	for (size_t i = 0; i < n; i++)
		if (!is_b64url(s[i]))
			return -1;
	if (n % 4 == 1)
		return -1;
	base64url_decode_init(&ctx);
	if (!base64_decode_update(&ctx, len, dst, n, s) ||
	    !base64_decode_update(&ctx, &more, none, (4 - n % 4) % 4, pad) || more != 0 ||
	    !base64_decode_final(&ctx))
		return -1;
	return 0;
}

static void sha256(const char *in, size_t n, uint8_t *d)
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)in);
	sha256_digest(&c, SHA256_DIGEST_SIZE, d);
}

/* 1 when sig is key's signature of in[0..n). An HMAC is compared in
 * constant time (memeql_sec), so timing tells nothing of the right one. */
static int signed_by(const struct sse_jwt_key *key, const char *in, size_t n, const uint8_t *sig,
		     size_t len)
{
	const uint8_t *m = (const uint8_t *)in;
	uint8_t d[SHA512_DIGEST_SIZE];
	int ok;

	switch (key->alg) {
	case SSE_JWT_HS256: {
		struct hmac_sha256_ctx c;

		hmac_sha256_set_key(&c, key->secret_len, key->secret);
		hmac_sha256_update(&c, n, m);
		hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, d);
		return len == SHA256_DIGEST_SIZE && memeql_sec(d, sig, len);
	}
	case SSE_JWT_HS384: {
		struct hmac_sha384_ctx c;

		hmac_sha384_set_key(&c, key->secret_len, key->secret);
		hmac_sha384_update(&c, n, m);
		hmac_sha384_digest(&c, SHA384_DIGEST_SIZE, d);
		return len == SHA384_DIGEST_SIZE && memeql_sec(d, sig, len);
	}
	case SSE_JWT_HS512: {
		struct hmac_sha512_ctx c;

		hmac_sha512_set_key(&c, key->secret_len, key->secret);
		hmac_sha512_update(&c, n, m);
		hmac_sha512_digest(&c, SHA512_DIGEST_SIZE, d);
		return len == SHA512_DIGEST_SIZE && memeql_sec(d, sig, len);
	}
	case SSE_JWT_RS256: {
		mpz_t s;

		/* RFC 7518 3.3 and RFC 8017 8.2.2: exactly the modulus's length */
		if (len != key->rsa.size)
			return 0;
		sha256(in, n, d);
		nettle_mpz_init_set_str_256_u(s, len, sig);
		ok = rsa_sha256_verify_digest(&key->rsa, d, s);
		mpz_clear(s);
		return ok;
	}
	case SSE_JWT_ES256: {
		struct dsa_signature s;

		/* RFC 7518 3.4: R and S as 32 bytes each, not DER */
		if (len != 64)
			return 0;
		sha256(in, n, d);
		dsa_signature_init(&s);
		nettle_mpz_set_str_256_u(s.r, 32, sig);
		nettle_mpz_set_str_256_u(s.s, 32, sig + 32);
		ok = ecdsa_verify(&key->ec, SHA256_DIGEST_SIZE, d, &s);
		dsa_signature_clear(&s);
		return ok;
	}
	}
	return 0;
}

/* jansson parses nested values recursively and keeps a node for each: a
 * header of 2,000 '[' (anyone may send one; only the signed payload is
 * the key holder's) would leave a stream 400 kB more memory, of heap and
 * stack. A real header nests two deep ("jwk"); a bracket in a string
 * counts too, which errs on the safe side. */
#define HEADER_NESTING 16

static size_t nesting(const uint8_t *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '[' || p[i] == '{';
	return k;
}

/* A decoded part as a JSON object; a duplicate key anywhere in it refuses
 * it (which of two "alg" or "exp" would count is exactly what a forger
 * plays with). jansson's message is not kept: it quotes the token. */
static json_t *object(const uint8_t *p, size_t n, const char *what, struct sse_err *err)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &je);

	if (j && json_is_object(j))
		return j;
	if (j)
		sse_err_set(err, "token refused: its %s is not a JSON object", what);
	else
		sse_err_set(err, "token refused: its %s is not JSON without duplicate keys (at byte %d)", what,
			    je.position);
	json_decref(j);
	return NULL;
}

static int check_header(const json_t *h, const struct sse_jwt_key *key, struct sse_err *err)
{
	const json_t *alg = json_object_get(h, "alg"), *typ = json_object_get(h, "typ");

	if (!json_is_string(alg))
		return refuse(err, "its header has no alg string");
	if (strcmp(json_string_value(alg), "none") == 0)
		return refuse(err, "its alg is 'none' (an unsigned token)");
	/* jansson refuses \u0000 without JSON_ALLOW_NUL: the length is the
	 * string's, and the comparison exact */
	if (json_string_length(alg) != strlen(key->name) || strcmp(json_string_value(alg), key->name) != 0)
		return sse_err_set(err, "token refused: its alg is not SSE_JWT_ALG=%s", key->name);
	/* RFC 7515 4.1.11: a header parameter we do not understand is critical */
	if (json_object_get(h, "crit"))
		return refuse(err, "its header has 'crit' (no extension is understood)");
	if (typ && !json_is_string(typ))
		return refuse(err, "its typ is not a string");
	return 0;
}

/* A NumericDate (RFC 7519 2): seconds, maybe with a fraction, which is
 * dropped (as the stable Go hub's JWT library does). */
static int numeric_date(const json_t *v, int64_t *out)
{
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_real(v))
		return -1;
	/* floor() without libm: the cast truncates toward zero */
	d = json_real_value(v);
	*out = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
	if (d < 0 && d > -9.2e18 && (double)*out != d)
		(*out)--;
	return 0;
}

/* mercure.publish or mercure.subscribe: absent, or an array of strings;
 * *bytes grows by what copying them takes. */
static int selectors(const json_t *m, const char *name, json_t **arr, size_t *bytes)
{
	json_t *a = m ? json_object_get(m, name) : NULL, *v;
	size_t i;

	*arr = a;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		*bytes += sizeof(struct sse_str) + json_string_length(v) + 1;
	}
	return 0;
}

/* The selectors, copied into out->mem: sse_str entries first, then the
 * strings, each NUL-terminated for convenience. */
static void copy(const json_t *a, struct sse_str **list, size_t *n, struct sse_str **s, char **c)
{
	const json_t *v;
	size_t i;

	*list = *s;
	*n = json_array_size(a);
	json_array_foreach(a, i, v) {
		size_t len = json_string_length(v);

		memcpy(*c, json_string_value(v), len + 1);
		(*s)->p = *c;
		(*s)->len = len;
		(*s)++;
		*c += len + 1;
	}
}

static int claims(const json_t *p, int64_t now, struct sse_jwt_claims *out, struct sse_err *err)
{
	const json_t *exp = json_object_get(p, "exp"), *nbf = json_object_get(p, "nbf");
	const json_t *m = json_object_get(p, "mercure");
	json_t *pub, *sub;
	struct sse_str *s;
	size_t bytes = 0;
	int64_t t;
	char *c;

	if (exp && numeric_date(exp, &out->exp) < 0)
		return refuse(err, "its exp is not a number");
	/* RFC 7519 4.1.4: not accepted on or after exp; no leeway */
	if (exp && out->exp <= now)
		return refuse(err, "it has expired (exp)");
	out->has_exp = exp != NULL;
	if (nbf && numeric_date(nbf, &t) < 0)
		return refuse(err, "its nbf is not a number");
	if (nbf && t > now)
		return refuse(err, "it is not valid yet (nbf)");
	if (m && !json_is_object(m))
		return refuse(err, "its mercure claim is not an object");
	if (selectors(m, "publish", &pub, &bytes) < 0)
		return refuse(err, "its mercure.publish is not an array of strings");
	if (selectors(m, "subscribe", &sub, &bytes) < 0)
		return refuse(err, "its mercure.subscribe is not an array of strings");
	out->has_publish = pub != NULL;
	out->has_subscribe = sub != NULL;
	if (!bytes)
		return 0;
	/* bounded by the token's size: no overflow */
	if (!(out->mem = malloc(bytes)))
		return sse_err_sys(err, "token: cannot allocate its claims");
	s = out->mem;
	c = (char *)out->mem + (json_array_size(pub) + json_array_size(sub)) * sizeof(struct sse_str);
	if (pub)
		copy(pub, &out->publish, &out->npublish, &s, &c);
	if (sub)
		copy(sub, &out->subscribe, &out->nsubscribe, &s, &c);
	return 0;
}

int sse_jwt_verify(const struct sse_jwt_key *key, const char *token, size_t len, int64_t now,
		   struct sse_jwt_claims *out, struct sse_err *err)
{
	uint8_t raw[RAW_MAX];
	const char *d1, *d2, *end = token + len;
	json_t *h = NULL, *p = NULL;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > SSE_JWT_MAX)
		return sse_err_set(err, "token refused: longer than %d bytes", SSE_JWT_MAX);
	d1 = memchr(token, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
		return refuse(err, "not three parts separated by dots");
	if (d2 + 1 == end)
		return refuse(err, "it has no signature");
	if (b64url(token, (size_t)(d1 - token), raw, &n) < 0)
		return refuse(err, "its header is not base64url");
	if (nesting(raw, n) > HEADER_NESTING)
		return refuse(err, "its header nests arrays or objects too deep");
	if (!(h = object(raw, n, "header", err)) || check_header(h, key, err) < 0)
		goto out;
	if (b64url(d2 + 1, (size_t)(end - d2 - 1), raw, &n) < 0) {
		refuse(err, "its signature is not base64url");
		goto out;
	}
	if (!signed_by(key, token, (size_t)(d2 - token), raw, n)) {
		refuse(err, "bad signature");
		goto out;
	}
	if (b64url(d1 + 1, (size_t)(d2 - d1 - 1), raw, &n) < 0) {
		refuse(err, "its payload is not base64url");
		goto out;
	}
	if (!(p = object(raw, n, "payload", err)))
		goto out;
	rc = claims(p, now, out, err);
	if (rc < 0)
		sse_jwt_claims_free(out);
out:
	json_decref(h);
	json_decref(p);
	return rc;
}

void sse_jwt_claims_free(struct sse_jwt_claims *c)
{
	if (!c)
		return;
	free(c->mem);
	memset(c, 0, sizeof(*c));
}
