# Reading event streams in the bats suites: one place for what the three
# families (sse.cgi direct, sse-publish, web servers) check.

# events_of FILE: the stream's events, one per line "ID EVENT DATA" (ID "-"
# when absent, EVENT "message" when absent, data lines joined by "\n", NUL
# shown as @); a line that is no field fails.
events_of() {
	tr '\0' '@' <"$1" | awk -f "$BATS_TEST_DIRNAME/sse-events.awk"
}

# expect_events_of FILE LINES...: FILE holds exactly these events.
expect_events_of() {
	local file=$1

	shift
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi >"$file.want"
	events_of "$file" >"$file.got"
	diff -u "$file.want" "$file.got" >&2 || {
		echo "events of $file differ (- expected, + received); body:" >&2
		cat "$file" >&2
		return 1
	}
}
