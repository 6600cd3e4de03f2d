#!/usr/bin/env bats
# A spool made by 0.2 (test/fixtures/spool-0.2.tar: sse-publish 0.2.0, the
# last commit with VERSION = 0.2.0, built from git history once) works with
# the current programs: its channel logs (version 1) are read as they are,
# marked version 2 by their first open, and take events with and without
# topics (lib/README.md, "Version 2: metadata records, and logs of 0.2 and
# 0.3"). Its channels:
#   news   history 8, ids 1..5: "hello from 0.2"; an "update" event of
#          four data lines (one empty); a "tick" event with retry: 2500;
#          two data lines "a" "b"; "last of 0.2"
#   quiet  history 8, no event
# The fixture's header holds the boot id of the machine that made it: each
# test writes the one it wants (this boot: an upgrade without a restart;
# another: an upgrade after one, with its recovery).

bats_require_minimum_version 1.5.0

load events

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	CGI=$B/sse.cgi LT=$B/test/logtool
	[ -x "$CGI" ] && [ -x "$LT" ] || {
		echo "no $CGI or $LT: run make O=${SSE_BUILD:-build} tests first" >&2
		return 1
	}
	T=$BATS_TEST_TMPDIR
	SP=$T/spool
	mkdir -p "$SP"
	tar -xf "$TOP/test/fixtures/spool-0.2.tar" -C "$SP"
}

pub() {
	"$B/sse-publish" --spool "$SP" "$@"
}

# boot CHANNEL this|other: the boot id in the log's header (offset 80, after
# magic, version, sizes and six 64-bit fields: lib/log_layout.h).
boot() {
	local id

	id=$(head -c 36 /proc/sys/kernel/random/boot_id)
	[ "$2" = other ] && id=$(printf '%36s' '' | tr ' ' '?')
	printf '%s' "$id" | dd of="$SP/$1/log/index" bs=1 seek=80 conv=notrunc status=none
}

# version CHANNEL: the log's format version (a 32-bit field at offset 8).
version() {
	od -A n -t u4 -j 8 -N 4 "$SP/$1/log/index" | tr -d ' '
}

# stream [NAME=value...]: sse.cgi on a channel or the hub for 1 s; $T/body
# the stream after the head, $T/err its stderr.
stream() {
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 \
		SCRIPT_NAME=/sse.cgi SSE_SPOOL_DIR="$SP" SSE_MAX_LIFETIME=1 \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
		"$@" timeout 10 "$CGI" >"$T/out" 2>"$T/err"
	sed '1,/^\r$/d' "$T/out" >"$T/body"
}

OLD=('1 message hello from 0.2' '2 update line one\nline two\n\nafter a blank line'
	'3 tick with a retry' '4 message a\nb' '5 message last of 0.2')

@test "a 0.2 spool: a stream replays its events with their ids, and the log is version 2 once opened" {
	boot news this
	[ "$(version news)" = 1 ]
	stream PATH_INFO=/news HTTP_LAST_EVENT_ID=0
	cat "$T/out" "$T/err"
	expect_events_of "$T/body" "${OLD[@]}"
	# the event's own retry, as 0.2 formatted it
	tr '\n' '~' <"$T/body" | grep -q -F '~id: 3~event: tick~retry: 2500~data: with a retry~~'
	[ ! -s "$T/err" ]
	[ "$(version news)" = 2 ]
	# a channel is marked when it is opened, not the whole spool
	[ "$(version quiet)" = 1 ]
	# lastEventId in the query, from the middle
	stream PATH_INFO=/news QUERY_STRING=lastEventId=3
	expect_events_of "$T/body" "${OLD[@]:3}"
}

@test "a 0.2 log takes new events with the next ids" {
	boot news this
	boot quiet this
	run -0 pub news 'from 0.3'
	[ "$output" = 6 ]
	run -0 pub --raw news <<<$'event: more\ndata: x\n\ndata: y\n'
	[ "$output" = $'7\n8' ]
	run -0 pub quiet 'first'
	[ "$output" = 1 ]
	[ "$(version quiet)" = 2 ]
	stream PATH_INFO=/news HTTP_LAST_EVENT_ID=4
	expect_events_of "$T/body" "${OLD[4]}" '6 message from 0.3' '7 more x' '8 message y'
}

@test "a 0.2 log after a restart: recovered like any other, ids resume above the reserved ones" {
	boot news other
	stream PATH_INFO=/news HTTP_LAST_EVENT_ID=0
	expect_events_of "$T/body" "${OLD[@]}"
	cat "$T/err"
	[ "$(cat "$T/err")" = "sse.cgi: recovered channel log '$SP/news/log/index' after a system restart: 5 of 5 retained events intact, ids resume at 4097" ]
	run -0 pub news 'after the restart'
	[ "$output" = 4097 ]
	[ "$(version news)" = 2 ]
}

@test "events with topics in a 0.2 log: the channel sends them without their record and never a private one; the hub finds them by topic" {
	boot news this
	# logtool's tag M (test/tools/metarule.h): seq 0 plain, 1 one topic
	# (https://example.com/M/1, a generated hub id), 2 private
	run -0 "$LT" publish "$SP" news M 3
	[ "${lines[*]}" = "ack 6 M 0 ack 7 M 1 ack 8 M 2" ]
	stream PATH_INFO=/news HTTP_LAST_EVENT_ID=5
	events_of "$T/body" >"$T/ev"
	cat "$T/ev"
	[ "$(cut -d' ' -f1-4 "$T/ev")" = $'6 message M 0\n7 message M 1' ]
	stream SSE_HUB=news SSE_ANONYMOUS=1 QUERY_STRING='topic=https%3A%2F%2Fexample.com%2FM%2F1&lastEventID=earliest'
	events_of "$T/body" >"$T/ev"
	cat "$T/ev"
	[[ $(cut -d' ' -f1-4 "$T/ev") =~ ^urn:uuid:[0-9a-f-]{36}\ message\ M\ 1$ ]]
}

@test "sse-publish --topic into a 0.2 log: the hub sends the event by its topic and id" {
	"$B/sse-publish" --help | grep -q -e '--topic' || skip "sse-publish has no --topic yet"
	boot news this
	run -0 pub --topic https://example.com/books/1 --id urn:book:1 news 'a book'
	[ "$output" = 6 ]
	stream SSE_HUB=news SSE_ANONYMOUS=1 QUERY_STRING='topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&lastEventID=earliest'
	expect_events_of "$T/body" 'urn:book:1 message a book'
	stream PATH_INFO=/news HTTP_LAST_EVENT_ID=5
	expect_events_of "$T/body" '6 message a book'
}

@test "a log of a later version than this one reads is refused with a line that says so" {
	cp -a "$SP/news" "$SP/later"
	printf '\003\000\000\000' | dd of="$SP/later/log/index" bs=1 seek=8 conv=notrunc status=none
	v=$("$CGI" --version | sed 's/^sse.cgi //')
	run -1 pub later 'x'
	[ "$output" = "sse-publish: '$SP/later/log/index' is a channel log of version 3, newer than sse-cgi $v reads (up to 2): upgrade every program that uses the spool to the release that wrote it" ]
	# a stream: a 500, the same line in the error log
	stream PATH_INFO=/later
	head -n 1 "$T/out" | grep -q '^Status: 500 '
	[ "$(cat "$T/err")" = "sse.cgi: '$SP/later/log/index' is a channel log of version 3, newer than sse-cgi $v reads (up to 2): upgrade every program that uses the spool to the release that wrote it" ]
	# and nothing was changed
	[ "$(version later)" = 3 ]
}
