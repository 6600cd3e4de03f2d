#!/bin/bash
# The demo: builds sse-cgi, starts lighttpd on 127.0.0.1 (as your user, from
# the same configuration the tests use: test/conf/lighttpd-cgi.conf.in)
# serving demo/index.html, and a producer writing into the channel's fifo
# once a second. Ctrl-C stops everything.
#   scripts/demo.sh [PORT]          (default: 8080, or the next free port)
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
. scripts/deps.sh
# shellcheck disable=SC2086
need_packages $BUILD_PACKAGES lighttpd || exit 1
make -s O=build || exit 1

port=${1:-8080}
port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
for _ in $(seq 50); do port_free "$port" && break; port=$((port + 1)); done
port_free "$port" || { echo "demo: no free port from ${1:-8080}" >&2; exit 1; }

RUN=$(mktemp -d /tmp/sse-demo.XXXXXX)
SPOOL=$RUN/spool
mkdir -p "$SPOOL" && chmod 755 "$RUN"
build/sse-publish --spool "$SPOOL" --create demo || exit 1
sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$RUN|g" -e "s|@DOC_ROOT@|$TOP/demo|g" \
	-e "s|@CGI_DIR@|$TOP/build|g" -e "s|@SPOOL_DIR@|$SPOOL|g" -e "s|@IDLE_TIMEOUT@|600|g" \
	-e 's|@SSE_ENV@|	"SSE_HEARTBEAT" => "15",|' \
	test/conf/lighttpd-cgi.conf.in > "$RUN/lighttpd.conf"
# The tested configuration serves only sse.cgi; the demo also serves a page.
cat >> "$RUN/lighttpd.conf" << 'CONF'
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html; charset=utf-8" )
CONF

pids=()
cleanup() {
	kill "${pids[@]}" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

lighttpd -D -f "$RUN/lighttpd.conf" & pids+=($!)
for _ in $(seq 50); do port_free "$port" || break; sleep 0.1; done
if port_free "$port"; then
	echo "demo: lighttpd did not start:" >&2
	cat "$RUN/error.log" >&2
	exit 1
fi
# The producer: a named event every second and an unnamed one every fifth.
# A write into the fifo waits until a stream (a browser) is connected.
(
	n=0
	while :; do
		n=$((n + 1))
		printf 'event: tick\ndata: tick %d at %s\n\n' "$n" "$(date +%T)" > "$SPOOL/demo/fifo"
		[ $((n % 5)) -eq 0 ] && printf 'data: every fifth tick, an unnamed message (%d)\n\n' "$n" > "$SPOOL/demo/fifo"
		sleep 1
	done
) & pids+=($!)

cat <<MSG

  sse-cgi demo: open  http://127.0.0.1:$port/  in a browser (Ctrl-C stops the demo)

  Publish your own events into channel 'demo':
    $TOP/build/sse-publish --spool $SPOOL --event notice demo 'hello from sse-publish'
    printf 'event: notice\\ndata: hello from the fifo\\n\\n' > $SPOOL/demo/fifo
    printf 'data: hello from the drop-box\\n' > $SPOOL/demo/incoming/.x && mv $SPOOL/demo/incoming/.x $SPOOL/demo/incoming/hello

MSG
wait
