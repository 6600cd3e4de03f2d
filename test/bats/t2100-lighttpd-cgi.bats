#!/usr/bin/env bats
# lighttpd + mod_cgi (server.stream-response-body = 2).
# Every SPEC behaviour of a stream (httpd-behaviour.bash), through this
# server started on 127.0.0.1 with test/conf/lighttpd-cgi.conf.in.
#   bats --tap test/bats/t2100-lighttpd-cgi.bats            (SSE_BUILD=build/asan for a sanitizer build)

SSE_SERVER=lighttpd-cgi
# lighttpd 1.4.69 takes a client's FIN for a half-close and keeps the
# connection until its next write fails; only then does it close the CGI's
# pipe and send SIGTERM. So sse.cgi goes at its next output: with a 1 s
# heartbeat, within about 2 s (SPEC: "within one heartbeat at the latest").
GONE_ENV=SSE_HEARTBEAT=1
GONE_TRIES=50 # 2.5 s
load helpers
load httpd-behaviour
load hub-behaviour

setup_file() { srv_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "lighttpd-cgi: headers and the first comment at once" { t_headers; }
@test "lighttpd-cgi: ?channel= names the channel" { t_channel_query; }
@test "lighttpd-cgi: sse-publish events arrive at once" { t_publish; }
@test "lighttpd-cgi: fifo events arrive at once" { t_fifo; }
@test "lighttpd-cgi: drop-box file renamed in arrives, dot files wait" { t_dropbox_rename; }
@test "lighttpd-cgi: drop-box file written in place arrives on close" { t_dropbox_write; }
@test "lighttpd-cgi: resume by Last-Event-ID" { t_resume_header; }
@test "lighttpd-cgi: resume by ?lastEventId=" { t_resume_query; }
@test "lighttpd-cgi: Last-Event-ID wins over ?lastEventId=" { t_resume_header_wins; }
@test "lighttpd-cgi: no id: live events only" { t_no_id_live_only; }
@test "lighttpd-cgi: id older than the history: sse-gap, then what is retained" { t_gap_older; }
@test "lighttpd-cgi: id newer than the newest: sse-gap" { t_gap_newer; }
@test "lighttpd-cgi: id one below the oldest: no gap" { t_gap_none_one_below; }
@test "lighttpd-cgi: heartbeat while idle" { t_heartbeat; }
@test "lighttpd-cgi: SSE_RETRY_MS at stream start" { t_retry; }
@test "lighttpd-cgi: SSE_MAX_LIFETIME ends the stream, resume loses nothing" { t_lifetime; }
@test "lighttpd-cgi: CORS allow-list" { t_cors_listed; }
@test "lighttpd-cgi: CORS *" { t_cors_star; }
@test "lighttpd-cgi: CORS preflight: 204" { t_cors_preflight; }
@test "lighttpd-cgi: unknown channel: 404" { t_unknown_channel; }
@test "lighttpd-cgi: bad channel names: 400" { t_bad_channel; }
@test "lighttpd-cgi: bad Last-Event-ID: 400" { t_bad_last_event_id; }
@test "lighttpd-cgi: POST, PUT, DELETE: 405" { t_bad_method; }
@test "lighttpd-cgi: no SSE_SPOOL_DIR: 500 and one line in the error log" { t_no_spool; }
@test "lighttpd-cgi: HEAD: headers only, then the end" { t_head; }
@test "lighttpd-cgi: busy: 200, replay, retry, end" { t_busy; }
@test "lighttpd-cgi: ?status with SSE_STATUS=1" { t_status; }
@test "lighttpd-cgi: ?status is off by default" { t_status_off; }
@test "lighttpd-cgi: 50 streams, 200 fifo events: each gets all, once, in order" { t_fanout; }
@test "lighttpd-cgi: the draining stream leaves, another takes over, nothing lost" { t_drain_takeover; }
@test "lighttpd-cgi: a client that goes away ends its sse.cgi" { t_client_gone; }
@test "lighttpd-cgi: the draining process is killed, another takes over, nothing lost" { t_drain_holder_killed; }
@test "lighttpd-cgi: sse-doctor: the tested configuration streams" { t_doctor_ok; }
@test "lighttpd-cgi: sse-doctor: finds the buffering configuration and names 'server.stream-response-body = 2'" { t_doctor_finds buffer 'server.stream-response-body = 2'; }
@test "lighttpd-cgi: a server that compresses text/ (mod_deflate): no-transform keeps it off, events arrive at once" { t_compress_shielded; }

# The Mercure hub at /.well-known/mercure (hub-behaviour.bash)
@test "lighttpd-cgi: hub: publish over HTTP, subscribe by header, cookie and query: topics, templates, private" { t_hub_publish_subscribe; }
@test "lighttpd-cgi: hub: refusals: 401, 403, 400, 405, and nothing refused is published" { t_hub_refusals; }
@test "lighttpd-cgi: hub: SSE_ANONYMOUS=1: public updates without a token, never private ones" { t_hub_anonymous; }
@test "lighttpd-cgi: hub: resume by hub id (header, lastEventID, earliest, unknown) and the Last-Event-ID header" { t_hub_resume; }
@test "lighttpd-cgi: hub: a subscriber's stream ends at its token's exp" { t_hub_token_exp; }
@test "lighttpd-cgi: hub: publishing with the cookie: only from SSE_PUBLISH_ORIGINS, CORS with credentials" { t_hub_cookie_publish; }
@test "lighttpd-cgi: hub: heartbeat and lifetime on a hub stream, sse-resume with a hub id" { t_hub_heartbeat_lifetime; }
@test "lighttpd-cgi: hub: a subscriber that goes away frees its stream" { t_hub_disconnect; }
@test "lighttpd-cgi: hub: RS256 with a PEM key file, algorithm confusion, a PEM key with HS256 (500), keys per role" { t_hub_keys; }
@test "lighttpd-cgi: hub: busy: 200, replay by hub id, retry, end" { t_hub_busy; }
@test "lighttpd-cgi: hub: ?status counts the hub's channel and streams" { t_hub_status; }
@test "lighttpd-cgi: hub: the README's curl lines, as printed" { t_hub_readme_curl; }
