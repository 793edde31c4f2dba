# Word frequencies with the sqlite3 shell: the files into an FTS5 table
# (unicode61 tokenizer), then the vocabulary with counts from fts5vocab.
# usage: bash fts5_freq.sh DIR DBFILE
dir=$1 db=$2
rm -f "$db" "$db-journal"
sqlite3 "$db" <<SQL
CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize = 'unicode61');
INSERT INTO docs(path, body)
  SELECT name, CAST(data AS TEXT) FROM fsdir('$dir') WHERE name LIKE '%.txt';
CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');
.mode tabs
SELECT cnt, term FROM vocab ORDER BY cnt DESC, term;
SQL
status=$?
rm -f "$db"
exit $status
