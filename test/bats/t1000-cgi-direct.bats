#!/usr/bin/env bats
# sse.cgi run directly with a CGI/1.1 environment, no web server (SPEC
# "Programs", "The stream"): options, the exact head, errors, resume and
# sse-gap, and how it ends (lifetime, SIGTERM, reader gone).

bats_require_minimum_version 1.5.0

load events

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	PUB=$B/sse-publish
	CGI=$B/sse.cgi
	[ -x "$PUB" ] && [ -x "$CGI" ] || {
		echo "no $PUB or $CGI: run make O=${SSE_BUILD:-build} first" >&2
		return 1
	}
	T=$BATS_TEST_TMPDIR
	SP=$T/spool
	mkdir -p "$SP"
	VERSION=$("$CGI" --version | sed 's/^sse.cgi //')
}

teardown() {
	local pid

	# a stream left running by a failed test
	for pid in $(cat "$T/pids" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
}

pub() {
	"$B/sse-publish" --spool "$SP" "$@"
}

# cgi_env [NAME=value | -NAME]...: the environment of a request: a GET with
# the spool and a lifetime of 1 s, changed by the arguments (-NAME unsets).
cgi_env() {
	local -A env=([PATH]=$PATH [GATEWAY_INTERFACE]=CGI/1.1 [REQUEST_METHOD]=GET
		[SERVER_PROTOCOL]=HTTP/1.1 [SCRIPT_NAME]=/sse.cgi [SSE_SPOOL_DIR]=$SP [SSE_MAX_LIFETIME]=1)
	local kv k

	for k in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!k:-}" ] && env[$k]=${!k}
	done
	for kv in "$@"; do
		case $kv in
		-*) unset "env[${kv#-}]" ;;
		*) env[${kv%%=*}]=${kv#*=} ;;
		esac
	done
	for k in "${!env[@]}"; do
		printf '%s=%s\0' "$k" "${env[$k]}"
	done
}

# cgi [NAME=value | -NAME]... [-- ARGV...]: runs sse.cgi (10 s at most);
# $T/out stdout, $T/head its head (CRs kept), $T/body the rest, $T/err
# stderr, $rc the exit status.
cgi() {
	local -a vars=() args=()

	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			shift
			args=("$@")
			break
		fi
		vars+=("$1")
		shift
	done
	rc=0
	mapfile -d '' -t envv < <(cgi_env "${vars[@]}")
	timeout 10 env -i "${envv[@]}" "$CGI" "${args[@]}" >"$T/out" 2>"$T/err" || rc=$?
	python3 - "$T/out" "$T/head" "$T/body" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(b"\r\n\r\n")
open(sys.argv[2], "wb").write(b if i < 0 else b[:i + 4])
open(sys.argv[3], "wb").write(b"" if i < 0 else b[i + 4:])
EOF
}

# The head as lines, CR removed.
head_lines() {
	tr -d '\r' <"$T/head" | sed '/^$/d'
}

# events, expect_events: the body's events (test/bats/events.bash).
events() { events_of "$T/body"; }
expect_events() { expect_events_of "$T/body" "$@"; }

# error_response STATUS: a complete error answer, exit 0, nothing on stderr.
error_response() {
	echo "rc=$rc"; cat "$T/out"; cat "$T/err"
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "$(head -n 1 "$T/head")" = "Status: $1"$'\r' ] || [[ "$(head -n 1 "$T/head")" == "Status: $1 "* ]]
	grep -q -x $'Content-Type: text/plain\r' "$T/head"
	[ -s "$T/body" ]
	[ "$(grep -c -i -e '^content-length:' -e '^connection:' "$T/head")" -eq 0 ]
	[ "$(grep -c 'text/event-stream' "$T/out")" -eq 0 ]
}

# history5 CHANNEL: history 5, events e1..e15 (ids 1..15, 11..15 retained).
history5() {
	local i

	pub --create --history 5 "$1"
	for ((i = 1; i <= 15; i++)); do
		printf 'data: e%d\n\n' "$i"
	done | pub --raw "$1" >/dev/null
}

# wait_for CONDITION TRIES DELAY
wait_for() {
	local i

	for ((i = 0; i < $2; i++)); do
		eval "$1" && return 0
		sleep "$3"
	done
	echo "gave up after $2 x $3 s: $1" >&2
	return 1
}

# --- outside a web server -------------------------------------------------------

@test "--help and --version without GATEWAY_INTERFACE: exit 0" {
	run --separate-stderr env -u GATEWAY_INTERFACE "$CGI" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sse.cgi"* ]]
	# not SSE_HISTORY: streams never create a channel (t1010)
	for s in SSE_SPOOL_DIR SSE_MAX_EVENT SSE_HEARTBEAT SSE_RETRY_MS SSE_MAX_LIFETIME \
		SSE_MAX_STREAMS SSE_BUSY_RETRY_MS SSE_CORS_ORIGINS SSE_SYNC SSE_STATUS; do
		[[ "$output" == *"$s"* ]] || { echo "--help does not mention $s" >&2; return 1; }
	done
	[ -z "$stderr" ]
	run --separate-stderr env -u GATEWAY_INTERFACE "$CGI" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sse.cgi\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -z "$stderr" ]
}

@test "without GATEWAY_INTERFACE and no arguments: exit 2, one line" {
	run --separate-stderr env -u GATEWAY_INTERFACE "$CGI"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "sse.cgi: "*GATEWAY_INTERFACE* ]]
	run --separate-stderr env -u GATEWAY_INTERFACE "$CGI" --bogus
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

# --- the stream ------------------------------------------------------------------

@test "stream: the exact head, then the first comment at once" {
	pub --create ch
	cgi PATH_INFO=/ch
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	printf 'Status: 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n\r\n' >"$T/want"
	cmp "$T/want" "$T/head"
	[ "$(head -n 1 "$T/body")" = ": sse-cgi $VERSION" ]
	# nothing but comments on an idle stream, then (lifetime 1 s) the id it
	# is at, for the reconnect
	[ "$(grep -v '^:' "$T/body" | tr '\n' '|')" = 'id: 0|event: sse-resume|data: 0||' ]
}

@test "stream: SSE_RETRY_MS at stream start; CORS headers for a listed origin" {
	pub --create ch
	cgi PATH_INFO=/ch SSE_RETRY_MS=2500 SSE_CORS_ORIGINS="https://a.example https://b.example" \
		HTTP_ORIGIN=https://b.example
	[ "$rc" -eq 0 ]
	head_lines >"$T/h"
	grep -x 'Access-Control-Allow-Origin: https://b.example' "$T/h"
	grep -x 'Access-Control-Allow-Credentials: true' "$T/h"
	grep -x 'Vary: Origin' "$T/h"
	[ "$(sed -n 2p "$T/body")" = "retry: 2500" ]
	cgi PATH_INFO=/ch SSE_CORS_ORIGINS="https://a.example" HTTP_ORIGIN=https://evil.example SSE_MAX_LIFETIME=1
	[ "$(grep -c -i '^access-control' "$T/head")" -eq 0 ]
}

@test "stream: HEAD gets the head only and ends at once" {
	pub --create ch
	pub ch x >/dev/null
	cgi PATH_INFO=/ch REQUEST_METHOD=HEAD HTTP_LAST_EVENT_ID=0 SSE_MAX_LIFETIME=0
	[ "$rc" -eq 0 ]
	grep -q -x $'Content-Type: text/event-stream\r' "$T/head"
	[ ! -s "$T/body" ]
}

@test "stream: ?channel= and a live event while streaming" {
	local pid

	pub --create ch
	mapfile -d '' -t envv < <(cgi_env QUERY_STRING=channel=ch SSE_MAX_LIFETIME=10)
	env -i "${envv[@]}" "$CGI" >"$T/live" 2>"$T/err" &
	pid=$!
	echo "$pid" >>"$T/pids"
	wait_for 'grep -q "^: " "$T/live"' 40 0.05
	id=$(pub --event tick ch "live one")
	wait_for 'grep -q "^data: live one" "$T/live"' 40 0.05
	grep -B2 '^data: live one' "$T/live" | grep -q -x "id: $id"
	kill -TERM "$pid"
	wait "$pid"
}

# --- errors -------------------------------------------------------------------------

@test "404: unknown channel, and the channel is not created" {
	cgi PATH_INFO=/nope
	error_response 404
	cgi QUERY_STRING=channel=nope HTTP_LAST_EVENT_ID=3
	error_response 404
	cgi PATH_INFO=/nope REQUEST_METHOD=HEAD
	[ "$rc" -eq 0 ]
	[[ "$(head -n 1 "$T/head")" == "Status: 404 "* ]]
	[ -z "$(ls -A "$SP")" ]
}

@test "404: no channel in the request" {
	cgi
	error_response 404
	cgi PATH_INFO=/
	error_response 404
	grep -q '?channel=CHANNEL' "$T/body"
}

@test "404s say what to do: the unknown channel and sse-publish --create; ?status is off and SSE_STATUS=1" {
	cgi PATH_INFO=/nope
	error_response 404
	grep -q -x "unknown channel 'nope': check its name, or create it: sse-publish --spool SPOOL --create nope" "$T/body"
	cgi QUERY_STRING=channel=nope
	grep -q "'nope'.*sse-publish --spool SPOOL --create nope" "$T/body"
	cgi QUERY_STRING=status
	error_response 404
	grep -q 'status is off: set SSE_STATUS=1' "$T/body"
	[ -z "$(ls -A "$SP")" ]
}

@test "?status: a channel that cannot be read says so in the JSON and in one line naming it" {
	pub --create ok
	pub --create broken
	: >"$SP/broken/log/index"
	: >"$SP/stray-file" # a file is no channel: left out, no line
	cgi QUERY_STRING=status SSE_STATUS=1
	[ "$rc" -eq 0 ]
	[[ "$(head -n 1 "$T/head")" == "Status: 200 "* ]]
	python3 - "$T/body" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["channels"]
assert "newest_id" in d["ok"], d
assert "cannot be read" in d["broken"]["error"], d
assert "newest_id" not in d["broken"] and "stray-file" not in d, d
PY
	cat "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -q "^sse.cgi: ?status: cannot read channel 'broken'" "$T/err"
}

@test "400: bad channel names and a bad Last-Event-ID" {
	local p

	for p in /.. /.x /a%2Fb "/a b" "/$(printf 'x%.0s' {1..65})"; do
		cgi PATH_INFO="$p"
		error_response 400
	done
	cgi QUERY_STRING='channel=%2e%2e'
	error_response 400
	cgi QUERY_STRING='channel=a%00b'
	error_response 400
	pub --create ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=abc
	error_response 400
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=18446744073709551616
	error_response 400
	cgi PATH_INFO=/ch QUERY_STRING=lastEventId=-1
	error_response 400
	[ "$(ls -A "$SP")" = ch ]
}

@test "405: other methods, with Allow" {
	local m

	pub --create ch
	for m in POST PUT DELETE PATCH; do
		cgi PATH_INFO=/ch REQUEST_METHOD=$m
		error_response 405
		head_lines | grep -q '^Allow: .*GET'
	done
}

# mod_cgid gives the program one socket as stdin and stdout, and may send
# the body after the program started; a body left unread makes the kernel
# reset that socket at exit, and the client loses the answer.
@test "405 with a body that arrives late on the stdout socket: read, then the full answer" {
	pub --create ch
	mapfile -d '' -t envv < <(cgi_env PATH_INFO=/ch REQUEST_METHOD=POST CONTENT_LENGTH=7)
	run -0 timeout 10 python3 - "$CGI" "${envv[@]}" <<'EOF2'
import socket, subprocess, sys, time
ours, theirs = socket.socketpair()
env = dict(kv.split("=", 1) for kv in sys.argv[2:])
p = subprocess.Popen([sys.argv[1]], stdin=theirs, stdout=theirs, env=env)
theirs.close()
time.sleep(0.3)
ours.sendall(b"data: x")
ours.shutdown(socket.SHUT_WR)
out = b""
while True:
    try:
        b = ours.recv(65536)
    except ConnectionResetError:
        print("reset after", repr(out))
        sys.exit(1)
    if not b:
        break
    out += b
print("exit", p.wait(), out.split(b"\r\n")[0].decode())
EOF2
	[ "$output" = "exit 0 Status: 405 Method Not Allowed" ]
}

@test "OPTIONS: a 204 preflight, CORS for a listed origin" {
	cgi PATH_INFO=/ch REQUEST_METHOD=OPTIONS SSE_CORS_ORIGINS=https://a.example HTTP_ORIGIN=https://a.example
	[ "$rc" -eq 0 ]
	[[ "$(head -n 1 "$T/head")" == "Status: 204 "* ]]
	head_lines | grep -q -x 'Access-Control-Allow-Origin: https://a.example'
	[ ! -s "$T/body" ]
	[ ! -s "$T/err" ]
}

@test "500 without SSE_SPOOL_DIR: one stderr line saying to set it" {
	cgi PATH_INFO=/ch -SSE_SPOOL_DIR
	echo "rc=$rc"; cat "$T/out" "$T/err"
	[ "$rc" -eq 0 ]
	[[ "$(head -n 1 "$T/head")" == "Status: 500 "* ]]
	[ -s "$T/body" ]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -q '^sse.cgi: .*SSE_SPOOL_DIR' "$T/err"
}

@test "500 with a missing spool or a bad setting: one stderr line naming it" {
	cgi PATH_INFO=/ch SSE_SPOOL_DIR="$T/missing"
	[[ "$(head -n 1 "$T/head")" == "Status: 500 "* ]]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -q -F "$T/missing" "$T/err"
	[ ! -e "$T/missing" ]
	# a path is for the error log only
	[ "$(cat "$T/body")" = "sse.cgi is misconfigured: see the web server's error log" ]
	cgi PATH_INFO=/ch SSE_HEARTBEAT=often
	[[ "$(head -n 1 "$T/head")" == "Status: 500 "* ]]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -q "SSE_HEARTBEAT.*'often'\|'often'.*SSE_HEARTBEAT" "$T/err"
	# a setting's error names no file and no user: the answer says it too,
	# for a shared host's owner who cannot read the log
	[ "$(cat "$T/body")" = "sse.cgi is misconfigured: $(sed 's/^sse.cgi: //' "$T/err")" ]
	cgi PATH_INFO=/ch -SSE_SPOOL_DIR
	grep -q "^sse.cgi is misconfigured: SSE_SPOOL_DIR is not set" "$T/body"
}

@test "a query without '=' passed as argv (Apache, ?status) is not an option" {
	pub --create ch
	pub ch x >/dev/null
	cgi QUERY_STRING=status SSE_STATUS=1 -- status
	echo "rc=$rc"; cat "$T/out" "$T/err"
	[ "$rc" -eq 0 ]
	[[ "$(head -n 1 "$T/head")" == "Status: 200 "* ]]
	grep -q -x $'Content-Type: application/json\r' "$T/head"
	grep -q '"ch"' "$T/body"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/body"
	cgi PATH_INFO=/ch QUERY_STRING=--version -- --version
	grep -q -x $'Content-Type: text/event-stream\r' "$T/head"
	[ "$(grep -c "^sse.cgi $VERSION" "$T/out")" -eq 0 ]
	cgi QUERY_STRING=--help -- --help
	error_response 404
	cgi QUERY_STRING=status -- status
	error_response 404
	grep -q 'status is off' "$T/body"
}

# --- resume and sse-gap (SPEC "Resume") -------------------------------------------------

@test "resume: every retained event after the id, in order; header wins over ?lastEventId" {
	history5 ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=12
	expect_events '13 message e13' '14 message e14' '15 message e15'
	cgi PATH_INFO=/ch QUERY_STRING=lastEventId=13
	expect_events '14 message e14' '15 message e15'
	cgi PATH_INFO=/ch QUERY_STRING=lastEventId=11 HTTP_LAST_EVENT_ID=14
	expect_events '15 message e15'
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=15
	expect_events
}

@test "sse-gap: an id older than the history gives 'LAST OLDEST', then everything retained" {
	history5 ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=3
	expect_events '- sse-gap 3 11' '11 message e11' '12 message e12' '13 message e13' \
		'14 message e14' '15 message e15'
	# the gap event carries no id: the client's Last-Event-ID stays its own
	[ "$(grep -c '^id: ' "$T/body")" -eq 5 ]
}

@test "sse-gap: exactly one below the oldest is no gap" {
	history5 ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=10
	expect_events '11 message e11' '12 message e12' '13 message e13' '14 message e14' '15 message e15'
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=9
	expect_events '- sse-gap 9 11' '11 message e11' '12 message e12' '13 message e13' \
		'14 message e14' '15 message e15'
}

@test "sse-gap: an id newer than the newest (log reset) gives a gap and everything retained" {
	history5 ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=99
	expect_events '- sse-gap 99 11' '11 message e11' '12 message e12' '13 message e13' \
		'14 message e14' '15 message e15'
}

@test "sse-gap: empty log with an id: the data uses the next id; id 0 is no gap" {
	pub --create ch
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=5
	expect_events '- sse-gap 5 1'
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=0
	expect_events
}

# --- how a stream ends ---------------------------------------------------------------------

# A client that came without an id and has had no event yet would
# reconnect without one and miss what is published while it is away: the
# clean end gives it the id it is at, in an event of type sse-resume (an id
# line alone is lost by eventsource-parser, the parser of npm's eventsource
# and eventsource-client; a named event never reaches onmessage). One that
# has an id gets nothing more.
@test "lifetime: a client without an id is given the one it is at; one with an id is not" {
	pub --create ch
	pub ch one >/dev/null
	pub ch two >/dev/null
	cgi PATH_INFO=/ch SSE_MAX_LIFETIME=1
	[ "$rc" -eq 0 ]
	[ "$(grep -v '^:' "$T/body" | tr '\n' '|')" = 'id: 2|event: sse-resume|data: 2||' ]
	expect_events '2 sse-resume 2'
	cgi PATH_INFO=/ch SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID=1
	[ "$(grep -c '^id: ' "$T/body")" = 1 ]
	expect_events "2 message two"
	# an empty channel: id 0, which resumes with no gap
	pub --create empty
	cgi PATH_INFO=/empty SSE_MAX_LIFETIME=1
	[ "$(grep -v '^:' "$T/body" | tr '\n' '|')" = 'id: 0|event: sse-resume|data: 0||' ]
}

@test "SIGTERM: a client without an id is given the one it is at" {
	local pid

	pub --create ch
	pub ch one >/dev/null
	mapfile -d '' -t envv < <(cgi_env PATH_INFO=/ch SSE_MAX_LIFETIME=0)
	env -i "${envv[@]}" "$CGI" >"$T/live" 2>"$T/err" &
	pid=$!
	echo "$pid" >>"$T/pids"
	wait_for 'grep -q "^: " "$T/live"' 40 0.05
	kill -TERM "$pid"
	wait "$pid"
	[ "$(tail -n 4 "$T/live" | tr '\n' '|')" = 'id: 1|event: sse-resume|data: 1||' ]
	[ "$(grep -c '^id: ' "$T/live")" = 1 ]
}

@test "SIGTERM: exit 0, nothing on stderr, within a second" {
	local pid st=0

	pub --create ch
	mapfile -d '' -t envv < <(cgi_env PATH_INFO=/ch SSE_MAX_LIFETIME=0)
	env -i "${envv[@]}" "$CGI" >"$T/live" 2>"$T/err" &
	pid=$!
	echo "$pid" >>"$T/pids"
	wait_for 'grep -q "^: " "$T/live"' 40 0.05
	kill -TERM "$pid"
	wait_for "! kill -0 $pid 2>/dev/null" 20 0.05
	wait "$pid" || st=$?
	cat "$T/err"
	[ "$st" -eq 0 ]
	[ ! -s "$T/err" ]
}

@test "reader gone: closing stdout ends the stream within a second" {
	local pid st=0 t0

	pub --create ch
	mkfifo "$T/pipe"
	mapfile -d '' -t envv < <(cgi_env PATH_INFO=/ch SSE_MAX_LIFETIME=0 SSE_HEARTBEAT=60)
	env -i "${envv[@]}" "$CGI" >"$T/pipe" 2>"$T/err" &
	pid=$!
	echo "$pid" >>"$T/pids"
	# the reader takes the head and leaves, the stream idle
	head -c 10 "$T/pipe" >/dev/null
	t0=$(date +%s%N)
	wait_for "! kill -0 $pid 2>/dev/null" 20 0.05
	wait "$pid" || st=$?
	echo "exit $st after $((($(date +%s%N) - t0) / 1000000)) ms"
	cat "$T/err"
	[ "$st" -eq 0 ]
}

@test "reader gone: sse.cgi | head -c 10 returns within a second" {
	local t0 t1

	pub --create ch
	mapfile -d '' -t envv < <(cgi_env PATH_INFO=/ch SSE_MAX_LIFETIME=0 SSE_HEARTBEAT=60)
	t0=$(date +%s%N)
	timeout 5 bash -c '"$@" | head -c 10 >/dev/null' bash env -i "${envv[@]}" "$CGI"
	t1=$(date +%s%N)
	echo "took $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -lt 1500 ]
}

@test "lifetime: SSE_MAX_LIFETIME ends the stream cleanly" {
	local t0 t1

	pub --create ch
	t0=$(date +%s%N)
	cgi PATH_INFO=/ch SSE_MAX_LIFETIME=1
	t1=$(date +%s%N)
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	[ $(((t1 - t0) / 1000000)) -ge 900 ]
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
}

# The buffering doctor's probe: needs no spool; 12 padded events of the
# same size, a quarter of a second apart, saying who answered.
@test "?probe: 12 timestamped, padded events 250 ms apart, without a spool" {
	local t0 t1

	t0=$(date +%s%3N)
	cgi QUERY_STRING=probe SERVER_SOFTWARE='TestServer/1.0' -SSE_SPOOL_DIR
	t1=$(date +%s%3N)
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	grep -q -x $'Content-Type: text/event-stream\r' "$T/head"
	[ "$(grep -c '^event: probe$' "$T/body")" = 12 ]
	[ "$(($(wc -c <"$T/body") / 12))" = 256 ]
	grep '^data: ' "$T/body" >"$T/data"
	awk -v t0="$t0" -v t1="$t1" '
		{ if ($2 != NR || $3 != 12 || $4 != 250 || $6 != "sse.cgi" || $7 != "TestServer/1.0") bad = bad " line " NR
		  if ($5 < t0 || $5 > t1) bad = bad " time " NR
		  if (NR > 1 && ($5 - prev < 240 || $5 - prev > 400)) bad = bad " spacing " NR
		  prev = $5 }
		END { if (bad) { print "bad:" bad; exit 1 } }' "$T/data"
}

# A server compresses only for a request that announces it, as browsers
# always do: the probe says what the request announced, and the doctor
# will not call a probe asked without Accept-Encoding OK.
@test "?probe: echoes the request's Accept-Encoding; the doctor refuses to judge a probe asked without it" {
	cgi QUERY_STRING=probe SERVER_SOFTWARE='TestServer/1.0' HTTP_ACCEPT_ENCODING='gzip, deflate, br, zstd' -SSE_SPOOL_DIR
	[ "$(grep -c '^: accept-encoding: gzip, deflate, br, zstd ' "$T/body")" = 12 ]
	[ "$(($(wc -c <"$T/body") / 12))" = 256 ]
	cgi QUERY_STRING=probe SERVER_SOFTWARE='TestServer/1.0' -SSE_SPOOL_DIR
	[ "$(grep -c '^: accept-encoding: - ' "$T/body")" = 12 ]
	# read as it came (all at once here): held back, and asked without it
	{ cat "$T/head"; cat "$T/body"; } | sed '1s/^Status:/HTTP\/1.1/' >"$T/saved"
	run "$B/sse-doctor" - <"$T/saved"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"PROBLEM: the probe was asked without Accept-Encoding"* ]]
	[[ $output == *"curl -sN --raw -i -H 'Accept-Encoding: gzip, deflate, br, zstd' 'URL?probe' | sse-doctor -"* ]]
	refute_ok() { [[ $output != *"OK: "* ]]; }
	refute_ok
}

# mod_deflate reads a CGI's output until it holds more than 68 bytes before
# it even looks at no-gzip: the opening comments get it there at once.
@test "stream: 2 kB of comment before anything else, so a filter's first look does not wait" {
	pub --create ch
	pub ch one >/dev/null
	cgi PATH_INFO=/ch HTTP_LAST_EVENT_ID=0
	[ "$rc" -eq 0 ]
	python3 - "$T/body" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
first_event = b.find(b"\nid: ")
assert first_event >= 2048, first_event
head = b[:first_event + 1]
assert all(l.startswith(b":") for l in head.split(b"\n") if l), head[:80]
PY
	expect_events "1 message one"
}

# Named nph-sse.cgi, the program writes the whole HTTP head itself and
# Apache passes its output through no filter (mod_deflate, mod_brotli).
@test "NPH: named nph-*, the head is an HTTP status line with Date and Connection: close; errors and HTTP/1.0 too" {
	pub --create ch
	cgi PATH_INFO=/ch SCRIPT_FILENAME=/srv/www/nph-sse.cgi
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "$(head -n 1 "$T/head")" = $'HTTP/1.1 200 OK\r' ]
	grep -q -E $'^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT\r$' "$T/head"
	grep -q -x $'Connection: close\r' "$T/head"
	grep -q -x $'Content-Type: text/event-stream\r' "$T/head"
	grep -q -x $'Cache-Control: no-cache, no-transform\r' "$T/head"
	[ "$(grep -c '^Status:' "$T/out")" = 0 ]
	[ "$(head -n 1 "$T/body")" = ": sse-cgi $VERSION" ]
	cgi PATH_INFO=/nope SCRIPT_FILENAME=/srv/www/nph-sse.cgi SERVER_PROTOCOL=HTTP/1.0
	[ "$(head -n 1 "$T/head")" = $'HTTP/1.0 404 Not Found\r' ]
	grep -q -x $'Content-Type: text/plain\r' "$T/head"
	[ -s "$T/body" ]
	# argv[0] when the server gives no SCRIPT_FILENAME; HTTP/2 gets a 1.1 head
	ln -s "$CGI" "$T/nph-sse.cgi"
	CGI=$T/nph-sse.cgi cgi PATH_INFO=/ch -SCRIPT_FILENAME SERVER_PROTOCOL=HTTP/2.0
	[ "$(head -n 1 "$T/head")" = $'HTTP/1.1 200 OK\r' ]
	# not NPH: a CGI head
	cgi PATH_INFO=/ch SCRIPT_FILENAME=/srv/www/sse.cgi
	[ "$(head -n 1 "$T/head")" = $'Status: 200 OK\r' ]
	[ "$(grep -c -i '^connection:' "$T/head")" = 0 ]
}

# No probe events: the doctor says what the program answered instead, and
# tells a channel's stream (the URL had a channel) from a wrong URL.
@test "sse-doctor -: a 404 is quoted; a channel's stream is named as such" {
	cgi PATH_INFO=/nosuch
	sed '1s/^Status:/HTTP\/1.1/' "$T/out" >"$T/saved"
	run "$B/sse-doctor" - <"$T/saved"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"The answer says: unknown channel 'nosuch': check its name"* ]]
	pub --create ch
	cgi PATH_INFO=/ch
	sed '1s/^Status:/HTTP\/1.1/' "$T/out" >"$T/saved"
	run "$B/sse-doctor" - <"$T/saved"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"That is a channel's stream, not the probe: give the doctor the URL without the"* ]]
}

# sse-doctor reading a saved answer on stdin: curl's HTTP/2 status line,
# and the answer of an https proxy printed before the real one. Read all at
# once, the events look held back: the doctor must say so.
@test "sse-doctor -: parses curl's HTTP/2 status line and skips a proxy's 'Connection established'" {
	cgi QUERY_STRING=probe SERVER_SOFTWARE='nginx/1.22.1'
	{
		printf 'HTTP/1.1 200 Connection established\r\n\r\n'
		printf 'HTTP/2 200 \r\ncontent-type: text/event-stream\r\nserver: nginx/1.22.1\r\n\r\n'
		cat "$T/body"
	} >"$T/saved"
	run "$B/sse-doctor" - <"$T/saved"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"status 200, Content-Type: text/event-stream"* ]]
	[[ $output == *"program sse.cgi behind \"nginx/1.22.1\""* ]]
	[[ $output == *"11 of 12 events were held back"* ]]
	[[ $output == *"fastcgi_buffering off"* ]]
}
