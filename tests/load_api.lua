-- The Corpus type: #, ids, get, filter, sample, shard, fingerprint,
-- close, __tostring, the default corpus, the database hand-off, misuse.
local t = require "tap"
local corpus = require "corpus"
local q = t.shell_quote

local c = assert(corpus.open("corpus"))
local all = { "000_bffbd40d78d47571.txt", "001_e8d32c68db4d5ae8.txt", "002_1b50013527941c34.txt",
  "003_215d9fb04907b489.txt", "004_62ef3bdf8865f1a7.txt" }

t.is(#c, 5, "#c")
t.is_deeply(c:ids(), all, "c:ids() in corpus order")
t.is(tostring(c), "Corpus corpus (5 documents)", "__tostring of a corpus: its documents, as #c counts them (not its 6 files)")
t.is(getmetatable(c).__name, "corpusrun.Corpus", "metatable name")

local d = c:get("002_1b50013527941c34.txt")
t.is(d.id, "002_1b50013527941c34.txt", "c:get(id)")
t.is(tostring(d), 'Document 002_1b50013527941c34.txt "Urgent Call to Protect Political Refugees in Belgium" (2892 bytes)',
  "__tostring of a document: id, title, size")
t.is(c:get("nope.txt"), nil, "c:get of an unknown id: nil")
local j = assert(corpus.open("tests/data/load/news.jsonl", { on_error = "skip" }))
t.is(j:get("4").text, "Numeric id.", "c:get in a JSONL file")
t.is(#j, 4, "#c of a JSONL file counts good lines")

-- filter by function and by metadata
local long = c:filter(function(doc) return #doc.text > 3500 end)
t.is_deeply(long:ids(), { "001_e8d32c68db4d5ae8.txt", "004_62ef3bdf8865f1a7.txt" }, "filter(fn)")
t.is(#long, 2, "# of a filtered corpus")
local b = assert(corpus.open("tests/data/load/brown"))
t.is_deeply(b:filter({ genre = "learned" }):ids(), { "cj01.txt" }, "filter{meta = value}")
local news = j:filter({ year = "2024" })
t.is_deeply(news:ids(), { "n1" }, "filter: '2024' matches the number 2024")
t.is_deeply(j:filter({ outlet = "vrt" }):filter(function(doc) return doc.title == "Custom title" end):ids(),
  { "news.jsonl#3" }, "filters chain")

-- sample: deterministic, independent of order, in corpus order
local s1, s2 = c:sample(3, 7), c:sample(3, 7)
t.is(#s1, 3, "sample size")
t.is_deeply(s1:ids(), s2:ids(), "same seed, same sample")
local seen = {}
for _, id in ipairs(s1:ids()) do seen[#seen + 1] = id end
local sorted = { table.unpack(seen) }
table.sort(sorted)
t.is_deeply(seen, sorted, "sample keeps corpus order")
t.is(#c:sample(10, 1), 5, "sample larger than the corpus: all")
local differ = false
for seed = 1, 20 do
  if table.concat(c:sample(2, seed):ids()) ~= table.concat(c:sample(2, 1):ids()) then differ = true end
end
t.ok(differ, "other seeds choose other documents")

-- fingerprint: stable, sensitive to content
local fp = c:fingerprint()
t.like(fp, "^%x+$", "fingerprint is hex")
t.is(#fp, 32, "fingerprint has 32 hex digits")
t.is(assert(corpus.open("corpus")):fingerprint(), fp, "fingerprint is stable")
t.isnt(long:fingerprint(), fp, "a sub-corpus has another fingerprint")

-- shard: contiguous parts that together hold every document once, in order
for n = 1, 4 do
  local got = {}
  for k = 1, n do
    for doc in c:shard(k, n):docs() do got[#got + 1] = doc.id end
  end
  t.is_deeply(got, all, "shards of " .. n .. " cover the corpus in order")
end
local jl = {}
for k = 1, 3 do
  for doc in j:shard(k, 3):docs() do jl[#jl + 1] = doc.id end
end
t.is_deeply(jl, { "n1", "news.jsonl#3", "4", "n8" }, "shards of a JSONL file")

-- break out of a loop closes the iterator; close; use after close
do
  local f, s, ctl, tbc = c:docs()
  for _ in f, s, ctl, tbc do break end
  t.is(f(), nil, "break out of a loop closes the iterator: it gives no more documents")
end
local cc = assert(corpus.open("corpus"))
cc:close()
t.lives(function() cc:close() end, "close is idempotent: a second close raises nothing")
t.raises(function() return #cc end, "closed corpus", "use after close raises")
t.is(tostring(cc), "Corpus (closed)", "tostring of a closed corpus")
do
  local scoped <close> = assert(corpus.open("corpus"))
  t.is(#scoped, 5, "to-be-closed corpus")
end

-- misuse raises
t.raises(function() corpus.open("corpus", { colour = "red" }) end, "unknown option 'colour'", "unknown option")
t.raises(function() corpus.open("corpus", { format = "pdf" }) end, "bad argument #2 to 'open' %(option 'format' must be", "unknown format")
t.raises(function() corpus.open("corpus", { encoding = "klingon" }) end, "option 'encoding' must be \"auto\" or an encoding iconv knows %(iconv %-l%), not 'klingon'", "unknown encoding")
t.raises(function() corpus.open("corpus", { on_error = "explode" }) end, "bad argument #2 to 'open' %(option 'on_error' must be \"warn\", \"error\" or \"skip\", not 'explode'%)", "bad on_error")
t.raises(function() corpus.open(42) end, "bad argument #1", "bad source type")
t.raises(function() c:filter(42) end, "bad argument #1 to 'filter'", "bad filter")
t.raises(function() c:shard(3, 2) end, "bad argument", "bad shard")

-- the default corpus: the host's -c / registry value, $CORPUSRUN_CORPUS, ./corpus
local def = assert(corpus.open())
t.is(#def, 5, "corpus.open() opens the default corpus")
local tmp = os.tmpname()
local f = assert(io.open(tmp, "wb"))
f:write('local c = require("corpus").open(); print(#c, c:ids()[1])\n')
f:close()
local out = t.run("CORPUSRUN_CORPUS=tests/data/load/brown " .. q(t.corpusrun) .. " " .. q(tmp))
t.is(out, "3\tca01.txt\n", "$CORPUSRUN_CORPUS names the default corpus")
out = t.run(q(t.corpusrun) .. " -c tests/data/load/news.jsonl " .. q(tmp) .. " 2>/dev/null")
t.is(out, "4\tn1\n", "-c names the default corpus")
os.remove(tmp)

-- an SQLite file goes to the corpusdb module
local db = os.tmpname()
f = assert(io.open(db, "wb")); f:write("SQLite format 3\0" .. string.rep("\0", 100)); f:close()
local has_db = pcall(require, "corpusdb")
if has_db then
  t.skip("corpusdb present: its own tests cover corpus.open on a database")
else
  local r, err = corpus.open(db)
  t.is(r, nil, "an SQLite file without corpusdb: nil")
  t.like(err, "an SQLite corpus database, but the corpusdb module is not available", "... and a clear message")
end
package.preload.corpusdb = function()
  return { open = function(src, opts) return "db:" .. src, opts and opts.x end }
end
package.loaded.corpusdb = nil
if not has_db then
  local r1, r2 = corpus.open(db, { x = 1 })
  t.is_deeply({ r1, r2 }, { "db:" .. db, 1 }, "corpus.open delegates to corpusdb.open(source, opts)")
else
  t.skip("corpusdb present")
end
os.remove(db)

t.done()
