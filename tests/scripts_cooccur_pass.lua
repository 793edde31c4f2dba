-- cooccur.lua counts the words and the pairs of the words a sample makes
-- likely in one pass, and counts again when a chosen word was not among
-- them: both ways its pairs, counts and association measures are those of
-- an unrestricted counter of every pair, in each unit, at -j 1 and -j 2.
local t = require "tap"
local q = t.shell_quote
local json = require "json"
local corpus = require "corpus"
local count = require "count"
local stats = require "stats"

-- 80 documents (the sample takes 50) of short sentences over a few words;
-- with `hidden`, "zeta" fills five documents outside the sample, so that it
-- is among the most frequent words but not among the sample's.
local function make(dir, hidden)
  local words = { "alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "iota", "kappa", "lambda" }
  local names = {}
  for i = 1, 80 do
    names[i] = ("d%02d.txt"):format(i)
    local sentences = {}
    for s = 1, 2 + i % 4 do
      local w = {}
      for k = 1, 3 + (i + s) % 5 do w[k] = words[1 + (i * 7 + s * 3 + k * k) % (#words - (i % 3))] end
      w[1] = w[1]:sub(1, 1):upper() .. w[1]:sub(2)
      sentences[s] = table.concat(w, " ") .. "."
    end
    local f = assert(io.open(dir .. "/" .. names[i], "wb"))
    f:write(table.concat(sentences, " "), "\n")
    f:close()
  end
  if hidden then
    local sampled = {}
    for _, id in ipairs(assert(corpus.open(dir)):sample(50, 0):ids()) do sampled[id] = true end
    local n = 0
    for _, name in ipairs(names) do
      if not sampled[name] and n < 5 then
        n = n + 1
        local f = assert(io.open(dir .. "/" .. name, "ab"))
        f:write(("Zeta alpha zeta beta. "):rep(30), "\n")
        f:close()
      end
    end
    assert(n == 5, "the corpus has documents outside its sample")
  end
end

-- The pairs among the top words, from counters of every word and every pair.
local function reference(dir, copts, top)
  local f, c = count.freq(), count.cooc(copts)
  for doc in assert(corpus.open(dir)):docs() do
    f:add_text(doc.text)
    c:add_text(doc.text)
  end
  local keep, nodes = {}, {}
  for i, kv in ipairs(f:top(top)) do keep[kv[1]] = true; nodes[i] = kv[1] end
  local rows = {}
  for _, a in ipairs(nodes) do
    for _, r in ipairs(c:with(a)) do
      if keep[r.key] and a < r.key then
        local s = stats.association(r.o11, r.r1, r.c1, r.n)
        rows[#rows + 1] = { a = a, b = r.key, n = r.o11, logdice = s.logdice, ll = s.ll }
      end
    end
  end
  table.sort(rows, function(x, y)
    if x.n ~= y.n then return x.n > y.n end
    if x.a ~= y.a then return x.a < y.a end
    return x.b < y.b
  end)
  return rows, nodes
end

local function close(a, b) return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b)) end

for _, case in ipairs({ { hidden = false, what = "the chosen words among the sample's" },
                        { hidden = true, what = "a chosen word the sample never saw" } }) do
  local dir = t.tempdir()
  make(dir, case.hidden)
  for _, unit in ipairs({ { "sentence", { mode = "sentence" } }, { "document", { mode = "document" } },
                          { "window:3", { mode = "window", window = 3 } } }) do
    local want, nodes = reference(dir, unit[2], 6)
    if case.hidden then
      local has = false
      for _, w in ipairs(nodes) do has = has or w == "zeta" end
      assert(has, "zeta is among the top words")
    end
    for _, jobs in ipairs({ 1, 2 }) do
      local out, code, err = t.run(("%s --quiet -j %d -c %s scripts/cooccur.lua --unit %s --top 6 --format json"):format(
        q(t.corpusrun), jobs, q(dir), unit[1]))
      t.is(code, 0, ("%s, --unit %s, -j %d: runs"):format(case.what, unit[1], jobs), err)
      local got = code == 0 and json.decode(out) or {}
      local same = #got == #want and #want > 0
      for i, r in ipairs(want) do
        local g = got[i] or {}
        same = same and g.a == r.a and g.b == r.b and g.n == r.n and close(g.logdice, r.logdice) and close(g.ll, r.ll)
      end
      t.ok(same, ("%s, --unit %s, -j %d: the pairs of an unrestricted counter (%d pairs)"):format(
        case.what, unit[1], jobs, #want))
    end
  end
end

t.done()
