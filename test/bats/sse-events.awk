# An event stream body -> one line per dispatched event: "ID EVENT DATA"
# (ID "-" when absent, EVENT "message" when absent, data lines joined by a
# literal "\n"). Comments and retry: lines are skipped; any other line is
# reported as unexpected and fails (exit 1). Used by the bats suites.
/^:/ { next }
/^$/ {
	if (has) print (id == "" ? "-" : id), (ev == "" ? "message" : ev), data
	id = ""; ev = ""; data = ""; has = 0; next
}
/^id: / { id = substr($0, 5); next }
/^event: / { ev = substr($0, 8); next }
/^retry: / { next }
/^data: / { data = (has ? data "\\n" : "") substr($0, 7); has = 1; next }
/^data$/ { data = (has ? data "\\n" : ""); has = 1; next }
{ print "unexpected line: " $0; exit 1 }
