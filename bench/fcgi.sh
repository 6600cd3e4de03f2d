#!/bin/bash
# bench/fcgi.sh - sse-fcgi against nginx's nchan, in one run (issue 4):
#   1. at N = 1000, 5000, 15000 subscribers, 10 events/s: nchan (ssebench's
#      peer), sse-fcgi behind nginx (peers/sse-fcgi-nginx) and behind lighttpd
#      (peers/sse-fcgi-lighttpd); sse-fcgi's events go into the channel's fifo;
#   2. fan-out at N = 1000: nchan publishing flat out (each HTTP publish
#      waits for its answer), sse-fcgi behind nginx with the fifo written flat
#      out (faster than any fan-out: it shows what falls behind the history),
#      and at fixed rates, to find the highest one delivered in full.
# Prints a Markdown table at the end (also in OUTDIR/tables.md).
#
#   bench/fcgi.sh [-n "1000 5000 15000"] [-d PUBSECS] [-r "2000 3000"] [-o OUTDIR]
#
#   -n LIST   subscriber counts (default "1000 5000 15000")
#   -d SECS   publishing time per run (default 15)
#   -r LIST   fixed fan-out rates for sse-fcgi at N=1000 (default "1000 2000 3000")
#   -o DIR    where results go (default bench/out/fcgi-DATE)
# Environment: SSEBENCH (default ../shared/ssebench beside the repository),
# SSE_BUILD (use this build dir instead of building bench/out/build).
# Needs root (nchan's nginx runs as root as in ssebench; 15,000 subscribers
# need raised fd limits), nginx, libnginx-mod-nchan and lighttpd.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
SSEBENCH=${SSEBENCH:-$ROOT/../shared/ssebench}
NS="1000 5000 15000" PUBSECS=15 RATES="1000 2000 3000" RES=""
while getopts "n:d:r:o:h" o; do
	case $o in
	n) NS=$OPTARG ;; d) PUBSECS=$OPTARG ;; r) RATES=$OPTARG ;; o) RES=$OPTARG ;;
	*) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
. "$BENCH/common.sh"
bench_results fcgi
[ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] || {
	echo "fcgi.sh: nchan is not installed: apt-get install -y libnginx-mod-nchan" >&2; exit 1; }
bench_build
{
	echo "date: $(date -Is)"
	echo "host: $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, NOFILE hard $(ulimit -Hn)"
	echo "sse-fcgi: $("$SSE_BUILD/sse-fcgi" --version), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
	echo "nginx: $(nginx -v 2>&1), $(dpkg-query -W -f='libnginx-mod-nchan ${Version}' libnginx-mod-nchan)"
	echo "lighttpd: $(lighttpd -v 2>&1 | head -1)"
	echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RES/env.txt"
cat "$RES/env.txt"

TSV=$RES/results.tsv
bench() { "$HB/bench.sh" -o "$TSV" -k "$RES/raw" "$@" || log "run failed: $*"; }
NCHAN=$HB/peers/nchan NGX=$BENCH/peers/sse-fcgi-nginx LTD=$BENCH/peers/sse-fcgi-lighttpd
WRAP=$BENCH/peers/wrap
for n in $NS; do
	log "=== N=$n, 10 events/s"
	WRAP_PEERDIR=$NCHAN bench -d "$PUBSECS" -l "nchan-$n" "$WRAP" "$n"
	WRAP_PEERDIR=$NGX bench -d "$PUBSECS" -l "sse-fcgi-nginx-$n" "$WRAP" "$n"
	WRAP_PEERDIR=$LTD bench -d "$PUBSECS" -l "sse-fcgi-lighttpd-$n" "$WRAP" "$n"
done
log "=== fan-out, N=1000"
WRAP_PEERDIR=$NCHAN bench -r 0 -d 10 -l "nchan-1000-max" "$WRAP" 1000
WRAP_PEERDIR=$NGX bench -r 0 -d 10 -l "sse-fcgi-nginx-1000-max" "$WRAP" 1000
for r in $RATES; do
	WRAP_PEERDIR=$NGX bench -r "$r" -d 10 -l "sse-fcgi-nginx-1000-r$r" "$WRAP" 1000
	WRAP_PEERDIR=$LTD bench -r "$r" -d 10 -l "sse-fcgi-lighttpd-1000-r$r" "$WRAP" 1000
done

log "=== tables"
python3 - "$TSV" <<'PY' | tee "$RES/tables.md"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {r["label"]: r for r in rows}
def f(x, d=1):
    return f"{float(x):.{d}f}"
print("| run | subscribers | events/s published | delivered | deliveries/s | p50 / p99 ms | kB/sub (marginal / total) | server CPU s | vs nchan: kB/sub, p50, p99 |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    n = r["N"]
    ref = by.get(f"nchan-{n}") if not r["label"].endswith(("max",)) and "-r" not in r["label"][-6:] else by.get("nchan-1000-max")
    vs = ""
    if ref and ref is not r and not r["label"].startswith("nchan"):
        vs = f"{float(r['per_sub_kb'])/float(ref['per_sub_kb']):.2f}x, {float(r['p50_us'])/float(ref['p50_us']):.2f}x, {float(r['p99_us'])/float(ref['p99_us']):.2f}x"
    print(f"| {r['label']} | {r['established']} / {n} | {r['pub_rate']} | {r['delivered_pct']} % | {int(float(r['dps'])):,} | "
          f"{f(float(r['p50_us'])/1000)} / {f(float(r['p99_us'])/1000)} | {r['per_sub_kb']} / {r['total_per_sub_kb']} | {r['srv_cpu_s']} | {vs} |")
PY
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/env.txt"
log "done: $RES"
