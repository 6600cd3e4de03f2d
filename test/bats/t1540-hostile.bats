#!/usr/bin/env bats
# Hostile input (issue 6, point 5): test/harden/hostile.sh runs its whole
# table against sse.cgi, sse-fcgi, sse-publish, a spool with planted links
# and odd files, lighttpd + sse.cgi and nginx + sse-fcgi, and checks the
# modes of what the programs create under umask 000 and 022.
#   SSE_BUILD=build/asan bats --tap test/bats/t1540-hostile.bats

@test "hostile inputs: refused cleanly, nothing lost, nothing injected, nothing world-writable" {
	run bash "$BATS_TEST_DIRNAME/../harden/hostile.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ result\ hostile\ inputs=([0-9]+)\ refused=([0-9]+)\ ok=([0-9]+)\ lost=0\ injected=0\ world_writable=0 ]]
	# the whole table ran: every input answered as expected
	[ "${BASH_REMATCH[1]}" -ge 250 ]
	[ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -eq "${BASH_REMATCH[1]}" ]
}
