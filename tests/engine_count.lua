-- engine_count.lua: the count module against straightforward Lua reference
-- implementations on the sample corpus; merge, dump/undump, misuse.
local t = require "tap"
local count = require "count"

-- ---- the sample corpus as token arrays (a plain Lua tokenisation) ---------
local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end
local files = {}
local p = io.popen("ls corpus/*.txt")
for f in p:lines() do files[#files + 1] = f end
p:close()
t.ok(#files == 5, "five sample documents")

local docs, sentences = {}, {}    -- docs[i] = tokens; sentences[i] = array of token arrays
for i, f in ipairs(files) do
  local text = read(f)
  local toks, sents = {}, {}
  for para in (text .. "\n"):gmatch("(.-)\n") do
    for sent in para:gmatch("[^%.!?]+") do
      local s = {}
      for w in sent:gmatch("%w+") do s[#s + 1] = w:lower(); toks[#toks + 1] = w:lower() end
      if #s > 0 then sents[#sents + 1] = s end
    end
  end
  docs[i], sentences[i] = toks, sents
end

-- ---- reference implementations --------------------------------------------
local function ref_top(map)
  local rows = {}
  for k, n in pairs(map) do rows[#rows + 1] = { key = k, n = n } end
  table.sort(rows, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.key < b.key end)
  return rows
end

local function ref_freq(segments)
  local m, total = {}, 0
  for _, seg in ipairs(segments) do
    for _, w in ipairs(seg) do m[w] = (m[w] or 0) + 1; total = total + 1 end
  end
  return m, total
end

local function ref_ngrams(segments, n, sep)
  local m = {}
  for _, seg in ipairs(segments) do
    for i = 1, #seg - n + 1 do
      local k = table.concat(seg, sep, i, i + n - 1)
      m[k] = (m[k] or 0) + 1
    end
  end
  return m
end

-- symmetric window counts keyed "a\0b" with a <= b
local function ref_window(segments, w)
  local m = {}
  for _, seg in ipairs(segments) do
    for i = 1, #seg do
      for j = i + 1, math.min(#seg, i + w) do
        local a, b = seg[i], seg[j]
        if a > b then a, b = b, a end
        local k = a .. "\0" .. b
        m[k] = (m[k] or 0) + 1
      end
    end
  end
  return m
end

local function same_rows(got, want)
  if #got ~= #want then return false, ("%d rows, want %d"):format(#got, #want) end
  for i = 1, #want do
    if got[i].key ~= want[i].key or got[i].n ~= want[i].n then
      return false, ("row %d: %s=%s, want %s=%s"):format(i, tostring(got[i].key), tostring(got[i].n), want[i].key, want[i].n)
    end
  end
  return true
end

-- ---- freq -----------------------------------------------------------------
local f = count.freq()
for _, toks in ipairs(docs) do f:add_tokens(toks) end
local rmap, rtotal = ref_freq(docs)
local rtop = ref_top(rmap)
t.is(f:total(), rtotal, "freq: total equals the reference")
t.is(#f, #rtop, "freq: number of types equals the reference")
t.ok(same_rows(f:top(), rtop), "freq: top() equals the reference order (count desc, key asc)")
t.ok(same_rows(f:top(10), { table.unpack(rtop, 1, 10) }), "freq: top(10)")
t.is(f:get("zakani"), rmap.zakani, "freq: get")
t.is(f:get("no-such-word"), 0, "freq: get of a missing key is 0")
local items = {}
for k, n in f:items() do items[#items + 1] = { key = k, n = n } end
t.ok(same_rows(items, rtop), "freq: items() in the canonical order")
t.is(f:top(1)[1][1], rtop[1].key, "freq: rows are also positional {key, n}")

-- merge of parts equals the whole, in any order
local parts = {}
for i, toks in ipairs(docs) do parts[i] = count.freq():add_tokens(toks) end
local m1, m2 = count.freq(), count.freq()
for i = 1, #parts do m1:merge(parts[i]) end
for i = #parts, 1, -1 do m2:merge(parts[i]) end
t.ok(same_rows(m1:top(), rtop), "freq: merge of per-document parts equals the whole")
t.is(m2:dump(), m2:dump(), "dump is repeatable")
t.ok(same_rows(m2:top(), m1:top()), "freq: merge order does not matter")
t.is(m1:total(), rtotal, "freq: merged total")

-- dump / undump
local d = f:dump()
local back = assert(count.undump(d))
t.ok(same_rows(back:top(), rtop), "freq: dump/undump round trip")
t.is(back:total(), rtotal, "freq: round trip keeps the total")
local bad = 0
for n = 0, #d - 1, math.max(1, #d // 200) do
  local v, err = count.undump(d:sub(1, n))
  if v ~= nil or not tostring(err):match("corrupt") then bad = bad + 1 end
end
t.is(bad, 0, "freq: truncated dumps are rejected with a message")
local flipped = d:sub(1, 20) .. string.char((d:byte(21) + 1) % 256) .. d:sub(22)
t.is(select(2, count.undump(flipped)), "count.undump: truncated or corrupt data", "a corrupt dump is rejected")
t.ok(count.undump("garbage") == nil, "garbage is rejected")
t.raises(function() count.undump() end, "string expected", "undump needs a string")

-- prune
local pr = count.freq():merge(f):prune(3)
local kept = 0
for _, r in ipairs(rtop) do if r.n >= 3 then kept = kept + 1 end end
t.is(#pr, kept, "prune keeps the keys counted at least min times")
t.is(pr:total(), rtotal, "prune keeps the total")

-- add
local a = count.freq():add("x"):add("y", 3):add("x", 2)
t.is_deeply(a:top(), { { "x", 3, key = "x", n = 3 }, { "y", 3, key = "y", n = 3 } }, "add with counts; ties by key")
t.raises(function() a:add("z", 1.5) end, "number has no integer representation", "add needs an integer")

-- ---- document frequency ----------------------------------------------------
local df = count.df()
for _, toks in ipairs(docs) do df:add_tokens(toks) end
local rdf = {}
for _, toks in ipairs(docs) do
  local seen = {}
  for _, w in ipairs(toks) do if not seen[w] then seen[w] = true; rdf[w] = (rdf[w] or 0) + 1 end end
end
t.ok(same_rows(df:top(), ref_top(rdf)), "df: document frequencies equal the reference")
t.is(df:total(), #docs, "df: total is the number of documents")
t.raises(function() f:merge(df) end, "document frequencies", "a df counter does not merge into a token counter")

-- ---- n-grams ---------------------------------------------------------------
for n = 1, 3 do
  local g = count.ngrams(n)
  for _, sents in ipairs(sentences) do for _, s in ipairs(sents) do g:add_tokens(s) end end
  local segs = {}
  for _, sents in ipairs(sentences) do for _, s in ipairs(sents) do segs[#segs + 1] = s end end
  local want = ref_top(ref_ngrams(segs, n, " "))
  local okv, why = same_rows(g:top(), want)
  t.ok(okv, ("ngrams n=%d: sentence-bounded counts and order equal the reference"):format(n), why)
  -- parts and round trip
  local m = count.ngrams(n)
  for _, sents in ipairs(sentences) do
    local part = count.ngrams(n)
    for _, s in ipairs(sents) do part:add_tokens(s) end
    m:merge(assert(count.undump(part:dump())))
  end
  t.ok(same_rows(m:top(), want), ("ngrams n=%d: undumped parts merged equal the whole"):format(n))
end
local g2 = count.ngrams(2, { sep = "_" })
g2:add_tokens { "a", "b", "a", "b" }
t.is(g2:get("a_b"), 2, "ngrams: custom separator")
t.is(g2:get { "b", "a" }, 1, "ngrams: get by token array")
t.raises(function() count.ngrams(2):merge(count.ngrams(3)) end, "different settings", "n-grams of different n do not merge")
local sk = count.ngrams(2, { skip = 1 }):add_tokens { "a", "b", "c" }
t.is(#sk, 3, "skip-grams: a b, a c, b c")

-- ---- co-occurrence ------------------------------------------------------
local c = count.cooc { window = 5 }
for _, toks in ipairs(docs) do c:add_tokens(toks) end
local rw = ref_window(docs, 5)
local want = {}
for k, n in pairs(rw) do local x, y = k:match("^(.-)%z(.*)$"); want[#want + 1] = { a = x, b = y, n = n } end
table.sort(want, function(p, q)
  if p.n ~= q.n then return p.n > q.n end
  if p.a ~= q.a then return p.a < q.a end
  return p.b < q.b
end)
local got = c:pairs()
local okp = #got == #want
for i = 1, #want do
  if not okp then break end
  okp = got[i].a == want[i].a and got[i].b == want[i].b and got[i].n == want[i].n
end
t.ok(okp, "cooc window 5: every pair count and the order equal the reference")
t.is(c:total(), rtotal, "cooc: N is the number of tokens")
local key = "zakani" < "tehran" and "zakani\0tehran" or "tehran\0zakani"
t.is(c:get("zakani", "tehran"), rw[key] or 0, "cooc: get is symmetric")
t.is(c:get("tehran", "zakani"), rw[key] or 0, "cooc: either way round")
local col = c:with("zakani")
local sum, okc, events = 0, true, 0
for _, r in ipairs(c:pairs()) do events = events + 2 * r.n end
for _, r in ipairs(col) do
  local k = r.key < "zakani" and r.key .. "\0zakani" or "zakani\0" .. r.key
  if r.key ~= "zakani" and r.o11 ~= rw[k] then okc = false end
  if r.n ~= events or r.f1 ~= rmap.zakani or r.f2 ~= rmap[r.key] then okc = false end
  sum = sum + r.o11
end
t.ok(okc and #col > 0, "cooc: with() gives o11, n (every pair seen from both ends) and the frequencies f1, f2")
t.is(col[1].r1, sum, "cooc: r1 is the node's co-occurrence events, the sum of its o11")
local left, right = 0, 0
for _, r in ipairs(c:with("zakani", { side = "left" })) do left = left + r.o11 end
for _, r in ipairs(c:with("zakani", { side = "right" })) do right = right + r.o11 end
t.ok(left + right >= sum and left > 0 and right > 0, "cooc: left and right collocates")

local cm = count.cooc { window = 5 }
for i = #docs, 1, -1 do cm:merge(assert(count.undump(count.cooc { window = 5 }:add_tokens(docs[i]):dump()))) end
t.is_deeply(cm:pairs(), c:pairs(), "cooc: undumped parts merged in reverse equal the whole")
t.raises(function() c:merge(count.cooc { window = 4 }) end, "different settings", "windows must agree to merge")

-- sentence and document modes
local cs = count.cooc { mode = "sentence" }
local units, rs = 0, {}
for _, sents in ipairs(sentences) do
  for _, s in ipairs(sents) do
    cs:add_tokens(s)
    units = units + 1
    local set, list = {}, {}
    for _, w in ipairs(s) do if not set[w] then set[w] = true; list[#list + 1] = w end end
    for i = 1, #list do for j = i + 1, #list do
      local x, y = list[i], list[j]
      if x > y then x, y = y, x end
      rs[x .. "\0" .. y] = (rs[x .. "\0" .. y] or 0) + 1
    end end
  end
end
local okS, nS = true, 0
for _, r in ipairs(cs:pairs()) do nS = nS + 1; if rs[r.a .. "\0" .. r.b] ~= r.n then okS = false end end
local nref = 0
for _ in pairs(rs) do nref = nref + 1 end
t.ok(okS and nS == nref, "cooc sentence mode: pairs of types sharing a sentence equal the reference")
t.is(cs:total(), units, "cooc sentence mode: N is the number of sentences")

-- ---- add_text --------------------------------------------------------------
local ft = count.freq()
ft:add_text("The cat saw the CAT. Zakani’s car!")
t.is(ft:get("the"), 2, "add_text: casefold by default")
t.is(ft:get("cat"), 2, "add_text: CAT is cat")
t.is(ft:get("zakani’s"), 1, "add_text: possessive kept at casefold")
t.is(ft:get("."), 0, "add_text: punctuation not counted by default")
local fk = count.freq { level = "key" }:add_text("Zakani’s Zakani Défi")
t.is(fk:get("zakani"), 2, "add_text: level key strips the possessive")
t.is(fk:get("defi"), 1, "add_text: level key strips marks")
local fa = count.freq { kinds = "all" }:add_text("Hi, you.")
t.is(#fa, 4, "add_text: kinds all counts punctuation")
t.is(#count.freq { kinds = "word,punct" }:add_text("Hi 2, you."), 4, "kinds as a comma-separated string")
local fo = count.freq():add_text("One two", { level = "raw" })
t.is(fo:get("One"), 1, "add_text: per-call options")
local ok_tok, tokenize = pcall(require, "tokenize")
if ok_tok and type(tokenize) == "table" and tokenize.words then
  local text = read(files[1])
  local ref = {}
  for w in tokenize.words(text) do
    local k = tokenize.normalize(w, "casefold")
    ref[k] = (ref[k] or 0) + 1
  end
  local fw = count.freq():add_text(text)
  t.ok(same_rows(fw:top(), ref_top(ref)), "add_text equals tokenize.words + normalize counted in Lua")
else
  t.skip("the tokenize module is not built yet", 1)
end
local ng = count.ngrams(2, { sentences = true }):add_text("A b. C d")
t.is(ng:get("b c"), 0, "ngrams: sentence-bounded add_text")
t.is(count.ngrams(2):add_text("A b. C d"):get("b c"), 1, "ngrams: unbounded by default")
local cd = count.cooc { mode = "document" }
cd:add_text("a b a"); cd:add_text("b c")
t.is(cd:get("a", "b"), 1, "cooc document mode")
t.is(cd:freq("b"), 2, "cooc document mode: marginal counts documents")

-- ---- dtm -------------------------------------------------------------------
local m = count.dtm({ { id = "d1", text = "a a b" }, { id = "d2", text = "b c" }, "c c c" })
t.is(#m, 3, "dtm: three documents")
t.is_deeply(m:row("d1"), { a = 2, b = 1 }, "dtm: row")
t.is_deeply(m:col("c"), { d2 = 1, ["3"] = 3 }, "dtm: column")
t.is(m:df("b"), 2, "dtm: document frequency")
t.is_deeply(m:docs(), { "d1", "d2", "3" }, "dtm: documents in order")
t.is(m:terms()[1].key, "c", "dtm: terms by frequency")
local ok_corpus, corpus = pcall(require, "corpus")
if ok_corpus and type(corpus) == "table" and corpus.open then
  local dc = count.dtm(assert(corpus.open("corpus")))
  local tot = 0
  for _, r in ipairs(dc:terms()) do tot = tot + r.n end
  t.ok(#dc == 5 and tot == count.freq():add_text(read(files[1])):add_text(read(files[2])):add_text(read(files[3]))
    :add_text(read(files[4])):add_text(read(files[5])):total(), "dtm over a corpus: five rows, every token counted")
else
  t.skip("the corpus module is not built yet", 1)
end
t.raises(function() count.dtm { { id = 1, text = "x" }, { id = 1, text = "y" } } end, "duplicate document id", "dtm: ids are unique")

-- ---- save / load through lsqlite3 ----------------------------------------
local ok_sql, sqlite3 = pcall(require, "lsqlite3")
if ok_sql and type(sqlite3) == "table" and sqlite3.open_memory then
  local db = sqlite3.open_memory()
  f:save(db, "words")
  local loaded = assert(count.load(db, "words"))
  t.ok(same_rows(loaded:top(), rtop), "save/load round trip")
  local n
  for row in db:nrows("SELECT n FROM words WHERE key = 'zakani'") do n = row.n end
  t.is(n, rmap.zakani, "saved rows are plain SQL")
  c:save(db, "pairs")
  t.is_deeply(assert(count.load(db, "pairs")):pairs(), c:pairs(), "cooc save/load")
  m:to_sqlite(db, "dtm")
  local cnt
  for row in db:nrows("SELECT count(*) AS k FROM dtm") do cnt = row.k end
  t.is(cnt, 5, "dtm:to_sqlite writes one row per non-zero cell")
  t.is(select(2, count.load(db, "nothing")), "count.load: no counter saved as nothing", "load of a missing name")
  t.raises(function() f:save(db, "bad name") end, "bad table name", "table names are checked")
  db:close()
else
  t.skip("the lsqlite3 module is not built yet", 6)
end

-- ---- misuse and lifetime ---------------------------------------------------
t.raises(function() count.freq { level = "loud" } end, "option 'level' must be .*, not 'loud'", "bad level")
t.raises(function() count.ngrams(0) end, "n must be 1..8", "bad n")
t.raises(function() count.cooc { window = 0 } end, "window", "bad window")
t.raises(function() count.freq { kinds = { "nope" } } end, "option 'kinds' must be \"all\" or kind names %(word, .*%), not 'nope'", "bad kind")
t.raises(function() count.cooc { windw = 5 } end, "unknown option 'windw'", "a misspelt option raises")
t.raises(function() count.freq():add_text("x", { levle = "key" }) end, "unknown option 'levle'", "also per call")
t.raises(function() c:with("x", { sid = "left" }) end, "unknown option 'sid'", "and in with()")
local z = count.freq():add("q")
z:close(); z:close()
t.raises(function() z:get("q") end, "closed corpusrun.Freq", "use after close raises")
t.is(tostring(z), "corpusrun.Freq (closed)", "tostring of a closed counter")
local scoped
do local w <close> = count.cooc(); scoped = w end
t.is(tostring(scoped), "corpusrun.Cooc (closed)", "to-be-closed counters close at the end of their scope")
t.raises(function() f:merge(f) end, "itself", "merge into itself")
t.raises(function() f.get({}, "x") end, "counter expected", "method on a wrong object")
t.raises(function() for _ in f:items() do f:add("new") end end, "changed during iteration", "changes during items() are caught")
t.is_deeply(count.types, { "corpusrun.Freq", "corpusrun.Ngrams", "corpusrun.Cooc", "corpusrun.DTM" }, "count.types")

t.done()
