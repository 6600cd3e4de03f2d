#!/bin/bash
# The whole test suite: unit tests (C, TAP), the log suite, sse-publish and
# sse.cgi and sse-fcgi directly, and both behind real lighttpd, Apache and
# nginx started on 127.0.0.1 as our own processes; headless Chromium pages
# through each deployment (t3xxx); then all but the browser suites again on
# an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
#   scripts/test.sh [--quick]     --quick: skip the sanitizer pass
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/deps.sh
# shellcheck disable=SC2086
need_packages $BUILD_PACKAGES $SERVER_PACKAGES $TEST_PACKAGES $BROWSER_PACKAGES $HARDEN_PACKAGES && need_npm || exit 1
# playwright-core drives Debian's chromium; npm ci installs exactly the
# version in package-lock.json (no browser download: the package has none).
if [ ! -d test/browser/node_modules/playwright-core ] ||
	[ test/browser/package-lock.json -nt test/browser/node_modules/.package-lock.json ]; then
	(cd test/browser && npm ci --no-audit --no-fund --loglevel=error > /dev/null) ||
		{ echo "npm ci in test/browser failed"; echo "0 passed, 1 failed"; exit 1; }
fi

QUICK=0
[ "${1:-}" = --quick ] && QUICK=1
OUT=test/out
rm -rf "$OUT" && mkdir -p "$OUT"
passed=0 failed=0 skipped=0

# Counts a TAP stream: "ok", "not ok", "# skip"; keeps it in the log. A
# program that exits non-zero without a "not ok" (a crash, a sanitizer
# abort) counts as one failure.
tally() {
	local label=$1 line mine=0
	shift
	echo "== $label" >> "$OUT/tap.log"
	while IFS= read -r line; do
		printf '%s\n' "$line" >> "$OUT/tap.log"
		case $line in
		"exit-status "*)
			if [ "${line#exit-status }" != 0 ] && [ "$mine" -eq 0 ]; then
				failed=$((failed + 1))
				printf '%s: exited %s without a failing test (see %s)\n' "$label" "${line#exit-status }" "$OUT/tap.log"
			fi ;;
		"not ok "*) failed=$((failed + 1)); mine=$((mine + 1)); printf '%s: %s\n' "$label" "$line" ;;
		"ok "*"# skip"*) skipped=$((skipped + 1)); printf '%s: %s\n' "$label" "$line" ;;
		"ok "*) passed=$((passed + 1)) ;;
		"#"*) [ "$failed" -gt 0 ] && printf '%s\n' "$line" ;;
		esac
	done < <("$@" 2>&1; echo "exit-status $?")
}

# suite BUILD LABEL [browser]: the unit tests and the bats suites; the
# browser suites (t3xxx) only when asked: they run once, on the plain build
# (the programs' code paths they reach run under the sanitizers in t1xxx and
# t2xxx).
suite() {
	local build=$1 label=$2 browser=${3:-} t
	for t in "$build"/test/test_*; do
		tally "$label unit $(basename "$t")" "$t"
	done
	for t in test/bats/t*.bats; do
		case $(basename "$t") in t3*) [ -n "$browser" ] || continue ;; esac
		tally "$label $(basename "$t" .bats)" env SSE_BUILD="$build" bats --tap "$t"
	done
}

echo "building..."
make -s O=build tests > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; echo "0 passed, 1 failed"; exit 1; }
suite build plain browser
if [ "$QUICK" -eq 0 ]; then
	make -s O=build/asan SANITIZE=address,undefined tests > "$OUT/build-asan.log" 2>&1 ||
		{ cat "$OUT/build-asan.log"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }
	# The hardening modes scale themselves down on this build (every
	# process is ~3x slower); shims and valgrind use build/dyn on both.
	ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		suite build/asan asan
fi
# What each deployment measured in the browser (publish to onmessage, ...).
if [ -s "$OUT/browser.txt" ]; then
	echo "browser measurements:"
	grep -E ' (latency|tutorial|resume):' "$OUT/browser.txt" | sed 's/^/  /'
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
