# The count and match engine: counting, co-occurrence and gazetteer matching
# against the bare tokenizer on the same files (bench/engine_scan.c, the C cores
# with no Lua), and the same work through corpusrun scripts (c:fold, add_text).
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) || exit 1
L=$(bench_files "$dir")
base=$(bench_data plain) || exit 1
names=$(bench_data names 10000) || exit 1
tsv=${names%.txt}.tsv
q() { printf '%q' "$1"; }
ref=bench/lib/ref
scan=${BUILD:-build}/bench/engine_scan
make --no-print-directory -s "$scan" >&2 || exit 1
script=bench/scripts/engine.lua

bench_table engine-freq "Engine: word frequencies" "$dir" \
  "Reference: the tokenizer alone, in C. engine_scan freq adds casefolding and counting (count.freq's add_text without Lua)."
bench_ref "engine_scan tok (bare tokenizer)" "$(q "$scan") tok $(q "$L")"
bench_run "engine_scan freq" "$(q "$scan") freq $(q "$L")"
if bench_probe "corpusrun count.freq add_text" "$(q "$CORPUSRUN") -c $(q "$base") $script freq" "^types"; then
  bench_run "corpusrun count.freq add_text" "$(q "$CORPUSRUN") -j 1 -c $(q "$dir") $script freq"
fi
bench_run "python3 re.findall + Counter" "$BENCH_PYTHON $ref/freq_re.py $(q "$L")"

bench_table engine-cooc "Engine: co-occurrence, window 5" "$dir" \
  "Pairs within 5 tokens, counted as integer id pairs in C. Reference: the tokenizer alone."
bench_ref "engine_scan tok (bare tokenizer)" "$(q "$scan") tok $(q "$L")"
bench_run "engine_scan cooc" "$(q "$scan") cooc $(q "$L")"
if bench_probe "corpusrun count.cooc add_text" "$(q "$CORPUSRUN") -c $(q "$base") $script cooc" "^pairs"; then
  bench_run "corpusrun count.cooc add_text" "$(q "$CORPUSRUN") -j 1 -c $(q "$dir") $script cooc"
fi

bench_table engine-gaz "Engine: gazetteer of 10 000 names" "$dir" \
  "The 10 000 most frequent Brown proper nouns as a gazetteer (names-10000.tsv), leftmost-longest on key-normalised tokens. Reference: the tokenizer alone."
bench_ref "engine_scan tok (bare tokenizer)" "$(q "$scan") tok $(q "$L")"
bench_run "engine_scan gaz" "$(q "$scan") gaz $(q "$L") $(q "$tsv")"
if bench_probe "corpusrun match g:count" "$(q "$CORPUSRUN") -c $(q "$base") $script gaz $(q "$tsv")" "^entities"; then
  bench_run "corpusrun match g:count" "$(q "$CORPUSRUN") -j 1 -c $(q "$dir") $script gaz $(q "$tsv")"
fi
