# A corpus database with a full-text index, from the corpus directory.
# Reference: the sqlite3 command-line shell reading the same files (fsdir)
# into a table (id, title = first line, text) and building an FTS5 index of
# title and text with its unicode61 tokenizer, in WAL mode and one
# transaction.  corpusrun's corpus.ingest also stores
# path, metadata (JSON), bytes and a SHA-256 content hash per document,
# commits every 500 documents, and tokenises with corpusrun's tokenizer
# (UAX #29 + tailoring, NFKC_Casefold, marks and possessives stripped).
. "$(dirname "$0")/lib/bench.sh"
dir=$(bench_data dir) || exit 1
q() { printf '%q' "$1"; }
db=$BENCH_TMP/ingest.db
sql=$BENCH_TMP/ingest.sql
cat > "$sql" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE documents (n INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, text TEXT);
CREATE VIRTUAL TABLE documents_fts USING fts5 (title, text, content = 'documents', content_rowid = 'n',
  tokenize = 'unicode61 remove_diacritics 2');
BEGIN;
INSERT INTO documents (id, title, text)
  SELECT name, substr(CAST(data AS TEXT), 1, instr(CAST(data AS TEXT) || char(10), char(10)) - 1),
         CAST(data AS TEXT)
  FROM fsdir('$dir') WHERE mode & 0x8000 ORDER BY name;
INSERT INTO documents_fts (rowid, title, text) SELECT n, title, text FROM documents;
COMMIT;
SELECT count(*) FROM documents;
SQL

bench_table ingest "Corpus database with a full-text index" "$dir" \
  "Both index title (first line) and text. Rows: build from scratch; corpusrun again over the finished database (nothing changed: hashes only)."
bench_ref "sqlite3 shell: fsdir + FTS5 unicode61" "rm -f $(q "$db")*; sqlite3 $(q "$db") < $(q "$sql")"
label="corpusrun corpus.ingest (tokenizer corpusrun)"
if bench_probe "$label" "$(q "$CORPUSRUN") -e \"assert(require('corpusdb'))\""; then
  bench_run "$label" "rm -f $(q "$db")*; $(q "$CORPUSRUN") -e $(q "local s = require('corpus').ingest('$dir', '$db'); print(s.added)")"
  bench_run "corpusrun re-ingest, unchanged" "$(q "$CORPUSRUN") -e $(q "local s = require('corpus').ingest('$dir', '$db'); print(s.unchanged)")"
fi
