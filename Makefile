# corpusrun — build, run, test.
#
#   make deps    install missing Debian packages (apt-get as root, else print the command)
#   make         build ./corpusrun
#   make run     run the main job (scripts/mentions.lua on corpus/)
#   make test    build and run every test through prove
#   make asan    build with ASan+UBSan and run the whole suite with it
#   make install PREFIX=/usr/local
#
# Each area of the code may add an `mk/<area>.mk` fragment: it appends to
# DEB_PACKAGES, PKG_MODULES, EXTRA_LIBS and may define targets of its own, so
# that work on one area never edits the lines of another.

VERSION      := 0.1.0
PREFIX       ?= /usr/local
BUILD        ?= build
CC           ?= cc

# Debian packages needed to build and test; fragments append.
DEB_PACKAGES := make gcc pkg-config perl liblua5.4-dev lua5.4 libutf8proc-dev nettle-dev \
                libsqlite3-dev sqlite3 libedit-dev tmux
# pkg-config modules linked into the host; fragments append.
PKG_MODULES  := lua5.4 libutf8proc sqlite3 libedit nettle
EXTRA_LIBS   := -lm

# Fragments may define targets: keep `make` building the program.
.DEFAULT_GOAL := all
-include mk/*.mk

# `make` alone builds, whatever targets the fragments define first.
.DEFAULT_GOAL := all

OPT          ?= -O2
SAN_FLAGS    ?=
WARN         := -Wall -Wextra -Werror
CPPFLAGS     += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Ihost -Ihost/text -I$(BUILD) \
                -DCORPUSRUN_VERSION='"$(VERSION)"'
CFLAGS       ?= $(OPT) -g
ALL_CFLAGS    = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS)
PKG_CFLAGS    = $(shell pkg-config --cflags $(PKG_MODULES) 2>/dev/null)
PKG_LIBS      = $(shell pkg-config --libs $(PKG_MODULES) 2>/dev/null)
LDLIBS        = $(PKG_LIBS) $(EXTRA_LIBS)

# host/text: pure C cores, no Lua headers.  host/l<mod>.c: one binding per
# module, exporting luaopen_<mod>.  The rest of host/: the executable.
TEXT_SRC     := $(sort $(wildcard host/text/*.c))
BIND_SRC     := $(sort $(wildcard host/l*.c))
HOST_SRC     := $(sort $(filter-out $(BIND_SRC),$(wildcard host/*.c)))
TEXT_OBJ     := $(TEXT_SRC:%.c=$(BUILD)/%.o)
BIND_OBJ     := $(BIND_SRC:%.c=$(BUILD)/%.o)
HOST_OBJ     := $(HOST_SRC:%.c=$(BUILD)/%.o)
TEXT_LIB     := $(BUILD)/libcorpustext.a
MODULES      := $(patsubst host/l%.c,%,$(BIND_SRC))

# C unit tests: tests/c/<name>.c, each a TAP program linked with the cores.
CTEST_SRC    := $(sort $(wildcard tests/c/*.c))
CTEST_BIN    := $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)
# (tests/tap.lua and tests/browser.lua are modules the tests require, not tests)
LUA_TESTS    := $(sort $(filter-out tests/tap.lua tests/browser.lua,$(wildcard tests/*.lua)))
SH_TESTS     := $(sort $(wildcard tests/*.sh))
PROVE        ?= prove
PROVE_FLAGS  ?= -j2

.PHONY: all deps run test asan asan-test clean install uninstall check-deps
all: corpusrun

corpusrun: $(BUILD)/corpusrun
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/corpusrun corpusrun; fi

$(BUILD)/corpusrun: $(HOST_OBJ) $(BIND_OBJ) $(TEXT_LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(HOST_OBJ) $(BIND_OBJ) $(TEXT_LIB) $(LDLIBS)

$(TEXT_LIB): $(TEXT_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(if $(TEXT_OBJ),ar rcs $@ $(TEXT_OBJ),ar rcs $@)

$(BUILD)/%.o: %.c $(BUILD)/preload.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Rebuild everything when the compiler flags change (asan vs plain, -O levels).
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDLIBS)' | cmp -s - $@ || \
	  echo '$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDLIBS)' > $@

# The table of C modules for package.preload, one per host/l<mod>.c: the
# private core `<mod>.core` (luaopen_<mod>_core) under the public module
# lib/lua/<mod>.lua, except the bindings listed in PUBLIC_BINDINGS, which
# are their module (lsqlite3: the de facto SQLite API).
PUBLIC_BINDINGS := lsqlite3
$(BUILD)/preload.h: $(BUILD)/.modules
	@mkdir -p $(@D)
	@{ for m in $(MODULES); do case " $(PUBLIC_BINDINGS) " in \
	     *" $$m "*) echo "CORPUSRUN_MODULE($$m, \"$$m\", 0)" ;; \
	     *) echo "CORPUSRUN_MODULE($${m}_core, \"$$m.core\", 1)" ;; esac; done; } > $@

$(BUILD)/.modules: FORCE
	@mkdir -p $(@D)
	@echo '$(MODULES) (public: $(PUBLIC_BINDINGS); the others as <mod>.core)' | cmp -s - $@ || \
	  echo '$(MODULES) (public: $(PUBLIC_BINDINGS); the others as <mod>.core)' > $@

$(BUILD)/tests/%: tests/c/%.c $(TEXT_LIB) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/c $(ALL_CFLAGS) -o $@ $< $(TEXT_LIB) $(LDLIBS)

# The same test of the counting loop with its portable word scan (what
# builds without SSE2 run): countext.c again, with -DCR_NO_SIMD.
CTEST_BIN += $(BUILD)/tests/tok_fastpath_no_simd
$(BUILD)/tests/tok_fastpath_no_simd: tests/c/tok_fastpath.c host/text/countext.c host/text/tokfast.h \
                                     host/text/asciikey.h $(TEXT_LIB) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DCR_NO_SIMD -Itests/c $(ALL_CFLAGS) -o $@ tests/c/tok_fastpath.c host/text/countext.c \
	  $(TEXT_LIB) $(LDLIBS)

FORCE:

-include $(TEXT_OBJ:.o=.d) $(BIND_OBJ:.o=.d) $(HOST_OBJ:.o=.d)

# ---- dependencies -----------------------------------------------------------
deps:
	@missing=""; for p in $(sort $(DEB_PACKAGES)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "deps: missing Debian packages:$$missing"; \
	  echo "deps: run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	fi

# ---- run and test -----------------------------------------------------------
run: deps all
	./corpusrun scripts/mentions.lua

TEST_ENV = CORPUSRUN=$(CURDIR)/$(BUILD)/corpusrun CORPUSRUN_ROOT=$(CURDIR) CORPUSRUN_BUILD=$(CURDIR)/$(BUILD) \
           CORPUSRUN_MAKE_OPT='$(OPT)' CORPUSRUN_MAKE_SAN='$(SAN_FLAGS)'

test: deps all $(CTEST_BIN)
	$(TEST_ENV) $(PROVE) $(PROVE_FLAGS) --exec '$(CURDIR)/tests/runner' $(CTEST_BIN) $(LUA_TESTS) $(SH_TESTS)

# Sanitizer build in its own directory; the same suite runs against it.
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
	  SAN_FLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	  asan-test

asan-test: $(BUILD)/corpusrun $(CTEST_BIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(TEST_ENV) CORPUSRUN_SANITIZED=1 $(PROVE) $(PROVE_FLAGS) --exec '$(CURDIR)/tests/runner' $(CTEST_BIN) $(LUA_TESTS) $(SH_TESTS)

# ---- install ----------------------------------------------------------------
install: $(BUILD)/corpusrun
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/corpusrun/lua $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/corpusrun $(DESTDIR)$(PREFIX)/bin/corpusrun
	cp -R lib/lua/. $(DESTDIR)$(PREFIX)/share/corpusrun/lua/
	install -d $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api
	install -m 644 docs/*.md $(DESTDIR)$(PREFIX)/share/corpusrun/docs/
	install -m 644 docs/api/*.md $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api/
	if [ -f docs/corpusrun.1 ]; then install -m 644 docs/corpusrun.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/corpusrun $(DESTDIR)$(PREFIX)/share/corpusrun $(DESTDIR)$(PREFIX)/share/man/man1/corpusrun.1

clean:
	rm -rf build build-asan build-fuzz corpusrun
