#!/bin/bash
# tok_fuzz.sh — a bounded, deterministic libFuzzer run over every fuzz target
# (make fuzz-check: the tokenizer core, the loaders' readers, the counters'
# dumps, the gazetteer files, the counting loop; seed 1, FUZZ_RUNS inputs
# each from their hand-written seeds): each builds and runs clean.  Needs
# clang and libclang-rt-14-dev; skips without them, except under CI=true.
echo "1..1"
if [ -n "${CORPUSRUN_SANITIZED:-}" ]; then
  echo "ok 1 # skip the fuzzer runs once, in the plain suite (it has its own sanitizers)"; exit 0
fi
probe=$(mktemp -d) || exit 1
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$probe/p.c"
if ! clang -fsanitize=fuzzer -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "not ok 1 - clang with libFuzzer available (CI installs clang and libclang-rt-14-dev)"; exit 1
  fi
  echo "ok 1 # skip clang with libFuzzer missing (apt-get install clang libclang-rt-14-dev)"; exit 0
fi
if out=$(make -s fuzz-check 2>&1); then
  echo "ok 1 - fuzzers: $(printf '%s\n' "$out" | grep -c 'Done [0-9]* runs') targets, each $(printf '%s\n' "$out" | grep -o 'Done [0-9]* runs' | head -n 1 | grep -o '[0-9]*') inputs"
else
  echo "not ok 1 - fuzzer run is clean"
  printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
  exit 1
fi
