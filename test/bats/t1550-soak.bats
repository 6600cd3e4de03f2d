#!/usr/bin/env bats
# Soak, short version (test/harden/soak.sh; scripts/harden.sh soak --long
# gives the figures of doc/testing.md): sse-fcgi behind nginx with 300
# subscribers and sse.cgi behind lighttpd with 100 streams, 10 events/s for
# 20 s each (fewer on a sanitizer build): every subscriber gets every event
# once, memory stays flat after the warm-up, descriptors stay put; then
# valgrind memcheck on a short run of each program: no error, no leak.

bats_require_minimum_version 1.5.0

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export TOP
	# one run for all the tests below (about 90 s)
	bash "$TOP/test/harden/soak.sh" >"$BATS_FILE_TMPDIR/soak.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/soak.rc"
}

# result PROGRAM FIELD: a figure of a result line of the run
result() {
	sed -n "s/^result $1 program=$2 .*\<$3=\([^ ]*\).*/\1/p" "$BATS_FILE_TMPDIR/soak.out"
}

show() {
	cat "$BATS_FILE_TMPDIR/soak.out" >&2
}

@test "soak: the run passes as a whole" {
	[ "$(cat "$BATS_FILE_TMPDIR/soak.rc")" = 0 ] || { show; false; }
}

check_soak() {
	local prog=$1 n

	n=$(result soak "$prog" subscribers)
	[ -n "$n" ] && [ "$n" -ge 30 ] || { echo "no soak result for $prog" >&2; show; return 1; }
	[ "$(result soak "$prog" lost)" = 0 ] && [ "$(result soak "$prog" dup)" = 0 ] &&
		[ "$(result soak "$prog" missing)" = 0 ] || { show; return 1; }
	[ "$(result soak "$prog" established)" = "$n" ] && [ "$(result soak "$prog" closed)" = 0 ] || { show; return 1; }
	# every subscriber got every published event
	[ "$(result soak "$prog" events)" = $(($(result soak "$prog" published) * n)) ] || { show; return 1; }
	[ "$(result soak "$prog" published)" -ge 150 ] || { show; return 1; }
	awk -v d="$(result soak "$prog" drift_pct)" 'BEGIN { exit !(d != "" && d < 5) }' || { show; return 1; }
	awk -v d="$(result soak "$prog" rss_drift_pct)" 'BEGIN { exit !(d != "" && d < 5) }' || { show; return 1; }
	local a b
	a=$(result soak "$prog" fd_first) b=$(result soak "$prog" fd_last)
	[ "$a" -gt 0 ] && [ $((b - a)) -le 4 ] && [ $((a - b)) -le 4 ] || { show; return 1; }
}

@test "soak: sse-fcgi behind nginx: nothing lost, memory and descriptors flat" {
	check_soak sse-fcgi
}

@test "soak: sse.cgi behind lighttpd: nothing lost, memory and descriptors flat" {
	check_soak sse.cgi
}

@test "valgrind memcheck: sse.cgi, sse-publish, sse-fcgi, sse-doctor clean" {
	local prog

	for prog in sse.cgi sse-publish sse-fcgi sse-doctor; do
		[ "$(result valgrind "$prog" errors)" = 0 ] && [ "$(result valgrind "$prog" leaks)" = 0 ] &&
			[ "$(result valgrind "$prog" processes)" -ge 1 ] ||
			{ echo "valgrind $prog" >&2; show; return 1; }
	done
	# the pool's worker was followed too
	[ "$(result valgrind sse-fcgi processes)" -ge 2 ] || { show; return 1; }
}
