# Sourced by the hardening modes (test/harden/MODE.sh, run through
# scripts/harden.sh or the t15xx suites). Sets:
#   TOP     the top of the tree (every mode runs from there)
#   B       the build under test: $SSE_BUILD, default build
#   DYN     a dynamically linked plain build, for LD_PRELOAD shims and
#           valgrind (neither works on the static programs): $SSE_DYN_BUILD,
#           default build/dyn; made on demand by h_build_dyn
#   FZ      the libFuzzer build: $SSE_FUZZ_BUILD, default build/fuzz
#   LONG    1 with --long (the figures of the closing note), else 0: the
#           short version the test suite runs
#   WORK    a scratch directory, removed at exit unless KEEP=1
# h_result MODE KEY=VALUE...: one line "result MODE KEY=VALUE..." on stdout
# (scripts/harden.sh gathers them into its table).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
B=${SSE_BUILD:-build}
DYN=${SSE_DYN_BUILD:-build/dyn}
FZ=${SSE_FUZZ_BUILD:-build/fuzz}
LONG=0
H_ARGS=()
for a in "$@"; do
	case $a in
	--long) LONG=1 ;;
	*) H_ARGS+=("$a") ;;
	esac
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sse-harden.XXXXXX") || exit 1
h_cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap h_cleanup EXIT

h_build_dyn() {
	make -s O="$DYN" PROG_LDFLAGS= tests > "$WORK/build-dyn.log" 2>&1 ||
		{ cat "$WORK/build-dyn.log" >&2; echo "building $DYN failed" >&2; return 1; }
}

h_build_fuzz() {
	make -s O="$FZ" CC=clang SANITIZE=fuzzer-no-link,address,undefined fuzzers > "$WORK/build-fuzz.log" 2>&1 ||
		{ cat "$WORK/build-fuzz.log" >&2; echo "building $FZ failed" >&2; return 1; }
}

h_result() {
	local mode=$1
	shift
	echo "result $mode $*"
}
