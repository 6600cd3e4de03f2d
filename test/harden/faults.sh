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

# --- sse-fcgi: the pool (one worker) --------------------------------------
FSOCK=$WORK/fcgi.sock
CLIENT=$TOP/$B/test/fcgiclient
POOL=
trap '[ -n "$POOL" ] && kill -KILL "$POOL" 2> /dev/null; h_cleanup' EXIT
# pool_start ERRFILE PROG [PREFIX...]: sse-fcgi run by PREFIX (env, bash -c)
pool_start() {
	local e=$1 prog=$2
	shift 2
	rm -f "$FSOCK"
	"$@" "$prog" --listen "unix:$FSOCK" --spool "$SP" --workers 1 > /dev/null 2>> "$e" &
	POOL=$!
	# a worker failing its first allocations may be gone already
	for ((k = 0; k < 100; k++)); do
		[ -S "$FSOCK" ] && WPID=$(pgrep -P "$POOL") && return 0
		sleep 0.05
	done
	[ -S "$FSOCK" ] && kill -0 "$POOL" 2> /dev/null && return 0
	fail "sse-fcgi did not start: $(head -3 "$e")"
	pool_stop
	return 1
}
# SIGTERM; 3 s at most (the pool's own bound is 0.9 s)
pool_stop() {
	[ -n "$POOL" ] || return 0
	kill -TERM "$POOL" 2> /dev/null
	for ((k = 0; k < 60; k++)); do kill -0 "$POOL" 2> /dev/null || break; sleep 0.05; done
	if kill -0 "$POOL" 2> /dev/null; then
		fail "sse-fcgi did not stop in 3 s"
		kill -KILL "$POOL"
	fi
	wait "$POOL" 2> /dev/null
	POOL=
}
# pool_lines ERRFILE: no crash, no sanitizer report, every line clear
# (the worker's, or the supervisor's restart); counts them. libfcgi's own
# allocation failures abort (its Malloc asserts, "Unexpected error."): known,
# counted in flibfcgi_aborts, not a failure (fcgi/README.md)
flibfcgi_aborts=0
pool_lines() {
	local e=$1 l
	paborted=0
	if grep -q -E 'Sanitizer|runtime error|faultshim:' "$e"; then
		fail "sanitizer or shim report: $(grep -m3 -E 'Sanitizer|runtime error|faultshim:' "$e")"
	elif [ "$(grep -c 'killed by signal 6;' "$e")" = "$(grep -c '^Unexpected error\.$' "$e")" ] &&
		grep -q 'killed by signal 6;' "$e" && [ "${LIBFCGI_OOM:-0}" = 1 ]; then
		flibfcgi_aborts=$((flibfcgi_aborts + 1)) paborted=1
		sed -i -e '/^Unexpected error\.$/d' -e '/killed by signal 6;/d' "$e"
	elif grep -q 'killed by signal' "$e"; then
		fail "a worker crashed: $(grep -m1 'killed by signal' "$e")"
	fi
	l=$(grep -v -E "^sse-fcgi\[[0-9]+\]: .*('/|out of memory|libfcgi cannot be initialised|SSE_[A-Z_]+|ulimit -n|exited with status [0-9]+; starting another)" "$e" | head -3)
	[ -z "$l" ] || fail "unclear lines: $l"
	[ -n "${VERBOSE:-}" ] && echo "$case: $(cat "$e")" >&2
	fpool_lines=$((fpool_lines + $(wc -l < "$e")))
}
last_id() { awk -v ch="$1" '$4 == ch { print $1 }' "$ACKED" | tail -1; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
fpool_lines=0 fcases=0

# EMFILE: more clients than descriptors, on two channels, events meanwhile.
# The worker leaves what it cannot accept queued (saying so once) or ends a
# stream whose log it cannot open (one line); it does not spin, and serves
# every new stream once the clients have left.
new_channel mg
emfile_max_accept=0
flimits="32 48"
[[ $B == *asan* ]] && flimits="48 64"
for n in $flimits; do
	case="sse-fcgi ulimit -n $n"
	cases=$((cases + 1)) fcases=$((fcases + 1))
	kinds[emfile]=$((${kinds[emfile]:-0} + 1))
	before=$bad
	: > "$WORK/pool.err"
	pool_start "$WORK/pool.err" "$TOP/$B/sse-fcgi" bash -c "ulimit -n $n && exec \"\$@\"" _ || continue
	w=$WPID t0=$(cpu_ticks "$WPID")
	"$CLIENT" -c 30 -t 2.5 -u 1000000 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/mf HTTP_LAST_EVENT_ID=1 > "$WORK/c1" 2>&1 &
	c1=$!
	"$CLIENT" -c 10 -t 2.5 -u 1000000 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/mg HTTP_LAST_EVENT_ID=1 > "$WORK/c2" 2>&1 &
	c2=$!
	for k in 1 2 3 4; do sleep 0.4; publish_ok mf; publish_ok mg; done
	wait "$c1" "$c2"
	t1=$(cpu_ticks "$w")
	# more than a third of the 2.5 s on the CPU: a spin
	((t1 - t0 < 85)) || fail "the worker spun: $((t1 - t0)) ticks of CPU in 2.5 s"
	grep -q -E 'max=([4-9]|[1-9][0-9])' "$WORK/c1" || fail "no stream of mf was served: $(cat "$WORK/c1")"
	# the clients gone: five new streams, every event
	sleep 0.3
	id=$(($(last_id mf) + 1))
	"$CLIENT" -c 5 -t 5 -u "$id" "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/mf HTTP_LAST_EVENT_ID=1 > "$WORK/c3" 2>&1 &
	c3=$!
	sleep 0.3
	publish_ok mf
	wait "$c3"
	grep -q "^streams=5 open=5 ended=0 events=$((5 * (id - 1))) min=$((id - 1)) " "$WORK/c3" ||
		fail "new streams were not served after the clients left: $(cat "$WORK/c3")"
	kill -0 "$w" 2> /dev/null || fail "the worker is gone"
	pool_stop
	pool_lines "$WORK/pool.err"
	a=$(grep -c 'cannot accept' "$WORK/pool.err")
	((a > emfile_max_accept)) && emfile_max_accept=$a
	# once per spell without descriptors; a refused request says its own
	((a <= 40)) || fail "$a lines for the accepts"
	(($(wc -l < "$WORK/pool.err") <= 50)) || fail "$(wc -l < "$WORK/pool.err") lines: $(sort "$WORK/pool.err" | uniq -c | head -5)"
	verify_log mf && verify_log mg
	((bad == before)) && ok=$((ok + 1))
done
echo "fcgi emfile: $((SECONDS))s" >&2

# fserve OUT CH: a stream resuming from 1 for 0.8 s, an event published
# meanwhile; OUT has the stream
fserve() {
	"$CLIENT" -t 0.8 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO="/$2" HTTP_LAST_EVENT_ID=1 > "$1" 2> /dev/null &
	local c=$!
	sleep 0.3
	publish_ok "$2"
	wait "$c"
}
FCGI=$TOP/$DYN/sse-fcgi
# Failed allocations in the worker (the shim counts in forked children
# only, each from its fork): it serves, or says one line and exits, and the
# supervisor starts another
rm -f "$WORK/fcount"
: > "$WORK/pool.err"
pool_start "$WORK/pool.err" "$FCGI" env LD_PRELOAD="$SHIM" SSE_FAULT_FORKED=1 SSE_FAULT_COUNT="$WORK/fcount"
fserve "$WORK/out" ma
pool_stop
ftotal=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$WORK/fcount" 2> /dev/null)
((ftotal > 0)) || fail "sse-fcgi: no allocations counted in the worker"
grep -q "^id: $(last_id ma)" "$WORK/out" || fail "sse-fcgi under the shim did not serve: $(head -c 300 "$WORK/out")"
fstep=1
# the short run tries 16 to 32 of them, spread over the whole run
((LONG == 0 && ftotal > 32)) && fstep=$(((ftotal + 31) / 32))
fserved=0
for ((i = 1; i <= ftotal; i += fstep)); do
	case="sse-fcgi malloc $i/$ftotal"
	cases=$((cases + 1)) fcases=$((fcases + 1))
	kinds[malloc]=$((${kinds[malloc]:-0} + 1))
	before=$bad
	: > "$WORK/pool.err"
	pool_start "$WORK/pool.err" "$FCGI" env LD_PRELOAD="$SHIM" SSE_FAULT_FORKED=1 SSE_FAULT_MALLOC=$i || continue
	fserve "$WORK/out" ma
	pool_stop
	LIBFCGI_OOM=1 pool_lines "$WORK/pool.err"
	if grep -q "^id: $(last_id ma)" "$WORK/out"; then
		fserved=$((fserved + 1))
	elif ! [ -s "$WORK/pool.err" ] && ((paborted == 0)); then
		fail "not served, and not a word: $(head -c 200 "$WORK/out")"
	else
		errlines=$((errlines + 1))
	fi
	verify_log ma
	((bad == before)) && ok=$((ok + 1))
done
# the fault gone, the pool serves
: > "$WORK/pool.err"
pool_start "$WORK/pool.err" "$FCGI" && fserve "$WORK/out" ma
pool_stop
grep -q "^id: $(last_id ma)" "$WORK/out" || fail "sse-fcgi after the allocation faults: not served"
echo "fcgi malloc: $((SECONDS))s" >&2

# EIO reading a segment: the stream ends with one line; the worker goes on
case="sse-fcgi EIO read /seg-"
cases=$((cases + 1)) fcases=$((fcases + 1))
before=$bad
: > "$WORK/pool.err"
pool_start "$WORK/pool.err" "$FCGI" env LD_PRELOAD="$SHIM" SSE_FAULT_OPS=read SSE_FAULT_PATH=/seg- SSE_FAULT_ERRNO=EIO
w=$WPID
timeout 5 "$CLIENT" -t 3 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/ma HTTP_LAST_EVENT_ID=1 > "$WORK/out" 2> /dev/null
rc=$?
((rc == 0 || rc == 3)) || fail "the stream did not end (exit $rc)"
"$CLIENT" -t 2 "unix:$FSOCK" REQUEST_METHOD=GET QUERY_STRING=status SSE_STATUS=1 > "$WORK/st" 2>&1 ||
	fail "?status after the EIO: $(head -c 200 "$WORK/st")"
kill -0 "$w" 2> /dev/null || fail "the worker is gone"
pool_stop
pool_lines "$WORK/pool.err"
[ "$(wc -l < "$WORK/pool.err")" = 1 ] && grep -q "cannot read a segment of channel log '$SP/ma/.*Input/output error" "$WORK/pool.err" ||
	fail "not one line naming the segment: $(cat "$WORK/pool.err")"
verify_log ma
((bad == before)) && ok=$((ok + 1)) errlines=$((errlines + 1))

# ENOSPC on the segment while the worker holds the fifo: one line, the
# stream and the pool go on, the fifo's events are kept and published by
# the next holder (the pool restarted without the fault)
case="sse-fcgi ENOSPC write /seg- fifo"
cases=$((cases + 1)) fcases=$((fcases + 1))
before=$bad
new_channel ff
: > "$WORK/pool.err"
pool_start "$WORK/pool.err" "$FCGI" env LD_PRELOAD="$SHIM" SSE_FAULT_OPS=write SSE_FAULT_PATH=/seg-
w=$WPID
"$CLIENT" -t 2.5 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/ff > "$WORK/out" 2> /dev/null &
c=$!
sleep 0.3
timeout 2 bash -c 'printf "data: fifo 1 0 0 \n\ndata: fifo 2 0 0 \n\n" > "$1"' _ "$SP/ff/fifo" || fail "cannot write the fifo"
wait "$c"
(($? == 4)) || fail "the stream did not go on: $(head -c 200 "$WORK/out")"
kill -0 "$w" 2> /dev/null || fail "the worker is gone"
"$BLT" verify "$SP" ff 2> /dev/null | grep -q ' fifo ' && fail "a fifo event went into a failing segment"
pool_stop
pool_lines "$WORK/pool.err"
grep -q "^sse-fcgi\[[0-9]*\]: event from '$SP/ff/fifo' not published yet: .*/seg-.*No space left on device" "$WORK/pool.err" ||
	fail "no line for the refused event: $(cat "$WORK/pool.err")"
fenospc_lines=$(wc -l < "$WORK/pool.err")
((fenospc_lines <= 3)) || fail "$fenospc_lines lines: $(cat "$WORK/pool.err")"
: > "$WORK/pool.err"
pool_start "$WORK/pool.err" "$FCGI"
"$CLIENT" -t 1.5 "unix:$FSOCK" REQUEST_METHOD=GET PATH_INFO=/ff > "$WORK/out" 2> /dev/null
pool_stop
verify_log ff
[ "$(grep -c -E ' fifo [12]$' "$WORK/log")" = 2 ] ||
	fail "the fifo's events were not published once each after the restart: $(grep ' fifo ' "$WORK/log" | tr '\n' ' ') $(cat "$WORK/pool.err")"
((bad == before)) && ok=$((ok + 1)) errlines=$((errlines + 1))
echo "fcgi io: $((SECONDS))s" >&2

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
	diskfull_cgi_lines=${dflines:-0} diskfull_fifo_lost=${fifo_lost:-0} fcgi_cases=$fcases \
	fcgi_malloc=$ftotal fcgi_malloc_served=$fserved fcgi_lines=$fpool_lines \
	fcgi_emfile_accept_lines=$emfile_max_accept fcgi_enospc_lines=${fenospc_lines:-0} fcgi_libfcgi_aborts=$flibfcgi_aborts seconds=$SECONDS
exit $bad
