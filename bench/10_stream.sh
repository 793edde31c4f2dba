# Reading the corpus: every byte read once, by the shell tools and by corpusrun
# (bench/scripts/stream.lua: every document through corpus.open and c:fold),
# from a directory of files, one JSONL file and a .tar.gz.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) && jsonl=$(bench_data jsonl) && tgz=$(bench_data tgz) || exit 1
L=$(bench_files "$dir")
base=$(bench_data plain) || exit 1
q() { printf '%q' "$1"; }

bench_table stream "Reading the corpus" "$dir" \
  "Every document read once; MB/s counts the text bytes, whatever the container."
bench_ref "cat (directory)" "xargs -0 cat < $(q "$L") > /dev/null"
bench_run "wc -l (directory)" "xargs -0 wc -l < $(q "$L") | tail -n 1"
bench_run "cat (JSONL)" "cat $(q "$jsonl") > /dev/null"
bench_run "tar -xzOf (.tar.gz)" "tar -xzOf $(q "$tgz") > /dev/null"
for spec in "directory:$dir" "JSONL:$jsonl" ".tar.gz:$tgz"; do
  what=${spec%%:*} path=${spec#*:}
  label="corpusrun stream.lua ($what)"
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") bench/scripts/stream.lua" "^500[[:space:]]"; then
    bench_run "$label" "$(q "$CORPUSRUN") -j 1 -c $(q "$path") bench/scripts/stream.lua"
  fi
done
