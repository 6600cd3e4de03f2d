# sse-cgi: one small GNU Makefile (git-style). Out-of-tree objects in $(O) so
# a sanitizer build sits beside the normal one:
#   make                                  # build/ : programs, libsse.a, libsse.so
#   make O=build/asan SANITIZE=address,undefined
#   make check                            # unit tests (TAP)
#   make docs                             # man pages' and doc/stream.md's settings from lib/settings.c
#   make install PREFIX=/usr/local DESTDIR=
VERSION = 0.4.0
SOVERSION = 0

PREFIX ?= /usr/local
bindir ?= $(PREFIX)/bin
libdir ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
pkgconfigdir ?= $(libdir)/pkgconfig
cgidir ?= $(PREFIX)/lib/cgi-bin
mandir ?= $(PREFIX)/share/man

O ?= build
CC ?= cc
CFLAGS ?= -O2 -g
SSE_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -fPIC -MMD -MP -Ilib -Ifcgi -DSSE_VERSION='"$(VERSION)"'
# The hub's JWTs: nettle and hogweed (over gmp) for the crypto, jansson
# for the JSON; all static-linkable, so sse.cgi stays one file.
SSE_LDLIBS = -ljansson -lhogweed -lnettle -lgmp -lz
# Programs are linked statically: a stream is a process, and a static one
# keeps no dynamic loader or libc relocations of its own (68 kB instead of
# 136 kB of private memory per sse.cgi); the upload to a host is one file.
# Sanitizers need the dynamic runtime.
PROG_LDFLAGS = -static
ifneq ($(SANITIZE),)
SSE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
SSE_LDFLAGS += -fsanitize=$(SANITIZE)
PROG_LDFLAGS =
endif

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(O)/%.o)
# sse-fcgi's modules, also linked into the unit tests.
FCGI_SRC = $(filter-out fcgi/sse_fcgi.c,$(wildcard fcgi/*.c))
FCGI_OBJ = $(FCGI_SRC:%.c=$(O)/%.o)
FCGI_LDLIBS = -lfcgi
PROGRAMS = $(O)/sse.cgi $(O)/sse-publish $(O)/sse-fcgi $(O)/sse-doctor
UNIT_SRC = $(wildcard test/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:test/unit/%.c=$(O)/test/%)
TOOL_SRC = $(wildcard test/tools/*.c)
TOOL_BIN = $(TOOL_SRC:test/tools/%.c=$(O)/test/%)
TEST_SUPPORT = $(O)/test/unit/whatwg.o
# LD_PRELOAD shims of the hardening tests (test/harden/): they need the
# programs linked dynamically: make O=build/dyn PROG_LDFLAGS= tests
SHIM_SRC = $(wildcard test/shim/*.c)
SHIM_SO = $(SHIM_SRC:test/shim/%.c=$(O)/test/%.so)
# libFuzzer targets (test/fuzz/), built by clang with the sanitizers:
#   make O=build/fuzz CC=clang SANITIZE=fuzzer-no-link,address,undefined fuzzers
FUZZ_SRC = $(wildcard test/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:test/fuzz/%.c=$(O)/fuzz/%)
# ssebench's load tools (bench/ssebench/, copied unchanged) for the soak
# test; built with their own flags and without sanitizers: they measure.
BENCH_BIN = $(O)/bench/sseload $(O)/bench/sspub
# The files whose settings parts tools/gendoc.c writes from lib/settings.c.
DOC_GEN = doc/man/sse.cgi.8 doc/man/sse-fcgi.8 doc/man/sse-publish.1 doc/stream.md

all: $(PROGRAMS) $(O)/libsse.a $(O)/libsse.so $(O)/libsse.pc
tests: all $(UNIT_BIN) $(TOOL_BIN) $(SHIM_SO) $(BENCH_BIN) $(O)/tools/gendoc
fuzzers: $(FUZZ_BIN)

# The Makefile too: VERSION and the flags are in it.
$(O)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(SSE_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/libsse.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/libsse.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libsse.so.$(SOVERSION) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)

# Rebuilt every time: it holds PREFIX, which may differ at install time.
$(O)/libsse.pc: lib/libsse.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(libdir)|' -e 's|@INCLUDEDIR@|$(includedir)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@

$(O)/sse.cgi: $(O)/cgi/sse_cgi.o $(O)/cgi/out.o $(O)/cgi/cgi_hub.o $(O)/libsse.a
	$(CC) $(PROG_LDFLAGS) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)
# Dynamic: a pool is a few processes, and libfcgi.a pulls in resolver calls
# that a static glibc program cannot make.
$(O)/sse-fcgi: $(O)/fcgi/sse_fcgi.o $(FCGI_OBJ) $(O)/libsse.a
	$(CC) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(FCGI_LDLIBS) $(SSE_LDLIBS)
$(O)/sse-publish: $(O)/cli/sse_publish.o $(O)/libsse.a
	$(CC) $(PROG_LDFLAGS) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)
# Dynamic: it resolves host names, which a static glibc program cannot.
$(O)/sse-doctor: $(O)/cli/sse_doctor.o $(O)/libsse.a
	$(CC) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)

$(O)/test/test_%: $(O)/test/unit/test_%.o $(TEST_SUPPORT) $(FCGI_OBJ) $(O)/libsse.a
	$(CC) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(FCGI_LDLIBS) $(SSE_LDLIBS)
$(O)/tools/gendoc: $(O)/tools/gendoc.o $(O)/libsse.a
	$(CC) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)
$(O)/test/%: $(O)/test/tools/%.o $(O)/libsse.a
	$(CC) $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SSE_LDLIBS)
$(O)/test/%.so: test/shim/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(SSE_CFLAGS) $(CFLAGS) -shared -o $@ $< -ldl
$(O)/bench/%: bench/ssebench/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $@ $<
$(O)/fuzz/%: $(O)/test/fuzz/%.o $(FCGI_OBJ) $(O)/libsse.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer $(SSE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(FCGI_LDLIBS) $(SSE_LDLIBS)

# Rewrites only what changed; test/bats/t1010-docs.bats fails until it is run.
docs: $(O)/tools/gendoc
	@for f in $(DOC_GEN); do \
		$(O)/tools/gendoc $$f > $$f.tmp || { rm -f $$f.tmp; exit 1; }; \
		if cmp -s $$f $$f.tmp; then rm -f $$f.tmp; else mv $$f.tmp $$f && echo "docs: wrote $$f"; fi; \
	done

check: tests
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir) $(DESTDIR)$(includedir) \
		$(DESTDIR)$(pkgconfigdir) $(DESTDIR)$(cgidir)
	install -m 755 $(O)/sse-publish $(DESTDIR)$(bindir)/sse-publish
	install -m 755 $(O)/sse.cgi $(DESTDIR)$(cgidir)/sse.cgi
	install -m 755 $(O)/sse-fcgi $(DESTDIR)$(bindir)/sse-fcgi
	install -m 755 $(O)/sse-doctor $(DESTDIR)$(bindir)/sse-doctor
	install -m 644 $(O)/libsse.a $(DESTDIR)$(libdir)/libsse.a
	install -m 755 $(O)/libsse.so $(DESTDIR)$(libdir)/libsse.so.$(VERSION)
	ln -sf libsse.so.$(VERSION) $(DESTDIR)$(libdir)/libsse.so.$(SOVERSION)
	ln -sf libsse.so.$(SOVERSION) $(DESTDIR)$(libdir)/libsse.so
	install -m 644 lib/sse.h $(DESTDIR)$(includedir)/sse.h
	install -m 644 $(O)/libsse.pc $(DESTDIR)$(pkgconfigdir)/libsse.pc
	install -d $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man3 $(DESTDIR)$(mandir)/man8
	install -m 644 doc/man/sse-publish.1 doc/man/sse-doctor.1 $(DESTDIR)$(mandir)/man1/
	install -m 644 doc/man/libsse.3 $(DESTDIR)$(mandir)/man3/
	install -m 644 doc/man/sse.cgi.8 doc/man/sse-fcgi.8 $(DESTDIR)$(mandir)/man8/

clean:
	rm -rf $(O)

FORCE:
.PHONY: all tests fuzzers docs check install clean FORCE
.SECONDARY:
-include $(shell find $(O) -name '*.d' 2>/dev/null)
