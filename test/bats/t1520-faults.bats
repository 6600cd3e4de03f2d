#!/usr/bin/env bats
# I/O faults (test/harden/faults.sh): EIO and ENOSPC on each log file, a low
# ulimit -n, failed allocations, and a full tmpfs as the spool (as root).

@test "I/O faults: one clear line and an exit status each, the log intact, service back once the fault is gone" {
	run bash test/harden/faults.sh
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"result faults cases="* ]]
	[ "$(sed -n 's/.* cases=\([0-9]*\) .*/\1/p' <<< "$output")" -eq "$(sed -n 's/.* ok=\([0-9]*\) .*/\1/p' <<< "$output")" ]
	# faults were met, and said so
	[ "$(sed -n 's/.* error_lines=\([0-9]*\) .*/\1/p' <<< "$output")" -gt 50 ]
	# as root the disk fills for real (doc/testing.md says why it may not)
	[ "$(id -u)" -ne 0 ] || [[ $output == *" diskfull=tmpfs "* ]]
	# nothing from the fifo or the drop-box lost while the disk was full
	[[ $output == *" diskfull_fifo_lost=0 "* ]]
	# sse-fcgi too: descriptors, allocations, EIO, a full disk under the fifo;
	# out of descriptors, a worker says so once per stall (two pools, stalled
	# again after their clients leave), not per accept (10 a second)
	[ "$(sed -n 's/.* fcgi_cases=\([0-9]*\) .*/\1/p' <<< "$output")" -ge 30 ]
	[ "$(sed -n 's/.* fcgi_emfile_accept_lines=\([0-9]*\) .*/\1/p' <<< "$output")" -le 8 ]
}
