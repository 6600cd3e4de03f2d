#!/usr/bin/env bats
# Browser acceptance (headless Chromium) through nginx + fastcgi_pass to sse-fcgi
# (test/conf/nginx-fcgi.conf.in): browser.bash.
#   bats --tap test/bats/t3500-browser-nginx-fcgi.bats

SSE_SERVER=nginx-fcgi
load helpers
load browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser nginx-fcgi: tutorial code: onopen first, onmessage, named events, close() frees the stream" { b_tutorial; }
@test "browser nginx-fcgi: publish to onmessage latency" { b_latency; }
@test "browser nginx-fcgi: fidelity: fifo, drop-box and sse-publish inputs arrive as meant" { b_fidelity; }
@test "browser nginx-fcgi: resume: 20 events/s for 20 s across lifetime ends, every event once" { b_resume; }
@test "browser nginx-fcgi: sse-gap after being away longer than the history" { b_gap; }
@test "browser nginx-fcgi: busy: never CLOSED, every event in the end" { b_busy; }
@test "browser nginx-fcgi: CORS: a listed origin with credentials, the cookie reaches sse-fcgi" { b_cors_listed; }
@test "browser nginx-fcgi: CORS: an unlisted origin fails" { b_cors_unlisted; }
@test "browser nginx-fcgi: CORS: '*' without credentials" { b_cors_star; }
@test "browser nginx-fcgi: an idle stream outlives the server's idle timeouts by the heartbeat" { b_idle; }
