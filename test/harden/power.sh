#!/bin/bash
# Power loss: publishers (logtool, with and without topics, sse-publish;
# with and without SSE_SYNC=1; several at once) and a stream taking the
# drop-box run under
# test/shim/syncshadow.so, which keeps what each fsync/fdatasync/msync made
# durable; the whole group is SIGKILLed at a random moment (the cut), the
# spool is rebuilt as a disk could hold it after the cut (the model is at
# the top of the Python part below), the boot id is changed (the reboot),
# and the log is reopened through the real programs. Checked every round:
#   - every event acknowledged by an SSE_SYNC=1 publisher is there, intact
#     (and every drop-box file taken by an SSE_SYNC=1 stream is published
#     or still waiting, and published by the next stream);
#   - whatever was lost: the log opens (one line from the first opener
#     saying it recovered, none from the next), logtool verify passes (each
#     surviving event's metadata record as published: test/tools/metarule.h,
#     never in a channel's view), and new ids are above every id ever
#     acknowledged on the channel.
# Before the rounds, one fixed case each: a byte changed in a metadata
# record, in an event's wire bytes, recovery keeps the events before it.
# usage: power.sh [--long]    (short: 24 rounds; --long: 400)
. "$(dirname "$0")/common.sh"
set -u
h_build_dyn || exit 1
ROUNDS=24
[ "$LONG" = 1 ] && ROUNDS=400
[[ $B == *asan* ]] && ROUNDS=12
SHIM=$TOP/$DYN/test/syncshadow.so
# tmpfs: inode numbers are not reused at once (the shadow is by inode)
R=$WORK
[ -d /dev/shm ] && [ -w /dev/shm ] && R=$(mktemp -d /dev/shm/sse-power.XXXXXX)
SP=$R/spool SH=$R/shadow
PY=$WORK/powercut.py
mkdir -p "$SP" "$SH" "$WORK/acks"
grp=
cleanup() {
	[ -n "$grp" ] && kill -KILL -- "-$grp" 2> /dev/null
	[ "$R" != "$WORK" ] && rm -rf "$R"
	h_cleanup
}
trap cleanup EXIT

cat > "$PY" <<'PYEOF'
#!/usr/bin/env python3
"""The disk after a power cut, for test/harden/power.sh.

  powercut.py baseline ROOT SHADOW     everything under ROOT counts as durable
                                       (as after sync(1)): SHADOW is reset to it
  powercut.py cut ROOT SHADOW OUT SEED build OUT: what the disk could hold had
                                       the power gone now

SHADOW holds what test/shim/syncshadow.so recorded: f<inode> (a regular
file's content at its last fsync/fdatasync/msync) and d<inode> (a
directory's "inode name" listing at its last fsync).

The model, per directory (POSIX: a new name is durable only once its
directory was fsync'd after it was made):
  - an entry the same in the synced listing and now is there;
  - for every inode whose entries differ (created, removed, renamed within
    the directory), either all its synced entries or all its current ones:
    a rename within one directory is atomic (as on every journalling file
    system), but whether it happened is a coin toss until the fsync;
  - a removed file comes back only if its content was synced (else nothing
    is known of it; it is left out).
Per regular file: a synced copy S and the current content C. The result is
S, C, or a mix: a length between theirs, each 4 KiB page from S or from C
(writeback writes pages in any order), rarely zeros where neither has a
durable page (a size update that reached the disk before the data). A file
never synced: C cut at a random length (possibly empty), pages randomly
lost (zeros). Fifos come back as fifos; the boot id is not touched here.
"""
import os
import random
import shutil
import stat
import sys

PAGE = 4096


def listing(path):
    return {e.name: e.inode() for e in os.scandir(path)}


def baseline(root, shadow):
    shutil.rmtree(shadow, ignore_errors=True)
    os.makedirs(shadow)
    for d, dirs, files in os.walk(root):
        ino = os.stat(d).st_ino
        with open(os.path.join(shadow, "d%d" % ino), "w") as f:
            for name, i in listing(d).items():
                f.write("%d %s\n" % (i, name))
        for name in files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                shutil.copyfile(p, os.path.join(shadow, "f%d" % st.st_ino))


def read_listing(shadow, ino):
    try:
        with open(os.path.join(shadow, "d%d" % ino)) as f:
            out = {}
            for line in f:
                i, name = line.rstrip("\n").split(" ", 1)
                out[name] = int(i)
            return out
    except FileNotFoundError:
        return None


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def mix(rng, s, c):
    if s is None and c is None:
        return None
    if c is None:
        return s
    if s is None:
        # never synced: any prefix, any page of it lost
        n = rng.choice([0, len(c), rng.randint(0, len(c))])
        out = bytearray(c[:n])
        for p in range(0, n, PAGE):
            if rng.random() < 0.2:
                out[p:p + PAGE] = bytes(len(out[p:p + PAGE]))
        return bytes(out)
    r = rng.random()
    if r < 0.25:
        return s
    if r < 0.5:
        return c
    lo, hi = sorted((len(s), len(c)))
    n = rng.randint(lo, hi)
    out = bytearray()
    for p in range(0, n, PAGE):
        end = min(n, p + PAGE)
        src = c if rng.random() < 0.5 else s
        chunk = src[p:end]
        if len(chunk) < end - p:
            other = s if src is c else c
            fill = other[p + len(chunk):end]
            if rng.random() < 0.1:
                fill = bytes(len(fill))
            chunk = chunk + fill
            chunk = chunk + bytes(end - p - len(chunk))
        out += chunk
    return bytes(out)


def cut(root, shadow, out, rng):
    stats = {"files": 0, "mixed": 0, "entries_lost": 0, "entries_kept_old": 0}
    # inode -> current path, for files named in a synced listing only
    where = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            where[os.lstat(os.path.join(d, name)).st_ino] = os.path.join(d, name)

    def build(cur, ino, dst):
        os.mkdir(dst)
        if cur:
            shutil.copymode(cur, dst)
        now = listing(cur) if cur and os.path.isdir(cur) else {}
        synced = read_listing(shadow, ino)
        if synced is None:
            synced = {}
        entries = {n: i for n, i in now.items() if synced.get(n) == i}
        changed = {i for n, i in now.items() if synced.get(n) != i}
        changed |= {i for n, i in synced.items() if now.get(n) != i}
        for i in changed:
            new = rng.random() < 0.5
            src = now if new else synced
            for n, j in src.items():
                if j == i and n not in entries:
                    entries[n] = i
            if not new:
                stats["entries_kept_old"] += 1
            elif not any(j == i for j in now.values()):
                stats["entries_lost"] += 1
        for name, i in sorted(entries.items()):
            path = where.get(i)
            d = os.path.join(dst, name)
            if path and os.path.isdir(path) and not os.path.islink(path):
                build(path, i, d)
                continue
            if path and stat.S_ISFIFO(os.lstat(path).st_mode):
                os.mkfifo(d, 0o660)
                continue
            s = read(os.path.join(shadow, "f%d" % i))
            c = read(path) if path else None
            data = mix(rng, s, c)
            if data is None:
                continue
            stats["files"] += 1
            if data != s and data != c:
                stats["mixed"] += 1
            with open(d, "wb") as f:
                f.write(data)
            if path:
                shutil.copymode(path, d)

    build(root, os.stat(root).st_ino, out)
    shutil.copymode(root, out)
    return stats


def main():
    if sys.argv[1] == "baseline":
        baseline(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "cut":
        st = cut(sys.argv[2], sys.argv[3], sys.argv[4], random.Random(int(sys.argv[5])))
        print(" ".join("%s=%d" % kv for kv in st.items()))
    else:
        sys.exit("usage: see the top of powercut.py")


if __name__ == "__main__":
    main()
PYEOF

LT=$TOP/$DYN/test/logtool
# the reopening side runs the build under test (ASan's too): no shim there
BLT=$TOP/$B/test/logtool
cgi() {
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/ch SSE_SPOOL_DIR="$SP" "$@"
}
bad=0
fail() { echo "round $round: $*" >&2; bad=1; }
rnd() { echo $((RANDOM % $1)); }

# One producer of the round, in the cut's process group: "ack ID TAG SEQ"
# lines, each written only after the program acknowledged the event.
producer() { # KIND TAG N SYNC
	local kind=$1 tag=$2 n=$3 i id
	export SSE_SYNC=$4
	case $kind in
	logtool) exec "$LT" publish "$SP" ch "$tag" "$n" $((RANDOM % 4 + 1)) $((RANDOM % 3000)) ;;
	# tag M: topics, private events, hub ids, mixed with plain events
	meta) exec "$LT" publish "$SP" ch "M$tag" "$n" $((RANDOM % 4 + 1)) $((RANDOM % 3000)) ;;
	publish)
		for ((i = 0; i < n; i++)); do
			id=$("$TOP/$DYN/sse-publish" --spool "$SP" --history 2000 ch "$tag $i 0 0 ") || exit 1
			echo "ack $id $tag $i"
		done ;;
	raw)
		for ((i = 0; i < n; i++)); do printf 'data: %s %d 0 0 \n\n' "$tag" "$i"; sleep 0.00$((RANDOM % 5)); done |
			"$TOP/$DYN/sse-publish" --spool "$SP" --history 2000 --raw ch |
			awk -v t="$tag" '{ print "ack", $1, t, NR - 1; fflush() }' ;;
	esac
}

# Recovery checks each retained event's bytes against its crc, the metadata
# record with them: one byte changed in a record (it stays well formed, with
# another topic) drops that event and the ones after it, as a byte changed
# in the wire bytes does; logtool verify sees both before the recovery. Of
# tag M's events, seq 9 carries three topics and the publisher's id, seq 6
# nothing (test/tools/metarule.h).
crc_case() { # SEQ record|wire
	local d=$WORK/crc out
	rm -rf "$d" && mkdir "$d" || return 1
	"$TOP/$B/sse-publish" --spool "$d" --history 100 --create ch && "$BLT" publish "$d" ch Mc 12 3 > /dev/null &&
		"$BLT" verify "$d" ch > /dev/null && "$BLT" corrupt "$d" ch "$1" "$2" || return 1
	if "$BLT" verify "$d" ch > /dev/null 2> "$WORK/crc.err"; then
		echo "logtool verify missed the changed $2 byte of seq $1"
		return 1
	fi
	if [ "$2" = record ] && ! grep -q 'its metadata record differs from what was published: a topic' "$WORK/crc.err"; then
		echo "logtool verify, the record of seq $1 changed: $(cat "$WORK/crc.err")"
		return 1
	fi
	"$BLT" unclean "$d" ch && out=$("$BLT" open "$d" ch) || return 1
	[[ $out == *": $1 of 12 retained events intact, ids resume at "* ]] || { echo "$2 of seq $1 changed: $out"; return 1; }
	out=$("$BLT" verify "$d" ch) || { echo "logtool verify after the recovery failed"; return 1; }
	[ "$(wc -l <<< "$out")" -eq "$1" ] || { echo "$2 of seq $1 changed: $(wc -l <<< "$out") events after the recovery"; return 1; }
}
record_crc=ok
for c in "9 record" "9 wire" "6 wire"; do
	# shellcheck disable=SC2086
	crc_case $c || { echo "crc check ($c) failed" >&2; record_crc=failed; bad=1; }
done

records=0 round=0 sync_rounds=0 acked=0 acked_sync=0 lost_synced=0 repeated_ids=0 recoveries=0
lost_unsynced=0 dropbox=0 dropbox_lost=0 chan_rounds=0 chan_lost=0 mixed=0 entries_lost=0
SECONDS=0
deadline=$(( LONG ? 7200 : 75 ))
for ((round = 1; round <= ROUNDS; round++)); do
	# a loaded machine runs fewer rounds (the suite checks how many)
	((SECONDS < deadline)) || break
	# a fresh channel every 6 rounds: its creation is inside the round, cut too
	if ((chan_rounds == 0)); then
		rm -rf "${SP:?}"/* "${SP:?}"/.[!.]* "$WORK"/acks/*
		maxid=0
	fi
	chan_rounds=$(( (chan_rounds + 1) % 6 ))
	sync_all=$(rnd 2)
	((sync_all)) && sync_rounds=$((sync_rounds + 1))
	drop=0
	if [ -d "$SP/ch/incoming" ] && (($(rnd 2))); then
		drop=$((RANDOM % 5 + 1))
		for ((j = 0; j < drop; j++)); do
			printf 'data: d%d %d 0 0 \n' "$round" "$j" > "$SP/ch/incoming/r$round-$j"
		done
	fi
	# what is there now counts as durable (as after sync(1))
	python3 "$PY" baseline "$SP" "$SH" || exit 1
	cgisync=$(( sync_all ? 1 : $(rnd 2) ))
	set -m # a process group of its own: the cut reaches every process of the round
	(
		export LD_PRELOAD=$SHIM SSE_SHADOW_ROOT=$SP SSE_SHADOW_DIR=$SH
		np=$((RANDOM % 3 + 2))
		for ((k = 0; k < np; k++)); do
			kinds=(logtool meta publish raw)
			s=$(( sync_all ? 1 : RANDOM % 2 ))
			producer "${kinds[RANDOM % 4]}" "r$round.$k" $((RANDOM % 60 + 5)) "$s" \
				> "$WORK/acks/r$round.$k.s$s" 2> "$WORK/acks/r$round.$k.err" &
		done
		((drop)) && cgi SSE_MAX_LIFETIME=5 SSE_SYNC=$cgisync "$TOP/$DYN/sse.cgi" > /dev/null 2> "$WORK/cgi.err" &
		wait
	) &
	grp=$!
	set +m
	sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
	kill -KILL -- "-$grp" 2> /dev/null
	wait "$grp" 2> /dev/null
	grp=
	existed=0
	[ -f "$SP/ch/log/index" ] && existed=1
	# the cut: the disk as it could be
	rm -rf "$R/after"
	if [ "${KEEP:-0}" = 1 ]; then # to look into a failure: the disk before and after
		rm -rf "$WORK/before" && mkdir "$WORK/before" && cp -a "$SP" "$SH" "$WORK/before/"
	fi
	st=$(python3 "$PY" cut "$SP" "$SH" "$R/after" "$RANDOM$RANDOM") || exit 1
	rm -rf "$SP" && mv "$R/after" "$SP" || exit 1
	mixed=$((mixed + $(sed -n 's/.*mixed=\([0-9]*\).*/\1/p' <<< "$st")))
	entries_lost=$((entries_lost + $(sed -n 's/.*entries_lost=\([0-9]*\).*/\1/p' <<< "$st")))
	cat "$WORK"/acks/r"$round".*.s* > "$WORK/round.acks" 2> /dev/null
	n=$(wc -l < "$WORK/round.acks")
	acked=$((acked + n))
	m=$(cat "$WORK"/acks/r"$round".*.s1 2> /dev/null | wc -l)
	acked_sync=$((acked_sync + m))
	rmax=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$WORK/round.acks")
	((rmax > maxid)) && maxid=$rmax
	# the reboot: another boot id in the header
	if [ -f "$SP/ch/log/index" ]; then
		printf '%36s' '' | tr ' ' '?' | dd of="$SP/ch/log/index" bs=1 seek=80 conv=notrunc status=none
	elif ((existed)); then
		chan_lost=$((chan_lost + 1))
		[ "$(cat "$WORK"/acks/*.s1 2> /dev/null | wc -l)" -eq 0 ] ||
			fail "the channel is gone, with events acknowledged under SSE_SYNC=1 ($(ls "$SP" "$SP/ch" "$SP/ch/log" 2>&1 | tr '\n' ' '))"
	fi
	# the first opener: a publisher or a stream (reporting on stderr)
	had_log=0
	[ -f "$SP/ch/log/index" ] && had_log=1
	if (($(rnd 2))); then
		id=x
		id=$(SSE_SYNC=$(rnd 2) "$TOP/$B/sse-publish" --spool "$SP" --history 2000 ch "o$round 0 0 0 " 2> "$WORK/open.err") ||
			fail "sse-publish after the cut failed: $(cat "$WORK/open.err")"
		echo "ack $id o$round 0" >> "$WORK/acks/o$round.s0"
		acked=$((acked + 1))
	else
		id=
		# SIGTERM ends a stream normally
		cgi timeout -s TERM 0.4 "$TOP/$B/sse.cgi" > /dev/null 2> "$WORK/open.err"
	fi
	if ((had_log)); then
		[ "$(wc -l < "$WORK/open.err")" -eq 1 ] && grep -q 'recovered channel log .* after a system restart: ' "$WORK/open.err" ||
			fail "the first opener did not say one recovery line: $(cat "$WORK/open.err")"
		recoveries=$((recoveries + $(grep -c 'recovered channel log' "$WORK/open.err")))
	fi
	# the next says nothing
	if [ -f "$SP/ch/log/index" ]; then
		out=$("$BLT" open "$SP" ch 2>&1) || fail "logtool open: $out"
		[[ $out == *note* ]] && fail "second opener recovered again: $out"
	fi
	# a stream takes what the drop-box still holds
	if ((drop)); then
		cgi timeout -s TERM 0.5 "$TOP/$B/sse.cgi" > /dev/null 2> "$WORK/drain.err"
		[ -s "$WORK/drain.err" ] && fail "the draining stream said: $(cat "$WORK/drain.err")"
	fi
	new=$("$TOP/$B/sse-publish" --spool "$SP" --history 2000 ch "n$round 0 0 0 " 2>&1) || fail "publishing after the cut: $new"
	"$BLT" verify "$SP" ch > "$WORK/log" 2> "$WORK/verify.err" || fail "verify: $(cat "$WORK/verify.err")"
	# events with a record that the recovery kept (and verify checked)
	records=$((records + $(awk '$2 ~ /^M/ && $3 % 6 != 0 && $3 % 6 != 5' "$WORK/log" | wc -l)))
	# every id only once, and new ids above every id acknowledged before
	[ "$(awk '{ print $1 }' "$WORK/log" | sort | uniq -d | wc -l)" -eq 0 ] || fail "an id twice in the log"
	[[ $new =~ ^[0-9]+$ ]] || new=0
	if [[ $id =~ ^[0-9]+$ ]]; then
		((id > maxid)) || { fail "new id $id after the cut is not above $maxid"; repeated_ids=$((repeated_ids + 1)); }
		maxid=$id
	fi
	((new > maxid)) || { fail "new id $new after the cut is not above $maxid"; repeated_ids=$((repeated_ids + 1)); }
	maxid=$new
	echo "ack $new n$round 0" >> "$WORK/acks/n$round.s0"
	# acknowledged under SSE_SYNC=1, in any round of this channel: all there
	awk '{ print $2, $3, $4 }' "$WORK"/acks/*.s1 2> /dev/null | sort > "$WORK/want"
	sort "$WORK/log" > "$WORK/have"
	l=$(comm -23 "$WORK/want" "$WORK/have" | wc -l)
	if ((l)); then
		lost_synced=$((lost_synced + l))
		fail "$l events acknowledged under SSE_SYNC=1 lost: $(comm -23 "$WORK/want" "$WORK/have" | head -3 | tr '\n' ' ')"
	fi
	awk '{ print $2, $3, $4 }' "$WORK"/acks/*.s0 2> /dev/null | sort > "$WORK/want0"
	lost_unsynced=$((lost_unsynced + $(comm -23 "$WORK/want0" "$WORK/have" | wc -l)))
	# drop-box files: published, or still waiting (the stream above took them)
	if ((drop)); then
		dropbox=$((dropbox + drop))
		for ((j = 0; j < drop; j++)); do
			if ! grep -q " d$round $j\$" "$WORK/log"; then
				if ((cgisync)); then
					fail "drop-box file r$round-$j lost (stream with SSE_SYNC=1): $(ls -a "$SP/ch/incoming" | tr '\n' ' ')"
				fi
				dropbox_lost=$((dropbox_lost + 1))
			fi
		done
	fi
	# once the round is checked, its lost events are not expected again
	for f in "$WORK"/acks/*.s0; do
		[ -f "$f" ] && awk '{ print $2, $3, $4 }' "$f" | sort | comm -12 - "$WORK/have" | awk '{ print "ack", $0 }' > "$f.tmp" && mv "$f.tmp" "$f"
	done
	[ "${KEEP:-0}" = 1 ] && ((bad)) && break
done
h_result power rounds=$((round - 1)) sync_rounds=$sync_rounds acked=$acked acked_sync=$acked_sync \
	lost_synced=$lost_synced repeated_ids=$repeated_ids recoveries=$recoveries lost_unsynced=$lost_unsynced \
	dropbox=$dropbox dropbox_lost_unsynced=$dropbox_lost channels_lost=$chan_lost record_crc=$record_crc records=$records pages_mixed=$mixed \
	entries_lost=$entries_lost seconds=$SECONDS
exit $bad
