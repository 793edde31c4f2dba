# query: the query language (host/text/cqp.c: PCRE2 over the lexicons) and
# the in-memory positional view (host/text/cpos_mem.c), bound as query.core.
DEB_PACKAGES += libpcre2-dev
PKG_MODULES  += libpcre2-8

# make fuzz-query [FUZZ_TIME=seconds]: libFuzzer (clang, from mk/load.mk's
# packages) on the query parser, its printer and the evaluation over a small
# corpus in memory, seeded from tests/data/query/fuzz.
QUERY_FUZZ_SRC := host/text/cqp.c host/text/cpos.c host/text/cpos_mem.c host/text/buf.c host/text/load_annot.c host/text/counter.c \
                  host/text/tokenizer.c host/text/normalize.c host/text/wordbreak.c host/text/sentbreak.c \
                  host/text/ucd_tables.c host/text/interrupt.c
QUERY_FUZZ_FLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                   -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Ihost/text

build-fuzz/query_fuzz_cqp: tests/fuzz/query_fuzz_cqp.c $(QUERY_FUZZ_SRC) host/text/cqp.h host/text/cpos_mem.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(QUERY_FUZZ_FLAGS) -o $@ $< $(QUERY_FUZZ_SRC) -lpcre2-8 -lutf8proc

.PHONY: fuzz-query fuzz-check-query
fuzz-query: fuzz-load-deps build-fuzz/query_fuzz_cqp
	@rm -rf build-fuzz/corpus-query && mkdir -p build-fuzz/corpus-query && cp tests/data/query/fuzz/* build-fuzz/corpus-query/
	build-fuzz/query_fuzz_cqp -max_total_time=$(FUZZ_TIME) -max_len=512 -print_final_stats=1 build-fuzz/corpus-query

# fuzz-check (mk/tok.mk) runs it for FUZZ_RUNS inputs from the seeds.
fuzz-check-query: build-fuzz/query_fuzz_cqp
	@rm -rf build-fuzz/check-query && mkdir -p build-fuzz/check-query && cp tests/data/query/fuzz/* build-fuzz/check-query/
	build-fuzz/query_fuzz_cqp -seed=1 -runs=$(FUZZ_RUNS) -max_len=512 -timeout=10 \
	  -artifact_prefix=build-fuzz/ build-fuzz/check-query
FUZZ_CHECKS += fuzz-check-query

# the reference matcher's random queries take a minute: make test runs them,
# make check does not
SLOW_TESTS += tests/query_reference.lua
