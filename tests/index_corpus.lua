-- The positional index from Lua and the command line: corpus.index builds
-- it, corpus.open gives back every document (text, metadata, tokens of
-- annotated input) and the same fold output as the source at -j 1 and -j 2;
-- the same bytes whatever -j and batch; damaged files refused naming the
-- file and byte; `corpusrun index` with its options and errors.
local t = require "tap"
local corpus = require "corpus"
local q = t.shell_quote
local CR = q(t.corpusrun)
local dir = t.tempdir()

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end
local function write(path, s) local f = assert(io.open(path, "wb")); f:write(s); f:close() end

local function docs_of(c)
  local out = {}
  for d in c:docs() do out[#out + 1] = d end
  return out
end

-- Every document as the source gives it: id, text, title, metadata, tokens.
local function same_docs(src, ix, label)
  local a, b = docs_of(src), docs_of(ix)
  t.is(#b, #a, label .. ": every document")
  local bad = {}
  for i, d in ipairs(a) do
    local e = b[i] or {}
    local why
    if e.id ~= d.id then why = "id"
    elseif e.text ~= d.text then why = "text"
    elseif e.title ~= d.title then why = "title"
    elseif e.bytes ~= d.bytes then why = "bytes"
    elseif not t.deep_eq(e.meta, d.meta) then why = "meta"
    elseif (d.tokens == nil) ~= (e.tokens == nil) then why = "tokens"
    elseif d.tokens then
      if #e.tokens ~= #d.tokens or not t.deep_eq(e.tokens:attributes(), d.tokens:attributes()) then why = "tokens" end
      for k = 1, #d.tokens do
        if not t.deep_eq(e.tokens[k], d.tokens[k]) then why = "token " .. k; break end
      end
      if not t.deep_eq(e.tokens:sentences(), d.tokens:sentences()) then why = "sentences" end
    end
    if why then bad[#bad + 1] = d.id .. ": " .. why end
  end
  t.is_deeply(bad, {}, label .. ": ids, texts, titles, sizes, metadata and tokens as the source's")
end

-- ---- plain text, JSON Lines with metadata, annotated formats ----------------
local cases = {
  { "sample corpus", "corpus" },
  { "JSON Lines with metadata", "tests/data/load/news.jsonl" },
  { "word/TAG (Brown)", "tests/data/load/annot/tagged", { format = "tagged" } },
  { "CoNLL-U", "tests/data/load/annot/ud.conllu" },
  { "VRT", "tests/data/load/annot/brown.vrt" },
}
for i, case in ipairs(cases) do
  local label, source, opts = case[1], case[2], case[3]
  local path = dir .. "/case" .. i .. ".cri"
  local o = { quiet = true }
  for k, v in pairs(opts or {}) do o[k] = v end
  local stats = corpus.index(source, path, o)
  local src = assert(corpus.open(source, opts and { format = opts.format } or nil))
  local c, msg = corpus.open(path)
  t.ok(c, label .. ": the index opens", msg)
  if c then
    t.is(stats.documents, #src, label .. ": documents counted")
    same_docs(src, c, label)
    t.ok(c:verify(), label .. ": every checksum sound")
  end
end

-- the attributes of annotated input, lower and key derived from the word
do
  local c = assert(corpus.open(dir .. "/case4.cri"))
  t.is_deeply(c:info().attributes, { "word", "lower", "key", "id", "lemma", "upos", "xpos", "feats", "head", "deprel",
    "deps", "misc" }, "CoNLL-U: word (the form), lower, key and every column")
  t.is_deeply(c:info().structures, { "text", "s" }, "documents and sentences, no paragraphs")
  local p = c:positions()
  t.is((debug.getmetatable(p) or {}).__name, "corpusrun.Positions", "c:positions() is a corpusrun.Positions")
end

-- one mapping of the file for the documents and the positions, opened and
-- checked once; a Positions outlives its corpus's close and collection
do
  local query = require "query"
  local path = dir .. "/case1.cri"
  local function mappings()
    local n, f = 0, assert(io.open("/proc/self/maps"))
    for line in f:lines() do if line:sub(-#path) == path then n = n + 1 end end
    f:close()
    return n
  end
  collectgarbage(); collectgarbage()
  local before = mappings()
  local c = assert(corpus.open(path))
  local p = c:positions()
  t.ok(rawequal(c:positions(), p), "c:positions() gives the same Positions at every call")
  t.is(mappings() - before, 1, "the corpus and its positions share one mapping of the file")
  local n = #assert(query.run(p, '"the"%c'))
  t.ok(n > 0, "the positions answer a query (" .. n .. " hits)")
  c:close()
  t.is(#assert(query.run(p, '"the"%c')), n, "after c:close() its Positions still answers")
  t.ok(not pcall(c.positions, c), "a closed corpus gives no Positions")
  c = assert(corpus.open(path))
  p = c:positions()
  c = nil
  collectgarbage(); collectgarbage()
  t.is(#assert(query.run(p, '"the"%c')), n, "a Positions keeps its corpus's mapping when the corpus is collected")
  p = nil
  collectgarbage(); collectgarbage()
  t.is(mappings(), before, "both collected: the file is unmapped")
  do
    local c2 <close> = assert(corpus.open(path))
    p = c2:positions()
  end
  t.is(#assert(query.run(p, '"the"%c')), n, "a to-be-closed corpus's Positions still answers once it is closed")
  p = nil
  collectgarbage(); collectgarbage()
  t.is(mappings(), before, "and the file is unmapped once it is collected")
end

-- ---- folds: the same output on the source and on its index, -j 1 and -j 2 ----
do
  local script = dir .. "/fold.lua"
  write(script, [[
local corpus = require "corpus"
local count = require "count"
local c = assert(corpus.open())
local acc = c:fold(function() return { f = count.freq(), docs = 0, ids = {}, meta = {} } end,
  function(acc, doc)
    acc.f:add_text(doc.text)
    acc.docs = acc.docs + 1
    acc.ids[#acc.ids + 1] = doc.id
    for k, v in pairs(doc.meta) do acc.meta[#acc.meta + 1] = doc.id .. "." .. k .. "=" .. tostring(v) .. ":" .. type(v) end
  end)
print(acc.docs, table.concat(acc.ids, ","))
table.sort(acc.meta)
print(table.concat(acc.meta, " "))
for _, r in ipairs(acc.f:top(15)) do print(r[1], r[2]) end
]])
  for _, case in ipairs({ { "corpus", dir .. "/case1.cri" }, { "tests/data/load/news.jsonl", dir .. "/case2.cri" } }) do
    for _, j in ipairs({ 1, 2 }) do
      local a, ca = t.run(CR .. " -j " .. j .. " -c " .. q(case[1]) .. " " .. q(script))
      local b, cb = t.run(CR .. " -j " .. j .. " -c " .. q(case[2]) .. " " .. q(script))
      t.ok(ca == 0 and cb == 0 and #a > 100, case[1] .. ", -j " .. j .. ": both folds run")
      t.is(b, a, case[1] .. ", -j " .. j .. ": the fold over the index prints what the fold over the source prints")
    end
  end
end

-- ---- the same bytes whatever -j and the runs' size ------------------------------
do
  local one = dir .. "/j1.cri"
  corpus.index("tests/data/load/annot/tagged", one, { format = "tagged", quiet = true, batch = 500 })
  for _, j in ipairs({ 2, 3 }) do
    local p = dir .. "/j" .. j .. ".cri"
    corpus.index("tests/data/load/annot/tagged", p, { format = "tagged", quiet = true, batch = 500, jobs = j })
    t.ok(read(p) == read(one), ("-j %d: the same bytes as -j 1"):format(j))
  end
  local big = dir .. "/big.cri"
  corpus.index("tests/data/load/annot/tagged", big, { format = "tagged", quiet = true })
  t.ok(read(one) == read(big), "runs of 500 tokens merge into the bytes of one run")
end

-- ---- appending: the sections of a build at once, the receipt aside ------------------
local function sections(path)
  local d = read(path)
  local n, table = string.unpack("<I4I8", d, 13)
  local out = {}
  for i = 0, n - 1 do
    local e = table + i * 48 + 1
    local name = d:sub(e, e + 23):gsub("%z+$", "")
    local off, size = string.unpack("<I8I8", d, e + 24)
    out[name] = d:sub(off + 1, off + size)
  end
  return out
end

local function same_sections(a, b)
  local sa, sb = sections(a), sections(b)
  local differ = {}
  for k, v in pairs(sa) do if k ~= "rcpt" and sb[k] ~= v then differ[#differ + 1] = k end end
  for k in pairs(sb) do if sa[k] == nil then differ[#differ + 1] = k end end
  table.sort(differ)
  return differ
end

do
  -- CoNLL-U (sentence ids and texts, a multiword token), one document at a time
  local src = assert(corpus.open("tests/data/load/annot/ud.conllu"))
  local full, ap = dir .. "/ud-full.cri", dir .. "/ud-append.cri"
  corpus.index(src, full, { quiet = true })
  corpus.index(src:shard(1, 2), ap, { quiet = true })
  local stats = corpus.index(src:shard(2, 2), ap, { quiet = true, append = true })
  t.is(stats.total_documents, #src, "append: every document in the index")
  t.is_deeply(same_sections(ap, full), {}, "CoNLL-U appended: every section as a build of the whole")
  local c = assert(corpus.open(ap))
  same_docs(src, c, "CoNLL-U appended")
  local r = c:receipt()
  t.ok(r.appended and #r.appended == 1 and r.source ~= nil, "the receipt keeps what built the index and adds what was appended")
  -- plain text, then JSON Lines with metadata, from the command line
  local both = dir .. "/both.cri"
  corpus.index({ "corpus", "tests/data/load/news.jsonl" }, both, { quiet = true, on_error = "skip" })
  local cli = dir .. "/cli-append.cri"
  local _, code1 = t.run(CR .. " index --quiet -c corpus -o " .. q(cli))
  local _, code2, err2 = t.run(CR .. " index --append -c tests/data/load/news.jsonl -o " .. q(cli))
  t.ok(code1 == 0 and code2 == 0, "corpusrun index --append exits 0", err2)
  t.like(err2, "corpusrun: appended 4 documents, 16 tokens to ", "and says what it appended")
  t.is_deeply(same_sections(cli, both), {}, "plain text appended: every section as a build of the whole")
  local _, code3, err3 = t.run(CR .. " index --append -c tests/data/load/annot/ud.conllu -o " .. q(cli))
  t.ok(code3 == 1 and err3:find(cli .. ": the runs of the index build have different attributes", 1, true),
    "appending tokens of another kind refused, naming the index", err3)
  t.is_deeply(same_sections(cli, both), {}, "and the index is left as it was")
  local _, code4, err4 = t.run(CR .. " index --append -c corpus -o " .. q(dir .. "/none.cri"))
  t.ok(code4 == 1 and err4:find("none.cri", 1, true), "appending to no index: an error naming it", err4)
end

-- ---- damage ----------------------------------------------------------------
do
  local good = read(dir .. "/case1.cri")
  local path = dir .. "/damaged.cri"
  local refused, first = 0, nil
  -- (past the magic: a file whose first 8 bytes are not an index's is not one)
  for _, at in ipairs({ 9, 13, 17, 41, #good // 2, #good - 60, #good - 10 }) do
    write(path, good:sub(1, at - 1) .. string.char(good:byte(at) ~ 0x41) .. good:sub(at + 1))
    local c, msg = corpus.open(path)
    if c then
      local ok, vmsg = c:verify()
      if not ok and vmsg:find(path, 1, true) and vmsg:find("byte %d+") then refused = refused + 1 end
      c:close()
    elseif msg:find(path, 1, true) and msg:find("byte %d+") then
      refused = refused + 1
      first = first or msg
    end
  end
  t.is(refused, 7, "a damaged byte anywhere: refused on open or by verify, naming the file and byte")
  t.like(first or "", "^" .. path:gsub("%p", "%%%0") .. ": byte %d+", "the message starts with the file and byte")
  for _, n in ipairs({ 8, 20, 48, #good // 3, #good - 1 }) do
    write(path, good:sub(1, n))
    local c, msg = corpus.open(path)
    t.ok(c == nil and msg:find(path, 1, true), ("truncated to %d bytes: refused (%s)"):format(n, tostring(msg)))
  end
end

-- ---- one kind of tokens per index ------------------------------------------------
do
  local mixed = {
    { id = "a", text = "plain words" },
  }
  local src = assert(corpus.open("tests/data/load/annot/ud.conllu"))
  for d in src:docs() do mixed[#mixed + 1] = d; break end
  local C = { docs = function() local i = 0 return function() i = i + 1 return mixed[i] end end }
  local ok, err = pcall(corpus.index, C, dir .. "/mixed.cri", { quiet = true })
  t.ok(not ok and tostring(err):find("other attributes than the first document", 1, true), "a document of another kind refused, named", err)
  t.raises(function() corpus.index("corpus", dir .. "/x.cri", { jobs = 0 }) end, "jobs must be a positive integer",
    "jobs = 0 is misuse")
  t.raises(function() corpus.index("corpus") end, "index path expected", "the path is required")
  local ok2, err2 = pcall(corpus.index, "corpus", dir .. "/no/such/dir/x.cri", { quiet = true })
  t.ok(not ok2 and tostring(err2):find("no/such/dir/x.cri", 1, true), "an unwritable path named", err2)
end

-- ---- the command line ---------------------------------------------------------------
do
  local out = dir .. "/cli.cri"
  local so, code, err = t.run(CR .. " index -c corpus -o " .. q(out) .. " -j 2 --verify")
  t.is(code, 0, "corpusrun index -j 2 --verify exits 0", err)
  t.like(err, "corpusrun: indexed 5 documents, 3210 tokens into " .. out:gsub("%p", "%%%0"), "and says what it wrote")
  t.ok(read(out) == read(dir .. "/case1.cri"), "the same bytes as corpus.index")
  so, code = t.run(CR .. " index --info " .. q(out) .. " --verify")
  t.is(code, 0, "--info exits 0")
  t.like(so, "5 documents, 3210 tokens", "--info: documents and tokens")
  t.like(so, "\n  lower +988 types", "--info: the attributes")
  t.like(so, "every section sound", "--info --verify")
  so, code = t.run(CR .. " index --help")
  t.ok(code == 0 and so:find("usage: corpusrun index %-c SOURCE %-o PATH"), "--help")
  so, code, err = t.run(CR .. " index -c corpus")
  t.ok(code == 1 and err:find("'-o PATH' is required", 1, true), "-o is required", err)
  so, code, err = t.run(CR .. " index -c corpus -o x -j zero")
  t.ok(code == 1 and err:find("bad value for '-j'", 1, true), "a bad -j named", err)
  so, code, err = t.run(CR .. " index -c " .. q(dir .. "/missing") .. " -o " .. q(dir .. "/m.cri"))
  t.ok(code == 1 and err:find("missing", 1, true), "a missing corpus named", err)
  write(dir .. "/bad.cri", "CRPINDEX" .. ("\0"):rep(100))
  so, code, err = t.run(CR .. " -e " .. q("print(require('corpus').open(" .. ("%q"):format(dir .. "/bad.cri") .. "))"))
  t.like(so, "^nil\t.*bad%.cri: byte 40: the header's checksum does not match", "corpus.open of a damaged index: nil and why")
end

-- sub-corpora of an index: the source's sample, parts and fingerprint, and
-- queries that see only their documents
do
  local src = assert(corpus.open("corpus"))
  local path = dir .. "/subs.cri"
  corpus.index(src, path, { quiet = true })
  local ix = assert(corpus.open(path))
  local function ids(c) return table.concat(c:ids(), " ") end
  t.is(ix:fingerprint(), src:fingerprint(), "an index's fingerprint is its source's")
  for _, seed in ipairs({ 0, 7, 11 }) do
    t.is(ids(ix:sample(2, seed)), ids(src:sample(2, seed)), "c:sample(2, " .. seed .. ") keeps the source's documents")
  end
  for n = 2, 3 do
    for k = 1, n do
      t.is(ids(ix:shard(k, n)), ids(src:shard(k, n)), ("c:shard(%d, %d): the source's part"):format(k, n))
    end
  end
  t.is(ix:shard(1, 2):fingerprint(), src:shard(1, 2):fingerprint(), "a part's fingerprint is the source part's")
  local function hits(r)
    local out = {}
    for i = 1, #r do local h = r:hit(i); out[#out + 1] = h.doc .. ":" .. h.start .. "-" .. h.stop end
    return table.concat(out, " ")
  end
  for _, sub in ipairs({ { "sample", 2, 7 }, { "shard", 2, 2 } }) do
    local a, b = ix[sub[1]](ix, sub[2], sub[3]), src[sub[1]](src, sub[2], sub[3])
    local qa, qb = a:query('"the"%c'), b:query('"the"%c')
    t.ok(#qa > 0 and #qa < #ix:query('"the"%c'), sub[1] .. ": a query of a sub-corpus of an index sees its documents only")
    t.is(hits(qa), hits(qb), sub[1] .. ": the same hits as over the source's sub-corpus")
  end
  local only = ix:filter(function(d) return d.id:match("^000") end)
  for i = 1, #only:query('"the"%c') do
    if only:query('"the"%c'):hit(i).doc:sub(1, 3) ~= "000" then t.ok(false, "filter: a hit outside the kept documents") end
  end
  t.ok(#only:query('"the"%c') > 0, "filter: hits in the kept documents")
end

-- CWB's pos names the tag on an index as without one
do
  local src = assert(corpus.open("tests/data/load/annot/tagged", { format = "tagged" }))
  local path = dir .. "/tagged.cri"
  corpus.index(src, path, { quiet = true })
  local ix = assert(corpus.open(path))
  local want = #src:query('[tag="jj.*"] [tag="nn.*"]')
  t.ok(want > 0, "word/TAG: adjective-noun pairs found by tag")
  t.is(#ix:query('[pos="jj.*"] [pos="nn.*"]'), want, "[pos=...] on an index of word/TAG files is its tag")
  t.is(#src:query('[pos="jj.*"] [pos="nn.*"]'), want, "and on the files themselves")
end

-- An empty corpus, and documents without a token: indexes that open again
do
  os.execute("mkdir -p " .. q(dir .. "/none") .. " " .. q(dir .. "/blank"))
  write(dir .. "/blank/a.txt", "")
  write(dir .. "/blank/b.txt", "   \n")
  for _, case in ipairs({ { "none", 0 }, { "blank", 2 } }) do
    local path = dir .. "/" .. case[1] .. ".cri"
    local ok, err = pcall(corpus.index, dir .. "/" .. case[1], path, { quiet = true })
    t.ok(ok, "an index of a corpus with " .. case[2] .. " documents and no token is built", err)
    local c, oerr = corpus.open(path)
    t.ok(c ~= nil, "and opens again", oerr)
    if c then
      t.is(#c, case[2], "with its " .. case[2] .. " documents")
      t.is(#c:query('"the"'), 0, "a query finds nothing")
      t.ok(c:verify(), "its checksum holds")
      local texts = {}
      for d in c:docs() do texts[#texts + 1] = d.text end
      t.is_deeply(texts, case[2] == 2 and { "", "   \n" } or {}, "the documents' texts come back")
    end
  end
end

os.execute("rm -rf " .. q(dir))
t.done()
