#!/usr/bin/env bats
# sse-fcgi spoken to directly with FastCGI (test/tools/fcgiclient.c), no web
# server (SPEC "sse-fcgi", "The stream"): options, the stream, settings per
# request, 1,000 streams on 2 workers, a worker killed, SIGTERM, a stalled
# reader, the busy answer, ?status and disconnects.

bats_require_minimum_version 1.5.0

load events

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	FCGI=$B/sse-fcgi
	CLIENT=$B/test/fcgiclient
	[ -x "$FCGI" ] && [ -x "$CLIENT" ] || {
		echo "no $FCGI or $CLIENT: run make O=${SSE_BUILD:-build} tests first" >&2
		return 1
	}
	T=$BATS_TEST_TMPDIR
	SP=$T/spool
	SOCK=$T/fcgi.sock
	mkdir -p "$SP"
	pub --create news
}

teardown() {
	local pid

	for pid in $(cat "$T/pids" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	# SIGTERM first: a sanitizer build reports leaks as the workers exit
	if [ -n "${POOL:-}" ] && kill -TERM "$POOL" 2>/dev/null; then
		for _ in $(seq 40); do kill -0 "$POOL" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$POOL" 2>/dev/null || true
	fi
	# a sanitizer report anywhere in the pool's log fails the test
	if [ -f "$T/pool.err" ] && grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/pool.err" >&2; then
		return 1
	fi
}

pub() {
	"$B/sse-publish" --spool "$SP" "$@"
}

fail() {
	echo "$*" >&2
	return 1
}

# body_of FILE: the stream without its CGI head, for expect_events_of.
body_of() {
	sed -i -n '/^: sse-cgi/,$p' "$1"
}

# pool ARGS...: starts sse-fcgi on $SOCK with the spool; waits for the socket.
pool() {
	"$FCGI" --listen "unix:$SOCK" --spool "$SP" "$@" 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && [ "$(workers | wc -l)" -ge 1 ] && return 0
		sleep 0.05
	done
	cat "$T/pool.err" >&2
	return 1
}

workers() {
	pgrep -P "$POOL" || true
}

# fc [-t SEC ...] NAME=VALUE...: one GET request; the body on stdout.
fc() {
	local opts=()

	while [ $# -gt 0 ] && [[ $1 == -* ]]; do
		opts+=("$1" "$2")
		shift 2
	done
	"$CLIENT" "${opts[@]}" "unix:$SOCK" REQUEST_METHOD=GET "$@"
}

# fc_bg OUT NAME=VALUE...: a stream in the background (8 s at most).
fc_bg() {
	local out=$1

	shift
	"$CLIENT" -t 8 "unix:$SOCK" REQUEST_METHOD=GET "$@" >"$out" &
	echo $! >>"$T/pids"
	echo $! >"$out.pid"
}

status_field() { # CHANNEL FIELD
	fc QUERY_STRING=status SSE_STATUS=1 | tr -d '\n' |
		sed -n "s/.*\"$1\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"
}

@test "options: --help names every setting as a flag, --version, bad usage exits 2" {
	run "$FCGI" --help
	[ "$status" -eq 0 ]
	# not --history: sse-publish's (t1010)
	for f in listen workers socket-mode spool max-event heartbeat retry-ms max-lifetime \
		max-streams busy-retry-ms cors-origins sync status; do
		[[ $output == *"--$f"* ]] || fail "--help lacks --$f"
	done
	run "$FCGI" --version
	[ "$status" -eq 0 ]
	[[ $output == "sse-fcgi "[0-9]* ]]
	run "$FCGI" --no-such
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--no-such'"* ]]
	run "$FCGI" --workers 0 --listen "unix:$SOCK"
	[ "$status" -eq 2 ]
	[[ $output == *"--workers '0'"* ]]
	run "$FCGI" --heartbeat 0 --listen "unix:$SOCK"
	[ "$status" -eq 2 ]
	[[ $output == "sse-fcgi: --heartbeat: bad value '0' for SSE_HEARTBEAT"* ]]
	run "$FCGI" --listen nowhere
	[ "$status" -eq 2 ]
	[[ $output == *"expected unix:/path or HOST:PORT"* ]]
	# /run/sse is gone after a reboot: the line says what to make
	run "$FCGI" --listen "unix:$T/nodir/sse-fcgi.sock" --spool "$SP"
	[ "$status" -eq 1 ]
	[[ $output == "sse-fcgi: cannot listen on '$T/nodir/sse-fcgi.sock': its directory does not exist (make it,"* ]]
}

@test "options: without --listen, fd 0 must be a listening socket" {
	run "$FCGI" --spool "$SP" </dev/null
	[ "$status" -eq 2 ]
	[[ $output == *"fd 0 is not a listening socket"* ]]
}

@test "spawned: a listening socket on fd 0 (as lighttpd bin-path and spawn-fcgi leave it)" {
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])' "$SOCK" "$FCGI" --spool "$SP" --workers 1 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	pub news one >/dev/null
	run fc -t 1 HTTP_LAST_EVENT_ID=0 PATH_INFO=/news
	[[ $output == *$'id: 1\ndata: one'* ]] || fail "no replay: $output"
}

# The pool as a user who may not use the spool (its parents are root's, 0700):
# the 500's line says who runs, who owns what, and where the fix is.
@test "permission denied: one line naming the user it runs as, the owner and mode, and the page" {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], sys.argv[2:])' "$SOCK" "$(command -v setpriv)" --reuid=nobody --regid=nogroup \
		--clear-groups "$FCGI" --spool "$SP" --workers 1 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && [ "$(workers | wc -l)" -ge 1 ] && break; sleep 0.05; done
	run fc PATH_INFO=/news
	[[ $output == "Status: 500"* ]]
	cat "$T/pool.err"
	[ "$(wc -l <"$T/pool.err")" -eq 1 ]
	grep -q "^sse-fcgi\(\[[0-9]*\]\)\{0,1\}: cannot use spool '$SP': Permission denied (running as user nobody, group nogroup; '.*' is root:root mode 0700): .*see doc/publishing.md#who-may-write-the-spool$" \
		"$T/pool.err"
}

@test "a connection that sends half a request and goes silent holds a worker seconds, not forever" {
	pool --workers 1
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.send(b"\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01")  # BEGIN_REQUEST, cut short
time.sleep(8)' "$SOCK" &
	echo $! >>"$T/pids"
	sleep 0.2
	SECONDS=0
	run fc -t 7 PATH_INFO=/nosuch
	[[ $output == "Status: 404"* ]] || fail "no answer within 7 s: $output"
	echo "answered after ${SECONDS}s"
	[ "$SECONDS" -le 5 ]
}

# tcp_up PORT: the pool accepts on it (fcgiclient exits 1 only when it cannot connect).
tcp_up() {
	local rc
	for _ in $(seq 100); do
		rc=0
		"$CLIENT" -t 0.2 "127.0.0.1:$1" REQUEST_METHOD=GET >/dev/null 2>&1 || rc=$?
		[ "$rc" != 1 ] && return 0
		sleep 0.05
	done
	return 1
}

@test "TCP: --listen 127.0.0.1:PORT, and FCGI_WEB_SERVER_ADDRS keeps other peers out" {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	FCGI_WEB_SERVER_ADDRS=10.1.2.3,127.0.0.2 "$FCGI" --listen "127.0.0.1:$port" --spool "$SP" --workers 1 2>>"$T/pool.err" &
	POOL=$!
	tcp_up "$port"
	run "$CLIENT" -t 2 "127.0.0.1:$port" REQUEST_METHOD=GET PATH_INFO=/nosuch
	[ "$status" -eq 3 ] # closed without an answer: 127.0.0.1 is not listed
	[ -z "$output" ]
	kill "$POOL"
	wait "$POOL" || true
	FCGI_WEB_SERVER_ADDRS=10.1.2.3,127.0.0.1 "$FCGI" --listen "127.0.0.1:$port" --spool "$SP" --workers 1 2>>"$T/pool.err" &
	POOL=$!
	tcp_up "$port"
	run "$CLIENT" -t 2 "127.0.0.1:$port" REQUEST_METHOD=GET PATH_INFO=/nosuch
	[[ $output == "Status: 404"* ]]
	run "$FCGI" --listen "127.0.0.1:$port" --spool "$SP"
	[ "$status" -eq 1 ]
	[[ $output == *"cannot listen on '127.0.0.1:$port': Address already in use"* ]]
}

@test "stream: the head, the first comment at once, live events, and the unix socket's mode" {
	pool --workers 1
	[ "$(stat -c %a "$SOCK")" = 660 ]
	fc_bg "$T/out" PATH_INFO=/news
	for _ in $(seq 100); do grep -q '^: sse-cgi' "$T/out" && break; sleep 0.02; done
	head -c 200 "$T/out" | grep -q '^: sse-cgi' || fail "no first comment: $(cat "$T/out")"
	pub news hello >/dev/null
	pub --event tick news "two lines
here" >/dev/null
	for _ in $(seq 100); do [ "$(grep -c '^id: ' "$T/out")" -ge 2 ] && break; sleep 0.02; done
	sed -n '1,4p' "$T/out" >"$T/head"
	printf 'Status: 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n' >"$T/want"
	diff "$T/want" "$T/head"
	sed -n '/^: sse-cgi/,$p' "$T/out" >"$T/body"
	expect_events_of "$T/body" "1 message hello" '2 tick two lines\nhere'
}

@test "resume: Last-Event-ID, ?lastEventId, and sse-gap past the history" {
	pool --workers 1
	for i in 1 2 3 4 5; do pub news "e$i" >/dev/null; done
	fc -t 0.5 PATH_INFO=/news HTTP_LAST_EVENT_ID=3 >"$T/a" || true
	body_of "$T/a"
	expect_events_of "$T/a" "4 message e4" "5 message e5"
	fc -t 0.5 PATH_INFO=/news QUERY_STRING=lastEventId=4 >"$T/b" || true
	body_of "$T/b"
	expect_events_of "$T/b" "5 message e5"
	pub --create --history 2 small
	for i in 1 2 3 4 5; do pub small "s$i" >/dev/null; done
	fc -t 0.5 PATH_INFO=/small HTTP_LAST_EVENT_ID=1 >"$T/c" || true
	body_of "$T/c"
	expect_events_of "$T/c" "- sse-gap 1 4" "4 message s4" "5 message s5"
}

@test "errors: 404 unknown channel, 400 bad name or id, 405, OPTIONS, 500 without a spool" {
	pool --workers 1
	run fc PATH_INFO=/nosuch
	[ "$status" -eq 0 ]
	[[ $output == "Status: 404"* ]]
	run fc PATH_INFO=/.bad
	[[ $output == "Status: 400"* ]]
	run fc PATH_INFO=/news HTTP_LAST_EVENT_ID=x1
	[[ $output == "Status: 400"* ]]
	run "$CLIENT" "unix:$SOCK" REQUEST_METHOD=POST PATH_INFO=/news
	[[ $output == "Status: 405"* ]]
	run "$CLIENT" "unix:$SOCK" REQUEST_METHOD=OPTIONS PATH_INFO=/news HTTP_ORIGIN=http://a.example \
		SSE_CORS_ORIGINS=http://a.example
	[[ $output == "Status: 204"* ]]
	kill "$POOL"
	wait "$POOL" || true
	"$FCGI" --listen "unix:$SOCK" 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
	run fc PATH_INFO=/news
	[[ $output == "Status: 500"* ]]
	grep -q 'SSE_SPOOL_DIR is not set' "$T/pool.err"
}

# The documented configurations pass SSE_SPOOL_DIR per request: no warning
# at start; a request without one still gets the 500 and its one line.
@test "no spool at start: no warning; a request without one: 500 and one line saying what to set" {
	"$FCGI" --listen "unix:$SOCK" --workers 1 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && [ "$(workers | wc -l)" -ge 1 ] && break; sleep 0.05; done
	run fc -t 2 PATH_INFO=/news SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=1
	[[ $output == "Status: 200"* ]]
	cat "$T/pool.err"
	[ ! -s "$T/pool.err" ]
	run fc PATH_INFO=/news
	[[ $output == "Status: 500"* ]]
	[[ $output == *"sse-fcgi is misconfigured: SSE_SPOOL_DIR is not set"* ]]
	[ "$(wc -l <"$T/pool.err")" -eq 1 ]
	grep -q 'SSE_SPOOL_DIR is not set: .*fastcgi_param SSE_SPOOL_DIR' "$T/pool.err"
}

@test "404s say what to do: the unknown channel and sse-publish --create; ?status is off and SSE_STATUS=1; no channel (not sse.cgi's text)" {
	pool --workers 1
	run fc PATH_INFO=/nosuch
	[[ $output == "Status: 404"* ]]
	[[ $output == *"unknown channel 'nosuch': check its name, or create it: sse-publish --spool SPOOL --create nosuch"* ]]
	[ ! -e "$SP/nosuch" ]
	run fc QUERY_STRING=status
	[[ $output == "Status: 404"* ]]
	[[ $output == *"status is off: set SSE_STATUS=1"* ]]
	run fc
	[[ $output == "Status: 404"* ]]
	[[ $output == *"?channel=CHANNEL"* ]]
	[[ $output != *"sse.cgi"* ]]
}

@test "?status: a channel that cannot be read says so in the JSON and in one log line naming it" {
	pub --create broken
	: >"$SP/broken/log/index"
	pool --workers 1
	run fc QUERY_STRING=status SSE_STATUS=1
	[[ $output == "Status: 200"* ]]
	printf '%s\n' "$output" | sed '1,/^\r\{0,1\}$/d' >"$T/status.json"
	python3 - "$T/status.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["channels"]
assert "newest_id" in d["news"], d
assert "cannot be read" in d["broken"]["error"], d
assert "newest_id" not in d["broken"], d
PY
	cat "$T/pool.err"
	[ "$(grep -c "cannot read channel 'broken'" "$T/pool.err")" -eq 1 ]
}

@test "settings: FastCGI parameters override flags per request (retry, spool, CORS)" {
	pool --workers 1 --retry-ms 1500
	run fc -t 0.3 PATH_INFO=/news
	[[ $output == *$'\nretry: 1500'* ]]
	run fc -t 0.3 PATH_INFO=/news SSE_RETRY_MS=2500
	[[ $output == *$'\nretry: 2500'* ]]
	[[ $output != *"retry: 1500"* ]]
	mkdir -p "$T/other"
	"$B/sse-publish" --spool "$T/other" elsewhere x >/dev/null
	run fc -t 0.3 PATH_INFO=/elsewhere SSE_SPOOL_DIR="$T/other" HTTP_LAST_EVENT_ID=0
	[[ $output == *$'\ndata: x'* ]]
	run fc -t 0.3 PATH_INFO=/news HTTP_ORIGIN=https://app.example SSE_CORS_ORIGINS="https://app.example"
	[[ $output == *$'Access-Control-Allow-Origin: https://app.example\r\n'* ]]
	run fc -t 0.3 PATH_INFO=/news SSE_HEARTBEAT=0
	[[ $output == "Status: 500"* ]]
	grep -q "SSE_HEARTBEAT" "$T/pool.err"
	# a setting's error names no file: the answer says it too (the pool's
	# stderr is not where whoever configures nginx looks)
	[[ $output == *"sse-fcgi is misconfigured: bad value '0' for SSE_HEARTBEAT"* ]]
}

@test "heartbeat, lifetime and ABORT_REQUEST end or keep a stream as they should" {
	pool --workers 1
	run fc -t 1.6 PATH_INFO=/news SSE_HEARTBEAT=1
	[ "$status" -eq 4 ] # still streaming when the client gave up
	[ "$(grep -c '^:$' <<<"$output")" -ge 1 ] || fail "no heartbeat in 1.6 s: $output"
	SECONDS=0
	run fc -t 5 PATH_INFO=/news SSE_MAX_LIFETIME=1
	[ "$status" -eq 0 ] # END_REQUEST
	[ "$SECONDS" -le 3 ]
	run "$CLIENT" -t 5 -a 0.3 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/news
	[ "$status" -eq 0 ] # the abort was answered with END_REQUEST
}

@test "1,000 concurrent streams on 2 workers: every event once, in order, on every stream" {
	pool --workers 2
	pub news warmup >/dev/null
	"$CLIENT" -c 1000 -t 30 -u 301 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/news HTTP_LAST_EVENT_ID=1 \
		>"$T/many" &
	echo $! >>"$T/pids"
	local pid=$!
	for _ in $(seq 200); do
		[ "$(status_field news streams)" = 1000 ] && break
		sleep 0.05
	done
	[ "$(status_field news streams)" = 1000 ] || fail "streams open: $(status_field news streams)"
	# both workers hold streams (an unbalanced accept would leave one idle)
	for w in $(workers); do
		[ "$(ls "/proc/$w/fd" | wc -l)" -gt 100 ] || fail "worker $w holds few streams"
	done
	# half through the fifo (the holder is one of the workers), half by sse-publish
	for i in $(seq 2 151); do printf 'data: %d\n\n' "$i"; done >"$SP/news/fifo"
	for i in $(seq 152 301); do printf 'data: %d\n\n' "$i"; done | "$B/sse-publish" --spool "$SP" --raw news >/dev/null
	wait "$pid"
	cat "$T/many"
	grep -q 'streams=1000 open=1000 ended=0 events=300000 min=300 max=300 disorder=0' "$T/many"
	[ "$(status_field news delivered)" -ge 300000 ]
}

@test "a worker killed with SIGKILL is replaced within a second; its clients resume without loss" {
	pool --workers 2
	local before victim n w
	before=$(workers | sort)
	fc_bg "$T/s1" PATH_INFO=/news
	fc_bg "$T/s2" PATH_INFO=/news
	fc_bg "$T/s3" PATH_INFO=/news
	fc_bg "$T/s4" PATH_INFO=/news
	for _ in $(seq 100); do [ "$(status_field news streams)" = 4 ] && break; sleep 0.05; done
	pub news a >/dev/null
	for _ in $(seq 100); do [ "$(cat "$T"/s? | grep -c '^id: 1$')" = 4 ] && break; sleep 0.02; done
	# the victim: the worker draining the channel (so it holds a stream of it)
	for w in $before; do
		ls -l "/proc/$w/fd" 2>/dev/null | grep -q "$SP/news/drain.owner" && victim=$w
	done
	[ -n "${victim:-}" ] || fail "no worker holds news/drain.owner"
	kill -KILL "$victim"
	SECONDS=0
	for _ in $(seq 40); do
		n=$(workers | wc -l)
		[ "$n" = 2 ] && [ "$(workers | sort)" != "$before" ] && break
		sleep 0.05
	done
	[ "$n" = 2 ] || fail "no replacement worker"
	[ "$SECONDS" -le 1 ]
	grep -q "worker [01] (pid $victim) was killed by signal 9; starting another" "$T/pool.err"
	# the streams of the dead worker are no longer counted
	for _ in $(seq 40); do [ "$(status_field news streams)" -lt 4 ] && break; sleep 0.05; done
	[ "$(status_field news streams)" -lt 4 ] || fail "the dead worker's streams are still counted"
	pub news b >/dev/null
	pub news c >/dev/null
	# the clients whose connection ended resume from the last id they saw;
	# the others are still streaming; all end with a, b, c
	local gone=0
	for f in "$T"/s?; do
		if ! kill -0 "$(cat "$f.pid")" 2>/dev/null; then
			gone=$((gone + 1))
			fc -t 0.5 PATH_INFO=/news HTTP_LAST_EVENT_ID="$(grep '^id: ' "$f" | tail -1 | cut -c5-)" >>"$f" || true
		fi
		for _ in $(seq 50); do [ "$(grep -c '^data: ' "$f")" -ge 3 ] && break; sleep 0.02; done
		[ "$(grep '^data: ' "$f" | tr '\n' ' ')" = "data: a data: b data: c " ] || fail "$f: $(cat "$f")"
	done
	[ "$gone" -ge 1 ] || fail "no client lost its stream with the worker"
}

@test "SIGTERM ends every stream cleanly and the pool exits within a second" {
	pool --workers 2
	"$CLIENT" -c 200 -t 10 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/news >"$T/many" &
	local c=$! w
	for _ in $(seq 100); do [ "$(status_field news streams)" = 200 ] && break; sleep 0.05; done
	w=$(workers)
	SECONDS=0
	local t0
	t0=$(date +%s%N)
	kill -TERM "$POOL"
	wait "$POOL"
	echo "exit in $((($(date +%s%N) - t0) / 1000000)) ms"
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 1000 ]
	for p in $w; do ! pid_alive "$p"; done
	wait "$c"
	grep -q 'streams=200 open=0 ended=200' "$T/many" || fail "$(cat "$T/many")"
	[ ! -e "$SOCK" ]
}

pid_alive() {
	[ -r "/proc/$1/stat" ] && [ "$(sed -e 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
}

@test "a stalled reader delays no one; it keeps a bounded backlog, then falls behind and gets sse-gap" {
	pool --workers 1
	pub --create --history 100 big
	"$CLIENT" -s -t 6 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/big >/dev/null &
	echo $! >>"$T/pids"
	fc_bg "$T/live" PATH_INFO=/big
	for _ in $(seq 100); do [ "$(status_field big streams)" = 2 ] && break; sleep 0.05; done
	local w rss0 rss1 data
	w=$(workers)
	rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$w/status")
	data=$(head -c 2000 /dev/zero | tr '\0' x)
	SECONDS=0
	for i in $(seq 1 1000); do printf 'data: %d %s\n\n' "$i" "$data"; done | "$B/sse-publish" --spool "$SP" --raw big >/dev/null
	for _ in $(seq 100); do grep -q '^data: 1000 ' "$T/live" && break; sleep 0.05; done
	grep -q '^data: 1000 ' "$T/live" || fail "the live reader did not get every event"
	[ "$SECONDS" -le 3 ]
	[ "$(grep -c '^data: ' "$T/live")" = 1000 ]
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$w/status")
	echo "worker RSS $rss0 -> $rss1 kB with 2 MB published to a stalled reader"
	[ $((rss1 - rss0)) -lt 1024 ]
	# a slow reader (reads, but lags far behind the history of 100) gets sse-gap
	"$CLIENT" -s -t 1 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/big HTTP_LAST_EVENT_ID=900 >/dev/null || true
	fc -t 1 PATH_INFO=/big HTTP_LAST_EVENT_ID=1 >"$T/gap" || true
	grep -q '^event: sse-gap$' "$T/gap"
	grep -q '^data: 1 901$' "$T/gap"
}

@test "busy: over --max-streams the answer is 200, the replay, a spread retry, and the end" {
	pool --workers 2 --max-streams 2 --busy-retry-ms 5000
	pub news a >/dev/null
	fc_bg "$T/s1" PATH_INFO=/news
	fc_bg "$T/s2" PATH_INFO=/news
	for _ in $(seq 100); do [ "$(status_field news streams)" = 2 ] && break; sleep 0.05; done
	run fc -t 3 PATH_INFO=/news HTTP_LAST_EVENT_ID=0
	[ "$status" -eq 0 ] # ended by the pool
	[[ $output == "Status: 200 OK"* ]]
	[[ $output == *$'id: 1\ndata: a\n\n'* ]]
	local r
	r=$(grep '^retry: ' <<<"$output" | cut -c8-)
	[ "$r" -ge 5000 ] && [ "$r" -le 6000 ]
	# a replay larger than the socket takes at once is sent whole before the end
	local data
	data=$(head -c 2000 /dev/zero | tr '\0' y)
	for i in $(seq 1 1000); do printf 'data: %d %s\n\n' "$i" "$data"; done | pub --raw news >/dev/null
	fc -t 10 PATH_INFO=/news HTTP_LAST_EVENT_ID=1 >"$T/replay"
	[ "$(grep -c '^data: ' "$T/replay")" = 1000 ] || fail "busy replay: $(grep -c '^data: ' "$T/replay") of 1000 events"
	tail -2 "$T/replay" | grep -q '^retry: '
	# a stream that ends frees its slot
	kill "$(head -1 "$T/pids")"
	for _ in $(seq 40); do [ "$(status_field news streams)" = 1 ] && break; sleep 0.05; done
	run fc -t 0.5 PATH_INFO=/news
	[ "$status" -eq 4 ] # streaming, not busy
}

@test "status: streams open and events delivered per channel; a disconnect frees its stream at once" {
	pool --workers 2
	run fc QUERY_STRING=status
	[[ $output == "Status: 400"* || $output == "Status: 404"* ]] # off by default
	fc_bg "$T/a" PATH_INFO=/news
	fc_bg "$T/b" PATH_INFO=/news
	for _ in $(seq 100); do [ "$(status_field news streams)" = 2 ] && break; sleep 0.05; done
	pub news x >/dev/null
	for _ in $(seq 100); do [ "$(status_field news delivered)" = 2 ] && break; sleep 0.05; done
	[ "$(status_field news delivered)" = 2 ]
	fc QUERY_STRING=status SSE_STATUS=1 | grep -q '"pool":{"workers":2,"streams":2}'
	kill $(cat "$T/pids")
	for _ in $(seq 20); do [ "$(status_field news streams)" = 0 ] && break; sleep 0.05; done
	[ "$(status_field news streams)" = 0 ]
}

# The doctor's probe; SIGTERM ends a running one cleanly
# (END_REQUEST), like every stream.
@test "?probe: 12 padded events 250 ms apart; SIGTERM ends a running probe cleanly" {
	pool --workers 1
	run "$CLIENT" -t 10 "unix:$SOCK" REQUEST_METHOD=GET QUERY_STRING=probe SERVER_SOFTWARE=Test/1
	[ "$status" = 0 ]
	[ "$(grep -c '^event: probe$' <<<"$output")" = 12 ]
	grep -q '^data: 12 12 250 [0-9]* sse-fcgi Test/1$' <<<"$output"
	"$CLIENT" -t 10 "unix:$SOCK" REQUEST_METHOD=GET QUERY_STRING=probe >"$T/probe" &
	local c=$! rc=0
	for _ in $(seq 40); do grep -q '^data: 2 ' "$T/probe" && break; sleep 0.05; done
	kill -TERM "$POOL"
	wait "$POOL"
	wait "$c" || rc=$?
	[ "$rc" = 0 ] || fail "the probe did not end with END_REQUEST (fcgiclient exit $rc)"
	[ "$(grep -c '^event: probe$' "$T/probe")" -lt 12 ]
}
