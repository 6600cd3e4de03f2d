#!/usr/bin/env bats
# Each fact has one home, and every other page that states it agrees (issue
# 11 point 8). The settings (defaults, who reads them, where they come from
# and in which order) live in lib/settings.c: --help prints them and
# `make docs` (tools/gendoc.c) writes them into the man pages and
# doc/stream.md, which must be up to date. The prose facts are checked here
# against their home and against the programs' behaviour: the order of the
# sources (sse-fcgi), the hosts sse-fcgi runs under (doc/deployment.md), the
# fifo's framing (doc/publishing.md, SPEC "Input framing"), the exit
# statuses and options of the man pages.

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	GEN=$B/tools/gendoc
	CLIENT=$B/test/fcgiclient
	[ -x "$GEN" ] && [ -x "$CLIENT" ] && [ -x "$B/sse-fcgi" ] || {
		echo "no $GEN, $CLIENT or $B/sse-fcgi: run make O=${SSE_BUILD:-build} tests first" >&2
		return 1
	}
	T=$BATS_TEST_TMPDIR
	SP=$T/spool
	SOCK=$T/fcgi.sock
	mkdir -p "$SP"
	"$B/sse-publish" --spool "$SP" --create news
	cd "$TOP" || return 1
}

teardown() {
	local p

	for p in ${PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
	if [ -n "${POOL:-}" ] && kill -TERM "$POOL" 2>/dev/null; then
		for _ in $(seq 40); do kill -0 "$POOL" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$POOL" 2>/dev/null || true
	fi
	return 0
}

fail() {
	echo "$*" >&2
	return 1
}

# man_text PAGE: the page as a reader sees it (no fonts, no hyphenation, one
# long line per paragraph, so a sentence is never cut).
man_text() {
	LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=1000n -rHY=0 -P-cbou "$1" | sed 's/[‐−]/-/g'
}

# sentences FILE... (or stdin): one sentence per line, whitespace squeezed.
sentences() {
	cat "$@" | tr '\n' ' ' | tr -s ' \t' ' ' | sed 's/\([.;:]\) /\1\n/g'
}

# pool ARGS...: sse-fcgi on $SOCK, one worker; waits for the socket.
pool() {
	"$B/sse-fcgi" --listen "unix:$SOCK" --workers 1 "$@" 2>>"$T/pool.err" &
	POOL=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	cat "$T/pool.err" >&2
	return 1
}

pool_stop() {
	kill -TERM "$POOL" && wait "$POOL" || true
	POOL=
	rm -f "$SOCK"
}

# retry_of NAME=VALUE...: the retry: a 0.3 s stream of news starts with.
retry_of() {
	"$CLIENT" -t 0.3 "unix:$SOCK" REQUEST_METHOD=GET PATH_INFO=/news "$@" |
		sed -n 's/^retry: \([0-9]*\)\r*$/\1/p' | head -1
}

# cgi VAR=VALUE...: sse.cgi run as a web server would, on the spool.
cgi() {
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SSE_SPOOL_DIR="$SP" "$@" "$B/sse.cgi"
}

@test "docs: the man pages' and doc/stream.md's settings parts are what make docs writes from lib/settings.c" {
	local f files

	files=$(grep -l 'generated:' doc/man/* doc/*.md | sort)
	[ "$files" = "$(printf '%s\n' doc/man/sse-fcgi.8 doc/man/sse-publish.1 doc/man/sse.cgi.8 doc/stream.md | sort)" ] ||
		fail "the generated parts moved: $files (update DOC_GEN in the Makefile and this list)"
	for f in $files; do
		grep -q "DOC_GEN.*$f" Makefile || fail "$f is not in the Makefile's DOC_GEN"
		"$GEN" "$f" > "$T/out" || fail "gendoc $f failed"
		diff -u "$f" "$T/out" >&2 || fail "$f is out of date: run make docs"
	done
}

@test "docs: gendoc refuses an unknown part and one without its end, and rewrites a stale one" {
	printf 'a\n.\\" generated:man-settings sse-nothing\n.\\" end generated\n' > "$T/bad"
	run -1 "$GEN" "$T/bad"
	[[ $output == *"unknown generated part"* ]]
	printf 'a\n<!-- generated:md-settings -->\nold\n' > "$T/open"
	run -1 "$GEN" "$T/open"
	[[ $output == *"$T/open:2: the generated part has no 'end generated' line"* ]]
	printf 'a\n<!-- generated:md-settings -->\n| `SSE_HEARTBEAT` | 30 |\n<!-- end generated -->\nz\n' > "$T/stale"
	run -0 "$GEN" "$T/stale"
	[[ $output == "a"$'\n'"<!-- generated:md-settings -->"$'\n'* ]]
	[[ $output == *'| `SSE_HEARTBEAT` | `--heartbeat` | 15 |'* ]]
	[[ $output != *"| 30 |"* ]]
	[[ $output == *$'<!-- end generated -->\nz' ]]
}

@test "settings: each program's --help and man page list the same settings, those the program reads" {
	local p page help man

	for p in sse.cgi sse-fcgi sse-publish; do
		page=$(ls doc/man/"$p".[18])
		help=$(env -u GATEWAY_INTERFACE "$B/$p" --help | grep -o 'SSE_[A-Z_]*' | sort -u)
		# the settings part of the page: SETTINGS or ENVIRONMENT up to the next section
		man=$(man_text "$page" | sed -n '/^\(SETTINGS\|ENVIRONMENT\)$/,/^[A-Z][A-Z ]*$/p' |
			grep -o '^ *SSE_[A-Z_]*' | tr -d ' ' | sort -u)
		[ -n "$man" ] || fail "$page has no settings"
		[ "$help" = "$man" ] || fail "$p: --help lists $(echo $help), its man page $(echo $man)"
	done
	# sse-publish reads four; the streams read SSE_HISTORY too (a hub's
	# first request creates its channel)
	[ "$(env -u GATEWAY_INTERFACE "$B/sse-publish" --help | grep -c '^  SSE_')" -eq 4 ]
	env -u GATEWAY_INTERFACE "$B/sse.cgi" --help | grep -q SSE_HISTORY
}

@test "settings: sse-fcgi takes the environment, then its flags, then the request's parameters, as every page says" {
	local f

	pool --spool "$SP"
	[ "$(retry_of)" = "" ]
	pool_stop
	SSE_RETRY_MS=1000 pool --spool "$SP"
	[ "$(retry_of)" = 1000 ] || fail "the environment was not read"
	pool_stop
	SSE_RETRY_MS=1000 pool --spool "$SP" --retry-ms 1500
	[ "$(retry_of)" = 1500 ] || fail "the environment won over the flag"
	[ "$(retry_of SSE_RETRY_MS=2500)" = 2500 ] || fail "the flag won over the request's parameter"
	[ "$(retry_of)" = 1500 ] || fail "a request's parameter outlived its request"
	# the one wording, from sse_settings_sources(), wherever the order is told
	"$B/sse-fcgi" --help | sentences > "$T/help"
	grep -q 'from the environment at start, then from its flags (--heartbeat 5), then per request from the FastCGI parameters' "$T/help"
	grep -q 'a later source wins' "$T/help"
	man_text doc/man/sse-fcgi.8 | sentences | grep -q 'from the environment at start, then from its flags'
	sentences doc/stream.md | grep -q 'from the environment at start, then from its flags'
	# and no page says it the other way round
	for f in README.md doc/*.md doc/man/* fcgi/README.md lib/README.md; do
		! sentences "$f" | grep -iE 'flags,? then (the )?environment|environment,? then (the )?FastCGI' ||
			fail "$f states another order"
	done
}

@test "settings: a program ignores the settings it does not read; the streams read SSE_HISTORY, for a hub" {
	run -0 env SSE_HEARTBEAT=abc SSE_CORS_ORIGINS=$'\001' "$B/sse-publish" --spool "$SP" news hello
	[ "$output" = 1 ]
	run -0 env SSE_SPOOL_DIR=/nonexistent "$B/sse-publish" --spool "$SP" news again
	[ "$output" = 2 ]
	run -0 --separate-stderr cgi SSE_HISTORY=abc PATH_INFO=/nosuch
	[[ $output == "Status: 500"* ]] || fail "SSE_HISTORY=abc was taken: $output $stderr"
	[[ $stderr == *"bad value 'abc' for SSE_HISTORY"* ]]
	run -0 --separate-stderr cgi SSE_HEARTBEAT=abc PATH_INFO=/news
	[[ $output == "Status: 500"* ]]
	[[ $stderr == *"bad value 'abc' for SSE_HEARTBEAT"* ]]
	# a flag of sse-fcgi now: the size of a hub's channel
	"$B/sse-fcgi" --history 5 --listen "unix:$SOCK" --workers 1 2>"$T/pool.err" &
	local pool=$! i
	for ((i = 0; i < 50; i++)); do [ -S "$SOCK" ] && break; sleep 0.1; done
	[ -S "$SOCK" ] || { kill "$pool"; fail "sse-fcgi --history 5 did not start: $(cat "$T/pool.err")"; }
	kill -TERM "$pool" && wait "$pool" || true
	[ "$(grep -c . "$T/pool.err")" = 0 ] || fail "sse-fcgi --history 5: $(cat "$T/pool.err")"
	run --separate-stderr timeout 5 "$B/sse-fcgi" --history abc --listen "unix:$SOCK.x" --workers 1
	[ "$status" = 2 ] || fail "sse-fcgi --history abc: status $status: $stderr"
	[[ $stderr == *"'abc'"*"SSE_HISTORY"* ]] || fail "sse-fcgi --history abc said: $stderr"
}

@test "hosts: sse-fcgi's --help, errors and man page name the hosts of doc/deployment.md, and never offer mod_fcgid" {
	local h f

	"$B/sse-fcgi" --help > "$T/help"
	run -2 "$B/sse-fcgi" </dev/null
	echo "$output" > "$T/fd0"
	man_text doc/man/sse-fcgi.8 > "$T/man"
	for h in 'bin-path' 'spawn-fcgi' 'fastcgi_pass' 'mod_proxy_fcgi'; do
		grep -q -- "$h" "$T/help" || fail "--help does not name $h"
		grep -q -- "$h" "$T/man" || fail "man sse-fcgi does not name $h"
		sed -n '/^### sse-fcgi/,$p' doc/deployment.md | grep -q -- "$h" ||
			fail "doc/deployment.md has no $h for sse-fcgi"
	done
	# the home: doc/deployment.md
	sentences doc/deployment.md | grep -A1 '`mod_fcgid` is not a fit:$' |
		grep -q '^it hands one request at a time to each process it starts'
	# wherever mod_fcgid is named, it is as the one that is not a fit (or
	# what to set where it buffers), never as a host
	for f in "$T/help" "$T/fd0" "$T/man" README.md doc/*.md doc/man/*; do
		! sentences "$f" | grep 'mod_fcgid' | grep -vE 'not a fit|Not mod_fcgid|FcgidOutputBufferSize' ||
			fail "$f offers mod_fcgid"
	done
	grep -q 'Not mod_fcgid: it hands one request at a time to each' "$T/help"
}

@test "fifo: a blank line ends an event, not a write; every page that tells the framing says so" {
	local f

	PIDS=
	env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SSE_SPOOL_DIR="$SP" PATH_INFO=/news \
		"$B/sse.cgi" > "$T/stream" 2>"$T/stream.err" &
	PIDS=$!
	for _ in $(seq 50); do ls -l "/proc/$PIDS/fd" 2>/dev/null | grep -q 'drain.owner$' && break; sleep 0.1; done
	ls -l "/proc/$PIDS/fd" | grep -q 'drain.owner$' || fail "the stream does not hold the fifo"
	exec 7>"$SP/news/fifo"
	printf 'data: one\n\ndata: two\n\n' >&7        # one write, two events
	printf 'data: three a\n' >&7                    # two writes, one event
	sleep 0.2
	printf 'data: three b\n\n' >&7
	exec 7>&-
	for _ in $(seq 50); do grep -q 'three b' "$T/stream" && break; sleep 0.1; done
	grep -A2 '^id: 3$' "$T/stream" > "$T/ev3"
	diff <(printf 'id: 3\ndata: three a\ndata: three b\n') "$T/ev3"
	[ "$(grep -c '^id: ' "$T/stream")" -eq 3 ]
	kill -TERM "$PIDS" && wait "$PIDS" || true
	PIDS=
	# the homes: doc/publishing.md (and SPEC "Input framing"), sse-publish(1) --raw
	sentences doc/publishing.md | grep -q 'A blank line ends the event'
	man_text doc/man/sse-publish.1 | sentences | grep -q 'a blank line between events'
	man_text doc/man/sse.cgi.8 | sentences | grep -q 'a blank line ends an event'
	man_text doc/man/sse.cgi.8 | sentences | grep -q 'of at most 4096 bytes (PIPE_BUF) is never interleaved'
	# the statement of issue 11: "one write of at most 4096 bytes is one event"
	for f in README.md doc/*.md doc/man/*; do
		! { [[ $f == *.[1-8] ]] && man_text "$f" || cat "$f"; } | sentences |
			grep -iE 'write[^.]*is (one|an) event' || fail "$f says a write is an event"
	done
}

@test "man pages: options and exit statuses are the programs' own" {
	local o

	# every option of --help is in the man page
	for o in $("$B/sse-fcgi" --help | grep -oE '^  --[a-z-]+'); do
		man_text doc/man/sse-fcgi.8 | grep -q -- "$o" || fail "man sse-fcgi lacks $o"
	done
	for o in $("$B/sse-publish" --help | grep -oE '^  --[a-z-]+'); do
		man_text doc/man/sse-publish.1 | grep -q -- "$o" || fail "man sse-publish lacks $o"
	done
	for o in --help --version; do
		man_text doc/man/sse-fcgi.8 | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -q -- "$o"
		man_text doc/man/sse.cgi.8 | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -q -- "$o"
	done
	# sse.cgi: 2 outside a web server, 0 for an answer whatever its status
	man_text doc/man/sse.cgi.8 | sed -n '/^EXIT STATUS/,/^DIAGNOSTICS/p' | sentences > "$T/exit"
	grep -q '2 when it is not run by a web server' "$T/exit"
	run -2 env -u GATEWAY_INTERFACE "$B/sse.cgi"
	[[ $output == *"not run by a web server"* ]]
	run -0 env -u GATEWAY_INTERFACE "$B/sse.cgi" --help
	run -0 --separate-stderr cgi PATH_INFO=/nosuch
	[[ $output == "Status: 404"* ]]
	run -0 --separate-stderr cgi SSE_MAX_EVENT=1 PATH_INFO=/news
	[[ $output == "Status: 500"* ]]
	# sse-fcgi: 2 bad usage (no socket on fd 0 included), 1 a socket it cannot make, 0 after SIGTERM
	man_text doc/man/sse-fcgi.8 | sed -n '/^EXIT STATUS/,/^DIAGNOSTICS/p' | sentences > "$T/exit"
	grep -q '2 for bad usage' "$T/exit" && grep -q '1 for other failures' "$T/exit"
	run -2 "$B/sse-fcgi" --no-such
	run -2 "$B/sse-fcgi" --spool "$SP" </dev/null
	run -1 "$B/sse-fcgi" --listen "unix:$T/no/such/dir/sock"
	pool --spool "$SP"
	kill -TERM "$POOL"
	wait "$POOL" # 0, or the test fails
	POOL=
	# sse-publish: 2 bad usage or input, 1 other failures
	man_text doc/man/sse-publish.1 | sed -n '/^EXIT STATUS/,/^[A-Z]/p' | sentences | grep -q '2 bad usage or input'
	run -2 "$B/sse-publish" --spool "$SP" .bad x
	touch "$T/file"
	run -1 "$B/sse-publish" --spool "$T/file" --create x < /dev/null
}

# The version has one home, the Makefile: every program prints it, every
# man page's title gives it, and the changelog's newest entry is it.
@test "version: --version of every program, the man pages' titles and CHANGELOG.md's newest entry agree" {
	local v p f

	v=$(sed -n 's/^VERSION = //p' Makefile)
	[ -n "$v" ]
	for p in sse.cgi sse-fcgi sse-publish sse-doctor; do
		[ "$(env -u GATEWAY_INTERFACE "$B/$p" --version)" = "$p $v" ] || { echo "$p --version: $("$B/$p" --version)"; return 1; }
	done
	for f in doc/man/*.[0-9]; do
		head -n 1 "$f" | grep -q "\"sse-cgi $v\"" || { echo "$f: $(head -n 1 "$f")"; return 1; }
	done
	[ "$(sed -n 's/^## \([0-9][0-9.]*\) .*/\1/p' CHANGELOG.md | head -n 1)" = "$v" ]
}
