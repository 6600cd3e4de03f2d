#!/usr/bin/env bats
# sse-publish (SPEC "Programs", "sse-publish options", "Input framing"):
# every option, every exit status, the events it writes as a stream then
# delivers them. Events are read back through sse.cgi run directly with a
# CGI environment and SSE_MAX_LIFETIME=1 (no web server).

bats_require_minimum_version 1.5.0

load events

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	PUB=$B/sse-publish
	CGI=$B/sse.cgi
	[ -x "$PUB" ] && [ -x "$CGI" ] || {
		echo "no $PUB or $CGI: run make O=${SSE_BUILD:-build} first" >&2
		return 1
	}
	SP=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SP"
	unset SSE_SPOOL_DIR SSE_MAX_EVENT SSE_HISTORY SSE_SYNC
}

pub() {
	"$PUB" --spool "$SP" "$@"
}

# replay CHANNEL [LAST_ID]: what a client resuming from LAST_ID receives
# (the body, head removed) into $BATS_TEST_TMPDIR/body; at most 10 s.
replay() {
	local out=$BATS_TEST_TMPDIR/body rc=0

	if [ $# -ge 2 ]; then
		timeout 10 env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO="/$1" \
			SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID="$2" "$CGI" \
			>"$out.raw" 2>"$out.err" || rc=$?
	else
		timeout 10 env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO="/$1" \
			SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=1 "$CGI" \
			>"$out.raw" 2>"$out.err" || rc=$?
	fi
	[ "$rc" = 0 ] || { echo "sse.cgi exit status $rc:" >&2; cat "$out.err" >&2; return 1; }
	[ -s "$out.err" ] && { echo "sse.cgi wrote to stderr:" >&2; cat "$out.err" >&2; return 1; }
	sed -e '1,/^\r$/d' "$out.raw" >"$out"
}

# events, expect_events: the replayed events (test/bats/events.bash).
events() { events_of "$BATS_TEST_TMPDIR/body"; }
expect_events() { expect_events_of "$BATS_TEST_TMPDIR/body" "$@"; }

# one_error STATUS WORD: the last `run` exited STATUS, printed nothing on
# stdout and exactly one line on stderr, "sse-publish: ..." holding WORD.
one_error() {
	local n

	echo "status=$status stdout=[$output] stderr=[$stderr]"
	[ "$status" -eq "$1" ]
	[ -z "$output" ]
	n=$(printf '%s\n' "$stderr" | wc -l)
	[ "$n" -eq 1 ]
	[[ "$stderr" == "sse-publish: "* ]]
	[[ "$stderr" == *"$2"* ]]
}

# increasing IDS...: each a decimal greater than the one before.
increasing() {
	local prev=-1 id

	for id in "$@"; do
		[[ "$id" =~ ^[0-9]+$ ]] || { echo "not an id: '$id'" >&2; return 1; }
		[ "$id" -gt "$prev" ] || { echo "ids not increasing: $*" >&2; return 1; }
		prev=$id
	done
}

# --- --help, --version --------------------------------------------------------

@test "a spool that is itself a link (an admin's) works; only what lies under it is never followed" {
	mkdir -p "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/linked"
	run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/linked" --create ch
	echo "$stderr"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/linked" ch first
	[ "$status" -eq 0 ] && [ "$output" = 1 ]
	[ -d "$BATS_TEST_TMPDIR/real/ch/log" ]
}

@test "--help: usage on stdout, exit 0" {
	run --separate-stderr "$PUB" --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: sse-publish "* ]]
	for o in --spool --event --create --raw --history --version; do
		[[ "$output" == *"$o"* ]] || { echo "--help does not mention $o" >&2; return 1; }
	done
	[ -z "$stderr" ]
}

@test "--version: name and version, exit 0" {
	run --separate-stderr "$PUB" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sse-publish\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -z "$stderr" ]
}

# --- bad usage: exit 2, one line ---------------------------------------------

@test "usage: no channel -> 2" {
	run --separate-stderr "$PUB" --spool "$SP"
	one_error 2 channel
}

@test "usage: unknown option -> 2, naming it" {
	run --separate-stderr "$PUB" --spool "$SP" --bogus ch x
	one_error 2 "--bogus"
}

@test "usage: option without its argument -> 2, naming it and saying so" {
	run --separate-stderr "$PUB" --spool
	one_error 2 "--spool"
	# "unknown option '--spool'" would be wrong: it is known, its DIR is missing
	[[ "$stderr" != *unknown* ]]
}

@test "usage: too many arguments -> 2" {
	run --separate-stderr pub ch one two
	one_error 2 "too many"
	[ ! -e "$SP/ch" ]
}

@test "usage: bad channel names -> 2, nothing created" {
	local name

	for name in ../x .hidden "a b" a/b "" "$(printf 'x%.0s' {1..65})" "caf$(printf '\303\251')" $'.\nx'; do
		run --separate-stderr pub "$name" data
		one_error 2 "channel"
	done
	[ -z "$(ls -A "$SP")" ]
}

@test "usage: 64-character channel name is fine" {
	local name

	name=$(printf 'x%.0s' {1..64})
	run --separate-stderr pub "$name" data
	[ "$status" -eq 0 ]
	[ -p "$SP/$name/fifo" ]
}

@test "usage: event name with LF or CR -> 2, nothing published" {
	pub --create ch
	run --separate-stderr pub --event $'a\nb' ch x
	one_error 2 "event"
	run --separate-stderr pub --event $'a\rb' ch x
	one_error 2 "event"
	run --separate-stderr pub --event $'tick\r\n' --raw ch <<<'data: x'
	one_error 2 "event"
	replay ch 0
	expect_events
}

@test "usage: --raw with DATA -> 2" {
	run --separate-stderr pub --raw ch data
	one_error 2 "--raw"
	[ ! -e "$SP/ch" ]
}

@test "usage: no spool (no --spool, no SSE_SPOOL_DIR) -> 2 naming both" {
	run --separate-stderr "$PUB" ch data
	one_error 2 "SSE_SPOOL_DIR"
	[[ "$stderr" == *"--spool"* ]]
}

@test "usage: bad --history -> 2" {
	local v

	for v in 0 abc -1 ""; do
		run --separate-stderr pub --create --history "$v" ch
		one_error 2 "history"
	done
	[ ! -e "$SP/ch" ]
}

@test "usage: bad setting in the environment -> 2 naming it and quoting the value" {
	SSE_MAX_EVENT=lots run --separate-stderr pub ch x
	one_error 2 "SSE_MAX_EVENT"
	[[ "$stderr" == *"'lots'"* ]]
	SSE_SYNC=2 run --separate-stderr pub ch x
	one_error 2 "SSE_SYNC"
	[ ! -e "$SP/ch" ]
}

# --- other failures: exit 1 ------------------------------------------------

@test "a missing spool is made by --create (a channel's modes, any umask), never by a plain publish" {
	local m d=$BATS_TEST_TMPDIR

	for m in 022 077 000; do
		rm -rf "$d/new"
		run --separate-stderr bash -c "umask $m && '$PUB' --spool '$d/new' --create ch"
		[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
		[ "$(stat -c %a "$d/new")" = 2775 ] && [ -p "$d/new/ch/fifo" ]
		run --separate-stderr bash -c "umask $m && '$PUB' --spool '$d/new/' ch x"
		[ "$status" -eq 0 ] && [ "$output" = 1 ] && [ -z "$stderr" ]
	done
	# a typo'd --spool: the event would go where no stream looks
	run --separate-stderr "$PUB" --spool "$d/nwe" ch x
	one_error 1 "cannot use spool '$d/nwe': no such directory (check the path; sse-publish --spool '$d/nwe' --create CHANNEL makes it)"
	[ ! -e "$d/nwe" ]
	run --separate-stderr env -C "$d" "$PUB" --spool nwe ch x
	one_error 1 "give an absolute path"
}

@test "failure: a missing spool's missing parent -> 1 naming it, nothing created" {
	run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/nope/spool" --create ch
	one_error 1 "its parent directory '$BATS_TEST_TMPDIR/nope' does not exist"
	[ ! -e "$BATS_TEST_TMPDIR/nope" ]
}

@test "failure: spool under a regular file (ENOTDIR) -> 1 naming it" {
	: >"$BATS_TEST_TMPDIR/file"
	run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/file/sub" ch x
	one_error 1 "$BATS_TEST_TMPDIR/file/sub"
	run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/file" ch x
	one_error 1 "$BATS_TEST_TMPDIR/file"
}

@test "failure: unwritable spool -> 1 naming it (as an unprivileged user)" {
	local d as=()

	d=$(mktemp -d "${TMPDIR:-/tmp}/sse-ro.XXXXXX")
	chmod 755 "$d"
	mkdir "$d/spool"
	chmod 555 "$d/spool"
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "root without setpriv"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		"${as[@]}" test -x "$PUB" || { rm -rf "$d"; skip "nobody cannot run $PUB"; }
	fi
	run --separate-stderr "${as[@]}" "$PUB" --spool "$d/spool" ch x
	rm -rf "$d"
	one_error 1 "$d/spool"
	[[ "$stderr" == *"ermission denied"* ]]
	# who runs, who owns what, and where the fix is (one line, checked above)
	[[ "$stderr" == *"(running as user "* ]]
	[[ "$stderr" == *"mode 0555"* ]]
	[[ "$stderr" == *"doc/publishing.md#who-may-write-the-spool"* ]]
}

@test "failure: stdout that cannot be written -> 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c '"$0" --spool "$1" ch x >/dev/full' "$PUB" "$SP"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "sse-publish: "*stdout* ]]
}

# --- DATA, stdin, --event ------------------------------------------------------

@test "DATA argument: one event, id printed, delivered as given" {
	run --separate-stderr pub ch "hello world"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" =~ ^[0-9]+$ ]]
	id=$output
	replay ch 0
	expect_events "$id message hello world"
}

@test "DATA argument: line endings LF, CRLF, CR become data lines; empty DATA is an empty event" {
	pub ch $'a\nb\r\nc\rd' >/dev/null
	pub ch '' >/dev/null
	pub ch ': not a comment' >/dev/null
	replay ch 0
	expect_events '1 message a\nb\nc\nd' '2 message ' '3 message : not a comment'
}

@test "stdin: one trailing newline dropped (LF or CRLF), not two" {
	printf 'line1\nline2\n' | pub ch >/dev/null
	printf 'a\n\n' | pub ch >/dev/null
	printf 'x\r\n' | pub ch >/dev/null
	printf 'no newline' | pub ch >/dev/null
	printf '\n' | pub ch >/dev/null
	replay ch 0
	expect_events '1 message line1\nline2' '2 message a\n' '3 message x' '4 message no newline' '5 message '
}

@test "stdin: a leading BOM is dropped, a later one kept; NUL bytes kept" {
	printf '\357\273\277hi\n' | pub ch >/dev/null
	printf 'a\357\273\277b' | pub ch >/dev/null
	printf 'a\0b\n' | pub ch >/dev/null
	replay ch 0
	expect_events '1 message hi' "2 message a$(printf '\357\273\277')b" '3 message a@b'
	cmp <(printf 'id: 3\ndata: a\0b\n\n') <(tail -c 17 "$BATS_TEST_TMPDIR/body")
}

@test "stdin: field-like lines are data, not fields" {
	printf 'event: x\ndata: y\nid: 9\nretry: 5\n' | pub ch >/dev/null
	replay ch 0
	expect_events '1 message event: x\ndata: y\nid: 9\nretry: 5'
}

@test "--event NAME: the event's type; 'message' is left out" {
	pub --event tick ch a >/dev/null
	echo b | pub --event 'a: b' ch >/dev/null
	pub --event message ch c >/dev/null
	replay ch 0
	expect_events '1 tick a' '2 a: b b' '3 message c'
	[ "$(grep -c '^event: ' "$BATS_TEST_TMPDIR/body")" -eq 2 ]
}

@test "ids: printed once per publish, strictly increasing" {
	local ids=() i

	for i in 1 2 3 4 5; do
		ids+=("$(pub ch "e$i")")
	done
	increasing "${ids[@]}"
	ids+=($(printf 'data: r1\n\ndata: r2\n\n' | pub --raw ch))
	[ "${#ids[@]}" -eq 7 ]
	increasing "${ids[@]}"
	ids+=("$(echo x | pub ch)")
	increasing "${ids[@]}"
}

@test "SSE_SPOOL_DIR is used without --spool; --spool wins over it" {
	mkdir "$BATS_TEST_TMPDIR/other"
	SSE_SPOOL_DIR=$SP run --separate-stderr "$PUB" ch x
	[ "$status" -eq 0 ]
	[ -d "$SP/ch" ]
	SSE_SPOOL_DIR=$SP run --separate-stderr "$PUB" --spool "$BATS_TEST_TMPDIR/other" ch2 x
	[ "$status" -eq 0 ]
	[ -d "$BATS_TEST_TMPDIR/other/ch2" ]
	[ ! -e "$SP/ch2" ]
}

# --- --create, --history ---------------------------------------------------------

@test "--create: creates the channel and exits, printing nothing; again is fine" {
	run --separate-stderr pub --create ch
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ -d "$SP/ch" ] && [ -p "$SP/ch/fifo" ] && [ -d "$SP/ch/incoming" ] && [ -d "$SP/ch/log" ]
	run --separate-stderr pub --create ch
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	# exists, empty: a stream gets no events (not a 404)
	replay ch 0
	expect_events
	grep -q '^: ' "$BATS_TEST_TMPDIR/body"
}

@test "--create --history N: only the last N are kept, an old id gets an sse-gap" {
	local i

	pub --create --history 5 ch
	for ((i = 1; i <= 15; i++)); do
		printf 'data: e%d\n\n' "$i"
	done | pub --raw ch >/dev/null
	replay ch 0
	expect_events '- sse-gap 0 11' '11 message e11' '12 message e12' '13 message e13' \
		'14 message e14' '15 message e15'
	# exactly one below the oldest: no gap
	replay ch 10
	expect_events '11 message e11' '12 message e12' '13 message e13' '14 message e14' '15 message e15'
}

@test "--history does not change an existing channel" {
	local i

	pub --create --history 3 ch
	pub --create --history 100 ch
	for ((i = 1; i <= 6; i++)); do pub ch "e$i" >/dev/null; done
	replay ch 3
	expect_events '4 message e4' '5 message e5' '6 message e6'
}

# --- --raw ------------------------------------------------------------------------

@test "--raw: many events, one id per event, in order" {
	local i

	for ((i = 1; i <= 50; i++)); do
		printf 'event: n\ndata: v%d\n\n' "$i"
	done >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr pub --raw ch <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 50 ]
	increasing "${lines[@]}"
	replay ch 0
	events >"$BATS_TEST_TMPDIR/got"
	for ((i = 1; i <= 50; i++)); do echo "${lines[i - 1]} n v$i"; done >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "--raw: framing (CRLF, CR, comments, unknown lines, field alone, retry, id ignored, no data dropped)" {
	{
		printf '\357\273\277event: a\r\ndata: crlf\r\n\r\n'        # 1: BOM dropped, CRLF
		printf 'data: cr1\rdata: cr2\r\r'                         # 2: CR
		printf ': a comment\ndata: x\n: another\n\n'              # 3: comments dropped
		printf 'foo: bar\ndata: y\nplain line\n\n'                # 4: unknown lines are data
		printf 'data\n\n'                                         # 5: field alone: empty data
		printf 'event\ndata:nospace\n\n'                          # 6: event alone: message
		printf 'retry: 3000\ndata: r\n\n'                         # 7: retry travels
		printf 'retry: soon\ndata: s\n\n'                         # 8: bad retry ignored
		printf 'id: 999\ndata: i\n\n'                             # 9: id ignored
		printf 'event: nodata\n\n'                                # dropped: no data
		printf ': only a comment\n\n'                             # dropped
		printf '\n\n\n'                                           # blank lines: nothing
		printf 'data:\n\n'                                        # 10: empty data line counts
		printf 'event: last\ndata: eof'                           # 11: ended by end of input
	} >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr pub --raw ch <"$BATS_TEST_TMPDIR/in"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 11 ]
	increasing "${lines[@]}"
	replay ch 0
	expect_events '1 a crlf' '2 message cr1\ncr2' '3 message x' '4 message foo: bar\ny\nplain line' \
		'5 message ' '6 message nospace' '7 message r' '8 message s' '9 message i' '10 message ' \
		'11 last eof'
	# retry: only with the event that gave digits
	grep -c '^retry: ' "$BATS_TEST_TMPDIR/body" | grep -qx 1
	grep -B1 -A1 '^retry: 3000$' "$BATS_TEST_TMPDIR/body" | grep -q '^data: r$'
	[ "$(grep -c 999 "$BATS_TEST_TMPDIR/body")" -eq 0 ]
}

@test "--raw --event NAME: the type of events without event:" {
	printf 'data: a\n\nevent: own\ndata: b\n\n' | pub --raw --event dflt ch >/dev/null
	replay ch 0
	expect_events '1 dflt a' '2 own b'
}

@test "--raw: an event over SSE_MAX_EVENT in the middle is refused with one line, exit 2, the others published" {
	local big

	big=$(printf 'y%.0s' {1..200})
	printf 'data: first\n\ndata: %s\ndata: more\n\ndata: last\n\n' "$big" >"$BATS_TEST_TMPDIR/in"
	SSE_MAX_EVENT=64 run --separate-stderr pub --raw ch <"$BATS_TEST_TMPDIR/in"
	echo "status=$status out=[$output] err=[$stderr]"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	increasing "${lines[@]}"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "sse-publish: "*SSE_MAX_EVENT* ]]
	replay ch 0
	expect_events "${lines[0]} message first" "${lines[1]} message last"
}

@test "--raw: empty input publishes nothing, exit 0" {
	run --separate-stderr pub --raw ch </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	[ -d "$SP/ch" ]
}

# --- SSE_MAX_EVENT and DATA ---------------------------------------------------------

@test "SSE_MAX_EVENT bounds DATA and stdin: at the limit fine, one byte over refused (exit 2, one line)" {
	local ok over

	ok=$(printf 'z%.0s' {1..64})
	over=${ok}z
	SSE_MAX_EVENT=64 run --separate-stderr pub ch "$ok"
	[ "$status" -eq 0 ]
	SSE_MAX_EVENT=64 run --separate-stderr pub ch "$over"
	one_error 2 SSE_MAX_EVENT
	# stdin: the dropped trailing newline does not count
	SSE_MAX_EVENT=64 run --separate-stderr pub ch <<<"$ok"
	[ "$status" -eq 0 ]
	SSE_MAX_EVENT=64 run --separate-stderr pub ch <<<"$over"
	one_error 2 SSE_MAX_EVENT
	printf '%s' "$over$over$over$over" >"$BATS_TEST_TMPDIR/in"
	SSE_MAX_EVENT=64 run --separate-stderr pub ch <"$BATS_TEST_TMPDIR/in"
	one_error 2 SSE_MAX_EVENT
	replay ch 0
	expect_events "1 message $ok" "2 message $ok"
}

# --- never blocks, channel creation ------------------------------------------------------

@test "never blocks: no stream reading the fifo, publish returns at once with an id" {
	local t0 t1

	pub --create ch
	t0=$(date +%s%N)
	run --separate-stderr timeout 5 "$PUB" --spool "$SP" ch "nobody reads"
	t1=$(date +%s%N)
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+$ ]]
	[ $(((t1 - t0) / 1000000)) -lt 2000 ]
	printf 'data: a\n\ndata: b\n\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr timeout 5 "$PUB" --spool "$SP" --raw ch <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	# and a stdin that never ends is not what blocks it: DATA does not read stdin
	mkfifo "$BATS_TEST_TMPDIR/never"
	run --separate-stderr timeout 5 "$PUB" --spool "$SP" ch "x" 0<>"$BATS_TEST_TMPDIR/never"
	[ "$status" -eq 0 ]
}

@test "first publish creates the channel: fifo, incoming/, log/; modes without world write (umask 022 and 077)" {
	local m

	for m in 022 077 000; do
		rm -rf "$SP" && mkdir "$SP"
		(umask "$m" && "$PUB" --spool "$SP" ch x >/dev/null)
		[ -d "$SP/ch" ] && [ -p "$SP/ch/fifo" ] && [ -d "$SP/ch/incoming" ] && [ -d "$SP/ch/log" ]
		[ "$(stat -c %a "$SP/ch")" = 2775 ]
		[ "$(stat -c %a "$SP/ch/incoming")" = 2775 ]
		[ "$(stat -c %a "$SP/ch/log")" = 2775 ]
		[ "$(stat -c %a "$SP/ch/fifo")" = 660 ]
		find "$SP/ch" -type d ! -perm 2775 -printf 'bad dir mode %m %p\n' >"$BATS_TEST_TMPDIR/bad"
		find "$SP/ch" -type f ! -perm 664 -printf 'bad file mode %m %p\n' >>"$BATS_TEST_TMPDIR/bad"
		find "$SP/ch" -perm -o+w -printf 'world-writable %m %p\n' >>"$BATS_TEST_TMPDIR/bad"
		cat "$BATS_TEST_TMPDIR/bad" >&2
		[ ! -s "$BATS_TEST_TMPDIR/bad" ]
		# nothing left behind by the creation (temporary names)
		[ "$(ls -A "$SP")" = ch ]
	done
}

@test "--raw: 55296 six-byte events ('data' alone + blank line) in one read, one id each" {
	awk 'BEGIN { for (i = 0; i < 55296; i++) printf "data\n\n" }' > "$BATS_TEST_TMPDIR/six"
	run "$PUB" --spool "$SP" --raw ch < "$BATS_TEST_TMPDIR/six"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 55296 ]
	[ "${lines[55295]}" -eq 55296 ]
}

# The Python recipe of doc/publishing.md, as printed there, against a spool of ours.
@test "doc/publishing.md: the Python producer recipe publishes and drops as it says" {
	local dir

	sed -n '/^```python$/,/^```$/p' "$TOP/doc/publishing.md" | sed '1d;$d' | sed "s|/srv/sse|$SP|g" >"$BATS_TEST_TMPDIR/recipe.py"
	[ -s "$BATS_TEST_TMPDIR/recipe.py" ]
	pub --create news
	run env PATH="$(dirname "$PUB"):$PATH" python3 -c "
exec(open('$BATS_TEST_TMPDIR/recipe.py').read())
print(publish('news', 'one', 'tick'))
print(publish('news', 'two'))
drop('news', 'a\nb')"
	[ "$status" = 0 ]
	[ "$output" = $'1\n2' ]
	dir=$SP/news/incoming
	[ "$(ls -A "$dir" | grep -c '^\.')" = 0 ]
	[ "$(cat "$dir"/*)" = $'data: a\ndata: b' ]
}
