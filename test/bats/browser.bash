# Browser acceptance, shared by the t3xxx suites: headless Chromium (Debian's
# chromium, driven by playwright-core from test/browser) opens a page whose
# EventSource code is the tutorials' own, against a real web server started
# by helpers.bash from test/conf. A suite sets SSE_SERVER, loads helpers and
# this file, and calls the b_* functions.
#
# Suite variables:
#   GONE_ENV   settings for the test where the page closes its stream
#   GONE_MS    how long the server may take to free it (default 1000)

: "${GONE_ENV:=}"
: "${GONE_MS:=1000}"
BROWSER_DIR=$SSE_TOP/test/browser

browser_setup_file() {
	[ -x /usr/bin/chromium ] || fail "chromium is not installed: scripts/test.sh installs it (apt-get install chromium)" || return 1
	[ -d "$BROWSER_DIR/node_modules/playwright-core" ] ||
		fail "no $BROWSER_DIR/node_modules: scripts/test.sh runs npm ci there" || return 1
	srv_setup_file
}

# How many streams the server runs now, as a command for the page driver.
streams_cmd() {
	if is_fcgi; then
		printf '%q -t 2 %q REQUEST_METHOD=GET QUERY_STRING=status SSE_STATUS=1 SSE_SPOOL_DIR=%q 2>/dev/null | sed -n %q' \
			"$SSE_BIN/test/fcgiclient" "unix:$SRV_FCGI_SOCK" "$SPOOL" \
			's/.*"pool":{"workers":[0-9]*,"streams":\([0-9]*\)}.*/\1/p'
	else
		printf 'find /proc -mindepth 2 -maxdepth 2 -name exe -lname %q 2>/dev/null | wc -l' "$SRV_CGI"
	fi
}

# browser SCENARIO [NAME=value...]: runs one scenario of sse-browser.mjs on
# channel $CH (two minutes at most); its output is in $output.
browser() {
	run timeout 120 env SSE_STREAM_URL="$BASE$SSE_URL" SSE_CHANNEL="$CH" SSE_SPOOL="$SPOOL" \
		SSE_PUBLISH="$SSE_BIN/sse-publish" SSE_STREAMS_CMD="$(streams_cmd)" \
		node "$BROWSER_DIR/sse-browser.mjs" "$@"
	printf '%s\n' "$output"
	# What the suite measured, for scripts/test.sh's summary.
	[ ! -d "$SSE_TOP/test/out" ] ||
		printf '%s %s: %s\n' "$SSE_SERVER" "$1" "$(printf '%s\n' "$output" | tail -n 1)" >>"$SSE_TOP/test/out/browser.txt"
	[ "$status" = 0 ] || { srv_show_log; return 1; }
}

# --- what the program received ------------------------------------------------

# Processes whose input shows what reached the program: the server (which
# execs sse.cgi with the request in its environment) or the pool's workers
# (which read the FastCGI parameters).
trace_targets() {
	local pid

	if is_fcgi; then
		cgi_pids
	else
		pid=$(<"$SRV_DIR/server.pid")
		echo "$pid"
		pgrep -P "$pid"
	fi
}

trace_start() {
	local -a p=() ev=(-e trace=execve)
	local pid

	for pid in $(trace_targets); do p+=(-p "$pid"); done
	is_fcgi && ev=(-e trace=read,recvfrom,recvmsg)
	strace -f -qq -v -s 8192 "${ev[@]}" -o "$T/trace" "${p[@]}" 2>"$T/trace.err" &
	echo $! >"$T/trace.pid"
	wait_for "[ \"\$(awk '/^TracerPid:/ {print \$2}' /proc/${pid}/status)\" != 0 ]" 100 0.05
}

trace_stop() {
	kill -INT "$(<"$T/trace.pid")" 2>/dev/null
	wait "$(<"$T/trace.pid")" 2>/dev/null || true
}

# --- the scenarios -------------------------------------------------------------------

b_tutorial() {
	CH=c$BATS_TEST_NUMBER
	use_server $GONE_ENV
	new_channel "$CH"
	browser tutorial GONE_MS="$GONE_MS"
}

b_latency() {
	CH=c$BATS_TEST_NUMBER
	use_server
	new_channel "$CH"
	browser latency N=50
}

b_fidelity() {
	CH=c$BATS_TEST_NUMBER
	use_server
	new_channel "$CH"
	browser fidelity
}

b_resume() {
	CH=c$BATS_TEST_NUMBER
	use_server SSE_MAX_LIFETIME=2 SSE_RETRY_MS=500
	new_channel "$CH"
	browser resume RATE=20 SECONDS=20 RETRY_MS=500
}

b_gap() {
	CH=c$BATS_TEST_NUMBER
	use_server SSE_MAX_LIFETIME=2 SSE_RETRY_MS=3000
	new_channel "$CH" --history 5
	browser gap HISTORY=5
}

b_busy() {
	CH=c$BATS_TEST_NUMBER
	use_server SSE_MAX_STREAMS=2 SSE_BUSY_RETRY_MS=1000
	new_channel "$CH"
	browser busy SOURCES=4 MAX=2 EVENTS=10
}

# A listed origin, with credentials: the stream works and the page's cookie
# reaches the program.
b_cors_listed() {
	local page cookie=sid=k$RANDOM$RANDOM

	if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 0 ]; then
		skip "seeing the cookie reach the program takes strace -p: root, or kernel.yama.ptrace_scope=0"
	fi
	CH=c$BATS_TEST_NUMBER
	page=http://127.0.0.1:$(free_port)
	use_server "SSE_CORS_ORIGINS=http://elsewhere.example $page"
	new_channel "$CH"
	trace_start
	browser cors PAGE_ORIGIN="$page" EXPECT=ok CREDENTIALS=1 COOKIE="$cookie" || { trace_stop; return 1; }
	trace_stop
	grep -q -F "$cookie" "$T/trace" || fail "the cookie $cookie did not reach the program (trace: $(wc -l <"$T/trace") lines)"
}

b_cors_unlisted() {
	CH=c$BATS_TEST_NUMBER
	use_server "SSE_CORS_ORIGINS=http://elsewhere.example"
	new_channel "$CH"
	browser cors PAGE_ORIGIN="http://127.0.0.1:$(free_port)" EXPECT=fail
}

# '*': any origin without credentials; with credentials the browser refuses.
b_cors_star() {
	local page

	CH=c$BATS_TEST_NUMBER
	page=http://127.0.0.1:$(free_port)
	use_server "SSE_CORS_ORIGINS=*"
	new_channel "$CH"
	browser cors PAGE_ORIGIN="$page" EXPECT=ok
	browser cors PAGE_ORIGIN="$page" EXPECT=fail CREDENTIALS=1
}

# The server's idle timeouts at 2 s: the heartbeat (1 s) keeps an idle
# stream alive through them; without it (60 s) the server does drop it
# (Apache's mod_cgi takes a few seconds more to end the response).
b_idle() {
	CH=c$BATS_TEST_NUMBER
	use_server IDLE=2 SSE_HEARTBEAT=1
	new_channel "$CH"
	browser idle SECONDS=10
	use_server IDLE=2 SSE_HEARTBEAT=60
	browser idle SECONDS=10 EXPECT=dropped
}
