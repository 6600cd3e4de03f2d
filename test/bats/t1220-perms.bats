#!/usr/bin/env bats
# doc/publishing.md "Who may write the spool", each case's commands run as
# printed (only the names change: www-data, alice and the group sse become
# throwaway users and a group of this test), by root for the admin's block
# and by the "owner" for the others, in a home of mode 0700. Then sse.cgi runs
# directly as the "web" user with a CGI environment while the owner
# publishes (sse-publish and the fifo): the stream must get both events, and
# a second stream as the web user must replay them after the owner appended
# to what the web user wrote. Without a group or an ACL the stream answers
# 500 with one line naming the web user and the page. Needs root (useradd,
# setpriv); the users and the group go at teardown, also after a failure.

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	[ -x "$B/sse-publish" ] && [ -x "$B/sse.cgi" ] || {
		echo "no $B/sse-publish or $B/sse.cgi: run make O=${SSE_BUILD:-build} first" >&2
		return 1
	}
	[ "$(id -u)" = 0 ] || skip "needs root (throwaway users)"
	command -v setpriv >/dev/null && command -v useradd >/dev/null || skip "no setpriv or useradd"
	# names of at most 32 characters, unique per test and run
	N=${BATS_TEST_NUMBER}x$$
	OWN=sseo$N WEB=ssew$N GRP=sseg$N
	echo "$OWN $WEB $GRP" >"$BATS_TEST_TMPDIR/names"
	# outside BATS_TEST_TMPDIR: its parents are root's, mode 0700
	BASE=$(mktemp -d /tmp/sse-perms.XXXXXX)
	echo "$BASE" >"$BATS_TEST_TMPDIR/base"
	chmod 755 "$BASE"
	mkdir "$BASE/bin"
	cp "$B/sse-publish" "$B/sse.cgi" "$BASE/bin/"
	chmod 755 "$BASE/bin" "$BASE/bin/"*
	HOMEDIR=$BASE/home/$OWN
	mkdir -p "$BASE/home"
	chmod 755 "$BASE/home"
	useradd -M -d "$HOMEDIR" -s /bin/bash -U "$OWN"
	useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$WEB"
	install -d -o "$OWN" -g "$OWN" -m 0700 "$HOMEDIR"
	SPOOL=$HOMEDIR/sse-spool
}

teardown() {
	local n

	for n in $(cat "$BATS_TEST_TMPDIR/pids" 2>/dev/null); do
		kill -KILL "$n" 2>/dev/null || true
	done
	read -r OWN WEB GRP <"$BATS_TEST_TMPDIR/names" 2>/dev/null || return 0
	userdel "$OWN" 2>/dev/null || true
	userdel "$WEB" 2>/dev/null || true
	groupdel "$OWN" 2>/dev/null || true
	groupdel "$WEB" 2>/dev/null || true
	groupdel "$GRP" 2>/dev/null || true
	rm -rf "$(cat "$BATS_TEST_TMPDIR/base")"
}

# block NAME: the sh block after "<!-- tested: NAME -->" in the page, with
# the names of this test.
block() {
	awk -v m="<!-- tested: $1 -->" '
		$0 == m { found = 1; next }
		found && /^```sh$/ { inside = 1; next }
		inside && /^```$/ { exit }
		inside { print }' "$TOP/doc/publishing.md" |
		sed -e "s/www-data/$WEB/g" -e "s/\balice\b/$OWN/g" -e "s/\([ ]\)sse\([ ]\|$\)/\1$GRP\2/g"
}

# as_owner NAME: runs the block as the owner, in a login-like environment.
as_owner() {
	local text

	text=$(block "$1")
	[ -n "$text" ] || { echo "no block '$1' in doc/publishing.md" >&2; return 1; }
	echo "--- $1 as $OWN:"; echo "$text"
	setpriv --reuid="$OWN" --regid="$OWN" --init-groups \
		env -i HOME="$HOMEDIR" USER="$OWN" PATH="$BASE/bin:/usr/bin:/bin" \
		bash -e -c "cd && umask 022 && $text"
}

as_root() {
	local text

	text=$(block "$1")
	[ -n "$text" ] || { echo "no block '$1' in doc/publishing.md" >&2; return 1; }
	echo "--- $1 as root:"; echo "$text"
	bash -e -c "$text"
}

# cgi_as USER OUT [NAME=VALUE...]: sse.cgi as USER (its own groups), as a web
# server runs it; stdout to OUT, stderr to OUT.err; 3 s of stream.
cgi_as() {
	local user=$1 out=$2

	shift 2
	setpriv --reuid="$user" --regid="$user" --init-groups \
		env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 \
		SCRIPT_NAME=/sse.cgi PATH_INFO=/news SSE_SPOOL_DIR="$SPOOL" SSE_MAX_LIFETIME=3 "$@" \
		timeout 10 "$BASE/bin/sse.cgi" >"$out" 2>"$out.err"
}

# owner_publish DATA [fifo]: one event through sse-publish, and one through
# the fifo (a stream must be reading it: 5 s at most).
owner_publish() {
	setpriv --reuid="$OWN" --regid="$OWN" --init-groups env HOME="$HOMEDIR" \
		"$BASE/bin/sse-publish" --spool "$SPOOL" news "$1 published" >/dev/null
	[ $# -lt 2 ] || setpriv --reuid="$OWN" --regid="$OWN" --init-groups \
		timeout 5 bash -c "printf 'data: $1 piped\n\n' > '$SPOOL/news/fifo'"
}

# streams_as USER: a stream as USER gets what the owner publishes meanwhile;
# then the owner appends to what USER's stream wrote, and a new stream from
# id 0 replays all of it.
streams_as() {
	local out=$BATS_TEST_TMPDIR/live

	cgi_as "$1" "$out" &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for _ in $(seq 50); do grep -q '^: ' "$out" 2>/dev/null && break; sleep 0.05; done
	owner_publish one fifo
	wait "$!" || true
	cat "$out.err" >&2
	grep -q '^data: one published' "$out" && grep -q '^data: one piped' "$out" || {
		echo "the stream as $1 missed an event:" >&2
		cat "$out" >&2
		return 1
	}
	[ ! -s "$out.err" ]
	owner_publish two
	cgi_as "$1" "$out" SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID=0
	cat "$out.err" >&2
	for e in "one published" "one piped" "two published"; do
		grep -q "^data: $e" "$out" || { echo "replay misses '$e'" >&2; cat "$out" >&2; return 1; }
	done
	[ ! -s "$out.err" ]
}

@test "perms, CGI runs as you: the block as printed, then streams as you" {
	as_owner perms-you
	[ "$(stat -c %a "$SPOOL")" = 2775 ]
	streams_as "$OWN"
}

@test "perms, shared group: the admin's block and yours as printed; the web user streams what you publish" {
	as_root perms-group-admin
	as_owner perms-group
	[ "$(stat -c %G "$SPOOL/news/log/index")" = "$GRP" ]
	streams_as "$WEB"
	# what the web user made keeps the group, so the owner can write it
	find "$SPOOL" ! -group "$GRP" -printf 'not the group: %p\n' | grep . && return 1
	find "$SPOOL" -perm -o+w -printf 'world-writable: %p\n' | grep . && return 1
	true
}

@test "perms, ACL: your block as printed; the web user streams what you publish, each writes what the other made" {
	command -v setfacl >/dev/null || skip "no setfacl (Debian package acl)"
	as_owner perms-acl
	streams_as "$WEB"
	# the web user made files the owner wrote after (a fifo event it moved into
	# the log, .streams): no world write anywhere
	find "$SPOOL" -user "$WEB" | grep -q . || { echo "the web user made nothing" >&2; return 1; }
	find "$SPOOL" -perm -o+w -printf 'world-writable: %p\n' | grep . && return 1
	true
}

@test "perms, no group and no ACL: 500, one line naming the web user, its group, the owner and the page" {
	as_owner perms-you # the spool as the owner makes it, nothing else
	cgi_as "$WEB" "$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/out.err"
	[[ "$(head -n 1 "$BATS_TEST_TMPDIR/out")" == "Status: 500 "* ]]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out.err")" -eq 1 ]
	grep -q "^sse.cgi: .*Permission denied (running as user $WEB, group $WEB; '$HOMEDIR' is $OWN:$OWN mode 0700)" \
		"$BATS_TEST_TMPDIR/out.err"
	grep -q 'see doc/publishing.md#who-may-write-the-spool$' "$BATS_TEST_TMPDIR/out.err"
	# the home searchable, the spool still the owner's alone: the file is named
	chmod o+x "$HOMEDIR"
	cgi_as "$WEB" "$BATS_TEST_TMPDIR/out"
	cat "$BATS_TEST_TMPDIR/out.err"
	grep -q "cannot open '$SPOOL/news/log/index': Permission denied (running as user $WEB, group $WEB; it is $OWN:$OWN mode 0664)" \
		"$BATS_TEST_TMPDIR/out.err"
}
