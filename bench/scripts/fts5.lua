-- FTS5 ingest with corpusrun: every document of the corpus (-c PATH) into an
-- FTS5 table of the database DB (created anew), in one transaction, with the
-- tokenizer TOKENIZER (default corpusrun, else e.g. unicode61); prints the
-- number of documents indexed.   usage: fts5.lua DB [TOKENIZER]
local corpus, sqlite3 = require "corpus", require "lsqlite3"
local path, tokenizer = assert(arg[1], "usage: fts5.lua DB [TOKENIZER]"), arg[2] or "corpusrun"
os.remove(path)
local db = assert(sqlite3.open(path))
local function exec(sql) assert(db:exec(sql) == sqlite3.OK, db:errmsg()) end
exec("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize = '" .. tokenizer .. "')")
local insert = assert(db:prepare("INSERT INTO docs(id, body) VALUES (?, ?)"), db:errmsg())
local c = assert(corpus.open())
exec("BEGIN")
local n = 0
for doc in c:docs() do
  insert:bind_values(doc.id, doc.text)
  assert(insert:step() == sqlite3.DONE, db:errmsg())
  insert:reset()
  n = n + 1
end
exec("COMMIT")
insert:finalize()
db:close()
os.remove(path)
print(n)
