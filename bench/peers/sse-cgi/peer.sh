# sse-cgi: lighttpd -D + mod_cgi running sse.cgi, one process per subscriber.
# Sourced by ssebench's bench.sh with RUN, PORT, N, HERE, PEERDIR set.
#   SSE_BUILD   directory holding sse.cgi and sse-publish (default: ../../../build
#               relative to this directory, i.e. the project's build/)
#   SSE_PUB     how the benchmark publishes: fifo (default: sspub writes
#               "data: PAYLOAD\n\n" into the channel's named pipe) or exec
#               (one `sse-publish --spool ... bench PAYLOAD` process per event)
SSE_BUILD=${SSE_BUILD:-$(cd "$PEERDIR/../../.." && pwd)/build}
SUB_URL="http://127.0.0.1:$PORT/sse.cgi/bench"
case ${SSE_PUB:-fifo} in
fifo) PUB_TARGET="fifo:$RUN/spool/bench/fifo" ;;
exec) PUB_TARGET="exec:$SSE_BUILD/sse-publish --spool $RUN/spool bench" ;;
*) echo "sse-cgi peer: SSE_PUB must be fifo or exec" >&2; return 1 ;;
esac
peer_start() {
	local nofile maxfds maxconn
	nofile=$(ulimit -Hn)
	maxfds=$(( N * 4 + 256 )); [ "$maxfds" -lt 4096 ] && maxfds=4096
	[ "$maxfds" -gt "$nofile" ] && maxfds=$nofile
	maxconn=$(( maxfds / 3 ))
	mkdir -p "$RUN/spool" "$RUN/docroot" || return 1
	"$SSE_BUILD/sse-publish" --spool "$RUN/spool" --create bench > "$RUN/create.log" 2>&1 || {
		echo "sse-cgi peer: sse-publish --create failed:" >&2; cat "$RUN/create.log" >&2; return 1; }
	[ -p "$RUN/spool/bench/fifo" ] || { echo "sse-cgi peer: no fifo in $RUN/spool/bench" >&2; return 1; }
	sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@CGI@|$SSE_BUILD/sse.cgi|g" \
		-e "s|@MAXFDS@|$maxfds|g" -e "s|@MAXCONN@|$maxconn|g" \
		"$PEERDIR/lighttpd.conf.in" > "$RUN/lighttpd.conf"
	lighttpd -D -f "$RUN/lighttpd.conf" > "$RUN/lighttpd.log" 2>&1 &
	echo $! > "$RUN/pids"
}
peer_stop() { stop_pids "$(cat "$RUN/pids")"; }
peer_version() { lighttpd -v 2>&1 | head -1; "$SSE_BUILD/sse.cgi" --version 2>&1 | head -1; echo "publish=${SSE_PUB:-fifo}"; }
