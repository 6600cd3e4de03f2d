#!/bin/bash
# hostile: hostile input against every front end, each input with its
# expectation, counted (issue 6, point 5):
#
# 1. sse.cgi run directly (a CGI environment) and 2. sse-fcgi spoken to
#    directly (test/tools/fcgiclient): odd and encoded channel names (..,
#    %2e%2e, NUL, '/', 100,000 characters), CR/LF in PATH_INFO, Origin,
#    Last-Event-ID, the method; 64 KiB headers and query strings. Expected:
#    the SPEC's status (400/404/405, 200 where the input is harmless) with a
#    text body and nothing on stderr, or a stream.
# 3. sse-publish: bad channel names, event names with CR/LF, hostile data and
#    --raw input (id: lines, CR, NUL, an oversized event between good ones),
#    bad settings: exit 2 (1 for a missing spool) and one line naming the
#    setting or file, or the ids.
# 4. The spool: symbolic links planted where the channel, log/, log/index,
#    a segment, log/hwm, fifo, drain.lock, incoming/, an incoming/ entry and
#    .streams belong, each pointing outside the spool, met by sse-publish,
#    sse.cgi and sse-fcgi: refused with one line naming the link; the
#    outside target is watched with inotify (never opened, read or changed)
#    and compared (content, mode, times). In incoming/: a device node, a
#    fifo, a directory, a link to /dev/null and a file larger than
#    SSE_MAX_EVENT are refused and the regular files around them published.
# 5. A real server (lighttpd + sse.cgi, and nginx + sse-fcgi, from
#    test/conf through test/bats/helpers.bash): 64 KiB Last-Event-ID,
#    Origin, Cookie, a 64 KiB and a 1 MiB query string, encoded and CR/LF
#    channel names, an obs-fold header: a clean refusal (400, 404, 414, 431)
#    or a harmless 200, and the server keeps serving.
# 6. File modes: the programs run under umask 000 and 022 create nothing
#    world-writable in the spool (nor sse-fcgi's socket).
# In 1., 2. and 5., the Mercure hub (issue 12): forged tokens, hostile forms,
# selectors and topics, with a hub subscriber that must get every good
# update (test/harden/hostile-hub.bash says which rows and why).
#
# Throughout, a parallel stream of a good channel (sse.cgi, sse-fcgi, and a
# client of each server) must receive every event published between the
# rows, once and in order (lost), and no response or event line may carry a
# line made of hostile input (injected: a line "Injected: ...",
# "event: injected" or "id: 6666666666" anywhere in the raw bytes, CR taken as a
# line end as a browser would).
#
# Short (the suite) and --long run the same table; --long adds randomized
# channel names and header values (LONG_RANDOM of each).
. "$(dirname "$0")/common.sh"
set -u
BATS_TEST_DIRNAME=$TOP/test/bats
# wait_for, pid_alive, free_port, port_open, the server helpers; events_of
. "$TOP/test/bats/helpers.bash"
case $B in /*) ;; *) B=$TOP/$B ;; esac
PUB=$B/sse-publish CGI=$B/sse.cgi FCGI=$B/sse-fcgi FC=$B/test/fcgiclient
for f in "$PUB" "$CGI" "$FCGI" "$FC"; do
	[ -x "$f" ] || { echo "hostile: no $f: run make O=${SSE_BUILD:-build} tests first" >&2; exit 1; }
done
for p in python3 curl lighttpd nginx; do
	command -v "$p" >/dev/null || { echo "hostile: $p is not installed (scripts/deps.sh lists it)" >&2; exit 1; }
done
# how long a 200 row streams before SIGTERM ends it (its replay is sent at once)
RANDOM_ROWS=0
[ "$LONG" = 1 ] && RANDOM_ROWS=${LONG_RANDOM:-300}

tried=0 refused=0 ok=0 lost=0 injected=0 ww=0 BAD=0
bad() { echo "hostile: FAIL: $*" >&2; BAD=$((BAD + 1)); }

# --- processes -----------------------------------------------------------------

PIDS=()
stop_all() {
	local p

	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait_for "! pid_alive $p" 40 0.05 2>/dev/null || kill -KILL "$p" 2>/dev/null
	done
	PIDS=()
}
trap 'stop_all; h_cleanup' EXIT

# --- checks shared by the rows ----------------------------------------------------

# until_comment PID FILE: a request ends by itself (an error answer), or is
# a stream: then once its first comment is in FILE (its head and any replay
# went out before it waits for anything) the client leaves. 10 s at most.
# Sets $rc to PID's exit status (143: ended here). EXE: the program PID
# becomes; not signalled before it is that program (the shell of a
# background job would die of a SIGTERM that the program handles).
until_comment() {
	wait_for "! pid_alive $1 || { grep -a -q '^: sse-cgi' '$2' && [ \"\$(readlink /proc/$1/exe)\" = '$3' ]; }" 500 0.02 2>/dev/null
	kill -TERM "$1" 2>/dev/null
	rc=0
	wait "$1" || rc=$?
}

# injected FILE: a line of it (CR, LF and CRLF all end lines) is made of
# hostile input.
injected_in() {
	tr '\r' '\n' <"$1" | grep -a -q -E '^(Injected|event: injected$|id: 6666666666$)'
}

# head_ok FILE: the head (up to the first blank line) is "Name: value"
# lines ending in CRLF, nothing else.
head_ok() {
	perl -0777 -ne '
		my $i = index($_, "\r\n\r\n");
		exit 1 if $i < 0;
		my @l = split /\r\n/, substr($_, 0, $i);
		shift @l if $l[0] =~ m{^HTTP/1\.[01] [0-9]{3} [\x20-\x7e]*$}; # nph-sse.cgi
		for (@l) { exit 1 unless /^[A-Za-z][A-Za-z0-9-]*: [\x20-\x7e]*$/ }' "$1"
}

# The checkers themselves: each must tell a bad answer from a good one.
printf 'Status: 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hi\ndata: Injected: no\n\n' >"$WORK/good.txt"
printf 'Status: 200 OK\r\nX-A: 1\rInjected: yes\r\n\r\n' >"$WORK/bad1.txt"
printf 'Status: 200 OK\r\n\r\nid: 1\nevent: x\revent: injected\ndata: 1\n\n' >"$WORK/bad2.txt"
printf 'Status: 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n' >"$WORK/bad3.txt"
if injected_in "$WORK/good.txt" || ! head_ok "$WORK/good.txt" || ! injected_in "$WORK/bad1.txt" ||
	head_ok "$WORK/bad1.txt" || ! injected_in "$WORK/bad2.txt" || head_ok "$WORK/bad3.txt"; then
	echo "hostile: the checkers do not tell good answers from bad ones" >&2
	exit 1
fi

# status_line FILE: the NNN of "Status: NNN ..." (CGI head) or of "HTTP/x NNN".
status_line() {
	head -c 200 "$1" | head -n 1 | sed -n -e 's/^Status: \([0-9]*\).*/\1/p' -e 's/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'
}

# judge NAME WANT GOT FILE ERRFILE ERR_LINES: WANT is a status (or several,
# "400|414|431"); a 200 must be an event stream, anything else a refusal.
# ERR_LINES: how many lines stderr must hold (- to not check).
judge() {
	local name=$1 want=$2 got=$3 out=$4 err=$5 lines=$6 n

	tried=$((tried + 1))
	if injected_in "$out"; then
		injected=$((injected + 1))
		bad "$name: hostile input reached a line of the answer:"
		tr '\r' '\n' <"$out" | grep -a -n -E '^(Injected|event: injected$|id: 6666666666$)' | head -n 3 >&2
	fi
	if ! [[ $got =~ ^($want)$ ]]; then
		bad "$name: status '$got', expected $want"
		head -c 300 "$out" | cat -v >&2
		head -n 3 "$err" >&2
		return 1
	fi
	if [ "$lines" != - ] && [ "$(wc -l <"$err")" != "$lines" ]; then
		bad "$name: $(wc -l <"$err") lines on stderr, expected $lines:"
		head -n 5 "$err" >&2
		return 1
	fi
	if [ "$got" = 200 ]; then
		ok=$((ok + 1))
	else
		refused=$((refused + 1))
	fi
}

# --- 1. sse.cgi run directly -------------------------------------------------------

W=$WORK/cgi
SP=$W/spool
mkdir -p "$SP"
pub() { "$PUB" --spool "$SP" "$@"; }
pub --create good
for i in 1 2 3; do pub good "replay $i" >/dev/null; done
N_GOOD=3 # events published into good so far

big() { head -c "$1" /dev/zero | tr '\0' "${2:-x}"; }
K64=$(big 65536)
D64=$(big 65536 7)
INJ=$'\r\nInjected: yes\r\n\r\nevent: injected\nid: 6666666666\ndata: x'

# cgi_row NAME WANT ERR_LINES [VAR=value...]: sse.cgi with a GET request of
# good (changed by the arguments); a stream is ended by SIGTERM (until_comment).
cgi_row() {
	local name=$1 want=$2 lines=$3 rc=0
	local -a env=(PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET
		SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/sse.cgi SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=0)
	local k

	shift 3
	for k in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!k:-}" ] && env+=("$k=${!k}")
	done
	rm -f "$W/out" # a new file: nothing earlier can write into it
	# ROW_BODY: the request body (a hub publish)
	env -i "${env[@]}" "$@" "$CGI" <"${ROW_BODY:-/dev/null}" >"$W/out" 2>"$W/err" &
	until_comment $! "$W/out" "$CGI"
	if ! [[ $rc =~ ^(0|${CGI_RC:-0})$ ]]; then
		tried=$((tried + 1))
		bad "sse.cgi $name: exit status $rc"
		head -n 3 "$W/err" >&2
		return
	fi
	head_ok "$W/out" || bad "sse.cgi $name: a malformed head: $(head -c 300 "$W/out" | cat -v)"
	judge "sse.cgi $name" "$want" "$(status_line "$W/out")" "$W/out" "$W/err" "$lines"
}

# A stream of good that lives through the whole table: every event
# published between rows must reach it.
live_cgi() {
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/good \
		SSE_SPOOL_DIR="$SP" HTTP_LAST_EVENT_ID=0 ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		"$CGI" >"$W/live" 2>"$W/live.err" &
	PIDS+=($!)
	LIVE_CGI=$!
}

# between NAME: one more event into good (so a stream that lost anything shows it)
between() {
	pub good "between $1" >/dev/null || bad "cannot publish into good after $1"
	N_GOOD=$((N_GOOD + 1))
}

# expect_all FILE WHO: FILE has events 1..N_GOOD of good, once, in order.
expect_all() {
	local got

	wait_for "[ \"\$(grep -c '^id: ' '$1')\" -ge $N_GOOD ]" 200 0.05 >/dev/null 2>&1
	# the events, without the CGI head
	sed -n '/^: sse-cgi/,$p' "$1" >"$1.body"
	got=$(events_of "$1.body" | awk '$1 != "-" { print $1 }' | tr '\n' ' ')
	if [ "$got" != "$(seq -s ' ' 1 "$N_GOOD") " ]; then
		lost=$((lost + 1))
		bad "$2: the parallel stream of good got ids '$got', expected 1..$N_GOOD"
	fi
}

echo "== $SECONDS s: sse.cgi"
live_cgi
wait_for "grep -q '^: ' '$W/live'" 100 0.05 || bad "the parallel sse.cgi stream did not start"
C400='400' C404='404'
# rows: name, status, stderr lines, request
cgi_rows() {
	local runner=$1 # cgi_row or fcgi_row
	$runner "PATH_INFO=/.." $C400 0 PATH_INFO=/..
	$runner "PATH_INFO=/." $C400 0 PATH_INFO=/.
	$runner "PATH_INFO=/%2e%2e" $C400 0 PATH_INFO=/%2e%2e
	$runner "PATH_INFO=/%2E%2e%2Fgood" $C400 0 PATH_INFO=/%2E%2e%2Fgood
	$runner "PATH_INFO=/../good" $C400 0 PATH_INFO=/../good
	$runner "PATH_INFO=/../../../etc/passwd" $C400 0 PATH_INFO=/../../../etc/passwd
	$runner "PATH_INFO=//good" $C400 0 PATH_INFO=//good
	$runner "PATH_INFO=/good/" $C400 0 PATH_INFO=/good/
	$runner "PATH_INFO=/good/log" $C400 0 PATH_INFO=/good/log
	$runner "PATH_INFO=/.streams" $C400 0 PATH_INFO=/.streams
	$runner "PATH_INFO=/.new-good-1" $C400 0 PATH_INFO=/.new-good-1
	$runner "PATH_INFO=/good%00" $C400 0 PATH_INFO=/good%00
	$runner "PATH_INFO=/good%2500" $C400 0 PATH_INFO=/good%2500
	$runner "PATH_INFO=/good%" $C400 0 PATH_INFO=/good%
	$runner "PATH_INFO=/good%4" $C400 0 PATH_INFO=/good%4
	$runner "PATH_INFO=/good%zz" $C400 0 PATH_INFO=/good%zz
	$runner "PATH_INFO=/good+" $C400 0 PATH_INFO=/good+
	$runner "PATH_INFO=/good CRLF" $C400 0 "PATH_INFO=/good$INJ"
	$runner "PATH_INFO=/good%0d%0aInjected..." $C400 0 "PATH_INFO=/good%0d%0aInjected:%20yes"
	$runner "PATH_INFO=/<script>" $C400 0 "PATH_INFO=/<script>alert(1)</script>"
	$runner "PATH_INFO UTF-8 name" $C400 0 "PATH_INFO=/caf$(printf '\xc3\xa9')"
	$runner "PATH_INFO 65 characters" $C400 0 "PATH_INFO=/$(big 65)"
	$runner "PATH_INFO 64 characters, no such channel" $C404 0 "PATH_INFO=/$(big 64)"
	$runner "PATH_INFO 60,000 characters" $C400 0 "PATH_INFO=/$(big 60000)"
	$runner "PATH_INFO 60,000 x %2e" $C400 0 "PATH_INFO=/$(big 20000 | sed 's/x/%2e/g')"
	$runner "?channel=%2e%2e" $C400 0 QUERY_STRING=channel=%2e%2e
	$runner "?channel=..%2f..%2fetc%2fpasswd" $C400 0 QUERY_STRING=channel=..%2f..%2fetc%2fpasswd
	$runner "?channel=good%00x" $C400 0 QUERY_STRING=channel=good%00x
	$runner "?channel=good%0d%0aInjected..." $C400 0 "QUERY_STRING=channel=good%0d%0aInjected:%20yes"
	$runner "?channel= (empty)" $C400 0 QUERY_STRING=channel=
	$runner "?channel=&channel=good" $C400 0 "QUERY_STRING=channel=&channel=good"
	$runner "?channel=good&channel=.." 200 0 "QUERY_STRING=channel=good&channel=.."
	$runner "?channel=good&60,000 bytes more" 200 0 "QUERY_STRING=channel=good&x=$(big 60000)"
	$runner "?60,000 bytes, no channel" $C404 0 "QUERY_STRING=$(big 60000)"
	$runner "?60,000 '&'" $C404 0 "QUERY_STRING=$(big 60000 '&')"
	$runner "?60,000 '='" $C404 0 "QUERY_STRING=$(big 60000 '=')"
	$runner "?lastEventId=1%0d%0aInjected" $C400 0 "PATH_INFO=/good" "QUERY_STRING=lastEventId=1%0d%0aInjected:%20yes"
	$runner "?lastEventId= 60,000 digits" $C400 0 "PATH_INFO=/good" "QUERY_STRING=lastEventId=${D64:0:60000}"
	$runner "Last-Event-ID with CRLF" $C400 0 PATH_INFO=/good "HTTP_LAST_EVENT_ID=1$INJ"
	$runner "Last-Event-ID 60,000 digits" $C400 0 PATH_INFO=/good "HTTP_LAST_EVENT_ID=${D64:0:60000}"
	$runner "Last-Event-ID 60,000 spaces then 0" 200 0 PATH_INFO=/good "HTTP_LAST_EVENT_ID=$(big 60000 ' ')0"
	$runner "Last-Event-ID -1" $C400 0 PATH_INFO=/good HTTP_LAST_EVENT_ID=-1
	$runner "Last-Event-ID 2^64" $C400 0 PATH_INFO=/good HTTP_LAST_EVENT_ID=18446744073709551616
	$runner "Last-Event-ID 0x10" $C400 0 PATH_INFO=/good HTTP_LAST_EVENT_ID=0x10
	$runner "Last-Event-ID 1e3" $C400 0 PATH_INFO=/good HTTP_LAST_EVENT_ID=1e3
	$runner "Origin with CRLF, CORS *" 200 0 PATH_INFO=/good SSE_CORS_ORIGINS='*' "HTTP_ORIGIN=https://a.example$INJ"
	$runner "Origin with CRLF, allow-list" 200 0 PATH_INFO=/good SSE_CORS_ORIGINS=https://a.example "HTTP_ORIGIN=https://a.example$INJ"
	$runner "Origin with CRLF, preflight" 204 0 PATH_INFO=/good REQUEST_METHOD=OPTIONS SSE_CORS_ORIGINS=https://a.example "HTTP_ORIGIN=https://a.example$INJ"
	$runner "Origin 60,000 bytes" 200 0 PATH_INFO=/good SSE_CORS_ORIGINS=https://a.example "HTTP_ORIGIN=https://${K64:0:60000}"
	$runner "a listed 250-byte Origin, preflight" 204 0 PATH_INFO=/good REQUEST_METHOD=OPTIONS \
		"SSE_CORS_ORIGINS=https://$(big 242).example" "HTTP_ORIGIN=https://$(big 242).example"
	$runner "a listed 250-byte Origin, 404" $C404 0 PATH_INFO=/nope \
		"SSE_CORS_ORIGINS=https://$(big 242).example" "HTTP_ORIGIN=https://$(big 242).example"
	$runner "Cookie 60,000 bytes" 200 0 PATH_INFO=/good "HTTP_COOKIE=a=${K64:0:60000}"
	$runner "method with CRLF" 405 0 PATH_INFO=/good "REQUEST_METHOD=GET$INJ"
	$runner "method 60,000 bytes" 405 0 PATH_INFO=/good "REQUEST_METHOD=${K64:0:60000}"
	$runner "method get (lower case)" 405 0 PATH_INFO=/good REQUEST_METHOD=get
	$runner "POST with a huge Content-Length" 405 0 PATH_INFO=/good REQUEST_METHOD=POST CONTENT_LENGTH=99999999999999999999
	$runner "POST with Content-Length -1" 405 0 PATH_INFO=/good REQUEST_METHOD=POST CONTENT_LENGTH=-1
	# the client's connection, looked up in the kernel by these (lib/peer.c)
	$runner "REMOTE_ADDR with CRLF, ports out of range" 200 0 PATH_INFO=/good "REMOTE_ADDR=127.0.0.1$INJ" \
		REMOTE_PORT=99999999999 "SERVER_ADDR=::1$INJ" SERVER_PORT=-1
	$runner "REMOTE_ADDR 60,000 bytes" 200 0 PATH_INFO=/good "REMOTE_ADDR=${K64:0:60000}" REMOTE_PORT=40000 \
		SERVER_ADDR=127.0.0.1 SERVER_PORT=80
	$runner "REMOTE_* of no connection (never seen: not gone)" 200 0 PATH_INFO=/good REMOTE_ADDR=127.0.0.1 \
		REMOTE_PORT=1 SERVER_ADDR=127.0.0.1 SERVER_PORT=1
	$runner "REMOTE_ADDR IPv6 with a zone, v4-mapped SERVER_ADDR" 200 0 PATH_INFO=/good "REMOTE_ADDR=fe80::1%eth0" \
		REMOTE_PORT=40000 SERVER_ADDR=::ffff:127.0.0.1 SERVER_PORT=80
	# the probe echoes Accept-Encoding in a comment; NPH heads
	$runner "?probe, Accept-Encoding with CRLF" 200 0 QUERY_STRING=probe "HTTP_ACCEPT_ENCODING=gzip$INJ"
	$runner "?probe, Accept-Encoding 60,000 bytes" 200 0 QUERY_STRING=probe "HTTP_ACCEPT_ENCODING=${K64:0:60000}"
	$runner "nph- name, SERVER_PROTOCOL with CRLF" 200 0 PATH_INFO=/good SCRIPT_FILENAME=/w/nph-sse.cgi \
		"SERVER_PROTOCOL=HTTP/1.1$INJ"
	$runner "nph- name, unknown channel" $C404 0 PATH_INFO=/nope SCRIPT_FILENAME=/w/nph-sse.cgi
	$runner "SCRIPT_FILENAME 60,000 bytes ending nph-" 200 0 PATH_INFO=/good "SCRIPT_FILENAME=/${K64:0:60000}/nph-"
}
# the hub's rows (issue 12): hub_rows, its live subscribers, a stalled body
. "$TOP/test/harden/hostile-hub.bash"
cgi_row_between() { cgi_row "$@"; between "sse.cgi $1"; }
cgi_rows cgi_row_between
# randomized variants (--long): names and header values of random bytes
random_rows() {
	local runner=$1 i name id
	for ((i = 0; i < RANDOM_ROWS; i++)); do
		name=$(head -c $((RANDOM % 80 + 1)) /dev/urandom | tr -d '\0' | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
		id=$(head -c $((RANDOM % 40 + 1)) /dev/urandom | tr -d '\0')
		# a random name is a channel only in the rare case it is valid and exists: 400 or 404
		$runner "random name $i" '400|404' 0 "PATH_INFO=/$name"
		$runner "random Last-Event-ID $i" '400|200' 0 PATH_INFO=/good "HTTP_LAST_EVENT_ID=$id"
	done
}
random_rows cgi_row_between
echo "== $SECONDS s: sse.cgi, the hub"
hub_live_cgi "$W/hlive"
stall_start
HUB_RUNNER=cgi_row hub_rows
stall_check
expect_hub "$W/hlive" "sse.cgi, the hub"
[ ! -s "$W/hlive.err" ] || bad "the parallel hub subscriber wrote to stderr: $(head -n 3 "$W/hlive.err")"
kill -TERM "$HUB_LIVE"
expect_all "$W/live" "sse.cgi"
[ ! -s "$W/live.err" ] || bad "the parallel sse.cgi stream wrote to stderr: $(head -n 3 "$W/live.err")"
kill -TERM "$LIVE_CGI"

# --- 2. sse-fcgi directly ------------------------------------------------------------

echo "== $SECONDS s: sse-fcgi"
SOCK=$W/fcgi.sock
"$FCGI" --listen "unix:$SOCK" --spool "$SP" --workers 2 2>>"$W/pool.err" &
POOL=$!
PIDS+=($POOL)
wait_for "[ -S '$SOCK' ]" 100 0.05 || bad "sse-fcgi did not start: $(cat "$W/pool.err")"
# fcgi_row NAME WANT ERR_LINES [NAME=VALUE...]: one request; a 200 is
# ended by the client (until_comment).
fcgi_row() {
	local name=$1 want=$2 lines=$3 rc=0 e0

	shift 3
	e0=$(stat -c %s "$W/pool.err")
	# the first of two parameters of a name counts: the row's, then GET
	rm -f "$W/out"
	# ROW_BODY: the request body; ROW_BODY_PART: only so many bytes of it sent
	"$FC" -t 10 ${ROW_BODY:+-b "$ROW_BODY"} ${ROW_BODY_PART:+-B "$ROW_BODY_PART"} "unix:$SOCK" "$@" \
		REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 >"$W/out" &
	local pid=$!
	# A stream the worker must drop sends its head and first comment
	# before it meets what ends it: wait for the drop, not the comment
	# (a slow build lost that race).
	[ "$want" = drop ] && wait_for "! pid_alive $pid" 250 0.02 2>/dev/null
	until_comment "$pid" "$W/out" "$FC"
	[ "$rc" = 143 ] && rc=0 # a stream the client left
	tail -c +$((e0 + 1)) "$W/pool.err" >"$W/err"
	if ! [[ $rc =~ ^(0|4)$ ]]; then
		tried=$((tried + 1))
		if [ "$rc" = 3 ] && [ "$want" = drop ]; then
			refused=$((refused + 1)) # the connection dropped, as the row expects
			return
		fi
		bad "sse-fcgi $name: fcgiclient exit status $rc (3: closed without END_REQUEST)"
		return
	fi
	head_ok "$W/out" || bad "sse-fcgi $name: a malformed head: $(head -c 300 "$W/out" | cat -v)"
	judge "sse-fcgi $name" "$want" "$(status_line "$W/out")" "$W/out" "$W/err" "$lines"
}
fcgi_row_between() { fcgi_row "$@"; between "sse-fcgi $1"; }
: >"$W/flive"
"$FC" -t 600 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/good HTTP_LAST_EVENT_ID=0 >"$W/flive" &
PIDS+=($!)
FLIVE=$!
wait_for "grep -q '^: ' '$W/flive'" 100 0.05 || bad "the parallel sse-fcgi stream did not start"
workers0=$(pgrep -P "$POOL" | sort | tr '\n' ' ')
cgi_rows fcgi_row_between
random_rows fcgi_row_between
echo "== $SECONDS s: sse-fcgi, the hub"
hub_live_fcgi "$W/fhlive"
HUB_RUNNER=fcgi_row hub_rows
# a client that stalls mid-body: the worker's read is bounded
HUB_RUNNER=fcgi_row ROW_BODY_PART=10 hub_row "a body that stalls" 400 0 "topic=t&data=stalled&id=forged" -- \
	"HTTP_AUTHORIZATION=Bearer $HUB_PUB"
expect_hub "$W/fhlive" "sse-fcgi, the hub"
kill -TERM "$HUB_LIVE" 2>/dev/null
expect_all "$W/flive" "sse-fcgi"
[ "$(pgrep -P "$POOL" | sort | tr '\n' ' ')" = "$workers0" ] || bad "sse-fcgi's workers changed (one died?): $workers0 -> $(pgrep -P "$POOL" | tr '\n' ' ')"
kill -TERM "$FLIVE" 2>/dev/null
if grep -E -q 'AddressSanitizer|LeakSanitizer|runtime error:' "$W/pool.err"; then
	bad "sanitizer report from sse-fcgi:"
	head -n 20 "$W/pool.err" >&2
fi

# --- 3. sse-publish -------------------------------------------------------------------

echo "== $SECONDS s: sse-publish"
# pub_row NAME WANT_RC ERR_REGEX STDIN [ARGS...]: exit status WANT_RC; with
# an error, exactly one stderr line matching ERR_REGEX; the spool's channels
# unchanged unless it published into good.
pub_row() {
	local name=$1 want=$2 re=$3 in=$4 rc=0 before

	shift 4
	tried=$((tried + 1))
	before=$(ls -A "$SP" | tr '\n' ' ')
	timeout 20 "$PUB" --spool "$SP" "$@" <"$in" >"$W/out" 2>"$W/err" || rc=$?
	if injected_in "$W/out" || injected_in "$W/err"; then
		injected=$((injected + 1))
		bad "sse-publish $name: hostile input in its output"
	fi
	[ "$rc" = "$want" ] || { bad "sse-publish $name: exit status $rc, expected $want: $(head -n 2 "$W/err")"; return; }
	if [ "$re" != - ]; then
		[ "$(wc -l <"$W/err")" = 1 ] && grep -E -q -e "^sse-publish: .*($re)" "$W/err" ||
			{ bad "sse-publish $name: expected one line matching '$re' on stderr, got: $(head -n 3 "$W/err")"; return; }
	fi
	[ "$(ls -A "$SP" | tr '\n' ' ')" = "$before" ] || { bad "sse-publish $name: the spool changed: $before -> $(ls -A "$SP" | tr '\n' ' ')"; return; }
	if [ "$rc" = 0 ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
}
: >"$W/empty"
printf 'x' >"$W/x"
for name in .. . %2e%2e .x ../good good/.. a/b /good 'good ' $'good\n' $'go\rod' 'caf\xc3\xa9' '*' "$(big 65)" \
	"$(big 4096)" good%00 "$INJ"; do
	pub_row "channel '$(printf '%.20s' "$name" | cat -v)'" 2 'channel name' "$W/x" "$name"
	pub_row "--create '$(printf '%.20s' "$name" | cat -v)'" 2 'channel name' "$W/empty" --create "$name"
done
pub_row "channel ''" 2 'empty channel name' "$W/x" ''
pub_row "--event with LF" 2 '--event' "$W/x" --event $'a\nb' good
pub_row "--event with CR" 2 '--event' "$W/x" --event $'a\rInjected: yes' good
pub_row "--event with CRLF and id" 2 '--event' "$W/x" --event $'x\r\nid: 6666666666' good
pub_row "--event of 70,000 bytes" 2 'SSE_MAX_EVENT' "$W/x" --event "$(big 70000)" good
pub_row "data larger than SSE_MAX_EVENT" 2 'SSE_MAX_EVENT' "$W/x" good "$(big 70000)"
SSE_MAX_EVENT=abc pub_row "SSE_MAX_EVENT=abc" 2 'SSE_MAX_EVENT' "$W/x" good x
pub_row "--history 0" 2 '--history' "$W/empty" --create --history 0 newch
pub_row "--history 99999999999999999999" 2 '--history' "$W/empty" --create --history 99999999999999999999 newch
pub_row "--history -1" 2 '--history' "$W/empty" --create --history -1 newch
pub_row "--spool whose parent is missing" 1 "$W/nothere" "$W/x" --spool "$W/nothere/missing" good
# a missing spool is made by --create only (README step 1), never by a publish
pub_row "--spool missing" 1 "$W/missing" "$W/x" --spool "$W/missing" good
pub_row "--spool missing, --create" 0 - "$W/empty" --spool "$W/missing" --create good
[ -d "$W/missing/good" ] || bad "sse-publish --spool missing --create: the spool was not made"
pub_row "--spool a file" 1 "$W/x" "$W/x" --spool "$W/x" good
pub_row "--unknown option" 2 'unknown|usage' "$W/x" --bogus good
# The ones that publish into good: their events must stay what was meant.
printf 'x\nid: 6666666666\nevent: injected\r\nInjected: yes\rdata: y' >"$W/data"
N0=$N_GOOD
pub_row "data with id:/event: lines, CR, LF" 0 - "$W/data" good
N_GOOD=$((N_GOOD + 1))
pub_row "--event of 1,000 bytes" 0 - "$W/x" --event "$(big 1000 e)" good
N_GOOD=$((N_GOOD + 1))
printf '\xef\xbb\xbfid: 6666666666\nevent: a\rInjected: yes\r\ndata: one\n\nretry: 1\r\nInjected: yes\ndata: two\0zero\n\ndata: three\n\n' >"$W/raw"
pub_row "--raw with id:, CR, NUL, a BOM" 0 - "$W/raw" --raw good
N_GOOD=$((N_GOOD + 3))
{ printf 'data: before\n\ndata: '; big 70000; printf '\n\ndata: after\n\n'; } >"$W/raw2"
pub_row "--raw: an oversized event between two good ones" 2 'SSE_MAX_EVENT' "$W/raw2" --raw good
N_GOOD=$((N_GOOD + 2))
[ "$(cat "$W/out" | wc -l)" = 2 ] || bad "sse-publish --raw with an oversized event: $(wc -l <"$W/out") ids printed, expected 2"
big 3000000 >"$W/raw3"
pub_row "--raw: 3 MB without a newline" 2 'SSE_MAX_EVENT' "$W/raw3" --raw good
printf '\n\ndata: tail\n\n' >>"$W/raw3"
pub_row "--raw: 3 MB without a newline, then an event" 2 'SSE_MAX_EVENT' "$W/raw3" --raw good
N_GOOD=$((N_GOOD + 1))
# what a reader gets of them: exactly the events meant, no line of hostile input
cgi_row "replay of the sse-publish events" 200 0 PATH_INFO=/good HTTP_LAST_EVENT_ID="$N0"
sed -n '/^: sse-cgi/,$p' "$W/out" >"$W/replay"
events_of "$W/replay" | cut -d' ' -f2- >"$W/replay.got"
{
	printf '%s\n' 'message x\nid: 6666666666\nevent: injected\nInjected: yes\ndata: y' "$(big 1000 e) x" \
		'a Injected: yes\none' 'message Injected: yes\ntwo@zero' 'message three' 'message before' 'message after' 'message tail'
} >"$W/replay.want"
diff "$W/replay.want" "$W/replay.got" >&2 || { lost=$((lost + 1)); bad "the events of sse-publish did not arrive as meant"; }
for f in $W/replay; do injected_in "$f" && { injected=$((injected + 1)); bad "hostile input in the replay"; }; done

# --- 4. links and odd files planted in the spool -------------------------------------------

echo "== $SECONDS s: the spool"
SP2=$W/spool2 OUT=$W/outside
mkdir -p "$SP2" "$OUT"
SP=$SP2
# real things to point at, outside the spool: a channel, its log, files
pub --create good
pub good "published before" >/dev/null
"$PUB" --spool "$OUT" --create chan
"$PUB" --spool "$OUT" chan "outside event" >/dev/null
cp -a "$OUT/chan/log" "$OUT/log"
cp -a "$OUT/chan/log/index" "$OUT/index"
cp -a "$OUT/chan/log/hwm" "$OUT/hwm"
cp -a "$OUT/chan/log/seg-00000000000000000000" "$OUT/seg"
printf 'data: outside secret\n' >"$OUT/file"
chmod 600 "$OUT/file"
mkdir "$OUT/in"
printf 'data: outside drop-box file\n' >"$OUT/in/x"
# what is there (names, types, modes, sizes, times, contents); any open or
# read while the programs run is seen by the watcher below
snapshot() { (cd "$OUT" && find . -printf '%p %y %m %s %T@ %C@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snapshot >"$W/outside.before"
# every access to anything outside, while the programs meet the links
python3 - "$OUT" "$W/outside.events" <<'PYEOF' &
import ctypes, os, select, signal, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
mask = 0x00000fff  # access, modify, attrib, close, open, moves, create, delete
for d, subs, files in os.walk(sys.argv[1]):
    libc.inotify_add_watch(fd, d.encode(), mask)
    for f in files:
        libc.inotify_add_watch(fd, os.path.join(d, f).encode(), mask)
# the walk itself opened the directories: not counted
select.select([fd], [], [], 0.2)
try:
    os.read(fd, 1 << 20)
except BlockingIOError:
    pass
out = open(sys.argv[2], "w")
open(sys.argv[2] + ".ready", "w").close()
import select
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    select.select([fd], [], [], 1)
    try:
        b = os.read(fd, 65536)
    except BlockingIOError:
        continue
    i = 0
    while i < len(b):
        wd, m, ck, ln = struct.unpack_from("iIII", b, i)
        name = b[i + 16:i + 16 + ln].rstrip(b"\0").decode(errors="replace")
        out.write("wd %d mask %#x %s\n" % (wd, m, name))
        out.flush()
        i += 16 + ln
PYEOF
WATCH=$!
PIDS+=($WATCH)
wait_for "[ -e '$W/outside.events.ready' ]" 100 0.05 || bad "the inotify watcher did not start"

# plant NAME: a fresh channel pNAME with one event, then the link
plant() {
	local c=p$1 l=$SP/p$1/$2

	pub --create "$c"
	pub "$c" "in $c" >/dev/null
	if [ -d "$l" ] && [ ! -L "$l" ]; then rm -rf "$l"; else rm -f "$l"; fi
	ln -s "$3" "$l"
}
ln -s "$OUT/chan" "$SP/pchan"
plant log log "$OUT/log"
plant index log/index "$OUT/index"
plant seg log/seg-00000000000000000000 "$OUT/seg"
# ids are reserved ahead at the first event: the link before it
pub --create phwm && rm "$SP/phwm/log/hwm" && ln -s "$OUT/hwm" "$SP/phwm/log/hwm"
plant fifo fifo "$OUT/file"
plant lock drain.lock "$OUT/newlock"
plant owner drain.owner "$OUT/file"
plant incoming incoming "$OUT/in"
plant carry fifo.carry "$OUT/file"

N_GOOD=1
live_cgi
wait_for "grep -q '^: ' '$W/live'" 100 0.05 || bad "the parallel sse.cgi stream of the second spool did not start"

# spool_row NAME CHANNEL LINK PUB_RC CGI_STATUS FCGI_STATUS: the three
# programs meet the link; each refusal comes with a line naming it.
spool_row() {
	local name=$1 c=$2 link=$SP/$3 e0

	# sse-publish: one event
	tried=$((tried + 1))
	rc=0
	"$PUB" --spool "$SP" "$c" "into $c" >"$W/out" 2>"$W/err" || rc=$?
	if [ "$rc" != "$4" ]; then
		bad "spool $name: sse-publish exit status $rc, expected $4: $(head -n 2 "$W/err")"
	elif [ "$rc" != 0 ] && ! { [ "$(wc -l <"$W/err")" = 1 ] && grep -q -F "refused '$link'" "$W/err"; }; then
		bad "spool $name: sse-publish did not say \"refused '$link'\" in one line: $(head -n 3 "$W/err")"
	elif [ "$rc" = 0 ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
	# sse.cgi: a resume from 0; a refusal is one line in the error log
	CGI_RC=1 cgi_row "spool $name" "$5" - PATH_INFO="/$c" HTTP_LAST_EVENT_ID=0
	[ "$6" = 200 ] && [ "$5" = 200 ] || ! grep -q -F "refused '$link'" "$W/err" ||
		[ "$(grep -c . "$W/err")" = 1 ] || bad "spool $name: sse.cgi's error log: $(head -n 3 "$W/err")"
	if [ -n "$7" ] && ! grep -q -F "$7 '$link'" "$W/err"; then
		bad "spool $name: sse.cgi did not say \"$7 '$link'\": $(head -n 3 "$W/err")"
	fi
	# sse-fcgi, with this spool as the request's setting
	fcgi_row "spool $name" "$6" - SSE_SPOOL_DIR="$SP" PATH_INFO="/$c" HTTP_LAST_EVENT_ID=0
	if [ -n "$7" ] && ! grep -q -F "$7 '$link'" "$W/err"; then
		bad "spool $name: sse-fcgi did not say \"$7 '$link'\": $(head -n 3 "$W/err")"
	fi
	between "spool $name"
}
#         name        channel    link                          pub cgi fcgi say
spool_row channel     pchan      pchan                         1   500 500  refused
spool_row log/        plog       plog/log                      1   500 500  refused
spool_row log/index   pindex     pindex/log/index              1   500 500  refused
# a reader that meets it ends the stream (sse-fcgi: drops the connection)
spool_row log/seg-0   pseg       pseg/log/seg-00000000000000000000 1 200 drop ''
spool_row log/hwm     phwm       phwm/log/hwm                  1   200 200  ''
# the intake refuses: sse.cgi ends the stream it began, sse-fcgi answers 500
spool_row fifo        pfifo      pfifo/fifo                    0   200 500  refused
spool_row drain.lock  plock      plock/drain.lock              0   200 500  refused
spool_row drain.owner powner     powner/drain.owner            0   200 500  refused
spool_row incoming/   pincoming  pincoming/incoming            0   200 500  refused
spool_row fifo.carry  pcarry     pcarry/fifo.carry             0   200 200  ''

# The drop-box: regular files around a device node, a fifo, a directory,
# links (to /dev/null, outside) and a file larger than SSE_MAX_EVENT.
pub --create box
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/box \
	SSE_SPOOL_DIR="$SP" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} "$CGI" >"$W/box" 2>"$W/box.err" &
BOX=$!
PIDS+=($BOX)
wait_for "ls -l /proc/$BOX/fd 2>/dev/null | grep -q 'box/drain.owner$'" 100 0.05 || bad "the drop-box stream did not take the intake"
IN=$SP/box/incoming
printf 'data: first\n' >"$IN/.f1" && mv "$IN/.f1" "$IN/f1"
BAD_ENTRIES="fifo dir null outside big huge"
mkfifo "$IN/fifo"
mkdir "$IN/dir"
ln -s /dev/null "$IN/null"
ln -s "$OUT/file" "$IN/outside"
# refused by the parser (the file is taken), and moved aside unread
big 100000 >"$IN/.big" && mv "$IN/.big" "$IN/big"
big 400000 >"$IN/.huge" && mv "$IN/.huge" "$IN/huge"
if mknod "$IN/dev" c 1 3 2>/dev/null; then
	BAD_ENTRIES="$BAD_ENTRIES dev"
elif [ "$(id -u)" = 0 ]; then
	bad "mknod failed as root"
else
	echo "hostile: not root: no device node in the drop-box (mknod needs root)" >&2
fi
printf 'data: last\n' >"$IN/f2"
wait_for "grep -q '^data: last' '$W/box'" 200 0.05 || bad "the drop-box's last file was not published"
for e in $BAD_ENTRIES; do
	tried=$((tried + 1))
	if wait_for "grep -q -F \"incoming/$e' refused\" '$W/box.err'" 40 0.05 2>/dev/null &&
		{ [ -e "$IN/.rejected-$e" ] || [ -L "$IN/.rejected-$e" ] || [ "$e" = big ]; }; then
		refused=$((refused + 1))
	else
		bad "drop-box entry '$e' was not refused and moved aside: $(ls -A "$IN" | tr '\n' ' '); $(cat "$W/box.err")"
	fi
done
tried=$((tried + 2))
sed -n '/^: sse-cgi/,$p' "$W/box" >"$W/box.body"
if [ "$(events_of "$W/box.body" | awk '$1 != "-"' | cut -d' ' -f2- | tr '\n' '|')" = "message first|message last|" ]; then
	ok=$((ok + 2))
else
	lost=$((lost + 1))
	bad "the drop-box's regular files: $(events_of "$W/box.body" | tr '\n' '|')"
fi
[ "$(ls "$IN" | wc -l)" = 0 ] || bad "the drop-box keeps visible entries: $(ls "$IN" | tr '\n' ' ')"
[ "$(grep -c -v 'refused' "$W/box.err")" = 0 ] || bad "the drop-box stream said more than refusals: $(cat "$W/box.err")"
kill -TERM "$BOX"

between "the drop-box"
expect_all "$W/live" "sse.cgi beside the planted links"
kill -TERM "$LIVE_CGI"
kill -TERM "$WATCH"
wait "$WATCH" 2>/dev/null
tried=$((tried + 1))
if [ -s "$W/outside.events" ] || ! snapshot | diff "$W/outside.before" - >&2; then
	bad "something outside the spool was opened, read or changed through a link:"
	head -n 20 "$W/outside.events" >&2
else
	refused=$((refused + 1))
fi

# --- 5. behind real servers -----------------------------------------------------------------

# raw_req NAME WANT: the request in $T/req, sent as raw bytes; the raw
# answer in $T/out (a stream: until its first comment).
raw_req() {
	local name=$1 want=$2

	rm -f "$T/out"
	exec 3<>"/dev/tcp/127.0.0.1/$SRV_PORT"
	{ cat "$T/req" >&3; } 2>/dev/null # the server may refuse before it read it all
	cat <&3 >"$T/out" &
	until_comment $! "$T/out" "$(readlink -f "$(command -v cat)")"
	exec 3<&-
	: >"$T/err"
	# the HTTP head: a status line, then "Name: value" lines
	tail -n +2 "$T/out" >"$T/out.h"
	head_ok "$T/out.h" || bad "$SSE_SERVER $name: a malformed head: $(head -c 300 "$T/out" | cat -v)"
	judge "$SSE_SERVER $name" "$want" "$(status_line "$T/out")" "$T/out" "$T/err" -
	if [ "$(status_line "$T/out")" = 200 ] && ! grep -a -q -i '^content-type: text/event-stream' "$T/out"; then
		bad "$SSE_SERVER $name: a 200 that is not an event stream"
	fi
	between "$SSE_SERVER $name"
}

# req METHOD PATH [HEADER...]: writes $T/req
req() {
	local m=$1 p=$2 h

	shift 2
	{
		printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' "$m" "$p"
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf '\r\n'
	} >"$T/req"
}

server_rows() {
	# 403: the server resolved the dots to its document root, which it lists not
	local u=$SSE_URL R='400|403|404|413|414|431'

	req GET "$u/good" 'Last-Event-ID: 0'; raw_req "a good request" 200
	req GET "$u/good" "Last-Event-ID: $D64"; raw_req "Last-Event-ID of 64 KiB" "$R"
	req GET "$u/good" "Origin: https://$K64"; raw_req "Origin of 64 KiB" "$R"
	req GET "$u/good" "Cookie: a=$K64"; raw_req "Cookie of 64 KiB" "$R"
	req GET "$u/good" $(for i in $(seq 500); do echo "X-H$i:$(big 100)"; done); raw_req "500 headers of 100 bytes" "$R|200"
	req GET "$u?channel=good&x=$K64"; raw_req "query string of 64 KiB" "$R|200"
	req GET "$u?channel=good&x=$(big 1048576)"; raw_req "query string of 1 MiB" "$R"
	req GET "$u/good?x=$(big 4000)"; raw_req "query string of 4 KB" 200
	req GET "$u/%2e%2e"; raw_req "/%2e%2e" "$R"
	req GET "$u/%2e%2e/%2e%2e/etc/passwd"; raw_req "/%2e%2e/%2e%2e/etc/passwd" "$R"
	req GET "$u/..%2f..%2fetc%2fpasswd"; raw_req "/..%2f..%2fetc%2fpasswd" "$R"
	req GET "$u?channel=..%2f..%2fetc%2fpasswd"; raw_req "?channel=..%2f..%2fetc%2fpasswd" "$R"
	req GET "$u/good%00"; raw_req "/good%00" "$R"
	req GET "$u/good%0d%0aInjected:%20yes"; raw_req "/good%0d%0aInjected" "$R"
	req GET "$u?channel=good%0d%0aInjected:%20yes"; raw_req "?channel=good%0d%0aInjected" "$R"
	req GET "$u/good" 'Origin: https://a.example' ' Injected: yes'; raw_req "obs-fold after Origin" "$R|200"
	req GET "$u/good" $'Last-Event-ID: 1\rInjected: yes'; raw_req "bare CR in Last-Event-ID" "$R|200"
	req GET "$u/good" $'Origin: https://a.example\rInjected: yes'; raw_req "bare CR in Origin" "$R|200"
	req GET "$u/good" 'Last-Event-ID: 1%0d%0aInjected: yes'; raw_req "encoded CRLF in Last-Event-ID" "$R"
	req OPTIONS "$u/good" $'Origin: https://a.example\rInjected: yes' 'Access-Control-Request-Method: GET'; raw_req "preflight, bare CR in Origin" "$R|204|200"
	req $'GET\r\nInjected: yes' "$u/good"; raw_req "CRLF in the method" "$R|405|501"
}

for SSE_SERVER in lighttpd-cgi nginx-fcgi; do
	echo "== $SSE_SERVER"
	case $SSE_SERVER in *-fcgi) SSE_URL=/sse ;; *) SSE_URL=/sse.cgi ;; esac
	srv_setup_file || { bad "$SSE_SERVER: no setup"; continue; }
	T=$WORK/$SSE_SERVER
	mkdir -p "$T"
	: >"$T/clients"
	SP=$SPOOL
	use_server SSE_CORS_ORIGINS=https://a.example SSE_HEARTBEAT=1 "SSE_JWT_KEY=$HUB_KEY" \
		SSE_PUBLISH_ORIGINS=https://a.example || { bad "$SSE_SERVER did not start"; srv_teardown_file; continue; }
	SRV_PID=$(<"$SRV_DIR/server.pid")
	pub --create good
	N_GOOD=0
	sse_open live "$SSE_URL/good" -H 'Last-Event-ID: 0'
	PIDS+=($(<"$T/live.pid"))
	sse_ready live || bad "$SSE_SERVER: the parallel stream did not start"
	server_rows
	hub_server_rows
	between "$SSE_SERVER, at the end"
	expect_all "$T/live.body" "$SSE_SERVER"
	pid_alive "$SRV_PID" || bad "$SSE_SERVER died"
	req GET "$SSE_URL/good" 'Last-Event-ID: 0'; raw_req "a good request, at the end" 200
	sse_close live
	sanitizer_check 0 || bad "$SSE_SERVER: a sanitizer report"
	srv_teardown_file >/dev/null 3>&1 || bad "$SSE_SERVER: did not stop cleanly"
	SRV_DIR=
done

# --- 6. file modes ------------------------------------------------------------------------------

echo "== $SECONDS s: modes"
# modes_run UMASK: every program creates what it creates in a fresh spool
# under that umask; nothing may come out world-writable.
modes_run() {
	local m=$WORK/modes-$1 pid fpid

	mkdir -p "$m"
	(
		umask "$1"
		SP=$m/spool
		install -d -m 2775 "$SP"
		pub --create --history 2 ch &&
			pub ch one >/dev/null &&
			for i in $(seq 70); do printf 'data: %d\n\n' "$i"; done | pub --raw ch >/dev/null || exit 1
		# a stream that holds the intake: the drop-box, an incomplete
		# fifo event handed on in fifo.carry at its end, .streams
		env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch \
			SSE_SPOOL_DIR="$SP" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} "$CGI" >"$m/out" 2>"$m/err" &
		pid=$!
		wait_for "ls -l /proc/$pid/fd 2>/dev/null | grep -q 'ch/drain.owner$'" 100 0.05 || exit 1
		printf 'data: dropped\n' >"$SP/ch/incoming/.d" && chmod 644 "$SP/ch/incoming/.d" &&
			mv "$SP/ch/incoming/.d" "$SP/ch/incoming/d"
		(umask 077 && mkfifo "$SP/ch/incoming/refused")
		exec 7>"$SP/ch/fifo"
		printf 'data: half' >&7
		wait_for "grep -q '^data: dropped' '$m/out'" 100 0.05 || exit 1
		sleep 0.2
		kill -TERM "$pid"
		wait "$pid"
		exec 7>&-
		[ -e "$SP/ch/fifo.carry" ] || { echo "no fifo.carry" >&2; exit 1; }
		# sse-fcgi: its socket, and a stream that takes over the intake
		"$FCGI" --listen "unix:$m/fcgi.sock" --spool "$SP" --workers 1 2>>"$m/err" &
		fpid=$!
		wait_for "[ -S '$m/fcgi.sock' ]" 100 0.05 || exit 1
		find "$m/fcgi.sock" -perm -0002 >"$m/ww"
		timeout 5 "$FC" -t 1 "unix:$m/fcgi.sock" REQUEST_METHOD=GET PATH_INFO=/ch HTTP_LAST_EVENT_ID=0 >"$m/fout"
		kill -TERM "$fpid"
		wait "$fpid"
		grep -q '^data: half' "$m/fout" || { echo "the carried event did not arrive" >&2; exit 1; }
	) || bad "modes under umask $1: the programs failed: $(cat "$m/err" 2>/dev/null | head -n 3)"
	tried=$((tried + 1))
	find "$m/spool" -perm -0002 ! -type l >>"$m/ww"
	if [ -s "$m/ww" ]; then
		ww=$((ww + $(wc -l <"$m/ww")))
		bad "world-writable under umask $1: $(xargs ls -ld <"$m/ww")"
	else
		ok=$((ok + 1))
	fi
	[ "$(find "$m/spool" -newer "$m/spool" | wc -l)" -gt 5 ] || bad "modes under umask $1: the programs created almost nothing"
}
modes_run 000
modes_run 022

h_result hostile inputs=$tried refused=$refused ok=$ok lost=$lost injected=$injected world_writable=$ww
if [ "$BAD" != 0 ] || [ $((refused + ok)) != "$tried" ]; then
	echo "hostile: $BAD failures; $tried inputs, $refused refused and $ok served as expected" >&2
	exit 1
fi
exit 0
