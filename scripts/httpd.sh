#!/usr/bin/env bash
# Runs sse.cgi behind a real web server, the way the t2xxx suites do, for
# trying things by hand: our own lighttpd or Apache on 127.0.0.1, a free
# port and a temporary directory (never the system's service), until
# Ctrl-C, then stopped by pid and cleaned up.
#
#   scripts/httpd.sh SERVER [SSE_NAME=value...]
#   SERVER: lighttpd-cgi | apache-cgid | apache-htaccess | lighttpd-fcgi | nginx-fcgi | apache-fcgi
#   e.g.    scripts/httpd.sh lighttpd-cgi SSE_HEARTBEAT=5 SSE_STATUS=1
#           scripts/httpd.sh nginx-fcgi BROKEN=buffer   (then: sse-doctor URL)
# IDLE=SECONDS sets the server's idle timeouts; BROKEN=buffer undoes the
# setting that keeps it from buffering (BROKEN=gzip: nginx compresses;
# BROKEN=compress: Apache or lighttpd compresses text/ and text/event-stream,
# add NOSHIELD=1 to leave out the lines that keep Apache's off the stream).
#
# Programs come from $SSE_BUILD (default build). The configuration used is
# test/conf/<SERVER>.conf.in (and test/conf/htaccess) with the values
# filled in; its path is printed at start.
set -eu

usage() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
case $1 in
lighttpd-cgi | apache-cgid | apache-htaccess | lighttpd-fcgi | nginx-fcgi | apache-fcgi) SSE_SERVER=$1 ;;
-h | --help) usage ;;
*) echo "httpd.sh: unknown server '$1' (lighttpd-cgi, apache-cgid, apache-htaccess, lighttpd-fcgi, nginx-fcgi, apache-fcgi)" >&2; exit 2 ;;
esac
shift
for kv in "$@"; do
	case $kv in
	SSE_*=* | IDLE=* | BROKEN=* | NOSHIELD=*) ;;
	*) echo "httpd.sh: bad setting '$kv': expected SSE_NAME=value, IDLE=SECONDS, BROKEN=buffer|gzip|compress or NOSHIELD=1" >&2; exit 2 ;;
	esac
done

BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/../test/bats" && pwd)
# shellcheck source=../test/bats/helpers.bash
. "$BATS_TEST_DIRNAME/helpers.bash"

srv_setup_file
trap 'srv_stop; cgi_reap; rm -rf "$SRV_DIR"; echo "stopped"' EXIT
trap 'exit 0' INT TERM
use_server "$@"
"$SSE_BIN/sse-publish" --spool "$SPOOL" --create demo

cat <<EOF
$SSE_SERVER runs on $BASE (pid $(<"$SRV_DIR/server.pid")), files in $SRV_DIR
  config:   $SRV_DIR/server.conf$([ "$SSE_SERVER" = apache-htaccess ] && echo " and $SRV_DIR/htdocs/.htaccess")
  logs:     $SRV_DIR/error.log$([ "$SRV_ERRLOG" != "$SRV_DIR/error.log" ] && echo " and $SRV_ERRLOG")
  stream:   curl -N $BASE$SSE_URL/demo
  publish:  $SSE_BIN/sse-publish --spool $SPOOL demo 'hello'
            printf 'data: hi\\n\\n' > $SPOOL/demo/fifo
Ctrl-C stops it.
EOF
while pid_alive "$(<"$SRV_DIR/server.pid")"; do
	sleep 1
done
echo "httpd.sh: $SSE_SERVER exited" >&2
srv_show_log >&2
exit 1
