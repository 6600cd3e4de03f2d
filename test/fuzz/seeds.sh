#!/bin/bash
# Makes the seed corpora test/fuzz/corpus/TARGET/ from real inputs: producer
# input as sse-publish --raw and the fifo take it, requests as a web server
# gives them, FastCGI connections recorded from test/tools/fcgiclient, and
# channel logs written by sse-publish (then damaged in typical ways), and
# hub forms, queries and cookies as publishers and browsers send them. The
# seeds are committed; run this again (from the top of the tree, after
# `make tests`) when the formats change.
# usage: bash test/fuzz/seeds.sh [BUILD]   (default: $SSE_BUILD or build)
set -eu
cd "$(dirname "$0")/../.."
B=${1:-${SSE_BUILD:-build}}
C=test/fuzz/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rm -rf "$C"
mkdir -p "$C/parse" "$C/request" "$C/fcgi" "$C/log" "$C/peer" "$C/form"
n=0
seed() { # TARGET: stdin -> one seed, named by its number
	n=$((n + 1))
	cat > "$C/$1/seed-$(printf %03d $n)"
}

# --- parse: byte 0 picks the largest event (and BOM), byte 1 the feeds.
parse() { seed parse < <(printf "\\x$1\\x$2"; printf '%b' "$3"); }
parse 00 01 'data: hello\n\n'
parse 05 02 'data: one\n\ndata: two\n\n'
parse 05 03 'event: update\ndata: {"a":1}\n\n'
parse 05 04 'event: message\ndata: x\n\n'
parse 05 05 'retry: 3000\ndata: slow\n\n'
parse 05 06 'retry: 99999999999999999999999\ndata: bad retry\n\n'
parse 05 07 'retry:\ndata: empty retry\n\n'
parse 05 08 'data: line 1\ndata: line 2\ndata:\ndata:  spaced\n\n'
parse 05 09 'data: crlf\r\ndata: lines\r\n\r\n'
parse 05 0a 'data: cr\rdata: only\r\r'
parse 05 0b ': a comment\ndata: after\n\n'
parse 05 0c 'id: 42\ndata: producer ids are ignored\n\n'
parse 05 0d 'plain text line\nwith a colon: here\n\n'
parse 05 0e '\xef\xbb\xbfdata: after a BOM\n\n'
parse 85 0f '\xef\xbb\xbfdata: BOM kept\n\n'
parse 05 10 'data: no blank line at the end'
parse 05 11 '\n\n\ndata: after blank lines\n\n\n'
parse 00 12 'data: 0123456789abcdef0123456789\n\ndata: fits\n\n'
parse 00 13 'event: a-rather-long-event-name\ndata: x\n\n'
parse 01 14 'data: 0123456789abcdef\r\n\r\ndata: next\r\n\r\n'
parse 00 15 ':comment\n:comment\n:comment\n:comment\n:comment\n:comment\ndata: y\n\n'
parse 05 16 'event: a\nevent: b\ndata: last name wins\n\n'
parse 05 17 'event:\ndata: empty name\n\n'
parse 05 18 'data\n\n'
parse 05 19 'data:\n\n'
parse 05 1a 'data: nul \x00 inside\n\n'
parse 05 1b 'data: tab\there\xc3\xa9\n\n'
parse 03 1c 'data: many\ndata: lines\ndata: a\ndata: b\ndata: c\n\nevent: e\ndata: f\nretry: 10\n\n'
parse 05 ff 'data: {"price": 101.5, "sym": "ABC"}\n\ndata: {"price": 101.7, "sym": "ABC"}\n\n'

# --- request: METHOD, PATH_INFO, QUERY_STRING, Last-Event-ID, Origin, then
# settings (a byte: which one, in sse_setting_table's order, and the value).
req() { seed request < <(printf '%b' "$1"); }
req 'GET\0/news\0\0\0'
req 'GET\0\0channel=news\0\0'
req 'GET\0/news\0\0042\0'
req 'GET\0/news\0\0 18446744073709551615 \0'
req 'GET\0/news\0\018446744073709551616\0'
req 'GET\0/news\0lastEventId=17\0\0'
req 'GET\0\0channel=a.b_c-d&lastEventId=5\0\0'
req 'HEAD\0/news\0\0\0'
req 'POST\0/news\0\0\0'
req 'OPTIONS\0/news\0\0\0https://example.org\0\x08https://example.org https://b.example'
req 'GET\0/news\0\0\0https://example.org\0\x08https://example.org'
req 'GET\0/news\0\0\0https://evil.example\0\x08https://example.org'
req 'GET\0/news\0\0\0https://any.example\0\x08*'
req 'GET\0/news\0\0\0https://x.example\r\nSet-Cookie: a=b\0\x08*'
req 'GET\0/\0status\0\0\0\x0a1'
req 'GET\0\0status\0\0\0\x0a0'
req 'GET\0\0probe\0\0'
req 'GET\0\0\0\0'
req 'GET\0/.hidden\0\0\0'
req 'GET\0/a%2Fb\0\0\0'
req 'GET\0\0channel=n%41me%2\0\0'
req 'GET\0\0channel=%00x\0\0'
req 'GET\0/0123456789012345678901234567890123456789012345678901234567890123\0\0\0'
req 'GET\0/01234567890123456789012345678901234567890123456789012345678901234\0\0\0'
req 'GET\0\0a=1;channel=x;lastEventId=9\0\0'
req 'GET\0/news\0\0\0\0\x0b/srv/sse\0\x011000\0\x0265536\0\x030.5\0\x04250\0\x050\0\x06100000\0\x0710000\0\x09\x31\0\x0a1'
req 'GET\0/news\0\0\0\0\x03abc\0\x0399999999\0\x01 12\0\x040.1'
req 'GET\0/news\0\0\0\0\x038.\0\x03.5\0\x031.2345\0\x0218446744073709551617'

# --- fcgi: connections recorded from fcgiclient (what a web server sends).
python3 - "$T/sock" "$T/conn" <<'PY' &
import socket, sys, os
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
for i in range(64):
    c, _ = s.accept()
    c.settimeout(0.4)
    data = b""
    try:
        while True:
            b = c.recv(65536)
            if not b: break
            data += b
    except socket.timeout:
        pass
    c.close()
    if data == b"quit": break
    open("%s.%03d" % (sys.argv[2], i), "wb").write(data)
PY
py=$!
for _ in $(seq 50); do [ -S "$T/sock" ] && break; sleep 0.1; done
fc() { # [-a SEC] NAME=VALUE...
	local o=()
	[ "$1" = -a ] && { o=(-a "$2"); shift 2; }
	timeout 5 "$B/test/fcgiclient" -t 0.5 "${o[@]}" "unix:$T/sock" "$@" > /dev/null 2>&1 || true
}
fc REQUEST_METHOD=GET PATH_INFO=/news
fc REQUEST_METHOD=GET QUERY_STRING=channel=news HTTP_LAST_EVENT_ID=41
fc REQUEST_METHOD=GET PATH_INFO=/news HTTP_ORIGIN=https://example.org SSE_CORS_ORIGINS=https://example.org
fc REQUEST_METHOD=OPTIONS PATH_INFO=/news HTTP_ORIGIN=https://example.org SSE_CORS_ORIGINS=*
fc REQUEST_METHOD=GET QUERY_STRING=status SSE_STATUS=1 SSE_SPOOL_DIR=/srv/sse
fc REQUEST_METHOD=GET QUERY_STRING=probe SERVER_SOFTWARE=nginx/1.22.1
fc REQUEST_METHOD=POST PATH_INFO=/news
fc REQUEST_METHOD=GET PATH_INFO=/news SSE_HEARTBEAT=0.5 SSE_MAX_LIFETIME=60 SSE_RETRY_MS=2000
fc REQUEST_METHOD=GET PATH_INFO=/news SSE_HEARTBEAT=0.01
fc REQUEST_METHOD=GET PATH_INFO=/news SSE_SPOOL_DIR=
fc -a 0.1 REQUEST_METHOD=GET PATH_INFO=/news
fc REQUEST_METHOD=GET PATH_INFO=/news SCRIPT_NAME=/sse SERVER_PROTOCOL=HTTP/1.1 \
	REQUEST_URI=/sse/news GATEWAY_INTERFACE=CGI/1.1 HTTP_ACCEPT=text/event-stream \
	HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64)" HTTP_CACHE_CONTROL=no-cache \
	REMOTE_ADDR=127.0.0.1 REMOTE_PORT=51234 SERVER_NAME=localhost SERVER_PORT=80
printf quit | python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())' "$T/sock"
wait $py
for f in "$T"/conn.*; do seed fcgi < "$f"; done
# Management records and other roles, as libfcgi may meet them.
python3 - "$C/fcgi" <<'PY'
import struct, sys
def rec(t, rid, body=b"", pad=0):
    return struct.pack(">BBHHBB", 1, t, rid, len(body), pad, 0) + body + b"\0" * pad
def nv(n, v):
    return bytes([len(n), len(v)]) + n + v
begin = lambda role, keep=0: rec(1, 1, struct.pack(">HB5x", role, keep))
out = {
    "getvalues": rec(9, 0, nv(b"FCGI_MAX_CONNS", b"") + nv(b"FCGI_MPXS_CONNS", b"")),
    "unknown-type": rec(99, 0, b"\0" * 8),
    "authorizer": begin(2) + rec(4, 1, nv(b"REQUEST_METHOD", b"GET")) + rec(4, 1) + rec(5, 1),
    "filter": begin(3) + rec(4, 1) + rec(5, 1),
    "keep-conn": begin(1, 1) + rec(4, 1, nv(b"PATH_INFO", b"/x"), 6) + rec(4, 1) + rec(5, 1),
    "abort-after": begin(1) + rec(4, 1, nv(b"REQUEST_METHOD", b"GET")) + rec(4, 1) + rec(5, 1) + rec(2, 1),
    "long-name": begin(1) + rec(4, 1, b"\x80\x00\x00\x81\x01" + b"N" * 129 + b"v") + rec(4, 1) + rec(5, 1),
    "split-params": begin(1) + rec(4, 1, nv(b"PATH_INFO", b"/news")[:5]) + rec(4, 1, nv(b"PATH_INFO", b"/news")[5:]) + rec(4, 1) + rec(5, 1),
}
for k, v in out.items():
    open("%s/rec-%s" % (sys.argv[1], k), "wb").write(v)
PY

# --- log: flags byte (bit 0: recover as after a reboot, bit 1: append),
# then index, hwm and segments "N:" separated by SEP.
SEP=$'\n--sse-fuzz-file--\n'
pack() { # FLAGS CHANNEL_DIR: one seed
	local d=$2/log f
	seed log < <(
		printf "\\x$1"
		cat "$d/index"
		printf '%s' "$SEP"
		cat "$d/hwm"
		for f in "$d"/seg-*; do
			[ -e "$f" ] || continue
			printf '%s%s:' "$SEP" "$((10#${f##*/seg-}))"
			cat "$f"
		done
	)
}
S=$T/spool
mkdir -p "$S"
pub() { SSE_HISTORY=$1 "$B/sse-publish" --spool "$S" "${@:2}" > /dev/null; }
pub 4 --create empty
pub 4 three "first" && pub 4 three "second" && pub 4 --event tick three "third"
printf 'data: a\n\nevent: e\ndata: b\nretry: 100\n\ndata: c\ndata: d\n\n' | pub 8 --raw raw
for i in $(seq 70); do printf 'data: event %s\n\n' "$i"; done | pub 4 --raw wrapped
head -c 3000 /dev/zero | tr '\0' x | pub 4 big
for c in empty three raw wrapped big; do pack 00 "$S/$c"; pack 01 "$S/$c"; pack 03 "$S/$c"; done
pack 02 "$S/three"
# Damage as a crash or a bad disk leaves it.
cp -r "$S/three" "$T/trunc" && truncate -s -5 "$T"/trunc/log/seg-* && pack 01 "$T/trunc" && pack 00 "$T/trunc"
cp -r "$S/three" "$T/flip" && printf 'X' | dd of="$(ls "$T"/flip/log/seg-*)" bs=1 seek=10 conv=notrunc 2> /dev/null &&
	pack 01 "$T/flip" && pack 00 "$T/flip"
cp -r "$S/three" "$T/noseg" && rm "$T"/noseg/log/seg-* && pack 01 "$T/noseg" && pack 02 "$T/noseg"
cp -r "$S/three" "$T/nohwm" && printf 'garbage\n' > "$T/nohwm/log/hwm" && pack 01 "$T/nohwm"
cp -r "$S/wrapped" "$T/shortidx" && truncate -s 5000 "$T/shortidx/log/index" && pack 00 "$T/shortidx"
# --- peer: REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR, SERVER_PORT,
# SERVER_SOFTWARE, HTTP_ACCEPT_ENCODING, NUL-separated, as web servers give
# them (an IPv4 client of a server on [::] is v4-mapped on some).
peer_seeds() {
	peer() { seed peer < <(printf '%s\0' "$@"); }
	peer 127.0.0.1 40000 127.0.0.1 80 'Apache/2.4.57 (Debian)' 'gzip, deflate, br, zstd'
	peer ::1 51234 ::1 443 'lighttpd/1.4.69' 'gzip, deflate'
	peer ::ffff:10.0.0.7 61000 ::ffff:10.0.0.1 8080 'nginx/1.22.1' 'br'
	peer 2001:db8::7 1 2001:db8::1 65535 '' ''
	peer 10.0.0.7 40000 ::1 80 'Apache' 'identity'
	peer fe80::1%eth0 40000 fe80::2 80 'Apache' '*'
	peer 127.0.0.1 0 127.0.0.1 65536 'x' 'gzip;q=0'
	peer unix:/run/x.sock '' '' '' '' ''
}
peer_seeds
# --- selector: selectors one a line, the last line the topic (Mercure's
# examples, RFC 6570's operators, a malformed template, '*').
mkdir -p "$C/selector"
sel() { seed selector < <(printf '%b' "$1"); }
sel 'https://example.com/books/{id}\nhttps://example.com/books/1'
sel 'https://example.com/books/{id}\nhttps://example.com/books/1/2'
sel 'https://example.com/books/1\nhttps://example.com/users/{name}\nhttps://example.com/users/dunglas'
sel '*\nanything'
sel 'https://example.com/{id\nhttps://example.com/{id'
sel '{+path}/here\n/foo/bar/here'
sel '{#x,hello,y}\n#1024,Hello%20World!,768'
sel 'X{.list*}\nX.red.green.blue'
sel '{/var:1,var}\n/v/value'
sel '{;x,y,empty}\n;x=1024;y=768;empty'
sel '{?x,y}\n?x=1024&y=768'
sel '?fixed=yes{&x}\n?fixed=yes&x=1024'
sel '{/list*,path:4}\n/red/green/blue/%2Ffoo'
sel '{keys*}\nsemi=%3B,dot=.,comma=%2C'
sel '\xc3\xa9t\xc3\xa9/{x}\n\xc3\xa9t\xc3\xa9/1'
sel '{a}{b}{c}{d}{e}{f}{g}{/h}\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/aa'
sel '{x:0}\n{=x}\n{x:10000}\n{}\na'
# --- form: byte 0 picks the largest event; the rest is a publish body, a
# query string and a Cookie header at once (as Symfony's publisher, an
# EventSource URL and a browser send them).
form() { seed form < <(printf "\\x$1"; printf '%b' "$2"); }
form 05 'topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&data=%7B%22id%22%3A1%7D'
form 05 'topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&topic=https%3A%2F%2Fexample.com%2Fusers%2Fdunglas&data=hello+world&private=on&id=urn%3Auuid%3Aa1&type=update&retry=3000'
form 05 'topic=t&private=&data=x'
form 05 'private&topic=t'
form 05 'topic=t&data=1&data=2&id=a&id=b&retry=&retry=5'
form 05 'topic=t&data=a%00b%0D%0Ac%C3%A9%FF'
form 05 'topic=t&id=%2342'
form 05 'topic=t&type=a%0Db'
form 05 'topic=t&retry=18446744073709551616'
form 05 'topic=a%00b'
form 05 'topic=t;data=x'
form 05 'topic=t&data=%zz&x=%4'
form 05 '%74opic=t&d%61ta=x&Data=y'
form 00 'topic=0123456789abcdef&data=x'
form 00 'topic=t&type=ab&data=0123456789abc'
form 05 'topic=%2A&topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&lastEventID=urn%3Auuid%3Ax&authorization=eyJhbGciOiJIUzI1NiJ9.e30.sig'
form 05 'topic=a&Last-Event-ID=5&lastEventId=%2342'
form 05 'topic=a&lastEventID=&lastEventId=earliest&authorization='
form 05 '&&topic=a&&=x&'
form 05 'mercureAuthorization=eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7InN1YnNjcmliZSI6WyIqIl19fQ.sig'
form 05 'a=1; mercureAuthorization="abc"; b=2'
form 05 'mercureAuthorization=a\\b; mercureAuthorization=ok;a= x ;\ta=y'
form 05 'PHPSESSID=abc; mercureAuthorization; a'
# --- jwt: the unit test's tokens and keys (test/unit/jwt/).
bash test/fuzz/seeds-jwt.sh "$C/jwt" > /dev/null
echo "seeds: $(find "$C" -type f | wc -l) in $C"
