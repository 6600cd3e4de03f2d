#!/usr/bin/env bats
# Apache 2.4, mpm_event + mod_cgid, ScriptAlias and SetEnv.
# Every SPEC behaviour of a stream (httpd-behaviour.bash), through this
# server started on 127.0.0.1 with test/conf/apache-cgid.conf.in.
#   bats --tap test/bats/t2200-apache-cgid.bats            (SSE_BUILD=build/asan for a sanitizer build)

SSE_SERVER=apache-cgid
# mod_cgid notices a client that left only when it next writes to it, so
# sse.cgi's pipe closes at its next output: with a 1 s heartbeat, within
# about 2 s (SPEC: "within one heartbeat at the latest").
GONE_ENV=SSE_HEARTBEAT=1
GONE_TRIES=50 # 2.5 s
load helpers
load httpd-behaviour
load hub-behaviour

setup_file() { srv_setup_file; }
teardown_file() { srv_teardown_file; }
setup() { srv_setup; }
teardown() { srv_teardown; }

@test "apache-cgid: headers and the first comment at once" { t_headers; }
@test "apache-cgid: ?channel= names the channel" { t_channel_query; }
@test "apache-cgid: sse-publish events arrive at once" { t_publish; }
@test "apache-cgid: fifo events arrive at once" { t_fifo; }
@test "apache-cgid: drop-box file renamed in arrives, dot files wait" { t_dropbox_rename; }
@test "apache-cgid: drop-box file written in place arrives on close" { t_dropbox_write; }
@test "apache-cgid: resume by Last-Event-ID" { t_resume_header; }
@test "apache-cgid: resume by ?lastEventId=" { t_resume_query; }
@test "apache-cgid: Last-Event-ID wins over ?lastEventId=" { t_resume_header_wins; }
@test "apache-cgid: no id: live events only" { t_no_id_live_only; }
@test "apache-cgid: id older than the history: sse-gap, then what is retained" { t_gap_older; }
@test "apache-cgid: id newer than the newest: sse-gap" { t_gap_newer; }
@test "apache-cgid: id one below the oldest: no gap" { t_gap_none_one_below; }
@test "apache-cgid: heartbeat while idle" { t_heartbeat; }
@test "apache-cgid: SSE_RETRY_MS at stream start" { t_retry; }
@test "apache-cgid: SSE_MAX_LIFETIME ends the stream, resume loses nothing" { t_lifetime; }
@test "apache-cgid: CORS allow-list" { t_cors_listed; }
@test "apache-cgid: CORS *" { t_cors_star; }
@test "apache-cgid: CORS preflight: 204" { t_cors_preflight; }
@test "apache-cgid: unknown channel: 404" { t_unknown_channel; }
@test "apache-cgid: bad channel names: 400" { t_bad_channel; }
@test "apache-cgid: bad Last-Event-ID: 400" { t_bad_last_event_id; }
@test "apache-cgid: POST, PUT, DELETE: 405" { t_bad_method; }
@test "apache-cgid: no SSE_SPOOL_DIR: 500 and one line in the error log" { t_no_spool; }
@test "apache-cgid: HEAD: headers only, then the end" { t_head; }
@test "apache-cgid: busy: 200, replay, retry, end" { t_busy; }
@test "apache-cgid: ?status with SSE_STATUS=1" { t_status; }
@test "apache-cgid: ?status is off by default" { t_status_off; }
@test "apache-cgid: 50 streams, 200 fifo events: each gets all, once, in order" { t_fanout; }
@test "apache-cgid: the draining stream leaves, another takes over, nothing lost" { t_drain_takeover; }
@test "apache-cgid: a client that goes away ends its sse.cgi" { t_client_gone; }
@test "apache-cgid: the draining process is killed, another takes over, nothing lost" { t_drain_holder_killed; }
@test "apache-cgid: sse-doctor: the tested configuration streams" { t_doctor_ok; }
@test "apache-cgid: sse-doctor: finds the buffering configuration and names 'SetOutputFilter BUFFER'" { t_doctor_finds buffer 'SetOutputFilter BUFFER'; }
@test "apache-cgid: a server that compresses: SetEnv no-gzip/no-brotli keeps it off, events arrive at once" { t_compress_shielded; }
@test "apache-cgid: a server that compresses holds the output: a client that goes away still ends its sse.cgi within a heartbeat" { t_compress_client_gone; }
@test "apache-cgid: sse-doctor: finds the compressing server by URL and documented form, and never calls a probe without Accept-Encoding OK" { t_doctor_compress; }

# The Mercure hub at /.well-known/mercure (hub-behaviour.bash)
@test "apache-cgid: hub: publish over HTTP, subscribe by header, cookie and query: topics, templates, private" { t_hub_publish_subscribe; }
@test "apache-cgid: hub: refusals: 401, 403, 400, 405, and nothing refused is published" { t_hub_refusals; }
@test "apache-cgid: hub: SSE_ANONYMOUS=1: public updates without a token, never private ones" { t_hub_anonymous; }
@test "apache-cgid: hub: resume by hub id (header, lastEventID, earliest, unknown) and the Last-Event-ID header" { t_hub_resume; }
@test "apache-cgid: hub: a subscriber's stream ends at its token's exp" { t_hub_token_exp; }
@test "apache-cgid: hub: publishing with the cookie: only from SSE_PUBLISH_ORIGINS, CORS with credentials" { t_hub_cookie_publish; }
@test "apache-cgid: hub: heartbeat and lifetime on a hub stream, sse-resume with a hub id" { t_hub_heartbeat_lifetime; }
@test "apache-cgid: hub: a subscriber that goes away frees its stream" { t_hub_disconnect; }
@test "apache-cgid: hub: RS256 with a PEM key file, algorithm confusion, a PEM key with HS256 (500), keys per role" { t_hub_keys; }
@test "apache-cgid: hub: busy: 200, replay by hub id, retry, end" { t_hub_busy; }
@test "apache-cgid: hub: ?status counts the hub's channel and streams" { t_hub_status; }
