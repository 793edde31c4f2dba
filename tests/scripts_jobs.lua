-- Every script in scripts/ that folds prints the same bytes at -j 1, 2 and
-- 3, with its default options and its common ones, on the sample corpus
-- and on a generated corpus of 240 documents (about 1.5 MB): the counting
-- paths that -j changes (the shuffle of opts.reduce, node and among
-- counters, kwic's fold) must not change a byte.
local t = require "tap"
local q = t.shell_quote
assert(t.tagger_model())   -- --lemma and --pos tag plain text
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
local gen = dir .. "/gen"
os.execute("mkdir -p " .. q(gen) .. " " .. q(dir .. "/tagged"))

-- 240 documents from the sample articles' paragraphs, deterministically,
-- named as the sample's are (NNN_...), with the sample's gazetteer.
local paras = {}
for doc in require("corpus").open(t.root .. "/corpus"):docs() do
  for p in (doc.text .. "\n\n"):gmatch("(.-)\n\n+") do
    if p:find("%S") then paras[#paras + 1] = p end
  end
end
for i = 0, 239 do
  local parts = {}
  for k = 0, 3 + i % 5 do parts[#parts + 1] = paras[(i * 11 + k * 17) % #paras + 1] end
  local f = assert(io.open(("%s/%03d_gen.txt"):format(gen, i), "wb"))
  f:write(table.concat(parts, "\n\n"), "\n")
  f:close()
end
os.execute("cp " .. q(t.root .. "/corpus/entities.tsv") .. " " .. q(gen .. "/"))
-- metadata for freq --by: dates over six years (some documents without
-- one) and five outlets
local outlets = { "Signal", "Focus", "NCRI", "Update", "Wire" }
local meta = assert(io.open(gen .. "/metadata.csv", "wb"))
meta:write("id,date,outlet\n")
for i = 0, 239 do
  meta:write(("%03d_gen.txt,%s,%s\n"):format(i,
    i % 17 == 0 and "" or ("%04d-%02d-%02d"):format(2019 + i % 6, 1 + i * 7 % 12, 1 + i % 28),
    outlets[i % 5 + 1]))
end
meta:close()
for i = 1, 3 do
  local tf = assert(io.open(("%s/tagged/c%02d"):format(dir, i), "wb"))
  tf:write("\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn ./.\n",
           "\tMr./np Jones/np met/vbd Mrs./np Smith/np in/in New/jj-tl York/np-tl ./.\n")
  tf:close()
end

local cases = {
  { "freq.lua", "" },
  { "freq.lua", "--ngrams 2" },
  { "freq.lua", "--ngrams 2 --stopwords en --min 2 --format csv" },
  { "freq.lua", "--stopwords en --top 50" },
  { "freq.lua", "--ngrams 3 --top 200 --format tsv" },
  { "freq.lua", "--stem en --stopwords en" },
  { "freq.lua", "--top 2000 --format tsv" },
  { "freq.lua", "--by date --stopwords en --top 20" },
  { "freq.lua", "--by outlet --format csv" },
  { "freq.lua", "--by date --bin month --top 5 --format json" },
  { "freq.lua", "--by date --bin year --ngrams 2 --format tsv" },
  { "freq.lua", "--by outlet --stem en --stopwords en --format md" },
  { "freq.lua", "-N 2 --lemma --top 50" },
  { "freq.lua", "-N 3 --lemma --pos NOUN,ADJ,ADP,DET --top 30 --format tsv" },
  { "kwic.lua", "Iran" },
  { "kwic.lua", "the --sort left" },
  { "kwic.lua", "'human rights' --sort right --format csv" },
  { "kwic.lua", "'Iran*' --window 3 --sort right --top 10" },
  { "kwic.lua", "regime --show pos" },
  { "kwic.lua", "the --show lemma,upos --sort right --top 40 --format tsv" },
  { "collocates.lua", "iran" },
  { "collocates.lua", "iran --sentence" },
  { "collocates.lua", "the --window 3 --sort logdice --min 1 --top 100" },
  { "collocates.lua", "'human rights' --min 1 --format tsv" },
  { "collocates.lua", "regime --include-node --stopwords en" },
  { "collocates.lua", "regime --pos NOUN,ADJ --min 1" },
  { "collocates.lua", "say --lemma --min 1 --format tsv" },
  { "collocates.lua", "iran --pos NOUN,PROPN,ADJ --sentence --top 50 --format csv" },
  { "cooccur.lua", "" },
  { "cooccur.lua", "--unit window:5" },
  { "cooccur.lua", "--unit document --matrix --top 10" },
  { "cooccur.lua", "--stopwords en --top 30 --format csv" },
  { "cooccur.lua", "--of entities --unit document" },
  { "mentions.lua", "" },
  { "mentions.lua", "--discover" },
  { "mentions.lua", "--discover --propn --top 100" },
  { "mentions.lua", "--kwic 2 --unit document" },
  { "keyness.lua", "--target '001*'" },
  { "keyness.lua", "--target '002*' --stopwords en --top 30 --format csv" },
  { "discovery_eval.lua", "--tagged " .. q(dir .. "/tagged") },
  { "query.lua", "'\"the\"%c [] \"of\"' --sort R1,L1" },
  { "query.lua", "'\"Iran\"' --show collocates --window 3 --format tsv" },
  { "query.lua", "'[lower=\"human|rights\"]+' --show count --svg /dev/null" },
}

local function run(j, script, args, corpus)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " --quiet -j " .. j .. " -c " .. q(corpus)
    .. " scripts/" .. script .. " " .. args)
end

local covered = {}
for _, corpus in ipairs({ { "sample corpus", t.root .. "/corpus" }, { "generated corpus", gen } }) do
  for _, case in ipairs(cases) do
    local script, args = case[1], case[2]
    covered[script] = true
    local name = ("%s %s on the %s"):format(script, args:gsub(dir, "DIR"), corpus[1])
    local base, code, err = run(1, script, args, corpus[2])
    if t.ok(code == 0 and #base > 0, name .. ": -j 1 runs and prints", err) then
      for _, j in ipairs({ 2, 3 }) do
        local out, c2, e2 = run(j, script, args, corpus[2])
        t.ok(c2 == 0 and out == base, name .. ": -j " .. j .. " gives the same bytes", e2)
      end
    else
      t.skip("-j 1 failed", 2)
    end
  end
end

-- Every script that folds over a corpus is here; ingest.lua and search.lua
-- build and query a corpus database (SQLite's FTS5 does that work) and
-- fold nothing.
local database_tools = { ["ingest.lua"] = true, ["search.lua"] = true }
local p = io.popen("ls " .. q(t.root .. "/scripts") .. "/*.lua")
for path in p:lines() do
  local name = path:match("([^/]+)$")
  if not database_tools[name] then t.ok(covered[name], "scripts/" .. name .. " is in this test") end
end
p:close()

os.execute("rm -rf " .. q(dir))
t.done()
