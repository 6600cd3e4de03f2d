#!/usr/bin/env bats
# lighttpd + mod_fastcgi spawning sse-fcgi (bin-path, socket on fd 0).
# Every SPEC behaviour of a stream (httpd-behaviour.bash), through this
# server started on 127.0.0.1 with test/conf/lighttpd-fcgi.conf.in.
#   bats --tap test/bats/t2500-lighttpd-fcgi.bats            (SSE_BUILD=build/asan for a sanitizer build)

SSE_SERVER=lighttpd-fcgi
# lighttpd 1.4.69 notices a departed idle client only at its next write:
# with a 1 s heartbeat, within about 2 s.
GONE_ENV=SSE_HEARTBEAT=1
GONE_TRIES=50
load helpers
load httpd-behaviour
load hub-behaviour

setup_file() { srv_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "lighttpd-fcgi: headers and the first comment at once" { t_headers; }
@test "lighttpd-fcgi: ?channel= names the channel" { t_channel_query; }
@test "lighttpd-fcgi: sse-publish events arrive at once" { t_publish; }
@test "lighttpd-fcgi: fifo events arrive at once" { t_fifo; }
@test "lighttpd-fcgi: drop-box file renamed in arrives, dot files wait" { t_dropbox_rename; }
@test "lighttpd-fcgi: drop-box file written in place arrives on close" { t_dropbox_write; }
@test "lighttpd-fcgi: resume by Last-Event-ID" { t_resume_header; }
@test "lighttpd-fcgi: resume by ?lastEventId=" { t_resume_query; }
@test "lighttpd-fcgi: Last-Event-ID wins over ?lastEventId=" { t_resume_header_wins; }
@test "lighttpd-fcgi: no id: live events only" { t_no_id_live_only; }
@test "lighttpd-fcgi: id older than the history: sse-gap, then what is retained" { t_gap_older; }
@test "lighttpd-fcgi: id newer than the newest: sse-gap" { t_gap_newer; }
@test "lighttpd-fcgi: id one below the oldest: no gap" { t_gap_none_one_below; }
@test "lighttpd-fcgi: heartbeat while idle" { t_heartbeat; }
@test "lighttpd-fcgi: SSE_RETRY_MS at stream start" { t_retry; }
@test "lighttpd-fcgi: SSE_MAX_LIFETIME ends the stream, resume loses nothing" { t_lifetime; }
@test "lighttpd-fcgi: CORS allow-list" { t_cors_listed; }
@test "lighttpd-fcgi: CORS *" { t_cors_star; }
@test "lighttpd-fcgi: CORS preflight: 204" { t_cors_preflight; }
@test "lighttpd-fcgi: unknown channel: 404" { t_unknown_channel; }
@test "lighttpd-fcgi: bad channel names: 400" { t_bad_channel; }
@test "lighttpd-fcgi: bad Last-Event-ID: 400" { t_bad_last_event_id; }
@test "lighttpd-fcgi: POST, PUT, DELETE: 405" { t_bad_method; }
@test "lighttpd-fcgi: no SSE_SPOOL_DIR: 500 and one line in the error log" { t_no_spool; }
@test "lighttpd-fcgi: HEAD: headers only, then the end" { t_head; }
@test "lighttpd-fcgi: busy: 200, replay, retry, end" { t_busy; }
@test "lighttpd-fcgi: ?status with SSE_STATUS=1" { t_status; }
@test "lighttpd-fcgi: ?status is off by default" { t_status_off; }
@test "lighttpd-fcgi: 50 streams, 200 fifo events: each gets all, once, in order" { t_fanout; }
@test "lighttpd-fcgi: a client that goes away frees its stream in the pool" { t_fcgi_client_gone; }
@test "lighttpd-fcgi: the worker draining the pipe is killed, replaced, its clients resume, nothing lost" { t_fcgi_worker_killed; }
@test "lighttpd-fcgi: sse-doctor: the tested configuration streams" { t_doctor_ok; }
@test "lighttpd-fcgi: sse-doctor: finds the buffering configuration and names 'server.stream-response-body = 2'" { t_doctor_finds buffer 'server.stream-response-body = 2'; }
@test "lighttpd-fcgi: a server that compresses text/ (mod_deflate): no-transform keeps it off, events arrive at once" { t_compress_shielded; }

# The Mercure hub at /.well-known/mercure (hub-behaviour.bash)
@test "lighttpd-fcgi: hub: publish over HTTP, subscribe by header, cookie and query: topics, templates, private" { t_hub_publish_subscribe; }
@test "lighttpd-fcgi: hub: refusals: 401, 403, 400, 405, and nothing refused is published" { t_hub_refusals; }
@test "lighttpd-fcgi: hub: SSE_ANONYMOUS=1: public updates without a token, never private ones" { t_hub_anonymous; }
@test "lighttpd-fcgi: hub: resume by hub id (header, lastEventID, earliest, unknown) and the Last-Event-ID header" { t_hub_resume; }
@test "lighttpd-fcgi: hub: a subscriber's stream ends at its token's exp" { t_hub_token_exp; }
@test "lighttpd-fcgi: hub: publishing with the cookie: only from SSE_PUBLISH_ORIGINS, CORS with credentials" { t_hub_cookie_publish; }
@test "lighttpd-fcgi: hub: heartbeat and lifetime on a hub stream, sse-resume with a hub id" { t_hub_heartbeat_lifetime; }
@test "lighttpd-fcgi: hub: a subscriber that goes away frees its stream" { t_hub_disconnect; }
@test "lighttpd-fcgi: hub: RS256 with a PEM key file, algorithm confusion, a PEM key with HS256 (500), keys per role" { t_hub_keys; }
@test "lighttpd-fcgi: hub: busy: 200, replay by hub id, retry, end" { t_hub_busy; }
@test "lighttpd-fcgi: hub: ?status counts the hub's channel and streams" { t_hub_status; }
