#!/usr/bin/env bats
# Browser acceptance (headless Chromium) through lighttpd + mod_fastcgi spawning sse-fcgi
# (test/conf/lighttpd-fcgi.conf.in): browser.bash.
#   bats --tap test/bats/t3400-browser-lighttpd-fcgi.bats

SSE_SERVER=lighttpd-fcgi
# The server notices a departed idle client only when a write to it fails:
# the heartbeat (0.3 s here) makes that happen within a second.
GONE_ENV=SSE_HEARTBEAT=0.3
load helpers
load browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser lighttpd-fcgi: tutorial code: onopen first, onmessage, named events, close() frees the stream" { b_tutorial; }
@test "browser lighttpd-fcgi: publish to onmessage latency" { b_latency; }
@test "browser lighttpd-fcgi: fidelity: fifo, drop-box and sse-publish inputs arrive as meant" { b_fidelity; }
@test "browser lighttpd-fcgi: resume: 20 events/s for 20 s across lifetime ends, every event once" { b_resume; }
@test "browser lighttpd-fcgi: sse-gap after being away longer than the history" { b_gap; }
@test "browser lighttpd-fcgi: busy: never CLOSED, every event in the end" { b_busy; }
@test "browser lighttpd-fcgi: CORS: a listed origin with credentials, the cookie reaches sse-fcgi" { b_cors_listed; }
@test "browser lighttpd-fcgi: CORS: an unlisted origin fails" { b_cors_unlisted; }
@test "browser lighttpd-fcgi: CORS: '*' without credentials" { b_cors_star; }
@test "browser lighttpd-fcgi: an idle stream outlives the server's idle timeouts by the heartbeat" { b_idle; }
