# The tokenizer on its own: UAX #29 word boundaries, tailored tokens with
# kinds, words normalised with casefold (what count's add_text does per
# document), sentences, and the Lua iterator tokenize.words, beside wc -w on
# the same files.  build/tok_bench (bench/tok_bench.c) drives the C core.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) || exit 1
L=$(bench_files "$dir")
q() { printf '%q' "$1"; }
make -s build/tok_bench >&2 || exit 1

bench_table tokenize "Tokenizer" "$dir" \
  "One core; file reading included. The C rows are the core loops count and match run per document; the Lua rows add one iterator call and one Lua string per word."
bench_ref "wc -w" "xargs -0 wc -w < $(q "$L") | tail -n 1"
bench_run "C: UAX #29 word boundaries" "build/tok_bench segment < $(q "$L")"
bench_run "C: tokens with kinds (tailored)" "build/tok_bench tokens < $(q "$L")"
bench_run "C: words + casefold" "build/tok_bench words < $(q "$L")"
bench_run "C: sentences (tailored)" "build/tok_bench sentences < $(q "$L")"
if bench_probe "Lua: tokenize.words iterator" "$(q "$CORPUSRUN") -e 'print(require(\"tokenize\").words)'" "function"; then
  bench_run "Lua: tokenize.words iterator" "$(q "$CORPUSRUN") bench/scripts/tokenize_words.lua < $(q "$L")"
  bench_run "Lua: tokenize.words {table = true}" "$(q "$CORPUSRUN") bench/scripts/tokenize_words.lua table < $(q "$L")"
fi
