#!/usr/bin/env bats
# Fuzzing (test/harden/fuzz.sh): each libFuzzer target of test/fuzz/ replays
# its seeds and regression inputs, then fuzzes briefly, without a crash.

@test "fuzz: parse, request, fcgi, log, peer, form and jwt run without a crash, their regressions replayed" {
	run bash test/harden/fuzz.sh
	echo "$output"
	[ "$status" -eq 0 ]
	for t in parse request fcgi log peer form jwt; do
		line=$(grep "^result fuzz target=$t " <<< "$output")
		[[ $line == *" crashes=0 "* ]]
		# it ran: more executions than its seeds and regressions
		execs=$(sed -n 's/.* execs=\([0-9]*\) .*/\1/p' <<< "$line")
		[ "$execs" -gt 500 ]
		nreg=$(find "test/fuzz/regress/$t" -type f 2> /dev/null | wc -l)
		[[ $line == *" regress=$nreg "* ]]
	done
}
