/* JWT verification for the Mercure hub (SPEC "Authorization (JWT)"): JWS
 * compact tokens signed HS256/384/512 (a shared secret), RS256 or ES256 (a
 * PEM public key). Crypto from nettle/hogweed, JSON from jansson: nothing of
 * either is written here. A token is valid only when its header's alg is
 * exactly the configured one, its signature verifies (HMAC compared in
 * constant time), `exp` is not past and `nbf` not future, and its claims
 * have the types SPEC gives; anything else (`none`, algorithm confusion,
 * bad base64url, duplicate keys, oversized tokens) is refused. */
#ifndef SSE_JWT_H
#define SSE_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"

/* Longest token accepted (header, query or cookie). */
#define SSE_JWT_MAX 8192

struct sse_jwt_key;

/* A key from configuration. alg: "HS256" (default when NULL), "HS384",
 * "HS512", "RS256", "ES256". Exactly one of secret (the key itself, as
 * text) or file (a file holding the secret, or a PEM public key for RS256/
 * ES256) is non-NULL. setting names the setting for errors
 * ("SSE_JWT_KEY_FILE"). A secret file's bytes are the secret, less one
 * trailing LF or CRLF (people write it with echo); a PEM key is a
 * "PUBLIC KEY" (RSA of 2048 bits or more, or EC P-256) or an "RSA PUBLIC
 * KEY". A PEM key with HS*, a secret with RS256 or ES256, an empty secret,
 * an unreadable file or an unknown alg: NULL and one line in err naming
 * the setting and what to do (the front end answers 500). */
struct sse_jwt_key *sse_jwt_key_load(const char *alg, const char *secret, const char *file,
				     const char *setting, struct sse_err *err);
void sse_jwt_key_free(struct sse_jwt_key *key);

struct sse_jwt_claims {
	int has_publish, has_subscribe;   /* the claim was present */
	struct sse_str *publish;          /* mercure.publish selectors */
	size_t npublish;
	struct sse_str *subscribe;        /* mercure.subscribe selectors */
	size_t nsubscribe;
	int has_exp;
	int64_t exp;                      /* seconds since the epoch */
	void *mem;                        /* owns everything above */
};

/* Verifies token (len bytes, not NUL-terminated) at time now (seconds since
 * the epoch): valid while now < exp and now >= nbf, no leeway (a fraction
 * of a second in either is dropped). 0 and *out filled (free with
 * sse_jwt_claims_free; the selectors are NUL-terminated), or -1 with *out
 * empty and err saying why in one line that quotes nothing of the token,
 * for the error log (never for the client). Nothing else it allocates
 * outlives the call. */
int sse_jwt_verify(const struct sse_jwt_key *key, const char *token, size_t len, int64_t now,
		   struct sse_jwt_claims *out, struct sse_err *err);
void sse_jwt_claims_free(struct sse_jwt_claims *c);

#endif
