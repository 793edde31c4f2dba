#!/bin/bash
# tok_fuzz.sh — a bounded, deterministic libFuzzer run over the tokenizer core
# (make fuzz-check: seed 1, FUZZ_RUNS inputs from tests/fuzz/seeds).  Needs
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
  echo "ok 1 - fuzzer: $(printf '%s\n' "$out" | grep -o 'Done [0-9]* runs.*' | tail -n 1)"
else
  echo "not ok 1 - fuzzer run is clean"
  printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
  exit 1
fi
