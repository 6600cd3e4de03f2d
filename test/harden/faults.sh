#!/bin/bash
# I/O faults: disk full (a tiny tmpfs on the spool; test/shim/faultshim.so's
# ENOSPC when not root), EIO on the segment, index and high-water mark
# writes, syncs and reads, EMFILE (a low ulimit -n), failed allocations
# (every allocation of a run failed in turn). Every case: either it works,
# or one clear line (the program's name, then the file or setting) and a
# non-zero exit (sse.cgi: its 500 answer or exit 1); never a crash, a hang or
# a sanitizer report; the log verifies and holds every event acknowledged
# before; and publishing works again once the fault is gone.
# usage: faults.sh [--long]   (--long: every allocation index, more limits)
. "$(dirname "$0")/common.sh"
set -u
h_build_dyn || exit 1
BLT=$TOP/$B/test/logtool
SHIM=$TOP/$DYN/test/faultshim.so
SP=$WORK/spool
mkdir -p "$SP"
cases=0 ok=0 bad=0 errlines=0 works=0
declare -A kinds
fail() { echo "FAIL $case: $*" >&2; bad=1; }

# the events acknowledged so far: "ID TAG SEQ" as logtool verify prints them
ACKED=$WORK/acked
: > "$ACKED"
seqno=0
pub_args() { # TAG: one event in logtool's format
	seqno=$((seqno + 1))
	echo "$1 $seqno 0 0 "
}

# verify_log CH: the log verifies and holds every acknowledged event
verify_log() {
	"$BLT" verify "$SP" "$1" > "$WORK/log" 2> "$WORK/verify.err" || { fail "verify: $(cat "$WORK/verify.err")"; return 1; }
	local miss
	miss=$(grep " $1\$" "$ACKED" | cut -d' ' -f1-3 | sort | comm -23 - <(sort "$WORK/log") | head -3)
	[ -z "$miss" ] || { fail "acknowledged events missing: $miss"; return 1; }
}

# judge PROG RC ERRFILE: one clear line on failure, nothing on success
judge() {
	local prog=$1 rc=$2 e=$3 n
	n=$(wc -l < "$e")
	[ -n "${VERBOSE:-}" ] && echo "$case: exit $rc: $(cat "$e")" >&2
	if grep -q -E 'Sanitizer|runtime error|faultshim:' "$e"; then
		fail "sanitizer or shim report: $(head -5 "$e")"
	elif ((rc == 124)); then
		fail "hung (timeout)"
	elif ((rc >= 128)); then
		fail "killed by signal $((rc - 128)): $(head -3 "$e")"
	elif ((n == 0)); then
		((rc == 0)) || fail "exit $rc without a word"
		((rc == 0)) && works=$((works + 1))
	elif ((n > 1)); then
		fail "$n lines: $(cat "$e")"
	elif ! grep -q -E "^$prog: .*('/|out of memory|SSE_[A-Z_]+|ulimit -n|stdin|stdout)" "$e"; then
		fail "an unclear line: $(cat "$e")"
	elif [ "$prog" = sse.cgi ] && ((rc == 0)) && ! grep -q -E '^(Status: 500|retry: )' "$WORK/out" &&
		! { grep -q -E "/(fifo|drain\.lock|drain\.owner|incoming)'" "$e" && grep -q '^: sse-cgi' "$WORK/out"; }; then
		# exit 0 after an error: only with the 500 answer, the busy one, or
		# a stream that went on while its intake could not be held
		fail "an error line, yet exit 0 and neither a 500 nor a busy answer: $(cat "$e")"
	elif [ "$prog" != sse.cgi ] && ((rc == 0)); then
		fail "an error line, yet exit 0: $(cat "$e")"
	else
		errlines=$((errlines + 1))
		return 0
	fi
	return 0
}

# one_case KIND NAME CH PROG CMD...: runs it (stdout to $WORK/out), judges,
# checks the log, and that a plain publish works afterwards
one_case() {
	local kind=$1 ch=$3 prog=$4 rc before=$bad
	case=$2
	shift 4
	cases=$((cases + 1))
	kinds[$kind]=$((${kinds[$kind]:-0} + 1))
	timeout 20 "$@" > "$WORK/out" 2> "$WORK/err" < "${CASE_STDIN:-/dev/null}"
	rc=$?
	judge "$prog" "$rc" "$WORK/err"
	# what it acknowledged counts from now on
	if [ "$prog" = sse-publish ] && [ -n "${CASE_TAGS:-}" ]; then
		paste -d' ' "$WORK/out" "$CASE_TAGS" | awk -v ch="$ch" 'NF == 3 { print $1, $2, $3, ch }' >> "$ACKED"
	fi
	verify_log "$ch"
	# the fault gone, publishing works (a full disk is emptied later)
	[ "$kind" = diskfull ] || publish_ok "$ch"
	((bad == before)) && ok=$((ok + 1))
}

# a plain publish works (the fault is gone)
publish_ok() {
	local a id
	a=$(pub_args ok)
	id=$("$TOP/$B/sse-publish" --spool "$SP" "$1" "$a" 2> "$WORK/ok.err") || { fail "publishing after the fault: $(cat "$WORK/ok.err")"; return 1; }
	echo "$id ${a% 0 0 } $1" >> "$ACKED"
}

# a GET of CH: env "${GET[@]}" PATH_INFO=/CH VAR=VALUE... PROG
GET=(GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SSE_SPOOL_DIR="$SP")

# a channel with some history
new_channel() { # CH [EVENTS]
	"$TOP/$B/sse-publish" --spool "$SP" --create "$1" || exit 1
	for ((i = 0; i < ${2:-3}; i++)); do publish_ok "$1"; done
}

SECONDS=0
# publish_case KIND NAME CH MODE(argv|raw) ENV...: sse-publish under ENV
publish_case() {
	local kind=$1 name=$2 ch=$3 mode=$4 a
	shift 4
	: > "$WORK/tags"
	if [ "$mode" = raw ]; then
		: > "$WORK/in"
		for _ in $(seq 40); do
			a=$(pub_args r)
			echo "${a% 0 0 }" >> "$WORK/tags"
			printf 'data: %s\n\n' "$a" >> "$WORK/in"
		done
		CASE_STDIN=$WORK/in CASE_TAGS=$WORK/tags one_case "$kind" "$name raw" "$ch" sse-publish \
			env "$@" "$PUBLISH" --spool "$SP" --raw "$ch"
	else
		a=$(pub_args a)
		echo "${a% 0 0 }" > "$WORK/tags"
		CASE_TAGS=$WORK/tags one_case "$kind" "$name argv" "$ch" sse-publish env "$@" "$PUBLISH" --spool "$SP" "$ch" "$a"
	fi
}
PUBLISH=$TOP/$DYN/sse-publish
CGI=$TOP/$DYN/sse.cgi

# --- EIO and ENOSPC on each file of the log, from the shim ----------------
nch=0
for e in EIO ENOSPC; do
	for spec in write:/seg- write:/hwm write:/log/index sync:/seg- sync:/hwm sync:log/index \
		open:/seg- open:/log/index open:/hwm; do
		op=${spec%%:*} path=${spec#*:}
		for mode in argv raw; do
			for after in 0 $((RANDOM % 3 + 1)); do
				# a fresh channel: its first event reserves ids (writes hwm)
				nch=$((nch + 1))
				# the hwm is rewritten only at a reservation: the channel's first
				new_channel "c$nch" "$([[ $path == /hwm ]] && echo 0 || echo 3)"
				publish_case io "$e $spec after $after" "c$nch" "$mode" LD_PRELOAD="$SHIM" SSE_SYNC=1 \
					SSE_FAULT_OPS="$op" SSE_FAULT_PATH="$path" SSE_FAULT_ERRNO="$e" SSE_FAULT_AFTER="$after"
			done
		done
	done
done
# reading: a resuming stream, and a stream taking the drop-box while its
# appends fail (the file must stay until taken)
new_channel rd
for e in EIO ENOSPC; do
	for spec in read:/seg- read:/log/index open:/seg- open:/log/index; do
		op=${spec%%:*} path=${spec#*:}
		one_case io "sse.cgi $e $spec" rd sse.cgi env "${GET[@]}" PATH_INFO=/rd HTTP_LAST_EVENT_ID=1 SSE_MAX_LIFETIME=1 LD_PRELOAD="$SHIM" \
			SSE_FAULT_OPS="$op" SSE_FAULT_PATH="$path" SSE_FAULT_ERRNO="$e" "$CGI"
	done
done
echo "io: $((SECONDS))s" >&2

# --- EMFILE: a low ulimit -n ---------------------------------------------
# the build under test: the dynamic loader itself needs descriptors
PUBLISH=$TOP/$B/sse-publish
new_channel mf
printf 'data: drop 0 0 0 \n' > "$SP/mf/incoming/d1"
limits="3 4 5 6 7 8 9 10 12 16"
# the sanitizers' runtime (its loader, LeakSanitizer) needs descriptors too
[[ $B == *asan* ]] && limits="9 10 12 16 20"
for n in $limits; do
	for mode in argv raw; do
		publish_case emfile "ulimit -n $n" mf "$mode" bash -c "ulimit -n $n && exec \"\$0\" \"\$@\""
	done
	# a stream resuming and taking the drop-box
	one_case emfile "sse.cgi ulimit -n $n" mf sse.cgi env "${GET[@]}" PATH_INFO=/mf HTTP_LAST_EVENT_ID=1 \
		SSE_MAX_LIFETIME=1 bash -c "ulimit -n $n && exec \"\$0\"" "$TOP/$B/sse.cgi"
done
echo "emfile: $((SECONDS))s" >&2
PUBLISH=$TOP/$DYN/sse-publish

# --- failed allocations: the Nth and every later one ---------------------
# sweep KIND NAME CH PROG CMD...: counts the run's allocations, then fails
# each index in turn (every STEP-th in the short version)
sweep() {
	local kind=$1 name=$2 ch=$3 prog=$4 total step
	shift 4
	rm -f "$WORK/count"
	env SSE_FAULT_COUNT="$WORK/count" LD_PRELOAD="$SHIM" "$@" > /dev/null 2>&1 < "${CASE_STDIN:-/dev/null}"
	total=$(awk '{ print $1 }' "$WORK/count" 2> /dev/null | tail -1)
	[ -n "$total" ] && ((total > 0)) || { fail "$name: no allocations counted"; return; }
	step=1
	((LONG == 0 && total > 40)) && step=$((total / 40))
	for ((i = 1; i <= total; i += step)); do
		one_case malloc "$name malloc $i/$total" "$ch" "$prog" env LD_PRELOAD="$SHIM" SSE_FAULT_MALLOC=$i "$@"
	done
}
new_channel ma
a=$(pub_args m)
sweep malloc "sse-publish argv" ma sse-publish "$TOP/$DYN/sse-publish" --spool "$SP" ma "$a"
: > "$WORK/in"
for i in $(seq 30); do printf 'data: m %d 0 0 \n\n' "$i" >> "$WORK/in"; done
CASE_STDIN=$WORK/in sweep malloc "sse-publish --raw" ma sse-publish "$TOP/$DYN/sse-publish" --spool "$SP" --raw ma
# a resuming GET that ends itself after a second
sweep malloc "sse.cgi resume" ma sse.cgi "${GET[@]}" PATH_INFO=/ma HTTP_LAST_EVENT_ID=1 SSE_MAX_LIFETIME=1 "$TOP/$DYN/sse.cgi"
echo "malloc: $((SECONDS))s" >&2

# --- a drop-box file of more than one batch, the disk full in its middle ----
# The first 64 events are committed before the write that fails: the file
# keeps only the rest, which a later take publishes; each event once.
case="drop-box file cut by ENOSPC"
cases=$((cases + 1))
before=$bad
new_channel big
for i in $(seq 100); do printf 'data: big %d 0 0 \n\n' "$i"; done > "$SP/big/incoming/.f"
mv "$SP/big/incoming/.f" "$SP/big/incoming/f"
timeout 20 env "${GET[@]}" SSE_SPOOL_DIR="$SP" PATH_INFO=/big SSE_MAX_LIFETIME=1 \
	LD_PRELOAD="$SHIM" SSE_FAULT_OPS=write SSE_FAULT_PATH=/seg- SSE_FAULT_AFTER=70 \
	"$TOP/$DYN/sse.cgi" > /dev/null 2> "$WORK/big.err"
grep -q "^sse.cgi: event from '$SP/big/incoming/f' not published yet: .*/seg-.*No space left on device" "$WORK/big.err" ||
	fail "no line for the cut file: $(cat "$WORK/big.err")"
[ -f "$SP/big/incoming/f" ] && [ "$(grep -c '^data: big' "$SP/big/incoming/f")" = 30 ] ||
	fail "the file does not keep its last 30 events: $(ls -a "$SP/big/incoming")"
timeout 20 env "${GET[@]}" SSE_SPOOL_DIR="$SP" PATH_INFO=/big SSE_MAX_LIFETIME=1 "$TOP/$B/sse.cgi" > /dev/null 2>&1
"$BLT" verify "$SP" big > "$WORK/log" 2> "$WORK/verify.err" || fail "verify: $(cat "$WORK/verify.err")"
[ "$(awk '$2 == "big" { print $3 }' "$WORK/log" | tr '\n' ' ')" = "$(seq 100 | tr '\n' ' ')" ] ||
	fail "not each of the 100 events once, in order: $(awk '{ print $3 }' "$WORK/log" | tr '\n' ' ')"
[ -z "$(ls -A "$SP/big/incoming")" ] || fail "the drop-box is not empty: $(ls -A "$SP/big/incoming")"
((bad == before)) && ok=$((ok + 1))

# --- disk full: a tiny tmpfs as the spool ---------------------------------
# Root only (mount); otherwise the shim's ENOSPC above stands for it.
diskfull=shim
DF=$WORK/full
mkdir -p "$DF"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k,mode=0755 sse-full "$DF" 2> /dev/null; then
	diskfull=tmpfs
	trap 'kill $(jobs -p) 2> /dev/null; umount "$DF" 2> /dev/null; h_cleanup' EXIT
	SPD=$SP SP=$DF
	PUBLISH=$TOP/$B/sse-publish
	new_channel df
	printf 'data: drop 1 0 0 \n' > "$SP/df/incoming/d1"
	# several events in one file: all of them go in, or none until space returns
	printf 'data: drop %d 0 0 \n\n' 2 3 4 > "$SP/df/incoming/d2"
	dd if=/dev/zero of="$SP/filler" bs=4k 2> /dev/null
	# publish until the disk says no: the segment's last page too
	for ((i = 0; i < 400; i++)); do
		a=$(pub_args full)
		id=$("$PUBLISH" --spool "$SP" df "$a" 2> /dev/null) || break
		echo "$id ${a% 0 0 } df" >> "$ACKED"
	done
	((i < 400)) || fail "disk full: 400 events went into a full tmpfs"
	# a stream takes the intake over while the disk is full
	env "${GET[@]}" SSE_SPOOL_DIR="$SP" PATH_INFO=/df SSE_MAX_LIFETIME=5 "$TOP/$B/sse.cgi" > /dev/null 2> "$WORK/df-cgi.err" &
	dfcgi=$!
	sleep 0.3
	publish_case diskfull "disk full" df argv
	publish_case diskfull "disk full" df raw
	# the fifo's event and the drop-box file wait while the disk is full
	timeout 2 bash -c 'printf "data: fifo 1 0 0 \n\n" > "$1"' _ "$SP/df/fifo" || fail "disk full: cannot write the fifo"
	sleep 1.2
	[ -f "$SP/df/incoming/d1" ] || "$BLT" verify "$SP" df | grep -q " drop 1$" ||
		fail "disk full: the drop-box file is gone, unpublished: $(ls -a "$SP/df/incoming" | tr "\n" " ") $(cat "$WORK/df-cgi.err")"
	# still waiting, not lost: both are in the log only once space returns
	"$BLT" verify "$SP" df 2> /dev/null | grep -q -E ' (fifo 1|drop 2)$' &&
		fail "disk full: the fifo or drop-box event went into a full disk"
	cases=$((cases + 1))
	rm -f "$SP/filler"
	wait "$dfcgi"
	# every line of the stream's: clear (the retries each say it once)
	dflines=$(wc -l < "$WORK/df-cgi.err")
	grep -v -E "^sse.cgi: (.*'/.*(No space left on device)|events from '/.*' published again)" "$WORK/df-cgi.err" &&
		fail "disk full: an unclear line from sse.cgi"
	((dflines > 0)) || fail "disk full: sse.cgi said nothing"
	verify_log df
	grep -q ' drop 1$' "$WORK/log" || fail "disk full: the drop-box event was not published once space returned"
	[ "$(grep -c -E ' drop [234]$' "$WORK/log")" = 3 ] ||
		fail "disk full: the three-event drop-box file was not published whole: $(grep ' drop ' "$WORK/log" | tr '\n' ' ')"
	[ "$(awk '$2 == "drop" || $2 == "fifo" { print $2, $3 }' "$WORK/log" | sort | uniq -d | wc -l)" = 0 ] ||
		fail "disk full: an event published twice"
	# An event read from the fifo while the disk is full is kept by the
	# holder and published once space returns; said once.
	fifo_lost=0
	if ! grep -q ' fifo 1$' "$WORK/log"; then
		fifo_lost=1
		fail "disk full: the fifo event was lost: $(cat "$WORK/df-cgi.err")"
	fi
	# one line when the stall begins (whichever source met it), one when it ends
	grep -q "^sse.cgi: event from '$SP/df/.*' not published yet: .*No space left on device" "$WORK/df-cgi.err" &&
		grep -q "^sse.cgi: events from '$SP/df/.*' published again" "$WORK/df-cgi.err" ||
		fail "disk full: the wait and its end were not said"
	publish_ok df
	((bad)) || ok=$((ok + 1))
	SP=$SPD
	umount "$DF" || fail "cannot unmount $DF"
fi
echo "diskfull ($diskfull): $((SECONDS))s" >&2

h_result faults cases=$cases ok=$ok error_lines=$errlines worked=$works diskfull=$diskfull \
	diskfull_cgi_lines=${dflines:-0} diskfull_fifo_lost=${fifo_lost:-0} seconds=$SECONDS
exit $bad
