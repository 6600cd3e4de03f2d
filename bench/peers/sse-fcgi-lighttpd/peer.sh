# sse-fcgi behind lighttpd: mod_fastcgi spawning the pool (bin-path), both
# measured (the pool is lighttpd's child).
# Sourced by ssebench's bench.sh with RUN, PORT, N, HERE, PEERDIR set.
#   SSE_BUILD     directory holding sse-fcgi and sse-publish (default: the
#                 project's build/)
#   SSE_WORKERS   pool workers (default 2: this machine's CPUs)
SSE_BUILD=${SSE_BUILD:-$(cd "$PEERDIR/../../.." && pwd)/build}
SUB_URL="http://127.0.0.1:$PORT/sse/bench"
PUB_TARGET="fifo:$RUN/spool/bench/fifo"
peer_start() {
	local nofile maxfds maxconn
	# lighttpd is one process with two fds per stream (client, pool), and
	# stops accepting ("out-of-fds") well before server.max-fds. Past the
	# hard limit (20000 here, which root cannot raise in this sandbox) it
	# holds about limit/2 streams.
	nofile=$(ulimit -Hn)
	maxfds=$(( N * 3 + 512 ))
	if [ "$maxfds" -gt "$nofile" ]; then
		ulimit -Hn "$maxfds" 2>/dev/null && nofile=$maxfds || maxfds=$nofile
	fi
	maxconn=$(( N + 256 ))
	[ "$maxconn" -gt $(( maxfds / 2 )) ] && maxconn=$(( maxfds / 2 ))
	mkdir -p "$RUN/spool" "$RUN/docroot" || return 1
	"$SSE_BUILD/sse-publish" --spool "$RUN/spool" --create bench > "$RUN/create.log" 2>&1 || {
		echo "sse-fcgi-lighttpd peer: sse-publish --create failed:" >&2; cat "$RUN/create.log" >&2; return 1; }
	sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@FCGI@|$SSE_BUILD/sse-fcgi|g" \
		-e "s|@WORKERS@|${SSE_WORKERS:-2}|g" -e "s|@MAXFDS@|$maxfds|g" \
		-e "s|@MAXCONN@|$maxconn|g" "$PEERDIR/lighttpd.conf.in" > "$RUN/lighttpd.conf"
	(ulimit -n "$maxfds"; exec lighttpd -D -f "$RUN/lighttpd.conf") > "$RUN/lighttpd.log" 2>&1 &
	echo $! > "$RUN/pids"
}
peer_stop() { stop_pids "$(cat "$RUN/pids")"; }
peer_version() { lighttpd -v 2>&1 | head -1; "$SSE_BUILD/sse-fcgi" --version 2>&1 | head -1; echo "workers=${SSE_WORKERS:-2}"; }
