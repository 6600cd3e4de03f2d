#!/bin/bash
# Seeds for fuzz_jwt (layout in test/fuzz/fuzz_jwt.c) from the unit test's
# fixtures (test/unit/jwt/): every token of tokens.h, valid and forged, for
# the key it was made for; header and payload JSON that the target signs
# itself; the PEM keys. Called by seeds.sh; alone:
#   usage: bash test/fuzz/seeds-jwt.sh [DIR]   (default test/fuzz/corpus/jwt)
set -eu
cd "$(dirname "$0")/../.."
D=${1:-test/fuzz/corpus/jwt}
rm -rf "$D"
mkdir -p "$D"
python3 - "$D" <<'PY'
import glob, os, re, sys
d = sys.argv[1]
src = open("test/unit/jwt/tokens.h").read()
keys = {"HS256": 0, "HS384": 1, "HS512": 2, "RS256": 3, "ES256": 4}
def put(name, mode, body):
    open(os.path.join(d, name), "wb").write(bytes([mode]) + body)
for name, tok in re.findall(r'#define TOK_(\w+) "([^"]*)"', src):
    alg = name.split("_")[0]
    put("tok-" + name.lower(), keys.get(alg, 0), tok.replace("\\n", "\n").encode())
# Signed by the target: header JSON, NUL, payload JSON.
H = b'{"alg":"HS256","typ":"JWT"}'
for name, mode, h, p in [
    ("publish", 0x08, H, b'{"mercure":{"publish":["*"],"subscribe":["https://example.com/{id}"]},"exp":4102444800}'),
    ("hs384", 0x09, b'{"alg":"HS384"}', b'{"mercure":{"publish":[]}}'),
    ("hs512", 0x0a, b'{"alg":"HS512","kid":"x"}', b'{"exp":4102444800.25,"nbf":1.5e9}'),
    ("unicode", 0x08, H, b'{"mercure":{"subscribe":["https://example.com/\\u00e9t\\u00e9","\\ud83d\\ude00"]}}'),
    ("nested", 0x08, H, b'{"mercure":{"publish":["a"],"payload":{"x":[1,2,{"y":null}]}},"sub":"u"}'),
    ("exp-neg", 0x08, H, b'{"exp":-1e300}'),
    ("crit", 0x08, b'{"alg":"HS256","crit":[]}', b'{}'),
]:
    put("sign-" + name, mode, h + b"\0" + p)
for f in sorted(glob.glob("test/unit/jwt/*-public*.pem")):
    base = os.path.basename(f)[:-4]
    text = open(f, "rb").read()
    put("pem-rs-" + base, 0x80, text)
    put("pem-es-" + base, 0x81, text)
PY
echo "seeds: $(find "$D" -type f | wc -l) in $D"
