#!/usr/bin/env bats
# nginx + fastcgi_pass to a standalone sse-fcgi pool (fastcgi_buffering off).
# Every SPEC behaviour of a stream (httpd-behaviour.bash), through this
# server started on 127.0.0.1 with test/conf/nginx-fcgi.conf.in.
#   bats --tap test/bats/t2600-nginx-fcgi.bats            (SSE_BUILD=build/asan for a sanitizer build)

SSE_SERVER=nginx-fcgi
# nginx closes the FastCGI connection as soon as its client goes.
# nginx says Connection: keep-alive on its own (sse-fcgi sends none).
SERVER_CONNECTION=keep-alive
load helpers
load httpd-behaviour
load hub-behaviour

setup_file() { srv_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "nginx-fcgi: headers and the first comment at once" { t_headers; }
@test "nginx-fcgi: ?channel= names the channel" { t_channel_query; }
@test "nginx-fcgi: sse-publish events arrive at once" { t_publish; }
@test "nginx-fcgi: fifo events arrive at once" { t_fifo; }
@test "nginx-fcgi: drop-box file renamed in arrives, dot files wait" { t_dropbox_rename; }
@test "nginx-fcgi: drop-box file written in place arrives on close" { t_dropbox_write; }
@test "nginx-fcgi: resume by Last-Event-ID" { t_resume_header; }
@test "nginx-fcgi: resume by ?lastEventId=" { t_resume_query; }
@test "nginx-fcgi: Last-Event-ID wins over ?lastEventId=" { t_resume_header_wins; }
@test "nginx-fcgi: no id: live events only" { t_no_id_live_only; }
@test "nginx-fcgi: id older than the history: sse-gap, then what is retained" { t_gap_older; }
@test "nginx-fcgi: id newer than the newest: sse-gap" { t_gap_newer; }
@test "nginx-fcgi: id one below the oldest: no gap" { t_gap_none_one_below; }
@test "nginx-fcgi: heartbeat while idle" { t_heartbeat; }
@test "nginx-fcgi: SSE_RETRY_MS at stream start" { t_retry; }
@test "nginx-fcgi: SSE_MAX_LIFETIME ends the stream, resume loses nothing" { t_lifetime; }
@test "nginx-fcgi: CORS allow-list" { t_cors_listed; }
@test "nginx-fcgi: CORS *" { t_cors_star; }
@test "nginx-fcgi: CORS preflight: 204" { t_cors_preflight; }
@test "nginx-fcgi: unknown channel: 404" { t_unknown_channel; }
@test "nginx-fcgi: bad channel names: 400" { t_bad_channel; }
@test "nginx-fcgi: bad Last-Event-ID: 400" { t_bad_last_event_id; }
@test "nginx-fcgi: POST, PUT, DELETE: 405" { t_bad_method; }
@test "nginx-fcgi: no SSE_SPOOL_DIR: 500 and one line in the error log" { t_no_spool; }
@test "nginx-fcgi: HEAD: headers only, then the end" { t_head; }
@test "nginx-fcgi: busy: 200, replay, retry, end" { t_busy; }
@test "nginx-fcgi: ?status with SSE_STATUS=1" { t_status; }
@test "nginx-fcgi: ?status is off by default" { t_status_off; }
@test "nginx-fcgi: 50 streams, 200 fifo events: each gets all, once, in order" { t_fanout; }
@test "nginx-fcgi: a client that goes away frees its stream in the pool" { t_fcgi_client_gone; }
@test "nginx-fcgi: the worker draining the pipe is killed, replaced, its clients resume, nothing lost" { t_fcgi_worker_killed; }
@test "nginx-fcgi: sse-doctor: the tested configuration streams" { t_doctor_ok; }
@test "nginx-fcgi: sse-doctor: finds the buffering configuration and names 'fastcgi_buffering off'" { t_doctor_finds buffer 'fastcgi_buffering off'; }
@test "nginx-fcgi: sse-doctor: finds gzip and names 'gzip off'" { t_doctor_finds gzip 'gzip off'; }

# The Mercure hub at /.well-known/mercure (hub-behaviour.bash)
@test "nginx-fcgi: hub: publish over HTTP, subscribe by header, cookie and query: topics, templates, private" { t_hub_publish_subscribe; }
@test "nginx-fcgi: hub: refusals: 401, 403, 400, 405, and nothing refused is published" { t_hub_refusals; }
@test "nginx-fcgi: hub: SSE_ANONYMOUS=1: public updates without a token, never private ones" { t_hub_anonymous; }
@test "nginx-fcgi: hub: resume by hub id (header, lastEventID, earliest, unknown) and the Last-Event-ID header" { t_hub_resume; }
@test "nginx-fcgi: hub: a subscriber's stream ends at its token's exp" { t_hub_token_exp; }
@test "nginx-fcgi: hub: publishing with the cookie: only from SSE_PUBLISH_ORIGINS, CORS with credentials" { t_hub_cookie_publish; }
@test "nginx-fcgi: hub: heartbeat and lifetime on a hub stream, sse-resume with a hub id" { t_hub_heartbeat_lifetime; }
@test "nginx-fcgi: hub: a subscriber that goes away frees its stream" { t_hub_disconnect; }
@test "nginx-fcgi: hub: RS256 with a PEM key file, algorithm confusion, a PEM key with HS256 (500), keys per role" { t_hub_keys; }
@test "nginx-fcgi: hub: busy: 200, replay by hub id, retry, end" { t_hub_busy; }
@test "nginx-fcgi: hub: ?status counts the hub's channel and streams" { t_hub_status; }
@test "nginx-fcgi: hub: the README's curl lines, as printed" { t_hub_readme_curl; }
