# sse-fcgi behind nginx: nginx (fastcgi_pass, fastcgi_buffering off) and a
# standalone pool (sse-fcgi --listen unix:...), both measured.
# Sourced by ssebench's bench.sh with RUN, PORT, N, HERE, PEERDIR set.
#   SSE_BUILD       directory holding sse-fcgi and sse-publish (default: the
#                   project's build/)
#   SSE_WORKERS     pool workers (default 2: this machine's CPUs)
#   NGINX_WORKERS   nginx worker_processes (default auto, as the nchan peer)
SSE_BUILD=${SSE_BUILD:-$(cd "$PEERDIR/../../.." && pwd)/build}
SUB_URL="http://127.0.0.1:$PORT/sse/bench"
PUB_TARGET="fifo:$RUN/spool/bench/fifo"
peer_start() {
	mkdir -p "$RUN/spool" "$RUN/tmp" || return 1
	"$SSE_BUILD/sse-publish" --spool "$RUN/spool" --create bench > "$RUN/create.log" 2>&1 || {
		echo "sse-fcgi-nginx peer: sse-publish --create failed:" >&2; cat "$RUN/create.log" >&2; return 1; }
	sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@NOFILE@|$(ulimit -Hn)|g" \
		-e "s|@WORKERS@|${NGINX_WORKERS:-auto}|g" "$PEERDIR/nginx.conf.in" > "$RUN/nginx.conf"
	"$SSE_BUILD/sse-fcgi" --listen "unix:$RUN/sse-fcgi.sock" --workers "${SSE_WORKERS:-2}" \
		--spool "$RUN/spool" > "$RUN/pool.log" 2>&1 &
	echo $! > "$RUN/pids"
	for _ in $(seq 100); do [ -S "$RUN/sse-fcgi.sock" ] && break; sleep 0.05; done
	nginx -p "$RUN/" -e "$RUN/error.log" -c "$RUN/nginx.conf" &
	echo $! >> "$RUN/pids"
}
peer_stop() { stop_pids "$(cat "$RUN/pids")"; }
peer_version() { nginx -v 2>&1; "$SSE_BUILD/sse-fcgi" --version 2>&1 | head -1; echo "workers=${SSE_WORKERS:-2}"; }
