/* Loading a JWT key (lib/jwt.h): the algorithm, a secret (given, or read
 * from a file) or a PEM public key for RS256/ES256.
 *
 * nettle has no PEM reader and no SubjectPublicKeyInfo decoder (its
 * pkcs1-conv tool has one, the library does not), so the armor and the
 * key's ASN.1 structure are walked here, with nettle's own base64 decoder
 * and DER iterator: that is parsing, not cryptography. The numbers go to
 * nettle as they are (rsa_public_key_from_der_iterator; ecc_point_set,
 * which refuses a point that is not on the curve). */
#include "jwt.h"
#include "jwt_key.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>

#include "io.h"

/* A key file is small: a PEM public key of 16384 bits is about 3 kB. */
#define KEY_FILE_MAX 16384
/* RFC 7518 3.3: an RS256 key has 2048 bits or more. The upper bound keeps
 * a strange key from making every verification slow. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

static const struct {
	const char *name;
	enum sse_jwt_alg alg;
} algs[] = {
	{ "HS256", SSE_JWT_HS256 }, { "HS384", SSE_JWT_HS384 }, { "HS512", SSE_JWT_HS512 },
	{ "RS256", SSE_JWT_RS256 }, { "ES256", SSE_JWT_ES256 },
};

#define IS_HMAC(a) ((a) <= SSE_JWT_HS512)

/* DER of the object identifiers (X.690 8.19) that a key may carry. */
static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const uint8_t oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

/* What a failing read names: "SSE_JWT_KEY_FILE '/etc/sse/key.pem': ...". */
struct where {
	const char *setting, *path;
	const char *alg;
	struct sse_err *err;
};

SSE_PRINTF(2, 3)
static int bad(const struct where *w, const char *fmt, ...)
{
	char why[SSE_ERR_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, sizeof(why), fmt, ap) < 0)
		why[0] = '\0';
	va_end(ap);
	return sse_err_set(w->err, "%s '%s': %s", w->setting, w->path, why);
}

static int is_oid(const struct asn1_der_iterator *i, const uint8_t *oid, size_t n)
{
	return i->type == ASN1_IDENTIFIER && i->length == n && memcmp(i->data, oid, n) == 0;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER },
 * the iterator on the SEQUENCE, which must end the DER. */
static int rsa_key(struct sse_jwt_key *key, struct asn1_der_iterator *i, const struct where *w)
{
	size_t bits;

	if (key->alg != SSE_JWT_RS256)
		return bad(w, "an RSA key, but SSE_JWT_ALG=%s needs an EC P-256 key", w->alg);
	rsa_public_key_init(&key->rsa);
	if (!rsa_public_key_from_der_iterator(&key->rsa, RSA_MAX_BITS, i)) {
		rsa_public_key_clear(&key->rsa);
		return bad(w, "not a valid RSA public key (or more than %d bits)", RSA_MAX_BITS);
	}
	bits = mpz_sizeinbase(key->rsa.n, 2);
	if (bits < RSA_MIN_BITS) {
		rsa_public_key_clear(&key->rsa);
		return bad(w, "an RSA key of %zu bits; RS256 needs %d or more (RFC 7518)", bits,
			   RSA_MIN_BITS);
	}
	return 0;
}

/* An uncompressed point (SEC 1 2.3.3: 0x04, X, Y) in a BIT STRING whose
 * first byte counts the unused bits. */
static int ec_key(struct sse_jwt_key *key, const struct asn1_der_iterator *bits, const struct where *w)
{
	mpz_t x, y;
	int ok;

	if (key->alg != SSE_JWT_ES256)
		return bad(w, "an EC key, but SSE_JWT_ALG=%s needs an RSA key", w->alg);
	if (bits->length != 66 || bits->data[0] != 0 || bits->data[1] != 0x04)
		return bad(w, "not an uncompressed P-256 point (regenerate it with openssl pkey -pubout)");
	nettle_mpz_init_set_str_256_u(x, 32, bits->data + 2);
	nettle_mpz_init_set_str_256_u(y, 32, bits->data + 34);
	ecc_point_init(&key->ec, nettle_get_secp_256r1());
	ok = ecc_point_set(&key->ec, x, y);
	mpz_clear(x);
	mpz_clear(y);
	if (!ok) {
		ecc_point_clear(&key->ec);
		return bad(w, "its point is not on the P-256 curve");
	}
	return 0;
}

/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 *   subjectPublicKey BIT STRING }, AlgorithmIdentifier ::= SEQUENCE {
 *   algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL } (RFC 5280). RSA
 * keys have NULL parameters (RFC 3279 2.3.1), EC keys their curve's
 * identifier (RFC 5480 2.1.1). */
static int spki(struct sse_jwt_key *key, const uint8_t *der, size_t n, const struct where *w)
{
	struct asn1_der_iterator i, a, end;

	if (asn1_der_iterator_first(&i, n, der) != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &a) != ASN1_ITERATOR_PRIMITIVE || a.type != ASN1_IDENTIFIER ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE || i.type != ASN1_BITSTRING)
		return bad(w, "not a valid SubjectPublicKeyInfo");
	end = i;
	if (asn1_der_iterator_next(&end) != ASN1_ITERATOR_END)
		return bad(w, "not a valid SubjectPublicKeyInfo (data after the key)");
	if (is_oid(&a, oid_rsa, sizeof(oid_rsa))) {
		if (asn1_der_iterator_next(&a) != ASN1_ITERATOR_PRIMITIVE || a.type != ASN1_NULL ||
		    a.length != 0 || asn1_der_iterator_next(&a) != ASN1_ITERATOR_END ||
		    asn1_der_decode_bitstring_last(&i) != ASN1_ITERATOR_CONSTRUCTED)
			return bad(w, "not a valid RSA public key");
		return rsa_key(key, &i, w);
	}
	if (is_oid(&a, oid_ec, sizeof(oid_ec))) {
		if (asn1_der_iterator_next(&a) != ASN1_ITERATOR_PRIMITIVE || !is_oid(&a, oid_p256, sizeof(oid_p256)) ||
		    asn1_der_iterator_next(&a) != ASN1_ITERATOR_END)
			return bad(w, "an EC key on another curve than P-256 (prime256v1), which ES256 needs");
		return ec_key(key, &i, w);
	}
	return bad(w, "a key of another algorithm than RSA or EC (RS256 and ES256 take those)");
}

static const char *skip_space(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The first line of the text and its label: "-----BEGIN LABEL-----". */
static size_t begin_line(const char *t, const char *e, const char **label, size_t *label_len)
{
	const char *p = t + 11, *dash;

	if (e - t < 11 || memcmp(t, "-----BEGIN ", 11) != 0)
		return 0;
	dash = memchr(p, '-', (size_t)(e - p));
	if (!dash || e - dash < 5 || memcmp(dash, "-----", 5) != 0)
		return 0;
	*label = p;
	*label_len = (size_t)(dash - p);
	return (size_t)(dash + 5 - t);
}

int sse_jwt_key_pem(struct sse_jwt_key *key, const char *text, size_t len, const char *setting,
		    const char *path, struct sse_err *err)
{
	const struct where w = { setting, path, key->name, err };
	const char *e = text + len, *t = skip_space(text, e), *label, *body, *end;
	char foot[64];
	size_t label_len, n, der_len;
	struct base64_decode_ctx b64;
	struct asn1_der_iterator i;
	uint8_t *der;
	int rc, pkcs1;

	n = begin_line(t, e, &label, &label_len);
	if (!n)
		return bad(&w, "not a PEM public key: no '-----BEGIN PUBLIC KEY-----' line");
	pkcs1 = label_len == 14 && memcmp(label, "RSA PUBLIC KEY", 14) == 0;
	if (memmem(label, label_len, "PRIVATE", 7))
		return bad(&w, "a private key: give its public key (openssl pkey -in KEY -pubout)");
	if (!pkcs1 && !(label_len == 10 && memcmp(label, "PUBLIC KEY", 10) == 0)) {
		/* the label is quoted only when it keeps the error on one line */
		size_t k = 0;

		while (k < label_len && label[k] >= 0x20 && label[k] < 0x7f)
			k++;
		if (k < label_len || label_len > 32)
			return bad(&w, "not a PEM public key: a PEM block of another kind");
		return bad(&w, "not a PEM public key: a '-----BEGIN %.*s-----' block", (int)label_len, label);
	}
	body = t + n;
	snprintf(foot, sizeof(foot), "-----END %.*s-----", (int)label_len, label);
	end = memmem(body, (size_t)(e - body), foot, strlen(foot));
	if (!end || skip_space(end + strlen(foot), e) != e)
		return bad(&w, "not a PEM public key: no '%s' line at its end", foot);
	der = malloc(BASE64_DECODE_LENGTH((size_t)(end - body)) + 1);
	if (!der)
		return sse_err_sys(err, "%s '%s': cannot allocate", setting, path);
	/* nettle's decoder skips the line breaks and checks the padding. */
	base64_decode_init(&b64);
	if (!base64_decode_update(&b64, &der_len, der, (size_t)(end - body), body) ||
	    !base64_decode_final(&b64))
		rc = bad(&w, "not a PEM public key: bad base64 between its lines");
	else if (!pkcs1)
		rc = spki(key, der, der_len, &w);
	else if (asn1_der_iterator_first(&i, der_len, der) != ASN1_ITERATOR_CONSTRUCTED)
		rc = bad(&w, "not a valid RSA public key");
	else
		rc = rsa_key(key, &i, &w);
	free(der);
	return rc;
}

/* "cannot open '/x': why" from lib/io.c, prefixed with the setting. */
static void name_setting(const struct where *w)
{
	char msg[SSE_ERR_MAX];
	int code = w->err->code;

	snprintf(msg, sizeof(msg), "%s", w->err->msg);
	sse_err_set(w->err, "%s: %s", w->setting, msg);
	w->err->code = code;
}

/* The whole file, in a buffer of KEY_FILE_MAX bytes (caller frees). */
static char *read_key_file(const struct where *w, size_t *len)
{
	char *buf;
	ssize_t n;
	int fd = sse_open_setting(w->path, w->err);

	if (fd < 0) {
		name_setting(w);
		return NULL;
	}
	buf = malloc(KEY_FILE_MAX);
	if (!buf) {
		sse_err_sys(w->err, "%s '%s': cannot allocate", w->setting, w->path);
		sse_close(fd);
		return NULL;
	}
	n = sse_read_upto(fd, buf, KEY_FILE_MAX, w->path, w->err);
	sse_close(fd);
	if (n == -1)
		name_setting(w);
	else if (n == -2)
		bad(w, "more than %d bytes: not a key", KEY_FILE_MAX);
	else if (n == 0)
		bad(w, "empty file: put the key in it");
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static struct sse_jwt_key *new_key(const char *name, enum sse_jwt_alg alg, const void *secret, size_t len)
{
	struct sse_jwt_key *key = calloc(1, sizeof(*key) + len);

	if (!key)
		return NULL;
	key->alg = alg;
	key->name = name;
	key->secret_len = len;
	if (len)
		memcpy(key->secret, secret, len);
	return key;
}

struct sse_jwt_key *sse_jwt_key_load(const char *alg, const char *secret, const char *file,
				     const char *setting, struct sse_err *err)
{
	struct where w = { setting, file, NULL, err };
	struct sse_jwt_key *key;
	size_t len, have, k;
	char *text;

	for (k = 0; k < sizeof(algs) / sizeof(algs[0]); k++)
		if (strcmp(algs[k].name, alg ? alg : "HS256") == 0)
			break;
	if (k == sizeof(algs) / sizeof(algs[0])) {
		sse_err_set(err, "SSE_JWT_ALG: unknown algorithm '%.32s' (expected HS256, HS384, HS512, RS256 or ES256)",
			    alg);
		return NULL;
	}
	w.alg = algs[k].name;
	if (!secret == !file) {
		sse_err_set(err, "%s: a secret or a key file, not %s", setting, secret ? "both" : "neither");
		return NULL;
	}
	if (secret) {
		if (!IS_HMAC(algs[k].alg))
			sse_err_set(err, "SSE_JWT_ALG=%s needs a PEM public key in a file, but %s is a secret",
				    w.alg, setting);
		else if (!*secret)
			sse_err_set(err, "%s is empty: an empty secret would let anyone sign tokens", setting);
		else if (!(key = new_key(w.alg, algs[k].alg, secret, strlen(secret))))
			sse_err_sys(err, "%s: cannot allocate", setting);
		else
			return key;
		return NULL;
	}
	if (!(text = read_key_file(&w, &len)))
		return NULL;
	have = len;
	key = NULL;
	if (!IS_HMAC(algs[k].alg)) {
		if (!(key = new_key(w.alg, algs[k].alg, NULL, 0)))
			sse_err_sys(err, "%s: cannot allocate", setting);
		else if (sse_jwt_key_pem(key, text, len, setting, file, err) < 0) {
			free(key);
			key = NULL;
		}
	} else if (memmem(text, len, "-----BEGIN ", 11)) {
		sse_err_set(err, "SSE_JWT_ALG=%s needs a secret, but %s holds a PEM key", w.alg, setting);
	} else {
		/* The secret is the file's bytes, less one line end: people
		 * write it with echo, and a signer given the same text
		 * has no newline in it. */
		if (len && text[len - 1] == '\n')
			len -= 1 + (len > 1 && text[len - 2] == '\r');
		if (!len)
			bad(&w, "holds only a line end: an empty secret would let anyone sign tokens");
		else if (!(key = new_key(w.alg, algs[k].alg, text, len)))
			sse_err_sys(err, "%s: cannot allocate", setting);
	}
	explicit_bzero(text, have);
	free(text);
	return key;
}

void sse_jwt_key_free(struct sse_jwt_key *key)
{
	if (!key)
		return;
	if (key->alg == SSE_JWT_RS256)
		rsa_public_key_clear(&key->rsa);
	else if (key->alg == SSE_JWT_ES256)
		ecc_point_clear(&key->ec);
	explicit_bzero(key->secret, key->secret_len);
	free(key);
}
