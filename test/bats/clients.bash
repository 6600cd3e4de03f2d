# The resume point with the clients people use, shared by the t37xx suites:
# Chromium (sse-browser.mjs) and the two most used Node clients on npm,
# eventsource and eventsource-client (node-clients.mjs), which parse with
# eventsource-parser: it forgets an id that comes without data. A client
# that came without an id and whose stream ends before its first event must
# still come back with one and get what was published while it was away.
# A suite sets SSE_SERVER, loads helpers and browser, and calls the c_*
# functions.

clients_setup_file() {
	local m

	command -v node >/dev/null || fail "node is not installed: scripts/test.sh installs it (apt-get install nodejs npm)" || return 1
	for m in eventsource eventsource-client; do
		[ -d "$BROWSER_DIR/node_modules/$m" ] ||
			fail "no $BROWSER_DIR/node_modules/$m: scripts/test.sh runs npm ci there" || return 1
	done
	browser_setup_file
}

# node_client CLIENT [NAME=value...]: node-clients.mjs on channel $CH (one
# minute at most); its output is in $output.
node_client() {
	run timeout 60 env SSE_STREAM_URL="$BASE$SSE_URL" SSE_CHANNEL="$CH" SSE_SPOOL="$SPOOL" \
		SSE_PUBLISH="$SSE_BIN/sse-publish" node "$BROWSER_DIR/node-clients.mjs" "$@"
	printf '%s\n' "$output"
	[ "$status" = 0 ] || { srv_show_log; return 1; }
}

# The stream ends by its lifetime; the client comes back after SSE_RETRY_MS.
c_lifetime_server() {
	use_server SSE_MAX_LIFETIME=2 SSE_RETRY_MS=1000
}

# Every request is answered busy: one stream (on another channel) holds the
# only place. The client comes back after about SSE_BUSY_RETRY_MS.
c_busy_server() {
	use_server SSE_MAX_STREAMS=1 SSE_BUSY_RETRY_MS=1000
	new_channel "hold$BATS_TEST_NUMBER"
	sse_open hold "$SSE_URL/hold$BATS_TEST_NUMBER"
	sse_ready hold
}

# c_node CLIENT lifetime|busy
c_node() {
	CH=c$BATS_TEST_NUMBER
	"c_$2_server" || return 1
	new_channel "$CH"
	node_client "$1" AWAY=2
}

# c_browser lifetime|busy
c_browser() {
	CH=c$BATS_TEST_NUMBER
	"c_$1_server" || return 1
	new_channel "$CH"
	browser away AWAY=2
}
