/* Inside the JWT verifier (lib/jwt.c, lib/jwt_key.c): what a loaded key
 * holds, and the reading of a PEM public key. Not installed. */
#ifndef SSE_JWT_KEY_H
#define SSE_JWT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/ecc.h>
#include <nettle/rsa.h>

#include "err.h"

enum sse_jwt_alg { SSE_JWT_HS256, SSE_JWT_HS384, SSE_JWT_HS512, SSE_JWT_RS256, SSE_JWT_ES256 };

struct sse_jwt_key {
	enum sse_jwt_alg alg;
	const char *name;           /* "HS256": what a header's alg must be */
	struct rsa_public_key rsa;  /* RS256 only */
	struct ecc_point ec;        /* ES256 only: on P-256 */
	size_t secret_len;          /* HS*: the secret's bytes follow */
	uint8_t secret[];
};

/* Reads the PEM public key in text (len bytes) into key->rsa (RS256) or
 * key->ec (ES256), initializing it; on failure nothing is left to clear and
 * err says why, naming setting and path. */
int sse_jwt_key_pem(struct sse_jwt_key *key, const char *text, size_t len, const char *setting,
		    const char *path, struct sse_err *err);

#endif
