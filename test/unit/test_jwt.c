/* The JWT verifier (lib/jwt.c, lib/jwt_key.c): RFC 7515's HS256 example,
 * tokens signed with Mercure's conformance key for HS256/384/512 and with
 * test keys for RS256 and ES256, a table of forged tokens that must all be
 * refused, and the key settings that must be refused. The tokens and keys
 * come from test/unit/jwt/make-tokens.sh (python3's hmac and the openssl
 * CLI, not nettle). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt.h"
#include "jwt/tokens.h"
#include "tap.h"

#define MERCURE_KEY "!ChangeThisMercureHubJWTSecretKey!"
/* 2025-06-15: the tokens' "far" exp (2100) is after it */
#define NOW INT64_C(1750000000)

static char dir[] = "/tmp/test_jwt.XXXXXX";

static const char *path(const char *name)
{
	static char buf[8][256];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(path(name), "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path(name));
		exit(1);
	}
}

#define PUT(name, s) put(name, s, sizeof(s) - 1)

/* RFC 7515 appendix A.1: the JWK's "k", decoded */
static const unsigned char rfc_key[64] = {
	0x03, 0x23, 0x35, 0x4b, 0x2b, 0x0f, 0xa5, 0xbc, 0x83, 0x7e, 0x06, 0x65, 0x77, 0x7b, 0xa6, 0x8f,
	0x5a, 0xb3, 0x28, 0xe6, 0xf0, 0x54, 0xc9, 0x28, 0xa9, 0x0f, 0x84, 0xb2, 0xd2, 0x50, 0x2e, 0xbf,
	0xd3, 0xfb, 0x5a, 0x92, 0xd2, 0x06, 0x47, 0xef, 0x96, 0x8a, 0xb4, 0xc3, 0x77, 0x62, 0x3d, 0x22,
	0x3d, 0x2e, 0x21, 0x72, 0x05, 0x2e, 0x4f, 0x08, 0xc0, 0xcd, 0x9a, 0xf5, 0x67, 0xd0, 0x80, 0xa3,
};
static const char rfc_token[] =
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

static void make_files(void)
{
	static char big[20000], crlf[1024];
	size_t n;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	PUT("rsa.pem", PEM_RSA_PUBLIC);
	PUT("rsa-pkcs1.pem", PEM_RSA_PUBLIC_PKCS1);
	PUT("ec.pem", PEM_EC_PUBLIC);
	PUT("rsa1024.pem", PEM_RSA1024_PUBLIC);
	PUT("ec384.pem", PEM_EC384_PUBLIC);
	PUT("ed25519.pem", PEM_ED25519_PUBLIC);
	PUT("private.pem", PEM_RSA_PRIVATE_TEST_ONLY);
	/* rsa.pem with CRLF line ends and a blank line before */
	crlf[0] = '\r', crlf[1] = '\n', n = 2;
	for (const char *c = PEM_RSA_PUBLIC; *c; c++) {
		if (*c == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *c;
	}
	put("rsa-crlf.pem", crlf, n);
	/* rsa.pem's first line of base64 only: a DER cut short */
	n = strchr(PEM_RSA_PUBLIC + 27, '\n') + 1 - PEM_RSA_PUBLIC;
	memcpy(crlf, PEM_RSA_PUBLIC, n);
	memcpy(crlf + n, "-----END PUBLIC KEY-----\n", 25);
	put("rsa-cut.pem", crlf, n + 25);
	PUT("bad-b64.pem", "-----BEGIN PUBLIC KEY-----\nMIIB*jANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n");
	PUT("no-end.pem", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n");
	PUT("after-end.pem", PEM_EC_PUBLIC "trailing words\n");
	PUT("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	PUT("odd-label.pem", "-----BEGIN PUB\nLIC\033[31m KEY-----\nMIIB\n-----END PUBLIC KEY-----\n");
	PUT("secret", MERCURE_KEY);
	PUT("secret-lf", MERCURE_KEY "\n");
	PUT("secret-crlf", MERCURE_KEY "\r\n");
	PUT("secret-2lf", MERCURE_KEY "\n\n");
	PUT("empty", "");
	PUT("lf", "\n");
	memset(big, 'k', sizeof(big));
	put("big", big, sizeof(big));
	put("rfc-key", rfc_key, sizeof(rfc_key));
}

static void remove_files(void)
{
	static const char *names[] = {
		"rsa.pem", "rsa-pkcs1.pem", "ec.pem", "rsa1024.pem", "ec384.pem", "ed25519.pem", "private.pem",
		"rsa-crlf.pem", "rsa-cut.pem", "bad-b64.pem", "no-end.pem", "after-end.pem", "cert.pem", "odd-label.pem",
		"secret", "secret-lf", "secret-crlf", "secret-2lf", "empty", "lf", "big", "rfc-key",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path(names[i]));
	rmdir(dir);
}

static struct sse_jwt_key *load(const char *alg, const char *secret, const char *file, struct sse_err *err)
{
	return sse_jwt_key_load(alg, secret, file ? path(file) : NULL,
				file ? "SSE_JWT_KEY_FILE" : "SSE_JWT_KEY", err);
}

/* Settings: accepted, or refused with a line that says this. */
static const struct key_row {
	const char *alg, *secret, *file;
	const char *refused; /* NULL: accepted */
} key_rows[] = {
	{ NULL, MERCURE_KEY, NULL, NULL },
	{ "HS512", MERCURE_KEY, NULL, NULL },
	{ "RS256", NULL, "rsa.pem", NULL },
	{ "RS256", NULL, "rsa-pkcs1.pem", NULL },
	{ "RS256", NULL, "rsa-crlf.pem", NULL },
	{ "ES256", NULL, "ec.pem", NULL },
	{ "HS256", NULL, "secret-lf", NULL },
	{ "HS256", NULL, "rsa.pem", "SSE_JWT_ALG=HS256 needs a secret, but SSE_JWT_KEY_FILE holds a PEM key" },
	{ "HS384", NULL, "ec.pem", "SSE_JWT_ALG=HS384 needs a secret" },
	{ NULL, NULL, "private.pem", "SSE_JWT_ALG=HS256 needs a secret" },
	{ "RS256", MERCURE_KEY, NULL, "SSE_JWT_ALG=RS256 needs a PEM public key in a file, but SSE_JWT_KEY is a secret" },
	{ "ES256", MERCURE_KEY, NULL, "SSE_JWT_ALG=ES256 needs a PEM public key" },
	{ "RS256", NULL, "secret", "not a PEM public key: no '-----BEGIN PUBLIC KEY-----' line" },
	{ "ES256", NULL, "rsa.pem", "an RSA key, but SSE_JWT_ALG=ES256 needs an EC P-256 key" },
	{ "ES256", NULL, "rsa-pkcs1.pem", "an RSA key, but SSE_JWT_ALG=ES256" },
	{ "RS256", NULL, "ec.pem", "an EC key, but SSE_JWT_ALG=RS256 needs an RSA key" },
	{ "ES256", NULL, "ec384.pem", "another curve than P-256" },
	{ "RS256", NULL, "ed25519.pem", "another algorithm than RSA or EC" },
	{ "RS256", NULL, "rsa1024.pem", "an RSA key of 1024 bits; RS256 needs 2048 or more" },
	{ "RS256", NULL, "private.pem", "a private key: give its public key" },
	{ "RS256", NULL, "cert.pem", "a '-----BEGIN CERTIFICATE-----' block" },
	{ "RS256", NULL, "odd-label.pem", "a PEM block of another kind" }, /* not quoted: one line */
	{ "RS256", NULL, "rsa-cut.pem", "not a valid SubjectPublicKeyInfo" },
	{ "RS256", NULL, "bad-b64.pem", "bad base64" },
	{ "RS256", NULL, "no-end.pem", "no '-----END PUBLIC KEY-----' line" },
	{ "ES256", NULL, "after-end.pem", "no '-----END PUBLIC KEY-----' line at its end" },
	{ "RS256", NULL, "missing", "SSE_JWT_KEY_FILE: cannot open '" },
	{ "RS256", NULL, "empty", "empty file" },
	{ "HS256", NULL, "empty", "empty file" },
	{ "HS256", NULL, "lf", "holds only a line end" },
	{ "HS256", NULL, "big", "more than 16384 bytes" },
	{ "HS256", "", NULL, "SSE_JWT_KEY is empty" },
	{ "HS1024", MERCURE_KEY, NULL, "SSE_JWT_ALG: unknown algorithm 'HS1024'" },
	{ "none", MERCURE_KEY, NULL, "SSE_JWT_ALG: unknown algorithm 'none'" },
	{ "", MERCURE_KEY, NULL, "SSE_JWT_ALG: unknown algorithm ''" },
	{ "hs256", MERCURE_KEY, NULL, "unknown algorithm" },
	{ "HS256", NULL, NULL, "SSE_JWT_KEY: a secret or a key file, not neither" },
};

static void check_key_rows(void)
{
	for (size_t i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		const struct key_row *r = &key_rows[i];
		struct sse_err err = { "", 0 };
		struct sse_jwt_key *k = load(r->alg, r->secret, r->file, &err);

		if (r->refused)
			tap_ok(!k && strstr(err.msg, r->refused) && !strchr(err.msg, '\n'),
			       "key %s %s refused: %s", r->alg ? r->alg : "(default)", r->file ? r->file : "secret",
			       err.msg);
		else
			tap_ok(k != NULL, "key %s %s accepted%s%s", r->alg ? r->alg : "(default)",
			       r->file ? r->file : "secret", k ? "" : ": ", err.msg);
		sse_jwt_key_free(k);
	}
}

/* 0 when key accepts the token at now; the claims are freed. */
static int verify(const struct sse_jwt_key *k, const char *tok, int64_t now, struct sse_err *err)
{
	struct sse_jwt_claims c;
	int rc = sse_jwt_verify(k, tok, strlen(tok), now, &c, err);

	sse_jwt_claims_free(&c);
	return rc;
}

static int is(struct sse_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0 && s.p[s.len] == '\0';
}

static void check_valid(struct sse_jwt_key **keys)
{
	static const struct {
		int key;
		const char *name, *tok;
	} rows[] = {
		{ 0, "HS256", TOK_HS256 }, { 1, "HS384", TOK_HS384 }, { 2, "HS512", TOK_HS512 },
		{ 3, "RS256", TOK_RS256 }, { 4, "RS256 (PKCS#1 key)", TOK_RS256 }, { 5, "ES256", TOK_ES256 },
		{ 6, "HS256 (key file with LF)", TOK_HS256 }, { 7, "HS256 (key file with CRLF)", TOK_HS256 },
		{ 9, "HS256 (key file without line end)", TOK_HS256 },
	};
	struct sse_err err = { "", 0 };
	struct sse_jwt_claims c;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sse_jwt_verify(keys[rows[i].key], rows[i].tok, strlen(rows[i].tok), NOW, &c, &err);

		tap_ok(rc == 0 && c.has_exp && c.exp == 4102444800 && c.has_publish && c.npublish == 1 &&
			       is(c.publish[0], "*") && c.has_subscribe && c.nsubscribe == 2 &&
			       is(c.subscribe[0], "https://example.com/my-private-topic") &&
			       is(c.subscribe[1], "{scheme}://{+host}/demo/books/{id}.jsonld"),
		       "%s token accepted with its claims%s%s", rows[i].name, rc ? ": " : "", rc ? err.msg : "");
		sse_jwt_claims_free(&c);
		tap_ok(c.mem == NULL && c.npublish == 0, "%s claims freed", rows[i].name);
	}
	tap_ok(verify(keys[8], TOK_HS256, NOW, &err) == -1 && strstr(err.msg, "bad signature"),
	       "key file with two line ends keeps one: %s", err.msg);

	tap_ok(sse_jwt_verify(keys[0], TOK_HS256_NO_CLAIMS, strlen(TOK_HS256_NO_CLAIMS), NOW, &c, &err) == 0 &&
		       !c.has_exp && !c.has_publish && !c.has_subscribe && c.mem == NULL,
	       "token without exp or mercure claim: valid, nothing present");
	sse_jwt_claims_free(&c);
	tap_ok(sse_jwt_verify(keys[0], TOK_HS256_SUB_ONLY, strlen(TOK_HS256_SUB_ONLY), NOW, &c, &err) == 0 &&
		       !c.has_publish && c.has_subscribe && c.nsubscribe == 0,
	       "empty mercure.subscribe: present, no selector");
	sse_jwt_claims_free(&c);
	tap_ok(verify(keys[0], TOK_HS256_BIG_OK, NOW, &err) == 0, "a %zu-byte token is accepted",
	       strlen(TOK_HS256_BIG_OK));
	tap_ok(verify(keys[0], TOK_HS256_KID_IGNORED, NOW, &err) == 0, "other header parameters are ignored");
	tap_ok(verify(keys[0], TOK_HEADER_NESTED_OK, NOW, &err) == 0, "a header with 16 '[' or '{' is accepted");

	/* exp and nbf at the edges: valid while now < exp and now >= nbf */
	tap_ok(verify(keys[0], TOK_HS256_EXP_NOW, NOW - 1, &err) == -1 && strstr(err.msg, "nbf"),
	       "one second before nbf: refused");
	tap_ok(verify(keys[0], TOK_HS256_EXP_NOW, NOW, &err) == -1 && strstr(err.msg, "expired"),
	       "at exp: refused (%s)", err.msg);
	sse_jwt_verify(keys[0], TOK_HS256_EXP_REAL, strlen(TOK_HS256_EXP_REAL), NOW - 1, &c, &err);
	tap_ok(c.has_exp && c.exp == NOW, "exp 1750000000.5 is valid a second before, exp %lld",
	       (long long)c.exp);
	sse_jwt_claims_free(&c);
	tap_ok(verify(keys[0], TOK_HS256_EXP_REAL, NOW, &err) == -1, "exp 1750000000.5 is past at 1750000000");
	tap_ok(verify(keys[0], TOK_HS256_EXP_REAL, NOW - 2, &err) == -1 && strstr(err.msg, "nbf"),
	       "nbf 1749999999.9 is 1749999999");
}

static void check_rfc7515(void)
{
	struct sse_err err = { "", 0 };
	char secret[sizeof(rfc_key) + 1];
	struct sse_jwt_key *k = load("HS256", NULL, "rfc-key", &err);
	struct sse_jwt_key *s;

	memcpy(secret, rfc_key, sizeof(rfc_key));
	secret[sizeof(rfc_key)] = '\0';
	s = load("HS256", secret, NULL, &err);
	tap_ok(k && verify(k, rfc_token, INT64_C(1300819379), &err) == 0, "RFC 7515 A.1 (key file) verifies");
	tap_ok(s && verify(s, rfc_token, INT64_C(1300819379), &err) == 0, "RFC 7515 A.1 (secret) verifies");
	tap_ok(verify(k, rfc_token, INT64_C(1300819380), &err) == -1 && strstr(err.msg, "expired"),
	       "RFC 7515 A.1 expired at its exp 1300819380");
	sse_jwt_key_free(k);
	sse_jwt_key_free(s);
}

/* Forged: each refused, and the line says why. */
static const struct forged {
	int key; /* 0: HS256, 3: RS256, 5: ES256 (check_valid's keys) */
	const char *name, *tok, *why;
} forged[] = {
	{ 0, "alg none", TOK_NONE, "no signature" },
	{ 0, "alg none, signed", TOK_NONE_SIGNED, "'none'" },
	{ 3, "alg none with RS256", TOK_NONE, "no signature" },
	{ 3, "HS256 with the RSA key's PEM as secret", TOK_CONFUSION, "its alg is not SSE_JWT_ALG=RS256" },
	{ 5, "HS256 with the EC key's PEM as secret", TOK_CONFUSION_EC, "its alg is not SSE_JWT_ALG=ES256" },
	{ 0, "HS384 given to HS256", TOK_HS384_AS_HS256, "its alg is not SSE_JWT_ALG=HS256" },
	{ 0, "RS256 given to HS256", TOK_RS256, "its alg is not" },
	{ 3, "ES256 given to RS256", TOK_ES256, "its alg is not" },
	{ 0, "HS256 one bit flipped", TOK_HS256_BAD_SIG, "bad signature" },
	{ 0, "HS256 truncated signature", TOK_HS256_SHORT_SIG, "bad signature" },
	{ 0, "HS256 other key", TOK_HS256_OTHER_KEY, "bad signature" },
	{ 3, "RS256 one bit flipped", TOK_RS256_BAD_SIG, "bad signature" },
	{ 3, "RS256 signature a byte short", TOK_RS256_SHORT_SIG, "bad signature" },
	{ 3, "RS256 signature with a zero byte before", TOK_RS256_LONG_SIG, "bad signature" },
	{ 5, "ES256 one bit flipped", TOK_ES256_BAD_SIG, "bad signature" },
	{ 5, "ES256 signature of 63 bytes", TOK_ES256_SHORT_SIG, "bad signature" },
	{ 5, "ES256 signature of 65 bytes", TOK_ES256_LONG_SIG, "bad signature" },
	{ 5, "ES256 signature DER-encoded", TOK_ES256_DER_SIG, "bad signature" },
	{ 5, "ES256 signature all zeros", TOK_ES256_ZERO_SIG, "bad signature" },
	{ 0, "exp past", TOK_EXP_PAST, "expired" },
	{ 0, "nbf future", TOK_NBF_FUTURE, "not valid yet" },
	{ 0, "two parts", TOK_TWO_PARTS, "three parts" },
	{ 0, "four parts", TOK_FOUR_PARTS, "three parts" },
	{ 0, "empty signature", TOK_EMPTY_SIG, "no signature" },
	{ 0, "empty header", TOK_EMPTY_HEADER, "header is not JSON" },
	{ 0, "empty payload", TOK_EMPTY_PAYLOAD, "payload is not JSON" },
	{ 0, "oversized", TOK_HS256_OVERSIZED, "longer than 8192" },
	{ 0, "signature padded with '='", TOK_SIG_PADDED, "signature is not base64url" },
	{ 0, "payload in base64 with '+' and '/'", TOK_PAYLOAD_STD_B64, "payload is not base64url" },
	{ 0, "payload padded with '=='", TOK_PAYLOAD_PADDED, "payload is not base64url" },
	{ 0, "payload with '*'", TOK_PAYLOAD_BAD_CHAR, "payload is not base64url" },
	{ 0, "payload with a space", TOK_PAYLOAD_SPACE, "payload is not base64url" },
	{ 0, "payload with a newline", TOK_PAYLOAD_NEWLINE, "payload is not base64url" },
	{ 0, "payload with unused bits set", TOK_PAYLOAD_TRAILING_BITS, "payload is not base64url" },
	{ 0, "payload of 4n+1 characters", TOK_PAYLOAD_ONE_CHAR_LEFT, "payload is not base64url" },
	{ 0, "header not JSON", TOK_HEADER_NOT_JSON, "header is not JSON" },
	{ 0, "header an array", TOK_HEADER_ARRAY, "header is not a JSON object" },
	{ 0, "header a string", TOK_HEADER_STRING, "header is not JSON" },
	{ 0, "header with bytes after the object", TOK_HEADER_TRAILING, "header is not JSON" },
	{ 0, "header with alg twice", TOK_HEADER_DUP_ALG, "without duplicate keys" },
	{ 0, "header with alg none then HS256", TOK_HEADER_DUP_ALG_NONE, "without duplicate keys" },
	{ 0, "header with alg and \\u0061lg", TOK_HEADER_DUP_ALG_ESCAPED, "without duplicate keys" },
	{ 0, "header with 17 '[' or '{'", TOK_HEADER_DEEP, "nests arrays or objects too deep" },
	{ 0, "header without alg", TOK_HEADER_NO_ALG, "no alg" },
	{ 0, "alg hs256", TOK_HEADER_ALG_LOWER, "its alg is not" },
	{ 0, "alg an array", TOK_HEADER_ALG_NOT_STRING, "no alg string" },
	{ 0, "alg with \\u0000", TOK_HEADER_ALG_NUL, "header is not JSON" },
	{ 0, "crit", TOK_HEADER_CRIT, "'crit'" },
	{ 0, "typ a number", TOK_HEADER_TYP_NUMBER, "typ" },
	{ 0, "payload not JSON", TOK_PAYLOAD_NOT_JSON, "payload is not JSON" },
	{ 0, "payload an array", TOK_PAYLOAD_ARRAY, "payload is not a JSON object" },
	{ 0, "exp twice", TOK_PAYLOAD_DUP_EXP, "without duplicate keys" },
	{ 0, "mercure twice", TOK_PAYLOAD_DUP_MERCURE, "without duplicate keys" },
	{ 0, "mercure.publish twice", TOK_PAYLOAD_DUP_PUBLISH, "without duplicate keys" },
	{ 0, "exp a string", TOK_EXP_STRING, "exp is not a number" },
	{ 0, "exp null", TOK_EXP_NULL, "exp is not a number" },
	{ 0, "exp true", TOK_EXP_BOOL, "exp is not a number" },
	{ 0, "exp past 2^63", TOK_EXP_HUGE, "payload is not JSON" },
	{ 0, "nbf a string", TOK_NBF_STRING, "nbf is not a number" },
	{ 0, "mercure.publish a string", TOK_PUBLISH_STRING, "mercure.publish is not an array" },
	{ 0, "mercure.publish with a number", TOK_PUBLISH_NUMBER, "mercure.publish is not an array" },
	{ 0, "mercure.publish null", TOK_PUBLISH_NULL, "mercure.publish is not an array" },
	{ 0, "mercure.subscribe an object", TOK_SUBSCRIBE_OBJECT, "mercure.subscribe is not an array" },
	{ 0, "mercure.subscribe nested", TOK_SUBSCRIBE_NESTED, "mercure.subscribe is not an array" },
	{ 0, "mercure.subscribe with \\u0000", TOK_SUBSCRIBE_NUL, "payload is not JSON" },
	{ 0, "mercure an array", TOK_MERCURE_ARRAY, "mercure claim is not an object" },
	{ 0, "mercure a string", TOK_MERCURE_STRING, "mercure claim is not an object" },
};

static void check_forged(struct sse_jwt_key **keys)
{
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		const struct forged *f = &forged[i];
		struct sse_err err = { "", 0 };
		struct sse_jwt_claims c;
		int rc = sse_jwt_verify(keys[f->key], f->tok, strlen(f->tok), NOW, &c, &err);

		tap_ok(rc == -1 && strstr(err.msg, f->why) && c.mem == NULL && !c.has_publish && !c.has_exp,
		       "forged: %s: %s", f->name, err.msg);
	}
}

int main(void)
{
	static const struct {
		const char *alg, *secret, *file;
	} k[] = {
		{ "HS256", MERCURE_KEY, NULL }, { "HS384", MERCURE_KEY, NULL }, { "HS512", MERCURE_KEY, NULL },
		{ "RS256", NULL, "rsa.pem" }, { "RS256", NULL, "rsa-pkcs1.pem" }, { "ES256", NULL, "ec.pem" },
		{ "HS256", NULL, "secret-lf" }, { "HS256", NULL, "secret-crlf" }, { "HS256", NULL, "secret-2lf" },
		{ "HS256", NULL, "secret" },
	};
	struct sse_jwt_key *keys[sizeof(k) / sizeof(k[0])];
	struct sse_err err = { "", 0 };

	make_files();
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		keys[i] = load(k[i].alg, k[i].secret, k[i].file, &err);
		if (!keys[i]) {
			printf("Bail out! key %s: %s\n", k[i].file ? k[i].file : k[i].alg, err.msg);
			remove_files();
			return 1;
		}
	}
	check_key_rows();
	check_rfc7515();
	check_valid(keys);
	check_forged(keys);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		sse_jwt_key_free(keys[i]);
	remove_files();
	return tap_done();
}
