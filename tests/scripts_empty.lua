-- Every script on a corpus holding documents without tokens (an empty file,
-- punctuation only): they count in the document total and weigh nothing in
-- the dispersion; and on an empty corpus, which every script says is empty
-- and exits 1 instead of reporting nothing.
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local dir = t.tempdir(true)
local c = dir .. "/corpus"
local function write(path, s)
  local f = assert(io.open(path, "wb")); f:write(s); f:close()
end
write(c .. "/005_empty.txt", "")
write(c .. "/006_punct.txt", "... !!! — ?\n")
local empty = dir .. "/empty"
os.execute("mkdir -p " .. q(empty))

local function run(args)
  return t.run("cd " .. q(dir) .. " && " .. q(t.corpusrun) .. " " .. q(t.root .. "/scripts/") .. args)
end

-- every script, with empty documents among the sample's five
local gaz = q(c .. "/entities.tsv")
local cases = {
  { "freq.lua", "--format json" },
  { "freq.lua", "--ngrams 2 --top 5" },
  { "freq.lua", "--stem en --top 5" },
  { "kwic.lua", "Iran" },
  { "kwic.lua", "--entity Zakani" },
  { "collocates.lua", "iran" },
  { "cooccur.lua", "" },
  { "cooccur.lua", "--of entities" },
  { "keyness.lua", "--target '00[01]*'" },
  { "mentions.lua", "" },
  { "mentions.lua", "--discover" },
  { "ingest.lua", "--db " .. q(dir .. "/c.db") },
}
for _, k in ipairs(cases) do
  local out, code, err = run(k[1] .. " -c " .. q(c) .. " " .. k[2])
  t.is(code, 0, k[1] .. " " .. k[2] .. ": runs on a corpus with empty documents", err)
  t.ok(not err:find("traceback"), k[1] .. " " .. k[2] .. ": no traceback", err)
  if k[1] == "freq.lua" and k[2] == "--format json" then
    local rows = json.decode(out)
    local r = rows and rows[1] or {}
    t.is(r.word, "the", "freq: the first")
    t.is(r.docs, 5, "freq: in the five documents with tokens")
    t.ok(type(r.dp) == "number" and r.dp == r.dp and type(r.juilland_d) == "number" and r.juilland_d == r.juilland_d,
         "freq: DP and D are numbers", t.repr(r))
  end
end
local out = run("freq.lua -c " .. q(c) .. " --top 3")
t.like(out, "^2823 tokens, 966 types in 7 documents; words\n2 of them hold no tokens\n",
       "freq: the empty documents count in the total, and the heading says so")
-- the same dispersion as without them (they weigh nothing)
local without = run("freq.lua --top 10 --format csv")
local with = run("freq.lua -c " .. q(c) .. " --top 10 --format csv")
t.is(with, without, "freq: empty documents leave every figure as it was")
out = run("search.lua --db " .. q(dir .. "/c.db") .. " Kashefi")
t.like(out, "^1 documents for Kashefi", "search: the database ingested with empty documents")

-- a corpus of empty documents only has no words to count
os.execute("mkdir -p " .. q(dir .. "/blank") .. " && : > " .. q(dir .. "/blank/a.txt"))
local _, code, err = run("freq.lua -c " .. q(dir .. "/blank"))
t.is(code, 1, "freq: a corpus whose documents hold no tokens exits 1")
t.like(err, "the corpus is empty: its 1 documents hold no tokens", "and says so")

-- an empty corpus: every script says so and exits 1
for _, k in ipairs({ { "freq.lua", "" }, { "kwic.lua", "Iran" }, { "kwic.lua", "--entity 'Alireza Zakani' --entities " .. gaz },
                     { "collocates.lua", "iran" }, { "cooccur.lua", "" },
                     { "cooccur.lua", "--of entities --entities " .. gaz }, { "keyness.lua", "--target 'x*'" },
                     { "mentions.lua", "--entities " .. gaz }, { "mentions.lua", "--discover" },
                     { "ingest.lua", "--db " .. q(dir .. "/e.db") } }) do
  local o, code2, err2 = run(k[1] .. " -c " .. q(empty) .. " " .. k[2])
  t.is(code2, 1, k[1] .. " " .. k[2] .. ": an empty corpus exits 1", o)
  t.like(err2, "the corpus '[^']*empty' is empty: it holds no document", k[1] .. ": and says the corpus is empty")
end
-- keyness: a reference corpus that is empty
local _, code3, err3 = run("keyness.lua -c " .. q(c) .. " --reference-corpus " .. q(empty))
t.is(code3, 1, "keyness: an empty --reference-corpus exits 1")
t.like(err3, "is empty", "and says so")

os.execute("rm -rf " .. q(dir))
t.done()
