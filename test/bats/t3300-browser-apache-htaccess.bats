#!/usr/bin/env bats
# Browser acceptance (headless Chromium) through Apache + an .htaccess running sse.cgi (shared hosting)
# (test/conf/apache-htaccess.conf.in): browser.bash.
#   bats --tap test/bats/t3300-browser-apache-htaccess.bats

SSE_SERVER=apache-htaccess
# A host like many: mod_deflate and mod_brotli compress text/* and
# text/event-stream; the documented .htaccess keeps them off the stream.
SRV_HOST=BROKEN=compress
# The server notices a departed idle client only when a write to it fails:
# the heartbeat (0.3 s here) makes that happen within a second.
GONE_ENV=SSE_HEARTBEAT=0.3
load helpers
load browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser apache-htaccess: tutorial code: onopen first, onmessage, named events, close() frees the stream" { b_tutorial; }
@test "browser apache-htaccess: publish to onmessage latency" { b_latency; }
@test "browser apache-htaccess: fidelity: fifo, drop-box and sse-publish inputs arrive as meant" { b_fidelity; }
@test "browser apache-htaccess: resume: 20 events/s for 20 s across lifetime ends, every event once" { b_resume; }
@test "browser apache-htaccess: sse-gap after being away longer than the history" { b_gap; }
@test "browser apache-htaccess: busy: never CLOSED, every event in the end" { b_busy; }
@test "browser apache-htaccess: CORS: a listed origin with credentials, the cookie reaches sse.cgi" { b_cors_listed; }
@test "browser apache-htaccess: CORS: an unlisted origin fails" { b_cors_unlisted; }
@test "browser apache-htaccess: CORS: '*' without credentials" { b_cors_star; }
@test "browser apache-htaccess: an idle stream outlives the server's idle timeouts by the heartbeat" { b_idle; }
