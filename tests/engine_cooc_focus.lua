-- engine_cooc_focus.lua: count.cooc with a focus (node = words: only the
-- pairs with a node; among = words: only the pairs of two of them), and
-- count.ngrams{only = grams}, answer
-- exactly as the unrestricted counter for what it keeps: c:with(node) on
-- every side, c:get and c:pairs of the among words, the margins and N, in
-- every mode, on the sample corpus and on a generated corpus; merged from
-- halves, through dump/undump and through partitioned dumps; and refuses
-- what cannot mix.
local t = require "tap"
local count = require "count"

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end

local sample = {}
for i, name in ipairs({ "000_bffbd40d78d47571", "001_e8d32c68db4d5ae8", "002_1b50013527941c34",
                        "003_215d9fb04907b489", "004_62ef3bdf8865f1a7" }) do
  sample[i] = read("corpus/" .. name .. ".txt")
end

-- 30 documents of sentences of 3 to 30 words from a Zipf law over 1500 types
-- (a 64-bit LCG: the same text on every machine); words repeat next to
-- themselves often enough that a node is its own neighbour.
local function generated(ndocs, nwords, ntypes, seed)
  local x = seed
  local function rand()
    x = x * 6364136223846793005 + 1442695040888963407
    return ((x >> 11) & 0x1fffffffffffff) / 0x20000000000000
  end
  local cdf, sum = {}, 0
  for r = 1, ntypes do sum = sum + 1 / r; cdf[r] = sum end
  local words = {}
  for r = 1, ntypes do
    local w, k = {}, r - 1
    repeat w[#w + 1] = string.char(97 + k % 26); k = k // 26 until k == 0
    words[r] = "w" .. string.reverse(table.concat(w))
  end
  local function draw()
    local u, lo, hi = rand() * sum, 1, ntypes
    while lo < hi do
      local mid = (lo + hi) // 2
      if cdf[mid] < u then lo = mid + 1 else hi = mid end
    end
    return words[lo]
  end
  local docs = {}
  for d = 1, ndocs do
    local out, n = {}, 0
    while n < nwords do
      local s = {}
      for _ = 1, 3 + math.floor(rand() * 28) do s[#s + 1] = draw() end
      s[1] = s[1]:gsub("^%l", string.upper)   -- a sentence begins with a capital
      out[#out + 1] = table.concat(s, " ") .. "."
      n = n + #s
    end
    docs[d] = table.concat(out, " ")
  end
  return docs
end

local function fed(opts, docs, from, to)
  local c = count.cooc(opts)
  for i = from or 1, to or #docs do c:add_text(docs[i]) end
  return c
end

local function with(opts, extra)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  for k, v in pairs(extra) do o[k] = v end
  return o
end

local function rows_text(rows)
  local out = {}
  for i, r in ipairs(rows) do
    out[i] = table.concat({ r.key, r.o11, r.r1, r.c1, r.n, r.f1, r.f2 }, " ")
  end
  return table.concat(out, "\n")
end

local function pairs_text(rows, keep)
  local out = {}
  for _, r in ipairs(rows) do
    if not keep or (keep[r.a] and keep[r.b]) then out[#out + 1] = r.a .. " " .. r.b .. " " .. r.n end
  end
  return table.concat(out, "\n")
end

-- Every side of with(node), and the node's margin and N, the same as full's.
local function same_with(full, focus, node)
  for _, side in ipairs({ "both", "left", "right" }) do
    local a, b = rows_text(full:with(node, { side = side })), rows_text(focus:with(node, { side = side }))
    if a ~= b then return false, ("with(%q, side %s) differs:\n%s\n--- against ---\n%s"):format(node, side, b, a) end
  end
  if full:freq(node) ~= focus:freq(node) or full:total() ~= focus:total() then
    return false, "freq or total differs for " .. node
  end
  return true
end

local modes = {
  { name = "window 1", opts = { window = 1 } },
  { name = "window 5", opts = { window = 5 } },
  { name = "window 5 by sentence", opts = { window = 5, sentences = true } },
  { name = "sentence", opts = { mode = "sentence" } },
  { name = "document", opts = { mode = "document" } },
}

local function check_corpus(label, docs)
  for _, m in ipairs(modes) do
    local full = fed(m.opts, docs)
    local f = count.freq()
    for _, d in ipairs(docs) do f:add_text(d) end
    local nodes = {}
    for _, row in ipairs(f:top(8)) do nodes[#nodes + 1] = row.key end
    local all = f:top(#f)
    for i = #all, 1, -math.max(1, #all // 6) do nodes[#nodes + 1] = all[i].key end  -- rarer words
    nodes[#nodes + 1] = "absent-from-the-corpus"
    local bad
    for _, node in ipairs(nodes) do
      local ok, why = same_with(full, fed(with(m.opts, { node = node }), docs), node)
      if not ok then bad = why; break end
    end
    t.ok(not bad, ("%s, %s: with(node) of a node counter is the full counter's for %d nodes"):format(label, m.name, #nodes))
    if bad then t.diag(bad) end

    -- several nodes at once; fewer pairs stored than the full counter
    local three = { nodes[1], nodes[5], nodes[10] }
    local multi = fed(with(m.opts, { node = three }), docs)
    bad = nil
    for _, node in ipairs(three) do
      local ok, why = same_with(full, multi, node)
      if not ok then bad = why end
    end
    t.ok(not bad and #multi < #full, ("%s, %s: three nodes at once, %d pairs of %d"):format(label, m.name, #multi, #full))
    if bad then t.diag(bad) end

    -- among: the pairs of the words of the set, as the full counter has them
    local set, keep = {}, {}
    for i = 1, 6 do set[i] = all[i].key; keep[all[i].key] = true end
    set[#set + 1] = all[#all].key; keep[all[#all].key] = true
    local among = fed(with(m.opts, { among = set }), docs)
    t.is(pairs_text(among:pairs()), pairs_text(full:pairs(), keep),
      ("%s, %s: among = 7 words gives the full counter's pairs of them"):format(label, m.name))
    if m.opts.mode == nil then
      t.is(pairs_text(among:pairs(1, { directed = true })), pairs_text(full:pairs(1, { directed = true }), keep),
        ("%s, %s: and the directed pairs"):format(label, m.name))
    end

    -- merged from halves, directly, through dump/undump and by partitions
    local o = with(m.opts, { node = nodes[2] })
    local whole = fed(o, docs)
    local h = #docs // 2
    local merged = fed(o, docs, 1, h):merge(fed(o, docs, h + 1))
    local moved = assert(count.undump(fed(o, docs, 1, h):dump())):merge(assert(count.undump(fed(o, docs, h + 1):dump())))
    local parts
    for r = 0, 2 do
      local left = assert(count.undump(fed(o, docs, 1, h):dump({ partition = r, partitions = 3 })))
      left:merge(assert(count.undump(fed(o, docs, h + 1):dump({ partition = r, partitions = 3 }))))
      if parts then parts:merge(left) else parts = left end
    end
    local want = rows_text(whole:with(nodes[2]))
    t.ok(rows_text(merged:with(nodes[2])) == want and rows_text(moved:with(nodes[2])) == want
         and rows_text(parts:with(nodes[2])) == want and #merged == #whole and #parts == #whole,
      ("%s, %s: a node counter merged from halves (directly, dumped, by 3 partitions) is the whole"):format(label, m.name))
  end
end

check_corpus("sample corpus", sample)
check_corpus("generated corpus", generated(30, 400, 1500, 20261207))

-- ---- what cannot mix ------------------------------------------------------------
local a = count.cooc { node = "tea" }:add_text("strong tea and weak tea")
t.raises(function() a:merge(count.cooc { node = "coffee" }) end, "node or among", "nodes differ: no merge")
t.raises(function() a:merge(count.cooc()) end, "node or among", "a node counter does not merge with a full one")
t.raises(function() count.cooc():merge(a) end, "node or among", "nor a full one with a node counter")
t.raises(function() a:merge(count.cooc { among = { "tea" } }) end, "node or among", "node and among differ")
t.lives(function() count.cooc { node = { "tea", "and" } }:merge(count.cooc { node = { "and", "tea" } }) end,
  "the same nodes in another order merge")
t.raises(function() count.cooc { node = "tea", among = { "tea" } } end, "exclude each other", "node and among together")
t.raises(function() count.cooc { node = {} } end, "non%-empty", "an empty node list")
t.raises(function() count.cooc { among = "tea" } end, "non%-empty array", "among is an array")
t.raises(function() count.cooc { node = { "tea", 3 } } end, "item 2 must be a string", "a node that is no string")
t.is(assert(count.undump(a:dump())):get("strong", "tea"), 2, "a node counter undumps")
t.raises(function() assert(count.undump(a:dump())):merge(count.cooc { node = "coffee" }) end, "node or among",
  "and keeps its node")
local d = a:dump()
t.ok(count.undump(d:sub(1, #d - 3)) == nil, "a cut dump is refused, not misread")

-- ---- count.ngrams{only=}: the listed n-grams alone, with the full totals ---------
do
  local docs = generated(30, 400, 1500, 20261207)
  for _, n in ipairs({ 2, 3 }) do
    local full = count.ngrams(n)
    for _, d in ipairs(docs) do full:add_text(d) end
    local top, only = full:top(12), {}
    for i, row in ipairs(top) do only[i] = row[1] end
    only[#only + 1] = ("zz-absent "):rep(n):sub(1, -2)   -- never seen
    local some = count.ngrams(n, { only = only })
    for _, d in ipairs(docs) do some:add_text(d) end
    local same = #some == #top and some:total() == full:total()
    for _, row in ipairs(top) do same = same and some:get(row[1]) == row[2] end
    t.ok(same, ("ngrams %d, only the top 12: their counts and the total as the full counter's (%d grams of %d)"):format(n, #some, #full))
    local h = #docs // 2
    local a, b = count.ngrams(n, { only = only }), count.ngrams(n, { only = only })
    for i, d in ipairs(docs) do (i <= h and a or b):add_text(d) end
    a:merge(assert(count.undump(b:dump())))
    local parts
    for r = 0, 2 do
      local p = assert(count.undump(some:dump({ partition = r, partitions = 3 })))
      if parts then parts:merge(p) else parts = p end
    end
    t.ok(a:get(top[1][1]) == top[1][2] and a:total() == full:total() and #a == #some
         and parts:get(top[2][1]) == top[2][2] and #parts == #some,
      ("ngrams %d, only: merged from halves (one dumped), and from 3 partitions"):format(n))
  end
  local g = count.ngrams(2, { only = { "a b" } })
  t.raises(function() g:merge(count.ngrams(2)) end, "only", "an only counter does not merge with a full one")
  t.raises(function() g:merge(count.ngrams(2, { only = { "b c" } })) end, "only", "nor with other only keys")
  t.raises(function() count.ngrams(2, { only = {} }) end, "non%-empty", "an empty only list")
  t.raises(function() count.ngrams(2, { only = "a b" }) end, "non%-empty array", "only is an array")
  g:add_text("a b c a b")
  local back = assert(count.undump(g:dump()))
  t.ok(back:get("a b") == 2 and #back == 1 and back:total() == 4, "an only counter undumps with its keys")
  back:add_text("a b")
  t.is(back:get("a b"), 3, "and goes on counting only them")
end


-- add_text's `count`: the words of the same reading counted in a word
-- counter, as its own add_text counts them, in every mode, with or without
-- a focus, across texts (its ids map to the pairs counter's), and after
-- the word counter was pruned (its ids renumbered)
do
  local texts = {}
  for i, d in ipairs(sample) do texts[i] = d end
  for _, name in ipairs({ "ca01", "cg22", "cj01" }) do texts[#texts + 1] = read("tests/data/load/brown/" .. name .. ".txt") end
  texts[#texts + 1] = "Ünïcode wörds, ÉCOLE école. \u{0}x y\u{2028}z"
  texts[#texts + 1] = ""
  for _, copts in ipairs({ { mode = "sentence" }, { mode = "document" }, { window = 3 },
                           { mode = "sentence", among = { "the", "of", "and" } }, { window = 2, node = "the" } }) do
    local words, plain, pairs_of, alone = count.freq(), count.freq(), count.cooc(copts), count.cooc(copts)
    for i, text in ipairs(texts) do
      pairs_of:add_text(text, { count = words })
      alone:add_text(text)
      plain:add_text(text)
      if i == 4 then words:prune(2); plain:prune(2) end
    end
    local same = words:total() == plain:total() and #words == #plain
    for _, kv in ipairs(plain:top()) do same = same and words:get(kv[1]) == kv[2] end
    local label = (copts.mode or "window") .. (copts.among and " among" or copts.node and " node" or "")
    t.ok(same, ("cooc %s, count = f: f counts what f:add_text counts (%d words, %d tokens)"):format(label, #plain, plain:total()))
    local pa, pb = pairs_of:pairs(), alone:pairs()
    local same_pairs = #pa == #pb and pairs_of:total() == alone:total()
    for i = 1, #pa do same_pairs = same_pairs and pa[i].a == pb[i].a and pa[i].b == pb[i].b and pa[i].n == pb[i].n end
    t.ok(same_pairs, ("cooc %s, count = f: the pairs as without it (%d)"):format(label, #pa))
  end
  local c, f = count.cooc({ mode = "sentence" }), count.freq({ level = "raw" })
  t.raises(function() c:add_text("A a.", { count = f }) end, "normalisation level",
    "count: a word counter of the cooc's level")
  c:add_text("A a.", { count = f, level = "raw" })
  t.is(f:get("A"), 1, "count: the per-call level applies to the word counter too")
  t.raises(function() c:add_text("a", { count = count.ngrams(2) }) end, "count.freq", "count: not n-grams")
  t.raises(function() c:add_text("a", { count = count.df() }) end, "count.freq", "count: not document frequencies")
  t.raises(function() c:add_text("a", { count = count.freq({ attr = "lemma" }) }) end, "count.freq", "count: not an attribute")
  t.raises(function() c:add_text("a", { count = "f" }) end, "count.freq", "count: a counter")
  t.raises(function() count.freq():add_text("a", { count = count.freq() }) end, "count", "count: only for pairs")
end

t.done()
