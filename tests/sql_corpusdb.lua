-- corpusdb: ingest (incremental), open as a corpus, full-text search with
-- the corpusrun FTS5 tokenizer.
local t = require "tap"
local corpus = require "corpus"
local corpusdb = require "corpusdb"
local tokenize = require "tokenize"
local sqlite3 = require "lsqlite3"

local tmp = os.tmpname()
os.remove(tmp)
local dbpath = tmp .. ".db"
local dir = tmp .. ".d"
local function sh(cmd) assert(os.execute(cmd)) end
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
end
local function cleanup()
  for _, s in ipairs({ "", "-wal", "-shm" }) do os.remove(dbpath .. s) end
  sh("rm -rf " .. t.shell_quote(dir))
end

-- ingest the sample corpus -----------------------------------------------------
local stats = corpusdb.ingest("corpus", dbpath)
t.is_deeply({ stats.added, stats.changed, stats.unchanged, stats.removed, stats.documents },
  { 5, 0, 0, 0, 5 }, "first ingest adds every document")
local again = corpusdb.ingest("corpus", dbpath)
t.is_deeply({ again.added, again.changed, again.unchanged, again.removed }, { 0, 0, 5, 0 },
  "a second ingest changes nothing")

local raw = sqlite3.open(dbpath)
for mode in raw:urows("PRAGMA journal_mode") do t.is(mode, "wal", "the database is in WAL mode") end
raw:close()

local src = corpus.open("corpus")
local c = corpus.open(dbpath)
t.is(getmetatable(c).__name, "corpusrun.CorpusDB", "corpus.open of a corpus database delegates to corpusdb")
t.is(#c, 5, "#c")
t.like(tostring(c), "^CorpusDB .* %(5 documents%)$", "tostring")
do
  local a, b = {}, {}
  for doc in src:docs() do a[#a + 1] = { doc.id, doc.path, doc.title, doc.text, doc.bytes } end
  for doc in c:docs() do b[#b + 1] = { doc.id, doc.path, doc.title, doc.text, doc.bytes } end
  t.is_deeply(b, a, "documents stream back in order with id, path, title, text and bytes")
  local first
  for doc in c:docs() do first = doc; break end
  t.is(tostring(first), tostring(src:get(first.id)), "documents print like other corpora's")
end
t.is_deeply(c:ids(), src:ids(), "ids")
t.is(c:get("002_1b50013527941c34.txt").title, "Urgent Call to Protect Political Refugees in Belgium", "get")
t.is(c:get("nope"), nil, "get of an unknown id")
t.is(#c:fingerprint(), 32, "fingerprint has 32 hex digits")
t.is(corpus.open(dbpath):fingerprint(), c:fingerprint(), "and is stable")
local list, counts = c:problems()
t.ok(#list == 0 and counts.skipped == 0, "no problems")

-- the index agrees with tokenize.tokens ------------------------------------------------
do
  local kinds = "word,number,url,email,mention,hashtag,emoji,id"
  local r = sqlite3.open(dbpath)
  r:exec("CREATE TEMP TABLE IF NOT EXISTS x(y)")
  local ok = r:exec("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, documents_fts, 'instance')")
  t.is(ok, sqlite3.OK, "an instance vocabulary over the index")
  local all_same, checked = true, 0
  for doc in c:docs() do
    local n
    for x in r:urows("SELECT n FROM documents WHERE id = ?", doc.id) do n = x end
    local got = {}
    for term in r:urows("SELECT term FROM temp.v WHERE doc = ? AND col = 'text' ORDER BY offset", n) do got[#got + 1] = term end
    local want = {}
    for text in tokenize.tokens(doc.text, { kinds = kinds, level = "key" }) do
      if text ~= "" then want[#want + 1] = text end
    end
    checked = checked + #want
    if not t.deep_eq(got, want) then
      all_same = false
      t.diag(doc.id .. ": " .. #got .. " terms in the index, " .. #want .. " from tokenize.tokens")
    end
  end
  t.ok(all_same and checked > 2000, "FTS5 terms equal tokenize.tokens on the sample corpus (" .. checked .. " tokens)")
  r:close()
end

-- search -----------------------------------------------------------------------------------
do
  local hits = c:search("Zakani")
  t.is(#hits, 1, "one document mentions Zakani")
  t.is(hits[1].id, "000_bffbd40d78d47571.txt", "the right one")
  t.ok(hits[1].rank < 0, "bm25 rank (lower is better)")
  t.like(hits[1].snippet, "%[Zakani%]", "a highlighted snippet")
  t.is(hits[1].text, src:get(hits[1].id).text, "hits are whole documents")
  local r = c:search("Iran")
  t.ok(#r >= 3, "a common word matches several documents")
  local sorted = true
  for i = 2, #r do if r[i].rank < r[i - 1].rank then sorted = false end end
  t.ok(sorted, "best first")
  t.is(#c:search("Iran", { limit = 2 }), 2, "limit")
  t.is(c:search("Iran", { offset = 1 })[1].id, r[2].id, "offset")
  t.is(c:search("Iran", { snippet = false })[1].snippet, nil, "snippet = false")
  t.like(c:search("Zakani", { mark = { "<b>", "</b>" } })[1].snippet, "<b>Zakani</b>", "mark")
  t.ok(#c:search('"Belgian mayors"') >= 1, "phrase query")
  t.ok(#c:search("zak*") >= 1, "prefix query")
  t.is(#c:search("NEAR(Alireza Zakani, 0)"), 1, "NEAR query")
  t.ok(#c:search("Iran NOT Zakani") == #r - 1 or #c:search("Iran NOT Zakani") >= 1, "boolean query")
  local none, msg = c:search('"unbalanced')
  t.ok(none == nil and msg:find("unterminated string"), "a bad query returns nil, message", tostring(msg))
  t.is(#c:search("title:Urgent"), 1, "column filter")
  -- a typed ASCII apostrophe in a term (not FTS5 bareword syntax)
  local function ids(q)
    local hits, err = c:search(q, { snippet = false, limit = 100 })
    if not hits then return "error: " .. tostring(err) end
    local out = {}
    for _, h in ipairs(hits) do out[#out + 1] = h.id end
    return table.concat(out, " ")
  end
  local zak = ids("Zakani")
  t.is(ids("zakani's"), zak, "an ASCII possessive in a query term")
  t.is(ids("Zakani\u{2019}s"), zak, "a typographic one")
  t.is(ids('"zakani\'s"'), zak, "inside a phrase")
  t.is(ids("zakani's*"), zak, "as a prefix")
  t.is(ids("text:zakani's"), zak, "after a column filter")
  t.is(ids("NEAR(Alireza Zakani's, 0)"), zak, "inside NEAR")
  t.is(ids("Iran AND zakani's"), zak, "with AND")
  t.is(ids("Iran NOT zakani's"), ids("Iran NOT Zakani"), "with NOT")
  t.is(ids("zakani's OR \"Belgian mayors\""), ids("Zakani OR \"Belgian mayors\""), "with OR and a phrase")
  t.is(ids("don't"), ids("\"don't\""), "an apostrophe inside a word")
  t.is(ids("'"), "", "a lone apostrophe finds nothing, without an error")
  t.is(ids("zakani's\"Belgian mayors\""), ids("Zakani\"Belgian mayors\""), "right before a phrase")
  t.is(ids("\"Belgian mayors\"zakani's"), ids("\"Belgian mayors\"Zakani"), "right after a phrase")
  t.ok(ids("Iran's\"Belgian mayors\"") ~= "", "right before a phrase: two strings, not one")
  local sub = c:filter({}):shard(2, 2)
  for _, h in ipairs(sub:search("Iran")) do t.ok(sub:get(h.id) ~= nil, "search within a sub-corpus stays inside it") end
end

-- sub-corpora, fold ---------------------------------------------------------------------------
do
  local long = c:filter(function(doc) return #doc.text > 3500 end)
  t.is_deeply(long:ids(), src:filter(function(doc) return #doc.text > 3500 end):ids(), "filter(fn)")
  t.is(#long, 2, "#filter")
  local parts = {}
  for k = 1, 2 do for _, id in ipairs(c:shard(k, 2):ids()) do parts[#parts + 1] = id end end
  t.is_deeply(parts, c:ids(), "shards cover the corpus once, in order")
  local s = c:sample(2, 42)
  t.is(#s, 2, "sample")
  t.is_deeply(s:ids(), c:sample(2, 42):ids(), "the same seed gives the same sample")
  local function total(j)
    return c:fold(function() return { bytes = 0, ids = {} } end,
      function(acc, doc) acc.bytes = acc.bytes + #doc.text; acc.ids[#acc.ids + 1] = doc.id end, { jobs = j })
  end
  local one, two = total(1), total(2)
  t.is_deeply(two, one, "fold gives the same result on one and two workers")
  t.is(#one.ids, 5, "over every document")
  c:close()
  t.raises(function() return #c end, "closed corpus", "a closed corpus raises")
end

-- incremental ingest, Zakani’s ----------------------------------------------------------------------
cleanup()
sh("mkdir -p " .. t.shell_quote(dir))
write("a.txt", "Alireza Zakani’s rise\nHe spoke in Tehran.")
write("b.txt", "Nothing here\nabout anyone.")
write("c.txt", "Third\nA short note.")
local s1 = corpus.ingest(dir, dbpath)
t.is(s1.added, 3, "corpus.ingest is corpusdb.ingest")
local cd = corpusdb.open(dbpath)
local z = cd:search("Zakani")
t.is(#z, 1, "a search for Zakani finds the Zakani’s document")
t.like(z[1].snippet, "%[Zakani’s%]", "and highlights Zakani’s")
write("b.txt", "Nothing here\nabout Zakani now.")
os.remove(dir .. "/c.txt")
write("d.txt", "Fourth\nNew text.")
local s2 = corpusdb.ingest(dir, dbpath)
t.is_deeply({ s2.added, s2.changed, s2.unchanged, s2.removed }, { 1, 1, 1, 1 },
  "re-ingest after editing, adding and deleting files")
t.is_deeply(cd:ids(), { "a.txt", "b.txt", "c.txt" }, "a corpus opened before the ingest keeps its snapshot")
t.is(#cd:search("fourth"), 0, "its searches too")
cd:close()
cd = corpusdb.open(dbpath)
t.is_deeply(cd:ids(), { "a.txt", "b.txt", "d.txt" }, "the database follows the source")
t.is(#cd:search("Zakani"), 2, "the edited document is re-indexed")
t.is(#cd:search("short"), 0, "the deleted document is gone from the index")
t.is(#cd:search("fourth"), 1, "the added document is indexed")
do
  local r = sqlite3.open(dbpath)
  for v in r:urows("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'nothing'") do t.is(v, 1, "no stale index entries") end
  r:exec("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
  t.is(r:errcode(), sqlite3.OK, "the index passes FTS5's integrity check")
  r:close()
end

-- an interrupted ingest loses nothing
do
  local failing = { docs = function()
    local i = 0
    return function()
      i = i + 1
      if i == 1 then return { id = "e.txt", path = "e.txt", title = "E", text = "extra words", bytes = 11, meta = {} } end
      error("source failed", 0)
    end
  end }
  t.raises(function() corpusdb.ingest(failing, dbpath, { batch = 1 }) end, "source failed", "a failing source raises")
  local none, why = corpusdb.open(dbpath)
  t.ok(none == nil and why:find("incomplete: an ingest stopped before it finished (4 documents stored)", 1, true),
    "the database the failed ingest left is incomplete", why)
  local ids = corpusdb.open(dbpath, { incomplete = true }):ids()
  table.sort(ids)
  t.is_deeply(ids, { "a.txt", "b.txt", "d.txt", "e.txt" },
    "committed batches stay, and nothing is removed when the source was not read whole")
  local s3 = corpusdb.ingest(dir, dbpath)
  t.is_deeply({ s3.added, s3.changed, s3.unchanged, s3.removed }, { 0, 0, 3, 1 }, "the next full ingest settles it")
end

-- metadata, tokenize options ----------------------------------------------------------------------
do
  local jl = "tests/data/load/news.jsonl"
  local sj = corpusdb.ingest(jl, dbpath .. "2", { corpus = { on_error = "skip" } })
  t.is(sj.added, 4, "ingest with corpus.open options")
  local j = corpusdb.open(dbpath .. "2")
  local d = j:get("n1")
  local orig = corpus.open(jl, { on_error = "skip" }):get("n1")
  t.is_deeply(d.meta, orig.meta, "metadata round-trips through JSON")
  t.is(#j:filter({ outlet = "bbc" }), 1, "filter by metadata")
  t.raises(function() corpusdb.ingest(jl, dbpath .. "2", { tokenize = "level casefold", corpus = { on_error = "skip" } }) end,
    "indexed with tokenize '', not 'level casefold'", "a different tokenizer needs rebuild")
  local sr = corpusdb.ingest(jl, dbpath .. "2", { tokenize = "level casefold", rebuild = true, corpus = { on_error = "skip" } })
  t.is(sr.unchanged, 4, "rebuild re-indexes without touching documents")
  for _, s in ipairs({ "", "-wal", "-shm" }) do os.remove(dbpath .. "2" .. s) end
end

-- what is not a corpus database ------------------------------------------------------------------
do
  local other = tmp .. ".other.db"
  local r = sqlite3.open(other)
  r:exec("CREATE TABLE x(a)")
  r:close()
  local n, msg = corpusdb.open(other)
  t.ok(n == nil and msg:find("not a corpusrun corpus database"), "open of another SQLite database: nil, message")
  local cn, cmsg = corpus.open(other)
  t.ok(cn == nil and cmsg:find("not a corpusrun corpus database"), "through corpus.open too")
  t.raises(function() corpusdb.ingest("corpus", other) end, "not a corpus database", "ingest refuses to write into it")
  os.remove(other)
  local m, mm = corpusdb.open(tmp .. ".missing.db")
  t.ok(m == nil and type(mm) == "string", "open of a missing file: nil, message")
end

-- annotated documents keep their tokens --------------------------------------------------------
do
  local A = "tests/data/load/annot"
  local O = { on_error = "skip", include = { "*.conllu", "*.vrt", "*.xml" } }
  local adb = tmp .. ".annot.db"
  corpusdb.ingest(A, adb, { corpus = O })
  local db = assert(corpusdb.open(adb))
  local stored = {}
  for d in db:docs() do stored[d.id] = d end
  local n, same = 0, 0
  for d in assert(corpus.open(A, O)):docs() do
    n = n + 1
    local s = stored[d.id]
    local ok = s and s.tokens and #s.tokens == #d.tokens
      and table.concat(s.tokens:attributes(), " ") == table.concat(d.tokens:attributes(), " ")
      and t.deep_eq(s.tokens:sentences(), d.tokens:sentences())
    for i = 1, ok and #d.tokens or 0 do ok = ok and t.deep_eq(s.tokens[i], d.tokens[i]) end
    if ok then same = same + 1 end
  end
  t.ok(n >= 8 and same == n, ("every annotated document's tokens come back from the database (%d of %d)"):format(same, n))
  t.is(db:get("fr-1").tokens[2].lemma, "aller", "a document got by id has its tokens")
  local f = require("count").freq { attr = "lemma" }
  for d in db:docs() do f:add_tokens(d.tokens) end
  t.ok(f:get("aller") == 1 and f:get("be") == 1, "counted by attribute from the database")
  local plain = assert(corpusdb.open(dbpath)):get("Zakani.txt") or assert(corpusdb.open(dbpath)):docs()()
  t.is(plain.tokens, nil, "a plain text document has no tokens")
  db:close()

  -- a damaged packed value is an error naming the document, not a crash
  local r = sqlite3.open(adb)
  r:exec("UPDATE documents SET tokens = substr(tokens, 1, length(tokens) - 3) WHERE id = 'fr-1'")
  r:close()
  local bad = assert(corpusdb.open(adb))
  t.raises(function() return bad:get("fr-1") end, "corpusdb: document fr%-1: damaged tokens at byte %d+", "damaged tokens: a clear error")
  bad:close()

  -- a schema 1 database (no tokens column) is read, and its next ingest adds them
  for _, s in ipairs({ "", "-wal", "-shm" }) do os.remove(adb .. s) end
  corpusdb.ingest(A, adb, { corpus = O })
  r = sqlite3.open(adb)
  r:exec("ALTER TABLE documents DROP COLUMN tokens; UPDATE corpusrun_meta SET value = '1' WHERE key = 'schema'")
  r:close()
  local old = assert(corpusdb.open(adb))
  t.is(old:get("fr-1").tokens, nil, "schema 1: read, without tokens")
  t.ok(old:get("fr-1").text:find("marché", 1, true), "schema 1: the text as before")
  old:close()
  local st = corpusdb.ingest(A, adb, { corpus = O })
  t.is(st.changed, n, "schema 1: the next ingest stores every annotated document's tokens")
  local new = assert(corpusdb.open(adb))
  t.is(new:get("fr-1").tokens[2].lemma, "aller", "schema 2 after the ingest: tokens")
  new:close()
  for _, s in ipairs({ "", "-wal", "-shm" }) do os.remove(adb .. s) end
end

cleanup()
t.done()
