/* The JWT verifier (lib/jwt.c) and the PEM key reader (lib/jwt_key.c).
 * Input: a mode byte, then
 *   bit 7 set:  a PEM text read as an RS256 (bit 0 clear) or ES256 key;
 *   bit 3 set:  a header's JSON, a NUL, a payload's JSON: the target
 *               encodes both in base64url and signs them with the key
 *               (HS256/384/512 only), so the claims are reached;
 *   otherwise:  a token as a client sends it.
 * Bits 0-2 pick the key (mod 5): HS256, HS384, HS512 (Mercure's
 * conformance key), RS256, ES256 (test/unit/jwt/'s keys). Asserts, beyond
 * "no crash" and no leak:
 *   - a refusal says why in one line of printable ASCII (it goes to the
 *     error log: nothing of the token is echoed) and leaves no claims;
 *   - an accepted token has three parts, each in the one canonical
 *     base64url encoding, fits SSE_JWT_MAX, and its exp is after now;
 *     its selectors are NUL-terminated copies without NUL;
 *   - a token the target signed is never refused for its signature or
 *   encoding;
 *   - a key read is refused in one line, or is usable and freed. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>

#include "../unit/jwt/tokens.h"
#include "fuzz.h"
#include "jwt.h"
#include "jwt_key.h"

#define KEY "!ChangeThisMercureHubJWTSecretKey!"
#define NOW INT64_C(1750000000)

static struct sse_jwt_key *keys[5];

static struct sse_jwt_key *pem_key(const char *alg, const char *pem)
{
	char path[] = "/tmp/fuzz_jwt.XXXXXX";
	int fd = mkstemp(path);
	struct sse_err err;
	struct sse_jwt_key *k;

	if (fd < 0 || write(fd, pem, strlen(pem)) != (ssize_t)strlen(pem))
		fuzz_fail(__FILE__, __LINE__, "cannot write a key file in /tmp");
	close(fd);
	k = sse_jwt_key_load(alg, NULL, path, "SSE_JWT_KEY_FILE", &err);
	unlink(path);
	if (!k)
		fuzz_fail(__FILE__, __LINE__, err.msg);
	return k;
}

static void load_keys(void)
{
	static const char *const hs[] = { "HS256", "HS384", "HS512" };
	struct sse_err err;

	for (int i = 0; i < 3; i++)
		CHECK((keys[i] = sse_jwt_key_load(hs[i], KEY, NULL, "SSE_JWT_KEY", &err)) != NULL);
	keys[3] = pem_key("RS256", PEM_RSA_PUBLIC);
	keys[4] = pem_key("ES256", PEM_EC_PUBLIC);
}

static void check_line(const char *msg)
{
	CHECK(msg[0] != '\0');
	for (const char *p = msg; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
}

/* base64url without padding */
static size_t encode(char *dst, const uint8_t *src, size_t n)
{
	struct base64_encode_ctx e;
	size_t len;

	base64url_encode_init(&e);
	len = base64_encode_update(&e, dst, n, src);
	len += base64_encode_final(&e, dst + len);
	while (len && dst[len - 1] == '=')
		len--;
	return len;
}

/* s[0..n) is the one base64url encoding (no padding) of what it decodes to. */
static int canonical(const char *s, size_t n)
{
	uint8_t raw[SSE_JWT_MAX];
	char back[SSE_JWT_MAX + 4];
	struct base64_decode_ctx d;
	size_t len;

	base64url_decode_init(&d);
	if (!base64_decode_update(&d, &len, raw, n, s))
		return 0;
	len = encode(back, raw, len);
	return len == n && memcmp(back, s, n) == 0;
}


/* base64url(header) . base64url(payload) . signature, as a signer makes it */
static size_t sign(char *tok, const struct sse_jwt_key *k, const uint8_t *in, size_t n)
{
	const uint8_t *nul = memchr(in, '\0', n);
	size_t hn = nul ? (size_t)(nul - in) : n, len;
	uint8_t mac[SHA512_DIGEST_SIZE];
	size_t maclen = 0;

	len = encode(tok, in, hn);
	tok[len++] = '.';
	if (nul)
		len += encode(tok + len, nul + 1, n - hn - 1);
	if (k->alg == SSE_JWT_HS256) {
		struct hmac_sha256_ctx c;

		hmac_sha256_set_key(&c, strlen(KEY), (const uint8_t *)KEY);
		hmac_sha256_update(&c, len, (const uint8_t *)tok);
		hmac_sha256_digest(&c, maclen = SHA256_DIGEST_SIZE, mac);
	} else if (k->alg == SSE_JWT_HS384) {
		struct hmac_sha384_ctx c;

		hmac_sha384_set_key(&c, strlen(KEY), (const uint8_t *)KEY);
		hmac_sha384_update(&c, len, (const uint8_t *)tok);
		hmac_sha384_digest(&c, maclen = SHA384_DIGEST_SIZE, mac);
	} else {
		struct hmac_sha512_ctx c;

		hmac_sha512_set_key(&c, strlen(KEY), (const uint8_t *)KEY);
		hmac_sha512_update(&c, len, (const uint8_t *)tok);
		hmac_sha512_digest(&c, maclen = SHA512_DIGEST_SIZE, mac);
	}
	tok[len++] = '.';
	return len + encode(tok + len, mac, maclen);
}

static void fuzz_pem(int es, const char *text, size_t n)
{
	struct sse_jwt_key *k = calloc(1, sizeof(*k));
	struct sse_err err;

	CHECK(k != NULL);
	k->alg = es ? SSE_JWT_ES256 : SSE_JWT_RS256;
	k->name = es ? "ES256" : "RS256";
	if (sse_jwt_key_pem(k, text, n, "SSE_JWT_KEY_FILE", "fuzz.pem", &err) == 0) {
		struct sse_jwt_claims c;

		/* usable: a token is checked against it without surprise */
		CHECK(sse_jwt_verify(k, TOK_RS256, strlen(TOK_RS256), NOW, &c, &err) == 0 ||
		      strstr(err.msg, "bad signature") || strstr(err.msg, "alg is not"));
		sse_jwt_claims_free(&c);
		sse_jwt_key_free(k);
	} else {
		check_line(err.msg);
		free(k);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[2 * SSE_JWT_MAX + 256];
	const struct sse_jwt_key *k;
	struct sse_jwt_claims c;
	struct sse_err err;
	const char *t, *d1, *d2;
	size_t n;
	int rc, signed_here = 0;

	if (!keys[0])
		load_keys();
	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		fuzz_pem(data[0] & 1, (const char *)data + 1, size - 1);
		return 0;
	}
	k = keys[(data[0] & 7) % 5];
	if (data[0] & 0x08 && k->alg <= SSE_JWT_HS512 && size - 1 <= SSE_JWT_MAX) {
		n = sign(tok, k, data + 1, size - 1);
		t = tok;
		signed_here = 1;
	} else {
		t = (const char *)data + 1;
		n = size - 1;
	}
	err.msg[0] = '\0';
	rc = sse_jwt_verify(k, t, n, NOW, &c, &err);
	CHECK(rc == 0 || rc == -1);
	if (rc < 0) {
		check_line(err.msg);
		CHECK(c.mem == NULL && !c.has_publish && !c.has_subscribe && !c.has_exp);
		CHECK(c.npublish == 0 && c.nsubscribe == 0 && !c.publish && !c.subscribe);
		if (signed_here && n <= SSE_JWT_MAX)
			CHECK(!strstr(err.msg, "signature") && !strstr(err.msg, "base64url") &&
			      !strstr(err.msg, "three parts"));
		return 0;
	}
	CHECK(n <= SSE_JWT_MAX);
	d1 = memchr(t, '.', n);
	CHECK(d1 != NULL);
	d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - t));
	CHECK(d2 != NULL && !memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - t)));
	CHECK(canonical(t, (size_t)(d1 - t)));
	CHECK(canonical(d1 + 1, (size_t)(d2 - d1 - 1)));
	CHECK(canonical(d2 + 1, n - (size_t)(d2 + 1 - t)));
	CHECK(!c.has_exp || c.exp > NOW);
	CHECK(c.has_publish || c.npublish == 0);
	CHECK(c.has_subscribe || c.nsubscribe == 0);
	for (size_t i = 0; i < c.npublish; i++)
		CHECK(c.publish[i].p[c.publish[i].len] == '\0' && strlen(c.publish[i].p) == c.publish[i].len);
	for (size_t i = 0; i < c.nsubscribe; i++)
		CHECK(c.subscribe[i].p[c.subscribe[i].len] == '\0' &&
		      strlen(c.subscribe[i].p) == c.subscribe[i].len);
	sse_jwt_claims_free(&c);
	CHECK(c.mem == NULL);
	return 0;
}
