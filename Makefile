# corpusrun — build, run, test.
#
#   make         build ./corpusrun
#   make run     run the main job (scripts/mentions.lua on corpus/)
#   make check   the quick tier: C unit tests, conformance, API tests (< 1 min)
#   make test    every test through prove (< 3 min); a test whose tool is
#                missing says skip, except under CI=true where it fails
#   make asan    build with ASan+UBSan and run the whole suite with it
#   make deps    install every Debian package, test tools too (apt-get as
#                root, else print the command); run, check and test install
#                only what building and running need
#   make install PREFIX=/usr/local
#
# Each area of the code may add an `mk/<area>.mk` fragment: it appends to
# DEB_PACKAGES, DEB_TEST_PACKAGES, PKG_MODULES, EXTRA_LIBS, SLOW_TESTS and
# may define targets of its own, so that work on one area never edits the
# lines of another.

VERSION      := 0.1.0
PREFIX       ?= /usr/local
BUILD        ?= build
CC           ?= cc

# Debian packages; fragments append.  DEB_PACKAGES: what building, running
# and the test runner (prove, from perl) need.  DEB_TEST_PACKAGES: the tools
# some tests use; those tests skip without them (fail under CI=true).
DEB_PACKAGES      := make gcc pkg-config perl liblua5.4-dev lua5.4 libutf8proc-dev nettle-dev \
                     libsqlite3-dev sqlite3 libedit-dev
DEB_TEST_PACKAGES := tmux
# pkg-config modules linked into the host; fragments append.
PKG_MODULES  := lua5.4 libutf8proc sqlite3 libedit nettle
EXTRA_LIBS   := -lm

# The tests left out of `make check`: each takes seconds of CPU, or needs a
# tool, a fetched corpus or a cluster.  Longest first: `make test` starts
# them first, so that the two prove jobs end together.  Fragments append.
SLOW_TESTS   := tests/bench_harness.sh tests/host_valgrind.sh tests/host_partitions.lua \
                tests/sandbox_attacks.lua tests/host_scripts_scale.lua tests/tok_fuzz.sh \
                tests/engine_brown.lua tests/cluster_slurm.sh tests/host_shards.lua \
                tests/receipt_replay.lua tests/lualib_stats.lua tests/engine_match.lua \
                tests/repl_tty.sh tests/scripts_mentions_html.lua tests/load_rss.sh \
                tests/count_rss_types.sh tests/load_rss_files.sh tests/scripts_freq_html.lua \
                tests/lualib_html.lua tests/host_progress.sh tests/receipt_outputs.lua \
                tests/scripts_tools.lua tests/scripts_outputs.lua tests/scripts_mentions.lua \
                tests/host_merge_jobs.lua tests/scripts_tutorial.lua tests/scripts_mentions_options.lua \
                tests/engine_cooc_margins.lua tests/host_install.sh

# The fuzz targets of the fragments: the compiler and seconds per target.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 30

# `make` alone builds, whatever targets the fragments define first.
.DEFAULT_GOAL := all
-include mk/*.mk

OPT          ?= -O2
SAN_FLAGS    ?=
WARN         := -Wall -Wextra -Werror
CPPFLAGS     += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Ihost -Ihost/text -I$(BUILD) \
                -DCORPUSRUN_VERSION='"$(VERSION)"'
CFLAGS       ?= $(OPT) -g
ALL_CFLAGS    = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS)
PKG_CFLAGS    = $(shell pkg-config --cflags $(PKG_MODULES) 2>/dev/null)
PKG_LIBS      = $(shell pkg-config --libs $(PKG_MODULES) 2>/dev/null)
# Libraries opened by dlopen when first needed (LAZY_LIBS, set by mk/*.mk:
# -lzmq, which only --kernel uses) are compiled against, never linked: the
# dynamic linker would load them, and what they need, for every process.
LDLIBS        = $(filter-out $(LAZY_LIBS),$(PKG_LIBS)) $(EXTRA_LIBS)

# host/text: pure C cores, no Lua headers.  host/l<mod>.c: one binding per
# module, exporting luaopen_<mod>.  The rest of host/: the executable.
TEXT_SRC     := $(sort $(wildcard host/text/*.c))
BIND_SRC     := $(sort $(wildcard host/l*.c))
# (host/modules.c: entry points of the Lua modules' shared object only)
HOST_SRC     := $(sort $(filter-out $(BIND_SRC) host/modules.c,$(wildcard host/*.c)))
TEXT_OBJ     := $(TEXT_SRC:%.c=$(BUILD)/%.o)
BIND_OBJ     := $(BIND_SRC:%.c=$(BUILD)/%.o)
HOST_OBJ     := $(HOST_SRC:%.c=$(BUILD)/%.o)
TEXT_LIB     := $(BUILD)/libcorpustext.a
MODULES      := $(patsubst host/l%.c,%,$(BIND_SRC))
# Bindings that are public modules themselves; the others load as <mod>.core.
PUBLIC_BINDINGS := lsqlite3 flock
MODULES_TEXT  = $(MODULES) (public: $(PUBLIC_BINDINGS))

# C unit tests: tests/c/<name>.c, each a TAP program linked with the cores.
CTEST_SRC    := $(sort $(wildcard tests/c/*.c))
CTEST_BIN    := $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)
# (tests/tap.lua and tests/browser.lua are modules the tests require, not tests)
LUA_TESTS    := $(sort $(filter-out tests/tap.lua tests/browser.lua,$(wildcard tests/*.lua)))
SH_TESTS     := $(sort $(wildcard tests/*.sh))
PROVE        ?= prove
PROVE_FLAGS  ?= -j2

.PHONY: all deps build-deps run check test asan asan-test clean install uninstall
# ./corpusrun: a symbolic link to the default build's binary.
all: $(BUILD)/corpusrun $(BUILD)/libcorpusrun.a $(if $(filter build,$(BUILD)),corpusrun)

corpusrun: build/corpusrun
	ln -sf build/corpusrun corpusrun

$(BUILD)/corpusrun: $(HOST_OBJ) $(BIND_OBJ) $(TEXT_LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(HOST_OBJ) $(BIND_OBJ) $(TEXT_LIB) $(LDLIBS)

$(TEXT_LIB): $(TEXT_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(if $(TEXT_OBJ),ar rcs $@ $(TEXT_OBJ),ar rcs $@)

$(BUILD)/%.o: %.c $(BUILD)/preload.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Stamps: the objects depend on $(BUILD)/.flags (rebuild when the compiler
# flags change: asan vs plain, -O levels), preload.h on $(BUILD)/.modules
# (the list of C modules).  A stamp is rewritten while the Makefile is read,
# and only when its text changes, so an up-to-date tree stays up to date for
# `make -n` and `make -q`; those two never write it, they report the rebuild.
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))$(findstring q,$(firstword -$(MAKEFLAGS)))
FLAGS_TEXT = $(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(LDLIBS)
define stamp
ifneq ($$(file <$(1)),$$($(2)))
ifeq ($(DRY_RUN),)
$$(shell mkdir -p $(dir $(1)))
$$(file >$(1),$$($(2)))
else
$(1): stale-stamp
	@echo '$(1) is out of date'
endif
endif
endef
ifneq ($(MAKECMDGOALS),clean)
$(eval $(call stamp,$(BUILD)/.flags,FLAGS_TEXT))
$(eval $(call stamp,$(BUILD)/.modules,MODULES_TEXT))
endif
.PHONY: stale-stamp
stale-stamp: ;

# The table of C modules for package.preload, one per host/l<mod>.c: the
# private core `<mod>.core` (luaopen_<mod>_core) under the public module
# lib/lua/<mod>.lua, except the bindings listed in PUBLIC_BINDINGS, which
# are their module (lsqlite3: the de facto SQLite API; flock: file locks).
$(BUILD)/preload.h: $(BUILD)/.modules
	@{ for m in $(MODULES); do case " $(PUBLIC_BINDINGS) " in \
	     *" $$m "*) echo "CORPUSRUN_MODULE($$m, \"$$m\", 0)" ;; \
	     *) echo "CORPUSRUN_MODULE($${m}_core, \"$$m.core\", 1)" ;; esac; done; } > $@

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

-include $(TEXT_OBJ:.o=.d) $(BIND_OBJ:.o=.d) $(HOST_OBJ:.o=.d) $(PIC_OBJ:.o=.d)

# ---- dependencies -----------------------------------------------------------
# $(call install_debs,PACKAGES): install the missing ones as root; as another
# user, name them and the command, and fail.
define install_debs
@missing=""; for p in $(sort $(1)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "$@: all Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "$@: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "$@: missing Debian packages:$$missing"; \
	  echo "$@: run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	fi
endef

# Everything, test tools too (CI runs this).
deps:
	$(call install_debs,$(DEB_PACKAGES) $(DEB_TEST_PACKAGES))

# What building and running need (run, check and test start with it).
build-deps:
	$(call install_debs,$(DEB_PACKAGES))

# ---- run and test -----------------------------------------------------------
run: build-deps all
	./corpusrun scripts/mentions.lua

TEST_ENV = CORPUSRUN=$(CURDIR)/$(BUILD)/corpusrun CORPUSRUN_ROOT=$(CURDIR) CORPUSRUN_BUILD=$(CURDIR)/$(BUILD) \
           CORPUSRUN_MAKE_OPT='$(OPT)' CORPUSRUN_MAKE_SAN='$(SAN_FLAGS)'
CHECK_TESTS = $(filter-out $(SLOW_TESTS),$(CTEST_BIN) $(LUA_TESTS) $(SH_TESTS))
ALL_TESTS   = $(filter $(LUA_TESTS) $(SH_TESTS),$(SLOW_TESTS)) $(CHECK_TESTS)
RUN_TESTS   = $(TEST_ENV) $(PROVE) $(PROVE_FLAGS) --exec '$(CURDIR)/tests/runner'

test: build-deps all lua-modules $(CTEST_BIN)
	$(RUN_TESTS) $(ALL_TESTS)

check: build-deps all lua-modules $(CTEST_BIN)
	$(RUN_TESTS) $(CHECK_TESTS)

# Sanitizer build in its own directory; the same suite runs against it.
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
	  SAN_FLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	  asan-test

asan-test: $(BUILD)/corpusrun lua-modules $(CTEST_BIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  CORPUSRUN_SANITIZED=1 $(RUN_TESTS) $(ALL_TESTS)

# ---- install ----------------------------------------------------------------
install: $(BUILD)/corpusrun
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/corpusrun/lua $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/corpusrun $(DESTDIR)$(PREFIX)/bin/corpusrun
	cp -R lib/lua/. $(DESTDIR)$(PREFIX)/share/corpusrun/lua/
	install -d $(DESTDIR)$(PREFIX)/share/corpusrun/luac
	lib=$(PREFIX)/share/corpusrun/lua; [ -n "$(DESTDIR)" ] || lib=$$(cd "$$lib" && pwd -P); \
	for f in $(LUA_LIBRARY); do n=$${f#lib/lua/}; \
	  $(BUILD)/corpusrun -E tools/luac.lua $(DESTDIR)$(PREFIX)/share/corpusrun/luac/$${n}c $$f \
	    "$$lib/$$n" || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/share/corpusrun/scripts
	install -m 644 scripts/*.lua scripts/README.md $(DESTDIR)$(PREFIX)/share/corpusrun/scripts/
	install -d $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api
	install -m 644 docs/*.md $(DESTDIR)$(PREFIX)/share/corpusrun/docs/
	install -m 644 docs/api/*.md $(DESTDIR)$(PREFIX)/share/corpusrun/docs/api/
	if [ -f docs/corpusrun.1 ]; then install -m 644 docs/corpusrun.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/corpusrun $(DESTDIR)$(PREFIX)/share/corpusrun $(DESTDIR)$(PREFIX)/share/man/man1/corpusrun.1
	rm -f $(DESTDIR)$(PREFIX)/lib/libcorpusrun.a $(DESTDIR)$(PREFIX)/include/corpusrun.h \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpusrun.pc
	rm -f $(DESTDIR)$(LUA_CMOD_DIR)/corpusrun.so $(LUA_MODULE_NAMES:%=$(DESTDIR)$(LUA_CMOD_DIR)/%.so) \
	  $(LUA_LIBRARY:lib/lua/%=$(DESTDIR)$(LUA_LMOD_DIR)/%)
	rmdir $(CORE_MODULES:%=$(DESTDIR)$(LUA_CMOD_DIR)/%) 2>/dev/null || true

# ---- embedding, both ways (docs/embedding.md) -----------------------------------
# libcorpusrun.a (header host/corpusrun.h): the host without its command
# line and REPL, with the bindings and the cores, for C programs that embed
# corpusrun's Lua environment.  The same objects as the binary's.
EMBED_OBJ    = $(filter-out $(BUILD)/host/main.o $(BUILD)/host/repl.o $(BUILD)/host/kernel.o,$(HOST_OBJ)) $(BIND_OBJ) $(TEXT_OBJ)
# What a program linking it needs besides (the REPL's libedit and the kernel's ZeroMQ are not).
EMBED_PKG_MODULES = $(filter-out libedit libzmq,$(PKG_MODULES))

$(BUILD)/libcorpusrun.a: $(EMBED_OBJ)
	rm -f $@
	ar rcs $@ $(EMBED_OBJ)

# The test of the API links the library, as a program embedding it does.
$(BUILD)/tests/embed_api: tests/c/embed_api.c host/corpusrun.h $(BUILD)/libcorpusrun.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -Ihost -Itests/c $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcorpusrun.a \
	  $(shell pkg-config --libs $(EMBED_PKG_MODULES) 2>/dev/null) $(EXTRA_LIBS)

# The example of docs/embedding.md.
.PHONY: examples
examples: $(BUILD)/examples/embed
$(BUILD)/examples/embed: examples/embed.c host/corpusrun.h $(BUILD)/libcorpusrun.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -Ihost $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcorpusrun.a \
	  $(shell pkg-config --libs $(EMBED_PKG_MODULES) 2>/dev/null) $(EXTRA_LIBS)

# The Lua modules for a stock lua5.4 (make lua-modules): one shared object,
# $(BUILD)/lua/corpusrun.so, compiled -fPIC apart from the binary's objects
# (which stay position-dependent code, for speed), linked without liblua
# (the interpreter gives the Lua API), and linked under every name Lua's C
# searcher looks for.  Symbolic links, not copies: every name is one loaded
# object with one copy of the host's state.  In this build each private
# core's luaopen_<mod>_core is renamed cr_core_open_<mod>_core, and
# host/modules.c defines luaopen_<mod>_core to open it as the host does.
CORE_MODULES      = $(filter-out $(PUBLIC_BINDINGS),$(MODULES))
LUA_MODULE_NAMES  = $(CORE_MODULES:%=%/core) $(PUBLIC_BINDINGS) lsqlite3complete
LUA_MODULE_LINKS  = $(LUA_MODULE_NAMES:%=$(BUILD)/lua/%.so)
PIC_SRC      := $(filter-out host/main.c host/repl.c host/kernel.c host/embed.c,$(HOST_SRC)) host/modules.c $(BIND_SRC) $(TEXT_SRC)
PIC_OBJ      := $(PIC_SRC:%.c=$(BUILD)/pic/%.o)
PIC_RENAMES   = $(foreach m,$(CORE_MODULES),-Dluaopen_$(m)_core=cr_core_open_$(m)_core)
MODULE_LIBS   = $(shell pkg-config --libs $(filter-out lua5.4 libedit libzmq,$(PKG_MODULES)) 2>/dev/null) $(EXTRA_LIBS)
LUA_LIBRARY  := $(sort $(wildcard lib/lua/*.lua))

# The library precompiled (tools/luac.lua), which host.c's search_compiled
# loads instead of parsing lib/lua/NAME.lua while that file is unchanged:
# $(BUILD)/luac/NAME.luac, compiled by the binary itself under the real path
# of its source.
LUAC_OUT     := $(LUA_LIBRARY:lib/lua/%.lua=$(BUILD)/luac/%.luac)
all: $(LUAC_OUT)
$(BUILD)/luac/%.luac: lib/lua/%.lua tools/luac.lua | $(BUILD)/corpusrun
	@mkdir -p $(@D)
	$(BUILD)/corpusrun -E tools/luac.lua $@ $< $(realpath $<)

.PHONY: lua-modules install-lua-modules install-embed
lua-modules: $(BUILD)/lua/corpusrun.so $(LUA_MODULE_LINKS)

$(BUILD)/pic/%.o: %.c $(BUILD)/preload.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<
$(BIND_SRC:%.c=$(BUILD)/pic/%.o): CPPFLAGS += $(PIC_RENAMES)

$(BUILD)/lua/corpusrun.so: $(PIC_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -shared $(LDFLAGS) -o $@ $(PIC_OBJ) $(MODULE_LIBS)

$(LUA_MODULE_LINKS): | $(BUILD)/lua/corpusrun.so
	@mkdir -p $(@D)
	ln -sf $(if $(filter $(BUILD)/lua/%/core.so,$@),../)corpusrun.so $@

# Where Debian's lua5.4 looks (lua5.4 -e 'print(package.path, package.cpath)'):
# with PREFIX=/usr, lua5.4.pc's INSTALL_CMOD and INSTALL_LMOD; else
# PREFIX/lib/lua/5.4 and PREFIX/share/lua/5.4 (/usr/local's are on the
# default paths).
LUA_PC_PREFIX = $(shell pkg-config --variable=prefix lua5.4 2>/dev/null)
LUA_CMOD_DIR ?= $(if $(filter $(LUA_PC_PREFIX),$(PREFIX)),$(shell pkg-config --variable=INSTALL_CMOD lua5.4),$(PREFIX)/lib/lua/5.4)
LUA_LMOD_DIR ?= $(if $(filter $(LUA_PC_PREFIX),$(PREFIX)),$(shell pkg-config --variable=INSTALL_LMOD lua5.4),$(PREFIX)/share/lua/5.4)

install: install-lua-modules install-embed
install-lua-modules: lua-modules
	install -d $(DESTDIR)$(LUA_CMOD_DIR) $(DESTDIR)$(LUA_LMOD_DIR)
	install -m 755 $(BUILD)/lua/corpusrun.so $(DESTDIR)$(LUA_CMOD_DIR)/corpusrun.so
	@for n in $(LUA_MODULE_NAMES); do \
	  case $$n in */*) d=$${n%/*}; install -d $(DESTDIR)$(LUA_CMOD_DIR)/$$d; t=../corpusrun.so ;; *) t=corpusrun.so ;; esac; \
	  echo "ln -sf $$t $(DESTDIR)$(LUA_CMOD_DIR)/$$n.so"; ln -sf $$t $(DESTDIR)$(LUA_CMOD_DIR)/$$n.so || exit 1; \
	done
	install -m 644 $(LUA_LIBRARY) $(DESTDIR)$(LUA_LMOD_DIR)/

install-embed: $(BUILD)/libcorpusrun.a
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(BUILD)/libcorpusrun.a $(DESTDIR)$(PREFIX)/lib/libcorpusrun.a
	install -m 644 host/corpusrun.h $(DESTDIR)$(PREFIX)/include/corpusrun.h
	@# A static library over shared ones: what it needs is in Requires and
	@# Libs, so that `pkg-config --cflags --libs corpusrun` links a program.
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' \
	  'luadir=$${prefix}/share/corpusrun/lua' '' \
	  'Name: corpusrun' 'Description: corpusrun'"'"'s Lua environment for C programs (static library)' \
	  'Version: $(VERSION)' 'Requires: $(EMBED_PKG_MODULES)' \
	  'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lcorpusrun $(EXTRA_LIBS)' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpusrun.pc

clean:
	rm -rf build build-asan build-fuzz corpusrun
