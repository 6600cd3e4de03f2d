#!/usr/bin/env bats
# Topics and the private flag from every producer (SPEC "Topics on events",
# "Input framing"): sse-publish --topic/--private/--id, --raw, the fifo, the
# drop-box and the C library. What a Mercure hub stream (SSE_HUB) and a plain
# stream of the same channel then send, read through sse.cgi run directly
# with a CGI environment and SSE_MAX_LIFETIME=1 (no web server).

bats_require_minimum_version 1.5.0

load events

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	PUB=$B/sse-publish
	CGI=$B/sse.cgi
	LIB=$B/test/libtopics
	[ -x "$PUB" ] && [ -x "$CGI" ] && [ -x "$LIB" ] || {
		echo "no $PUB, $CGI or $LIB: run make O=${SSE_BUILD:-build} tests first" >&2
		return 1
	}
	SP=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SP"
	unset SSE_SPOOL_DIR SSE_MAX_EVENT SSE_HISTORY SSE_SYNC SSE_HUB SSE_JWT_KEY SSE_ANONYMOUS
	"$PUB" --spool "$SP" --create hub
	pids=()
}

teardown() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null; done
	return 0
}

pub() { "$PUB" --spool "$SP" "$@"; }

# token TOPIC-SELECTOR...: an HS256 JWT signed with "sekrit" whose
# mercure.subscribe claim lists the selectors.
token() {
	python3 - "$@" <<-'EOF'
		import base64, hashlib, hmac, json, sys
		def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
		head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
		claims = b64(json.dumps({"mercure": {"subscribe": sys.argv[1:]}}).encode())
		sig = hmac.new(b"sekrit", (head + "." + claims).encode(), hashlib.sha256).digest()
		print(head + "." + claims + "." + b64(sig))
	EOF
}

# run_cgi NAME VAR=value...: sse.cgi once (at most 10 s), its body (head
# removed) in $BATS_TEST_TMPDIR/NAME; fails on an exit status or stderr.
run_cgi() {
	local out=$BATS_TEST_TMPDIR/$1 rc=0

	shift
	timeout 10 env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SSE_SPOOL_DIR="$SP" \
		SSE_MAX_LIFETIME=1 "$@" "$CGI" > "$out.raw" 2> "$out.err" || rc=$?
	[ "$rc" = 0 ] || { echo "sse.cgi exit status $rc:" >&2; cat "$out.err" >&2; return 1; }
	[ -s "$out.err" ] && { echo "sse.cgi wrote to stderr:" >&2; cat "$out.err" >&2; return 1; }
	sed -e '1,/^\r$/d' "$out.raw" > "$out"
}

# hub QUERY [TOKEN]: a hub subscriber's replay of the whole history (an
# anonymous one without TOKEN) into $BATS_TEST_TMPDIR/hub.
hub() {
	local auth=()

	[ $# -lt 2 ] || auth=(HTTP_AUTHORIZATION="Bearer $2")
	run_cgi hub SSE_HUB=hub SSE_ANONYMOUS=1 SSE_JWT_KEY=sekrit \
		QUERY_STRING="$1&lastEventID=earliest" "${auth[@]}"
}

# plain: the channel's own stream (not a hub URL), everything retained.
plain() { run_cgi plain QUERY_STRING="channel=hub&lastEventId=0"; }

# expect_hub LINES...: the hub replay's events as "EVENT DATA" (hub ids are
# generated UUIDs unless --id gave one: checked apart).
expect_hub() {
	events_of "$BATS_TEST_TMPDIR/hub" | cut -d' ' -f2- > "$BATS_TEST_TMPDIR/hub.got"
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$BATS_TEST_TMPDIR/hub.want"
	diff -u "$BATS_TEST_TMPDIR/hub.want" "$BATS_TEST_TMPDIR/hub.got" >&2 || {
		echo "hub events differ (- expected, + received); body:" >&2
		cat "$BATS_TEST_TMPDIR/hub" >&2
		return 1
	}
}

expect_plain() { expect_events_of "$BATS_TEST_TMPDIR/plain" "$@"; }

# The events every producer row publishes: public on two topics, private on
# one, private on another, public without topics (no selector matches no
# topic, as on the stable hub: only a plain stream sends that one).
T1=https://example.com/books/1
T2=https://example.com/authors/2
T3=https://example.com/secret

# start_holder: a plain stream of the channel, the fifo's and the
# drop-box's holder; output in $BATS_TEST_TMPDIR/live.out.
start_holder() {
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/hub SSE_SPOOL_DIR="$SP" \
		SSE_MAX_LIFETIME=20 "$CGI" > "$BATS_TEST_TMPDIR/live.out" 2> "$BATS_TEST_TMPDIR/live.err" &
	pids+=($!)
	holder_pid=$!
	wait_for "ls -l /proc/$holder_pid/fd 2> /dev/null | grep -q 'drain.owner\$'" 50 0.1
}

stop_holder() {
	kill -TERM "$holder_pid"
	wait "$holder_pid" || true
}

wait_for() {
	local i
	for ((i = 0; i < $2; i++)); do eval "$1" && return 0; sleep "$3"; done
	echo "gave up waiting for: $1" >&2
	return 1
}

# check_all: what the four events look like to each kind of subscriber.
check_all() {
	hub 'topic=*'
	expect_hub "message public two"
	hub "topic=$T2"
	expect_hub "message public two"
	hub 'topic=*' "$(token '*')"
	expect_hub "message public two" "message private one" "message private three"
	hub 'topic=*' "$(token "$T1")"
	expect_hub "message public two" "message private one"
	hub "topic=$T3" "$(token '*')"
	expect_hub "message private three"
	plain
	expect_plain "1 message public two" "4 message public none"
}

@test "sse-publish --topic/--private: hub subscribers get what their topics and token allow; a plain stream never a private event" {
	pub --topic "$T1" --topic "$T2" hub 'public two'
	pub --private --topic "$T1" hub 'private one'
	pub --topic "$T3" --private hub 'private three'
	pub hub 'public none'
	check_all
}

@test "sse-publish --raw: topic: (repeatable) and private lines; --topic for events without one, --private for all" {
	printf '%s\n' "topic: $T1" "topic:$T2" 'data: public two' '' "private" "topic: $T1" 'data: private one' '' \
		"private: no" "topic: $T3" 'data: private three' '' 'data: public none' '' | pub --raw hub
	check_all
	run --separate-stderr pub --raw --topic "$T3" hub <<< $'topic: t\ndata: own\n\ndata: default\n\n'
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	hub "topic=$T3"
	expect_hub "message default"
	run --separate-stderr pub --raw --private hub <<< $'topic: u\ndata: one\n\nprivate\ntopic: u\ndata: two\n\n'
	[ "$status" -eq 0 ]
	hub "topic=u"
	expect_hub
	hub "topic=u" "$(token u)"
	expect_hub "message one" "message two"
}

@test "sse-publish --id: the event's id on the hub; the plain stream keeps the log's id" {
	pub --id book-1 --topic "$T1" hub 'with id'
	pub --topic "$T1" hub 'without'
	hub 'topic=*'
	events_of "$BATS_TEST_TMPDIR/hub" > "$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got"
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/got")" = "book-1 message with id" ]
	[[ "$(sed -n 2p "$BATS_TEST_TMPDIR/got")" =~ ^urn:uuid:[0-9a-f-]{36}\ message\ without$ ]]
	plain
	expect_plain "1 message with id" "2 message without"
}

@test "sse-publish: a bad --topic or --id, or --id with --raw: exit 2, one line, nothing published" {
	for args in "--topic ''" "--topic $'a\tb'" "--topic $'a\nb'" "--id '#1'" "--id ''" "--id $'a\nb'" "--id $'a\tb'"; do
		eval "run --separate-stderr pub $args hub data"
		echo "$args: status=$status stderr=$stderr"
		[ "$status" -eq 2 ] && [ -z "$output" ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "sse-publish: --"* ]]
	done
	run --separate-stderr pub --raw --id x hub < /dev/null
	[ "$status" -eq 2 ] && [[ "$stderr" == *"--id"*"--raw"* ]]
	plain
	expect_plain
}

@test "sse-publish: topics count toward SSE_MAX_EVENT, with --raw too" {
	export SSE_MAX_EVENT=16
	run --separate-stderr pub --topic 0123456789 hub 'abcdef'
	[ "$status" -eq 0 ] && [ "$output" = 1 ]
	run --separate-stderr pub --topic 0123456789 hub 'abcdefg'
	[ "$status" -eq 2 ] && [[ "$stderr" == *"17 bytes refused"* ]]
	run --separate-stderr pub --raw hub <<< $'topic: 0123456789\ndata: abcdefg\n\ndata: ok\n\n'
	echo "$stderr"
	[ "$status" -eq 2 ] && [ "$output" = 2 ] && [[ "$stderr" == *"refused: larger than SSE_MAX_EVENT"* ]]
	# a --topic default that makes an event too big refuses that event only
	run --separate-stderr pub --raw --topic 0123456789 hub <<< $'data: abcdefg\n\ntopic: t\ndata: abcdefg\n\n'
	[ "$status" -eq 2 ] && [ "$output" = 3 ] && [[ "$stderr" == *"17 bytes refused"* ]]
}

@test "sse-publish --raw: an empty topic or 33 topics refuse that event with its reason, the others go" {
	{
		printf 'topic\ndata: empty\n\n'
		printf 'topic: a\x01b\ndata: control\n\n'
		for i in $(seq 33); do echo "topic: t$i"; done
		printf 'data: too many\n\ndata: fine\n\n'
	} > "$BATS_TEST_TMPDIR/in"
	run --separate-stderr pub --raw hub < "$BATS_TEST_TMPDIR/in"
	echo "status=$status output=$output stderr=$stderr"
	[ "$status" -eq 2 ] && [ "$output" = 1 ]
	[ "$(printf '%s\n' "$stderr" | sed -n 1p)" = "sse-publish: event refused: an empty topic" ]
	[ "$(printf '%s\n' "$stderr" | sed -n 2p)" = "sse-publish: event refused: a topic holding a control character" ]
	[ "$(printf '%s\n' "$stderr" | sed -n 3p)" = "sse-publish: event refused: more than 32 topics" ]
	plain
	expect_plain "1 message fine"
}

@test "fifo: topic: and private lines; a refused event is one line in the log and the next arrives" {
	start_holder
	{
		printf '%s\n' "topic: $T1" "topic: $T2" 'data: public two' ''
		printf '%s\r\n' "private" "topic: $T1" 'data: private one' ''
		printf '%s\n' "topic: $T3" 'private:' 'data: private three' ''
		printf '%s\n' 'topic:' 'data: empty topic' ''
		printf '%s\n' 'data: public none' ''
	} > "$SP/hub/fifo"
	wait_for "grep -q 'public none' '$BATS_TEST_TMPDIR/live.out'" 50 0.1
	stop_holder
	# the live plain stream skipped the private events as they came
	sed -e '1,/^\r$/d' "$BATS_TEST_TMPDIR/live.out" > "$BATS_TEST_TMPDIR/live.body"
	events_of "$BATS_TEST_TMPDIR/live.body" > "$BATS_TEST_TMPDIR/live.got"
	diff -u <(printf '%s\n' "1 message public two" "4 message public none") "$BATS_TEST_TMPDIR/live.got"
	grep -q "refused: an empty topic" "$BATS_TEST_TMPDIR/live.err"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/live.err")" -eq 1 ]
	check_all
}

@test "drop-box: a file's topic: and private lines" {
	start_holder
	n=0
	for ev in "topic: $T1\ntopic: $T2\ndata: public two\n" "private\ntopic: $T1\ndata: private one\n" \
		"topic: $T3\nprivate: 1\ndata: private three\n" "data: public none\n"; do
		n=$((n + 1))
		printf "$ev" > "$SP/hub/incoming/.e$n"
		mv "$SP/hub/incoming/.e$n" "$SP/hub/incoming/e$n"
		# one at a time: files written in the same ms may be taken in name order
		wait_for "[ ! -e '$SP/hub/incoming/e$n' ]" 50 0.1
	done
	wait_for "grep -q 'public none' '$BATS_TEST_TMPDIR/live.out'" 50 0.1
	stop_holder
	[ ! -s "$BATS_TEST_TMPDIR/live.err" ]
	check_all
}

@test "C library: sse_channel_publish_topics, and its refusals" {
	"$LIB" "$SP" hub 'public two' "$T1" "$T2"
	"$LIB" "$SP" hub 'private one' -p "$T1"
	"$LIB" "$SP" hub 'private three' -p "$T3"
	"$LIB" "$SP" hub 'public none'
	check_all
	run --separate-stderr "$LIB" "$SP" hub x "$T1" ''
	[ "$status" -eq 1 ] && [ "$stderr" = "libtopics: bad topic 2: an empty topic" ]
	run --separate-stderr "$LIB" "$SP" hub x $'a\tb'
	[ "$status" -eq 1 ] && [ "$stderr" = "libtopics: bad topic 1: a topic holding a control character" ]
	plain
	expect_plain "1 message public two" "4 message public none"
}
