# wrap: runs another peer directory (WRAP_PEERDIR) unchanged, with two
# measurement changes; bench.sh sources this with PEERDIR = this directory,
# the wrapped peer.sh sees PEERDIR = WRAP_PEERDIR, as if bench.sh had been
# given that directory.
#
# 1. Precise server CPU (always): bench.sh's srvstat sums utime+stime of
#    /proc/PID/stat, which the kernel prints in whole 10 ms ticks per process,
#    rounded down. A process-per-subscriber server (sse.cgi, php-fpm workers)
#    whose processes each use less than a tick in the window reads as ~0 CPU
#    whatever N is. SRVSTAT (the variable bench.sh calls, set before it
#    sources peer.sh) is pointed at bench/srvstat-precise, which runs the real
#    srvstat and replaces its cpu_s by the nanosecond sum of
#    /proc/PID/task/TID/schedstat over the trees (+ reaped children), and logs
#    both values to $RUN/cpustat.log (kept by bench.sh -k).
# 2. WRAP_IDLE=1: the publisher is replaced by `exec:true` (sspub runs
#    /bin/true at RATE, nothing reaches the server), so the "publishing"
#    window (DURATION + 2 s drain) is a window with N subscribers connected and
#    no event: srv_cpu_s is the server's idle CPU.
PEERDIR=$(cd "${WRAP_PEERDIR:?wrap peer: set WRAP_PEERDIR}" && pwd)
# shellcheck source=/dev/null
. "$PEERDIR/peer.sh"
[ "${WRAP_IDLE:-0}" = 1 ] && PUB_TARGET="exec:true"
export SRVSTAT_REAL="$HERE/srvstat" SRVSTAT_LOG="$RUN/cpustat.log"
SRVSTAT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/srvstat-precise"
