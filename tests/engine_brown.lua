-- engine_brown.lua: the counters against plain Lua references on 50 files of
-- the Brown corpus (bench/data/brown, fetched and built on first use; the
-- file is skipped where that cannot be done, and fails under CI=true).
local t = require "tap"
local count = require "count"

local dir = t.brown("plain")
local p = io.popen("ls " .. t.shell_quote(dir) .. "/*.txt 2>/dev/null | head -n 50")
local files = {}
for f in p:lines() do files[#files + 1] = f end
p:close()
if #files < 50 then t.require_or_skip("fewer than 50 Brown files in " .. dir) end

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end
local texts, docs = {}, {}
for i, f in ipairs(files) do
  texts[i] = read(f)
  local toks = {}
  for w in texts[i]:gmatch("%a+") do toks[#toks + 1] = w:lower() end
  docs[i] = toks
end

local function sorted(map)
  local rows = {}
  for k, n in pairs(map) do rows[#rows + 1] = { k, n } end
  table.sort(rows, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  return rows
end

local function same(got, want)
  if #got ~= #want then return false, ("%d rows, want %d"):format(#got, #want) end
  for i = 1, #want do
    if got[i][1] ~= want[i][1] or got[i][2] ~= want[i][2] then
      return false, ("row %d: %s %s, want %s %s"):format(i, got[i][1], got[i][2], want[i][1], want[i][2])
    end
  end
  return true
end

-- frequencies, and the merge of per-file parts through dump/undump
local ref, whole, merged = {}, count.freq(), count.freq()
for i, toks in ipairs(docs) do
  for _, w in ipairs(toks) do ref[w] = (ref[w] or 0) + 1 end
  whole:add_tokens(toks)
  merged:merge(assert(count.undump(count.freq():add_tokens(toks):dump())))
end
t.ok(same(whole:top(), sorted(ref)), "freq equals the reference on 50 Brown files")
t.ok(same(merged:top(), sorted(ref)), "merged undumped per-file parts equal the reference")

-- bigrams and trigrams within each file
for n = 2, 3 do
  local r, g = {}, count.ngrams(n)
  for _, toks in ipairs(docs) do
    g:add_tokens(toks)
    for i = 1, #toks - n + 1 do
      local k = table.concat(toks, " ", i, i + n - 1)
      r[k] = (r[k] or 0) + 1
    end
  end
  local okv, why = same(g:top(), sorted(r))
  t.ok(okv, ("%d-grams equal the reference"):format(n), why)
end

-- co-occurrence within 5 tokens, symmetric
local rc, c = {}, count.cooc { window = 5 }
for _, toks in ipairs(docs) do
  c:add_tokens(toks)
  for i = 1, #toks do
    for j = i + 1, math.min(#toks, i + 5) do
      local a, b = toks[i], toks[j]
      if a > b then a, b = b, a end
      local k = a .. " " .. b
      rc[k] = (rc[k] or 0) + 1
    end
  end
end
local got = {}
for _, r in ipairs(c:pairs()) do got[#got + 1] = { r.a .. " " .. r.b, r.n } end
local okc, whyc = same(got, sorted(rc))
t.ok(okc, "cooc window 5 equals the reference", whyc)

-- add_text against the tokenize module, when it is built
local ok_tok, tokenize = pcall(require, "tokenize")
if ok_tok and type(tokenize) == "table" and tokenize.words then
  local r, f = {}, count.freq()
  for _, text in ipairs(texts) do
    f:add_text(text)
    for w in tokenize.words(text) do r[w] = (r[w] or 0) + 1 end
  end
  t.ok(same(f:top(), sorted(r)), "add_text equals tokenize.words on 50 Brown files")
else
  t.skip("the tokenize module is not built yet", 1)
end

t.done()
