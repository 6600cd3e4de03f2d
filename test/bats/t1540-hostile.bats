#!/usr/bin/env bats
# Hostile input (issue 6, point 5): test/harden/hostile.sh runs its whole
# table against sse.cgi, sse-fcgi, sse-publish, a spool with planted links
# and odd files, lighttpd + sse.cgi and nginx + sse-fcgi, and checks the
# modes of what the programs create under umask 000 and 022.
#   SSE_BUILD=build/asan bats --tap test/bats/t1540-hostile.bats

@test "hostile inputs: refused cleanly, nothing lost, nothing injected, nothing world-writable" {
	run bash "$BATS_TEST_DIRNAME/../harden/hostile.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ result\ hostile\ inputs=([0-9]+)\ refused=([0-9]+)\ ok=([0-9]+)\ lost=0\ injected=0\ world_writable=0 ]]
	# the whole table ran: every input answered as expected
	[ "${BASH_REMATCH[1]}" -ge 250 ]
	[ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -eq "${BASH_REMATCH[1]}" ]
}

# doc/security.md's recipe for private channels (test/conf/lighttpd-auth.conf.in):
# a spool of their own under a URL that lighttpd's mod_auth protects.
teardown() {
	[ -z "${SRV_DIR:-}" ] || srv_teardown_file
}

@test "private channels: lighttpd mod_auth: 401 and no stream without a user, a stream with one; ?channel= cannot reach them" {
	SSE_SERVER=lighttpd-cgi
	load helpers
	T=$BATS_TEST_TMPDIR
	: >"$T/clients"
	srv_setup_file
	mkdir -p "$SRV_DIR/private-spool"
	chmod 2775 "$SRV_DIR/private-spool"
	printf 'alice:%s\n' "$(openssl passwd -apr1 secret)" >"$SRV_DIR/htpasswd"
	render "$SSE_CONF/lighttpd-auth.conf.in" "$SRV_DIR/server.conf"
	setsid lighttpd -D -f "$SRV_DIR/server.conf" >>"$SRV_DIR/server.out" 2>&1 </dev/null 3>&- &
	echo $! >"$SRV_DIR/server.pid"
	wait_for "port_open $SRV_PORT" 100 0.05
	"$SSE_BIN/sse-publish" --spool "$SRV_DIR/private-spool" --create secret
	"$SSE_BIN/sse-publish" --spool "$SRV_DIR/private-spool" secret "for alice" >/dev/null
	new_channel news
	# no user, a wrong password: 401, and sse.cgi never ran
	get anon /private/sse.cgi/secret -H 'Last-Event-ID: 0'
	[ "$status" = 401 ]
	hdr anon WWW-Authenticate | grep -q 'Basic realm="sse private channels"'
	refute grep -q 'for alice' "$T/anon.body"
	get wrong /private/sse.cgi/secret -u alice:wrong -H 'Last-Event-ID: 0'
	[ "$status" = 401 ]
	refute grep -q 'for alice' "$T/wrong.body"
	[ -z "$(cgi_pids)" ]
	# the public URL cannot reach the private spool, by path or by query
	get pub1 /sse.cgi/secret
	[ "$status" = 404 ]
	get pub2 "/sse.cgi?channel=secret"
	[ "$status" = 404 ]
	# alice gets the stream
	sse_open alice /private/sse.cgi/secret -u alice:secret -H 'Last-Event-ID: 0'
	sse_wait alice '^data: for alice$' 40
	[ "$(status_of alice)" = 200 ]
	expect_events alice "1 message for alice"
	sse_close alice
	# and the public channel stays public
	sse_open news /sse.cgi/news
	sse_ready news
	[ "$(publish news hello)" = 1 ]
	sse_wait news '^data: hello$'
	sse_close news
}
