-- engine_cooc_margins.lua: the contingency tables count.cooc's with() gives,
-- against a straightforward Lua reference that counts co-occurrence events
-- position by position, and the invariants O11 <= R1, O11 <= C1,
-- R1 <= N, C1 <= N, R1 + C1 - O11 <= N for every node and collocate, in
-- every mode, on the sample corpus and on a generated corpus of 12 000
-- words.
local t = require "tap"
local count = require "count"

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end

-- A plain Lua tokenisation: documents as arrays of sentences of words.
local function load(paths, word)
  local docs = {}
  for i, path in ipairs(paths) do
    local sents = {}
    for para in (read(path) .. "\n"):gmatch("(.-)\n") do
      for sent in para:gmatch("[^%.!?]+") do
        local s = {}
        for w in sent:gmatch(word) do s[#s + 1] = w:lower() end
        if #s > 0 then sents[#sents + 1] = s end
      end
    end
    docs[i] = sents
  end
  return docs
end

-- The segments of a mode: sentences, or each document's words in one.
local function segments(docs, by_sentence)
  local segs = {}
  for _, sents in ipairs(docs) do
    if by_sentence then
      for _, s in ipairs(sents) do segs[#segs + 1] = s end
    else
      local all = {}
      for _, s in ipairs(sents) do for _, w in ipairs(s) do all[#all + 1] = w end end
      segs[#segs + 1] = all
    end
  end
  return segs
end

-- ---- the reference ----------------------------------------------------------
-- Window mode: every ordered pair of positions (i, j), j ~= i, |i - j| <= w in
-- one segment is an event of node seg[i] with collocate seg[j]: side "both"
-- takes them all, "right" those with j > i, "left" those with j < i.  R1 is
-- the node's events, C1 the collocate's events seen from the other end, N
-- all events of the side.
local function ref_window(segs, w)
  local r = { node = { both = {}, left = {}, right = {} }, col = { both = {}, left = {}, right = {} },
              n = { both = 0, left = 0, right = 0 }, pos = {} }
  for si, seg in ipairs(segs) do
    for i = 1, #seg do
      local a = seg[i]
      local p = r.pos[a]
      if not p then p = {}; r.pos[a] = p end
      p[#p + 1] = { si, i }
      for j = math.max(1, i - w), math.min(#seg, i + w) do
        if j ~= i then
          local b, side = seg[j], j > i and "right" or "left"
          r.node.both[a] = (r.node.both[a] or 0) + 1
          r.col.both[b] = (r.col.both[b] or 0) + 1
          r.n.both = r.n.both + 1
          r.node[side][a] = (r.node[side][a] or 0) + 1
          r.col[side][b] = (r.col[side][b] or 0) + 1
          r.n[side] = r.n[side] + 1
        end
      end
    end
  end
  return r
end

-- The collocates of one node from its positions: {key = o11}.
local function ref_window_node(r, segs, w, node, side)
  local o = {}
  for _, p in ipairs(r.pos[node] or {}) do
    local seg, i = segs[p[1]], p[2]
    for j = math.max(1, i - w), math.min(#seg, i + w) do
      if j ~= i and (side == "both" or (side == "right") == (j > i)) then
        o[seg[j]] = (o[seg[j]] or 0) + 1
      end
    end
  end
  return o
end

-- Units modes: a unit is a sentence or a document; R1 and C1 count the
-- units containing each word, O11 the units containing both, N the units.
local function ref_units(segs)
  local r = { df = {}, units = {}, of = {}, n = 0 }
  for _, seg in ipairs(segs) do
    r.n = r.n + 1
    local set, list = {}, {}
    for _, w in ipairs(seg) do if not set[w] then set[w] = true; list[#list + 1] = w end end
    r.units[r.n] = list
    for _, a in ipairs(list) do
      r.df[a] = (r.df[a] or 0) + 1
      local u = r.of[a]
      if not u then u = {}; r.of[a] = u end
      u[#u + 1] = r.n
    end
  end
  return r
end

-- The collocates of one node: {key = units containing both}.
local function ref_units_node(r, node)
  local o = {}
  for _, u in ipairs(r.of[node] or {}) do
    for _, b in ipairs(r.units[u]) do
      if b ~= node then o[b] = (o[b] or 0) + 1 end
    end
  end
  return o
end

-- ---- checks -------------------------------------------------------------------
-- The invariants over every node of the counter: a first failure, or nil.
local function invariants(c, nodes, side)
  for _, node in ipairs(nodes) do
    for _, x in ipairs(c:with(node, { side = side })) do
      local bad = x.o11 < 1 and "o11 < 1" or x.o11 > x.r1 and "o11 > r1" or x.o11 > x.c1 and "o11 > c1"
        or x.r1 > x.n and "r1 > n" or x.c1 > x.n and "c1 > n" or x.r1 + x.c1 - x.o11 > x.n and "r1 + c1 - o11 > n"
      if bad then
        return ("%s: node %s, collocate %s: o11 %d r1 %d c1 %d n %d"):format(bad, node, x.key, x.o11, x.r1, x.c1, x.n)
      end
    end
  end
  return nil
end

-- with(node) against the reference rows {key = {o11, r1, c1, n}}.
local function same_table(got, want)
  local seen = 0
  for _, x in ipairs(got) do
    local w = want[x.key]
    if not w then return false, "unexpected collocate " .. x.key end
    if x.o11 ~= w[1] or x.r1 ~= w[2] or x.c1 ~= w[3] or x.n ~= w[4] then
      return false, ("%s: got %d %d %d %d, want %d %d %d %d"):format(x.key, x.o11, x.r1, x.c1, x.n, w[1], w[2], w[3], w[4])
    end
    seen = seen + 1
  end
  local nwant = 0
  for _ in pairs(want) do nwant = nwant + 1 end
  if seen ~= nwant then return false, ("%d collocates, want %d"):format(seen, nwant) end
  return true
end

local function words_of(segs)
  local set, list = {}, {}
  for _, seg in ipairs(segs) do
    for _, w in ipairs(seg) do if not set[w] then set[w] = true; list[#list + 1] = w end end
  end
  table.sort(list)
  return list
end

-- Checks one corpus: window (segments by document and by sentence, every
-- side), sentence and document modes; values against the reference for
-- the nodes sample(i) picks, the invariants for the nodes wide(i) picks.
local function pick(words, keep)
  local out = {}
  for i, w in ipairs(words) do if keep(i, w) then out[#out + 1] = w end end
  return out
end

local function check_corpus(label, docs, sample, wide)
  for _, by_sentence in ipairs({ false, true }) do
    local segs = segments(docs, by_sentence)
    local words = words_of(segs)
    local prop = pick(words, wide)
    local w = 5
    local c = count.cooc { window = w }
    for _, s in ipairs(segs) do c:add_tokens(s) end
    local r = ref_window(segs, w)
    local seg_label = by_sentence and "sentence segments" or "document segments"
    for _, side in ipairs({ "both", "left", "right" }) do
      local ok, why = true, nil
      for i, node in ipairs(words) do
        if sample(i, node) then
          local want = {}
          for k, o11 in pairs(ref_window_node(r, segs, w, node, side)) do
            want[k] = { o11, r.node[side][node], r.col[side][k], r.n[side] }
          end
          ok, why = same_table(c:with(node, { side = side }), want)
          if not ok then why = node .. ": " .. why; break end
        end
      end
      t.ok(ok, ("%s, window 5, %s, side %s: o11, r1, c1, n equal the reference"):format(label, seg_label, side), why)
      local bad = invariants(c, prop, side)
      t.ok(not bad, ("%s, window 5, %s, side %s: o11 <= r1, c1; r1, c1 <= n; r1 + c1 - o11 <= n for every node checked")
        :format(label, seg_label, side), bad)
    end
    -- merged from undumped parts, in reverse: the same tables
    local m = count.cooc { window = w }
    for i = #segs, 1, -1 do m:merge(assert(count.undump(count.cooc { window = w }:add_tokens(segs[i]):dump()))) end
    local same = true
    for i, node in ipairs(words) do
      if sample(i, node) and not t.deep_eq(m:with(node), c:with(node)) then same = false; break end
    end
    t.ok(same, label .. ", window 5, " .. seg_label .. ": merged undumped parts give the same tables")
    -- prune drops pairs, never margins
    local before = c:with(words[1])
    c:prune(2)
    local okp = true
    for _, x in ipairs(c:with(words[1])) do
      if x.r1 ~= (before[1] and before[1].r1) or x.n ~= before[1].n then okp = false end
    end
    t.ok(okp and not invariants(c, prop, "both"), label .. ", " .. seg_label .. ": pruning keeps the margins")
  end
  for _, mode in ipairs({ "sentence", "document" }) do
    local segs = segments(docs, mode == "sentence")
    local words = words_of(segs)
    local c = count.cooc { mode = mode }
    for _, s in ipairs(segs) do c:add_tokens(s) end
    local r = ref_units(segs)
    local ok, why = true, nil
    for i, node in ipairs(words) do
      if sample(i, node) then
        local want = {}
        for k, o11 in pairs(ref_units_node(r, node)) do want[k] = { o11, r.df[node], r.df[k], r.n } end
        ok, why = same_table(c:with(node), want)
        if not ok then why = node .. ": " .. why; break end
      end
    end
    t.ok(ok, ("%s, %s mode: o11, r1, c1, n equal the reference"):format(label, mode), why)
    local bad = invariants(c, pick(words, sample), "both") -- a node has most words as collocates here
    t.ok(not bad, ("%s, %s mode: the invariants hold for every node checked"):format(label, mode), bad)
  end
end

-- ---- the sample corpus: every node --------------------------------------------
local files = {}
local p = io.popen("ls corpus/*.txt")
for f in p:lines() do files[#files + 1] = f end
p:close()
local every = function() return true end
check_corpus("sample corpus", load(files, "%w+"), every, every)

-- add_text through the real tokenizer: the invariants, on sentences too
for _, opts in ipairs({ { window = 5 }, { window = 5, sentences = true }, { window = 1 }, { window = 20 } }) do
  local c = count.cooc(opts)
  local f = count.freq()
  for _, path in ipairs(files) do local s = read(path); c:add_text(s); f:add_text(s) end
  local words = {}
  for k in f:items() do words[#words + 1] = k end
  local bad = invariants(c, words, "both") or invariants(c, words, "left") or invariants(c, words, "right")
  t.ok(not bad, ("add_text, window %d%s: the invariants hold for every node and side")
    :format(opts.window, opts.sentences and ", sentences" or ""), bad)
end

-- partitioned dumps (--partitions R): the partitions merged give the same tables
do
  local whole, shards = count.cooc { window = 3 }, {}
  for k, path in ipairs(files) do
    shards[k] = count.cooc { window = 3 }:add_text(read(path))
    whole:add_text(read(path))
  end
  local union
  for r = 0, 2 do
    local m
    for k = 1, #shards do
      local part = assert(count.undump(shards[k]:dump({ partition = r, partitions = 3 })))
      if m then m:merge(part) else m = part end
    end
    if union then union:merge(m) else union = m end
  end
  local same = true
  for _, node in ipairs({ "iran", "the", "regime", "zakani", "mayor" }) do
    for _, side in ipairs({ "both", "left", "right" }) do
      if not t.deep_eq(union:with(node, { side = side }), whole:with(node, { side = side })) then same = false end
    end
  end
  t.ok(same, "window counters dumped in 3 partitions and merged give the same tables")
end

-- a word alone, and a node next to itself
local c1 = count.cooc { window = 2 }:add_tokens { "a", "a", "b" }
local rows = {}
for _, x in ipairs(c1:with("a")) do rows[#rows + 1] = { x.key, x.o11, x.r1, x.c1, x.n, x.f1, x.f2 } end
t.is_deeply(rows, { { "a", 2, 4, 4, 6, 2, 2 }, { "b", 2, 4, 2, 6, 2, 1 } },
  "a a b, window 2: the pair of a's is seen from both ends; a has 4 slots, b 2, of 6 events")
t.is_deeply(count.cooc { window = 3 }:add_tokens { "x" }:with("x"), {}, "one token: no collocates")

-- Version 1 frames (before the margins were kept) are still read, except
-- for window counters, whose margins they lack: refused, not guessed.
local function fnv1a64(s)
  local h = 0xcbf29ce484222325
  for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
  return h
end
local function as_v1(dump, strip)
  local body = dump:sub(1, 4) .. "\1" .. dump:sub(6, #dump - 8 - strip)
  return body .. string.pack("<i8", fnv1a64(body))
end
local d = count.cooc { window = 2 }:add_tokens { "a", "b" }:dump()
t.ok(count.undump(as_v1(d, 0)) == nil, "a version 1 window counter is refused")
t.like(select(2, count.undump(as_v1(d, 0))), "version", "with a message naming the version")
local ds = count.cooc { mode = "sentence" }:add_tokens { "a", "b" }:dump()
t.is(assert(count.undump(as_v1(ds, 0))):get("a", "b"), 1, "a version 1 sentence counter still loads")
t.is(assert(count.undump(as_v1(count.freq():add("x", 3):dump(), 0))):get("x"), 3, "a version 1 freq still loads")

-- ---- a generated corpus in the shape of running text: 24 documents of
-- sentences of 3 to 30 words, the words drawn from a Zipf law over 2000
-- types (a few very frequent words, a long tail seen once), so that the
-- counters grow their tables, nodes have hundreds of collocates and margins
-- run into the thousands.  The values for every 40th word and the 30 most
-- frequent, the invariants for every 5th word and those 30. -----------------
local function generated(ndocs, nwords, ntypes, seed)
  local x = seed
  local function rand()   -- a 64-bit LCG: the same corpus on every machine
    x = x * 6364136223846793005 + 1442695040888963407
    return ((x >> 11) & 0x1fffffffffffff) / 0x20000000000000
  end
  local cdf, sum = {}, 0
  for r = 1, ntypes do sum = sum + 1 / r; cdf[r] = sum end
  local words = {}
  for r = 1, ntypes do   -- rank r as letters: a, b, ..., z, ba, bb, ...
    local w, k = {}, r - 1
    repeat w[#w + 1] = string.char(97 + k % 26); k = k // 26 until k == 0
    words[r] = string.reverse(table.concat(w))
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
    local sents, n = {}, 0
    while n < nwords do
      local s = {}
      for _ = 1, 3 + math.floor(rand() * 28) do s[#s + 1] = draw() end
      sents[#sents + 1] = s
      n = n + #s
    end
    docs[d] = sents
  end
  return docs
end

do
  local gdocs = generated(24, 500, 2000, 20260101)
  local f = count.freq()
  for _, sents in ipairs(gdocs) do for _, s in ipairs(sents) do f:add_tokens(s) end end
  t.ok(#f >= 1000 and f:get("a") >= 1000, ("the generated corpus: %d types, %d of the most frequent"):format(#f, f:get("a")))
  local top = {}
  for _, row in ipairs(f:top(30)) do top[row.key] = true end
  check_corpus("generated corpus", gdocs, function(i, node) return i % 40 == 0 or top[node] end,
    function(i, node) return i % 5 == 0 or top[node] end)
end

t.done()
