#!/usr/bin/env bats
# The resume point reaches the clients people use, through nginx +
# fastcgi_pass to sse-fcgi (test/conf/nginx-fcgi.conf.in): Chromium, npm's
# eventsource and eventsource-client (clients.bash). A client that came
# without an id and whose stream ends before any event (lifetime, busy) gets
# each event published while it is away, exactly once.
#   bats --tap test/bats/t3710-clients-nginx-fcgi.bats

SSE_SERVER=nginx-fcgi
load helpers
load browser
load clients

setup_file() { clients_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "clients nginx-fcgi: eventsource (npm): lifetime end before any event, then what was published while away, once" { c_node eventsource lifetime; }
@test "clients nginx-fcgi: eventsource-client (npm): lifetime end before any event, then what was published while away, once" { c_node eventsource-client lifetime; }
@test "clients nginx-fcgi: Chromium: lifetime end before any event; onmessage sees only what was published while away" { c_browser lifetime; }
@test "clients nginx-fcgi: eventsource (npm): busy answers, then what was published while away, once" { c_node eventsource busy; }
@test "clients nginx-fcgi: eventsource-client (npm): busy answers, then what was published while away, once" { c_node eventsource-client busy; }
@test "clients nginx-fcgi: Chromium: busy answers; onmessage sees only what was published while away" { c_browser busy; }
