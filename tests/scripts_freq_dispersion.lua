-- freq.lua's document counts and dispersion, against a reference computed
-- here from each document's words: when the list holds only keys of its
-- sample (counted per document in the same pass as the list) and when it
-- holds a key the sample never saw (a second pass), at -j 1, 2 and 3.
local t = require "tap"
local q = t.shell_quote
local json = require "json"
local corpus = require "corpus"
local stats = require "stats"
local tokenize = require "tokenize"

-- 80 documents (the sample takes 50): words with counts that vary by
-- document, an empty document, and "zeta" 200 times in some documents
-- outside the sample when `hidden` is set.
local function make(dir, hidden)
  local names = {}
  for i = 1, 80 do
    names[i] = ("d%02d.txt"):format(i)
    local parts = {}
    if i ~= 40 then
      for _ = 1, 1 + i % 5 do parts[#parts + 1] = "alpha" end
      for _ = 1, 1 + i % 3 do parts[#parts + 1] = "Beta" end
      if i % 4 == 0 then parts[#parts + 1] = "gamma gamma gamma" end
      parts[#parts + 1] = "word" .. i
    end
    local f = assert(io.open(dir .. "/" .. names[i], "wb"))
    f:write(table.concat(parts, " "), "\n")
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
        f:write(("zeta "):rep(40 * n), "\n")
        f:close()
      end
    end
    assert(n == 5, "the corpus has documents outside its sample")
  end
end

-- freq/docs/D/DP of the top words from each document's casefolded words
local function reference(dir, top)
  local per, sizes, total = {}, {}, {}
  local c = assert(corpus.open(dir))
  for doc in c:docs() do
    local words = tokenize.words(doc.text, { level = "casefold", table = true })
    sizes[#sizes + 1] = #words
    local here = {}
    for _, w in ipairs(words) do here[w] = (here[w] or 0) + 1; total[w] = (total[w] or 0) + 1 end
    per[#per + 1] = here
  end
  local keys = {}
  for w in pairs(total) do keys[#keys + 1] = w end
  table.sort(keys, function(a, b) if total[a] ~= total[b] then return total[a] > total[b] end return a < b end)
  local rows = {}
  for i = 1, top do
    local w = keys[i]
    local v, docs = {}, 0
    for d, here in ipairs(per) do
      v[d] = here[w] or 0
      if v[d] > 0 then docs = docs + 1 end
    end
    local disp = stats.dispersion(v, sizes)
    rows[i] = { word = w, freq = total[w], docs = docs, juilland_d = disp.d, dp = disp.dp }
  end
  return rows
end

local function close(a, b) return type(a) == "number" and type(b) == "number" and math.abs(a - b) < 1e-12 end

for _, case in ipairs({ { hidden = false, what = "every listed word in the sample" },
                        { hidden = true, what = "a listed word the sample never saw" } }) do
  local dir = t.tempdir()
  make(dir, case.hidden)
  local want = reference(dir, 4)
  if case.hidden then t.is(want[1].word, "zeta", "the hidden word heads the list") end
  local first
  for _, jobs in ipairs({ 1, 2, 3 }) do
    local out, code, err = t.run(q(t.corpusrun) .. " --quiet -j " .. jobs .. " -c " .. q(dir)
      .. " scripts/freq.lua --top 4 --format json")
    t.is(code, 0, case.what .. ", -j " .. jobs .. ": exits 0", err)
    if jobs == 1 then
      first = out
      local rows = json.decode(out) or {}
      for i, w in ipairs(want) do
        local r = rows[i] or {}
        t.ok(r.word == w.word and r.freq == w.freq and r.docs == w.docs and close(r.juilland_d, w.juilland_d)
             and close(r.dp, w.dp), case.what .. ": row " .. i .. " (" .. w.word .. ") as counted document by document",
             "got " .. json.encode(r) .. ", want " .. json.encode(w))
      end
    else
      t.is(out, first, case.what .. ": -j " .. jobs .. " gives -j 1's bytes")
    end
  end
  os.execute("rm -rf " .. q(dir))
end

t.done()
