-- The scripts' --svg pictures of the sample corpus (tools/pictures.sh):
-- docs/pictures/ holds what the tool draws now, byte for byte; -j 1, a
-- second run and -j 2 draw the same bytes; every picture is well-formed
-- SVG without script and renders non-blank in headless Chromium; the marks
-- are the results the scripts print (Zakani's dispersion plot has a mark per
-- mention mentions.lua counts, the keyness chart a bar per row, a network
-- a circle per node); every script with a picture lists --svg in --help;
-- options that need another say so.
local t = require "tap"
local q = t.shell_quote
local browser = require "browser"

local dir = t.tempdir()
local read = browser.read
local function count(s, pat) return select(2, s:gsub(pat, "")) end
local function run(script, args)
  return t.run(q(t.corpusrun) .. " scripts/" .. script .. " " .. args)
end
-- the rows of a TSV table (header first) as arrays
local function tsv(s)
  local rows = {}
  for line in s:gmatch("[^\n]+") do
    local r = {}
    for f in (line .. "\t"):gmatch("(.-)\t") do r[#r + 1] = f end
    rows[#rows + 1] = r
  end
  return rows
end

local names = {}
local p = io.popen("ls docs/pictures/*.svg")
for f in p:lines() do names[#names + 1] = f:match("([^/]+)$") end
p:close()
t.ok(#names >= 12, "docs/pictures holds the pictures (" .. #names .. ")")

local function draw(sub, jobs)
  local out, code, err = t.run("tools/pictures.sh " .. q(t.corpusrun) .. " " .. q(dir .. "/" .. sub) .. " " .. jobs)
  t.is(code, 0, "tools/pictures.sh -j " .. jobs .. " ran")
  if code ~= 0 then t.diag(out .. err) end
end
draw("j1", 1)
draw("again", 1)
draw("j2", 2)
for _, name in ipairs(names) do
  local want = read("docs/pictures/" .. name)
  local got = read(dir .. "/j1/" .. name)
  t.ok(got ~= nil and got == want, "docs/pictures/" .. name .. " is what the tool draws now (make pictures)")
  t.ok(got ~= nil and read(dir .. "/again/" .. name) == got, name .. ": a second run draws the same bytes")
  t.ok(got ~= nil and read(dir .. "/j2/" .. name) == got, name .. ": -j 2 draws the same bytes as -j 1")
  t.ok(not io.open(dir .. "/j1/" .. name .. ".receipt.json"), name .. ": no receipt left beside it by the tool")
  browser.valid(got or "", name .. ": well-formed SVG without script", dir)
end

-- the example metadata is said to be one, document by document
local readme = read("docs/pictures/README.md") or ""
t.like(readme, "made up to show what the pictures look like", "docs/pictures/README.md says the metadata is made up")
local listed = true
for line in (read("docs/pictures/metadata.csv") or ""):gmatch("[^\n]+") do
  local id, date, outlet = line:match("^([^,]+),([^,]*),(.*)$")
  if id and id ~= "id" and not readme:find("| `" .. id .. "` | " .. date .. " | " .. outlet .. " |", 1, true) then
    listed = false
    t.diag("not in docs/pictures/README.md: " .. line)
  end
end
t.ok(listed, "docs/pictures/README.md lists every document's example date and outlet, as metadata.csv has them")

-- marks against the scripts' own results
local out = run("mentions.lua", "--format tsv --table entities")
local zakani
for _, r in ipairs(tsv(out)) do if r[1] == "Alireza Zakani" then zakani = tonumber(r[3]) end end
t.ok(zakani and zakani > 0, "mentions.lua reports mentions of Alireza Zakani", zakani)
local kw = read(dir .. "/j1/kwic-zakani.svg") or ""
local mz = read(dir .. "/j1/mentions-zakani.svg") or ""
t.is(count(mz, 'class="hit"'), zakani, "mentions --svg-entity Zakani: a mark per mention mentions.lua counts")
t.is(count(kw, 'class="hit"'), zakani, "kwic --entity Zakani --svg: a mark per line, as many as the mentions")
t.is(count(mz, '<g class="strip">'), 5, "the dispersion plot of one entity: a strip per document")
local ents = tsv(out)
local top10 = 0
for i = 2, math.min(11, #ents) do top10 = top10 + tonumber(ents[i][3]) end
local ms = read(dir .. "/j1/mentions.svg") or ""
t.is(count(ms, 'class="group"'), math.min(10, #ents - 1), "mentions --svg: a group per entity, the first ten")
t.is(count(ms, 'class="hit"'), top10, "mentions --svg: a mark per mention of those entities")

local key = run("keyness.lua", "--target '000*' --direction both --format tsv")
local ks = read(dir .. "/j1/keyness.svg") or ""
t.is(count(ks, '<g class="bar">'), #tsv(key) - 1, "keyness --svg: one bar per row of the table")
local first = tsv(key)[2]
t.like(ks, "<title>" .. first[1]:gsub("%p", "%%%0") .. " %(" .. first[2] .. " / " .. first[3] .. "%): ",
  "keyness --svg: the first row's word and frequencies on its bar")

local col = run("collocates.lua", "regime --sort logdice --format tsv")
local cs = read(dir .. "/j1/collocates-regime.svg") or ""
t.is(count(cs, 'class="node"'), #tsv(col), "collocates --svg: a circle per collocate and one for the node")
t.is(count(cs, 'class="edge"'), #tsv(col) - 1, "collocates --svg: an edge per collocate")

local ce = run("cooccur.lua", "--of entities --top 25 --matrix --format tsv")
local ces = read(dir .. "/j1/cooccur-entities.svg") or ""
t.is(count(ces, 'class="node"'), #tsv(ce) - 1, "cooccur --svg: a circle per node of the matrix")
local pairs_out = run("cooccur.lua", "--of entities --top 25 --format tsv")
t.is(count(ces, 'class="edge"'), #tsv(pairs_out) - 1, "cooccur --svg: an edge per pair")
local mn = read(dir .. "/j1/mentions-network.svg") or ""
t.is(count(mn, 'class="node"'), math.min(40, #ents - 1), "mentions --svg-network: a circle per entity (at most 40)")

local fs = read(dir .. "/j1/freq.svg") or ""
local fr = tsv(run("freq.lua", "--stopwords en --top 20 --format tsv"))
t.is(count(fs, '<g class="bar">'), #fr - 1, "freq --svg: a bar per row")
t.like(fs, "<title>" .. fr[2][2] .. ": " .. fr[2][3] .. "</title>", "freq --svg: the first word and its count")
local fd = read(dir .. "/j1/freq-by-date.svg") or ""
t.is(count(fd, '<g class="series">'), 8, "freq --by date --svg: a line per word, the first eight")
t.like(fd, "date %(by year%)", "freq --by date: dates over 36 months binned by year")
local fo = read(dir .. "/j1/freq-by-outlet.svg") or ""
t.like(fo, 'class="chart over bar"', "freq --by outlet: values that are not dates as bars")
local mb = read(dir .. "/j1/mentions-by-date.svg") or ""
t.ok(count(mb, 'class="point"') > 0, "mentions --by date --svg-by: points over time")

-- --help lists --svg
for _, s in ipairs({ "kwic.lua", "mentions.lua", "freq.lua", "keyness.lua", "collocates.lua", "cooccur.lua" }) do
  local help = run(s, "--help")
  t.like(help, "%-%-svg FILE", s .. " --help lists --svg")
end

-- misuse
local _, code, err = run("mentions.lua", "--svg-entity Zakani")
t.ok(code == 2 and err:find("give --svg FILE too", 1, true), "mentions --svg-entity without --svg is refused", err)
_, code, err = run("mentions.lua", "--svg-by x.svg")
t.ok(code == 2 and err:find("give --by FIELD too", 1, true), "mentions --svg-by without --by is refused", err)
_, code, err = run("mentions.lua", "--svg " .. q(dir .. "/x.svg") .. " --svg-entity Zakanni")
t.ok(code == 2 and err:find("did you mean", 1, true), "mentions --svg-entity with a misspelt name suggests one", err)
_, code, err = run("freq.lua", "--by date --bin month --svg " .. q(dir .. "/x.svg"))
t.ok(code == 2 and err:find("needs dates", 1, true), "freq --bin month over values that are not dates is refused", err)

-- drawn by Chromium
local exe = browser.chromium(#names)
if exe then
  for _, name in ipairs(names) do browser.renders(exe, read(dir .. "/j1/" .. name) or "", name, dir) end
end
os.execute("rm -rf " .. q(dir))
t.done()
