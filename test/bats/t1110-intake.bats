#!/usr/bin/env bats
# The channel's intake (lib/intake.h) through sse.cgi run directly: one
# holder drains the fifo, another takes over when it ends, an incomplete
# event crosses the hand-over, drop-box entries are taken once or refused.

setup() {
	B=${SSE_BUILD:-build}
	SP=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SP"
	"$B/sse-publish" --spool "$SP" --create ch
	pids=()
}

teardown() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null; done
	[ -z "${foreign_spool:-}" ] || rm -rf "$foreign_spool"
	return 0
}

# start_stream NAME [VAR=value...]: sse.cgi in the background, output in NAME.out
start_stream() {
	local name=$1
	shift
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" "$@" \
		"$B/sse.cgi" > "$BATS_TEST_TMPDIR/$name.out" 2> "$BATS_TEST_TMPDIR/$name.err" &
	pids+=($!)
	eval "${name}_pid=$!"
}

# The holder is the one process with drain.owner open.
holder() {
	local p
	for p in "${pids[@]}"; do
		ls -l "/proc/$p/fd" 2> /dev/null | grep -q 'drain.owner$' && { echo "$p"; return 0; }
	done
	return 1
}

wait_for() {
	local i
	for ((i = 0; i < $2; i++)); do eval "$1" && return 0; sleep "$3"; done
	echo "gave up waiting for: $1" >&2
	return 1
}

@test "exactly one stream holds the fifo; when it ends another takes over at once and nothing is lost" {
	start_stream a
	start_stream b
	start_stream c
	wait_for 'holder > /dev/null' 50 0.1
	[ "$(for p in "${pids[@]}"; do ls -l /proc/$p/fd | grep -c 'drain.owner$'; done | awk '{ s += $1 } END { print s }')" -eq 1 ]
	first=$(holder)
	printf 'data: one\n\n' > "$SP/ch/fifo"
	kill -TERM "$first"
	wait "$first"
	wait_for 'holder > /dev/null' 10 0.1   # within a second
	second=$(holder)
	[ "$second" != "$first" ]
	printf 'data: two\n\n' > "$SP/ch/fifo"
	for s in a b c; do
		p=${s}_pid
		[ "${!p}" = "$first" ] && continue
		wait_for "grep -q 'data: two' '$BATS_TEST_TMPDIR/$s.out'" 20 0.1
		grep -q 'data: one' "$BATS_TEST_TMPDIR/$s.out"
	done
}

@test "an incomplete event crosses the hand-over (fifo.carry)" {
	start_stream a
	wait_for 'holder > /dev/null' 50 0.1
	start_stream b
	exec 7> "$SP/ch/fifo"
	printf 'event: split\ndata: first half\n' >&7
	sleep 0.3
	kill -TERM "$a_pid"
	wait "$a_pid"
	wait_for '[ "$(holder)" = "$b_pid" ]' 10 0.1
	printf 'data: second half\n\n' >&7
	exec 7>&-
	wait_for "grep -q 'second half' '$BATS_TEST_TMPDIR/b.out'" 20 0.1
	grep -A3 '^event: split$' "$BATS_TEST_TMPDIR/b.out" > "$BATS_TEST_TMPDIR/ev"
	diff <(printf 'event: split\ndata: first half\ndata: second half\n\n') "$BATS_TEST_TMPDIR/ev"
	[ ! -e "$SP/ch/fifo.carry" ]
}

@test "the last writer closing the fifo ends an event without a blank line" {
	start_stream a
	wait_for 'holder > /dev/null' 50 0.1
	printf 'data: no blank line' > "$SP/ch/fifo"
	wait_for "grep -q 'data: no blank line' '$BATS_TEST_TMPDIR/a.out'" 20 0.1
	# and the holder does not spin on the hung-up fifo
	sleep 1
	t=$(awk '{ print $14 + $15 }' "/proc/$a_pid/stat")
	[ "$t" -le 2 ]
}

@test "drop-box: renamed and closed files are taken once; fifos, directories, symlinks and huge files are refused, nothing else lost" {
	start_stream a
	wait_for 'holder > /dev/null' 50 0.1
	printf 'data: renamed\n' > "$SP/ch/incoming/.tmp" && mv "$SP/ch/incoming/.tmp" "$SP/ch/incoming/one"
	printf '\xef\xbb\xbfdata: closed with a BOM\n' > "$SP/ch/incoming/two"
	mkfifo "$SP/ch/incoming/afifo"
	mkdir "$SP/ch/incoming/adir"
	ln -s /etc/passwd "$SP/ch/incoming/alink"
	head -c 400000 /dev/zero | tr '\0' 'x' > "$SP/ch/incoming/.big" && mv "$SP/ch/incoming/.big" "$SP/ch/incoming/big"
	printf 'data: after the bad ones\n' > "$SP/ch/incoming/three"
	wait_for "grep -q 'after the bad ones' '$BATS_TEST_TMPDIR/a.out'" 30 0.1
	grep -qx 'data: renamed' "$BATS_TEST_TMPDIR/a.out"
	grep -qx 'data: closed with a BOM' "$BATS_TEST_TMPDIR/a.out"
	[ "$(grep -c '^data: ' "$BATS_TEST_TMPDIR/a.out")" -eq 3 ]
	wait_for "[ \$(grep -c refused '$BATS_TEST_TMPDIR/a.err') -ge 3 ]" 20 0.1
	cat "$BATS_TEST_TMPDIR/a.err"
	grep -q "alink' refused: a symbolic link" "$BATS_TEST_TMPDIR/a.err"
	grep -q "big' refused: larger than SSE_MAX_EVENT" "$BATS_TEST_TMPDIR/a.err"
	# taken files are removed, refused ones moved aside (hidden)
	[ "$(ls "$SP/ch/incoming" | wc -l)" -eq 0 ]
	ls -a "$SP/ch/incoming" | grep -q '^.rejected-big$'
}

@test "an oversized event in the fifo is refused with one line and the next one arrives" {
	start_stream a SSE_MAX_EVENT=100
	wait_for 'holder > /dev/null' 50 0.1
	{ printf 'data: %0200d\n\n' 0; printf 'data: small\n\n'; } > "$SP/ch/fifo"
	wait_for "grep -q 'data: small' '$BATS_TEST_TMPDIR/a.out'" 20 0.1
	[ "$(grep -c '^data: ' "$BATS_TEST_TMPDIR/a.out")" -eq 1 ]
	[ "$(grep -c 'refused: larger than SSE_MAX_EVENT (100)' "$BATS_TEST_TMPDIR/a.err")" -eq 1 ]
}

@test "streams joining a channel do not wake the streams already there" {
	start_stream a SSE_HEARTBEAT=600
	wait_for 'holder > /dev/null' 50 0.1
	start_stream idle SSE_HEARTBEAT=600
	sleep 0.3
	before=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$idle_pid/status")
	for i in $(seq 20); do start_stream "j$i" SSE_HEARTBEAT=600; done
	sleep 1
	after=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$idle_pid/status")
	echo "idle stream woke $((after - before)) times while 20 streams joined"
	[ $((after - before)) -le 2 ]
}

@test "a holder whose client stalls keeps draining the fifo for the channel" {
	"$B/sse-publish" --spool "$SP" --history 5000 --create big
	mkfifo "$BATS_TEST_TMPDIR/out"
	sleep 60 < "$BATS_TEST_TMPDIR/out" & pids+=($!)   # a client that never reads
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/big SSE_SPOOL_DIR="$SP" \
		SSE_HEARTBEAT=600 "$B/sse.cgi" > "$BATS_TEST_TMPDIR/out" & pids+=($!)
	wait_for '[ -n "$(ls -l /proc/$!/fd 2> /dev/null | grep "big/drain.owner$")" ]' 50 0.1
	for i in 1 2 3; do head -c 60000 /dev/zero | tr '\0' x | "$B/sse-publish" --spool "$SP" big > /dev/null; done
	# 200 kB through the fifo: more than a pipe holds, so only a holder that
	# keeps draining lets this finish
	run timeout 10 sh -c 'awk "BEGIN { for (i = 1; i <= 2000; i++) printf \"data: f%d %0090d\\n\\n\", i, 0 }" > "$1"' sh "$SP/big/fifo"
	[ "$status" -eq 0 ]
	replay() {
		env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/big SSE_SPOOL_DIR="$SP" \
			SSE_STATUS=1 QUERY_STRING=status PATH_INFO= "$B/sse.cgi" | grep -q '"big":{"newest_id":2003,'
	}
	wait_for replay 30 0.1
}

@test "another user's drop-box file is not taken while it is still being written" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the stream as another user"
	# bats' own temporary directories are closed to other users
	SP=$(mktemp -d /tmp/sse-foreign.XXXXXX)
	chmod 755 "$SP"
	"$B/sse-publish" --spool "$SP" --create ch
	chown -R nobody "$SP"
	foreign_spool=$SP
	nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups) # not a function: $! is sse.cgi
	"${nobody[@]}" env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" \
		"$B/sse.cgi" > "$BATS_TEST_TMPDIR/a.out" 2> "$BATS_TEST_TMPDIR/a.err" & a_pid=$!; pids+=($!)
	wait_for 'holder > /dev/null' 50 0.1
	# root writes a file in two steps; the lease check cannot see it (not the owner)
	exec 7> "$SP/ch/incoming/report"
	printf 'data: first half' >&7
	# a take-over scans the drop-box while the file is open
	"${nobody[@]}" env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" \
		"$B/sse.cgi" > "$BATS_TEST_TMPDIR/b.out" 2> "$BATS_TEST_TMPDIR/b.err" & b_pid=$!; pids+=($!)
	sleep 0.3
	kill -TERM "$a_pid"
	wait_for '[ "$(holder)" = "$b_pid" ]' 20 0.1
	sleep 0.5
	printf ' and the second half\n' >&7
	exec 7>&-
	wait_for "grep -q 'second half' '$BATS_TEST_TMPDIR/b.out'" 30 0.1
	grep -qx 'data: first half and the second half' "$BATS_TEST_TMPDIR/b.out"
	[ "$(grep -c '^data:' "$BATS_TEST_TMPDIR/b.out")" -eq 1 ]
}

# Files dropped while no stream ran (a cron job's, a form's) are taken in
# the order they were written (modification time, then name), not in the
# directory's hash order; and before the first stream fixes where it
# starts: a client without an id does not get them as new events, a client
# with one gets them as the history they are.
@test "drop-box backlog: taken oldest first, as history, not as news for a client without an id" {
	local i

	for i in 1 2 3 4 5 6 7 8; do
		printf 'data: old-%d\n' "$i" > "$SP/ch/incoming/.f$i"
		# names against their age: z... is the oldest
		touch -d "2026-01-01 00:00:0$i" "$SP/ch/incoming/.f$i"
		mv "$SP/ch/incoming/.f$i" "$SP/ch/incoming/$(printf '%s' zyxwvuts | cut -c"$i")-event"
	done
	printf 'data: same-b\n' > "$SP/ch/incoming/.s" && touch -d "2026-01-02" "$SP/ch/incoming/.s" && mv "$SP/ch/incoming/.s" "$SP/ch/incoming/same-b"
	printf 'data: same-a\n' > "$SP/ch/incoming/.s" && touch -d "2026-01-02" "$SP/ch/incoming/.s" && mv "$SP/ch/incoming/.s" "$SP/ch/incoming/same-a"
	start_stream fresh SSE_MAX_LIFETIME=1
	wait "$fresh_pid"
	# nothing but the resume point: the backlog is history to this client
	[ "$(grep -c '^data: old-\|^data: same-' "$BATS_TEST_TMPDIR/fresh.out")" = 0 ]
	grep -q '^event: sse-resume$' "$BATS_TEST_TMPDIR/fresh.out"
	grep -qx 'id: 10' "$BATS_TEST_TMPDIR/fresh.out"
	[ -z "$(ls "$SP/ch/incoming")" ]
	start_stream back SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID=0
	wait "$back_pid"
	[ "$(grep '^data: ' "$BATS_TEST_TMPDIR/back.out" | tr '\n' ' ')" = \
		"data: old-1 data: old-2 data: old-3 data: old-4 data: old-5 data: old-6 data: old-7 data: old-8 data: same-a data: same-b " ]
}
