# Word frequency list (case-insensitive) over the corpus directory: the tools an
# analyst would reach for, and corpusrun on one and on two cores: the full list
# (bench/scripts/wordfreq.lua: count.freq through c:fold) and scripts/freq.lua
# as users run it (top 30 with dispersion, two passes).  Reference: wc -w,
# which counts words without counting each one.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) || exit 1
L=$(bench_files "$dir")
base=$(bench_data plain) || exit 1
q() { printf '%q' "$1"; }
ref=bench/lib/ref

bench_table freq "Word frequency list" "$dir" \
  "Each command prints every word with its count; out lines = the types it found (each tool's idea of a word differs)."
bench_ref "wc -w" "xargs -0 wc -w < $(q "$L") | tail -n 1"
bench_run "cat" "xargs -0 cat < $(q "$L") > /dev/null"
bench_run "tr | sort | uniq -c" \
  "xargs -0 cat < $(q "$L") | tr -cs 'A-Za-z' '\n' | tr 'A-Z' 'a-z' | sort | uniq -c | sort -rn"
bench_run "python3 re.findall + Counter" "$BENCH_PYTHON $ref/freq_re.py $(q "$L")"
bench_run "lua5.4 gmatch(\"%a+\")" "lua5.4 $ref/freq_gmatch.lua $(q "$L")"
bench_run "NLTK word_tokenize + FreqDist" "$BENCH_PYTHON $ref/freq_nltk.py $(q "$L")"
bench_run "sqlite3 FTS5 unicode61 + fts5vocab" "bash $ref/fts5_freq.sh $(q "$dir") $(q "$BENCH_TMP/fts.db")"
for j in 1 2; do
  label="corpusrun bench/scripts/wordfreq.lua -j $j"
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") bench/scripts/wordfreq.lua" "^[0-9]+[[:space:]]the$"; then
    bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$dir") bench/scripts/wordfreq.lua"
  fi
done
for j in 1 2; do
  label="corpusrun scripts/freq.lua -j $j"
  if [ ! -f scripts/freq.lua ]; then bench_na "$label" "not yet available (no scripts/freq.lua)"; continue; fi
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") scripts/freq.lua" "(^|[[:space:]])the([[:space:]]|$)"; then
    bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$dir") scripts/freq.lua"
  fi
done
