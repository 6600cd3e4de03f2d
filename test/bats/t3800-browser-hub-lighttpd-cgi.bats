#!/usr/bin/env bats
# The Mercure hub in headless Chromium through lighttpd + sse.cgi
# (test/conf/lighttpd-cgi.conf.in): hub-browser.bash.
#   bats --tap test/bats/t3800-browser-hub-lighttpd-cgi.bats

SSE_SERVER=lighttpd-cgi
load helpers
load browser
load hub-behaviour
load hub-browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "browser hub lighttpd-cgi: Mercure's conformance cases" { bh_conformance; }
@test "browser hub lighttpd-cgi: private updates by cookie and by query token, to their subscribers only" { bh_private; }
@test "browser hub lighttpd-cgi: resume across two topics: Last-Event-ID, lastEventID, earliest" { bh_resume; }
@test "browser hub lighttpd-cgi: an update's retry sets the browser's reconnection delay" { bh_retry; }
