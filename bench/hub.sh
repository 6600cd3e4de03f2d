#!/bin/bash
# bench/hub.sh - the Mercure hub's benchmark (issue 12), in one run:
#   1. fan-out: N subscribers (default 1000) on the hub, each with two
#      selectors over 100 topics (an exact topic and a URI template),
#      against the same N on a plain channel, same server (nginx + sse-fcgi,
#      2 workers), 10 events/s through the channel's fifo, on fresh servers
#      after 100 warm-up subscribers; the hub also with selectors that
#      match every topic (hub-all: the plain channel's deliveries), with a
#      token per subscriber (query authorization=) and published by POST. Latency p50/p99, pool and nginx memory per subscriber,
#      delivery checked by topic (sseload -E: exactly the expected events);
#   2. publishing: POST through nginx + sse-fcgi with ab (keep-alive,
#      concurrency C), perf on the pool's workers;
#   3. fan-out profile: perf on the workers while the hub's N subscribers
#      get 300 events/s;
#   4. one POST at a time through lighttpd + sse.cgi (a CGI per POST), and
#      the private memory of one sse.cgi hub stream against a plain one.
# Figures at the end (also OUTDIR/figures.txt).
#
#   bench/hub.sh [-n N] [-d SECS] [-c CONC] [-p POSTS] [-o OUTDIR]
#
#   -n N      subscribers (default 1000)
#   -d SECS   publishing time of each fan-out run at 10 events/s (default 20)
#   -c CONC   ab's concurrency for the publish run (default 16)
#   -p POSTS  POSTs in the publish run (default 100000)
#   -o DIR    results (default bench/out/hub-DATE)
# Environment: SSE_BUILD (use this build dir instead of building
# bench/out/build; it must hold bench/sseload). Needs root, nginx,
# lighttpd, apache2-utils (ab), python3; wrk and perf (linux-perf) if present.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
N=1000 D=20 CONC=16 POSTS=100000 RES="" WARM=100
while getopts "n:d:c:p:o:h" o; do
	case $o in
	n) N=$OPTARG ;; d) D=$OPTARG ;; c) CONC=$OPTARG ;; p) POSTS=$OPTARG ;; o) RES=$OPTARG ;;
	*) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
for t in nginx lighttpd ab python3; do
	command -v $t > /dev/null || { echo "hub.sh: $t is not installed" >&2; exit 1; }
done
OUT=$BENCH/out
RES=${RES:-$OUT/hub-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RES" || exit 1
RES=$(cd "$RES" && pwd)
exec > >(tee "$RES/run.log") 2>&1
log() { echo "[$(date +%T)] $*" >&2; }
load() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; }

if [ -n "${SSE_BUILD:-}" ]; then
	B=$(cd "$SSE_BUILD" && pwd)
else
	B=$OUT/build
	log "building into $B"
	make -s -C "$ROOT" O="$B" all "$B/bench/sseload" > "$RES/build.log" 2>&1 ||
		{ cat "$RES/build.log"; exit 1; }
fi
for f in sse.cgi sse-fcgi sse-publish bench/sseload; do
	[ -x "$B/$f" ] || { echo "hub.sh: no $B/$f" >&2; exit 1; }
done

RUN=$(mktemp -d /tmp/hubbench.XXXXXX) || exit 1
PIDS=""
stop() { # stop PID...: TERM, then KILL after 5 s, each by pid
	local p
	for p in "$@"; do kill -TERM "$p" 2> /dev/null; done
	for _ in $(seq 50); do
		kill -0 "$@" 2> /dev/null || return 0
		sleep 0.1
	done
	for p in "$@"; do kill -KILL "$p" 2> /dev/null; done
}
cleanup() { [ -n "$PIDS" ] && stop $PIDS; PIDS=""; rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (: > "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.05; done; return 1; }

# Mercure's documented example key; HS256 tokens as test/bats/hub-behaviour.bash makes them
KEY='!ChangeThisMercureHubJWTSecretKey!'
token() {
	python3 - "$1" "$KEY" <<'EOF'
import base64, hashlib, hmac, json, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(sys.argv[1].encode())
print(head + "." + b64(hmac.new(sys.argv[2].encode(), head.encode(), hashlib.sha256).digest()))
EOF
}
EXP=$(($(date +%s) + 86400))
PUB_TOKEN=$(token '{"mercure":{"publish":["*"]}}')
SUB_TOKEN=$(token "{\"mercure\":{\"subscribe\":[\"https://example.com/t/{x}/{g}\"]},\"exp\":$EXP}")

mkdir -p "$RUN/spool" "$RUN/tmp" "$RUN/docroot" || exit 1
for ch in plain hub; do
	"$B/sse-publish" --spool "$RUN/spool" --create $ch > /dev/null || exit 1
done

# The subscriptions: subscriber i takes the exact topic T(i mod 100) and the
# template https://example.com/t/{x}/gG, G = (i / 100) mod 10, which matches
# the ten topics K with K mod 10 = G (hubpub.py: T(K) = .../t/K/gK%10). So
# it must get the events of 10 or 11 topics; the plain channel's, all 100.
python3 - "$RUN" "$N" "$SUB_TOKEN" <<'EOF'
import sys, urllib.parse
run, n, tok = sys.argv[1], int(sys.argv[2]), sys.argv[3]
q = lambda s: urllib.parse.quote(s, safe="")
with open(f"{run}/plain.lines", "w") as f:
    f.write("/sse/plain\t" + ",".join(map(str, range(100))) + "\n")
with open(f"{run}/hub-all.lines", "w") as f:
    # hub-all: as many deliveries as the plain channel (the template
    # matches every topic), so that the two differ by the matching only
    for i in range(n):
        k = i % 100
        f.write(f"/.well-known/mercure?topic={q(f'https://example.com/t/{k}/g{k % 10}')}"
                f"&topic={q('https://example.com/t/{x}/g{y}')}\t" + ",".join(map(str, range(100))) + "\n")
with open(f"{run}/hub.lines", "w") as a, open(f"{run}/hub-token.lines", "w") as b:
    for i in range(n):
        k, g = i % 100, (i // 100) % 10
        want = sorted({k} | {t for t in range(100) if t % 10 == g})
        path = (f"/.well-known/mercure?topic={q(f'https://example.com/t/{k}/g{k % 10}')}"
                f"&topic={q(f'https://example.com/t/{{x}}/g{g}')}")
        tail = "\t" + ",".join(map(str, want)) + "\n"
        a.write(path + tail)
        b.write(path + "&authorization=" + tok + tail)
EOF

PORT=$(free_port)
POOL="" NGX=""
servers_start() {
	sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@NOFILE@|$(ulimit -Hn)|g" \
		-e "s|@WORKERS@|auto|g" -e "s|@KEY@|$KEY|g" "$BENCH/peers/hub/nginx.conf.in" > "$RUN/nginx.conf"
	rm -f "$RUN/sse-fcgi.sock"
	"$B/sse-fcgi" --listen "unix:$RUN/sse-fcgi.sock" --workers 2 --spool "$RUN/spool" \
		>> "$RUN/pool.log" 2>&1 &
	POOL=$!
	PIDS="$PIDS $POOL"
	for _ in $(seq 100); do [ -S "$RUN/sse-fcgi.sock" ] && break; sleep 0.05; done
	nginx -p "$RUN/" -e "$RUN/error.log" -c "$RUN/nginx.conf" &
	NGX=$!
	PIDS="$PIDS $NGX"
	wait_port "$PORT" || { echo "hub.sh: nginx does not listen on $PORT" >&2; cat "$RUN/error.log"; exit 1; }
	sleep 0.5 # the pool's workers start
}
servers_stop() { stop $NGX $POOL; wait $NGX $POOL 2> /dev/null; PIDS=""; }
# tree PID: PID and its descendants
tree() { ps -e -o pid=,ppid= | awk -v r="$1" '{p[$1]=$2} END {for (x in p) {y=x; while (y && y != r && y in p) y=p[y]; if (y == r) print x}}'; }
# mem PID: "PSS RSS" (kB) of PID's tree
mem() { local p; for p in $(tree "$1"); do cat "/proc/$p/smaps_rollup" 2> /dev/null; done |
	awk '/^Pss:/{p+=$2} /^Rss:/{r+=$2} END{print p+0, r+0}'; }
workers() { ps -o pid= --ppid "$POOL" | tr -s ' \n' ' '; }

COUNT=$((D * 10))
# fanout LABEL LINES PUBLISH...: one run on fresh servers
fanout() {
	local label=$1 lines=$2 base held r t
	shift 2
	servers_start
	# WARM subscribers first, kept open: what the first streams of a channel
	# cost once per worker (its history in memory, the hub's and the JWT
	# library's first allocations, nginx's pools) is then in the base, not
	# in the measured streams' memory
	rm -f "$RUN/warm.ready"
	"$B/bench/sseload" -U "$RUN/$lines" -E "$COUNT:100" -R "$RUN/warm.ready" -t 20 \
		"http://127.0.0.1:$PORT/" "$WARM" $((D + 90)) 1000 > "$RES/$label.warm" 2>&1 &
	local wl=$!
	PIDS="$PIDS $wl"
	for _ in $(seq 300); do [ -f "$RUN/warm.ready" ] && break; sleep 0.1; done
	sleep 1
	base="$(mem "$POOL") $(mem "$NGX")"
	rm -f "$RUN/ready"
	"$B/bench/sseload" -U "$RUN/$lines" -E "$COUNT:100" -R "$RUN/ready" -t 20 \
		"http://127.0.0.1:$PORT/" "$N" $((D + 90)) 1000 > "$RES/$label.sseload" 2> "$RES/$label.sseload.err" &
	local sl=$!
	PIDS="$PIDS $sl"
	for _ in $(seq 600); do [ -f "$RUN/ready" ] && break; sleep 0.1; done
	sleep 2
	held="$(mem "$POOL") $(mem "$NGX")"
	echo "$label: before $(load)" >> "$RES/load.txt"
	"$@" > "$RES/$label.pub" 2>&1
	sleep 2
	echo "$label: after $(load)" >> "$RES/load.txt"
	kill -TERM $sl $wl
	wait $sl $wl
	servers_stop
	r=$(grep '^RESULT' "$RES/$label.sseload")
	t=$(grep '^TOPICS' "$RES/$label.sseload")
	echo "$label $base $held $r $t $(tail -1 "$RES/$label.pub")" >> "$RES/fanout.txt"
	log "$label: $(grep -o 'established=[0-9]*' <<< "$r") $(grep -oE 'p(50|99)_us=[0-9]+' <<< "$r" | tr '\n' ' ')$t"
}

log "fan-out: N=$N, $COUNT events at 10/s each run; $(load)"
HUBURL=http://127.0.0.1:$PORT/.well-known/mercure
fanout plain plain.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/plain/fifo" "$COUNT" 10
fanout hub hub.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/hub/fifo" "$COUNT" 10 --topic
fanout hub-all hub-all.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/hub/fifo" "$COUNT" 10 --topic
fanout hub-token hub-token.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/hub/fifo" "$COUNT" 10 --topic
fanout hub-post hub.lines python3 "$BENCH/hubpub.py" "$HUBURL" "$COUNT" 10 "$PUB_TOKEN"
# the pair again, in the other order: the machine is shared
fanout hub-2 hub.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/hub/fifo" "$COUNT" 10 --topic
fanout plain-2 plain.lines python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/plain/fifo" "$COUNT" 10

PERF=$(command -v perf || true)
# profile NAME SECS: perf on the pool's workers for SECS (background)
profile() {
	[ -n "$PERF" ] || return 0
	"$PERF" record -q -g -o "$RES/$1.perf.data" -p "$(workers | tr ' ' ',' | sed 's/^,//; s/,$//')" \
		-- sleep "$2" > "$RES/$1.perf.log" 2>&1 &
	PERFPID=$!
}
perf_top() { # the top functions, self time
	[ -n "$PERF" ] && [ -f "$RES/$1.perf.data" ] || return 0
	"$PERF" report -i "$RES/$1.perf.data" --no-children --sort symbol --stdio 2> /dev/null |
		grep -E '^ +[0-9.]+%' | sed 's/ *- *- *$//' | head -25 > "$RES/$1.perf.top"
	"$PERF" report -i "$RES/$1.perf.data" --no-children --sort dso --stdio 2> /dev/null |
		grep -E '^ +[0-9.]+%' | head -8 > "$RES/$1.perf.dso"
}

log "publish: $POSTS POSTs through nginx + sse-fcgi, ab -k -c $CONC"
servers_start
printf 'topic=%s&data=%s' 'https%3A%2F%2Fexample.com%2Ft%2F1%2Fg1' 'hello%20world' > "$RUN/post.body"
# warm-up (the hub's channel, the workers' first allocations)
ab -q -k -n 1000 -c "$CONC" -p "$RUN/post.body" -T application/x-www-form-urlencoded \
	-H "Authorization: Bearer $PUB_TOKEN" "$HUBURL" > /dev/null 2>&1
echo "publish-ab: before $(load)" >> "$RES/load.txt"
ab -k -n "$POSTS" -c "$CONC" -p "$RUN/post.body" -T application/x-www-form-urlencoded \
	-H "Authorization: Bearer $PUB_TOKEN" "$HUBURL" > "$RES/publish.ab" 2>&1
echo "publish-ab: after $(load)" >> "$RES/load.txt"
# wrk speaks HTTP/1.1: nginx keeps its connections (ab's HTTP/1.0
# keep-alive needs a Content-Length, which the publish answer has not)
if command -v wrk > /dev/null; then
	cat > "$RUN/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "$(cat "$RUN/post.body")"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Bearer $PUB_TOKEN"
EOF
	echo "publish-wrk: before $(load)" >> "$RES/load.txt"
	profile publish 5
	wrk -t1 -c "$CONC" -d 10s --latency -s "$RUN/post.lua" "$HUBURL" > "$RES/publish.wrk" 2>&1
	echo "publish-wrk: after $(load)" >> "$RES/load.txt"
	[ -n "${PERFPID:-}" ] && wait "$PERFPID"
	perf_top publish
fi
servers_stop

log "fan-out profile: $N hub subscribers, 300 events/s for 5 s"
servers_start
rm -f "$RUN/ready"
"$B/bench/sseload" -U "$RUN/hub.lines" -E "1500:100" -R "$RUN/ready" -t 20 \
	"http://127.0.0.1:$PORT/" "$N" 60 1000 > "$RES/fanout-perf.sseload" 2>&1 &
SL=$!
PIDS="$PIDS $SL"
for _ in $(seq 600); do [ -f "$RUN/ready" ] && break; sleep 0.1; done
sleep 1
echo "fanout-perf: before $(load)" >> "$RES/load.txt"
profile fanout 5
python3 "$BENCH/hubpub.py" "fifo:$RUN/spool/hub/fifo" 1500 300 --topic > "$RES/fanout-perf.pub" 2>&1
[ -n "${PERFPID:-}" ] && wait "$PERFPID"
echo "fanout-perf: after $(load)" >> "$RES/load.txt"
sleep 3
kill -TERM $SL
wait $SL
perf_top fanout
servers_stop

log "lighttpd + sse.cgi: one POST at a time, and one stream's private memory"
LPORT=$(free_port)
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$LPORT|g" -e "s|@CGI@|$B/sse.cgi|g" -e "s|@KEY@|$KEY|g" \
	"$BENCH/peers/hub/lighttpd.conf.in" > "$RUN/lighttpd.conf"
lighttpd -D -f "$RUN/lighttpd.conf" > "$RUN/lighttpd.out" 2>&1 &
LTD=$!
PIDS="$PIDS $LTD"
wait_port "$LPORT" || { echo "hub.sh: lighttpd does not listen" >&2; cat "$RUN/lighttpd-error.log"; exit 1; }
LHUB=http://127.0.0.1:$LPORT/.well-known/mercure
ab -q -n 20 -c 1 -p "$RUN/post.body" -T application/x-www-form-urlencoded \
	-H "Authorization: Bearer $PUB_TOKEN" "$LHUB" > /dev/null 2>&1
echo "cgi-post: before $(load)" >> "$RES/load.txt"
ab -n 500 -c 1 -p "$RUN/post.body" -T application/x-www-form-urlencoded \
	-H "Authorization: Bearer $PUB_TOKEN" "$LHUB" > "$RES/cgi-post.ab" 2>&1
echo "cgi-post: after $(load)" >> "$RES/load.txt"
# Private memory of one stream: two plain streams and two hub streams held
# at once, one event delivered to each, smaps_rollup of the second of each
# kind. Its twin shares the code pages that kind touches, as the other
# streams of a busy site do (a lone stream has the binary's whole text as
# Private_Clean: about 1 MB).
CURLS="" SPIDS=""
stream_open() { # URL: one stream; its sse.cgi's pid appended to SPIDS
	local p before
	# the stream is lighttpd's child (a channel's fifo holder is not)
	before=" $(ps -o pid= --ppid $LTD | tr -s ' \n' ' ') "
	curl -sN --max-time 60 "$1" > "$RUN/stream.$(echo $CURLS | wc -w).out" 2>&1 &
	CURLS="$CURLS $!"
	PIDS="$PIDS $!"
	for _ in $(seq 50); do
		p=$(for x in $(ps -o pid= --ppid $LTD); do [[ $before == *" $x "* ]] || echo "$x"; done | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	SPIDS="$SPIDS $p"
	sleep 0.3
}
private() { awk '/^Private_(Clean|Dirty):/{s+=$2} /^Pss:/{p=$2} /^Rss:/{r=$2} END{print s+0, p+0, r+0}' "/proc/$1/smaps_rollup"; }
ST='https%3A%2F%2Fexample.com%2Ft%2F1%2Fg1'
SUBURL="$LHUB?topic=$ST&topic=https%3A%2F%2Fexample.com%2Ft%2F%7Bx%7D%2Fg1&authorization=$SUB_TOKEN"
stream_open "http://127.0.0.1:$LPORT/sse.cgi/plain"
stream_open "http://127.0.0.1:$LPORT/sse.cgi/plain"
stream_open "$SUBURL"
stream_open "$SUBURL"
"$B/sse-publish" --spool "$RUN/spool" plain x > /dev/null
curl -s -H "Authorization: Bearer $PUB_TOKEN" --data "topic=$ST&data=x" "$LHUB" > /dev/null
sleep 0.5
[ "$(cat "$RUN"/stream.*.out | grep -c '^data: x')" = 4 ] || echo "hub.sh: not every stream got its event" >&2
set -- $SPIDS
CGI_PLAIN=$(private $2)
CGI_HUB=$(private $4)
stop $CURLS
stop $LTD
PIDS=""

log "figures"
{
	echo "date: $(date -Is); host: $(uname -srm), $(nproc) CPUs; git $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null)$(git -C "$ROOT" diff --quiet HEAD 2> /dev/null || echo ' (+ uncommitted changes in the tree)')"
	echo "nginx: $(nginx -v 2>&1 | sed 's/.*: //'); lighttpd: $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1); N=$N, $COUNT events per fan-out run"
	python3 - "$RES" "$N" <<'EOF'
import re, sys
res, n = sys.argv[1], int(sys.argv[2])
rows = {}
for line in open(f"{res}/fanout.txt"):
    f = line.split()
    kv = dict(x.split("=", 1) for x in f[9:] if "=" in x)
    base_pool, base_ngx, held_pool, held_ngx = int(f[1]), int(f[3]), int(f[5]), int(f[7])
    base_pool_rss, held_pool_rss = int(f[2]), int(f[6])
    est = int(kv["established"]) or 1
    rows[f[0]] = dict(kv, pool=(held_pool - base_pool) / est, pool_rss=(held_pool_rss - base_pool_rss) / est,
                      ngx=(held_ngx - base_ngx) / est)
print(f"\n| run | subscribers | events delivered / expected | misdelivered | p50 ms | p99 ms | pool PSS kB/sub | pool RSS kB/sub | nginx PSS kB/sub |")
print("|---|---|---|---|---|---|---|---|---|")
for k, r in rows.items():
    print(f"| {k} | {r['established']} / {n} | {r['delivered']} / {r['expected']} ({r['delivered_pct']} %) | {r['misdelivered']} | "
          f"{int(r['p50_us'])/1000:.2f} | {int(r['p99_us'])/1000:.2f} | {r['pool']:.2f} | {r['pool_rss']:.2f} | {r['ngx']:.2f} |")
def ratio(a, b, key):
    return float(rows[a][key]) / float(rows[b][key]) if a in rows and b in rows and float(rows[b][key]) else float("nan")
print()
for h, p in (("hub", "plain"), ("hub-2", "plain-2"), ("hub-all", "plain"), ("hub-all", "plain-2"), ("hub-token", "plain")):
    if h in rows and p in rows:
        print(f"{h} / {p}: p50 {ratio(h, p, 'p50_us'):.2f}x, p99 {ratio(h, p, 'p99_us'):.2f}x, "
              f"pool PSS/sub {ratio(h, p, 'pool'):.2f}x, pool RSS/sub {ratio(h, p, 'pool_rss'):.2f}x  (targets: 1.15x, 1.15x, 1.1x)")
EOF
	echo
	echo "publish through nginx + sse-fcgi (ab -k -c $CONC, $POSTS POSTs, no keep-alive in fact): $(grep -E '^(Requests per second|Failed requests|Non-2xx|Keep-Alive)' "$RES/publish.ab" | tr -s ' ' | tr '\n' ';')"
	[ -f "$RES/publish.wrk" ] && echo "publish through nginx + sse-fcgi (wrk -t1 -c $CONC -d 10s, keep-alive): $(grep -E 'Requests/sec|requests in|Non-2xx|Socket errors|^ +(50|99)%' "$RES/publish.wrk" | tr -s ' ' | tr '\n' ';')"
	echo "one POST at a time through lighttpd + sse.cgi (ab -c 1 -n 500): $(grep -E '^ +(50|99)%' "$RES/cgi-post.ab" | tr -s ' ' | tr '\n' ';') ms; $(grep -E '^(Failed requests|Non-2xx)' "$RES/cgi-post.ab" | tr -s ' ' | tr '\n' ';')"
	echo "fan-out profile run: $(grep '^TOPICS' "$RES/fanout-perf.sseload"), $(grep -oE 'p(50|99)_us=[0-9]+' "$RES/fanout-perf.sseload" | tr '\n' ' ')"
	set -- $CGI_PLAIN
	local_p=$1
	echo "sse.cgi private memory (Private_Clean+Private_Dirty of one of two, kB): plain stream $1 (PSS $2, RSS $3)"
	set -- $CGI_HUB
	echo "sse.cgi private memory (Private_Clean+Private_Dirty of one of two, kB): hub stream with an HS256 token $1 (PSS $2, RSS $3): $(python3 -c "print(f'{$1/$local_p:.2f}x')" 2> /dev/null) (target 1.1x)"
	for p in publish fanout; do
		[ -f "$RES/$p.perf.top" ] || continue
		echo
		echo "perf, $p, sse-fcgi workers, self time by object:"
		cat "$RES/$p.perf.dso"
		echo "by symbol (top 25):"
		cat "$RES/$p.perf.top"
	done
	echo
	echo "load (1/5/15 min) before and after each measurement:"
	cat "$RES/load.txt"
} | tee -a "$RES/figures.txt"
log "done: $RES"
