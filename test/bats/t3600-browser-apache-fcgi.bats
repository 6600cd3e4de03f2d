#!/usr/bin/env bats
# Browser acceptance (headless Chromium) through Apache + mod_proxy_fcgi to sse-fcgi
# (test/conf/apache-fcgi.conf.in): browser.bash.
#   bats --tap test/bats/t3600-browser-apache-fcgi.bats

SSE_SERVER=apache-fcgi
# The server notices a departed idle client only when a write to it fails:
# the heartbeat (0.3 s here) makes that happen within a second.
GONE_ENV=SSE_HEARTBEAT=0.3
load helpers
load browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser apache-fcgi: tutorial code: onopen first, onmessage, named events, close() frees the stream" { b_tutorial; }
@test "browser apache-fcgi: publish to onmessage latency" { b_latency; }
@test "browser apache-fcgi: fidelity: fifo, drop-box and sse-publish inputs arrive as meant" { b_fidelity; }
@test "browser apache-fcgi: resume: 20 events/s for 20 s across lifetime ends, every event once" { b_resume; }
@test "browser apache-fcgi: sse-gap after being away longer than the history" { b_gap; }
@test "browser apache-fcgi: busy: never CLOSED, every event in the end" { b_busy; }
@test "browser apache-fcgi: CORS: a listed origin with credentials, the cookie reaches sse-fcgi" { b_cors_listed; }
@test "browser apache-fcgi: CORS: an unlisted origin fails" { b_cors_unlisted; }
@test "browser apache-fcgi: CORS: '*' without credentials" { b_cors_star; }
@test "browser apache-fcgi: an idle stream outlives the server's idle timeouts by the heartbeat" { b_idle; }
