#!/bin/bash
# bench/pool-cpu.sh - what one delivery costs sse-fcgi itself, without a web
# server: N direct FastCGI streams (test/tools/fcgiclient), EVENTS events
# written one at a time into the channel's fifo every 8 ms (slower than the
# 5 ms batching window, so each event is its own write per stream); prints
# the workers' CPU (utime+stime) per delivery.
#   bench/pool-cpu.sh [-n N] [-e EVENTS] [-w WORKERS]     (needs make tests)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${SSE_BUILD:-$ROOT/build}
N=1000 EVENTS=3000 WORKERS=2
while getopts "n:e:w:h" o; do
	case $o in
	n) N=$OPTARG ;; e) EVENTS=$OPTARG ;; w) WORKERS=$OPTARG ;;
	*) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -x "$B/sse-fcgi" ] && [ -x "$B/test/fcgiclient" ] || { echo "pool-cpu: run make tests first" >&2; exit 1; }
D=$(mktemp -d) || exit 1
trap 'kill "$P" 2>/dev/null; wait 2>/dev/null; rm -rf "$D"' EXIT
mkdir -p "$D/sp" && "$B/sse-publish" --spool "$D/sp" --create c >/dev/null || exit 1
"$B/sse-fcgi" --listen "unix:$D/s.sock" --spool "$D/sp" --workers "$WORKERS" 2>"$D/pool.err" &
P=$!
for _ in $(seq 100); do [ -S "$D/s.sock" ] && break; sleep 0.05; done
"$B/test/fcgiclient" -c "$N" -t $((EVENTS / 100 + 30)) -u "$EVENTS" "unix:$D/s.sock" REQUEST_METHOD=GET PATH_INFO=/c >"$D/out" &
C=$!
sleep 1.5
ticks() { local t=0 w; for w in $(pgrep -P "$P"); do set -- $(cut -d' ' -f14,15 "/proc/$w/stat"); t=$((t + $1 + $2)); done; echo "$t"; }
t0=$(ticks)
timeout $((EVENTS / 100 + 20)) python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
for i in range(1, int(sys.argv[2]) + 1):
    os.write(fd, b"data: %d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n" % i)
    time.sleep(0.008)
' "$D/sp/c/fifo" "$EVENTS"
wait "$C"
t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "client: $(cat "$D/out")"
python3 -c "import sys; t=($t1-$t0)/$hz; d=$N*$EVENTS; print(f'pool CPU {t:.2f} s for {d} deliveries: {t/d*1e6:.2f} us per delivery ($WORKERS workers)')"
