#!/usr/bin/env bats
# The channel log's properties (lib/README.md), through the programs and
# test/tools/logtool.

setup() {
	B=${SSE_BUILD:-build}
	LT=$B/test/logtool
	SP=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SP"
}

# An array, not a function: "$!" must be sse.cgi itself, not a subshell.
cgi_env() {
	CGI=(env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" "$@")
}

@test "8 concurrent publishers x 5000 events (with sse-publish --raw and a draining stream): ids unique, increasing, intact" {
	"$B/sse-publish" --spool "$SP" --history 100000 --create ch
	pids=()
	for t in 1 2 3 4 5 6; do
		"$LT" publish "$SP" ch "p$t" 5000 $((t % 3 + 1)) > "$BATS_TEST_TMPDIR/ack.$t" & pids+=($!)
	done
	for t in 7 8; do
		awk -v t="$t" 'BEGIN { for (i = 0; i < 5000; i++) printf "data: r%s %d 0 0 \n\n", t, i }' |
			"$B/sse-publish" --spool "$SP" --raw ch > "$BATS_TEST_TMPDIR/ack.$t" & pids+=($!)
	done
	# A stream draining the fifo appends concurrently too.
	cgi_env SSE_MAX_LIFETIME=8 "$B/sse.cgi"
	"${CGI[@]}" > /dev/null & cgi=$!
	sleep 0.3
	awk 'BEGIN { for (i = 0; i < 2000; i++) printf "data: fifo %d 0 0 \n\n", i }' > "$SP/ch/fifo"
	for p in "${pids[@]}"; do wait "$p"; done
	"$LT" verify "$SP" ch > "$BATS_TEST_TMPDIR/log"
	wait "$cgi"
	"$LT" verify "$SP" ch > "$BATS_TEST_TMPDIR/log"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/log")" -eq 42000 ]
	# every (tag, seq) once; ids strictly increasing is checked by verify
	[ "$(awk '{ print $2, $3 }' "$BATS_TEST_TMPDIR/log" | sort -u | wc -l)" -eq 42000 ]
	[ "$(awk '{ print $1 }' "$BATS_TEST_TMPDIR/log" | sort -u | wc -l)" -eq 42000 ]
	# ids printed by the publishers are the ids in the log
	cat "$BATS_TEST_TMPDIR"/ack.[1-6] | awk '{ print $2, $3, $4 }' | sort > "$BATS_TEST_TMPDIR/acked"
	awk '$2 ~ /^p/' "$BATS_TEST_TMPDIR/log" | sort > "$BATS_TEST_TMPDIR/logged"
	cmp "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/logged"
	[ "$(cat "$BATS_TEST_TMPDIR"/ack.[78] | wc -l)" -eq 10000 ]
}

@test "power loss: lost unsynced writes are recovered from, ids never repeat, one line says so" {
	"$B/sse-publish" --spool "$SP" --create ch
	"$LT" publish "$SP" ch a 100 > /dev/null
	cp -a "$SP/ch/log" "$BATS_TEST_TMPDIR/snapshot"
	"$LT" publish "$SP" ch b 50 > "$BATS_TEST_TMPDIR/acked"
	last=$(tail -1 "$BATS_TEST_TMPDIR/acked" | awk '{ print $2 }')
	[ "$last" -eq 150 ]
	# The disk as after a power cut: index and segments from earlier, the
	# durably written high-water mark kept, the tail of the data lost.
	cp "$BATS_TEST_TMPDIR/snapshot/index" "$SP/ch/log/index"
	cp "$BATS_TEST_TMPDIR"/snapshot/seg-* "$SP/ch/log/"
	seg=$(ls "$SP"/ch/log/seg-* | head -1)
	size=$(stat -c %s "$seg")
	printf 'XXXX' | dd of="$seg" bs=1 seek=$((size - 10)) conv=notrunc 2> /dev/null
	"$LT" unclean "$SP" ch
	run "$LT" open "$SP" ch
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "note recovered channel log "*": 99 of 100 retained events intact, ids resume at "* ]]
	next=$(echo "$output" | awk '$1 == "next" { print $2 }')
	[ "$next" -gt 150 ]
	id=$("$LT" publish "$SP" ch c 1 | awk '{ print $2 }')
	[ "$id" -gt 150 ]
	# the damaged event is gone, everything else intact and in order
	run "$LT" verify "$SP" ch
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 100 ]
	[ "${lines[98]}" = "99 a 98" ]
	[ "${lines[99]}" = "$id c 0" ]
	# Clients resuming across the lost ids are told (sse-gap "LAST OLDEST")
	resume() {
		env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" \
			SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID="$1" "$B/sse.cgi" | grep -E '^(id|event|data: [0-9]+ [0-9]+$)'
	}
	run resume 99
	[ "${lines[0]}" = "event: sse-gap" ] && [ "${lines[1]}" = "data: 99 $id" ] && [ "${lines[2]}" = "id: $id" ]
	run resume 150
	[ "${lines[0]}" = "event: sse-gap" ] && [ "${lines[1]}" = "data: 150 $id" ]
	# from before the jump: the retained events, then the gap, then the rest
	run resume 97
	[ "${lines[0]}" = "id: 98" ] && [ "${lines[1]}" = "id: 99" ]
	[ "${lines[2]}" = "event: sse-gap" ] && [ "${lines[3]}" = "data: 99 $id" ] && [ "${lines[4]}" = "id: $id" ]
	# and a client that saw the newest event is up to date
	run resume "$id"
	[ "${#lines[@]}" -eq 0 ]
	# a second open is clean: recovery happens once
	run "$LT" open "$SP" ch
	[[ "$output" != *note* ]]
}

@test "SSE_SYNC=1: data and index are synced before the id is printed" {
	command -v strace > /dev/null || skip "strace is not installed"
	"$B/sse-publish" --spool "$SP" --create ch
	# LeakSanitizer cannot run under ptrace
	SSE_SYNC=1 ASAN_OPTIONS=detect_leaks=0 strace -o "$BATS_TEST_TMPDIR/trace" -e trace=fdatasync,msync,write \
		"$B/sse-publish" --spool "$SP" ch hello > /dev/null
	grep -n -E 'fdatasync|msync|write\(1,' "$BATS_TEST_TMPDIR/trace" > "$BATS_TEST_TMPDIR/order"
	cat "$BATS_TEST_TMPDIR/order"
	sync_line=$(grep -m1 msync "$BATS_TEST_TMPDIR/order" | cut -d: -f1)
	data_line=$(grep fdatasync "$BATS_TEST_TMPDIR/order" | tail -1 | cut -d: -f1)
	print_line=$(grep -m1 'write(1,' "$BATS_TEST_TMPDIR/order" | cut -d: -f1)
	[ -n "$sync_line" ] && [ -n "$data_line" ] && [ -n "$print_line" ]
	[ "$sync_line" -lt "$print_line" ] && [ "$data_line" -lt "$print_line" ]
	# without it, no fsync per event
	ASAN_OPTIONS=detect_leaks=0 strace -o "$BATS_TEST_TMPDIR/trace2" -e trace=fdatasync,msync "$B/sse-publish" --spool "$SP" ch x > /dev/null
	! grep -q msync "$BATS_TEST_TMPDIR/trace2"
}

@test "history is bounded: SSE_HISTORY events retained, old segments removed" {
	"$B/sse-publish" --spool "$SP" --history 100 --create ch
	"$LT" publish "$SP" ch a 20000 16 > /dev/null
	"$LT" verify "$SP" ch > "$BATS_TEST_TMPDIR/log"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/log")" -eq 100 ]
	[ "$(head -1 "$BATS_TEST_TMPDIR/log" | cut -d' ' -f1)" -eq 19901 ]
	[ "$(tail -1 "$BATS_TEST_TMPDIR/log" | cut -d' ' -f1)" -eq 20000 ]
	# segments roll over every max(history, 64) events: at most 3 on disk
	[ "$(ls "$SP"/ch/log/seg-* | wc -l)" -le 3 ]
	# the index never grows with the number of events
	[ "$(stat -c %s "$SP/ch/log/index")" -eq $((4096 + (100 + 2 + 64) * 32)) ]
}

@test "a stopped reader blocks no publisher and catches up from its cursor" {
	"$B/sse-publish" --spool "$SP" --history 50000 --create ch
	"$LT" follow "$SP" ch 20 > "$BATS_TEST_TMPDIR/f" & f=$!
	sleep 0.2
	kill -STOP "$f"
	timeout 20 "$LT" publish "$SP" ch a 20000 8 > /dev/null
	kill -CONT "$f"
	sleep 0.5
	kill -TERM "$f"
	wait "$f" || [ $? -eq 143 ]
	"$LT" verify "$SP" ch | wc -l | grep -qx 20000
}

@test "an idle stream uses no CPU (inotify, no polling)" {
	"$B/sse-publish" --spool "$SP" --create ch
	mkfifo "$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/out" > /dev/null & reader=$!
	cgi_env SSE_HEARTBEAT=60 "$B/sse.cgi"
	"${CGI[@]}" > "$BATS_TEST_TMPDIR/out" & cgi=$!
	sleep 0.5
	[ "$(cat /proc/$cgi/comm)" = sse.cgi ]
	t0=$(awk '{ print $14 + $15 }' /proc/$cgi/stat)
	sleep 3
	t1=$(awk '{ print $14 + $15 }' /proc/$cgi/stat)
	kill -TERM "$cgi"
	wait "$cgi" # SIGTERM is a normal end: exit 0
	wait "$reader" || true
	echo "cpu ticks while idle: $((t1 - t0))"
	[ $((t1 - t0)) -eq 0 ]
}
