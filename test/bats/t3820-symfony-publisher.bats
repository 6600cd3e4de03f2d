#!/usr/bin/env bats
# A real publisher: Symfony's Mercure component (Debian's php-symfony-mercure,
# test/browser/symfony-publisher.php) publishes through lighttpd + sse.cgi's
# hub; a page in headless Chromium, authorized by the cookie Symfony's
# Authorization makes, receives the public and private updates with their
# type, id and retry: hub-browser.bash.
#   bats --tap test/bats/t3820-symfony-publisher.bats

SSE_SERVER=lighttpd-cgi
load helpers
load browser
load hub-behaviour
load hub-browser

setup_file() { browser_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "symfony publisher: Hub::publish to a page with Symfony's cookie: public and private, type, id, retry" { bh_symfony; }
