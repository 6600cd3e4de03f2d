#!/bin/bash
# bench/run.sh - the project's benchmark, in one run:
#   1. sse.cgi behind lighttpd (mod_cgi) and ssebench's PHP polling peer
#      (nginx + php-fpm, pm=static, max_children=N+20) at N=100 and N=1000,
#      10 events/s for 20 s (ssebench's bench.sh defaults); sse.cgi published
#      through the channel's fifo, and through one `sse-publish` per event;
#   2. idle server CPU of both with N subscribers and no event for 20 s;
#   3. append rates: libsse, `sse-publish --raw`, one `sse-publish` call.
# Prints the Markdown tables at the end (also in OUTDIR/tables.md).
#
#   bench/run.sh [-n "100 1000"] [-d PUBSECS] [-i IDLESECS] [-o OUTDIR]
#
#   -n LIST   subscriber counts (default "100 1000")
#   -d SECS   publishing time per run (default 20)
#   -i SECS   idle window (default 20: with it a heartbeat/ping of each
#             subscriber, both servers send one every 15 s, falls inside it)
#   -o DIR    where results go (default bench/out/run-DATE)
# Environment: SSEBENCH (default ../shared/ssebench beside the repository, copied, never written),
# SSE_BUILD (use this build dir instead of building bench/out/build).
# Needs root-ish rights for php-fpm's www-data pool (as ssebench does), lighttpd,
# nginx, php-fpm8.2. Every server is started and stopped (by pid) by bench.sh.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
SSEBENCH=${SSEBENCH:-$ROOT/../shared/ssebench}
NS="100 1000" PUBSECS=20 IDLESECS=20 RES=""
while getopts "n:d:i:o:h" o; do
	case $o in
	n) NS=$OPTARG ;; d) PUBSECS=$OPTARG ;; i) IDLESECS=$OPTARG ;; o) RES=$OPTARG ;;
	*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
. "$BENCH/common.sh"
bench_results run
# One inotify instance per sse.cgi stream (doc/troubleshooting.md, "Limits to know").
need=0
for n in $NS; do [ "$n" -gt "$need" ] && need=$n; done
need=$((need + 200))
have=$(cat /proc/sys/fs/inotify/max_user_instances)
if [ "$have" -lt "$need" ]; then
	if [ "$(id -u)" -eq 0 ] && sysctl -q -w fs.inotify.max_user_instances="$need"; then
		log "raised fs.inotify.max_user_instances from $have to $need for sse.cgi streams"
	else
		log "fs.inotify.max_user_instances is $have; sse.cgi needs one per stream: run as root or raise it to $need"
		exit 1
	fi
fi
bench_build

# 3. append-rate
cc -O2 -Wall -Wextra -I"$ROOT/lib" "$BENCH/append-rate.c" "$SSE_BUILD/libsse.a" -lz -o "$OUT/append-rate" || exit 1

{
	echo "date: $(date -Is)"
	echo "host: $(uname -srm), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, NOFILE hard $(ulimit -Hn)"
	echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "sse-cgi: $("$SSE_BUILD/sse.cgi" --version 2>&1 | head -1), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- lib cgi cli Makefile 2>/dev/null || echo '+uncommitted changes in lib/cgi/cli')"
	echo "lighttpd: $(lighttpd -v 2>&1 | head -1)"
	echo "nginx: $(nginx -v 2>&1); php-fpm: $(/usr/sbin/php-fpm8.2 -v | head -1)"
	echo "cc: $(cc --version | head -1)"
	echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RES/env.txt"
cat "$RES/env.txt"

TSV=$RES/results.tsv
bench() { "$HB/bench.sh" -o "$TSV" -k "$RES/raw" "$@" || log "run failed: $*"; }
SSECGI=$BENCH/peers/sse-cgi PHP=$HB/peers/php WRAP=$BENCH/peers/wrap
# every run goes through peers/wrap (precise server CPU, see its header)
for n in $NS; do
	log "=== N=$n"
	WRAP_PEERDIR=$PHP bench -d "$PUBSECS" -l "php-$n" "$WRAP" "$n"
	WRAP_PEERDIR=$SSECGI SSE_PUB=fifo bench -d "$PUBSECS" -l "sse-cgi-fifo-$n" "$WRAP" "$n"
	WRAP_PEERDIR=$SSECGI SSE_PUB=exec bench -d "$PUBSECS" -l "sse-cgi-exec-$n" "$WRAP" "$n"
	# idle: the same servers, sspub runs /bin/true once a second instead of publishing
	WRAP_PEERDIR=$PHP WRAP_IDLE=1 bench -r 1 -d "$IDLESECS" -l "php-$n-idle" "$WRAP" "$n"
	WRAP_PEERDIR=$SSECGI WRAP_IDLE=1 SSE_PUB=fifo bench -r 1 -d "$IDLESECS" -l "sse-cgi-$n-idle" "$WRAP" "$n"
done

log "=== append rates"
"$OUT/append-rate" -n 200000 -s 100 -c 200 -r 3 "$SSE_BUILD/sse-publish" > "$RES/append-rate.out" 2>&1 ||
	log "append-rate failed"
cat "$RES/append-rate.out"

log "=== tables"
python3 "$BENCH/report.py" "$RES" | tee "$RES/tables.md"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/env.txt"
log "done: $RES"
