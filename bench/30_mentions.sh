# Mention counts of names, with the 50 and with the 10 000 most frequent proper
# nouns of Brown (bench/lib/data.lua).  Reference: grep -o -i -w -F -f names |
# sort | uniq -c.  With 10 000 names grep and Python's regular expressions run
# at well under 1 MB/s here, so that table uses the 500-file base corpus (6 MB)
# unless BENCH_MENTIONS_FULL=1.
. "$(dirname "$0")/lib/bench.sh"
base=$(bench_data plain) || exit 1
q() { printf '%q' "$1"; }
ref=bench/lib/ref

for n in 50 10000; do
  names=$(bench_data names "$n") || exit 1
  tsv=${names%.txt}.tsv
  data=$(bench_data dir) || exit 1
  [ "$n" -gt 50 ] && [ -z "${BENCH_MENTIONS_FULL:-}" ] && data=$base
  L=$(bench_files "$data")
  bench_table "mentions-$n" "Mentions of $n names" "$data" \
    "Names: the $n most frequent proper nouns and proper-noun runs of the tagged Brown corpus."
  bench_ref "grep -o -i -w -F -f names | sort | uniq -c" \
    "xargs -0 grep -h -o -i -w -F -f $(q "$names") < $(q "$L") | sort | uniq -c | sort -rn"
  bench_run "python3 re alternation + Counter" "$BENCH_PYTHON $ref/mentions_re.py $(q "$names") $(q "$L")"
  for j in 1 2; do
    label="corpusrun scripts/mentions.lua -j $j"
    if [ ! -f scripts/mentions.lua ]; then bench_na "$label" "not yet available (no scripts/mentions.lua)"; continue; fi
    if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") scripts/mentions.lua -q --no-discover --entities $(q "$tsv")" "[Kk]ennedy|[Ww]ashington"; then
      bench_run "$label" "$(q "$CORPUSRUN") -j $j -c $(q "$data") scripts/mentions.lua -q --no-discover --entities $(q "$tsv")"
    fi
  done
done
