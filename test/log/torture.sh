#!/bin/bash
# Kills publishers, followers and streams (sse.cgi, the holders that drain
# the fifo and take the drop-box) with SIGKILL at random moments, then checks
# the log: no torn event, ids strictly increasing and never reused, every
# acknowledged event present with its id, every drop-box file published
# exactly once.   usage: torture.sh BUILD_DIR WORK_DIR KILLS
set -u
B=$1 W=$2 KILLS=${3:-300}
SP=$W/spool
LT=$B/test/logtool
mkdir -p "$SP" "$W/ack" "$W/follow"
"$B/sse-publish" --spool "$SP" --history 1000000 --create ch || exit 1

declare -A role
pubs=0 folls=0 streams=0 files=0 kills=0
start_pub() { pubs=$((pubs + 1)); "$LT" publish "$SP" ch "p$pubs" 1000000 $((RANDOM % 8 + 1)) 2000 > "$W/ack/p$pubs" & role[$!]=pub; }
start_follow() { folls=$((folls + 1)); "$LT" follow "$SP" ch 600 > "$W/follow/f$folls" 2>&1 & role[$!]=follow; }
start_stream() {
	streams=$((streams + 1))
	GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR=$SP SSE_HEARTBEAT=600 \
		"$B/sse.cgi" > /dev/null 2>> "$W/cgi.err" & role[$!]=stream
}
drop_files() {
	for _ in 1 2 3; do
		files=$((files + 1))
		printf 'data: db %d 0 0 \n' "$files" > "$SP/ch/incoming/.t$files"
		mv "$SP/ch/incoming/.t$files" "$SP/ch/incoming/f$files"
	done
}

for _ in 1 2 3; do start_pub; done
for _ in 1 2; do start_follow; start_stream; done
deadline=$((SECONDS + 600))
while ((kills < KILLS && SECONDS < deadline)); do
	drop_files
	sleep "0.0$((RANDOM % 9 + 1))"
	pids=("${!role[@]}")
	victim=${pids[RANDOM % ${#pids[@]}]}
	kind=${role[$victim]}
	kill -KILL "$victim" 2>/dev/null && kills=$((kills + 1))
	wait "$victim" 2>/dev/null
	unset "role[$victim]"
	case $kind in pub) start_pub ;; follow) start_follow ;; stream) start_stream ;; esac
done
# Followers still running must have seen nothing wrong.
bad=0
for p in "${!role[@]}"; do
	if [ "${role[$p]}" = follow ]; then
		kill -TERM "$p" 2>/dev/null; wait "$p"; rc=$?
		# 143: ended by our SIGTERM, as planned
		[ $rc -eq 0 ] || [ $rc -eq 143 ] || { echo "follower $p exited $rc"; bad=1; }
	else
		kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
	fi
done
grep -h "logtool:" "$W"/follow/* && bad=1
# One last holder takes whatever the drop-box still holds.
GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR=$SP SSE_MAX_LIFETIME=1 \
	"$B/sse.cgi" > /dev/null 2>> "$W/cgi.err"
"$LT" verify "$SP" ch > "$W/log" 2> "$W/verify.err" || { echo "verify failed:"; cat "$W/verify.err"; bad=1; }
left=$(find "$SP/ch/incoming" -mindepth 1 | wc -l)
[ "$left" -eq 0 ] || { echo "drop-box still holds $left entries:"; ls -a "$SP/ch/incoming"; bad=1; }
# Acknowledged lines are complete lines "ack ID TAG SEQ" (a kill may cut the last one).
cat "$W"/ack/* | awk 'NF == 4 && $1 == "ack" { print $2, $3, $4 }' | sort > "$W/acked"
awk '{ print $1, $2, $3 }' "$W/log" | sort > "$W/logged"
missing=$(comm -23 "$W/acked" "$W/logged" | wc -l)
[ "$missing" -eq 0 ] || { echo "$missing acknowledged events missing, e.g.:"; comm -23 "$W/acked" "$W/logged" | head -3; bad=1; }
dups=$(awk '{ print $2, $3 }' "$W/log" | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || { echo "$dups events appear twice:"; awk '{ print $2, $3 }' "$W/log" | sort | uniq -d | head -3; bad=1; }
dbs=$(awk '$2 == "db"' "$W/log" | wc -l)
[ "$dbs" -eq "$files" ] || { echo "drop-box: $files files written, $dbs published"; bad=1; }
echo "kills=$kills events=$(wc -l < "$W/log") acked=$(wc -l < "$W/acked") dropbox_files=$files publishers=$pubs followers=$folls streams=$streams"
exit $bad
