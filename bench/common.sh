# Sourced by bench/run.sh and bench/fcgi.sh (with BENCH, ROOT, SSEBENCH
# and RES, from -o or empty, set).

# bench_results NAME: the result directory (RES, default
# bench/out/NAME-DATE), log(), and everything printed also in RES/run.log.
bench_results() {
	OUT=$BENCH/out
	RES=${RES:-$OUT/$1-$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$RES" || exit 1
	RES=$(cd "$RES" && pwd)
	exec > >(tee "$RES/run.log") 2>&1
	log "results in $RES"
}

log() { echo "[$(date +%T)] $*" >&2; }

# bench_build: the product and the harness. Sets SSE_BUILD (exported) and
# HB (the harness copy).
bench_build() {
	# 1. the product: a private build, so that concurrent edits/builds of build/
	#    do not change the binaries under a run
	if [ -n "${SSE_BUILD:-}" ]; then
		SSE_BUILD=$(cd "$SSE_BUILD" && pwd)
	else
		SSE_BUILD=$OUT/build
		log "building sse-cgi into $SSE_BUILD"
		make -s -C "$ROOT" O="$SSE_BUILD" all > "$RES/build.log" 2>&1 || { cat "$RES/build.log"; echo "run: build failed" >&2; exit 1; }
	fi
	export SSE_BUILD
	for f in sse.cgi sse-fcgi sse-publish libsse.a; do
		[ -e "$SSE_BUILD/$f" ] || { echo "run: no $SSE_BUILD/$f" >&2; exit 1; }
	done

	# 2. the harness: its Makefile builds in place, so work on a copy
	rm -rf "$OUT/ssebench"
	cp -r "$SSEBENCH" "$OUT/ssebench" && chmod -R u+w "$OUT/ssebench" && rm -rf "$OUT/ssebench/results" || exit 1
	make -s -C "$OUT/ssebench" > "$RES/harness-build.log" 2>&1 || { cat "$RES/harness-build.log"; exit 1; }
	HB=$OUT/ssebench
}
