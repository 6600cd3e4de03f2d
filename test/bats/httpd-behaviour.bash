# The SPEC behaviours of a stream, as seen by a client of a real web
# server: each t2xxx suite loads this file and runs every t_* function
# through its server (see helpers.bash). A suite may set, before loading:
#   GONE_ENV    settings for the tests where a client goes away
#   GONE_TRIES  how many 50 ms steps sse.cgi may take to exit then
#   SERVER_CONNECTION  the Connection header the server adds itself, if any
#   BROKEN_TRIES  50 ms steps the server may take to end a client's response
#               after its sse-fcgi worker died
# Each test uses its own channel, c<test number>, in the suite's spool.

: "${GONE_ENV:=}"
: "${GONE_TRIES:=20}"
: "${BROKEN_TRIES:=20}"

# "ID EVENT DATA" lines for events FIRST..LAST named PREFIX<i>.
seq_events() {
	local i

	for ((i = $1; i <= $2; i++)); do
		echo "$i ${4:-message} $3$i"
	done
}

# publish_n CHANNEL N: events e1..eN through sse-publish --raw.
publish_n() {
	local i

	for ((i = 1; i <= $2; i++)); do
		printf 'data: e%d\n\n' "$i"
	done | publish --raw "$1" >/dev/null
}

# --- headers and the first comment -----------------------------------------

t_headers() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	sse_open s "$SSE_URL/$c"
	sse_ready s # within a second, and nothing was published
	[ "$(status_of s)" = 200 ]
	[ "$(hdr s Content-Type)" = text/event-stream ]
	[ "$(hdr s Cache-Control)" = "no-cache, no-transform" ]
	[ "$(hdr s X-Accel-Buffering)" = no ]
	[ "$(hdr_count s Content-Length)" = 0 ]
	# none from us; a server may add its own (nginx: keep-alive)
	if [ -n "${SERVER_CONNECTION:-}" ]; then
		[ "$(hdr_count s Connection)" = 1 ] && [ "$(hdr s Connection)" = "$SERVER_CONNECTION" ]
	else
		[ "$(hdr_count s Connection)" = 0 ]
	fi
	refute sse_has s '^(id|data|event):'
}

t_channel_query() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	sse_open s "$SSE_URL?channel=$c"
	sse_ready s
	[ "$(hdr s Content-Type)" = text/event-stream ]
	[ "$(publish "$c" "by query")" = 1 ]
	sse_wait s '^data: by query$'
	expect_events s "1 message by query"
}

# --- producers: each event arrives at once ---------------------------------

t_publish() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	sse_open s "$SSE_URL/$c"
	sse_ready s
	[ "$(publish --event greeting "$c" hello)" = 1 ]
	sse_wait s '^data: hello$'
	[ "$(publish "$c" world)" = 2 ]
	sse_wait s '^data: world$'
	expect_events s "1 greeting hello" "2 message world"
}

t_fifo() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	sse_open s "$SSE_URL/$c"
	sse_ready s
	timeout 5 sh -c 'printf "event: tick\ndata: via fifo\n\n" >"$1"' sh "$SPOOL/$c/fifo"
	sse_wait s '^data: via fifo$'
	timeout 5 sh -c 'printf "data: second\n\n" >"$1"' sh "$SPOOL/$c/fifo"
	sse_wait s '^data: second$'
	expect_events s "1 tick via fifo" "2 message second"
}

t_dropbox_rename() {
	local c=c$BATS_TEST_NUMBER in

	use_server
	new_channel "$c"
	in=$SPOOL/$c/incoming
	sse_open s "$SSE_URL/$c"
	sse_ready s
	printf 'event: drop\ndata: renamed\n' >"$in/.ev1"
	# A dot file is not taken: give the stream time to (wrongly) take it.
	sleep 0.3
	[ -f "$in/.ev1" ]
	refute sse_has s '^data:'
	mv "$in/.ev1" "$in/ev1"
	sse_wait s '^data: renamed$'
	expect_events s "1 drop renamed"
	wait_for '[ -z "$(ls -A "$in")" ]' 20 0.05 # taken files are removed
}

t_dropbox_write() {
	local c=c$BATS_TEST_NUMBER in

	use_server
	new_channel "$c"
	in=$SPOOL/$c/incoming
	sse_open s "$SSE_URL/$c"
	sse_ready s
	printf 'data: written\ndata: in place\n' >"$in/ev1"
	sse_wait s '^data: in place$'
	expect_events s '1 message written\nin place'
	wait_for '[ -z "$(ls -A "$in")" ]' 20 0.05
}

# --- resume --------------------------------------------------------------------

t_resume_header() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	publish_n "$c" 5
	sse_open s "$SSE_URL/$c" -H 'Last-Event-ID: 2'
	sse_wait s '^data: e5$'
	[ "$(publish "$c" live)" = 6 ]
	sse_wait s '^data: live$'
	expect_events s "$(seq_events 3 5 e)" "6 message live"
}

t_resume_query() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	publish_n "$c" 5
	sse_open s "$SSE_URL/$c?lastEventId=3"
	sse_wait s '^data: e5$'
	expect_events s "$(seq_events 4 5 e)"
}

t_resume_header_wins() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	publish_n "$c" 5
	sse_open s "$SSE_URL/$c?lastEventId=4" -H 'Last-Event-ID: 1'
	sse_wait s '^data: e5$'
	expect_events s "$(seq_events 2 5 e)"
}

t_no_id_live_only() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	publish_n "$c" 3
	sse_open s "$SSE_URL/$c"
	sse_ready s
	[ "$(publish "$c" live)" = 4 ]
	sse_wait s '^data: live$'
	expect_events s "4 message live"
}

# History 5, ids 1..20: 16..20 retained.
t_gap_older() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c" --history 5
	publish_n "$c" 20
	sse_open s "$SSE_URL/$c" -H 'Last-Event-ID: 2'
	sse_wait s '^data: e20$'
	expect_events s "- sse-gap 2 16" "$(seq_events 16 20 e)"
}

t_gap_newer() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c" --history 5
	publish_n "$c" 20
	sse_open s "$SSE_URL/$c" -H 'Last-Event-ID: 100'
	sse_wait s '^data: e20$'
	expect_events s "- sse-gap 100 16" "$(seq_events 16 20 e)"
}

t_gap_none_one_below() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c" --history 5
	publish_n "$c" 20
	sse_open s "$SSE_URL/$c" -H 'Last-Event-ID: 15'
	sse_wait s '^data: e20$'
	expect_events s "$(seq_events 16 20 e)"
}

# --- heartbeat, retry, lifetime -------------------------------------------

t_heartbeat() {
	local c=c$BATS_TEST_NUMBER

	use_server SSE_HEARTBEAT=1
	new_channel "$c"
	sse_open s "$SSE_URL/$c"
	sse_ready s
	wait_for '[ "$(grep -c "^:" "$T/s.body")" -ge 2 ]' 50 0.05 # 2.5 s
	wait_for '[ "$(grep -c "^:" "$T/s.body")" -ge 3 ]' 30 0.05 # the next, 1 s later
	refute sse_has s '^(id|data|event):'
}

t_retry() {
	local c=c$BATS_TEST_NUMBER

	use_server SSE_RETRY_MS=1234
	new_channel "$c"
	sse_open s "$SSE_URL/$c"
	sse_ready s
	sse_wait s '^retry: 1234$'
	[ "$(grep -c '^retry:' "$T/s.body")" = 1 ]
}

t_lifetime() {
	local c=c$BATS_TEST_NUMBER t0 rc=0 last

	use_server SSE_MAX_LIFETIME=1
	new_channel "$c"
	t0=$(now_ms)
	sse_open s "$SSE_URL/$c"
	sse_ready s
	publish "$c" a1 >/dev/null
	publish "$c" a2 >/dev/null
	sse_wait s '^data: a2$'
	wait_for 'sse_done s' 50 0.05 # ends by itself, about 1 s after it began
	wait "$(<"$T/s.pid")" || rc=$?
	[ "$rc" = 0 ] || fail "curl exit status $rc: the stream did not end cleanly"
	[ $(($(now_ms) - t0)) -ge 900 ]
	expect_events s "1 message a1" "2 message a2"
	publish "$c" a3 >/dev/null
	publish "$c" a4 >/dev/null
	last=$(sse_events s | tail -n 1 | cut -d' ' -f1)
	sse_open r "$SSE_URL/$c" -H "Last-Event-ID: $last"
	sse_wait r '^data: a4$'
	expect_events r "3 message a3" "4 message a4"
	# One that has seen no event is given the id it is at when it ends, in
	# an sse-resume event (which onmessage never sees).
	sse_open q "$SSE_URL/$c"
	wait_for 'sse_done q' 50 0.05
	expect_events q '4 sse-resume 4'
}

# --- CORS ----------------------------------------------------------------------

t_cors_listed() {
	local c=c$BATS_TEST_NUMBER

	use_server "SSE_CORS_ORIGINS=http://a.example http://b.example:8080"
	new_channel "$c"
	sse_open a "$SSE_URL/$c" -H 'Origin: http://a.example'
	sse_open b "$SSE_URL/$c" -H 'Origin: http://b.example:8080'
	sse_open x "$SSE_URL/$c" -H 'Origin: http://x.example'
	sse_ready a b x
	[ "$(hdr a Access-Control-Allow-Origin)" = http://a.example ]
	[ "$(hdr a Access-Control-Allow-Credentials)" = true ]
	[ "$(hdr a Vary)" = Origin ]
	[ "$(hdr b Access-Control-Allow-Origin)" = http://b.example:8080 ]
	[ "$(hdr_count x Access-Control-Allow-Origin)" = 0 ]
	[ "$(hdr_count x Access-Control-Allow-Credentials)" = 0 ]
	[ "$(status_of x)" = 200 ]
}

t_cors_star() {
	local c=c$BATS_TEST_NUMBER

	use_server 'SSE_CORS_ORIGINS=*'
	new_channel "$c"
	sse_open a "$SSE_URL/$c" -H 'Origin: http://a.example'
	sse_ready a
	[ "$(hdr a Access-Control-Allow-Origin)" = '*' ]
	[ "$(hdr_count a Access-Control-Allow-Credentials)" = 0 ]
}

t_cors_preflight() {
	local c=c$BATS_TEST_NUMBER

	use_server "SSE_CORS_ORIGINS=http://a.example"
	new_channel "$c"
	get p "$SSE_URL/$c" -X OPTIONS -H 'Origin: http://a.example' \
		-H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: last-event-id'
	[ "$status" = 204 ]
	[ "$(hdr p Access-Control-Allow-Origin)" = http://a.example ]
}

# --- errors ----------------------------------------------------------------------

# expect_error NAME STATUS: a short text answer, not a stream.
expect_error() {
	[ "$status" = "$2" ] || fail "$1: status $status, expected $2"
	[ "$(hdr "$1" Content-Type)" != text/event-stream ]
	[ "$(wc -c <"$T/$1.body")" -gt 0 ] && [ "$(wc -c <"$T/$1.body")" -lt 512 ]
}

t_unknown_channel() {
	use_server
	get e $SSE_URL/nosuch
	expect_error e 404
	# it says which channel and what creates it, through the server too
	grep -q "'nosuch'" "$T/e.body" && grep -q 'sse-publish --spool SPOOL --create nosuch' "$T/e.body"
	[ ! -e "$SPOOL/nosuch" ] # never created by a request
	get e "$SSE_URL?channel=nosuch"
	expect_error e 404
}

t_bad_channel() {
	local long

	use_server
	long=$(printf 'x%.0s' {1..65})
	get e "$SSE_URL/..%2e"
	expect_error e 400
	get e "$SSE_URL?channel=a%2Fb"
	expect_error e 400
	get e "$SSE_URL/bad%20name%21"
	expect_error e 400
	get e "$SSE_URL/.hidden"
	expect_error e 400
	get e "$SSE_URL/$long"
	expect_error e 400
}

t_bad_last_event_id() {
	local c=c$BATS_TEST_NUMBER

	use_server
	new_channel "$c"
	get e "$SSE_URL/$c" -H 'Last-Event-ID: abc'
	expect_error e 400
	get e "$SSE_URL/$c" -H 'Last-Event-ID: 12x'
	expect_error e 400
	get e "$SSE_URL/$c?lastEventId=-1"
	expect_error e 400
}

# With a request body too: a server may choke on a CGI that exits without
# reading it (hence a few rounds).
t_bad_method() {
	local c=c$BATS_TEST_NUMBER i

	use_server
	new_channel "$c"
	for i in 1 2 3; do
		get e "$SSE_URL/$c" -d 'data: x'
		expect_error e 405
		get e "$SSE_URL/$c" -X PUT -d 'data: x'
		expect_error e 405
		get e "$SSE_URL/$c" -X DELETE
		expect_error e 405
	done
	[ "$(hdr e Allow)" = "GET, HEAD, OPTIONS" ]
}

t_no_spool() {
	local c=c$BATS_TEST_NUMBER

	use_server NOSPOOL=1
	log_mark
	get e "$SSE_URL/$c"
	expect_error e 500
	# The server may log it a moment after the answer.
	wait_for 'log_since_mark | grep -q SSE_SPOOL_DIR' 20 0.05
	log_since_mark >"$T/log"
	[ "$(grep -c SSE_SPOOL_DIR "$T/log")" = 1 ] || fail "not one line naming SSE_SPOOL_DIR: $(cat "$T/log")"
	[ "$(wc -l <"$T/log")" = 1 ] || fail "more than that line in the error log: $(cat "$T/log")"
}

t_head() {
	local c=c$BATS_TEST_NUMBER t0

	use_server
	new_channel "$c"
	publish_n "$c" 3
	t0=$(now_ms)
	curl -s --max-time 5 -I -D "$T/h.h" -o "$T/h.body" -H 'Last-Event-ID: 0' "$BASE$SSE_URL/$c"
	[ $(($(now_ms) - t0)) -lt 2000 ] # it ends by itself
	[ "$(status_of h)" = 200 ]
	[ "$(hdr h Content-Type)" = text/event-stream ]
	[ "$(hdr_count h Content-Length)" = 0 ]
	wait_for '[ "$(cgi_count)" = 0 ]' 20 0.05
}

# --- busy --------------------------------------------------------------------------

t_busy() {
	local c=c$BATS_TEST_NUMBER t0 retry

	use_server SSE_MAX_STREAMS=2 SSE_HEARTBEAT=1
	new_channel "$c"
	publish_n "$c" 3
	sse_open s1 "$SSE_URL/$c"
	sse_open s2 "$SSE_URL/$c"
	sse_ready s1 s2
	t0=$(now_ms)
	get b "$SSE_URL/$c" -H 'Last-Event-ID: 1'
	[ $(($(now_ms) - t0)) -lt 3000 ] # and it ended
	[ "$status" = 200 ]
	[ "$(hdr b Content-Type)" = text/event-stream ]
	expect_events b "$(seq_events 2 3 e)"
	[ "$(grep -c '^retry: ' "$T/b.body")" = 1 ]
	retry=$(sed -n 's/^retry: //p' "$T/b.body")
	[ "$retry" -ge 10000 ] && [ "$retry" -le 12000 ] || fail "busy retry $retry not in 10000..12000"
	# Without an id: no replay, but the id it is at, to come back with (an
	# sse-resume event).
	get n "$SSE_URL/$c"
	expect_events n '3 sse-resume 3'
	# Room again once a stream has gone: a full stream, not a busy answer.
	sse_close s1
	wait_for '[ "$(cgi_count)" = 1 ]' "$GONE_TRIES" 0.05
	sse_open s3 "$SSE_URL/$c" -H 'Last-Event-ID: 3'
	sse_ready s3
	[ "$(publish "$c" after)" = 4 ]
	sse_wait s3 '^data: after$'
	refute sse_done s3
	refute sse_has s3 '^retry:'
}

# --- status ----------------------------------------------------------------------

t_status() {
	local c=c$BATS_TEST_NUMBER

	use_server SSE_STATUS=1
	new_channel "$c" --history 5
	publish_n "$c" 7
	get j "$SSE_URL?status"
	[ "$status" = 200 ]
	python3 - "$T/j.body" "$c" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
ch = doc["channels"][sys.argv[2]]
assert ch["newest_id"] == 7, ch
assert ch["retained"] == 5, ch
EOF
}

t_status_off() {
	use_server
	get j "$SSE_URL?status"
	expect_error j 404
	grep -q 'SSE_STATUS=1' "$T/j.body"
}

# --- many streams, one pipe --------------------------------------------------------

t_fanout() {
	local c=c$BATS_TEST_NUMBER i names=()

	use_server
	new_channel "$c"
	for ((i = 1; i <= 50; i++)); do
		sse_open "s$i" "$SSE_URL/$c"
		names+=("s$i")
	done
	for i in "${names[@]}"; do
		wait_for "sse_has $i '^:'" 200 0.05 # all 50 within 10 s (prefork spawns slowly)
	done
	fifo_events "$c" 1 200
	for i in "${names[@]}"; do
		wait_for "sse_has $i '^data: ev-200$'" 100 0.05
	done
	seq_events 1 200 ev- tick >"$T/want"
	for i in "${names[@]}"; do
		sse_events "$i" | diff -u "$T/want" - >&2 || fail "stream $i"
	done
}

t_drain_takeover() {
	local c=c$BATS_TEST_NUMBER first holder

	use_server $GONE_ENV
	new_channel "$c"
	sse_open a "$SSE_URL/$c"
	sse_ready a
	wait_for '[ -n "$(drain_holder "$c")" ]' 20 0.05
	first=$(drain_holder "$c")
	[ "$first" = "$(cgi_pids)" ] # the only stream holds it
	sse_open b "$SSE_URL/$c"
	sse_open d "$SSE_URL/$c"
	sse_ready b d
	[ "$(drain_holder "$c")" = "$first" ]
	fifo_events "$c" 1 5
	sse_wait a '^data: ev-5$'
	sse_wait b '^data: ev-5$'
	sse_wait d '^data: ev-5$'
	sse_close a
	wait_for "! pid_alive $first" "$GONE_TRIES" 0.05
	wait_for '[ -n "$(drain_holder "$c")" ]' 20 0.05
	holder=$(drain_holder "$c")
	[ "$holder" != "$first" ]
	fifo_events "$c" 6 10
	sse_wait b '^data: ev-10$'
	sse_wait d '^data: ev-10$'
	expect_events b "$(seq_events 1 10 ev- tick)"
	expect_events d "$(seq_events 1 10 ev- tick)"
}

t_client_gone() {
	local c=c$BATS_TEST_NUMBER pid

	use_server $GONE_ENV
	new_channel "$c"
	[ "$(cgi_count)" = 0 ]
	sse_open s "$SSE_URL/$c"
	sse_ready s
	wait_for '[ "$(cgi_count)" = 1 ]' 20 0.05
	pid=$(cgi_pids)
	sse_close s
	wait_for "! pid_alive $pid" "$GONE_TRIES" 0.05
	[ "$(cgi_count)" = 0 ]
	# No stale lock: the next stream drains the pipe.
	sse_open r "$SSE_URL/$c"
	sse_ready r
	fifo_events "$c" 1 1
	sse_wait r '^data: ev-1$'
}

# The draining process dies (SIGKILL: no chance to hand over): another
# stream takes the pipe over at once, and its client loses nothing.
t_drain_holder_killed() {
	local c=c$BATS_TEST_NUMBER first

	use_server
	new_channel "$c"
	sse_open a "$SSE_URL/$c"
	sse_ready a
	wait_for '[ -n "$(drain_holder "$c")" ]' 20 0.05
	first=$(drain_holder "$c")
	sse_open b "$SSE_URL/$c"
	sse_ready b
	fifo_events "$c" 1 3
	sse_wait b '^data: ev-3$'
	kill -KILL "$first"
	wait_for "! pid_alive $first" 20 0.05
	wait_for '[ -n "$(drain_holder "$c")" ]' 20 0.05
	[ "$(drain_holder "$c")" != "$first" ]
	fifo_events "$c" 4 6
	sse_wait b '^data: ev-6$'
	expect_events b "$(seq_events 1 6 ev- tick)"
}

# --- sse-fcgi: streams are slots of a pool, not processes -----------------------

# A client that goes away frees its stream in the pool (?status), and
# leaves no stale lock behind.
t_fcgi_client_gone() {
	local c=c$BATS_TEST_NUMBER

	use_server $GONE_ENV
	new_channel "$c"
	[ "$(cgi_count)" = 0 ]
	sse_open s "$SSE_URL/$c"
	sse_ready s
	wait_for '[ "$(cgi_count)" = 1 ]' 20 0.05
	sse_close s
	wait_for '[ "$(cgi_count)" = 0 ]' "$GONE_TRIES" 0.05
	sse_open r "$SSE_URL/$c"
	sse_ready r
	fifo_events "$c" 1 1
	sse_wait r '^data: ev-1$'
}

# The worker draining the channel's pipe is killed: the pool replaces it
# within a second, another worker takes the pipe over, and the clients
# whose streams it held resume (Last-Event-ID) without loss.
t_fcgi_worker_killed() {
	local c=c$BATS_TEST_NUMBER victim i last n=0
	local -a names=(s1 s2 s3 s4 s5 s6)

	use_server
	new_channel "$c"
	for i in "${names[@]}"; do
		sse_open "$i" "$SSE_URL/$c"
	done
	sse_ready "${names[@]}"
	wait_for '[ "$(cgi_count)" = 6 ]' 20 0.05
	fifo_events "$c" 1 2
	for i in "${names[@]}"; do
		sse_wait "$i" '^data: ev-2$'
	done
	wait_for '[ -n "$(drain_holder "$c")" ]' 20 0.05
	victim=$(drain_holder "$c")
	kill -KILL "$victim"
	wait_for '[ "$(fcgi_workers | wc -l)" = 2 ] && ! fcgi_workers | grep -qx "$victim"' 20 0.05
	# its clients' connections end; each comes back with its last id
	for i in "${names[@]}"; do
		if wait_for "sse_done $i" "$BROKEN_TRIES" 0.05 2>/dev/null; then
			BROKEN_TRIES=1 # the others ended at the same time
			n=$((n + 1))
			last=$(sed -n 's/^id: //p' "$T/$i.body" | tail -1)
			mv "$T/$i.body" "$T/$i.first"
			sse_open "$i" "$SSE_URL/$c" -H "Last-Event-ID: $last"
			sse_ready "$i"
		fi
	done
	[ "$n" -ge 1 ] || fail "no stream ended with its worker"
	fifo_events "$c" 3 4
	for i in "${names[@]}"; do
		sse_wait "$i" '^data: ev-4$'
		if [ -f "$T/$i.first" ]; then
			cat "$T/$i.first" "$T/$i.body" >"$T/$i.all"
			mv "$T/$i.all" "$T/$i.body"
		fi
		expect_events "$i" "$(seq_events 1 4 ev- tick)"
	done
}

# --- the buffering doctor ---------------------------------------------------------

# The tested configuration streams: the doctor says so, by the URL and by
# the stdin form its --help documents.
t_doctor_ok() {
	local form

	use_server
	run "$SSE_BIN/sse-doctor" "$BASE$SSE_URL"
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	[[ $output == *"OK: the 12 events arrived as they were sent"* ]]
	# https sites: curl fetches, the doctor reads its raw output
	form=$("$SSE_BIN/sse-doctor" --help | sed -n 's/^ *\(curl -sN .*\) | sse-doctor -$/\1/p')
	[ -n "$form" ]
	run bash -c "${form//URL?probe/$BASE$SSE_URL?probe} | '$SSE_BIN/sse-doctor' -"
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	[[ $output == *"OK: the 12 events arrived as they were sent"* ]]
}

# t_doctor_finds BROKEN TEXT: the configuration broken that way; the doctor
# finds it and names TEXT, the setting to change.
t_doctor_finds() {
	use_server "BROKEN=$1"
	run "$SSE_BIN/sse-doctor" "$BASE$SSE_URL"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *PROBLEM:* ]]
	[[ $output == *"$2"* ]] || fail "the advice does not name '$2'"
}

# --- a host that compresses (Apache mod_deflate and mod_brotli) -------------------

# What browsers announce; a server compresses only for such a request.
BROWSER_AE='Accept-Encoding: gzip, deflate, br, zstd'

# The documented configuration (SetEnv no-gzip, no-brotli) on a host whose
# own configuration compresses text/event-stream: events arrive at once,
# uncompressed.
t_compress_shielded() {
	local c=c$BATS_TEST_NUMBER

	use_server BROKEN=compress
	new_channel "$c"
	sse_open s "$SSE_URL/$c" -H "$BROWSER_AE"
	sse_ready s
	[ "$(hdr_count s Content-Encoding)" = 0 ]
	[ "$(publish "$c" hello)" = 1 ]
	sse_wait s '^data: hello$'
	[ "$(publish "$c" world)" = 2 ]
	sse_wait s '^data: world$'
	expect_events s "1 message hello" "2 message world"
}

# The same host without those lines and the program named nph-sse.cgi: its
# output passes through no filter.
t_compress_nph() {
	local c=c$BATS_TEST_NUMBER url

	use_server BROKEN=compress NOSHIELD=1
	url=${SSE_URL%/sse.cgi}/nph-sse.cgi
	cp "$SRV_CGI" "$(dirname "$SRV_CGI")/nph-sse.cgi"
	new_channel "$c"
	sse_open s "$url/$c" -H "$BROWSER_AE"
	sse_ready s
	[ "$(status_of s)" = 200 ]
	[ "$(hdr s Content-Type)" = text/event-stream ]
	[ "$(hdr s Cache-Control)" = "no-cache, no-transform" ]
	[ "$(hdr_count s Content-Encoding)" = 0 ]
	[ "$(hdr s Connection)" = close ]
	[ "$(publish "$c" hello)" = 1 ]
	sse_wait s '^data: hello$'
	expect_events s "1 message hello"
	sse_close s
	run "$SSE_BIN/sse-doctor" "$BASE$url"
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	[[ $output == *"OK: the 12 events arrived as they were sent"* ]]
}

# Compressing, the host holds every byte (mod_deflate reads the CGI to its
# end): no write of sse.cgi ever fails, yet a client that leaves ends its
# process within a heartbeat (1 s here), as the kernel tells it.
t_compress_client_gone() {
	local c=c$BATS_TEST_NUMBER pid t0 t1

	use_server BROKEN=compress NOSHIELD=1 $GONE_ENV
	new_channel "$c"
	sse_open s "$SSE_URL/$c" -H "$BROWSER_AE"
	wait_for '[ "$(cgi_count)" = 1 ]' 20 0.05
	pid=$(cgi_pids)
	sleep 1.5 # a heartbeat into the filter's buffer: nothing reaches the client
	refute sse_has s '^:'
	t0=$(now_ms)
	sse_close s
	wait_for "! pid_alive $pid" "$GONE_TRIES" 0.05
	t1=$(now_ms)
	echo "# a held stream ended $((t1 - t0)) ms after its client left ($GONE_ENV)" >&3
	[ "$(cgi_count)" = 0 ]
}

# The doctor on that host: compressed, by its URL and by the documented
# stdin form (sse-doctor --help); asked without Accept-Encoding (curl
# without -H), never OK.
t_doctor_compress() {
	local form

	use_server BROKEN=compress NOSHIELD=1
	run "$SSE_BIN/sse-doctor" "$BASE$SSE_URL"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"PROBLEM: the stream is compressed"* ]]
	[[ $output == *"SetEnv no-gzip 1"* ]]
	[[ $output == *"nph-sse.cgi"* ]]
	form=$("$SSE_BIN/sse-doctor" --help | sed -n 's/^ *\(curl -sN .*\) | sse-doctor -$/\1/p')
	[ -n "$form" ]
	form=${form//URL?probe/$BASE$SSE_URL?probe}
	run bash -c "$form | '$SSE_BIN/sse-doctor' -"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"PROBLEM: the stream is compressed"* ]]
	run bash -c "curl -sN --raw -i '$BASE$SSE_URL?probe' | '$SSE_BIN/sse-doctor' -"
	printf '%s\n' "$output"
	[ "$status" = 1 ]
	[[ $output == *"PROBLEM: the probe was asked without Accept-Encoding"* ]]
	[[ $output != *"OK: "* ]]
}
