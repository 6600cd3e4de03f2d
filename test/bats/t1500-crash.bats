#!/usr/bin/env bats
# Crash consistency (test/harden/crash.sh): every kind of producer and
# reader killed with SIGKILL at random moments, in rounds, each round
# checked: the logs (metadata records included), acknowledged events, the
# drop-box, and every client's received sequence across its reconnects
# (never a private event).

# figure KEY: the value of KEY= in the result line
figure() {
	sed -n 's/^result crash / /p' <<<"$output" | grep -o " $1=[0-9]*" | cut -d= -f2
}

@test "SIGKILL of producers and readers at random moments: nothing torn, lost, repeated, or skipped unannounced" {
	run bash test/harden/crash.sh
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"result crash kills="* ]]
	for k in lost dup torn unannounced_holes wrong_gap bad; do
		[ "$(figure "$k")" = 0 ] || { echo "$k=$(figure "$k")"; return 1; }
	done
	# the figures were reached: kills of every kind, events received,
	# acknowledged, taken from the drop-box and the fifo, reconnects, and
	# announced gaps (the small history's slow clients)
	want=${SSE_CRASH_KILLS:-300}
	[[ ${SSE_BUILD:-build} == *asan* ]] && want=${SSE_CRASH_KILLS:-100}
	[ "$(figure kills)" -ge "$want" ]
	[[ $output =~ killed=arg:[1-9][0-9]*,raw:[1-9][0-9]*,lib:[1-9][0-9]*,meta:[1-9][0-9]*,fifo:[1-9][0-9]*,dropbox:[1-9][0-9]*,cgi:[1-9][0-9]*,fcgi:[1-9] ]]
	# events with topics were acknowledged and the public ones received
	for k in events acked reconnects gaps_announced dropbox fifo_must meta_acked meta_received; do
		[ "$(figure "$k")" -gt 0 ] || { echo "$k=$(figure "$k")"; return 1; }
	done
}
