# mk/engine.mk — the count and match engine: the C baseline of its benchmarks.

.PHONY: engine-bench-tools
engine-bench-tools: $(BUILD)/bench/engine_scan

# (this file is read before the Makefile defines TEXT_LIB: name the library)
$(BUILD)/bench/engine_scan: bench/engine_scan.c $(BUILD)/libcorpustext.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(TEXT_LIB) $(LDLIBS)

# make fuzz-engine [FUZZ_TIME=seconds]: libFuzzer (clang, from mk/load.mk and
# mk/tok.mk's packages) on the dump parsers, the gazetteer loaders, the
# discovery scan and the counting loop of cr_freq_add_text.
ENGINE_FUZZ_SRC := host/text/counter.c host/text/cooc.c host/text/gazetteer.c host/text/gaztext.c \
                   host/text/load_decode.c host/text/load_util.c \
                   host/text/countext.c host/text/discover.c host/text/tokenizer.c host/text/normalize.c \
                   host/text/wordbreak.c host/text/sentbreak.c host/text/ucd_tables.c host/text/buf.c \
                   host/text/pathpolicy.c host/text/textopts.c
ENGINE_FUZZ_FLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                    -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Ihost/text

.PHONY: fuzz-engine
build-fuzz/engine_fuzz_%: tests/fuzz/engine_fuzz_%.c $(ENGINE_FUZZ_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ENGINE_FUZZ_FLAGS) -o $@ $< $(ENGINE_FUZZ_SRC) $(shell pkg-config --libs libutf8proc) -lm

ENGINE_FUZZ_BIN := build-fuzz/engine_fuzz_undump build-fuzz/engine_fuzz_gaz build-fuzz/engine_fuzz_discover \
                   build-fuzz/engine_fuzz_freq

fuzz-engine: $(ENGINE_FUZZ_BIN) engine-fuzz-seeds
	@for t in undump gaz discover freq; do \
	  echo "fuzz-engine: $$t for $(FUZZ_TIME)s"; \
	  build-fuzz/engine_fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=4096 -print_final_stats=1 \
	    build-fuzz/corpus-engine-$$t || exit 1; \
	done

# The hand-written seeds of the engine's targets, in build-fuzz/corpus-engine-*.
.PHONY: engine-fuzz-seeds
engine-fuzz-seeds:
	@mkdir -p build-fuzz/corpus-engine-gaz build-fuzz/corpus-engine-undump build-fuzz/corpus-engine-discover \
	  build-fuzz/corpus-engine-freq
	@printf '\001\004\005The Society of Iranian Experts met the U.N. in Brussels.' > build-fuzz/corpus-engine-discover/seed
	@printf '\000entity\ttype\talias\nEU\tORG\tEU\nIran\tGPE\tIran*\n' > build-fuzz/corpus-engine-gaz/tsv
	@printf '\001{"label": "ORG", "pattern": [{"LOWER": "eu"}], "id": "x"}\n' > build-fuzz/corpus-engine-gaz/jsonl
	@printf '\000\000The well-known U.S. senator didn'"'"'t say; "Iran" -- e-mail x@y.org, 1,000.' \
	  > build-fuzz/corpus-engine-freq/seed
	@printf '\000\000The Fulton County Grand Jury said Friday an investigation of Atlanta'"'"'s recent primary election\nproduced "no evidence" that any irregularities took place. The jury further said, in term-end presentments, that the City Executive Committee had charge of the election.' \
	  > build-fuzz/corpus-engine-freq/prose

# fuzz-check (mk/tok.mk) runs each for FUZZ_RUNS inputs from its seeds.
fuzz-check-engine: $(ENGINE_FUZZ_BIN) engine-fuzz-seeds
	@for t in undump gaz discover freq; do \
	  rm -rf build-fuzz/check-engine-$$t && cp -r build-fuzz/corpus-engine-$$t build-fuzz/check-engine-$$t; \
	  build-fuzz/engine_fuzz_$$t -seed=1 -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 \
	    -artifact_prefix=build-fuzz/ build-fuzz/check-engine-$$t || exit 1; \
	done
FUZZ_CHECKS += fuzz-check-engine
