# mk/tok.mk — the tokenizer: Unicode tables, conformance data, fuzzing.

# unicode-data: the UCD files the table generator and the conformance tests read.
# clang + libclang-rt-14-dev: the libFuzzer harness (make fuzz).
DEB_TEST_PACKAGES += unicode-data clang libclang-rt-14-dev

UNICODE_DIR ?= /usr/share/unicode

.PHONY: unicode-tables
# Regenerates the committed Word_Break/Sentence_Break/emoji tables.
unicode-tables:
	lua5.4 tools/gen_unicode_tables.lua $(UNICODE_DIR) host/text

# Snowball stemmers for tokenize.stem and the stem= option.
DEB_PACKAGES += libstemmer-dev
EXTRA_LIBS   += -lstemmer

STOPWORDS_ISO_VERSION ?= 1.1.0
.PHONY: stopwords
# Regenerates host/text/stopwords_data.c from the npm package stopwords-iso.
stopwords:
	@mkdir -p $(BUILD)/npm
	cd $(BUILD)/npm && npm pack --silent stopwords-iso@$(STOPWORDS_ISO_VERSION) && \
	  tar xzf stopwords-iso-$(STOPWORDS_ISO_VERSION).tgz
	STOPWORDS_ISO_VERSION=$(STOPWORDS_ISO_VERSION) \
	  lua5.4 tools/gen_stopwords.lua $(BUILD)/npm/package/stopwords-iso.json host/text/stopwords_data.c

# ---- fuzzing (clang libFuzzer + ASan + UBSan) -------------------------------
#   make fuzz                   build and fuzz for FUZZ_TIME seconds (default 30)
#   make fuzz FUZZ_TIME=600     longer; new inputs go to build-fuzz/corpus/
#   make fuzz-check             a bounded, deterministic run (tests use it)
# The corpus starts from the hand-written seeds in tests/fuzz/seeds, copied
# into build-fuzz/: what the fuzzer generates never lands in the source tree.
FUZZ_RUNS    ?= 20000
FUZZ_FLAGS   := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
TOK_FUZZ_SRC := host/text/wordbreak.c host/text/sentbreak.c host/text/tokenizer.c \
                host/text/normalize.c host/text/ucd_tables.c host/text/buf.c
TOK_FUZZ_HDR := $(wildcard host/text/*.h)

.PHONY: fuzz fuzz-check fuzz-check-tok
build-fuzz/tok_fuzz: tests/fuzz/tok_fuzz.c $(TOK_FUZZ_SRC) $(TOK_FUZZ_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -D_DEFAULT_SOURCE -Ihost/text -o $@ tests/fuzz/tok_fuzz.c $(TOK_FUZZ_SRC) -lutf8proc

fuzz: build-fuzz/tok_fuzz
	@mkdir -p build-fuzz/corpus
	cp tests/fuzz/seeds/* build-fuzz/corpus/
	build-fuzz/tok_fuzz -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
	  -artifact_prefix=build-fuzz/ build-fuzz/corpus

# Starts from the seeds alone every time, so the run is the same every time;
# then every other target the fragments list in FUZZ_CHECKS (each parser: the
# loaders, the counters' dumps, the gazetteer files, the counting loop).
fuzz-check: fuzz-check-tok $(FUZZ_CHECKS)
fuzz-check-tok: build-fuzz/tok_fuzz
	rm -rf build-fuzz/check && mkdir -p build-fuzz/check
	cp tests/fuzz/seeds/* build-fuzz/check/
	build-fuzz/tok_fuzz -seed=1 -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 \
	  -artifact_prefix=build-fuzz/ build-fuzz/check

# ---- benchmark of the core (bench/40_tokenize.sh builds it) ------------------
$(BUILD)/tok_bench: bench/tok_bench.c $(BUILD)/libcorpustext.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ bench/tok_bench.c $(BUILD)/libcorpustext.a $(LDLIBS)
