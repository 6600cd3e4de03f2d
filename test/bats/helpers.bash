# Helpers for the web-server suites (t2xxx): run sse.cgi behind a real
# lighttpd or Apache started as our own process on 127.0.0.1, a free high
# port and a temporary directory; never the system's services.
#
# A suite sets SSE_SERVER (lighttpd-cgi, apache-cgid, apache-htaccess), then
#   setup_file()    { srv_setup_file; }
#   teardown_file() { srv_teardown_file; }
#   setup()         { srv_setup; }
#   teardown()      { srv_teardown; }
# and each test starts with `use_server [SSE_NAME=value...]`, which
# (re)starts the server only when its settings differ from the last test's.
#
# Programs come from $SSE_BUILD (default build, relative to the top of the
# tree), so `SSE_BUILD=build/asan bats --tap test/bats` runs the suites on a
# sanitizer build; a sanitizer report in the server's error log fails the
# test that caused it. ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS, when
# set, are handed to sse.cgi through the server's configuration (servers
# give a CGI a fresh environment).
#
# Every wait is bounded (wait_for TRIES x DELAY) and prints the server's
# error log when it runs out. Nothing here sleeps for a fixed time to let
# something happen, except to show that something does NOT happen.

. "$BATS_TEST_DIRNAME/events.bash"
SSE_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${SSE_BUILD:=build}"
case $SSE_BUILD in
/*) SSE_BIN=$SSE_BUILD ;;
*) SSE_BIN=$SSE_TOP/$SSE_BUILD ;;
esac
SSE_CONF=$SSE_TOP/test/conf
# The stream's URL: sse.cgi is a file; sse-fcgi is mounted at /sse.
case ${SSE_SERVER:-} in
*-fcgi) SSE_URL=/sse ;;
*) SSE_URL=/sse.cgi ;;
esac

# --- waiting -------------------------------------------------------------

# wait_for CONDITION TRIES DELAY: eval CONDITION until it succeeds, at most
# TRIES times DELAY seconds; on time-out say what was awaited, show the
# server's error log and fail.
wait_for() {
	local cond=$1 tries=$2 delay=$3 i

	for ((i = 0; i < tries; i++)); do
		if eval "$cond"; then
			return 0
		fi
		sleep "$delay"
	done
	echo "wait_for: gave up after $tries x ${delay}s: $cond" >&2
	srv_show_log >&2
	return 1
}

# A process counts as alive unless it is gone or a zombie.
pid_alive() {
	local state

	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# --- the server ------------------------------------------------------------

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

srv_show_log() {
	local f

	[ -n "${SRV_DIR:-}" ] || return 0
	for f in $(printf '%s\n' "$SRV_DIR/error.log" "$SRV_ERRLOG" | sort -u); do
		if [ -s "$f" ]; then
			echo "--- $f (last 30 lines) ---"
			tail -n 30 "$f"
		fi
	done
}

srv_setup_file() {
	local prog

	[ -x "$SSE_BIN/sse.cgi" ] && [ -x "$SSE_BIN/sse-publish" ] ||
		fail "no $SSE_BIN/sse.cgi or sse-publish: run make O=$SSE_BUILD first (SSE_BUILD=$SSE_BUILD)" || return 1
	case $SSE_SERVER in
	lighttpd-*) prog=lighttpd ;;
	apache-*) prog=apache2 ;;
	nginx-*) prog=nginx ;;
	*) fail "unknown SSE_SERVER '$SSE_SERVER'" || return 1 ;;
	esac
	if is_fcgi; then
		[ -x "$SSE_BIN/sse-fcgi" ] && [ -x "$SSE_BIN/test/fcgiclient" ] ||
			fail "no $SSE_BIN/sse-fcgi or test/fcgiclient: run make O=$SSE_BUILD tests first" || return 1
	fi
	command -v "$prog" >/dev/null || fail "$prog is not installed: the $SSE_SERVER suite needs it" || return 1

	# Not under BATS_RUN_TMPDIR: the server's user (www-data when we are
	# root) must reach the CGI, the config and the spool.
	SRV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sse-$SSE_SERVER.XXXXXX") || return 1
	chmod 755 "$SRV_DIR"
	if [ "$(id -u)" = 0 ] && [ "$prog" != lighttpd ]; then
		SRV_USER=www-data SRV_GROUP=www-data
	else
		SRV_USER=$(id -un) SRV_GROUP=$(id -gn)
	fi
	mkdir -p "$SRV_DIR/htdocs" "$SRV_DIR/cgi" "$SRV_DIR/spool"
	# The spool belongs to the server's group, setgid, so channels and
	# files that we (the producer) create stay writable by the server.
	chgrp "$SRV_GROUP" "$SRV_DIR/spool" && chmod 2775 "$SRV_DIR/spool" || return 1
	if [ "$SSE_SERVER" = apache-htaccess ]; then
		SRV_CGI=$SRV_DIR/htdocs/sse.cgi
	else
		SRV_CGI=$SRV_DIR/cgi/sse.cgi
	fi
	cp "$SSE_BIN/sse.cgi" "$SRV_CGI" && chmod 755 "$SRV_CGI" || return 1
	# .htaccess: the Mercure hub is a second copy, hub.cgi (test/conf/htaccess)
	if [ "$SSE_SERVER" = apache-htaccess ]; then
		cp "$SSE_BIN/sse.cgi" "$SRV_DIR/htdocs/hub.cgi" && chmod 755 "$SRV_DIR/htdocs/hub.cgi" || return 1
	fi
	# Our own copy: its processes are found by their executable's path.
	SRV_FCGI=$SRV_DIR/cgi/sse-fcgi
	if is_fcgi; then
		cp "$SSE_BIN/sse-fcgi" "$SRV_FCGI" && chmod 755 "$SRV_FCGI" || return 1
	fi
	SPOOL=$SRV_DIR/spool
	SRV_PORT=$(free_port) || return 1
	BASE=http://127.0.0.1:$SRV_PORT
	# Where sse.cgi's or sse-fcgi's stderr lands.
	case $SSE_SERVER in
	lighttpd-*) SRV_ERRLOG=$SRV_DIR/cgi-stderr.log ;;
	nginx-fcgi | apache-fcgi) SRV_ERRLOG=$SRV_DIR/pool.err ;;
	*) SRV_ERRLOG=$SRV_DIR/error.log ;;
	esac
	# lighttpd names the socket of the process it spawns NAME-0.
	if [ "$SSE_SERVER" = lighttpd-fcgi ]; then
		SRV_FCGI_SOCK=$SRV_DIR/sse-fcgi.sock-0
	else
		# a directory the pool's user may create its socket in
		mkdir -p "$SRV_DIR/run" && chown "$SRV_USER:$SRV_GROUP" "$SRV_DIR/run" || return 1
		SRV_FCGI_SOCK=$SRV_DIR/run/sse-fcgi.sock
	fi
	export SRV_DIR SRV_USER SRV_GROUP SRV_CGI SRV_FCGI SRV_FCGI_SOCK SPOOL SRV_PORT BASE SRV_ERRLOG
	: >"$SRV_DIR/error.log"
	: >"$SRV_ERRLOG"
}

srv_teardown_file() {
	local rc=0

	[ -n "${SRV_DIR:-}" ] || return 0
	srv_stop || rc=1
	cgi_reap || rc=1
	sanitizer_check 0 || rc=1
	if [ "$rc" = 0 ] && [ -z "${SSE_KEEP:-}" ]; then
		rm -rf "$SRV_DIR"
	else
		echo "# kept $SRV_DIR" >&3
	fi
	return "$rc"
}

# Settings as SetEnv lines, setenv.add-environment entries, ...
render_env() {
	local kv name value

	for kv in "$@"; do
		name=${kv%%=*} value=${kv#*=}
		value=${value//\\/\\\\} value=${value//\"/\\\"}
		case $SSE_SERVER in
		lighttpd-*) printf '\t"%s" => "%s",\n' "$name" "$value" ;;
		apache-cgid | apache-fcgi) printf '\tSetEnv %s "%s"\n' "$name" "$value" ;;
		nginx-fcgi) printf '\t\t\tfastcgi_param %s "%s";\n' "$name" "$value" ;;
		apache-htaccess) printf 'SetEnv %s "%s"\n' "$name" "$value" ;;
		esac
	done
}

# render TEMPLATE OUT [SETTINGS...]: fill the placeholders of the lines
# that are not comments. Pseudo-settings: NOSPOOL=1 leaves the line setting
# SSE_SPOOL_DIR out (the misconfiguration test); NOSHIELD=1 leaves out the
# lines that keep compression off the stream (no-gzip, no-brotli); IDLE=N
# sets the server's idle timeouts to N seconds (600 otherwise);
# BROKEN=buffer|gzip undoes the one setting that keeps the server from
# buffering (or adds compression), for the buffering doctor to find;
# BROKEN=compress is a host that compresses text/* and text/event-stream
# (Apache's mod_deflate and mod_brotli, lighttpd's mod_deflate), as shared
# hosts do.
render() {
	local tpl=$1 out=$2 nospool=0 noshield=0 idle=600 broken=- kv
	local -a settings=()

	shift 2
	for kv in "$@"; do
		case $kv in
		NOSPOOL=*) nospool=1 ;;
		NOSHIELD=*) noshield=1 ;;
		IDLE=*) idle=${kv#IDLE=} ;;
		BROKEN=*) broken=${kv#BROKEN=} ;;
		*) settings+=("$kv") ;;
		esac
	done
	# sse.cgi gets its environment from the server; sse-fcgi from its start
	if ! is_fcgi; then
		for kv in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
			[ -n "${!kv:-}" ] && settings+=("$kv=${!kv}")
		done
	fi
	render_env "${settings[@]}" >"$out.env"
	python3 - "$tpl" "$out" "$out.env" "$nospool" "$broken" "$noshield" \
		PORT="$SRV_PORT" DIR="$SRV_DIR" DOC_ROOT="$SRV_DIR/htdocs" CGI_DIR="$SRV_DIR/cgi" \
		SPOOL_DIR="$SPOOL" USER="$SRV_USER" GROUP="$SRV_GROUP" FCGI_BIN="$SRV_FCGI" \
		FCGI_SOCK="$SRV_FCGI_SOCK" IDLE_TIMEOUT="$idle" <<'EOF'
import re, sys
tpl, out, envfile, nospool, broken, noshield = sys.argv[1:7]
values = dict(a.split("=", 1) for a in sys.argv[7:])
values["SSE_ENV"] = open(envfile).read().rstrip("\n")
lines = []
for line in open(tpl).read().splitlines():
    if not line.lstrip().startswith("#"):
        if nospool == "1" and "SSE_SPOOL_DIR" in line:
            continue
        if noshield == "1" and ("no-gzip" in line or "no-brotli" in line):
            continue
        line = re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], line)
    lines.append(line)
text = "\n".join(lines) + "\n"
# The deliberately wrong configurations: (template, old, new) per breakage.
breakages = {
    "buffer": [
        ("lighttpd", "server.stream-response-body = 2", "server.stream-response-body = 0"),
        ("nginx", "fastcgi_buffering off;", "fastcgi_buffering on; fastcgi_ignore_headers X-Accel-Buffering;"),
        ("apache-fcgi", " flushpackets=on", ""),
        ("apache-cgid", "LoadModule cgid_module", "LoadModule buffer_module /usr/lib/apache2/modules/mod_buffer.so\nSetOutputFilter BUFFER\nLoadModule cgid_module"),
        ("apache-htaccess", "LoadModule cgi_module", "LoadModule buffer_module /usr/lib/apache2/modules/mod_buffer.so\nSetOutputFilter BUFFER\nLoadModule cgi_module"),
    ],
    "gzip": [
        ("nginx", "gzip off;", "gzip on; gzip_types text/event-stream; gzip_min_length 1;"),
    ],
    "compress": [
        (t, "LoadModule %s_module" % m, "LoadModule filter_module /usr/lib/apache2/modules/mod_filter.so\n"
         "LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so\n"
         "LoadModule brotli_module /usr/lib/apache2/modules/mod_brotli.so\n"
         "AddOutputFilterByType BROTLI_COMPRESS text/html text/plain text/css text/event-stream\n"
         "AddOutputFilterByType DEFLATE text/html text/plain text/css text/event-stream\n"
         "LoadModule %s_module" % m)
        for t, m in (("apache-cgid", "cgid"), ("apache-htaccess", "cgi"))
    ] + [
        # lighttpd's mod_deflate honours Cache-Control: no-transform
        (t, '"mod_setenv", ', '"mod_setenv", "mod_deflate", ')
        for t in ("lighttpd-cgi", "lighttpd-fcgi")
    ] + [
        (t, "server.stream-response-body = 2", "server.stream-response-body = 2\n"
         'deflate.mimetypes = ( "text/" )\ndeflate.allowed-encodings = ( "brotli", "gzip", "deflate" )')
        for t in ("lighttpd-cgi", "lighttpd-fcgi")
    ],
}
# The .htaccess is the user's part: the host's breakage is in its config.
if broken != "-" and tpl.rsplit("/", 1)[-1] != "htaccess":
    name = tpl.rsplit("/", 1)[-1]
    hits = [(o, n) for (t, o, n) in breakages[broken] if name.startswith(t)]
    assert hits and all(o in text for o, n in hits), "no way to break %s with %s" % (name, broken)
    for o, n in hits:
        text = text.replace(o, n)
open(out, "w").write(text)
EOF
	local rc=$?
	rm -f "$out.env"
	return "$rc"
}

# Servers run in a session of their own: Apache's prefork MPM signals its
# whole process group at shutdown, which would otherwise include bats.
# (setsid forks only when it is a group leader, which a background job of
# a non-interactive shell is not: $! is the server.)
srv_start() {
	local conf=$SRV_DIR/server.conf pid i
	local -a cmd

	case $SSE_SERVER in
	lighttpd-cgi)
		render "$SSE_CONF/lighttpd-cgi.conf.in" "$conf" "$@" || return 1
		cmd=(lighttpd -D -f "$conf")
		;;
	apache-cgid)
		render "$SSE_CONF/apache-cgid.conf.in" "$conf" "$@" || return 1
		cmd=(apache2 -f "$conf" -DFOREGROUND)
		;;
	apache-htaccess)
		# the server's part (IDLE) in its config, the settings in .htaccess
		render "$SSE_CONF/apache-htaccess.conf.in" "$conf" $(printf '%s\n' "$@" | grep -E '^(IDLE|BROKEN)=') || return 1
		render "$SSE_CONF/htaccess" "$SRV_DIR/htdocs/.htaccess" "$@" || return 1
		cmd=(apache2 -f "$conf" -DFOREGROUND)
		;;
	lighttpd-fcgi)
		render "$SSE_CONF/lighttpd-fcgi.conf.in" "$conf" "$@" || return 1
		cmd=(lighttpd -D -f "$conf")
		;;
	nginx-fcgi)
		render "$SSE_CONF/nginx-fcgi.conf.in" "$conf" "$@" || return 1
		pool_start || return 1
		cmd=(nginx -p "$SRV_DIR/" -e "$SRV_DIR/error.log" -c "$conf")
		;;
	apache-fcgi)
		render "$SSE_CONF/apache-fcgi.conf.in" "$conf" "$@" || return 1
		pool_start || return 1
		cmd=(apache2 -f "$conf" -DFOREGROUND)
		;;
	esac
	setsid "${cmd[@]}" >>"$SRV_DIR/server.out" 2>&1 </dev/null 3>&- &
	pid=$!
	echo "$pid" >"$SRV_DIR/server.pid"
	for ((i = 0; i < 100; i++)); do
		if ! pid_alive "$pid"; then
			echo "$SSE_SERVER exited at start:" >&2
			cat "$SRV_DIR/server.out" >&2
			srv_show_log >&2
			return 1
		fi
		if port_open "$SRV_PORT"; then
			[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$(command -v "${cmd[0]}")")" ] ||
				fail "pid $pid is not ${cmd[0]}" || return 1
			return 0
		fi
		sleep 0.05
	done
	echo "$SSE_SERVER did not listen on port $SRV_PORT within 5 s" >&2
	srv_show_log >&2
	return 1
}

is_fcgi() {
	[[ $SSE_SERVER == *-fcgi ]]
}

# pool_start: a standalone sse-fcgi pool (nginx, Apache) on $SRV_FCGI_SOCK,
# as the server's user; all its settings come per request from the server.
pool_start() {
	local pid i
	local -a as=()

	[ "$(id -u)" = 0 ] && [ "$SRV_USER" != root ] && as=(setpriv --reuid="$SRV_USER" --regid="$SRV_GROUP" --init-groups)
	rm -f "$SRV_FCGI_SOCK"
	setsid "${as[@]}" "$SRV_FCGI" --listen "unix:$SRV_FCGI_SOCK" --workers 2 >>"$SRV_ERRLOG" 2>&1 </dev/null 3>&- &
	pid=$!
	echo "$pid" >"$SRV_DIR/pool.pid"
	for ((i = 0; i < 100; i++)); do
		[ -S "$SRV_FCGI_SOCK" ] && return 0
		pid_alive "$pid" || break
		sleep 0.05
	done
	echo "sse-fcgi did not start on $SRV_FCGI_SOCK:" >&2
	cat "$SRV_ERRLOG" >&2
	return 1
}

pool_stop() {
	local pid

	[ -s "$SRV_DIR/pool.pid" ] || return 0
	pid=$(<"$SRV_DIR/pool.pid")
	rm -f "$SRV_DIR/pool.pid"
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! wait_for "! pid_alive $pid" 40 0.05; then
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
}

# fcgi_streams: streams open in the pool (its ?status, asked directly).
fcgi_streams() {
	"$SSE_BIN/test/fcgiclient" -t 2 "unix:$SRV_FCGI_SOCK" REQUEST_METHOD=GET QUERY_STRING=status \
		SSE_STATUS=1 SSE_SPOOL_DIR="$SPOOL" 2>/dev/null |
		sed -n 's/.*"pool":{"workers":[0-9]*,"streams":\([0-9]*\)}.*/\1/p'
}

# fcgi_workers: the pool's worker processes (children of the supervisor).
fcgi_workers() {
	local pid

	for pid in $(cgi_pids); do
		[ "$(readlink "/proc/$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)/exe" 2>/dev/null)" = "$SRV_FCGI" ] &&
			echo "$pid"
	done
}

srv_stop() {
	local pid

	if is_fcgi; then
		# The pool first: its SIGTERM ends every stream, so the server's
		# proxy connections end too and it stops at once.
		pool_stop || return 1
		srv_stop_server || return 1
		# lighttpd stops the pool it spawned
		wait_for '[ -z "$(cgi_pids)" ]' 40 0.05
		return
	fi
	srv_stop_server
}

srv_stop_server() {
	local pid

	[ -s "$SRV_DIR/server.pid" ] || return 0
	pid=$(<"$SRV_DIR/server.pid")
	rm -f "$SRV_DIR/server.pid" "$SRV_DIR/settings"
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! wait_for "! pid_alive $pid" 100 0.05; then
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	# Apache removes its pid file last; the port is free once it is gone.
	wait_for "! port_open $SRV_PORT" 40 0.05
}

# use_server [SSE_NAME=value...]: the server runs with exactly these settings.
use_server() {
	local want

	# What the suite's host always has (t3300: a host that compresses).
	# shellcheck disable=SC2086
	set -- "$@" ${SRV_HOST:-}
	want=$(printf '%s\n' "$@")
	if [ -s "$SRV_DIR/server.pid" ] && pid_alive "$(<"$SRV_DIR/server.pid")" &&
		[ -f "$SRV_DIR/settings" ] && [ "$(<"$SRV_DIR/settings")" = "$want" ]; then
		return 0
	fi
	if [ "$SSE_SERVER" = apache-htaccess ] && [ -s "$SRV_DIR/server.pid" ] &&
		pid_alive "$(<"$SRV_DIR/server.pid")" &&
		[ "$(grep -E '^(IDLE|BROKEN)=' "$SRV_DIR/settings" 2>/dev/null)" = "$(printf '%s\n' "$@" | grep -E '^(IDLE|BROKEN)=')" ]; then
		# Read at every request: no restart, as on a shared host.
		render "$SSE_CONF/htaccess" "$SRV_DIR/htdocs/.htaccess" "$@" || return 1
	else
		srv_stop || return 1
		srv_start "$@" || return 1
	fi
	printf '%s\n' "$want" >"$SRV_DIR/settings"
}

# --- sse.cgi processes of this server --------------------------------------

# Pids of the running sse.cgi processes (sse-fcgi: the pool's supervisor and
# workers): ours is the only copy at this path.
cgi_pids() {
	local exe=$SRV_CGI

	is_fcgi && exe=$SRV_FCGI
	find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname "$exe" -o -lname "$SRV_DIR/htdocs/hub.cgi" \) \
		2>/dev/null | cut -d/ -f3
}

# Streams running: sse.cgi processes, or the pool's open streams.
cgi_count() {
	if is_fcgi; then
		fcgi_streams
	else
		cgi_pids | wc -l
	fi
}

# The sse.cgi process draining CHANNEL's pipe: the only one holding its
# drain.owner open.
drain_holder() {
	local pid fd

	for pid in $(cgi_pids); do
		for fd in /proc/"$pid"/fd/*; do
			if [ "$(readlink "$fd" 2>/dev/null)" = "$SPOOL/$1/drain.owner" ]; then
				echo "$pid"
				break
			fi
		done
	done
}

# cgi_reap [GRACE_TRIES]: ends what is left of the streams (after their
# clients went away, or the server stopped): a bounded wait of GRACE_TRIES
# x 50 ms (default 20), then SIGTERM (a normal end for sse.cgi, which lets
# a sanitizer report leaks), then SIGKILL.
cgi_reap() {
	local pid

	if is_fcgi; then
		# the pool stays; its streams end with their clients
		wait_for '[ "$(cgi_count)" = 0 ]' "${1:-20}" 0.05 2>/dev/null
		return 0
	fi
	wait_for '[ "$(cgi_count)" = 0 ]' "${1:-20}" 0.05 2>/dev/null && return 0
	for pid in $(cgi_pids); do
		kill -TERM "$pid" 2>/dev/null
	done
	wait_for '[ "$(cgi_count)" = 0 ]' 40 0.05 2>/dev/null && return 0
	for pid in $(cgi_pids); do
		kill -KILL "$pid" 2>/dev/null
	done
	wait_for '[ "$(cgi_count)" = 0 ]' 40 0.05
}

# sanitizer_check OFFSET: fail on an ASan/UBSan/LSan report in sse.cgi's
# log past OFFSET bytes.
sanitizer_check() {
	local log=$SRV_ERRLOG

	[ -f "$log" ] || return 0
	if tail -c +"$(($1 + 1))" "$log" | grep -E -q 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'; then
		echo "sanitizer report in $log:" >&2
		tail -c +"$(($1 + 1))" "$log" >&2
		return 1
	fi
}

log_size() {
	stat -c %s "$SRV_ERRLOG" 2>/dev/null || echo 0
}

# log_mark, then log_since_mark: what sse.cgi's log got in between.
log_mark() {
	log_size >"$T/log.mark"
}

log_since_mark() {
	tail -c +"$(($(<"$T/log.mark") + 1))" "$SRV_ERRLOG"
}

srv_setup() {
	T=$BATS_TEST_TMPDIR
	log_size >"$T/log.offset"
	: >"$T/clients"
}

srv_teardown() {
	local rc=0 pid

	for pid in $(cat "$T/clients" 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null
	done
	# Servers see a client leave only at their next write to it (see
	# t_client_gone): no waiting for that here.
	cgi_reap 1 || rc=1
	sanitizer_check "$(<"$T/log.offset")" || rc=1
	return "$rc"
}

# --- spool and producers ---------------------------------------------------

publish() {
	"$SSE_BIN/sse-publish" --spool "$SPOOL" "$@"
}

# new_channel NAME [sse-publish options]: a fresh channel for this test.
new_channel() {
	local name=$1

	shift
	publish --create "$@" "$name" >/dev/null
}

# fifo_events CHANNEL FIRST LAST [PREFIX]: events PREFIX<i> for i in
# FIRST..LAST into the channel's pipe, each in one write(2); bounded, since
# a pipe writer blocks while no stream of the channel runs.
fifo_events() {
	timeout 10 python3 - "$SPOOL/$1/fifo" "$2" "$3" "${4:-ev-}" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
for i in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
    b = ("event: tick\ndata: %s%d\n\n" % (sys.argv[4], i)).encode()
    assert os.write(fd, b) == len(b)
os.close(fd)
EOF
}

# --- clients -----------------------------------------------------------------

# sse_open NAME PATH [curl options]: a stream in the background; headers in
# $T/NAME.h, body in $T/NAME.body. At most 30 s, whatever happens.
sse_open() {
	local name=$1 path=$2

	shift 2
	curl -sN --max-time 30 -D "$T/$name.h" -o "$T/$name.body" "$@" "$BASE$path" \
		>/dev/null 2>"$T/$name.err" 3>&- &
	echo $! >"$T/$name.pid"
	echo $! >>"$T/clients"
	: >>"$T/$name.body"
}

# sse_close NAME: the client goes away.
sse_close() {
	kill -TERM "$(<"$T/$1.pid")" 2>/dev/null || true
}

# sse_done NAME: the client's curl has ended (by itself).
sse_done() {
	! pid_alive "$(<"$T/$1.pid")"
}

# sse_has NAME REGEX: a line of the body matches.
sse_has() {
	grep -E -q -e "$2" "$T/$1.body"
}

# sse_ready NAME...: each stream's first comment arrived (within a second).
sse_ready() {
	local n

	for n in "$@"; do
		wait_for "sse_has $n '^:'" 20 0.05 || return 1
	done
}

# sse_wait NAME REGEX [TRIES DELAY]: default within a second.
sse_wait() {
	wait_for "sse_has $1 '$2'" "${3:-20}" "${4:-0.05}"
}

# sse_events NAME: the events received, one per line: "ID EVENT DATA"
# (EVENT "message" when absent, data lines joined by "\n").
sse_events() {
	events_of "$T/$1.body"
}

# expect_events NAME LINES...: exactly these events, in this order.
expect_events() {
	local name=$1

	shift
	expect_events_of "$T/$name.body" "$@"
}

# hdr NAME HEADER: the header's value (last one if repeated), CR dropped.
hdr() {
	sed -n -e 's/\r$//' -e "s/^$2: *//Ip" "$T/$1.h" | tail -n 1
}

hdr_count() {
	grep -i -c -e "^$2:" "$T/$1.h"
}

status_of() {
	sed -n -e '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/$1.h"
}

# get NAME PATH [curl options]: a request that ends by itself (5 s at most);
# sets $status to the HTTP status.
get() {
	local name=$1 path=$2 rc=0

	shift 2
	curl -s --max-time 5 -D "$T/$name.h" -o "$T/$name.body" "$@" "$BASE$path" 3>&- || rc=$?
	status=$(status_of "$name")
	[ "$rc" = 0 ] || fail "curl $* $path: exit status $rc (28: not answered in full within 5 s; 52/56: connection closed or reset), HTTP status '$status'"
}

# refute CMD...: CMD must fail (`! cmd` would not stop a bats test).
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# now_ms: for the few tests that bound how long something took.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
