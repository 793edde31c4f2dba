# Mention counts of names over the corpus directory, with the 50 and with the
# 10 000 most frequent proper nouns of Brown (bench/lib/data.lua).  Reference:
# grep -o -i -w -F -f names | sort | uniq -c.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) || exit 1
L=$(bench_files "$dir")
base=$(bench_data plain) || exit 1
q() { printf '%q' "$1"; }
ref=bench/lib/ref

for n in 50 10000; do
  names=$(bench_data names "$n") || exit 1
  tsv=${names%.txt}.tsv
  bench_table "mentions-$n" "Mentions of $n names" "$dir" \
    "Names: the $n most frequent proper nouns and proper-noun runs of the tagged Brown corpus."
  bench_ref "grep -o -i -w -F -f names | sort | uniq -c" \
    "xargs -0 grep -h -o -i -w -F -f $(q "$names") < $(q "$L") | sort | uniq -c | sort -rn"
  if [ "$n" -le 50 ] || [ -n "${BENCH_SLOW_REFS:-}" ]; then
    bench_run "python3 re alternation + Counter" "$BENCH_PYTHON $ref/mentions_re.py $(q "$names") $(q "$L")"
  else
    bench_na "python3 re alternation + Counter" \
      "skipped: about 0.08 MB/s with 10 000 names (80 s on the 6 MB base corpus); BENCH_SLOW_REFS=1 runs it"
  fi
  for j in 1 2; do
    label="corpusrun scripts/mentions.lua -j $j"
    if [ ! -f scripts/mentions.lua ]; then bench_na "$label" "not yet available (no scripts/mentions.lua)"; continue; fi
    if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") scripts/mentions.lua -e $(q "$tsv")" "[Kk]ennedy|[Ww]ashington"; then
      bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$dir") scripts/mentions.lua -e $(q "$tsv")"
    fi
  done
done
