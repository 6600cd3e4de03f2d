#!/usr/bin/env bats
# The PHP producer recipe of doc/publishing.md ("Producer recipes"), run as
# printed with php-cli (only the spool path replaced): what it publishes
# reaches the log in order, and every way it can fail is reported, never
# claimed as published, and leaves no file behind. Events are read back
# through sse.cgi run directly with a CGI environment (no web server).

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
	command -v php >/dev/null || {
		echo "php-cli is not installed: scripts/test.sh installs it (apt-get install php-cli)" >&2
		return 1
	}
	T=$BATS_TEST_TMPDIR
	# Not under bats' own directories, which other users cannot enter.
	SP=$(mktemp -d "${TMPDIR:-/tmp}/sse-php.XXXXXX")
	chmod 755 "$SP"
	"$PUB" --spool "$SP" --create news
	DIR=$SP/news/incoming
	sed -n '/^```php$/,/^```$/p' "$TOP/doc/publishing.md" | sed '1d;$d' | sed "s|/srv/sse|$SP|g" >"$T/recipe.php"
	[ -s "$T/recipe.php" ]
	chmod 644 "$T/recipe.php"
	cp "$T/recipe.php" "$SP/recipe.php"
	HOLDER=
}

teardown() {
	if [ -n "$HOLDER" ]; then
		kill -TERM "$HOLDER" 2>/dev/null
		wait "$HOLDER" 2>/dev/null || true
	fi
	chmod -R u+w "$SP" 2>/dev/null
	rm -rf "$SP"
}

# drop [CMD...] -- PHP: runs PHP code (after the recipe is loaded) under
# CMD (a user, a fault), at most 20 s; its status and output in $status,
# $output. Through a pipe: a file size limit must hit only the drop-box.
drop() {
	local -a cmd=()

	while [ "$1" != -- ]; do cmd+=("$1"); shift; done
	shift
	printf '<?php\nrequire "%s/recipe.php";\n%s\n' "$SP" "$1" >"$SP/driver.php"
	chmod 644 "$SP/driver.php"
	run bash -c '"$@" 2>&1 | cat; exit "${PIPESTATUS[0]}"' _ timeout 20 "${cmd[@]}" php "$SP/driver.php"
	printf 'status %s, output:\n%s\n' "$status" "$output"
}

# Nothing in the drop-box, dot-files included.
drop_box_empty() {
	[ -z "$(ls -A "$DIR")" ] || { echo "left in $DIR: $(ls -A "$DIR")" >&2; return 1; }
}

# holder: a stream of channel news that takes the drop-box (files renamed in
# while it runs are taken in order); returns once a probe file was taken.
holder() {
	local i

	timeout 30 env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/news \
		SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=20 "$CGI" >"$T/holder.out" 2>"$T/holder.err" 3>&- &
	HOLDER=$!
	printf 'data: probe\n' >"$DIR/probe"
	for ((i = 0; i < 100; i++)); do
		[ -e "$DIR/probe" ] || return 0
		sleep 0.05
	done
	echo "the stream did not take the drop-box within 5 s:" >&2
	cat "$T/holder.err" >&2
	return 1
}

# replay: every event of channel news into $T/body (sse.cgi resuming from 0).
replay() {
	timeout 10 env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/news \
		SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID=0 "$CGI" >"$T/body.raw" 2>"$T/body.err"
	[ ! -s "$T/body.err" ] || { cat "$T/body.err" >&2; return 1; }
	sed -e '1,/^\r$/d' "$T/body.raw" >"$T/body"
}

@test "PHP recipe: events reach the log in order, with their names and every line of their data" {
	local i

	holder
	drop -- 'sse_drop("news", "one");
sse_drop("news", "two\nlines", "tick");
sse_drop("news", "crlf\r\nand\rcr\n", "notice");
sse_drop("news", "");
echo "done\n";'
	[ "$status" = 0 ]
	[ "$output" = done ]
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ls -A "$DIR")" ] || break
		sleep 0.05
	done
	drop_box_empty
	replay
	expect_events_of "$T/body" \
		'1 message probe' \
		'2 message one' \
		'3 tick two\nlines' \
		'4 notice crlf\nand\ncr\n' \
		'5 message '
}

@test "PHP recipe: a typo'd channel throws, naming it and sse-publish --create, and creates nothing" {
	drop -- 'sse_drop("nwes", "hello", "tick"); echo "published\n";'
	[ "$status" != 0 ]
	[[ "$output" == *"RuntimeException: sse_drop: no channel 'nwes' ($SP/nwes/incoming is missing): check the name, or create it with sse-publish --create nwes"* ]]
	[[ "$output" != *published* ]]
	[ "$(cd "$SP" && ls -d */)" = news/ ]
	drop_box_empty
}

@test "PHP recipe: bad channel names and event names with CR or LF are refused before anything is written" {
	drop -- 'foreach ([[".news", "x", null], ["a/b", "x", null], ["../news", "x", null], ["", "x", null],
	  [str_repeat("a", 65), "x", null], ["news\n", "x", null], ["news", "x", "a\nb"], ["news", "x", "a\rb"],
	  [str_repeat("a", 64), "x", null]] as [$c, $d, $e]) {
	try { sse_drop($c, $d, $e); echo "published\n"; }
	catch (Exception $x) { echo get_class($x), ": ", $x->getMessage(), "\n"; }
}'
	[ "$status" = 0 ]
	[ "$(grep -c "^InvalidArgumentException: sse_drop: bad channel name '" <<<"$output")" = 6 ]
	[ "$(grep -c '^InvalidArgumentException: sse_drop: an event name cannot hold CR or LF$' <<<"$output")" = 2 ]
	# 64 characters is a good name: that channel just does not exist
	[ "$(grep -c "^RuntimeException: sse_drop: no channel 'aaaa" <<<"$output")" = 1 ]
	[[ "$output" != *published* ]]
	[ "$(cd "$SP" && ls -d */)" = news/ ]
	drop_box_empty
}

@test "PHP recipe: a drop-box it may not write (as an unprivileged user) throws with the reason" {
	local -a as=()

	chmod 555 "$DIR"
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "root without setpriv"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	drop "${as[@]}" -- 'sse_drop("news", "hello"); echo "published\n";'
	[ "$status" != 0 ]
	[[ "$output" == *"RuntimeException: sse_drop: cannot publish to 'news': file_put_contents($DIR/.php-"*"Permission denied"* ]]
	[[ "$output" != *published* ]]
	drop_box_empty
}

@test "PHP recipe: a failing rename throws and removes its dot-file" {
	command -v strace >/dev/null || skip "no strace"
	drop strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:error=EACCES -- 'sse_drop("news", "hello"); echo "published\n";'
	[ "$status" != 0 ]
	[[ "$output" == *"RuntimeException: sse_drop: cannot publish to 'news': rename($DIR/.php-"*"Permission denied"* ]]
	[[ "$output" != *published* ]]
	drop_box_empty
}

@test "PHP recipe: a short write (file size limit, as on a full disk) throws and removes its dot-file" {
	command -v prlimit >/dev/null || skip "no prlimit"
	# SIGXFSZ ignored (inherited across exec): the write fails instead
	drop bash -c 'trap "" XFSZ; exec "$@"' _ prlimit --fsize=10 -- 'sse_drop("news", "hello, a little more than ten bytes"); echo "published\n";'
	[ "$status" != 0 ]
	[[ "$output" == *"RuntimeException: sse_drop: cannot publish to 'news': file_put_contents(): Only 10 of"*"bytes written"* ]]
	[[ "$output" != *published* ]]
	drop_box_empty
}
