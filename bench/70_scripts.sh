# The scripts of scripts/ as analysts run them, each beside wc -w over the
# same files and at -j 1 and -j 2 in the same run: the commands run in
# rounds (every command once per round, BENCH_REPS rounds), so that the
# drift of a shared machine moves every row alike, and a note gives each
# script's -j 2 speedup (median -j 1 time / median -j 2 time).  The peak
# RSS column is the largest single process (at -j 2: a worker or the
# parent), which is what -j 2 must keep within 1.2 x -j 1.
. "$(dirname "$0")/lib/bench.sh"
q() { printf '%q' "$1"; }
dir=$(bench_data dir) || exit 1
L=$(bench_files "$dir")
base=$(bench_data plain) || exit 1

# label|arguments|a line its output on the base corpus must have
cases=(
  "freq.lua||[[:space:]]the[[:space:]]"
  "freq.lua -N 2|-N 2|of the"
  "freq.lua --stopwords en|--stopwords en|[[:space:]]time[[:space:]]"
  "kwic.lua house|house|house"
  "collocates.lua house|house|white"
  "collocates.lua --sentence house|--sentence house|white"
  "cooccur.lua|--top 20|^of +the "
  "cooccur.lua --unit window:5|--unit window:5|^of +the "
  "mentions.lua --discover|--discover|."
  "keyness.lua --target 'ca*'|--target 'ca*'|^mrs "
)

bench_table scripts "Scripts on one and two cores" "$dir" \
  "Every script with its default options and its common ones, at -j 1 and -j 2, interleaved in rounds with wc -w. The notes give each script's -j 2 speedup. discovery_eval.lua evaluates discovery on the tagged Brown files (its own data) and is not a corpus pass; ingest.lua and search.lua build and query a corpus database."
rows=("wc -w" "xargs -0 wc -w < $(q "$L") | tail -n 1")
ready=()
for c in "${cases[@]}"; do
  IFS='|' read -r label args pattern <<< "$c"
  if bench_probe "corpusrun $label -j 1" "$(q "$CORPUSRUN") --quiet -c $(q "$base") scripts/${label%% *} $args" "$pattern"; then
    ready+=("$label")
    for j in 1 2; do
      rows+=("corpusrun $label -j $j" "$(q "$CORPUSRUN") --quiet -j $j -c $(q "$dir") scripts/${label%% *} $args")
    done
  fi
done
bench_rounds "${rows[@]}"
for label in "${ready[@]}"; do
  w1=$(bench_result scripts "corpusrun $label -j 1" wall)
  w2=$(bench_result scripts "corpusrun $label -j 2" wall)
  r1=$(bench_result scripts "corpusrun $label -j 1" rss_kb)
  r2=$(bench_result scripts "corpusrun $label -j 2" rss_kb)
  if [ -n "$w1" ] && [ -n "$w2" ]; then
    bench_note "$(awk -v l="$label" -v a="$w1" -v b="$w2" -v m="$r1" -v n="$r2" \
      'BEGIN { printf "%s: -j 2 speedup %.2f, peak RSS -j 2 / -j 1 %.2f", l, a / b, (m > 0) ? n / m : 0 }')"
  fi
done
