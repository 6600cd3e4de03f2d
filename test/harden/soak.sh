#!/bin/bash
# soak: many subscribers for a long time, then valgrind on a short run of
# each program.
#
# 1. sse-fcgi: a standalone pool behind nginx (bench/peers/sse-fcgi-nginx),
#    N subscribers (sseload), 10 events/s into the channel's fifo (sspub)
#    for D seconds; every few seconds the PSS/RSS of the pool's processes
#    and of nginx (/proc/PID/smaps_rollup) and the open descriptors of each pool process.
# 2. sse.cgi: the same with M streams behind lighttpd mod_cgi
#    (bench/peers/sse-cgi): the PSS of the streams together, their
#    descriptors.
#    Both pass when every subscriber got every event once (lost=0 dup=0),
#    memory after the warm-up (the first fifth) grew by less than 5 % and
#    descriptors stayed where they were.
# 3. valgrind memcheck (the dynamic build $DYN: memcheck cannot replace
#    malloc in a static program) on sse.cgi (a resume, events published
#    meanwhile, the lifetime ends it), sse-publish (argv, --event, --raw, a
#    refused name), sse-fcgi (one worker: streams, a resume, ?status, an
#    abort, SIGTERM) and sse-doctor (a ?probe stream through lighttpd, by URL
#    and from stdin): no error, nothing definitely or indirectly lost.
#
# Short (the suite): 300 subscribers / 100 streams for 20 s each (100 / 30
# for 20 s on a sanitizer build). --long: 15,000 subscribers and 1,000
# streams for 600 s each. The tools are ssebench's, in bench/ssebench/, built
# by make tests into $B/bench/.
. "$(dirname "$0")/common.sh"
set -u
BATS_TEST_DIRNAME=$TOP/test/bats
# wait_for, pid_alive, free_port, port_open; events_of
. "$TOP/test/bats/helpers.bash"
case $B in /*) ;; *) B=$TOP/$B ;; esac
case $DYN in /*) ;; *) DYN=$TOP/$DYN ;; esac
TOOLS=$B/bench
for f in "$B/sse-fcgi" "$B/sse.cgi" "$B/sse-publish" "$TOOLS/sseload" "$TOOLS/sspub"; do
	[ -x "$f" ] || { echo "soak: no $f: run make O=${SSE_BUILD:-build} tests first" >&2; exit 1; }
done
for p in nginx lighttpd valgrind curl; do
	command -v "$p" >/dev/null || { echo "soak: $p is not installed (scripts/deps.sh lists it)" >&2; exit 1; }
done

RATE=10
if [ "$LONG" = 1 ]; then
	FCGI_N=15000 CGI_N=1000 SECS=600 EVERY=10
elif [[ $B == *asan* ]]; then
	FCGI_N=100 CGI_N=30 SECS=20 EVERY=2
else
	FCGI_N=300 CGI_N=100 SECS=20 EVERY=2
fi
# 15,000 subscribers: the client holds one descriptor each, each pool worker
# its share, each nginx worker two per stream.
ulimit -n "$(ulimit -Hn)" || exit 1
[ "$(ulimit -n)" -ge $((FCGI_N + 256)) ] ||
	{ echo "soak: the descriptor limit ($(ulimit -Hn)) is below $FCGI_N subscribers" >&2; exit 1; }

BAD=0
bad() { echo "soak: FAIL: $*" >&2; BAD=1; }

# --- processes -------------------------------------------------------------

# Roots of everything started, stopped at exit whatever happens.
ROOTS=()

descendants() {
	local c

	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# stop_pids "PID...": SIGTERM to each root, then a bounded wait for the roots
# and all their descendants, then SIGKILL to what is left. (The name is the
# one the bench peers call.)
stop_pids() {
	local p all=()

	for p in $1; do
		pid_alive "$p" && all+=("$p" $(descendants "$p"))
	done
	[ ${#all[@]} -gt 0 ] || return 0
	kill -TERM $1 2>/dev/null
	for _ in $(seq 150); do
		for p in "${!all[@]}"; do
			pid_alive "${all[$p]}" || unset "all[$p]"
		done
		[ ${#all[@]} -eq 0 ] && return 0
		sleep 0.1
	done
	echo "soak: still running after 15 s, killed: ${all[*]}" >&2
	kill -KILL "${all[@]}" 2>/dev/null
	return 1
}

soak_cleanup() {
	[ ${#ROOTS[@]} -gt 0 ] && stop_pids "${ROOTS[*]}"
	h_cleanup
}
trap soak_cleanup EXIT

# sanitizer_in FILE...: an ASan/UBSan/LSan report in any of them fails.
sanitizer_in() {
	local f

	for f in "$@"; do
		if [ -f "$f" ] && grep -E -q 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$f"; then
			bad "sanitizer report in $f:"
			head -n 40 "$f" >&2
		fi
	done
}

# --- measuring -------------------------------------------------------------

# mem PID...: "PSS RSS ANON" in kB, summed over these processes (not their
# descendants); ANON is the PSS of anonymous pages (heap, stacks): what a
# leak makes grow. The PSS of shared libraries moves with the number of
# other processes mapping them (up to 6 % of a 300-stream pool on a shared
# machine), the anonymous pages only with this program's own.
mem() {
	local p files=()

	for p in "$@"; do
		[ -r "/proc/$p/smaps_rollup" ] && files+=("/proc/$p/smaps_rollup")
	done
	[ ${#files[@]} -gt 0 ] || { echo "0 0 0"; return; }
	awk '$1 == "Pss:" { p += $2 } $1 == "Rss:" { r += $2 } $1 == "Pss_Anon:" { a += $2 }
		END { print p + 0, r + 0, a + 0 }' "${files[@]}" 2>/dev/null
}

# fds PID...: open descriptors of each, "PID:N,PID:N..."
fds() {
	local p out=() f

	for p in "$@"; do
		f=(/proc/"$p"/fd/*)
		out+=("$p:${#f[@]}")
	done
	local IFS=,
	echo "${out[*]}"
}

fd_sum() { tr ',' '\n' <<<"$1" | awk -F: '{ n += $2 } END { print n + 0 }'; }

# The processes measured, per program: the stream holders (the pool's
# supervisor and workers; the sse.cgi processes) and the web server's.
streams_of() {
	case $PROG in
	sse-fcgi) echo "$POOL" $(pgrep -P "$POOL") ;;
	sse.cgi) pgrep -P "$HTTPD" ;;
	esac
}

# sample T: one line "T PSS RSS ANON SRV_PSS SRV_RSS SRV_ANON PROCS FDS PID:N,..."
sample() {
	local -a procs httpd
	local f

	procs=($(streams_of))
	# nginx's workers; lighttpd's children are the streams
	httpd=("$HTTPD")
	[ "$PROG" = sse-fcgi ] && httpd+=($(pgrep -P "$HTTPD"))
	f=$(fds "${procs[@]}")
	echo "$1 $(mem "${procs[@]}") $(mem "${httpd[@]}") ${#procs[@]} $(fd_sum "$f") $f"
}

# pct FIRST LAST: the growth from FIRST to LAST in percent
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a > 0 ? (b - a) * 100 / a : 999) }'; }

# field NAME LINE: the value of NAME=value in LINE
field() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# --- one soak ---------------------------------------------------------------

# soak PROG PEER SUBSCRIBERS
soak() {
	local peer=$2 n=$3 run port load pub t0 t i
	local res pres published established failed closed events missing dup expect lost
	local warm first last last_mem drift fd_first fd_last tol first_pids last_pids
	local pss_first pss_last rss_first rss_last rss_drift srv_first srv_last

	PROG=$1
	run=$WORK/$PROG
	mkdir -p "$run" && chmod 755 "$run" || exit 1
	port=$(free_port) || exit 1
	# the bench peer: its configuration, started in the foreground, pids in $RUN/pids
	RUN=$run PORT=$port N=$n PEERDIR=$TOP/bench/peers/$peer SSE_BUILD=$B
	# shellcheck disable=SC1090
	. "$PEERDIR/peer.sh" || exit 1
	peer_start || { bad "$PROG: the peer did not start"; return; }
	ROOTS+=($(cat "$RUN/pids"))
	case $PROG in
	sse-fcgi) POOL=$(sed -n 1p "$RUN/pids") HTTPD=$(sed -n 2p "$RUN/pids") ;;
	sse.cgi) HTTPD=$(sed -n 1p "$RUN/pids") ;;
	esac
	if ! wait_for "port_open $port" 150 0.1; then
		cat "$RUN"/*.log >&2
		bad "$PROG: the server did not listen on $port"
		peer_stop
		return
	fi

	# Subscribers: all at 1000/s, held for the run and a margin; nothing
	# reconnects, so a stream that ends shows as closed.
	"$TOOLS/sseload" -R "$run/ready" -t 30 "$SUB_URL" "$n" $((SECS + n / 1000 + 60)) 1000 \
		>"$run/load.out" 2>"$run/load.err" &
	load=$!
	ROOTS+=("$load")
	wait_for "[ -f $run/ready ] || ! pid_alive $load" $((n / 100 + 300)) 0.2 ||
		bad "$PROG: $n subscribers not connected in time"
	# as bench.sh: let the last streams reach their live position
	sleep 2

	: >"$run/samples"
	"$TOOLS/sspub" -q "$PUB_TARGET" "$RATE" "$SECS" >"$run/pub.out" 2>"$run/pub.err" &
	pub=$!
	ROOTS+=("$pub")
	t0=$(date +%s.%N)
	for ((i = 0; i < SECS * 4 + 120; i++)); do
		t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		sample "$t" >>"$run/samples"
		pid_alive "$pub" || break
		sleep "$EVERY"
	done
	wait "$pub"
	# the last events reach every subscriber, then the figures
	sleep 2
	sample end >>"$run/samples"
	kill -TERM "$load" 2>/dev/null
	wait "$load"
	peer_stop
	sanitizer_in "$RUN"/*.log

	res=$(grep '^RESULT ' "$run/load.out")
	pres=$(grep '^PUBRESULT ' "$run/pub.out")
	[ -n "$res" ] && [ -n "$pres" ] || {
		cat "$run/load.err" "$run/pub.err" >&2
		bad "$PROG: no result from sseload or sspub"
		return
	}
	published=$(field published "$pres")
	established=$(field established "$res") failed=$(field failed "$res") closed=$(field closed "$res")
	events=$(field events "$res") missing=$(field missing "$res") dup=$(field dup "$res")
	expect=$((published * n))
	lost=$((expect - (events - dup)))

	# Memory and descriptors: the first sample past the warm-up (a fifth
	# of the run) against the last one.
	warm=$(awk -v s="$SECS" '$1 != "end" && $1 >= s / 5 { print; exit }' "$run/samples")
	last=$(tail -n 1 "$run/samples")
	read -r _ pss_first rss_first first srv_first _ _ _ fd_first first_pids <<<"$warm"
	read -r _ pss_last rss_last last_mem srv_last _ _ _ fd_last last_pids <<<"$last"
	drift=$(pct "$first" "$last_mem") rss_drift=$(pct "$rss_first" "$rss_last")
	first_pids=$(tr ',' '\n' <<<"$first_pids" | cut -d: -f1 | sort | tr '\n' ' ')
	last_pids=$(tr ',' '\n' <<<"$last_pids" | cut -d: -f1 | sort | tr '\n' ' ')
	echo "# $PROG samples: seconds pss_kb rss_kb anon_kb server_pss_kb server_rss_kb server_anon_kb procs fds"
	cut -d' ' -f1-9 "$run/samples" | sed 's/^/#   /'
	h_result soak program="$PROG" subscribers="$n" seconds="$SECS" events="$events" lost="$lost" dup="$dup" \
		mem_first_kb="$first" mem_last_kb="$last_mem" drift_pct="$drift" fd_first="$fd_first" fd_last="$fd_last" \
		pss_first_kb="$pss_first" pss_last_kb="$pss_last" rss_first_kb="$rss_first" rss_last_kb="$rss_last" \
		rss_drift_pct="$rss_drift" server_pss_first_kb="$srv_first" server_pss_last_kb="$srv_last" \
		published="$published" established="$established" failed="$failed" closed="$closed" missing="$missing" \
		p99_us="$(field p99_us "$res")"

	[ "$published" -ge $((SECS * RATE * 9 / 10)) ] || bad "$PROG: only $published of $((SECS * RATE)) events published"
	[ "$established" = "$n" ] && [ "$failed" = 0 ] && [ "$closed" = 0 ] ||
		bad "$PROG: $established of $n subscribers held, $failed failed, $closed closed by the server"
	[ "$lost" = 0 ] && [ "$dup" = 0 ] && [ "$missing" = 0 ] ||
		bad "$PROG: $events events received, $expect expected: lost=$lost dup=$dup missing=$missing"
	[ "${first:-0}" -gt 0 ] && awk -v d="$drift" 'BEGIN { exit !(d < 5) }' ||
		bad "$PROG: anonymous memory grew from $first kB to $last_mem kB ($drift %) after the warm-up"
	[ "${rss_first:-0}" -gt 0 ] && awk -v d="$rss_drift" 'BEGIN { exit !(d < 5) }' ||
		bad "$PROG: resident memory grew from $rss_first kB to $rss_last kB ($rss_drift %) after the warm-up"
	# No stream ends, so no descriptor should move; a segment of the log
	# opened just before the old one is closed is the one expected wobble.
	tol=$((4 + 2 * (failed + closed)))
	[ "${fd_first:-0}" -gt 0 ] && [ $((fd_last - fd_first)) -le "$tol" ] && [ $((fd_first - fd_last)) -le "$tol" ] ||
		bad "$PROG: open descriptors went from $fd_first to $fd_last"
	[ "$first_pids" = "$last_pids" ] || bad "$PROG: processes changed during the run: $first_pids -> $last_pids"
}

# --- valgrind -------------------------------------------------------------

VG=$WORK/vg
# vg NAME CMD...: CMD under memcheck, one log per process (forked workers
# included) in $VG/NAME.PID.log; its exit status is CMD's (memcheck's own
# verdict is read from the logs by vg_result). vg_cmd NAME: the same command
# line in VGCMD, for a process in the background (its pid is memcheck's).
vg_cmd() {
	local f

	VGCMD=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes)
	for f in "$TOP"/test/harden/*.supp; do
		[ -f "$f" ] && VGCMD+=("--suppressions=$f")
	done
	VGCMD+=("--log-file=$VG/$1.%p.log")
}

vg() {
	vg_cmd "$1"
	shift
	"${VGCMD[@]}" "$@"
}

# vg_result NAME: one result line from NAME's logs; every process must have
# reached its summary, with no error and nothing lost.
vg_result() {
	local name=$1 logs errors leaks

	logs=("$VG/$name".*.log)
	[ -f "${logs[0]}" ] || { bad "valgrind $name: no log"; return; }
	errors=$(cat "${logs[@]}" | awk '/ERROR SUMMARY:/ { n += $4 } END { print n + 0 }')
	leaks=$(cat "${logs[@]}" | awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }')
	h_result valgrind program="$name" errors="$errors" leaks="$leaks" processes="${#logs[@]}"
	if [ "$(grep -l 'ERROR SUMMARY:' "${logs[@]}" | wc -l)" != "${#logs[@]}" ]; then
		bad "valgrind $name: a process did not reach its summary (killed?)"
	fi
	if [ "$errors" != 0 ] || [ "$leaks" != 0 ]; then
		bad "valgrind $name: $errors errors, $leaks bytes lost:"
		cat "${logs[@]}" >&2
	fi
}

# ids FILE: the ids of the events of a CGI or FastCGI response, one line
ids() {
	sed '1,/^\r\{0,1\}$/d' "$1" >"$1.body"
	events_of "$1.body" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'
}

# sse-publish: argv, --event, --raw (several events, CRLF, a comment), the
# refusals (bad name, event too large); the ids it prints.
vg_publish() {
	local sp=$VG/spool out rc

	mkdir -p "$sp" || return
	"$DYN/sse-publish" --spool "$sp" --create ch >/dev/null || { bad "sse-publish --create failed"; return; }
	out=$(vg sse-publish "$DYN/sse-publish" --spool "$sp" --create made) || bad "valgrind sse-publish --create"
	out=$(vg sse-publish "$DYN/sse-publish" --spool "$sp" ch one)
	[ "$out" = 1 ] || bad "valgrind sse-publish ch one: printed '$out'"
	out=$(vg sse-publish "$DYN/sse-publish" --spool "$sp" --event tick ch two)
	[ "$out" = 2 ] || bad "valgrind sse-publish --event: printed '$out'"
	out=$(printf 'data: three\r\n\r\n: a comment\nevent: e\ndata: four\ndata: 4b\n\ndata: five' |
		vg sse-publish "$DYN/sse-publish" --spool "$sp" --raw ch | tr '\n' ' ')
	[ "$out" = "3 4 5 " ] || bad "valgrind sse-publish --raw: printed '$out'"
	rc=0
	vg sse-publish "$DYN/sse-publish" --spool "$sp" 'bad/name' x 2>/dev/null || rc=$?
	[ "$rc" = 2 ] || bad "valgrind sse-publish bad/name: exit $rc, not 2"
	rc=0
	head -c 70000 /dev/zero | tr '\0' x | SSE_MAX_EVENT=65536 vg sse-publish "$DYN/sse-publish" --spool "$sp" ch 2>/dev/null || rc=$?
	[ "$rc" = 2 ] || bad "valgrind sse-publish of 70000 bytes: exit $rc, not 2"
	vg_result sse-publish
}

# sse.cgi: resumes from id 2 of 5, gets 3 more by sse-publish and 2 by its
# fifo while it streams, ends by SSE_MAX_LIFETIME.
vg_cgi() {
	local sp=$VG/spool-cgi pid rc=0 got

	mkdir -p "$sp" || return
	"$DYN/sse-publish" --spool "$sp" --create ch >/dev/null &&
		for i in 1 2 3 4 5; do "$DYN/sse-publish" --spool "$sp" ch "old $i" >/dev/null || return 1; done ||
		{ bad "sse-publish failed before sse.cgi's valgrind run"; return; }
	vg_cmd sse.cgi
	: >"$VG/cgi.out"
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 \
		SCRIPT_NAME=/sse.cgi PATH_INFO=/ch SSE_SPOOL_DIR="$sp" SSE_MAX_LIFETIME=8 HTTP_LAST_EVENT_ID=2 \
		timeout 60 "${VGCMD[@]}" "$DYN/sse.cgi" >"$VG/cgi.out" 2>"$VG/cgi.err" &
	pid=$!
	ROOTS+=("$pid")
	wait_for "grep -q 'old 5' $VG/cgi.out" 150 0.2 || bad "sse.cgi under valgrind did not replay"
	for i in 6 7 8; do "$DYN/sse-publish" --spool "$sp" ch "new $i" >/dev/null; done
	timeout 5 sh -c "printf 'data: fifo 9\n\n' > '$sp/ch/fifo' && printf 'event: e\ndata: fifo 10\n\n' > '$sp/ch/fifo'" ||
		bad "the fifo of sse.cgi's channel took no event"
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { bad "sse.cgi under valgrind: exit $rc"; cat "$VG/cgi.err" >&2; }
	got=$(ids "$VG/cgi.out")
	[ "$got" = "3 4 5 6 7 8 9 10" ] || { bad "sse.cgi under valgrind sent ids '$got', not 3..10"; cat "$VG/cgi.out" >&2; }
	vg_result sse.cgi
}

# sse-fcgi: one worker (forked: memcheck follows it); a resume, four
# concurrent streams while events arrive, ?status, an unknown channel, an
# aborted request; SIGTERM ends the pool.
vg_fcgi() {
	local sp=$VG/spool-fcgi sock=$VG/fcgi.sock pool rc=0 got fc=("$DYN/test/fcgiclient")

	mkdir -p "$sp" || return
	"$DYN/sse-publish" --spool "$sp" --create ch >/dev/null &&
		for i in 1 2 3; do "$DYN/sse-publish" --spool "$sp" ch "old $i" >/dev/null || return 1; done ||
		{ bad "sse-publish failed before sse-fcgi's valgrind run"; return; }
	vg_cmd sse-fcgi
	"${VGCMD[@]}" "$DYN/sse-fcgi" --listen "unix:$sock" --workers 1 --spool "$sp" --status 1 2>"$VG/fcgi.err" &
	pool=$!
	ROOTS+=("$pool")
	wait_for "[ -S $sock ] && [ -n \"\$(pgrep -P $pool)\" ]" 150 0.2 || { bad "sse-fcgi did not start under valgrind"; return; }
	"${fc[@]}" -t 30 "unix:$sock" REQUEST_METHOD=GET PATH_INFO=/ch HTTP_LAST_EVENT_ID=1 SSE_MAX_LIFETIME=2 >"$VG/fcgi.out" ||
		bad "sse-fcgi under valgrind: a stream did not end with END_REQUEST"
	got=$(ids "$VG/fcgi.out")
	[ "$got" = "2 3" ] || bad "sse-fcgi under valgrind resumed with ids '$got', not 2 3"
	"${fc[@]}" -c 4 -t 40 -u 8 "unix:$sock" REQUEST_METHOD=GET PATH_INFO=/ch HTTP_LAST_EVENT_ID=3 >"$VG/fcgi-c.out" &
	local cl=$!
	sleep 2
	for i in 4 5 6; do "$DYN/sse-publish" --spool "$sp" ch "new $i" >/dev/null; done
	timeout 5 sh -c "printf 'data: fifo 7\n\ndata: fifo 8\n\n' > '$sp/ch/fifo'" || bad "sse-fcgi's fifo took no event"
	wait "$cl"
	grep -q 'streams=4 .*events=20 .*disorder=0' "$VG/fcgi-c.out" ||
		{ bad "sse-fcgi under valgrind, 4 streams: $(cat "$VG/fcgi-c.out")"; }
	"${fc[@]}" -t 20 "unix:$sock" REQUEST_METHOD=GET QUERY_STRING=status SSE_STATUS=1 | grep -q '"ch"' ||
		bad "sse-fcgi under valgrind: no ?status"
	"${fc[@]}" -t 20 "unix:$sock" REQUEST_METHOD=GET PATH_INFO=/nothere | grep -q '^Status: 404' ||
		bad "sse-fcgi under valgrind: no 404 for an unknown channel"
	"${fc[@]}" -t 20 -a 1 "unix:$sock" REQUEST_METHOD=GET PATH_INFO=/ch >/dev/null
	kill -TERM "$pool"
	wait_for "! pid_alive $pool" 150 0.2 || bad "sse-fcgi under valgrind did not end on SIGTERM"
	wait "$pool" || rc=$?
	[ "$rc" = 0 ] || { bad "sse-fcgi under valgrind: exit $rc"; cat "$VG/fcgi.err" >&2; }
	vg_result sse-fcgi
}

# sse-doctor: a ?probe stream of sse.cgi behind lighttpd (the bench peer),
# by URL and from curl's raw output on stdin.
vg_doctor() {
	local port out

	RUN=$VG/doctor PORT=$(free_port) N=1 PEERDIR=$TOP/bench/peers/sse-cgi SSE_BUILD=$B
	port=$PORT
	mkdir -p "$RUN" && chmod 755 "$RUN" || return
	# shellcheck disable=SC1090
	. "$PEERDIR/peer.sh" && peer_start || { bad "sse-doctor: lighttpd did not start"; return; }
	ROOTS+=($(cat "$RUN/pids"))
	wait_for "port_open $port" 150 0.1 || { bad "sse-doctor: lighttpd did not listen"; peer_stop; return; }
	out=$(vg sse-doctor "$DYN/sse-doctor" "http://127.0.0.1:$port/sse.cgi" 2>&1) ||
		bad "sse-doctor under valgrind found fault with a streaming server: $out"
	# curl once memcheck has started the doctor: it times what it reads
	out=$({ sleep 3; curl -sN --raw -i --max-time 30 -H 'Accept-Encoding: gzip, deflate, br, zstd' \
		"http://127.0.0.1:$port/sse.cgi?probe"; } |
		vg sse-doctor "$DYN/sse-doctor" - 2>&1) ||
		bad "sse-doctor - under valgrind found fault with a streaming server: $out"
	peer_stop
	vg_result sse-doctor
}

PARTS=${H_ARGS[*]:-sse-fcgi sse.cgi valgrind}
for part in $PARTS; do
	case $part in
	sse-fcgi) soak sse-fcgi sse-fcgi-nginx "$FCGI_N" ;;
	sse.cgi) soak sse.cgi sse-cgi "$CGI_N" ;;
	valgrind)
		h_build_dyn || exit 1
		mkdir -p "$VG" && chmod 755 "$VG" || exit 1
		vg_publish
		vg_cgi
		vg_fcgi
		vg_doctor
		;;
	*) echo "soak: unknown part '$part' (sse-fcgi, sse.cgi, valgrind)" >&2; exit 2 ;;
	esac
done

exit $BAD
