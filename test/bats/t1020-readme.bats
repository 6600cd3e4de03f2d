#!/usr/bin/env bats
# The README's first hour, as printed: its configuration snippets are lines
# of the configurations the suite runs against the real servers (test/conf/),
# and its first commands do what it says they do.

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	B=${SSE_BUILD:-build}
	case $B in /*) ;; *) B=$TOP/$B ;; esac
	T=$BATS_TEST_TMPDIR
	OPEN=
}

teardown() {
	[ -z "$OPEN" ] || { pkill -TERM -f -- "--listen unix:$OPEN/run/sse/sse-fcgi.sock"; rm -rf "$OPEN"; }
	return 0
}

# snippet_in LABEL TEMPLATE: the code block after the README line starting
# with LABEL; each of its lines (comments and blank lines aside) must match
# a line of TEMPLATE, whose @PLACEHOLDERS@ stand for any value.
snippet_in() {
	python3 - "$TOP/README.md" "$1" "$TOP/test/conf/$2" <<'PY'
import re, sys
readme, label, tpl = sys.argv[1:]
text = open(readme).read().split("\n")
start = next(i for i, l in enumerate(text) if l.startswith(label))
fence = next(i for i in range(start, len(text)) if text[i].startswith("```"))
end = next(i for i in range(fence + 1, len(text)) if text[i].startswith("```"))
def norm(l):
    l = re.sub(r"\s+#.*$", "", l) if not l.lstrip().startswith("SetEnv") else l
    l = l.replace(" += ", " = ")  # lighttpd: added to the modules a distribution loads
    return re.sub(r"\s+", " ", l.strip())
# A lighttpd list written over several lines is one line of the README.
def join(m):
    items = [i.strip().rstrip(",") for i in m.group(1).split("\n")]
    return "( " + ", ".join(i for i in items if i and "@SSE_ENV@" not in i) + " )"
template = re.sub(r"\(\n(.*?)\n\)", join, open(tpl).read(), flags=re.S)
pats = []
for l in template.split("\n"):
    l = norm(l)
    if not l or l.startswith("#") or "@SSE_ENV@" in l:
        continue
    parts = re.split(r"@[A-Z_]+@", l)
    pats.append(re.compile(".*".join(re.escape(p) for p in parts) + r"s?"))
bad = []
lines = [norm(l) for l in text[fence + 1:end]]
# What @SSE_ENV@ stands for: a setting of the table, in the server's form
# (its own line, or a further item of a lighttpd list).
env_line = re.compile(r'(SetEnv|fastcgi_param) "?SSE_[A-Z_]+"? .*')
for l in lines:
    if not l or l.startswith("#"):
        continue
    if env_line.fullmatch(l):
        continue
    l = re.sub(r', "SSE_[A-Z_]+" => "[^"]*"', "", l)
    # a path or value that differs only in quoting
    if not any(p.fullmatch(l) or p.fullmatch(l.replace('"', "")) or p.fullmatch(re.sub(r'(\S+)$', r'"\1"', l))
               for p in pats):
        bad.append(l)
if not [l for l in lines if l and not l.startswith("#")]:
    sys.exit("no snippet after %r" % label)
if bad:
    sys.exit("not in %s:\n  %s" % (tpl, "\n  ".join(bad)))
print("%d lines of the README's snippet are in %s" % (len(lines), tpl))
PY
}

@test "README: the shared-host .htaccess is the tested test/conf/htaccess (no-gzip and no-brotli included)" {
	run snippet_in '**Shared host (Apache, `.htaccess`)**' htaccess
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	grep -q '^SetEnv no-gzip 1$' "$TOP/README.md"
	grep -q '^SetEnv no-brotli 1$' "$TOP/README.md"
}

@test "README: the lighttpd + sse.cgi snippet is lines of test/conf/lighttpd-cgi.conf.in" {
	run snippet_in '**lighttpd + `sse.cgi`**' lighttpd-cgi.conf.in
	printf '%s\n' "$output"
	[ "$status" = 0 ]
}

@test "README: the Mercure hub's snippets are lines of the tested configurations" {
	run snippet_in '**Hub: shared host (Apache, `.htaccess`)**' htaccess
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	run snippet_in '**Hub: lighttpd + `sse.cgi`**' lighttpd-cgi.conf.in
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	run snippet_in '**Hub: nginx + `sse-fcgi`**' nginx-fcgi.conf.in
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	# the hub's tests run against these (hub-behaviour.bash)
	grep -q 'load hub-behaviour' "$TOP/test/bats/t2100-lighttpd-cgi.bats"
	grep -q 'load hub-behaviour' "$TOP/test/bats/t2300-apache-htaccess.bats"
	grep -q 'load hub-behaviour' "$TOP/test/bats/t2600-nginx-fcgi.bats"
}

@test "README: the nginx + sse-fcgi snippet is lines of test/conf/nginx-fcgi.conf.in" {
	run snippet_in "and in nginx's \`server\` block" nginx-fcgi.conf.in
	printf '%s\n' "$output"
	[ "$status" = 0 ]
}

# The pool's start as printed (as root: it runs the pool as www-data), with
# our own directories: the socket appears, owned by www-data, and serves.
@test "README: the nginx path's pool start makes its socket directory and serves as www-data" {
	local run sp i

	[ "$(id -u)" = 0 ] || skip "needs root (runs the pool as www-data)"
	# not under the test's own directory: www-data must reach it
	OPEN=$(mktemp -d /tmp/sse-readme.XXXXXX) && chmod 755 "$OPEN"
	run=$OPEN/run/sse sp=$OPEN/srv/sse
	mkdir -p "$OPEN/srv" "$OPEN/run"
	install -d -g www-data -m 2775 "$sp"
	"$B/sse-publish" --spool "$sp" --create news
	awk '/^\*\*nginx \+ `sse-fcgi`\*\*/ { f = 1 } f && /^```sh$/ { p = 1; next } p && /^```$/ { exit } p' "$TOP/README.md" |
		sed "s|/run/sse|$run|g; s|/srv/sse|$sp|g; s|-- sse-fcgi|-- $B/sse-fcgi|" >"$T/pool.sh"
	[ "$(wc -l <"$T/pool.sh")" = 2 ]
	bash -e "$T/pool.sh" 2>"$T/pool.err"
	for ((i = 0; i < 50; i++)); do [ -S "$run/sse-fcgi.sock" ] && break; sleep 0.1; done
	[ -S "$run/sse-fcgi.sock" ] || { cat "$T/pool.err"; return 1; }
	[ "$(stat -c %U "$run")" = www-data ] && [ "$(stat -c %U "$run/sse-fcgi.sock")" = www-data ]
	run "$B/test/fcgiclient" -t 0.5 "unix:$run/sse-fcgi.sock" REQUEST_METHOD=GET PATH_INFO=/news HTTP_LAST_EVENT_ID=0
	[[ $output == "Status: 200"* ]] || { echo "$output"; cat "$T/pool.err"; return 1; }
}

# Step 1 as printed, with a spool of ours: the spool does not exist yet.
@test "README: step 1 makes the spool and the channel, and the first publish prints id 1" {
	local sp=$T/srv/sse

	mkdir -p "$T/srv"
	sed -n '/^### 1\. The spool and a channel/,/^### 2/p' "$TOP/README.md" |
		sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' | sed "s|/srv/sse|$sp|g; s|^sse-publish|$B/sse-publish|" >"$T/step1.sh"
	[ "$(wc -l <"$T/step1.sh")" = 2 ]
	run bash -e "$T/step1.sh"
	printf '%s\n' "$output"
	[ "$status" = 0 ]
	[ "$output" = 1 ]
	[ -p "$sp/news/fifo" ]
	[ -d "$sp/news/incoming" ]
}

@test "README: the two commands it starts with exist and are the ones CI runs" {
	awk '/^```/ { if (n++) exit; next } n' "$TOP/README.md" >"$T/cmds"
	grep -q '^sudo scripts/demo.sh ' "$T/cmds"
	grep -q '^sudo scripts/test.sh ' "$T/cmds"
	[ -x "$TOP/scripts/demo.sh" ] && [ -x "$TOP/scripts/test.sh" ]
	grep -q 'scripts/test.sh"$' "$TOP/.ci/run"
}

# The doctor's stdin form asks as a browser does; every page that shows it
# gives the header sse-doctor --help gives (t_doctor_ok runs that one).
@test "README, doc/troubleshooting.md, man sse-doctor: the https form sends the Accept-Encoding of sse-doctor --help" {
	local ae f

	ae=$("$B/sse-doctor" --help | sed -n "s/.*-H '\(Accept-Encoding: [^']*\)'.*/\1/p")
	[ -n "$ae" ]
	for f in README.md doc/troubleshooting.md doc/man/sse-doctor.1; do
		grep -q -- "-H '$ae'" "$TOP/$f" || { echo "$f lacks -H '$ae'"; return 1; }
		[ "$(grep -c "curl -sN --raw" "$TOP/$f")" = "$(grep -c "curl -sN --raw.*-H '$ae'" "$TOP/$f")" ] ||
			{ echo "$f: a curl form without it"; grep -n "curl -sN --raw" "$TOP/$f"; return 1; }
	done
}
