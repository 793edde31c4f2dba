# Full-text index: the corpus into an SQLite FTS5 table on disk, with the
# sqlite3 shell (unicode61) and with corpusrun's lsqlite3 (bench/scripts/fts5.lua:
# corpusrun's own tokenizer, and unicode61 to separate loading from tokenising).
# Reference: the sqlite3 shell.
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) && base=$(bench_data plain) || exit 1
q() { printf '%q' "$1"; }
ref=bench/lib/ref
db=$BENCH_TMP/fts.db

bench_table fts5 "FTS5 ingest" "$dir" "Every document into an FTS5 table in a database file, one transaction."
bench_ref "sqlite3 shell, fsdir(), FTS5 unicode61" "bash $ref/fts5_ingest.sh $(q "$dir") $(q "$db")"
bench_run "sqlite3 shell + fts5vocab word list" "bash $ref/fts5_freq.sh $(q "$dir") $(q "$db")"
for tok in corpusrun unicode61; do
  label="corpusrun bench/scripts/fts5.lua ($tok)"
  if bench_probe "$label" "$(q "$CORPUSRUN") -c $(q "$base") bench/scripts/fts5.lua $(q "$db") $tok" "^500$"; then
    bench_run "$label" "$(q "$CORPUSRUN") -c $(q "$dir") bench/scripts/fts5.lua $(q "$db") $tok"
  fi
done
