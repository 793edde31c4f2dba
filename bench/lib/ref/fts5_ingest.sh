# FTS5 ingest with the sqlite3 shell: the files into an FTS5 table (unicode61)
# on disk, then the number of indexed documents.
# usage: bash fts5_ingest.sh DIR DBFILE
dir=$1 db=$2
rm -f "$db" "$db-journal"
sqlite3 "$db" <<SQL
CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize = 'unicode61');
INSERT INTO docs(path, body)
  SELECT name, CAST(data AS TEXT) FROM fsdir('$dir') WHERE name LIKE '%.txt';
SELECT count(*) FROM docs;
SQL
status=$?
rm -f "$db"
exit $status
