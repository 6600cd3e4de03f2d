#!/bin/bash
# The hardening modes, each a script in test/harden/:
#   crash    SIGKILL of random producers and readers; log and clients checked
#   power    lost unsynced writes (a shim keeps what was synced), reopened
#   faults   disk full, EIO, EMFILE, failed allocations
#   fuzz     libFuzzer targets (clang, ASan, UBSan) on the seed corpora
#   hostile  hostile channel names, headers, spool entries; file modes
#   soak     many subscribers for a long time; memory, fds, nothing lost;
#            valgrind memcheck on a short run of each program
#   all      every mode in turn
# usage: scripts/harden.sh MODE [--long]
#   without --long: the short version the test suite runs (t15xx);
#   --long: the figures of the README's hardening table (crash 10,000 kills,
#   fuzz 10 million executions per target, soak 10 minutes per program).
# Ends with a table of every mode's "result" lines; exits non-zero on any
# failure.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/deps.sh
# shellcheck disable=SC2086
need_packages $BUILD_PACKAGES $SERVER_PACKAGES $TEST_PACKAGES $HARDEN_PACKAGES || exit 1
MODES="crash power faults fuzz hostile soak"
mode=${1:-}
shift
case " $MODES all " in
*" $mode "*) ;;
*) echo "usage: scripts/harden.sh {${MODES// /|}|all} [--long]" >&2; exit 2 ;;
esac
[ "$mode" = all ] && mode=$MODES
make -s O="${SSE_BUILD:-build}" tests || exit 1
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
bad=0
for m in $mode; do
	echo "== $m"
	bash "test/harden/$m.sh" "$@" | tee -a "$out"
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "$m: FAILED"; bad=1; }
done
echo "== results"
grep '^result ' "$out" | cut -d' ' -f2- | column -t
exit $bad
