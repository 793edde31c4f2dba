-- query_reference.lua: c:query against a brute-force reference matcher
-- written here over plain Lua arrays of tokens: random queries (tokens,
-- tests with & | !, regular expressions of a few shapes, %c, repetitions of
-- tokens and groups, alternatives, <s> and </s>, @ targets, within, global
-- constraints) over the sample corpus and part of the tagged Brown corpus
-- (bench/data, fetched on first use; skipped where it cannot be, failing
-- under CI=true), with identical hits, in the same order, for every strategy.
local t = require "tap"
local corpus = require "corpus"
local query = require "query"
local core = require "query.core"

-- ---- the corpus as arrays ----------------------------------------------------

local function load(c, attrs)
  local pos = query.positions(c)
  local info = core.info(pos)
  local n = info.size
  local data = { n = n, pos = pos, attrs = {} }
  for _, a in ipairs(attrs) do
    local arr = {}
    local s = core.join(pos, a, 0, n, "\n") .. "\n"
    for w in s:gmatch("(.-)\n") do arr[#arr + 1] = w end
    assert(#arr == n, "tokens of " .. a)
    data.attrs[a] = arr
  end
  -- regions: per position its document and sentence (0-based bounds)
  data.dstart, data.dend, data.did, data.sstart, data.send = {}, {}, {}, {}, {}
  data.sstarts, data.sends = {}, {}
  for k = 0, info.structs.text.n - 1 do
    local s, e = core.region(pos, "text", k)
    local id = core.value(pos, "text", k, "id")
    for p = s, e - 1 do data.dstart[p], data.dend[p], data.did[p] = s, e, id end
  end
  for k = 0, info.structs.s.n - 1 do
    local s, e = core.region(pos, "s", k)
    data.sstarts[s] = true
    data.sends[e] = true
    for p = s, e - 1 do data.sstart[p], data.send[p] = s, e end
  end
  return data
end

-- ---- random queries -------------------------------------------------------------

local rnd = math.random

local function esc(w)
  return (w:gsub('[%^%$%.%[%]%|%(%)%?%*%+%{%}\\"]', "\\%0"))
end

local function pick(list) return list[rnd(#list)] end

local function is_ascii(w) return not w:find("[\128-\255]") end

-- frequent values of each attribute, to draw tests that find something
local function vocabulary(data)
  local vocab = {}
  for a, arr in pairs(data.attrs) do
    local f = {}
    for _, w in ipairs(arr) do f[w] = (f[w] or 0) + 1 end
    local list = {}
    for w, n in pairs(f) do if w ~= "" and n >= 2 and is_ascii(w) then list[#list + 1] = w end end
    table.sort(list, function(x, y) if f[x] ~= f[y] then return f[x] > f[y] end return x < y end)
    local top = {}
    for i = 1, math.min(#list, 150) do top[i] = list[i] end
    vocab[a] = top
  end
  return vocab
end

local function gen_regex(vocab, attr)
  local words = vocab[attr]
  local r = rnd(10)
  if r <= 4 then return { kind = "lit", w = pick(words) } end
  if r <= 6 then
    local w = pick(words)
    return { kind = "prefix", w = w:sub(1, math.min(#w, rnd(3))) }
  end
  if r <= 8 then
    local set = {}
    for i = 1, rnd(2, 4) do set[i] = pick(words) end
    return { kind = "alt", set = set }
  end
  if r == 9 then return { kind = "dots", n = rnd(1, 3) } end
  return { kind = "class" }
end

local function render_regex(re)
  if re.kind == "lit" then return esc(re.w) end
  if re.kind == "prefix" then return esc(re.w) .. ".*" end
  if re.kind == "alt" then
    local parts = {}
    for i, w in ipairs(re.set) do parts[i] = esc(w) end
    return table.concat(parts, "|")
  end
  if re.kind == "dots" then return string.rep(".", re.n) end
  return "[a-z]+"
end

local function regex_matches(re, v, ci)
  if ci then v = v:lower() end
  local function same(w) return (ci and w:lower() or w) == v end
  if re.kind == "lit" then return same(re.w) end
  if re.kind == "prefix" then
    local w = ci and re.w:lower() or re.w
    return v:sub(1, #w) == w
  end
  if re.kind == "alt" then
    for _, w in ipairs(re.set) do if same(w) then return true end end
    return false
  end
  if re.kind == "dots" then return utf8.len(v) == re.n end
  return v:match("^[a-z]+$") ~= nil
end

local function gen_cond(vocab, attrs, depth)
  local r = rnd(10)
  if depth < 2 and r == 1 then return { k = "and", a = gen_cond(vocab, attrs, depth + 1), b = gen_cond(vocab, attrs, depth + 1) } end
  if depth < 2 and r == 2 then return { k = "or", a = gen_cond(vocab, attrs, depth + 1), b = gen_cond(vocab, attrs, depth + 1) } end
  if depth < 2 and r == 3 then return { k = "not", a = gen_cond(vocab, attrs, depth + 1) } end
  local attr = pick(attrs)
  local re = gen_regex(vocab, attr)
  local ci = re.kind ~= "dots" and re.kind ~= "class" and rnd(4) == 1
  return { k = "test", attr = attr, neg = rnd(6) == 1, re = re, ci = ci }
end

local function render_cond(c)
  if c.k == "and" then return "(" .. render_cond(c.a) .. " & " .. render_cond(c.b) .. ")" end
  if c.k == "or" then return "(" .. render_cond(c.a) .. " | " .. render_cond(c.b) .. ")" end
  if c.k == "not" then return "!" .. render_cond(c.a) end
  return c.attr .. (c.neg and "!=" or "=") .. '"' .. render_regex(c.re) .. '"' .. (c.ci and "%c" or "")
end

local function cond_holds(data, c, p)
  if c.k == "true" then return true end
  if c.k == "and" then return cond_holds(data, c.a, p) and cond_holds(data, c.b, p) end
  if c.k == "or" then return cond_holds(data, c.a, p) or cond_holds(data, c.b, p) end
  if c.k == "not" then return not cond_holds(data, c.a, p) end
  return regex_matches(c.re, data.attrs[c.attr][p + 1], c.ci) ~= c.neg
end

local gen_alt

local function gen_item(vocab, attrs, depth, targets)
  local node
  if depth < 2 and rnd(6) == 1 then
    node = gen_alt(vocab, attrs, depth + 1, targets)
  else
    local cond = rnd(8) == 1 and { k = "true" } or gen_cond(vocab, attrs, 0)
    node = { k = "tok", cond = cond, target = targets.left > 0 and rnd(5) == 1 }
    if node.target then targets.left = targets.left - 1 end
  end
  local r = rnd(12)
  if r == 1 then node = { k = "rep", kid = node, min = 0, max = 1 }
  elseif r == 2 then node = { k = "rep", kid = node, min = 0, max = -1 }
  elseif r == 3 then node = { k = "rep", kid = node, min = 1, max = -1 }
  elseif r == 4 then local a = rnd(0, 2); node = { k = "rep", kid = node, min = a, max = a + rnd(0, 2) }
  elseif r == 5 then node = { k = "rep", kid = node, min = rnd(1, 2), max = nil } end
  if node.k == "rep" and node.max == nil then node.max = node.min end
  return node
end

local function gen_seq(vocab, attrs, depth, targets)
  local seq = { k = "seq" }
  if rnd(8) == 1 then seq[#seq + 1] = { k = "tag", name = "s" } end
  for _ = 1, rnd(1, 3) do seq[#seq + 1] = gen_item(vocab, attrs, depth, targets) end
  if rnd(8) == 1 then seq[#seq + 1] = { k = "tag", name = "s", close = true } end
  return seq
end

gen_alt = function(vocab, attrs, depth, targets)
  local alt = { k = "alt" }
  for i = 1, (rnd(4) == 1 and 2 or 1) do alt[i] = gen_seq(vocab, attrs, depth, targets) end
  return #alt == 1 and alt[1] or alt
end

local function render(node)
  if node.k == "tok" then
    return (node.target and "@" or "") .. "[" .. (node.cond.k == "true" and "" or render_cond(node.cond)) .. "]"
  end
  if node.k == "tag" then return node.close and "</s>" or "<s>" end
  if node.k == "seq" or node.k == "alt" then
    local parts = {}
    for i, kid in ipairs(node) do parts[i] = render(kid) end
    return "(" .. table.concat(parts, node.k == "seq" and " " or " | ") .. ")"
  end
  local q = node.max < 0 and (node.min == 0 and "*" or node.min == 1 and "+" or "{" .. node.min .. ",}")
    or (node.min == 0 and node.max == 1 and "?") or ("{" .. node.min .. "," .. node.max .. "}")
  return render(node.kid) .. q
end

-- whether node can match no token
local function nullable(node)
  if node.k == "tok" then return false end
  if node.k == "tag" then return true end
  if node.k == "seq" then
    for _, kid in ipairs(node) do if not nullable(kid) then return false end end
    return true
  end
  if node.k == "alt" then
    for _, kid in ipairs(node) do if nullable(kid) then return true end end
    return false
  end
  return node.min == 0 or nullable(node.kid)
end

local function unbounded(node)
  if node.k == "rep" and node.max < 0 then return true end
  if node.k == "seq" or node.k == "alt" then
    for _, kid in ipairs(node) do if unbounded(kid) then return true end end
  end
  return node.k == "rep" and unbounded(node.kid)
end

-- ---- the reference matcher ----------------------------------------------------------

local function merge(a, b)
  if a < 0 then return b end
  if b < 0 then return a end
  return math.min(a, b)
end

local function add(set, p, tv)
  local old = set[p]
  if old == nil then set[p] = tv; return true end
  local m = merge(old, tv)
  if m ~= old then set[p] = m; return true end
  return false
end

-- From each (position, target) of set: the positions after node, with targets.
local function step(data, node, set, bound)
  local out = {}
  if node.k == "tok" then
    for p, tv in pairs(set) do
      if p <= bound and p < data.n and (node.cond.k == "true" or cond_holds(data, node.cond, p)) then
        add(out, p + 1, node.target and p or tv)
      end
    end
  elseif node.k == "tag" then
    for p, tv in pairs(set) do
      if node.close then
        if p - 1 >= 0 and p - 1 <= bound and data.sends[p] and data.send[p - 1] == p then add(out, p, tv) end
      elseif p <= bound and p < data.n and data.sstarts[p] then
        add(out, p, tv)
      end
    end
  elseif node.k == "seq" then
    out = set
    for _, kid in ipairs(node) do out = step(data, kid, out, bound) end
  elseif node.k == "alt" then
    for _, kid in ipairs(node) do
      for p, tv in pairs(step(data, kid, set, bound)) do add(out, p, tv) end
    end
  else
    local cur = set
    for _ = 1, node.min do cur = step(data, node.kid, cur, bound) end
    for p, tv in pairs(cur) do add(out, p, tv) end
    local i = node.min
    while next(cur) and (node.max < 0 or i < node.max) do
      cur = step(data, node.kid, cur, bound)
      local changed = false
      for p, tv in pairs(cur) do if add(out, p, tv) then changed = true end end
      i = i + 1
      if node.max < 0 and not changed then break end
    end
  end
  return out
end

local function reference(data, ast, within, gc, strategy)
  local raw = {}
  for s = 0, data.n - 1 do
    local b = data.dend[s] - 1
    local ok = true
    if within == nil then b = math.min(b, s + 499)
    elseif within == "s" then
      if data.send[s] then b = math.min(b, data.send[s] - 1) else ok = false end
    elseif within == "text" then -- the document already
    else b = math.min(b, s + within - 1) end
    if ok and gc and not regex_matches(gc, data.did[s], false) then ok = false end
    if ok then
      local ends = step(data, ast, { [s] = -1 }, b)
      local best, btv
      for p, tv in pairs(ends) do
        if p > s then
          local e = p - 1
          if best == nil or (strategy == "longest" and e > best) or (strategy ~= "longest" and e < best) then
            best, btv = e, tv
          end
        end
      end
      if best then raw[#raw + 1] = { s, best, btv } end
    end
  end
  -- CQP's clean-up
  local dead = {}
  for i = 1, #raw do
    if not dead[i] then
      local j = i + 1
      while j <= #raw and raw[j][1] <= raw[i][2] do
        if strategy == "standard" then
          if raw[j][2] == raw[i][2] then dead[j] = true end
        elseif strategy == "shortest" then
          if raw[j][2] <= raw[i][2] then dead[i] = true; break end
        elseif not dead[j] and raw[j][2] <= raw[i][2] then
          dead[j] = true
        end
        j = j + 1
      end
    end
  end
  local out = {}
  for i, h in ipairs(raw) do if not dead[i] then out[#out + 1] = h end end
  return out
end

local function got_hits(q)
  local out = {}
  for i, h in q:hits() do
    out[i] = { h.cpos, h.cend, h.target and (h.cpos - h.start + h.target) or -1 }
  end
  return out
end

local function same_hits(a, b)
  if #a ~= #b then return false, string.format("%d hits, the reference %d", #a, #b) end
  for i = 1, #a do
    if a[i][1] ~= b[i][1] or a[i][2] ~= b[i][2] or a[i][3] ~= b[i][3] then
      return false, string.format("hit %d: %d-%d@%d, the reference %d-%d@%d", i, a[i][1], a[i][2], a[i][3],
        b[i][1], b[i][2], b[i][3])
    end
  end
  return true
end

local function run_random(name, c, attrs, nqueries, seed)
  local t0 = os.clock()
  local data = load(c, attrs)
  local vocab = vocabulary(data)
  local ids = {}
  for _, id in pairs(data.did) do ids[id] = true end
  local idlist = {}
  for id in pairs(ids) do idlist[#idlist + 1] = id end
  table.sort(idlist)
  math.randomseed(seed)
  local failures, total, nonempty = 0, 0, 0
  for _ = 1, nqueries do
    local ast = gen_alt(vocab, attrs, 0, { left = 1 })
    if nullable(ast) then ast = { k = "seq", ast, { k = "tok", cond = gen_cond(vocab, attrs, 0) } } end
    -- unbounded repetitions run to the end of the sentence or a few tokens:
    -- to the 500 tokens of the hard boundary the reference would take long
    local within = ({ "s", "s", rnd(2, 8), "text", false })[rnd(unbounded(ast) and 3 or 5)] or nil
    local gc
    if rnd(6) == 1 then gc = { kind = "prefix", w = pick(idlist):sub(1, 2) } end
    local q = render(ast)
    if gc then q = q .. ' :: match.text_id="' .. render_regex(gc) .. '"' end
    if within then q = q .. " within " .. within end
    for _, st in ipairs({ "standard", "shortest", "longest" }) do
      total = total + 1
      local r, err = c:query(q, { strategy = st })
      local ok, why
      if not r then ok, why = false, err
      else
        local got = got_hits(r)
        if #got > 0 then nonempty = nonempty + 1 end
        ok, why = same_hits(got, reference(data, ast, within, gc, st))
      end
      if not ok then
        failures = failures + 1
        if failures <= 5 then t.diag(name .. " " .. st .. ": " .. q .. ": " .. why) end
      end
    end
  end
  t.diag(string.format("%s: %d tokens, %.1f s", name, data.n, os.clock() - t0))
  t.is(failures, 0, string.format("%s: %d random queries x 3 strategies give the reference's hits", name, nqueries))
  t.ok(nonempty > total / 4, string.format("%s: most queries find something (%d of %d)", name, nonempty, total))
end

-- the sample corpus: plain text through the tokeniser
run_random("sample corpus", assert(corpus.open("corpus")), { "word", "lower", "key" }, 100, 7)

-- an annotated corpus: the words and tags of part of Brown
local dir = t.brown("tagged")
local have = io.open(dir .. "/ca01", "rb")
if have then
  have:close()
  local c = assert(corpus.open(dir .. "/ca0*", { format = "tagged" }))
  run_random("Brown ca0*", c, { "word", "lower", "pos" }, 60, 11)
else
  t.require_or_skip("no tagged Brown corpus in " .. dir)
end

t.done()
