# The Mercure hub through a real server (SPEC "Topics, authorization and
# HTTP publishing"): the t_hub_* functions, called by each server's suite
# (t2100 ... t2700), as httpd-behaviour.bash's are. The server's config
# (test/conf/) maps the hub at $HUB_URL with SSE_HUB=hub; the JWT key and the
# other settings come from use_server like any setting.

# Mercure's conformance suite and its documentation use this key.
HUB_KEY='!ChangeThisMercureHubJWTSecretKey!'
HUB_URL=${HUB_URL:-/.well-known/mercure}
HUB_ORIGIN=http://app.example

# hub_token CLAIMS_JSON [KEY [ALG]]: an HS* JWT signed with KEY.
hub_token() {
	python3 - "$1" "${2:-$HUB_KEY}" "${3:-HS256}" <<'EOF'
import base64, hashlib, hmac, json, sys
claims, key, alg = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
body = b64(claims.encode())
dig = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
sig = b64(hmac.new(key, (head + "." + body).encode(), dig).digest())
print(head + "." + body + "." + sig)
EOF
}

PUB_ALL='{"mercure":{"publish":["*"]}}'
SUB_ALL='{"mercure":{"subscribe":["*"]}}'

# The settings every hub test shares (one server start for most of them).
hub_server() {
	use_server "SSE_JWT_KEY=$HUB_KEY" "SSE_CORS_ORIGINS=$HUB_ORIGIN" \
		"SSE_PUBLISH_ORIGINS=$HUB_ORIGIN" "$@"
}

# hub_post NAME TOKEN FIELD=VALUE... [CURL OPTIONS]: a publish (form-encoded);
# $status, and the body (the id) in $T/NAME.body. TOKEN "-": none. The
# first argument starting with '-' and those after it go to curl.
hub_post() {
	local name=$1 tok=$2
	local -a args=()

	shift 2
	while [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; do
		args+=(--data-urlencode "$1")
		shift
	done
	args+=("$@")
	[ "$tok" = - ] || args+=(-H "Authorization: Bearer $tok")
	get "$name" "$HUB_URL" "${args[@]}"
}

# hub_publish TOKEN FIELD=VALUE...: must be 200; prints the id.
hub_publish() {
	hub_post pub "$@"
	[ "$status" = 200 ] || fail "publish answered $status: $(cat "$T/pub.body")"
	cat "$T/pub.body"
}

t_hub_publish_subscribe() {
	local pub a1 p7 p8 b2

	hub_server
	pub=$(hub_token "$PUB_ALL")
	# a: public only (a token without mercure.subscribe); b: the cookie,
	# authorized for user 7's private updates; c: the query parameter, a
	# URI template selector.
	sse_open a "$HUB_URL?topic=*" -H "Authorization: Bearer $(hub_token '{"mercure":{}}')"
	sse_open b "$HUB_URL?topic=*" \
		-b "mercureAuthorization=$(hub_token '{"mercure":{"subscribe":["https://example.com/users/7"]}}')"
	sse_open c "$HUB_URL?topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&authorization=$(hub_token "$SUB_ALL")"
	sse_ready a b c
	[ "$(status_of a)" = 200 ] && [ "$(hdr a Content-Type)" = text/event-stream ]
	a1=$(hub_publish "$pub" topic=https://example.com/books/1 'data=a book' type=book retry=1500)
	p7=$(hub_publish "$pub" topic=https://example.com/users/7 data=for-7 private=on id=note-7)
	p8=$(hub_publish "$pub" topic=https://example.com/users/8 data=for-8 private=)
	b2=$(hub_publish "$pub" topic=https://example.com/books/2/reviews topic=https://example.com/books/2 data=alternate)
	[[ $a1 == urn:uuid:* ]] && [ "$p7" = note-7 ]
	sse_wait a '^data: alternate$'
	sse_wait b '^data: alternate$'
	sse_wait c '^data: alternate$'
	expect_events a "$a1 book a book" "$b2 message alternate"
	expect_events b "$a1 book a book" "$p7 message for-7" "$b2 message alternate"
	expect_events c "$a1 book a book" "$b2 message alternate"
	grep -q '^retry: 1500$' "$T/a.body"
	# never on the wire: topics, the private flag, the log's own ids
	refute grep -E -q 'example.com/users|^id: [0-9]+$' "$T/a.body"
	: "$p8"
}

t_hub_refusals() {
	local pub

	hub_server
	pub=$(hub_token "$PUB_ALL")
	hub_post r - topic=t data=x
	[ "$status" = 401 ] && [ "$(hdr r WWW-Authenticate)" = Bearer ]
	hub_post r "$(hub_token "$PUB_ALL" 'another key')" topic=t data=x
	[ "$status" = 401 ]
	hub_post r "$(hub_token "$PUB_ALL" "$HUB_KEY" HS512)" topic=t data=x
	[ "$status" = 401 ] # not the configured algorithm
	hub_post r "$(hub_token '{"mercure":{"publish":["*"]},"exp":1000}')" topic=t data=x
	[ "$status" = 401 ]
	hub_post r "$(hub_token '{"mercure":{"subscribe":["*"]}}')" topic=t data=x
	[ "$status" = 403 ]
	hub_post r "$(hub_token '{"mercure":{"publish":["https://example.com/books/{id}"]}}')" \
		topic=https://example.com/users/1 data=x
	[ "$status" = 403 ]
	hub_post r "$(hub_token '{"mercure":{"publish":[]}}')" topic=t data=x private=on
	[ "$status" = 403 ]
	hub_post r "$(hub_token '{"mercure":{"publish":[]}}')" topic=t data=public
	[ "$status" = 200 ]
	hub_post r "$pub" data=x
	[ "$status" = 400 ]
	hub_post r "$pub" topic=t retry=soon
	[ "$status" = 400 ]
	hub_post r "$pub" topic=t id=#5
	[ "$status" = 400 ]
	get r "$HUB_URL" -H "Authorization: Bearer $pub"
	[ "$status" = 400 ] # a subscription without topic
	get r "$HUB_URL?topic=*"
	[ "$status" = 401 ] # no token, SSE_ANONYMOUS=0
	get r "$HUB_URL?topic=*" -H "Authorization: Bearer not.a.token"
	[ "$status" = 401 ]
	get r "$HUB_URL?topic=*" -X PUT
	[ "$status" = 405 ]
	# what was refused was not published
	sse_open s "$HUB_URL?topic=*&lastEventID=earliest" -H "Authorization: Bearer $(hub_token "$SUB_ALL")"
	sse_wait s '^data: public$'
	refute grep -q '^data: x$' "$T/s.body"
}

t_hub_anonymous() {
	local pub

	hub_server SSE_ANONYMOUS=1
	pub=$(hub_token "$PUB_ALL")
	sse_open s "$HUB_URL?topic=*"
	sse_ready s
	hub_publish "$pub" topic=t1 data=secret private=on >/dev/null
	hub_publish "$pub" topic=t1 data=open >/dev/null
	sse_wait s '^data: open$'
	refute sse_has s secret
	# an invalid token is still refused
	get r "$HUB_URL?topic=*&authorization=bad"
	[ "$status" = 401 ]
}

t_hub_resume() {
	local pub sub i1 i2 i3

	hub_server
	pub=$(hub_token "$PUB_ALL")
	sub="Authorization: Bearer $(hub_token "$SUB_ALL")"
	i1=$(hub_publish "$pub" topic=r data=one)
	i2=$(hub_publish "$pub" topic=r data=two id=second)
	i3=$(hub_publish "$pub" topic=r data=three)
	sse_open h "$HUB_URL?topic=r" -H "$sub" -H "Last-Event-ID: second"
	sse_wait h '^data: three$'
	expect_events h "$i3 message three"
	[ "$(hdr h Last-Event-ID)" = second ]
	sse_open q "$HUB_URL?topic=r&lastEventID=$i1" -H "$sub"
	sse_wait q '^data: three$'
	expect_events q "second message two" "$i3 message three"
	sse_open e "$HUB_URL?topic=r&lastEventID=earliest" -H "$sub"
	sse_wait e '^data: three$'
	[ "$(hdr e Last-Event-ID)" = earliest ]
	sse_events e | grep -q "^$i1 message one$"
	# not in the history: everything retained, after an sse-gap
	sse_open u "$HUB_URL?topic=r&lastEventID=urn:uuid:unknown" -H "$sub"
	sse_wait u '^data: three$'
	[ "$(hdr u Last-Event-ID)" = earliest ]
	sse_events u | head -n 1 | grep -q ' sse-gap urn:uuid:unknown '
	# none: the newest at connect, live events only
	sse_open n "$HUB_URL?topic=r" -H "$sub"
	sse_ready n
	[ "$(hdr n Last-Event-ID)" = "$i3" ]
	: "$i2"
}

t_hub_token_exp() {
	local exp t0

	hub_server
	exp=$(($(date +%s) + 2))
	t0=$(now_ms)
	sse_open s "$HUB_URL?topic=*" -H "Authorization: Bearer $(hub_token "{\"exp\":$exp,\"mercure\":{\"subscribe\":[\"*\"]}}")"
	sse_ready s
	wait_for 'sse_done s' 100 0.05 # about 2 s, not the curl's 30
	[ $(($(now_ms) - t0)) -ge 900 ]
}

t_hub_cookie_publish() {
	local cookie

	hub_server
	cookie="mercureAuthorization=$(hub_token "$PUB_ALL")"
	hub_post r - topic=c data=from-page -b "$cookie" -H "Origin: $HUB_ORIGIN"
	[ "$status" = 200 ]
	[ "$(hdr r Access-Control-Allow-Origin)" = "$HUB_ORIGIN" ]
	[ "$(hdr r Access-Control-Allow-Credentials)" = true ]
	hub_post r - topic=c data=forged -b "$cookie" -H "Origin: http://evil.example"
	[ "$status" = 403 ]
	hub_post r - topic=c data=forged -b "$cookie"
	[ "$status" = 403 ]
	get p "$HUB_URL" -X OPTIONS -H "Origin: $HUB_ORIGIN" -H "Access-Control-Request-Method: POST"
	[ "$status" = 204 ]
	hdr p Access-Control-Allow-Methods | grep -q POST
	hdr p Access-Control-Allow-Headers | grep -q Authorization
}

t_hub_heartbeat_lifetime() {
	local sub pub id

	hub_server SSE_HEARTBEAT=0.3 SSE_MAX_LIFETIME=1
	sub="Authorization: Bearer $(hub_token "$SUB_ALL")"
	pub=$(hub_token "$PUB_ALL")
	id=$(hub_publish "$pub" topic=l data=before)
	sse_open s "$HUB_URL?topic=l" -H "$sub"
	sse_ready s
	wait_for 'sse_done s' 50 0.05
	[ "$(grep -c '^:$' "$T/s.body")" -ge 2 ]
	# no event came: it is given the hub id it was at
	expect_events s "$id sse-resume $id"
}

# As t_client_gone: within a heartbeat (GONE_ENV, GONE_TRIES of the suite).
t_hub_disconnect() {
	local sub

	hub_server $GONE_ENV
	sub="Authorization: Bearer $(hub_token "$SUB_ALL")"
	wait_for '[ "$(cgi_count)" = 0 ]' 40 0.05
	sse_open s "$HUB_URL?topic=*" -H "$sub"
	sse_ready s
	wait_for '[ "$(cgi_count)" = 1 ]' 20 0.05
	sse_close s
	wait_for '[ "$(cgi_count)" = 0 ]' "${GONE_TRIES:-50}" 0.05
}

# hub_rs256 CLAIMS_JSON: a token signed with the RS256 test key
# (test/unit/jwt/, made by make-tokens.sh).
hub_rs256() {
	local key=$BATS_TEST_DIRNAME/../unit/jwt/rsa-private-TEST-ONLY.pem
	local b64='base64 -w0 | tr "+/" "-_" | tr -d "="' head body

	head=$(printf '{"alg":"RS256","typ":"JWT"}' | eval "$b64")
	body=$(printf '%s' "$1" | eval "$b64")
	printf '%s.%s.%s\n' "$head" "$body" \
		"$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$key" | eval "$b64")"
}

# RS256 with a PEM public key in a key file, and separate keys per role.
t_hub_keys() {
	local pem=$SRV_DIR/jwt-public.pem id

	cp "$BATS_TEST_DIRNAME/../unit/jwt/rsa-public.pem" "$pem" && chmod 644 "$pem"
	use_server SSE_JWT_ALG=RS256 "SSE_JWT_KEY_FILE=$pem" $GONE_ENV
	sse_open s "$HUB_URL?topic=k" -H "Authorization: Bearer $(hub_rs256 "$SUB_ALL")"
	sse_ready s
	id=$(hub_publish "$(hub_rs256 "$PUB_ALL")" topic=k data=signed private=on)
	sse_wait s '^data: signed$'
	expect_events s "$id message signed"
	# an HS256 token signed with the public key's bytes: algorithm confusion
	hub_post r "$(hub_token "$PUB_ALL" "$(cat "$pem")")" topic=k data=forged
	[ "$status" = 401 ]
	# no stream left open across the restarts below (Apache waits for it)
	sse_close s
	wait_for '[ "$(cgi_count)" = 0 ]' "${GONE_TRIES:-50}" 0.05
	# a PEM key with HS256 is a configuration error: 500, one line
	use_server SSE_JWT_ALG=HS256 "SSE_JWT_KEY_FILE=$pem"
	log_mark
	hub_post r "$(hub_token "$PUB_ALL")" topic=k data=x
	[ "$status" = 500 ]
	wait_for 'log_since_mark | grep -q SSE_JWT_KEY_FILE' 20 0.05
	# separate secrets: a subscriber's token cannot publish
	use_server SSE_PUBLISHER_JWT_KEY=pub-secret SSE_SUBSCRIBER_JWT_KEY=sub-secret
	hub_post r "$(hub_token "$PUB_ALL" sub-secret)" topic=k data=x
	[ "$status" = 401 ]
	hub_post r "$(hub_token "$PUB_ALL" pub-secret)" topic=k data=y
	[ "$status" = 200 ]
}

# Busy: as on channels (t_busy), with hub ids.
t_hub_busy() {
	local sub pub i1 i2

	hub_server SSE_MAX_STREAMS=1 SSE_HEARTBEAT=1
	sub="Authorization: Bearer $(hub_token "$SUB_ALL")"
	pub=$(hub_token "$PUB_ALL")
	i1=$(hub_publish "$pub" topic=b data=one)
	i2=$(hub_publish "$pub" topic=b data=two)
	sse_open s1 "$HUB_URL?topic=b" -H "$sub"
	sse_ready s1
	wait_for '[ "$(cgi_count)" = 1 ]' 20 0.05
	get b "$HUB_URL?topic=b&lastEventID=$i1" -H "$sub"
	[ "$status" = 200 ]
	expect_events b "$i2 message two"
	[ "$(grep -c '^retry: ' "$T/b.body")" = 1 ]
	get n "$HUB_URL?topic=b" -H "$sub"
	expect_events n "$i2 sse-resume $i2"
}

# ?status (on a channel URL) counts the hub's channel and, for sse-fcgi,
# its streams.
t_hub_status() {
	local sub

	hub_server SSE_STATUS=1
	sub="Authorization: Bearer $(hub_token "$SUB_ALL")"
	sse_open s "$HUB_URL?topic=st" -H "$sub"
	sse_ready s
	hub_publish "$(hub_token "$PUB_ALL")" topic=st data=counted >/dev/null
	sse_wait s '^data: counted$'
	get j "$SSE_URL?status"
	[ "$status" = 200 ]
	python3 - "$T/j.body" "$(is_fcgi && echo fcgi)" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ch = doc["channels"]["hub"]
assert ch["newest_id"] >= 1 and ch["retained"] >= 1, ch
if sys.argv[2]:
    assert ch["streams"] >= 1 and ch["delivered"] >= 1, ch
PY
}

# The README's "Try it with curl", as printed (the token made by its
# python3 lines, its subscribe and publish commands), against this server.
t_hub_readme_curl() {
	local block url=http://localhost/.well-known/mercure sub pub id

	hub_server
	block=$(python3 - "$BATS_TEST_DIRNAME/../../README.md" <<'PY'
import sys
t = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(t) if l.startswith("**Try it with curl.**"))
f = next(j for j in range(i, len(t)) if t[j].startswith("```"))
e = next(j for j in range(f + 1, len(t)) if t[j].startswith("```"))
print("\n".join(t[f + 1:e]))
PY
	)
	[ "$(printf '%s\n' "$block" | grep -c "$url")" = 2 ] || fail "the README's curl block changed shape"
	eval "$(printf '%s\n' "$block" | head -n 4)"
	[ -n "$TOKEN" ]
	sub=$(printf '%s\n' "$block" | sed -n 5p)
	pub=$(printf '%s\n' "$block" | sed -n 6p)
	sub=${sub//$url/$BASE$HUB_URL} pub=${pub//$url/$BASE$HUB_URL}
	eval "timeout 10 ${sub/curl -N/curl -sN} >'$T/readme.body' 2>&1 &"
	echo $! >>"$T/clients"
	wait_for "grep -q '^:' '$T/readme.body'" 40 0.05
	id=$(eval "${pub/curl/curl -s}")
	[[ $id == urn:uuid:* ]] || fail "the README's publish answered '$id'"
	wait_for "grep -q '^data: {\"stock\": 3}$' '$T/readme.body'" 40 0.05
	grep -q "^id: $id$" "$T/readme.body"
}
