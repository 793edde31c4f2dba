# mk/tagger.mk — the part-of-speech tagger (host/text/postag.c): its model,
# trained on the tagged Brown corpus by tools/postag_train.c, is built on
# first use into $(BUILD)/postag.model (about 14 MB, so not kept in git); the
# recipe below fixes everything it depends on, so the same Brown files give
# the same model bit for bit (its SHA-256 names it in receipts).
#
#   make tagger-model    train the model (about 20 s)
#   make tagger-eval     accuracy on the held-out tenth of Brown, known and
#                        unknown words apart, and the tagging speed
#   make fuzz-tagger     libFuzzer on the model loader for FUZZ_TIME seconds

# the recipe: train on every file but each tenth by sorted name, 5 passes, seed 1
TAGGER_ITERS := 5
TAGGER_SEED  := 1
TAGGER_MODEL  = $(BUILD)/postag.model
BROWN_TAGGED := bench/data/brown-tagged

.PHONY: tagger-model tagger-eval fuzz-tagger fuzz-check-tagger
# The trainer links only the cores it uses, so that a change elsewhere in
# host/text does not train the model again.
POSTAG_TRAIN_OBJ = $(addprefix $(BUILD)/host/text/,postag.o lemma.o sha256.o pathpolicy.o)
$(BUILD)/tools/postag_train: tools/postag_train.c $(POSTAG_TRAIN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ tools/postag_train.c $(POSTAG_TRAIN_OBJ) $(LDLIBS)

$(BROWN_TAGGED)/ca01:
	BENCH_DATA='$(CURDIR)/bench/data' lua5.4 bench/lib/data.lua ensure tagged

$(TAGGER_MODEL): $(BUILD)/tools/postag_train $(BROWN_TAGGED)/ca01 mk/tagger.mk
	$(BUILD)/tools/postag_train train $(BROWN_TAGGED) $@.tmp $(TAGGER_ITERS) $(TAGGER_SEED)
	mv $@.tmp $@

tagger-model: $(TAGGER_MODEL)

tagger-eval: $(TAGGER_MODEL)
	$(BUILD)/tools/postag_train eval $(BROWN_TAGGED) $(TAGGER_MODEL)

# The loader under libFuzzer, seeded from a small model trained by the fuzzer
# itself (tests/fuzz/postag_fuzz.c writes none into git).
TAGGER_FUZZ_SRC := host/text/postag.c host/text/sha256.c host/text/pathpolicy.c
build-fuzz/postag_fuzz: tests/fuzz/postag_fuzz.c $(TAGGER_FUZZ_SRC) host/text/postag.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -D_DEFAULT_SOURCE -Ihost/text -o $@ tests/fuzz/postag_fuzz.c \
	  $(TAGGER_FUZZ_SRC) $(shell pkg-config --libs nettle)

fuzz-tagger: build-fuzz/postag_fuzz
	@mkdir -p build-fuzz/corpus-postag
	build-fuzz/postag_fuzz -max_total_time=$(FUZZ_TIME) -timeout=10 -artifact_prefix=build-fuzz/ \
	  build-fuzz/corpus-postag

fuzz-check-tagger: build-fuzz/postag_fuzz
	rm -rf build-fuzz/check-postag && mkdir -p build-fuzz/check-postag
	build-fuzz/postag_fuzz -seed=1 -runs=$(FUZZ_RUNS) -timeout=10 -artifact_prefix=build-fuzz/ \
	  build-fuzz/check-postag
FUZZ_CHECKS += fuzz-check-tagger

SLOW_TESTS += tests/tagger_brown.sh

# The lemmatiser's tables, generated at build time from WordNet's database.
DEB_PACKAGES += wordnet-base
WORDNET_DIR ?= /usr/share/wordnet
$(BUILD)/lemma_data.h: tools/gen_lemma_tables.lua
	@mkdir -p $(@D)
	lua5.4 tools/gen_lemma_tables.lua $(WORDNET_DIR) $@
$(BUILD)/host/text/lemma.o $(BUILD)/pic/host/text/lemma.o: $(BUILD)/lemma_data.h
