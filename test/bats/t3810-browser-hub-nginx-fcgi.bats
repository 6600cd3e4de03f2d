#!/usr/bin/env bats
# The Mercure hub in headless Chromium through nginx + fastcgi_pass to sse-fcgi
# (test/conf/nginx-fcgi.conf.in): hub-browser.bash.
#   bats --tap test/bats/t3800-browser-hub-nginx-fcgi.bats

SSE_SERVER=nginx-fcgi
load helpers
load browser
load hub-behaviour
load hub-browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser hub nginx-fcgi: Mercure's conformance cases" { bh_conformance; }
@test "browser hub nginx-fcgi: private updates by cookie and by query token, to their subscribers only" { bh_private; }
@test "browser hub nginx-fcgi: resume across two topics: Last-Event-ID, lastEventID, earliest" { bh_resume; }
@test "browser hub nginx-fcgi: an update's retry sets the browser's reconnection delay" { bh_retry; }
