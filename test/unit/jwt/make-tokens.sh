#!/bin/bash
# Makes the JWT verifier's fixtures (test/unit/test_jwt.c): test keys, made
# once with the openssl CLI (kept: the *-TEST-ONLY private keys sign the
# tokens and protect nothing), and tokens.h, remade from them every run:
# valid tokens for each algorithm and forged ones, each signed so that it
# has exactly the one defect its name says (a token with bad base64url is
# signed over its bad text, so only the encoding can refuse it). Signed by
# python3's hmac and `openssl dgst`, not by nettle, so the test checks our
# verifier against other implementations.
#   usage: bash test/unit/jwt/make-tokens.sh   (from anywhere)
set -eu
cd "$(dirname "$0")"
key() { # NAME ALGORITHM-OPTIONS...: a private key and its public PEM
	[ -f "$1-private-TEST-ONLY.pem" ] || openssl genpkey -out "$1-private-TEST-ONLY.pem" "${@:2}" 2> /dev/null
	[ -f "$1-public.pem" ] || openssl pkey -in "$1-private-TEST-ONLY.pem" -pubout -out "$1-public.pem"
}
key rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key ec -algorithm EC -pkeyopt ec_paramgen_curve:P-256
# Keys RS256/ES256 must refuse: too small, another curve, another algorithm.
key rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
key ec384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
key ed25519 -algorithm ED25519
[ -f rsa-public-pkcs1.pem ] || openssl rsa -pubin -in rsa-public.pem -RSAPublicKey_out -out rsa-public-pkcs1.pem 2> /dev/null

python3 - > tokens.h <<'PY'
import base64, hashlib, hmac, json, subprocess

K = b"!ChangeThisMercureHubJWTSecretKey!"   # Mercure's conformance suite's key
FAR = 4102444800                           # 2100-01-01
MERCURE = {"publish": ["*"], "subscribe": ["https://example.com/my-private-topic",
                                           "{scheme}://{+host}/demo/books/{id}.jsonld"]}

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def part(x):  # a dict is JSON-encoded, a str is taken as already encoded text
    return x if isinstance(x, str) else b64(json.dumps(x, separators=(",", ":")).encode())

def hs(alg, key=K):
    h = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    return lambda m: hmac.new(key, m, h).digest()

def ossl(keyfile):
    return lambda m: subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyfile],
                                    input=m, capture_output=True, check=True).stdout

def der_to_raw(d):  # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> r || s
    assert d[0] == 0x30 and d[1] < 0x80
    out, i = b"", 2
    for _ in range(2):
        assert d[i] == 2
        n = d[i + 1]
        out += d[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out

RS = ossl("rsa-private-TEST-ONLY.pem")
ES_DER = ossl("ec-private-TEST-ONLY.pem")
ES = lambda m: der_to_raw(ES_DER(m))

def tok(header, payload, signer, mangle=lambda s: s):
    si = (part(header) + "." + part(payload)).encode()
    return si.decode() + "." + b64(mangle(signer(si) if signer else b""))

def hdr(alg, **kw):
    return dict({"alg": alg, "typ": "JWT"}, **kw)

P = {"mercure": MERCURE, "exp": FAR}
flip = lambda s: bytes([s[0] ^ 1]) + s[1:]
out = {}
out["HS256"] = tok(hdr("HS256"), P, hs("HS256"))
out["HS384"] = tok(hdr("HS384"), P, hs("HS384"))
out["HS512"] = tok(hdr("HS512"), P, hs("HS512"))
out["RS256"] = tok(hdr("RS256"), P, RS)
out["ES256"] = tok(hdr("ES256"), P, ES)
out["HS256_NO_CLAIMS"] = tok({"alg": "HS256"}, {"sub": "x"}, hs("HS256"))
out["HS256_SUB_ONLY"] = tok(hdr("HS256"), {"mercure": {"subscribe": []}}, hs("HS256"))
out["HS256_EXP_REAL"] = tok(hdr("HS256"), {"exp": 1750000000.5, "nbf": 1749999999.9}, hs("HS256"))
# exp and nbf at the edges of a verification at 1750000000 (test_jwt.c's NOW)
out["HS256_EXP_NOW"] = tok(hdr("HS256"), {"exp": 1750000000, "nbf": 1750000000}, hs("HS256"))
out["HS256_BIG_OK"] = tok(hdr("HS256"), {"exp": FAR, "pad": "a" * 5500}, hs("HS256"))
pad = "a" * 6200
out["HS256_OVERSIZED"] = tok(hdr("HS256"), {"exp": FAR, "pad": pad}, hs("HS256"))
out["HS256_KID_IGNORED"] = tok({"alg": "HS256", "kid": "k1", "x": [1, {"y": None}]}, P, hs("HS256"))

# Forged: each must be refused.
out["NONE"] = tok(hdr("none"), P, None)
out["NONE_SIGNED"] = tok(hdr("none"), P, hs("HS256"))
out["CONFUSION"] = tok(hdr("HS256"), P, hs("HS256", open("rsa-public.pem", "rb").read()))
out["CONFUSION_EC"] = tok(hdr("HS256"), P, hs("HS256", open("ec-public.pem", "rb").read()))
out["HS256_BAD_SIG"] = tok(hdr("HS256"), P, hs("HS256"), flip)
out["HS256_SHORT_SIG"] = tok(hdr("HS256"), P, hs("HS256"), lambda s: s[:31])
out["HS256_OTHER_KEY"] = tok(hdr("HS256"), P, hs("HS256", K + b"x"))
out["RS256_BAD_SIG"] = tok(hdr("RS256"), P, RS, flip)
out["RS256_SHORT_SIG"] = tok(hdr("RS256"), P, RS, lambda s: s[1:])
out["RS256_LONG_SIG"] = tok(hdr("RS256"), P, RS, lambda s: b"\0" + s)
out["ES256_BAD_SIG"] = tok(hdr("ES256"), P, ES, flip)
out["ES256_SHORT_SIG"] = tok(hdr("ES256"), P, ES, lambda s: s[:63])
out["ES256_LONG_SIG"] = tok(hdr("ES256"), P, ES, lambda s: s + b"\0")
out["ES256_DER_SIG"] = tok(hdr("ES256"), P, ES_DER)
out["ES256_ZERO_SIG"] = tok(hdr("ES256"), P, lambda m: b"\0" * 64)
out["EXP_PAST"] = tok(hdr("HS256"), {"mercure": MERCURE, "exp": 1000000000}, hs("HS256"))
out["NBF_FUTURE"] = tok(hdr("HS256"), {"mercure": MERCURE, "exp": FAR, "nbf": FAR - 1}, hs("HS256"))
good = out["HS256"]
h, p, s = good.split(".")
out["TWO_PARTS"] = h + "." + p
out["FOUR_PARTS"] = good + "." + s
out["EMPTY_SIG"] = h + "." + p + "."
out["EMPTY_HEADER"] = tok("", P, hs("HS256"))
out["EMPTY_PAYLOAD"] = tok(hdr("HS256"), "", hs("HS256"))
out["SIG_PADDED"] = good + "="
sig_std = base64.b64encode(hs("HS256")(("%s.%s" % (h, p)).encode())).decode()
# Bad base64url signed over its bad text: only the encoding is wrong.
hp = lambda t: base64.b64encode(json.dumps(t, separators=(",", ":")).encode()).decode()
std_payload = next(t for t in ({"exp": FAR, "q": "x" * i + "~~~???"} for i in range(3))
                   if "+" in hp(t) and "/" in hp(t))
out["PAYLOAD_STD_B64"] = tok(hdr("HS256"), hp(std_payload).rstrip("="), hs("HS256"))
out["PAYLOAD_PADDED"] = tok(hdr("HS256"), b64(b'{"exp":4102444800,"a":12}') + "==", hs("HS256"))
assert len(b64(b'{"exp":4102444800,"a":12}')) % 4 == 2
out["PAYLOAD_BAD_CHAR"] = tok(hdr("HS256"), part(P)[:10] + "*" + part(P)[11:], hs("HS256"))
out["PAYLOAD_SPACE"] = tok(hdr("HS256"), part(P)[:12] + " " + part(P)[12:], hs("HS256"))
out["PAYLOAD_NEWLINE"] = tok(hdr("HS256"), part(P)[:12] + "\n" + part(P)[12:], hs("HS256"))
e = b64(b'{"exp":4102444800,"a":12}')  # its last character carries 4 unused bits
garbage = e[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(e[-1]) | 1]
assert garbage != e
out["PAYLOAD_TRAILING_BITS"] = tok(hdr("HS256"), garbage, hs("HS256"))
out["PAYLOAD_ONE_CHAR_LEFT"] = tok(hdr("HS256"), e + "AAA", hs("HS256"))
out["HEADER_NOT_JSON"] = tok(b64(b"alg=HS256"), P, hs("HS256"))
out["HEADER_ARRAY"] = tok(b64(b'["alg","HS256"]'), P, hs("HS256"))
out["HEADER_STRING"] = tok(b64(b'"HS256"'), P, hs("HS256"))
out["HEADER_TRAILING"] = tok(b64(b'{"alg":"HS256"}x'), P, hs("HS256"))
out["HEADER_DUP_ALG"] = tok(b64(b'{"alg":"HS256","alg":"HS256"}'), P, hs("HS256"))
out["HEADER_DUP_ALG_ESCAPED"] = tok(b64(b'{"alg":"HS256","\\u0061lg":"none"}'), P, hs("HS256"))
out["HEADER_DUP_ALG_NONE"] = tok(b64(b'{"alg":"none","alg":"HS256"}'), P, hs("HS256"))
out["HEADER_DEEP"] = tok(b64(b'{"alg":"HS256","x":' + b"[" * 16 + b"]" * 16 + b"}"), P, hs("HS256"))
out["HEADER_NESTED_OK"] = tok(b64(b'{"alg":"HS256","x":' + b"[" * 15 + b"]" * 15 + b"}"), P, hs("HS256"))
out["HEADER_NO_ALG"] = tok({"typ": "JWT"}, P, hs("HS256"))
out["HEADER_ALG_LOWER"] = tok(hdr("hs256"), P, hs("HS256"))
out["HEADER_ALG_NOT_STRING"] = tok({"alg": ["HS256"]}, P, hs("HS256"))
out["HEADER_ALG_NUL"] = tok(b64(b'{"alg":"HS256\\u0000"}'), P, hs("HS256"))
out["HEADER_CRIT"] = tok(hdr("HS256", crit=["exp"]), P, hs("HS256"))
out["HEADER_TYP_NUMBER"] = tok({"alg": "HS256", "typ": 1}, P, hs("HS256"))
out["HS384_AS_HS256"] = out["HS384"]
out["PAYLOAD_NOT_JSON"] = tok(hdr("HS256"), b64(b"exp=4102444800"), hs("HS256"))
out["PAYLOAD_ARRAY"] = tok(hdr("HS256"), b64(b"[4102444800]"), hs("HS256"))
out["PAYLOAD_DUP_EXP"] = tok(hdr("HS256"), b64(b'{"exp":1000000000,"exp":4102444800}'), hs("HS256"))
out["PAYLOAD_DUP_MERCURE"] = tok(hdr("HS256"),
    b64(b'{"mercure":{"publish":[]},"mercure":{"publish":["*"]},"exp":4102444800}'), hs("HS256"))
out["PAYLOAD_DUP_PUBLISH"] = tok(hdr("HS256"),
    b64(b'{"mercure":{"publish":[],"publish":["*"]},"exp":4102444800}'), hs("HS256"))
out["EXP_STRING"] = tok(hdr("HS256"), {"exp": str(FAR)}, hs("HS256"))
out["EXP_NULL"] = tok(hdr("HS256"), {"exp": None}, hs("HS256"))
out["EXP_BOOL"] = tok(hdr("HS256"), {"exp": True}, hs("HS256"))
out["EXP_HUGE"] = tok(hdr("HS256"), b64(b'{"exp":99999999999999999999999}'), hs("HS256"))
out["NBF_STRING"] = tok(hdr("HS256"), {"exp": FAR, "nbf": "0"}, hs("HS256"))
out["PUBLISH_STRING"] = tok(hdr("HS256"), {"mercure": {"publish": "*"}, "exp": FAR}, hs("HS256"))
out["PUBLISH_NUMBER"] = tok(hdr("HS256"), {"mercure": {"publish": ["*", 1]}, "exp": FAR}, hs("HS256"))
out["PUBLISH_NULL"] = tok(hdr("HS256"), {"mercure": {"publish": None}, "exp": FAR}, hs("HS256"))
out["SUBSCRIBE_OBJECT"] = tok(hdr("HS256"), {"mercure": {"subscribe": {"a": "b"}}, "exp": FAR}, hs("HS256"))
out["SUBSCRIBE_NESTED"] = tok(hdr("HS256"), {"mercure": {"subscribe": [["*"]]}, "exp": FAR}, hs("HS256"))
out["SUBSCRIBE_NUL"] = tok(hdr("HS256"), b64(b'{"mercure":{"subscribe":["a\\u0000b"]}}'), hs("HS256"))
out["MERCURE_ARRAY"] = tok(hdr("HS256"), {"mercure": [MERCURE], "exp": FAR}, hs("HS256"))
out["MERCURE_STRING"] = tok(hdr("HS256"), {"mercure": "publish", "exp": FAR}, hs("HS256"))

print("/* Made by test/unit/jwt/make-tokens.sh: do not edit. */")
for name in ("rsa-public", "rsa-public-pkcs1", "ec-public", "rsa1024-public", "ec384-public",
             "ed25519-public", "rsa-private-TEST-ONLY"):
    text = open(name + ".pem").read()
    print("#define PEM_%s \\" % name.replace("-", "_").upper())
    print(" \\\n".join('\t"%s\\n"' % l for l in text.splitlines()))
for k, v in out.items():
    assert "\\" not in v and '"' not in v
    print('#define TOK_%s "%s"' % (k, v.replace("\n", "\\n")))
PY
echo "wrote $(pwd)/tokens.h"
