#!/bin/bash
# Crash consistency: every kind of producer and reader killed with SIGKILL
# at random moments, in rounds; after each round everything stops and is
# checked (test/harden/crash-check.py):
#   producers  sse-publish CH DATA, sse-publish --raw (ids printed), the C
#              library (test/tools/libpub publish: the public lib/sse.h API),
#              the log with topics (test/tools/logtool publish, tag M: plain
#              events mixed with ones that carry topics, private ones, hub
#              ids given or generated; test/tools/metarule.h),
#              fifo writers and drop-box writers (libpub fifo / dropbox)
#   readers    sse.cgi processes (CGI environment, as a web server runs
#              them) and the workers of an sse-fcgi pool (it replaces them);
#              each has a client that keeps the bytes it received and, when
#              its stream dies, reconnects with Last-Event-ID = the last id
#              it dispatched (as a browser does)
#   checks     the logs (logtool verify: no torn event, ids strictly
#              increasing, each metadata record as published, and a channel's
#              view of an event its wire bytes without the record, nothing
#              for a private one), acknowledged ids present with their event and
#              never given twice, drop-box files published exactly once,
#              fifo events never twice (and present when written while no
#              holder was killed), every client's events intact, in order,
#              no duplicate and no hole that an sse-gap does not announce.
# Channel "big" keeps every event (no gap expected); channel "small" keeps
# 50, with slow clients, so sse-gap happens and is checked.
# Every event's data is "TAG SEQ LEN CRC PAYLOAD" (logtool's format); TAG
# says who produced it: A sse-publish DATA, R --raw, L the library, M the
# log with topics, F fifo, D drop-box, then a number. Clients (channel URLs)
# must never receive a private M event.
#   usage: crash.sh [--long]   (SSE_CRASH_KILLS=N overrides the kill count)
# Short: 300 kills (100 on a sanitizer build), in rounds of 150 (50);
# --long: 10,000 kills in rounds of 500.
. "$(dirname "$0")/common.sh"
set -u
if [ "$LONG" = 1 ]; then
	KILLS=${SSE_CRASH_KILLS:-10000} PER_ROUND=500 LIMIT=5400
elif [[ $B == *asan* ]]; then
	KILLS=${SSE_CRASH_KILLS:-100} PER_ROUND=50 LIMIT=85
else
	KILLS=${SSE_CRASH_KILLS:-300} PER_ROUND=150 LIMIT=85
fi
abs() { readlink -f "$1"; }
PUB=$(abs "$B/sse-publish") CGI=$(abs "$B/sse.cgi") FCGI=$(abs "$B/sse-fcgi")
LT=$(abs "$B/test/logtool") LP=$(abs "$B/test/libpub") FC=$(abs "$B/test/fcgiclient")
for p in "$PUB" "$CGI" "$FCGI" "$LT" "$LP" "$FC"; do
	[ -x "$p" ] || { echo "crash: no $p: run make O=$B tests first" >&2; exit 1; }
done
SP=$WORK/spool SOCK=$WORK/fcgi.sock
mkdir -p "$SP" "$WORK"/{ack,raw,wrote,must,log,cl}
"$PUB" --spool "$SP" --history 1000000 --create big || exit 1
"$PUB" --spool "$SP" --history 50 --create small || exit 1
START=$SECONDS
# The shell's own notes on the jobs we kill ("Killed", "Terminated") go
# to a file; whatever else it says is shown at the end.
exec 3>&2 2>>"$WORK/shell.err"
DEADLINE=$((SECONDS + LIMIT))

# --- producers ---------------------------------------------------------------
declare -A role chan_of
ntag=0 producers=0
# A --raw publisher reads events as they are generated, so it is killed
# with some of them published, some in its buffer, some not yet written.
start_producer() { # KIND CH
	local kind=$1 ch=$2 tag
	ntag=$((ntag + 1)) producers=$((producers + 1))
	case $kind in
	arg | argloop)
		tag=A$ntag
		kind=argloop
		argloop "$ch" "$tag" >"$WORK/ack/$ch.$tag" 2>>"$WORK/argloop.err" &
		;;
	raw)
		tag=R$ntag
		"$PUB" --spool "$SP" --raw "$ch" < <("$LP" gen "$tag" 0 1000000 raw 10000 2>/dev/null) \
			>"$WORK/raw/$ch.$tag" 2>>"$WORK/prod.err" &
		;;
	lib)
		tag=L$ntag
		"$LP" publish "$SP" "$ch" "$tag" 0 1000000 10000 >"$WORK/ack/$ch.$tag" 2>>"$WORK/prod.err" &
		;;
	meta)
		tag=M$ntag
		"$LT" publish "$SP" "$ch" "$tag" 1000000 $((RANDOM % 3 + 1)) 10000 >"$WORK/ack/$ch.$tag" \
			2>>"$WORK/prod.err" &
		;;
	fifo)
		tag=F$ntag
		"$LP" fifo "$SP/$ch/fifo" "$tag" 0 1000000 10000 >"$WORK/wrote/$ch.$tag" 2>>"$WORK/prod.err" &
		;;
	dropbox)
		tag=D$ntag
		"$LP" dropbox "$SP/$ch/incoming" "$tag" 0 1000000 20000 >"$WORK/wrote/$ch.$tag" 2>>"$WORK/prod.err" &
		;;
	esac
	role[$!]=$kind chan_of[$!]=$ch
}

# sse-publish CH DATA, one process per event: prints "ack ID TAG SEQ" when
# it printed the id (a kill may come before). Such a process lives about a
# millisecond, too short to be found by the kill loop: the loop itself
# kills one in 32, 0 to 2 ms after starting it (a kill counts when it
# found the process running: status 137). On "small" without a pause.
argloop() { # CH TAG
	local seq=0 line id p
	while IFS= read -r line; do
		# a kill may come before the child's own redirection
		: >"$WORK/arg.$2"
		"$PUB" --spool "$SP" "$1" "$line" >"$WORK/arg.$2" 2>>"$WORK/prod.err" &
		p=$!
		if ((RANDOM % 32 == 0)); then
			read -r -t "0.00$((RANDOM % 2))$((RANDOM % 10))$((RANDOM % 10))" -u 4 _
			kill -KILL "$p" 2>/dev/null
		fi
		wait "$p"
		[ $? -eq 137 ] && echo "$2" >>"$WORK/argkills"
		if read -r id <"$WORK/arg.$2"; then echo "ack $id $2 $seq"; fi
		seq=$((seq + 1))
	done < <("$LP" gen "$2" 0 1000000 line "$([ "$1" = small ] && echo 0 || echo 10000)")
}

# Drop-box and fifo writers only on "big": what they wrote is checked in the
# log, which must still hold it.
PRODUCERS="arg:big arg:small raw:big raw:small lib:big lib:small meta:big meta:small fifo:big fifo:big dropbox:big"
start_producers() {
	local p
	for p in $PRODUCERS; do start_producer "${p%%:*}" "${p#*:}"; done
}

stop_producers() {
	local p
	for p in "${!role[@]}"; do
		[ "${role[$p]}" = argloop ] && pkill -KILL -P "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		unset "role[$p]" "chan_of[$p]"
	done
}

# --- readers and their clients -----------------------------------------------
# A slow client: runs the command (the reader) into a pipe of 4 kB
# (F_SETPIPE_SZ) and reads 1 kB from it every 20 ms until the round ends:
# the stream falls behind the 50 events of "small", and the lag is in the
# log, where sse-gap tells it, not in the pipe.
SLOW='import fcntl, os, subprocess, sys, time
stop = sys.argv[1]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)
p = subprocess.Popen(sys.argv[2:], stdout=w)
os.close(w)
while True:
    b = os.read(r, 1024)
    if not b:
        break
    os.write(1, b)
    if not os.path.exists(stop):
        time.sleep(0.02)
p.wait()'
# The id a browser would send on reconnecting: the last event ID buffer at
# the last dispatch (a blank line); an event cut by the kill is not dispatched.
LASTID='/^id: / { buf = substr($0, 5) } /^$/ { if (buf != "") last = buf } END { print last }'
client() { # ID cgi|fcgi CH fast|slow ROUND
	local d=$WORK/cl/$1 kind=$2 ch=$3 speed=$4 n=0 last="" f l
	mkdir -p "$d"
	echo "$ch" >"$d/chan"
	[ -f "$d/last" ] && last=$(<"$d/last")
	local -a env=(env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO="/$ch" SSE_SPOOL_DIR="$SP"
		SSE_HEARTBEAT=600)
	while [ ! -e "$WORK/stop" ] && ((n < 100000 && SECONDS < DEADLINE)); do
		n=$((n + 1))
		f=$d/conn.$(printf '%05d.%06d' "$5" "$n")
		printf '%s' "$last" >"$f.sent"
		case $kind.$speed in
		cgi.fast) "${env[@]}" ${last:+HTTP_LAST_EVENT_ID=$last} "$CGI" >"$f" 2>>"$WORK/cgi.err" ;;
		cgi.slow) python3 -c "$SLOW" "$WORK/stop" "${env[@]}" ${last:+HTTP_LAST_EVENT_ID=$last} "$CGI" \
			>"$f" 2>>"$WORK/cgi.err" ;;
		fcgi.fast) "$FC" -t "$LIMIT" "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO="/$ch" \
			${last:+HTTP_LAST_EVENT_ID=$last} >"$f" 2>>"$WORK/fcgiclient.err" ;;
		fcgi.slow) python3 -c "$SLOW" "$WORK/stop" "$FC" -t "$LIMIT" "unix:$SOCK" REQUEST_METHOD=GET \
			PATH_INFO="/$ch" ${last:+HTTP_LAST_EVENT_ID=$last} >"$f" 2>>"$WORK/fcgiclient.err" ;;
		esac
		l=$(awk "$LASTID" "$f")
		[ -n "$l" ] && last=$l
		# a browser waits its retry time; a short one here
		sleep "0.0$((RANDOM % 5))"
	done
	printf '%s\n' "$last" >"$d/last"
}

CLIENTS="cgi:big:fast cgi:big:fast fcgi:big:fast fcgi:big:fast cgi:small:fast cgi:small:slow fcgi:small:slow"
declare -a client_pids
start_clients() { # ROUND
	local c i=0
	client_pids=()
	for c in $CLIENTS; do
		i=$((i + 1))
		IFS=: read -r kind ch speed <<<"$c"
		client "c$i-$kind-$ch-$speed" "$kind" "$ch" "$speed" "$1" &
		client_pids+=($!)
	done
}

# Our processes only: by the path of their executable.
pids_of() { # EXE [NAME]
	local p
	for p in $(pgrep -x "${2:-$(basename "$1")}"); do
		[ "/proc/$p/exe" -ef "$1" ] && echo "$p"
	done
}

POOL=
start_pool() {
	"$FCGI" --listen "unix:$SOCK" --spool "$SP" --workers 2 --heartbeat 600 2>>"$WORK/pool.err" &
	POOL=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && [ -n "$(pgrep -P "$POOL")" ] && return 0
		sleep 0.05
	done
	echo "crash: sse-fcgi did not start:" >&2
	cat "$WORK/pool.err" >&2
	return 1
}

stop_all() {
	local p
	stop_producers
	touch "$WORK/stop"
	for p in "${client_pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
	for p in $(pids_of "$CGI"); do kill -KILL "$p" 2>/dev/null; done
	if [ -n "$POOL" ] && kill -TERM "$POOL" 2>/dev/null; then
		for _ in $(seq 40); do kill -0 "$POOL" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$POOL" 2>/dev/null
	fi
	wait 2>/dev/null
}
trap 'stop_all; h_cleanup' EXIT

# --- a round -------------------------------------------------------------------
kills=0 rounds=0 bad=0
declare -A killed=([arg]=0 [raw]=0 [lib]=0 [meta]=0 [fifo]=0 [dropbox]=0 [cgi]=0 [fcgi]=0)
# sse-publish DATA ("arg") kills itself (argloop)
KINDS=(raw lib meta fifo dropbox cgi fcgi)

# A random victim of that kind, or nothing when none runs right now.
victim() { # KIND
	local -a c=()
	local p
	case $1 in
	cgi) c=($(pids_of "$CGI")) ;;
	fcgi) c=($(pgrep -P "$POOL")) ;;
	*) for p in "${!role[@]}"; do [ "${role[$p]}" = "$1" ] && c+=("$p"); done ;;
	esac
	[ ${#c[@]} -gt 0 ] && echo "${c[RANDOM % ${#c[@]}]}"
}

run_round() { # ROUND
	local r=$1 target=$((kills + PER_ROUND)) kind v p ch tries=0
	rm -f "$WORK/stop"
	start_clients "$r"
	start_producers
	while ((kills < target && kills < KILLS && SECONDS < DEADLINE && tries < 20 * PER_ROUND)); do
		tries=$((tries + 1))
		# 0 to 40 ms, without a process
		read -r -t "0.0$((RANDOM % 4))$((RANDOM % 10))" -u 4 _
		kind=${KINDS[RANDOM % ${#KINDS[@]}]}
		v=$(victim "$kind")
		[ -n "$v" ] || continue
		kill -KILL "$v" 2>/dev/null || continue
		kills=$((kills + 1)) killed[$kind]=$((killed[$kind] + 1))
		# a killed producer is replaced by a new one (a new tag)
		for p in "${!role[@]}"; do
			kill -0 "$p" 2>/dev/null && continue
			wait "$p" 2>/dev/null
			ch=${chan_of[$p]} kind=${role[$p]}
			unset "role[$p]" "chan_of[$p]"
			start_producer "$kind" "$ch"
		done
	done
	stop_producers
	# the kills of sse-publish DATA, made by argloop
	p=$(cat "$WORK/argkills" 2>/dev/null | wc -l)
	kills=$((kills + p - killed[arg])) killed[arg]=$p
	# Fifo events written while no holder is killed must all arrive.
	timeout 20 "$LP" fifo "$SP/big/fifo" "Fz$r" 0 50 >"$WORK/wrote/big.Fz$r" 2>>"$WORK/prod.err" &&
		echo "Fz$r" >>"$WORK/must/big"
	# Clients stop; sse.cgi ends as a web server ends it (SIGTERM), which
	# drains the fifo; the pool stays.
	# (again while they run: a client may have been connecting meanwhile)
	touch "$WORK/stop"
	for _ in $(seq 200); do
		for p in $(pids_of "$CGI") $(pids_of "$FC"); do kill -TERM "$p" 2>/dev/null; done
		v=0
		for p in "${client_pids[@]}"; do kill -0 "$p" 2>/dev/null && v=1; done
		[ "$v" = 0 ] && break
		sleep 0.05
	done
	for p in "${client_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && { echo "round $r: client $p did not stop within 10 s"; bad=1; }
		wait "$p" 2>/dev/null
	done
	# A last holder per channel (its lifetime ends it cleanly) takes what the
	# drop-box holds and resolves a take cut by a kill.
	local -a holders=()
	for ch in big small; do
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/$ch SSE_SPOOL_DIR=$SP SSE_MAX_LIFETIME=1 \
			timeout 10 "$CGI" >/dev/null 2>>"$WORK/cgi.err" &
		holders+=($!)
	done
	wait "${holders[@]}"
	left=$(find "$SP/big/incoming" -mindepth 1 -name '[!.]*' -o -name .taking | wc -l)
	[ "$left" -eq 0 ] || { echo "round $r: the drop-box still holds $left entries:"; ls -a "$SP/big/incoming" | head; bad=1; }
	# files a killed writer never renamed into place are not events
	find "$SP/big/incoming" -mindepth 1 -name '.D*' -delete
	for ch in big small; do
		"$LT" verify "$SP" "$ch" >"$WORK/log/$ch" 2>"$WORK/verify.err" ||
			{ echo "round $r: logtool verify $ch failed:"; cat "$WORK/verify.err"; bad=1; }
	done
	python3 test/harden/crash-check.py "$WORK" "$r" >"$WORK/check.out" || bad=1
	grep -v '^check ' "$WORK/check.out"
	# this round's records are checked: the next round starts afresh
	if [ "${KEEP:-0}" = 1 ]; then
		mkdir -p "$WORK/done/$r" && mv "$WORK"/{ack,raw,wrote,must} "$WORK/done/$r/" &&
			mkdir -p "$WORK"/{ack,raw,wrote,must} && cp -a "$WORK/cl" "$WORK/log" "$WORK/done/$r/"
	else
		rm -f "$WORK"/{ack,raw,wrote,must}/* "$WORK"/arg.*
	fi
	rm -f "$WORK"/cl/*/conn.*
}

# fd 4: a pipe no one writes to, for the reads that wait (no sleep process)
mkfifo "$WORK/nap" && exec 4<>"$WORK/nap" || exit 1
start_pool || exit 1
while ((kills < KILLS && SECONDS < DEADLINE && rounds < 1000 && bad == 0)); do
	rounds=$((rounds + 1))
	run_round "$rounds"
done
stop_all
# Nothing on stderr but what a kill explains: no producer error, no
# sanitizer report, no error line from a stream or the pool.
for f in prod.err cgi.err pool.err shell.err argloop.err fcgiclient.err; do
	[ -f "$WORK/$f" ] || continue
	if grep -v -E -e '^(.*: line [0-9]+: +[0-9]+ )?(Killed|Terminated)( |$)' \
		-e '^sse-fcgi\[[0-9]+\]: worker [0-9]+ \(pid [0-9]+\) was killed by signal 9; starting another$' \
		"$WORK/$f" >"$WORK/unexplained"; then
		echo "$f:"
		head -20 "$WORK/unexplained"
		bad=1
	fi
done
((kills >= KILLS)) || { echo "only $kills of $KILLS kills within ${LIMIT}s"; bad=1; }
check=$(grep '^check ' "$WORK/check.out" | cut -d' ' -f2-)
kinds=$(for k in arg "${KINDS[@]}"; do printf '%s:%d,' "$k" "${killed[$k]}"; done)
h_result crash kills=$kills rounds=$rounds seconds=$((SECONDS - START)) producers=$producers \
	killed=${kinds%,} $check
exit $bad
