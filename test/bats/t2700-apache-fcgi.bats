#!/usr/bin/env bats
# Apache (event MPM) + mod_proxy_fcgi to a standalone sse-fcgi pool (flushpackets=on).
# Every SPEC behaviour of a stream (httpd-behaviour.bash), through this
# server started on 127.0.0.1 with test/conf/apache-fcgi.conf.in.
#   bats --tap test/bats/t2700-apache-fcgi.bats            (SSE_BUILD=build/asan for a sanitizer build)

SSE_SERVER=apache-fcgi
# mod_proxy_fcgi notices a departed idle client only at its next write:
# with a 1 s heartbeat, within about 2 s.
GONE_ENV=SSE_HEARTBEAT=1
GONE_TRIES=50
# When its worker dies mid-stream, mod_proxy_fcgi logs the error at once
# but ends the client's response only after KeepAliveTimeout (5 s).
BROKEN_TRIES=140
load helpers
load httpd-behaviour
load hub-behaviour

setup_file() { srv_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "apache-fcgi: headers and the first comment at once" { t_headers; }
@test "apache-fcgi: ?channel= names the channel" { t_channel_query; }
@test "apache-fcgi: sse-publish events arrive at once" { t_publish; }
@test "apache-fcgi: fifo events arrive at once" { t_fifo; }
@test "apache-fcgi: drop-box file renamed in arrives, dot files wait" { t_dropbox_rename; }
@test "apache-fcgi: drop-box file written in place arrives on close" { t_dropbox_write; }
@test "apache-fcgi: resume by Last-Event-ID" { t_resume_header; }
@test "apache-fcgi: resume by ?lastEventId=" { t_resume_query; }
@test "apache-fcgi: Last-Event-ID wins over ?lastEventId=" { t_resume_header_wins; }
@test "apache-fcgi: no id: live events only" { t_no_id_live_only; }
@test "apache-fcgi: id older than the history: sse-gap, then what is retained" { t_gap_older; }
@test "apache-fcgi: id newer than the newest: sse-gap" { t_gap_newer; }
@test "apache-fcgi: id one below the oldest: no gap" { t_gap_none_one_below; }
@test "apache-fcgi: heartbeat while idle" { t_heartbeat; }
@test "apache-fcgi: SSE_RETRY_MS at stream start" { t_retry; }
@test "apache-fcgi: SSE_MAX_LIFETIME ends the stream, resume loses nothing" { t_lifetime; }
@test "apache-fcgi: CORS allow-list" { t_cors_listed; }
@test "apache-fcgi: CORS *" { t_cors_star; }
@test "apache-fcgi: CORS preflight: 204" { t_cors_preflight; }
@test "apache-fcgi: unknown channel: 404" { t_unknown_channel; }
@test "apache-fcgi: bad channel names: 400" { t_bad_channel; }
@test "apache-fcgi: bad Last-Event-ID: 400" { t_bad_last_event_id; }
@test "apache-fcgi: POST, PUT, DELETE: 405" { t_bad_method; }
@test "apache-fcgi: no SSE_SPOOL_DIR: 500 and one line in the error log" { t_no_spool; }
@test "apache-fcgi: HEAD: headers only, then the end" { t_head; }
@test "apache-fcgi: busy: 200, replay, retry, end" { t_busy; }
@test "apache-fcgi: ?status with SSE_STATUS=1" { t_status; }
@test "apache-fcgi: ?status is off by default" { t_status_off; }
@test "apache-fcgi: 50 streams, 200 fifo events: each gets all, once, in order" { t_fanout; }
@test "apache-fcgi: a client that goes away frees its stream in the pool" { t_fcgi_client_gone; }
@test "apache-fcgi: the worker draining the pipe is killed, replaced, its clients resume, nothing lost" { t_fcgi_worker_killed; }
@test "apache-fcgi: sse-doctor: the tested configuration streams" { t_doctor_ok; }
@test "apache-fcgi: sse-doctor: finds the buffering configuration and names 'flushpackets=on'" { t_doctor_finds buffer 'flushpackets=on'; }

# The Mercure hub at /.well-known/mercure (hub-behaviour.bash)
@test "apache-fcgi: hub: publish over HTTP, subscribe by header, cookie and query: topics, templates, private" { t_hub_publish_subscribe; }
@test "apache-fcgi: hub: refusals: 401, 403, 400, 405, and nothing refused is published" { t_hub_refusals; }
@test "apache-fcgi: hub: SSE_ANONYMOUS=1: public updates without a token, never private ones" { t_hub_anonymous; }
@test "apache-fcgi: hub: resume by hub id (header, lastEventID, earliest, unknown) and the Last-Event-ID header" { t_hub_resume; }
@test "apache-fcgi: hub: a subscriber's stream ends at its token's exp" { t_hub_token_exp; }
@test "apache-fcgi: hub: publishing with the cookie: only from SSE_PUBLISH_ORIGINS, CORS with credentials" { t_hub_cookie_publish; }
@test "apache-fcgi: hub: heartbeat and lifetime on a hub stream, sse-resume with a hub id" { t_hub_heartbeat_lifetime; }
@test "apache-fcgi: hub: a subscriber that goes away frees its stream" { t_hub_disconnect; }
@test "apache-fcgi: hub: RS256 with a PEM key file, algorithm confusion, a PEM key with HS256 (500), keys per role" { t_hub_keys; }
@test "apache-fcgi: hub: busy: 200, replay by hub id, retry, end" { t_hub_busy; }
@test "apache-fcgi: hub: ?status counts the hub's channel and streams" { t_hub_status; }
