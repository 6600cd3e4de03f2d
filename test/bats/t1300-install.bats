#!/usr/bin/env bats
# make install (SPEC "Programs", "C library"): what goes where under
# DESTDIR, the programs' --help and --version, and a C producer built
# against the installed header and pkg-config file, static and shared.

bats_require_minimum_version 1.5.0

setup_file() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export TOP
	export B=${SSE_BUILD:-build}
	export D=$BATS_FILE_TMPDIR/dest
	# a sanitizer build keeps its flags (and its objects) when installed
	case $B in /*) BA=$B ;; *) BA=$TOP/$B ;; esac
	export SAN=
	if nm -A "$BA/libsse.a" 2>/dev/null | grep -q __asan_; then
		SAN=address,undefined
	elif nm -A "$BA/libsse.a" 2>/dev/null | grep -q __ubsan_; then
		SAN=undefined
	fi
	make -C "$TOP" --no-print-directory install O="$B" ${SAN:+SANITIZE=$SAN} PREFIX=/usr DESTDIR="$D" \
		>"$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&2
		return 1
	}
}

setup() {
	T=$BATS_TEST_TMPDIR
	U=$D/usr
	CFLAGS_SAN=()
	[ -z "$SAN" ] || CFLAGS_SAN=(-fsanitize="$SAN")
}

@test "install: programs, libraries with soname links, header, pkg-config file" {
	local f

	for f in bin/sse-publish lib/cgi-bin/sse.cgi; do
		[ -f "$U/$f" ] && [ -x "$U/$f" ] || { echo "missing program $U/$f" >&2; return 1; }
		[ "$(stat -c %a "$U/$f")" = 755 ]
	done
	for f in lib/libsse.a include/sse.h lib/pkgconfig/libsse.pc; do
		[ -f "$U/$f" ] || { echo "missing $U/$f" >&2; return 1; }
		[ "$(stat -c %a "$U/$f")" = 644 ]
	done
	# libsse.so -> libsse.so.SOVERSION -> libsse.so.VERSION (a real file)
	[ -L "$U/lib/libsse.so" ]
	so=$(readlink "$U/lib/libsse.so")
	[[ "$so" =~ ^libsse\.so\.[0-9]+$ ]]
	[ -L "$U/lib/$so" ]
	real=$(readlink "$U/lib/$so")
	[[ "$real" =~ ^libsse\.so\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -f "$U/lib/$real" ] && [ ! -L "$U/lib/$real" ]
	# the soname is the middle link's name
	objdump -p "$U/lib/$real" | grep -E "SONAME +$so\$"
	# nothing outside PREFIX
	[ "$(ls -A "$D")" = usr ]
}

# Every program and libsse have a man page, installed, rendering without a
# warning, whose NAME line names them.
@test "install: man pages for every program and for libsse" {
	local p n page

	for p in "$U"/bin/* "$U"/lib/cgi-bin/* libsse; do
		n=$(basename "$p")
		page=$(ls "$U"/share/man/man[138]/"$n".[138] 2>/dev/null)
		[ -n "$page" ] || fail "no man page for $n under $U/share/man"
		[ "$(stat -c %a "$page")" = 644 ]
		run --separate-stderr env LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$page"
		[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "$page: $stderr"
		sed -n '/^\.SH NAME/{n;p;}' "$page" | grep -q "^$n\b\|, *$n\b\|^sse_channel_open" || fail "$page: NAME does not name $n"
	done
}

@test "install: libsse.pc names the installed PREFIX" {
	cat "$U/lib/pkgconfig/libsse.pc"
	[ "$(PKG_CONFIG_PATH=$U/lib/pkgconfig PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --variable=prefix libsse)" = /usr ]
	[ "$(PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --variable=libdir libsse)" = /usr/lib ]
	[ "$(PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --variable=includedir libsse)" = /usr/include ]
	[ "$(PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --modversion libsse)" = \
		"$("$U/bin/sse-publish" --version | sed 's/^sse-publish //')" ]
}

@test "install: --help and --version on every installed program" {
	local p n

	for p in "$U"/bin/* "$U"/lib/cgi-bin/*; do
		n=$(basename "$p")
		run --separate-stderr env -u GATEWAY_INTERFACE "$p" --help
		[ "$status" -eq 0 ] || { echo "$n --help: exit $status" >&2; return 1; }
		[[ "$output" == *usage* ]] || { echo "$n --help: no usage" >&2; return 1; }
		[ -z "$stderr" ]
		run --separate-stderr env -u GATEWAY_INTERFACE "$p" --version
		[ "$status" -eq 0 ] || { echo "$n --version: exit $status" >&2; return 1; }
		[[ "$output" =~ ^$n\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$n --version: '$output'" >&2; return 1; }
		[ -z "$stderr" ]
	done
}

# A producer: opens CHANNEL in SPOOL (creating it), publishes one event,
# prints its id, and checks sse_version() against argv[3].
write_producer() {
	cat >"$T/producer.c" <<'EOF'
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sse.h>

int main(int argc, char **argv)
{
	char err[256] = "";
	sse_channel *ch;
	uint64_t id = 0;

	if (argc != 4)
		return 2;
	if (strcmp(sse_version(), argv[3]) != 0) {
		fprintf(stderr, "producer: version '%s', expected '%s'\n", sse_version(), argv[3]);
		return 1;
	}
	ch = sse_channel_open(argv[1], argv[2], SSE_OPEN_CREATE, 0, err, sizeof(err));
	if (!ch) {
		fprintf(stderr, "producer: %s\n", err);
		return 1;
	}
	if (sse_channel_publish(ch, "tick", "hello\r\nlib", 10, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "producer: %s\n", err);
		sse_channel_close(ch);
		return 1;
	}
	/* a name with a LF is refused, with a message */
	if (sse_channel_publish(ch, "a\nb", "x", 1, NULL, err, sizeof(err)) == 0 || !err[0]) {
		fprintf(stderr, "producer: bad event name accepted\n");
		return 1;
	}
	sse_channel_close(ch);
	printf("%" PRIu64 "\n", id);
	return 0;
}
EOF
}

# run_producer BINARY: the producer's id, then sse-publish's, then what a
# stream delivers.
run_producer() {
	local sp=$T/spool ver id next

	mkdir -p "$sp"
	ver=$("$U/bin/sse-publish" --version | sed 's/^sse-publish //')
	run --separate-stderr "$@" "$sp" news "$ver"
	echo "producer: status $status out [$output] err [$stderr]"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+$ ]]
	id=$output
	[ -p "$sp/news/fifo" ]
	next=$("$U/bin/sse-publish" --spool "$sp" news "from the shell")
	[ "$next" -eq $((id + 1)) ]
	timeout 10 env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/news \
		SSE_SPOOL_DIR="$sp" SSE_MAX_LIFETIME=1 HTTP_LAST_EVENT_ID=0 "$U/lib/cgi-bin/sse.cgi" >"$T/out"
	tr -d '\r' <"$T/out" | sed '1,/^$/d' | grep -v '^:' >"$T/body"
	printf 'id: %s\nevent: tick\ndata: hello\ndata: lib\n\nid: %s\ndata: from the shell\n\n' "$id" "$next" >"$T/want"
	diff -u "$T/want" "$T/body"
}

@test "C producer, shared: pkg-config with PKG_CONFIG_SYSROOT_DIR, strict C99" {
	local cflags libs

	write_producer
	cflags=$(PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --cflags libsse)
	libs=$(PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --libs libsse)
	echo "cflags [$cflags] libs [$libs]"
	[[ "$cflags" == *"-I$U/include"* ]]
	[[ "$libs" == *"-L$U/lib"* ]]
	cc -std=c99 -pedantic -Wall -Wextra -Werror "${CFLAGS_SAN[@]}" $cflags -o "$T/producer" "$T/producer.c" $libs
	# it needs the installed shared library
	ldd "$T/producer" | grep -q 'libsse\.so\.[0-9]* => not found'
	LD_LIBRARY_PATH=$U/lib ldd "$T/producer" | grep -q "libsse\.so\.[0-9]* => $U/lib/"
	LD_LIBRARY_PATH=$U/lib run_producer "$T/producer"
}

@test "C producer, static: libsse.a and pkg-config --static, no libsse.so needed" {
	local cflags libs

	write_producer
	cflags=$(PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --cflags libsse)
	libs=$(PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$U/lib/pkgconfig pkg-config --static --libs libsse)
	echo "cflags [$cflags] libs [$libs]"
	[[ "$libs" == *-lz* ]]
	cc -std=c99 -pedantic -Wall -Wextra -Werror "${CFLAGS_SAN[@]}" $cflags -o "$T/producer" "$T/producer.c" \
		-Wl,-Bstatic ${libs/-lz/} -Wl,-Bdynamic -lz
	[ "$(ldd "$T/producer" | grep -c libsse)" -eq 0 ]
	run_producer "$T/producer"
}

@test "C producer, explicit -I/-L; the header also compiles as C++" {
	write_producer
	cc -std=c11 -Wall -Werror "${CFLAGS_SAN[@]}" -I"$U/include" -o "$T/producer" "$T/producer.c" -L"$U/lib" -lsse
	LD_LIBRARY_PATH=$U/lib run_producer "$T/producer"
	if command -v c++ >/dev/null; then
		printf '#include <sse.h>\nint main() { return sse_version() ? 0 : 1; }\n' >"$T/p.cc"
		c++ -Wall -Werror "${CFLAGS_SAN[@]}" -I"$U/include" -o "$T/pcc" "$T/p.cc" -L"$U/lib" -lsse
		LD_LIBRARY_PATH=$U/lib "$T/pcc"
	fi
}

@test "install: DESTDIR staging does not leak into the installed programs" {
	# no path of the staging directory inside what was installed
	[ "$(grep -r -l -F "$D" "$U" | wc -l)" -eq 0 ]
}
