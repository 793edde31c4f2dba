# load: the corpus module's loaders (host/text/load_*.c) and binding
# (host/lcorpus.c): libxml2 for HTML/XML, libarchive for archives.
DEB_PACKAGES += libxml2-dev libarchive-dev
# tests/load_rss*.sh measure the peak RSS with GNU time
DEB_TEST_PACKAGES += time
PKG_MODULES  += libxml-2.0 libarchive
# Both are opened with dlopen when the first HTML, XML or archive is read,
# not linked (LAZY_LIBS, host/text/lazylib.h), under the sonames of the
# libraries the build compiles against.
LAZY_LIBS    += -lxml2 -larchive
soname_of     = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2)" 2>/dev/null | awk '/SONAME/ { print $$2 }')
XML2_SONAME    := $(call soname_of,libxml-2.0,libxml2.so)
ARCHIVE_SONAME := $(call soname_of,libarchive,libarchive.so)
$(BUILD)/host/text/load_markup.o: CPPFLAGS += $(if $(XML2_SONAME),-DCR_XML2_SONAME='"$(XML2_SONAME)"')
$(BUILD)/host/text/load_corpus.o: CPPFLAGS += $(if $(ARCHIVE_SONAME),-DCR_ARCHIVE_SONAME='"$(ARCHIVE_SONAME)"')

# make fuzz-load [FUZZ_TIME=seconds]: libFuzzer (clang) on the JSON Lines, CSV,
# CoNLL-U, VRT and word/TAG readers, each for FUZZ_TIME seconds, seeded from
# tests/data/load.
LOAD_FUZZ_TARGETS := jsonl csv conllu vrt tagged xml tokens
LOAD_FUZZ_SRC := $(sort $(wildcard host/text/load_*.c)) host/text/buf.c host/text/pathpolicy.c host/text/counter.c \
                 host/text/lazylib.c
LOAD_FUZZ_FLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                  -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Ihost/text $(shell pkg-config --cflags libxml-2.0)
LOAD_FUZZ_LIBS  = $(shell pkg-config --libs libxml-2.0 libarchive)

# The hand-written seeds of reader $(1) copied into directory $(2) (shell).
load_fuzz_seeds = cp tests/data/load/*.$(1) tests/data/load/*.tsv tests/data/load/brown/*.csv $(2)/ 2>/dev/null; \
	  case $(1) in conllu|vrt) cp tests/data/load/annot/*.$(1) $(2)/;; \
	    tagged) cp tests/data/load/annot/tagged/c* $(2)/;; \
	    xml) cp tests/data/load/annot/bnc/*.xml tests/data/load/annot/tei/*.xml tests/data/load/tei/* $(2)/;; \
	    tokens) cp tests/data/load/annot/tokens/* $(2)/;; esac

.PHONY: fuzz-load fuzz-load-deps
fuzz-load-deps:
	$(call install_debs,clang libclang-rt-14-dev)

build-fuzz/load_fuzz_%: tests/fuzz/load_fuzz_%.c $(LOAD_FUZZ_SRC) host/text/load.h tests/fuzz/annot_fuzz.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(LOAD_FUZZ_FLAGS) -o $@ $< $(LOAD_FUZZ_SRC) $(LOAD_FUZZ_LIBS)

fuzz-load: fuzz-load-deps
	@$(MAKE) --no-print-directory $(LOAD_FUZZ_TARGETS:%=build-fuzz/load_fuzz_%)
	@for t in $(LOAD_FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus-$$t; \
	  $(call load_fuzz_seeds,$$t,build-fuzz/corpus-$$t); \
	  echo "fuzz-load: $$t for $(FUZZ_TIME)s"; \
	  build-fuzz/load_fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=4096 -print_final_stats=1 \
	    build-fuzz/corpus-$$t || exit 1; \
	done

# fuzz-check (mk/tok.mk) runs each reader for FUZZ_RUNS inputs from the test data.
fuzz-check-load: $(LOAD_FUZZ_TARGETS:%=build-fuzz/load_fuzz_%)
	@for t in $(LOAD_FUZZ_TARGETS); do \
	  rm -rf build-fuzz/check-$$t && mkdir -p build-fuzz/check-$$t; \
	  $(call load_fuzz_seeds,$$t,build-fuzz/check-$$t); \
	  build-fuzz/load_fuzz_$$t -seed=1 -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 \
	    -artifact_prefix=build-fuzz/ build-fuzz/check-$$t || exit 1; \
	done
FUZZ_CHECKS += fuzz-check-load
