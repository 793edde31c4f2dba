# Memory follows vocabulary, not corpus size: corpusrun's word counter
# (bench/scripts/wordfreq.lua 100: the top 100 and the number of types) on
# plain copies of Brown (fixed vocabulary) and on copies whose vocabulary
# grows, at BENCH_SIZE (and at 100M too when BENCH_SIZE=1G).  Reference: wc -w on
# the same data.
. "$(dirname "$0")/lib/bench.sh"
q() { printf '%q' "$1"; }
base=$(bench_data plain) || exit 1
# the sizes compared: 100M and 1G when BENCH_SIZE=1G, else BENCH_SIZE alone
case $BENCH_SIZE in 1G) sizes="100M 1G" ;; *) sizes=$BENCH_SIZE ;; esac
first=${sizes%% *}
label="corpusrun bench/scripts/wordfreq.lua 100"

why=$(bench_corpusrun_ready)
if [ -z "$why" ]; then
  if ! timeout 300 "$CORPUSRUN" -c "$base" bench/scripts/wordfreq.lua 100 > "$BENCH_TMP/probe" 2>&1; then
    why="not yet available: $(head -c 200 "$BENCH_TMP/probe" | head -n 2)"
  elif ! grep -q '^types' "$BENCH_TMP/probe"; then
    why="not yet available: no types line in its output on the base corpus"
  fi
fi

for kind in dir grow; do
  for size in $sizes; do
    data=$(bench_data "$kind" "$size") || exit 1
    what="fixed vocabulary"; [ "$kind" = grow ] && what="growing vocabulary"
    id=memory-$kind-$size
    bench_table "$id" "Memory, $what, $size" "$data"
    bench_ref "wc -w" "find $(q "$data") -type f -print0 | sort -z | xargs -0 wc -w | tail -n 1"
    if [ -n "$why" ]; then bench_na "$label" "$why"; continue; fi
    bench_run "$label" "$(q "$CORPUSRUN") -j 1 -c $(q "$data") bench/scripts/wordfreq.lua 100"
    rss=$(bench_result "$id" "$label" rss_kb)
    [ -n "$rss" ] || continue
    if [ "$kind" = grow ]; then
      types=$(bench_meta "$data" types)
      bench_note "$(awk -v r="$rss" -v t="$types" 'BEGIN {
        printf "%.1f bytes of peak RSS per type (%d KB over %d lowercased letter-run types; target < 100)", r * 1024 / t, r, t }')"
    fi
    if [ "$size" != "$first" ]; then
      small=$(bench_result "memory-$kind-$first" "$label" rss_kb)
      [ -n "$small" ] && bench_note "$(awk -v a="$rss" -v b="$small" -v s="$size" -v f="$first" -v k="$kind" 'BEGIN {
        printf "peak RSS at %s / at %s = %.2f%s", s, f, a / b, (k == "dir") ? " (target <= 1.25)" : "" }')"
    fi
  done
done
