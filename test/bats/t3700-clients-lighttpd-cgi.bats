#!/usr/bin/env bats
# The resume point reaches the clients people use, through lighttpd + sse.cgi (test/conf/lighttpd-cgi.conf.in):
# Chromium, npm's eventsource and eventsource-client (clients.bash). A client
# that came without an id and whose stream ends before any event (lifetime,
# busy) gets each event published while it is away, exactly once.
#   bats --tap test/bats/t3700-clients-lighttpd-cgi.bats

SSE_SERVER=lighttpd-cgi
load helpers
load browser
load clients

setup_file() { clients_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "clients lighttpd-cgi: eventsource (npm): lifetime end before any event, then what was published while away, once" { c_node eventsource lifetime; }
@test "clients lighttpd-cgi: eventsource-client (npm): lifetime end before any event, then what was published while away, once" { c_node eventsource-client lifetime; }
@test "clients lighttpd-cgi: Chromium: lifetime end before any event; onmessage sees only what was published while away" { c_browser lifetime; }
@test "clients lighttpd-cgi: eventsource (npm): busy answers, then what was published while away, once" { c_node eventsource busy; }
@test "clients lighttpd-cgi: eventsource-client (npm): busy answers, then what was published while away, once" { c_node eventsource-client busy; }
@test "clients lighttpd-cgi: Chromium: busy answers; onmessage sees only what was published while away" { c_browser busy; }
