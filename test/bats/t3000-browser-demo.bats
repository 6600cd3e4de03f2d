#!/usr/bin/env bats
# The README's first command, scripts/demo.sh, in headless Chromium: the
# page shows the connection open, the ticks of its producer, and events
# published with sse-publish; the suite keeps a screenshot of it
# (test/out/demo.png; doc/demo.png is the one the README shows).
#   bats --tap test/bats/t3000-browser-demo.bats

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$BATS_TEST_TMPDIR
}

teardown() {
	local pid

	[ -s "$T/demo.pid" ] || return 0
	pid=$(<"$T/demo.pid")
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
	kill -KILL -- "-$pid" 2>/dev/null || true
}

@test "demo: scripts/demo.sh serves a page that shows live events; screenshot" {
	local port spool i

	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	setsid "$TOP/scripts/demo.sh" "$port" >"$T/demo.out" 2>&1 </dev/null 3>&- &
	echo $! >"$T/demo.pid"
	for ((i = 0; i < 200; i++)); do
		grep -q 'sse-publish --spool' "$T/demo.out" && break
		sleep 0.05
	done
	cat "$T/demo.out"
	spool=$(sed -n 's/.*sse-publish --spool \([^ ]*\) .*/\1/p' "$T/demo.out")
	[ -d "$spool/demo" ]
	grep -q "http://127.0.0.1:$port/" "$T/demo.out"
	mkdir -p "$TOP/test/out"
	run timeout 60 env SSE_STREAM_URL="http://127.0.0.1:$port/sse.cgi" SSE_CHANNEL=demo SSE_SPOOL="$spool" \
		SSE_PUBLISH="$TOP/build/sse-publish" node "$TOP/test/browser/sse-browser.mjs" demo SHOT="$TOP/test/out/demo.png"
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	[ -s "$TOP/test/out/demo.png" ]
}
