# Sourced by hostile.sh: its rows for the Mercure hub (issue 12; SPEC
# "Topics, authorization and HTTP publishing", doc/mercure.md for every
# answer), run by the same row runners against sse.cgi and sse-fcgi:
#
# - forged tokens, on subscribe and on publish, from the header, the query
#   and the cookie: alg none (with and without a signature), HS256 signed
#   with the RSA public key's PEM on an RS256 hub (algorithm confusion),
#   HS512 on an HS256 hub, a flipped signature bit, exp past, nbf future,
#   1, 2 and 4 parts, empty parts, 8193 and 65536 bytes, bad base64url
#   ('=', '+', '/', a space, NUL), duplicate and wrong-typed claims, no
#   token after Bearer, Basic, CR/LF: 401 with WWW-Authenticate: Bearer, one
#   line in the error log when a token was read (none when there was none
#   to read), nothing published;
# - hostile forms: too large, bad escapes, ';', thousands of topics, CR, LF
#   and NUL in topic, id and type, '#' ids, bad retries, Content-Type and
#   Content-Length: 400, nothing published; a body that stalls is answered
#   within a bound;
# - hostile selectors and topics on subscribe: the caps on selectors (64,
#   1024 bytes, 4096 states), broken templates, NUL, 128 kB queries, a
#   64 kB or CR/LF lastEventID: 400, or a harmless stream.
# Controls beside them (a good token of 8192 bytes, an RS256 token, 1000
# topics, 64 selectors, 3 templates at the state cap) must be served, so a
# refusal is known to come from what each row changed.
#
# Throughout, a hub subscriber (a token with mercure.subscribe ["*"], so it
# would see a private update too) must receive every good update published
# between the rows (hub_between) and the controls, once and in order, and
# nothing else: an update of a refused publish would show there.

HUB_KEY='!ChangeThisMercureHubJWTSecretKey!'
HUB_FORM=application/x-www-form-urlencoded
HUB_RSA_PEM=$TOP/test/unit/jwt/rsa-public.pem
# SSE_MAX_EVENT's default: the form's bound is 3 x it + 4096 bytes
HUB_MAX_EVENT=65536

# The tokens, made once: FORGE_NAME/FORGE_TOK/FORGE_Q (percent-encoded for
# the query)/FORGE_RS (1: for the RS256 hub); HUB_PUB, a good token that
# may publish and subscribe anything; HUB_RS, a good RS256 one; HUB_8192,
# a good one of exactly SSE_JWT_MAX bytes.
eval "$(python3 - "$HUB_KEY" "$HUB_RSA_PEM" "$TOP/test/unit/jwt/rsa-private-TEST-ONLY.pem" <<'EOF'
import base64, hashlib, hmac, json, shlex, subprocess, sys, time, urllib.parse
key, pem_file, rsa_priv = sys.argv[1].encode(), sys.argv[2], sys.argv[3]
pem = open(pem_file, "rb").read()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
dig = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
ALL = '{"mercure":{"publish":["*"],"subscribe":["*"]}}'

def mac(si, k=key, alg="HS256"):
    return b64(hmac.new(k, si.encode(), dig[alg]).digest())

def tok(claims=ALL, head='{"alg":"HS256","typ":"JWT"}', k=key, alg="HS256", sign=None):
    si = b64(head.encode()) + "." + b64(claims.encode())
    return si + "." + (sign(si) if sign else mac(si, k, alg))

def padded(n):
    # a good token of exactly n bytes: a claim "x" grown until it fits
    # base64url makes 4 bytes of 3: start just short of it
    base = len(tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"x":""}'))
    for pad in range(max(0, (n - base) * 3 // 4 - 8), n):
        t = tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"x":"%s"}' % ("x" * pad))
        if len(t) >= n:
            return t if len(t) == n else None

good = tok()
parts = good.split(".")
out = []
def emit(name, value):
    out.append("%s=%s" % (name, shlex.quote(value)))
forged = []
def forge(name, t, rs=0):
    forged.append((name, t, rs))

forge("alg none, no signature", tok(head='{"alg":"none","typ":"JWT"}', sign=lambda si: ""))
forge("alg none, a signature", tok(head='{"alg":"none","typ":"JWT"}'))
forge("alg None", tok(head='{"alg":"None","typ":"JWT"}'))
forge("no alg", tok(head='{"typ":"JWT"}'))
forge("alg HS512 on an HS256 hub", tok(head='{"alg":"HS512","typ":"JWT"}', alg="HS512"))
forge("another key", tok(k=b"another key"))
sig = bytearray(base64.urlsafe_b64decode(parts[2] + "="))
sig[5] ^= 1
forge("a signature bit flipped", parts[0] + "." + parts[1] + "." + b64(bytes(sig)))
forge("exp past", tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"exp":1000}'))
forge("nbf future", tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"nbf":%d}' % (time.time() + 3600)))
forge("exp a string", tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"exp":"9999999999"}'))
forge("nbf true", tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"nbf":true}'))
forge("mercure a string", tok('{"mercure":"*"}'))
forge("mercure.publish a string", tok('{"mercure":{"publish":"*","subscribe":"*"}}'))
forge("mercure.publish [1]", tok('{"mercure":{"publish":[1],"subscribe":[1]}}'))
forge("claims an array", tok('["mercure"]'))
forge("header an array", tok(head='["HS256"]'))
forge("duplicate mercure claims", tok('{"mercure":{"publish":[]},"mercure":{"publish":["*"],"subscribe":["*"]}}'))
forge("duplicate exp", tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"exp":1000,"exp":9999999999}'))
forge("duplicate alg", tok(head='{"alg":"none","alg":"HS256"}'))
forge("1 part", parts[0])
forge("2 parts", parts[0] + "." + parts[1])
forge("4 parts", good + "." + parts[2])
forge("4 parts, the last empty", good + ".")
forge("empty parts", "..")
forge("an empty claims part", parts[0] + ".." + parts[2])
forge("an empty header part", "." + parts[1] + "." + parts[2])
forge("empty", "")
forge("8193 bytes", padded(8193))
forge("65536 bytes", padded(65536))
forge("'=' padding", good + "=")
# the same bytes in the standard alphabet: a lenient decoder would take them
for i in range(1000):
    t = tok('{"mercure":{"publish":["*"],"subscribe":["*"]},"jti":"%d"}' % i)
    s = t.split(".")[2]
    if "-" in s and "_" in s:
        forge("'+' and '/' for '-' and '_'", t.rsplit(".", 1)[0] + "." + s.replace("-", "+").replace("_", "/"))
        break
forge("a space inside", good[:-10] + " " + good[-10:])
forge("a space before", " " + good)
forge("CR/LF and header lines", good + "\r\nInjected: yes\r\n\r\nevent: injected\nid: 6666666666")
# algorithm confusion: the hub is RS256 with this public key
forge("HS256 signed with the RS256 hub's PEM", tok(k=pem), 1)
forge("HS256 signed with the PEM, no newline", tok(k=pem.rstrip(b"\n")), 1)
forge("alg RS256, an HMAC of the PEM", tok(head='{"alg":"RS256","typ":"JWT"}', k=pem), 1)
forge("alg none on the RS256 hub", tok(head='{"alg":"none","typ":"JWT"}', sign=lambda si: ""), 1)
for n, (name, t, rs) in enumerate(forged):
    out.append("FORGE_NAME[%d]=%s FORGE_TOK[%d]=%s FORGE_Q[%d]=%s FORGE_RS[%d]=%d" % (
        n, shlex.quote(name), n, shlex.quote(t), n, shlex.quote(urllib.parse.quote(t, safe="")), n, rs))
rs = lambda si: b64(subprocess.run(["openssl", "dgst", "-sha256", "-sign", rsa_priv],
                                   input=si.encode(), capture_output=True, check=True).stdout)
emit("HUB_PUB", good)
emit("HUB_RS", tok(head='{"alg":"RS256","typ":"JWT"}', sign=rs))
emit("HUB_8192", padded(8192))
emit("HUB_GOOD_Q", urllib.parse.quote(good, safe=""))
print("\n".join(out))
EOF
)" || { echo "hostile: cannot make the hub's tokens (python3, openssl)" >&2; exit 1; }
[ "${#FORGE_NAME[@]}" -ge 38 ] && [ "${#HUB_8192}" = 8192 ] && [ -n "$HUB_RS" ] ||
	{ echo "hostile: the hub's tokens were not all made" >&2; exit 1; }

# has NAME ARG...: one of the ARGs sets NAME
has() {
	local n=$1 a

	shift
	for a; do [[ $a == "$n="* ]] && return 0; done
	return 1
}

# hub_row NAME WANT ERR_LINES [BODY] -- [VAR=value...]: one hub request
# through $HUB_RUNNER (cgi_row, fcgi_row), with the hub's settings unless
# the row sets them; with a BODY, a POST of it. A 401 must say
# WWW-Authenticate: Bearer; the error log must hold no hostile line.
hub_row() {
	local name=$1 want=$2 lines=$3 body=-
	local -a a

	shift 3
	[ "$1" = -- ] || { body=$1; shift; }
	shift
	a=("$@")
	has SSE_HUB "$@" || a+=(SSE_HUB=hub)
	has SSE_JWT_KEY "$@" || has SSE_JWT_KEY_FILE "$@" || a+=("SSE_JWT_KEY=$HUB_KEY")
	has QUERY_STRING "$@" || [ "$body" != - ] || a+=("QUERY_STRING=topic=*")
	if [ "$body" != - ]; then
		printf '%s' "$body" >"$W/hub.body"
		has REQUEST_METHOD "$@" || a+=(REQUEST_METHOD=POST)
		has CONTENT_TYPE "$@" || a+=(CONTENT_TYPE=$HUB_FORM)
		has CONTENT_LENGTH "$@" || a+=("CONTENT_LENGTH=${#body}")
		ROW_BODY=$W/hub.body "$HUB_RUNNER" "hub $name" "$want" "$lines" "${a[@]}"
	else
		"$HUB_RUNNER" "hub $name" "$want" "$lines" "${a[@]}"
	fi
	if [ "$(status_line "$W/out")" = 401 ] && ! grep -a -q $'^WWW-Authenticate: Bearer\r$' "$W/out"; then
		bad "$HUB_RUNNER hub $name: a 401 without WWW-Authenticate: Bearer"
	fi
	if injected_in "$W/err"; then
		injected=$((injected + 1))
		bad "$HUB_RUNNER hub $name: hostile input reached a line of the error log"
	fi
	# a control's update comes before the next good one
	[ -n "${HUB_ROW_ID:-}" ] && [ "$(status_line "$W/out")" = 200 ] && HUB_IDS+=("$HUB_ROW_ID")
	hub_between
}

# hub_control NAME ID BODY [VAR=value...]: a publish that must be served
# (200, its id as the body); the live subscribers then expect ID.
hub_control() {
	local name=$1 id=$2 body=$3

	shift 3
	HUB_ROW_ID=$id hub_row "$name" 200 0 "$body" -- HTTP_AUTHORIZATION="Bearer $HUB_PUB" "$@"
}

# hub_between: a good update through sse.cgi, which every live hub
# subscriber must receive.
HUB_N=0
HUB_IDS=()
hub_between() {
	local b

	HUB_N=$((HUB_N + 1))
	b="topic=https://example.com/good&data=between+$HUB_N&id=g$HUB_N"
	printf '%s' "$b" | env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
		SSE_SPOOL_DIR="$SP" SSE_HUB=hub "SSE_JWT_KEY=$HUB_KEY" CONTENT_TYPE=$HUB_FORM \
		CONTENT_LENGTH=${#b} "HTTP_AUTHORIZATION=Bearer $HUB_PUB" \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} "$CGI" >"$W/hb.out" 2>"$W/hb.err"
	if [ "$(tail -n 1 "$W/hb.out")" = "g$HUB_N" ]; then
		HUB_IDS+=("g$HUB_N")
	else
		bad "cannot publish a good hub update: $(head -c 300 "$W/hb.out" | cat -v) $(head -n 2 "$W/hb.err")"
	fi
}

# hub_live_cgi FILE / hub_live_fcgi FILE: a hub subscriber through the
# table; HUB_IDS starts empty with it (live updates only).
hub_live_cgi() {
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SSE_SPOOL_DIR="$SP" \
		SSE_HUB=hub "SSE_JWT_KEY=$HUB_KEY" "QUERY_STRING=topic=*" "HTTP_AUTHORIZATION=Bearer $HUB_PUB" \
		SSE_MAX_LIFETIME=0 ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} "$CGI" >"$1" 2>"$1.err" &
	HUB_LIVE=$!
	PIDS+=($HUB_LIVE)
	hub_live_ready "$1"
}
hub_live_fcgi() {
	"$FC" -t 600 "unix:$SOCK" REQUEST_METHOD=GET SSE_HUB=hub "SSE_JWT_KEY=$HUB_KEY" "QUERY_STRING=topic=*" \
		"HTTP_AUTHORIZATION=Bearer $HUB_PUB" >"$1" &
	HUB_LIVE=$!
	PIDS+=($HUB_LIVE)
	hub_live_ready "$1"
}
hub_live_ready() {
	wait_for "grep -a -q '^: ' '$1'" 100 0.05 || bad "the parallel hub subscriber did not start: $(head -c 300 "$1")"
	HUB_IDS=()
}

# expect_hub FILE WHO: FILE has the updates of HUB_IDS, once, in order,
# and nothing else; no line of it is hostile input.
expect_hub() {
	local got want="${HUB_IDS[*]}"

	[ -n "$want" ] && wait_for "grep -a -q '^id: ${HUB_IDS[-1]}\$' '$1'" 200 0.05 >/dev/null 2>&1
	got=$(sed -n '/^: sse-cgi/,$p' "$1" | grep -a '^id: ' | cut -c5- | tr '\n' ' ')
	if [ "$got" != "$want " ] && [ "$got$want" != "" ]; then
		lost=$((lost + 1))
		bad "$2: the parallel hub subscriber got ids '$got', expected '$want '"
	fi
	if injected_in "$1"; then
		injected=$((injected + 1))
		bad "$2: hostile input reached a line of the parallel hub subscriber's stream"
	fi
}

# token_rows: every forged token from every source, on subscribe and on
# publish. The error log gets one line when a token was read: from the
# header always; from the query on subscribe only (a publish does not read
# it: no token, no line: a few rows show it); from the cookie unless its value holds a byte no
# cookie may (then it is not read either, as Go's net/http).
token_rows() {
	local i t q name rs lines cl
	local -a hub

	for i in "${!FORGE_NAME[@]}"; do
		name=${FORGE_NAME[i]} t=${FORGE_TOK[i]} q=${FORGE_Q[i]} hub=()
		[ "${FORGE_RS[i]}" = 1 ] && hub=(SSE_JWT_ALG=RS256 "SSE_JWT_KEY_FILE=$HUB_RSA_PEM")
		cl=1
		[[ $t == *[$'\r\n\t'\"\;\\]* ]] && cl=0
		hub_row "subscribe, header: $name" 401 1 -- "${hub[@]}" "HTTP_AUTHORIZATION=Bearer $t"
		hub_row "subscribe, query: $name" 401 1 -- "${hub[@]}" "QUERY_STRING=topic=*&authorization=$q"
		hub_row "subscribe, cookie: $name" 401 $cl -- "${hub[@]}" "HTTP_COOKIE=mercureAuthorization=$t"
		hub_row "publish, header: $name" 401 1 "topic=t&data=forged&id=forged" -- "${hub[@]}" \
			"HTTP_AUTHORIZATION=Bearer $t"
		# a publish does not read the query: a few are enough to show it
		[ "$i" -lt 4 ] && hub_row "publish, query: $name" 401 0 "topic=t&data=forged&id=forged" -- "${hub[@]}" \
			"QUERY_STRING=authorization=$q"
		hub_row "publish, cookie: $name" 401 $cl "topic=t&data=forged&id=forged" -- "${hub[@]}" \
			"HTTP_COOKIE=mercureAuthorization=$t" HTTP_ORIGIN=https://a.example SSE_PUBLISH_ORIGINS=https://a.example
	done
	# NUL can only come encoded, in the query
	hub_row "subscribe, query: NUL after the token" 401 1 -- "QUERY_STRING=topic=*&authorization=$HUB_GOOD_Q%00"
	hub_row "subscribe, query: NUL inside the token" 401 1 -- "QUERY_STRING=topic=*&authorization=%00$HUB_GOOD_Q"
	# what Authorization holds when it is not a token
	for t in Bearer 'Bearer ' 'Bearer  ' 'Basic xxx' "Basic $(printf 'a:b' | base64)" "$HUB_PUB" \
		"Bearer$HUB_PUB" "Bearer ${HUB_PUB}${INJ}"; do
		hub_row "subscribe, Authorization '$(printf '%.24s' "$t" | cat -v)'" 401 1 -- "HTTP_AUTHORIZATION=$t"
		hub_row "publish, Authorization '$(printf '%.24s' "$t" | cat -v)'" 401 1 "topic=t&data=forged" -- \
			"HTTP_AUTHORIZATION=$t"
	done
	# no token at all; a forged header is not passed over for a good cookie
	hub_row "subscribe, no token, SSE_ANONYMOUS unset" 401 0 --
	hub_row "publish, no token" 401 0 "topic=t&data=forged" --
	hub_row "subscribe, a forged header before a good cookie" 401 1 -- "HTTP_AUTHORIZATION=Bearer ${FORGE_TOK[0]}" \
		"HTTP_COOKIE=mercureAuthorization=$HUB_PUB"
	hub_row "publish, a good cookie from an unlisted Origin" 403 0 "topic=t&data=forged" -- \
		"HTTP_COOKIE=mercureAuthorization=$HUB_PUB" HTTP_ORIGIN=https://evil.example \
		SSE_PUBLISH_ORIGINS=https://a.example
	# the controls: the same requests with good tokens are served
	hub_row "subscribe, a good token of 8192 bytes" 200 0 -- "HTTP_AUTHORIZATION=Bearer $HUB_8192"
	hub_row "subscribe, a good RS256 token" 200 0 -- SSE_JWT_ALG=RS256 "SSE_JWT_KEY_FILE=$HUB_RSA_PEM" \
		"HTTP_AUTHORIZATION=Bearer $HUB_RS"
	hub_row "subscribe, a good token in the query" 200 0 -- "QUERY_STRING=topic=*&authorization=$HUB_GOOD_Q"
	hub_control "publish, a good token of 8192 bytes" c1 "topic=t&data=c1&id=c1" "HTTP_AUTHORIZATION=Bearer $HUB_8192"
	HUB_ROW_ID=c2 hub_row "publish, a good token in a cookie" 200 0 "topic=t&data=c2&id=c2" -- \
		"HTTP_COOKIE=mercureAuthorization=$HUB_PUB" HTTP_ORIGIN=https://a.example SSE_PUBLISH_ORIGINS=https://a.example
}

# form_rows: hostile publishes with a good token: 400, nothing published.
form_rows() {
	local auth="HTTP_AUTHORIZATION=Bearer $HUB_PUB" big3

	big3=$(big $((3 * HUB_MAX_EVENT + 4097 - 13)))
	hub_row "form of 3 x SSE_MAX_EVENT + 4097 bytes" 400 0 "topic=t&data=$big3" -- "$auth"
	hub_row "a field over SSE_MAX_EVENT" 400 0 "topic=t&data=$(big $((HUB_MAX_EVENT + 1)))" -- "$auth"
	hub_row "topics + data over SSE_MAX_EVENT" 400 0 "topic=$(big 40000)&data=$(big 40000)" -- "$auth"
	for e in % %4 %zz %%41 %4g; do
		hub_row "data=$e" 400 0 "topic=t&data=a$e" -- "$auth"
		hub_row "key with $e" 400 0 "topic=t&data=a&x$e=1" -- "$auth"
	done
	hub_row "';' between fields" 400 0 "topic=t;data=x" -- "$auth"
	hub_row "';' in a value" 400 0 "topic=t&data=a;b" -- "$auth"
	hub_row "5000 empty topic= fields" 400 0 "$(for i in $(seq 5000); do printf 'topic=&'; done)data=x" -- "$auth"
	hub_row "1001 topics" 400 0 "$(for i in $(seq 1001); do printf 'topic=t%d&' "$i"; done)data=x" -- "$auth"
	hub_row "an empty topic" 400 0 "topic=&data=x" -- "$auth"
	hub_row "no topic" 400 0 "data=x&id=forged" -- "$auth"
	for f in topic=a%00b topic=a%0db topic=a%0ab topic=a%09b topic=a%7fb "id=x%0d%0aevent:%20injected" \
		"id=x%0aid:%206666666666" "id=x%0dInjected:%20yes" id=a%00b "type=x%0aid:%206666666666" \
		"type=x%0d%0aevent:%20injected" "type=x%0devent:%20injected" type=a%00b "id=%231" "id=#1" \
		retry=-1 retry=99999999999999999999 retry=9223372036854775808 retry=1e3 retry=%201 retry=0x10 retry=1.5; do
		hub_row "$f" 400 0 "topic=t&data=x&$f" -- "$auth"
	done
	hub_row "topic=t&id=... twice, the first bad" 400 0 "topic=t&id=x%0aevent:%20injected&id=ok" -- "$auth"
	for ct in text/plain multipart/form-data "application/x-www-form-urlencodedx" \
		"application/json" "$HUB_FORM$INJ" ""; do
		hub_row "Content-Type '$(printf '%.40s' "$ct" | cat -v)'" 400 0 "topic=t&data=x&id=forged" -- \
			"$auth" "CONTENT_TYPE=$ct"
	done
	hub_row "Content-Length larger than the body" 400 0 "topic=t&data=x&id=forged" -- "$auth" CONTENT_LENGTH=100
	for cl in -1 abc 99999999999999999999 "1 " +24 0x18 "$(big 60000 9)"; do
		hub_row "Content-Length '$(printf '%.20s' "$cl")'" 400 0 "topic=t&data=x&id=forged" -- "$auth" "CONTENT_LENGTH=$cl"
	done
	hub_row "Content-Length 5 of a longer body" 400 0 "topic=t&data=x&id=forged" -- "$auth" CONTENT_LENGTH=5
	hub_row "PUT" 405 0 "topic=t&data=x&id=forged" -- "$auth" REQUEST_METHOD=PUT
	hub_row "post (lower case)" 405 0 "topic=t&data=x&id=forged" -- "$auth" REQUEST_METHOD=post
	# served: the bounds themselves, and hostile bytes where they are harmless
	hub_control "1000 topics" c3 "$(for i in $(seq 1000); do printf 'topic=t%d&' "$i"; done)data=c3&id=c3"
	hub_control "Content-Type with a charset" c4 "topic=t&data=c4&id=c4" "CONTENT_TYPE=$HUB_FORM; charset=utf-8"
	hub_control "data with CR/LF and field lines" c5 \
		"topic=t&data=a%0d%0aevent:%20injected%0did:%206666666666%0aInjected:%20yes&id=c5"
	hub_control "unknown fields, a key of 60000 bytes, an empty retry" c6 \
		"$(big 60000)=1&topic=t&data=c6&retry=&id=c6&id=%0a"
}

# selector_rows: hostile subscriptions (anonymous: the selectors are the
# point here; the token rows did the tokens).
selector_rows() {
	local t1024 tmpl
	local -a anon=(SSE_ANONYMOUS=1)

	t1024=$(big 1024)
	# a template of 1024 bytes of adjacent expressions: 1365 states; 3 fit
	# the 4096-state cap, 4 do not
	tmpl=$(for i in $(seq 341); do printf '{a}'; done)x
	hub_row "no topic" 400 0 -- "${anon[@]}" QUERY_STRING=lastEventID=earliest
	hub_row "65 topics" 400 0 -- "${anon[@]}" "QUERY_STRING=$(for i in $(seq 65); do printf 'topic=t%d&' "$i"; done)"
	hub_row "5000 topic= fields" 400 0 -- "${anon[@]}" "QUERY_STRING=$(for i in $(seq 5000); do printf 'topic=&'; done)"
	hub_row "a selector of 1025 bytes" 400 0 -- "${anon[@]}" "QUERY_STRING=topic=${t1024}x"
	hub_row "4 templates of 1365 states" 400 0 -- "${anon[@]}" "QUERY_STRING=$(for i in 1 2 3 4; do printf 'topic=%s&' "$tmpl"; done)"
	hub_row "64 templates of 1024 bytes" 400 0 -- "${anon[@]}" \
		"QUERY_STRING=$(for i in $(seq 64); do printf 'topic=%s&' "${tmpl:0:1024}"; done)"
	hub_row "a bad escape" 400 0 -- "${anon[@]}" "QUERY_STRING=topic=a%zz"
	hub_row "';'" 400 0 -- "${anon[@]}" "QUERY_STRING=topic=*;topic=a"
	# served: the bounds, broken templates (plain text), bytes no topic has
	hub_row "64 topics" 200 0 -- "${anon[@]}" "QUERY_STRING=$(for i in $(seq 64); do printf 'topic=t%d&' "$i"; done)"
	hub_row "a selector of 1024 bytes" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=$t1024"
	hub_row "3 templates of 1365 states" 200 0 -- "${anon[@]}" "QUERY_STRING=$(for i in 1 2 3; do printf 'topic=%s&' "$tmpl"; done)"
	for s in '{' '}' '{{{{' '}{' '{id' 'https://e.example/{id' '{+}' '{/a*,b:99999999999}' '{%00}' '%7B%7D' \
		'a%00b' 'a%0d%0aInjected:%20yes' '' '%ff%fe'; do
		hub_row "topic=$s" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=$s"
	done
	hub_row "a query of 128 kB" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=*&x=$(big 128000)"
	hub_row "a query of 128 kB of '&'" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=*$(big 128000 '&')"
	hub_row "lastEventID of 64 kB" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=*&lastEventID=$K64"
	hub_row "Last-Event-ID of 64 kB" 200 0 -- "${anon[@]}" "HTTP_LAST_EVENT_ID=$K64"
	hub_row "lastEventID=earliest" 200 0 -- "${anon[@]}" "QUERY_STRING=topic=*&lastEventID=earliest"
	hub_row "lastEventID with NUL" '200|400' 0 -- "${anon[@]}" "QUERY_STRING=topic=*&lastEventID=g1%00x"
	# an id that holds CR or LF can never be found (no publisher may make
	# one): a 400, or a stream that does not echo it onto a line
	hub_row "lastEventID with CR/LF" '200|400' 0 -- "${anon[@]}" \
		"QUERY_STRING=topic=*&lastEventID=1%0d%0aInjected:%20yes%0d%0a%0d%0aevent:%20injected%0aid:%206666666666"
	hub_row "Last-Event-ID with CR/LF" '200|400' 0 -- "${anon[@]}" "HTTP_LAST_EVENT_ID=1$INJ"
	hub_row "lastEventID with CR/LF, 300 bytes" '200|400' 0 -- "${anon[@]}" \
		"QUERY_STRING=topic=*&lastEventID=$(big 280)%0aevent:%20injected"
}

# hub_rows: the whole hub table through $HUB_RUNNER.
hub_rows() {
	token_rows
	form_rows
	selector_rows
}

# A stalled body: sse.cgi is given half its Content-Length from a pipe its
# writer keeps open, as a web server that streams the request body does
# while its client stalls. The wait is bounded (BODY_WAIT_MS, 10 s):
# started here, checked by stall_check at the end of the section.
stall_start() {
	local b="topic=t&data=stalled&id=forged"

	rm -f "$W/stall.in"
	mkfifo "$W/stall.in"
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST SSE_SPOOL_DIR="$SP" \
		SSE_HUB=hub "SSE_JWT_KEY=$HUB_KEY" CONTENT_TYPE=$HUB_FORM CONTENT_LENGTH=$((${#b} * 2)) \
		"HTTP_AUTHORIZATION=Bearer $HUB_PUB" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		"$CGI" <"$W/stall.in" >"$W/stall.out" 2>"$W/stall.err" &
	STALL=$!
	PIDS+=($STALL)
	exec 8>"$W/stall.in"
	printf '%s' "$b" >&8
	STALL_T0=$SECONDS
}
stall_check() {
	local left=$((STALL_T0 + 13 - SECONDS))

	[ "$left" -lt 1 ] && left=1
	tried=$((tried + 1))
	if ! wait_for "! pid_alive $STALL" $((left * 10)) 0.1 2>/dev/null; then
		bad "sse.cgi waits more than 13 s for a stalled body (half its Content-Length sent, the writer open)"
		kill -KILL "$STALL" 2>/dev/null
	elif [ "$(status_line "$W/stall.out")" != 400 ]; then
		bad "sse.cgi, a stalled body: status '$(status_line "$W/stall.out")', expected 400"
	else
		refused=$((refused + 1))
	fi
	exec 8>&-
	wait "$STALL" 2>/dev/null
}

# --- behind the real servers (hostile.sh section 5) ----------------------------

# srv_post PATH BODY [HEADER...]: a form POST in $T/req
srv_post() {
	local p=$1 b=$2 h

	shift 2
	{
		printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' "$p"
		printf 'Content-Type: %s\r\nContent-Length: %d\r\n' "$HUB_FORM" "${#b}"
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf '\r\n%s' "$b"
	} >"$T/req"
}

# srv_hub_row NAME WANT: raw_req, then a 401 must say WWW-Authenticate:
# Bearer, and a good update goes through the server (curl)
srv_hub_row() {
	raw_req "hub $1" "$2"
	if [ "$(status_line "$T/out")" = 401 ] && ! grep -a -q -i '^WWW-Authenticate: Bearer' "$T/out"; then
		bad "$SSE_SERVER hub $1: a 401 without WWW-Authenticate: Bearer"
	fi
	HUB_N=$((HUB_N + 1))
	if [ "$(curl -s --max-time 10 -H "Authorization: Bearer $HUB_PUB" --data-urlencode topic=https://example.com/good \
		--data-urlencode "data=between $HUB_N" --data-urlencode "id=g$HUB_N" \
		"http://127.0.0.1:$SRV_PORT/.well-known/mercure")" = "g$HUB_N" ]; then
		HUB_IDS+=("g$HUB_N")
	else
		bad "$SSE_SERVER: cannot publish a good hub update after $1"
	fi
}

# hub_server_rows: a few of the hub's rows through the server, with a hub
# subscriber through it that must get every good update.
hub_server_rows() {
	local h=/.well-known/mercure R='400|413|414|431' auth="Authorization: Bearer $HUB_PUB" i

	sse_open hlive "$h?topic=*" -H "$auth"
	PIDS+=($(<"$T/hlive.pid"))
	sse_ready hlive || bad "$SSE_SERVER: the parallel hub subscriber did not start"
	HUB_IDS=()
	for i in 0 1 4 6 7 8 17 19 23 31 33; do
		req GET "$h?topic=*" "Authorization: Bearer ${FORGE_TOK[i]//[$'\r\n']/}"
		srv_hub_row "subscribe, header: ${FORGE_NAME[i]}" 401
		# (lighttpd refuses an encoded control in the URL itself: 400)
		req GET "$h?topic=*&authorization=${FORGE_Q[i]}"
		srv_hub_row "subscribe, query: ${FORGE_NAME[i]}" '401|400'
		srv_post "$h" "topic=t&data=forged&id=forged" "Cookie: mercureAuthorization=${FORGE_TOK[i]//[$'\r\n']/}" \
			"Origin: https://a.example"
		srv_hub_row "publish, cookie: ${FORGE_NAME[i]}" 401
		srv_post "$h" "topic=t&data=forged&id=forged" "Authorization: Bearer ${FORGE_TOK[i]//[$'\r\n']/}"
		srv_hub_row "publish, header: ${FORGE_NAME[i]}" 401
	done
	req GET "$h?topic=*" "Authorization: Bearer ${FORGE_TOK[28]}"
	srv_hub_row "subscribe, a token of 64 kB" "401|$R"
	req GET "$h?topic=*" $'Authorization: Bearer '"$HUB_PUB"$'\rInjected: yes'
	srv_hub_row "subscribe, a bare CR after the token" "401|$R"
	req GET "$h?topic=*&x=$(big 1048576)" "$auth"
	srv_hub_row "subscribe, a query of 1 MiB" "$R"
	req GET "$h?topic=*&lastEventID=1%0d%0aInjected:%20yes%0d%0a%0d%0aevent:%20injected" "$auth"
	srv_hub_row "subscribe, lastEventID with CR/LF" "200|400"
	req GET "$h?$(for i in $(seq 65); do printf 'topic=t%d&' "$i"; done)" "$auth"
	srv_hub_row "subscribe, 65 topics" 400
	srv_post "$h" "topic=t&data=x&id=x%0d%0aevent:%20injected" "$auth"
	srv_hub_row "publish, id with CR/LF" 400
	srv_post "$h" "topic=t&data=x&type=x%0aid:%206666666666" "$auth"
	srv_hub_row "publish, type with LF" 400
	srv_post "$h" "topic=t;data=x" "$auth"
	srv_hub_row "publish, ';'" 400
	srv_post "$h" "topic=t&data=$(big $((3 * HUB_MAX_EVENT + 4097 - 13)))" "$auth"
	srv_hub_row "publish, a form of 3 x SSE_MAX_EVENT + 4097 bytes" "$R"
	expect_hub "$T/hlive.body" "$SSE_SERVER, the hub"
	sse_close hlive
}
