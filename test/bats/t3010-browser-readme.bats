#!/usr/bin/env bats
# The README's page ("### 3. The page") in headless Chromium, on a shared
# host (Apache + .htaccess, sse.cgi in the web space): its <script> block
# as printed (only the URL adapted, as its comment says), and
# demo/index.html put beside sse.cgi and opened as the README says.
# The scenarios: test/browser/readme-page.mjs.
#   bats --tap test/bats/t3010-browser-readme.bats

SSE_SERVER=apache-htaccess
load helpers
load browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

# readme_page CHANNEL FILE: the README's snippet, its URL pointed at
# CHANNEL of this server, as FILE in the web space; nothing else changed.
readme_page() {
	local out=$SRV_DIR/htdocs/$2

	sed -n '/^```html$/,/^```$/p' "$SSE_TOP/README.md" | sed '1d;$d' >"$T/snippet.html"
	grep -q '<script>' "$T/snippet.html" || fail "no \`\`\`html block with a <script> in README.md" || return 1
	sed "s|'/path/sse.cgi/news'|'$SSE_URL/$1'|" "$T/snippet.html" >"$out"
	[ "$(diff "$T/snippet.html" "$out" | grep -c '^>')" = 1 ] ||
		fail "the snippet's URL '/path/sse.cgi/news' is not on one line of README.md's page" || return 1
	chmod 644 "$out"
}

# page SCENARIO [NAME=value...]: readme-page.mjs on channel $CH (two
# minutes at most); its output is in $output.
page() {
	run timeout 120 env SSE_CHANNEL="$CH" SSE_SPOOL="$SPOOL" SSE_PUBLISH="$SSE_BIN/sse-publish" \
		node "$BROWSER_DIR/readme-page.mjs" "$@"
	printf '%s\n' "$output"
	[ "$status" = 0 ] || { srv_show_log; return 1; }
}

@test "README page: the snippet as printed: onmessage, the tick listener, sse-gap reloads the page" {
	CH=c$BATS_TEST_NUMBER
	use_server SSE_MAX_LIFETIME=2 SSE_RETRY_MS=3000
	new_channel "$CH" --history 5
	readme_page "$CH" readme.html
	page snippet PAGE="$BASE/readme.html" HISTORY=5
}

@test "README page: the snippet on a channel that does not exist says it stopped, not that it reconnects" {
	CH=nosuch
	use_server
	readme_page "$CH" stopped.html
	[ ! -e "$SPOOL/$CH" ]
	page stopped PAGE="$BASE/stopped.html"
}

@test "README page: demo/index.html beside sse.cgi, opened as index.html?channel=CHANNEL" {
	CH=news$BATS_TEST_NUMBER
	use_server
	new_channel "$CH"
	install -m 644 "$SSE_TOP/demo/index.html" "$SRV_DIR/htdocs/index.html"
	[ -x "$SRV_DIR/htdocs/sse.cgi" ]
	page demo PAGE="$BASE/index.html?channel=$CH"
}

@test "README page: demo/index.html without ?channel uses channel demo" {
	CH=demo
	use_server
	[ -d "$SPOOL/demo" ] || new_channel demo
	install -m 644 "$SSE_TOP/demo/index.html" "$SRV_DIR/htdocs/index.html"
	page demo PAGE="$BASE/index.html"
}
