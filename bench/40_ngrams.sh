# Bigram counts and window-5 co-occurrence over the corpus directory: Python
# (re.findall + Counter) and corpusrun (count.ngrams, count.cooc through
# c:fold, bench/scripts/ngrams.lua and cooc.lua).  Reference: wc -w.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) && base=$(bench_data plain) || exit 1
L=$(bench_files "$dir")
q() { printf '%q' "$1"; }
ref=bench/lib/ref

bench_table bigrams "Bigram counts" "$dir" "Every bigram with its count, most frequent first."
bench_ref "wc -w" "xargs -0 wc -w < $(q "$L") | tail -n 1"
bench_run "python3 re.findall + zip + Counter" "$BENCH_PYTHON $ref/bigrams_re.py $(q "$L")"
for j in 1 2; do
  label="corpusrun bench/scripts/ngrams.lua -j $j"
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") bench/scripts/ngrams.lua 2" "[[:space:]]of the$"; then
    bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$dir") bench/scripts/ngrams.lua 2"
  fi
done
label="corpusrun scripts/freq.lua -N 2 -j 1"
if [ ! -f scripts/freq.lua ]; then bench_na "$label" "not yet available (no scripts/freq.lua)"
elif bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") scripts/freq.lua -N 2" "of the"; then
  bench_run "$label" "$(q "$CORPUSRUN") -j 1 -c $(q "$dir") scripts/freq.lua -N 2"
fi

bench_table cooc "Co-occurrence, window 5" "$dir" \
  "Unordered pairs of words at most 5 words apart; the 1000 most frequent printed, and the number of pairs."
bench_ref "wc -w" "xargs -0 wc -w < $(q "$L") | tail -n 1"
bench_run "python3 re.findall + Counter" "$BENCH_PYTHON $ref/cooc_re.py $(q "$L") 5"
for j in 1 2; do
  label="corpusrun bench/scripts/cooc.lua -j $j"
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") bench/scripts/cooc.lua 5" "[[:space:]]the([[:space:]]|$)"; then
    bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$dir") bench/scripts/cooc.lua 5"
  fi
done
