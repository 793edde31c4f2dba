# index.mk — the positional index (host/text/cindex*.c).
#
# The reader's fuzz target: an index built for real from the input's text,
# damaged as the input says (optionally with its header and table resealed,
# so that the damage reaches the sections' own checks), opened and read
# through every operation.  Seeds are hand-written texts and damages.
INDEX_FUZZ_SRC := host/text/cindex.c host/text/cindex_build.c host/text/cpos.c host/text/tokenizer.c \
                  host/text/normalize.c host/text/wordbreak.c host/text/sentbreak.c host/text/ucd_tables.c \
                  host/text/buf.c host/text/pathpolicy.c host/text/load_annot.c host/text/load_util.c \
                  host/text/load_decode.c host/text/counter.c
build-fuzz/index_fuzz_reader: tests/fuzz/index_fuzz_reader.c $(INDEX_FUZZ_SRC) host/text/cindex.h host/text/cindex_fmt.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ENGINE_FUZZ_FLAGS) -o $@ $< $(INDEX_FUZZ_SRC) $(shell pkg-config --libs libutf8proc) -lm

.PHONY: index-fuzz-seeds fuzz-check-index fuzz-index
index-fuzz-seeds:
	@mkdir -p build-fuzz/corpus-index
	@printf '\000The cat sat on the mat. The Cat'"'"'s hat!\n\nA new paragraph.' > build-fuzz/corpus-index/plain
	@printf '\000caf\303\251 CAF\303\211\fsecond document here.\000\020\000\000\000\377' > build-fuzz/corpus-index/damaged
	@printf '\001the the THE.\000\100\000\000\000\001\200\000\000\000\040' > build-fuzz/corpus-index/resealed
	@printf '\003one two three\000\220\000\000\000\000' > build-fuzz/corpus-index/truncated

fuzz-check-index: build-fuzz/index_fuzz_reader index-fuzz-seeds
	rm -rf build-fuzz/check-index && cp -r build-fuzz/corpus-index build-fuzz/check-index
	build-fuzz/index_fuzz_reader -seed=1 -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 \
	  -artifact_prefix=build-fuzz/ build-fuzz/check-index
FUZZ_CHECKS += fuzz-check-index

fuzz-index: build-fuzz/index_fuzz_reader index-fuzz-seeds
	build-fuzz/index_fuzz_reader -max_total_time=$(FUZZ_TIME) -max_len=4096 -print_final_stats=1 build-fuzz/corpus-index

# The storage measured on an index (docs/performance.md, "The index"):
#   make build/index_bench && build/index_bench INDEX [ATTR...]
$(BUILD)/index_bench: bench/index_bench.c $(BUILD)/libcorpustext.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcorpustext.a $(LDLIBS)
