-- mentions.lua on a corpus made here: --by a metadata field, a spaCy-style
-- JSONL gazetteer, --unit window:N, --min, and errors.
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local dir = t.run("mktemp -d"):gsub("%s+$", "")
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
end
write("a.txt", "The EU met Iran in Geneva. Iran said no.\n")
write("b.txt", "Iran and the European Union talked again. The EU said yes.\n")
write("c.txt", "Geneva was quiet. The United Nations Human Rights Council met there.\n")
write("metadata.csv", "id,outlet\na.txt,Signal\nb.txt,Times\nc.txt,Signal\n")
write("entities.jsonl", table.concat({
  '{"label": "ORG", "pattern": "EU", "id": "European Union"}',
  '{"label": "ORG", "pattern": "European Union", "id": "European Union"}',
  '{"label": "GPE", "pattern": "Iran", "id": "Iran"}',
  '{"label": "GPE", "pattern": "Geneva", "id": "Geneva"}',
  '{"label": "ORG", "pattern": "Human Rights Council", "id": "UN Human Rights Council"}',
  '{"label": "ORG", "pattern": "United Nations Human Rights Council", "id": "UN Human Rights Council"}',
}, "\n") .. "\n")

local function run(args)
  return t.run(q(t.corpusrun) .. " scripts/mentions.lua -c " .. q(dir) .. " --entities " .. q(dir .. "/entities.jsonl") .. " " .. args)
end
local function rows(out) local r = json.decode(out); return type(r) == "table" and r or {} end

-- counts from the JSONL gazetteer (the longer alias wins: one Council mention)
local out, code, err = run("--format json")
t.is(code, 0, "JSONL gazetteer: exits 0", err)
local by = {}
for _, r in ipairs(rows(out)) do by[r.entity] = r end
t.is(by["Iran"] and by["Iran"].mentions, 3, "Iran 3 mentions")
t.is(by["European Union"] and by["European Union"].mentions, 3, "EU and European Union: 3 mentions")
t.is(by["European Union"] and by["European Union"].type, "ORG", "type from the JSONL label")
t.is(by["UN Human Rights Council"] and by["UN Human Rights Council"].mentions, 1, "the longer alias counted once")
t.is(by["Geneva"] and by["Geneva"].documents, 2, "Geneva in 2 documents")

-- --by outlet (from metadata.csv)
out, code, err = run("--by outlet --format json --table by")
t.is(code, 0, "--by outlet exits 0", err)
local cell = {}
for _, r in ipairs(rows(out)) do cell[r.outlet .. "/" .. r.entity] = r.mentions end
t.is(cell["Signal/Iran"], 2, "Signal: Iran 2")
t.is(cell["Times/Iran"], 1, "Times: Iran 1")
t.is(cell["Times/European Union"], 2, "Times: European Union 2")
t.is(cell["Signal/Geneva"], 2, "Signal: Geneva 2")
out = run("--by outlet")
t.like(out, "Mentions by outlet", "--by adds a section to the text report")

-- co-mentions: same sentence, document, window
local function pair(out, a, b)
  for _, r in ipairs(rows(out)) do
    if r.entity_a == a and r.entity_b == b then return r.comentions end
  end
  return 0
end
out = run("--format json --table comentions")
t.is(pair(out, "European Union", "Iran"), 2, "EU and Iran in 2 sentences")
out = run("--format json --table comentions --unit document")
t.is(pair(out, "Geneva", "Iran"), 1, "Geneva and Iran in 1 document")
-- "EU met Iran": Iran starts 2 tokens after EU; "Iran and the European
-- Union": 3 tokens.
out = run("--format json --table comentions --unit window:2")
t.is(pair(out, "European Union", "Iran"), 1, "EU and Iran within 2 tokens once")
out = run("--format json --table comentions --unit window:3")
t.is(pair(out, "European Union", "Iran"), 2, "EU and Iran within 3 tokens twice")
out = run("--format json --table comentions --unit window:1")
t.is(pair(out, "European Union", "Iran"), 0, "never next to each other")

-- --min leaves out rarer entities
out = run("--format json --min 3")
local names = {}
for _, r in ipairs(rows(out)) do names[#names + 1] = r.entity end
table.sort(names)
t.is(table.concat(names, ","), "European Union,Iran", "--min 3")

-- errors
_, code, err = run("--unit window:x")
t.is(code, 2, "--unit window:x exits 2")
t.like(err, "%-%-unit: expected sentence|document|window:N", "and names the option")
_, code, err = t.run(q(t.corpusrun) .. " scripts/mentions.lua -c " .. q(dir .. "/none"))
t.is(code, 2, "a corpus that does not exist exits 2")
write("bad.tsv", "entity\ttype\talias\nonly two\tcolumns\n")
_, code, err = t.run(q(t.corpusrun) .. " scripts/mentions.lua -c " .. q(dir) .. " --entities " .. q(dir .. "/bad.tsv"))
t.is(code, 1, "a malformed gazetteer exits 1")
t.like(err, "bad%.tsv", "and names the file")
_, code, err = t.run(q(t.corpusrun) .. " scripts/mentions.lua -c " .. q(dir))
t.is(code, 2, "no gazetteer and no --discover: exits 2")
t.like(err, "no gazetteer", "and says so")

os.execute("rm -rf " .. q(dir))
t.done()
