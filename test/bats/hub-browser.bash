# The Mercure hub in headless Chromium, shared by t3800 (lighttpd + sse.cgi),
# t3810 (nginx + sse-fcgi) and t3820 (Symfony's publisher): the scenarios of
# test/browser/hub-browser.mjs (its header maps Mercure's conformance cases
# to them) against the hub the server's config maps at $HUB_URL. A suite
# sets SSE_SERVER, loads helpers, browser, hub-behaviour and this file.

# hub_browser SCENARIO [NAME=value...]: one scenario (two minutes at most);
# its output is in $output. The page is written into the server's document
# root, so that it shares the hub's origin (and its cookie).
hub_browser() {
	run timeout 120 env OTHER_ORIGIN="${OTHER_ORIGIN:-}" EVIL_ORIGIN="${EVIL_ORIGIN:-}" HUB_URL="$BASE$HUB_URL" HUB_KEY="$HUB_KEY" HUB_DOC_ROOT="$SRV_DIR/htdocs" \
		SYMFONY_PUBLISHER="$BROWSER_DIR/symfony-publisher.php" \
		node "$BROWSER_DIR/hub-browser.mjs" "$@"
	printf '%s\n' "$output"
	[ ! -d "$SSE_TOP/test/out" ] ||
		printf '%s hub %s: %s\n' "$SSE_SERVER" "$1" "$(printf '%s\n' "$output" | tail -n 1)" >>"$SSE_TOP/test/out/browser.txt"
	[ "$status" = 0 ] || { srv_show_log; return 1; }
}

# The conformance page subscribes without credentials.
bh_conformance() {
	use_server "SSE_JWT_KEY=$HUB_KEY" SSE_ANONYMOUS=1
	hub_browser conformance
}

# Cookie publishing from the page's own origin (the server's) and from
# another one (a port of 127.0.0.1 the test serves); a third is unlisted.
bh_private() {
	local other evil

	other=http://127.0.0.1:$(free_port)
	evil=http://127.0.0.1:$(free_port)
	use_server "SSE_JWT_KEY=$HUB_KEY" "SSE_CORS_ORIGINS=$other" "SSE_PUBLISH_ORIGINS=$BASE $other"
	OTHER_ORIGIN=$other EVIL_ORIGIN=$evil hub_browser private
}

bh_resume() {
	use_server "SSE_JWT_KEY=$HUB_KEY" SSE_MAX_LIFETIME=2 SSE_RETRY_MS=1500
	hub_browser resume
}

# No SSE_RETRY_MS: the browser's own delay (3 s) until an update's retry.
bh_retry() {
	use_server "SSE_JWT_KEY=$HUB_KEY" SSE_MAX_LIFETIME=2
	hub_browser retry
}

bh_symfony() {
	command -v php >/dev/null || fail "php-cli is not installed: scripts/test.sh installs it (apt-get install php-cli)" || return 1
	[ -f /usr/share/php/Symfony/Component/Mercure/autoload.php ] ||
		fail "php-symfony-mercure is not installed: scripts/test.sh installs it (apt-get install php-symfony-mercure)" || return 1
	use_server "SSE_JWT_KEY=$HUB_KEY" SSE_MAX_LIFETIME=2
	hub_browser symfony
}
