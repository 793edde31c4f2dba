-- A corpus given as one file (or a glob): the gazetteer beside it is found
-- as beside a directory's documents, and the dispersion of a one-document
-- corpus is D = 1 and DP = 0 (docs/statistics.md), not NaN.
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local one = "corpus/000_bffbd40d78d47571.txt"
local function run(script, args)
  return t.run(q(t.corpusrun) .. " scripts/" .. script .. " " .. (args or ""))
end

local out, code, err = run("mentions.lua", "-c " .. one .. " --min 5")
t.is(code, 0, "mentions.lua -c FILE runs", err)
t.like(out, "^%d+ entities, %d+ mentions in 1 documents %(corpus: " .. one:gsub("%p", "%%%0")
  .. "; gazetteer: corpus/entities%.tsv%)", "mentions: entities.tsv beside the file is its gazetteer")
out, code, err = run("mentions.lua", "-c 'corpus/00[01]*.txt' --min 5")
t.is(code, 0, "mentions.lua -c GLOB runs", err)
t.like(out, "gazetteer: corpus/entities%.tsv%)", "mentions: entities.tsv in the glob's directory")
out, code, err = run("kwic.lua", "-c " .. one .. " --entity Zakani --format json")
t.is(code, 0, "kwic.lua --entity with -c FILE", err)
t.is(#(json.decode(out) or {}), 15, "kwic --entity: the gazetteer beside the file")
out, code, err = run("cooccur.lua", "-c " .. one .. " --of entities --top 3")
t.is(code, 0, "cooccur.lua --of entities with -c FILE", err)
-- from inside the corpus directory: a bare file name
out, code, err = t.run("cd corpus && " .. q(t.corpusrun) .. " ../scripts/mentions.lua -c 000_bffbd40d78d47571.txt --min 9")
t.is(code, 0, "mentions.lua -c NAME from the file's directory", err)
t.like(out, "gazetteer: entities%.tsv%)", "the gazetteer in the working directory")

out, code, err = run("freq.lua", "-c " .. one .. " --top 3 --format json")
t.is(code, 0, "freq.lua on one file", err)
local rows = json.decode(out) or {}
t.ok(#rows == 3, "freq: three rows")
for _, r in ipairs(rows) do
  t.ok(r.juilland_d == 1 and r.dp == 0, "freq on one document: '" .. tostring(r.word) .. "' has D = 1, DP = 0",
       t.repr(r))
end
out = run("freq.lua", "-c " .. one .. " --top 3")
t.ok(not out:find("nan", 1, true) and not out:find("NaN", 1, true), "freq: no NaN in the text table")
t.like(out, "dispersion over a single document says nothing", "freq: the heading says why D and DP say nothing")
t.done()
