#!/bin/bash
# Fuzzing: the libFuzzer targets of test/fuzz/ (clang, ASan + UBSan), one
# after another:
#   parse    producer input (lib/parse.c, lib/format.c)
#   request  the request handling (lib/request.c, settings.c, channel.c)
#   fcgi     a FastCGI connection through libfcgi into sse-fcgi's code
#   log      the channel log on damaged files (lib/log*.c)
#   form     the hub's publish form, query and cookie (lib/form.c)
#   selector topic selectors against a topic, checked against POSIX regex
#            (lib/selector.c, lib/uritemplate.c)
#   jwt      the JWT verifier and the PEM key reader (lib/jwt*.c)
# Each target first replays its seed corpus (test/fuzz/corpus/TARGET) and
# its regression inputs (test/fuzz/regress/TARGET: every crash found, kept
# after its fix), then fuzzes from the seeds; what it finds new stays in a
# scratch corpus. A crash, leak, timeout or failed invariant is a failure;
# its input is copied to $FZ/crashes/TARGET/ (add it to the regressions with
# the fix).
#   usage: fuzz.sh [--long] [TARGET...]
# Short: 12 s of fuzzing per target (6 s on a sanitizer build of the suite,
# which runs everything twice); --long: 10,000,000 executions per target
# (SSE_FUZZ_RUNS overrides), niced.
# One line per target: result fuzz target=T execs=N crashes=N corpus=N
# regress=N secs=S (execs: libFuzzer's "Done N runs", replays included).
. "$(dirname "$0")/common.sh"
set -u
h_build_fuzz || exit 1
if [ "$LONG" = 1 ]; then
	MODE=(-runs="${SSE_FUZZ_RUNS:-10000000}")
	NICE=(nice -n 10)
elif [[ $B == *asan* ]]; then
	MODE=(-max_total_time=6)
	NICE=()
else
	MODE=(-max_total_time=12)
	NICE=()
fi
# Largest input per target: a producer's chunk, a request's variables, a
# connection's first records, a small log (index of history 4 + segments),
# a form (too many topics needs more: the unit test has that row), a token
# just past SSE_JWT_MAX.
declare -A MAXLEN=([parse]=4096 [request]=2048 [fcgi]=4096 [log]=16384 [form]=4096 [jwt]=9000)
targets=("${H_ARGS[@]}")
if [ ${#targets[@]} -eq 0 ]; then
	for f in test/fuzz/fuzz_*.c; do
		t=${f##*/fuzz_}
		targets+=("${t%.c}")
	done
fi
fail=0
for t in "${targets[@]}"; do
	bin=$FZ/fuzz/fuzz_$t
	seeds=test/fuzz/corpus/$t
	reg=test/fuzz/regress/$t
	art=$WORK/artifacts-$t
	new=$WORK/corpus-$t
	[ -x "$bin" ] && [ -d "$seeds" ] || { echo "fuzz: no target or no seeds for '$t'" >&2; fail=1; continue; }
	mkdir -p "$art" "$new"
	nreg=0
	dirs=("$seeds")
	if [ -d "$reg" ]; then
		nreg=$(find "$reg" -type f | wc -l)
		dirs+=("$reg")
	fi
	opts=(-max_len="${MAXLEN[$t]:-4096}" -timeout=10 -print_final_stats=1 -artifact_prefix="$art/")
	[ -f "test/fuzz/$t.dict" ] && opts+=(-dict="test/fuzz/$t.dict")
	crashes=0
	# Replay: each seed and regression input once, under the sanitizers.
	if ! "$bin" "${opts[@]}" -runs=0 "${dirs[@]}" > "$WORK/replay-$t.log" 2>&1; then
		tail -n 40 "$WORK/replay-$t.log" >&2
		echo "fuzz: $t: a seed or regression input fails" >&2
		crashes=1
	fi
	start=$(date +%s)
	# Bounded in time as in count: -max_total_time, or -runs plus a ceiling.
	timeout --kill-after=10 "${SSE_FUZZ_LIMIT:-7200}" "${NICE[@]}" "$bin" "${opts[@]}" "${MODE[@]}" \
		"$new" "${dirs[@]}" > "$WORK/fuzz-$t.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$WORK/fuzz-$t.log" | tail -n 1)
	found=$(find "$art" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ] || [ -z "$execs" ]; then
		grep -E 'ERROR|SUMMARY|invariant failed|Test unit written' "$WORK/fuzz-$t.log" | head -n 20 >&2
		echo "fuzz: $t: exit $rc, $found input(s) found" >&2
		crashes=$((crashes + (found > 0 ? found : 1)))
		mkdir -p "$FZ/crashes/$t"
		cp "$art"/* "$FZ/crashes/$t/" 2> /dev/null && echo "fuzz: kept in $FZ/crashes/$t/" >&2
	fi
	[ "$crashes" -eq 0 ] || fail=1
	h_result fuzz "target=$t execs=${execs:-0} crashes=$crashes corpus=$(find "$seeds" "$new" -type f | wc -l) regress=$nreg secs=$secs"
done
exit $fail
