-- engine_match.lua: the gazetteer on the sample corpus with hand-checked
-- expectations, the sources (table, TSV, JSONL), errors, and a million aliases.
local t = require "tap"
local match = require "match"
local count = require "count"

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end
local tmp = os.getenv("TMPDIR") or "/tmp"
local function write(name, s)
  local path = ("%s/engine_match_%d_%s"):format(tmp, math.random(1 << 30), name)
  local f = assert(io.open(path, "wb")); f:write(s); f:close()
  return path
end

-- ---- the sample corpus with corpus/entities.tsv ----------------------------
local g = match.gazetteer("corpus/entities.tsv")
t.ok(#g > 100, "entities.tsv loads (" .. #g .. " entries)")
local docs = {}
local p = io.popen("ls corpus/*.txt")
for f in p:lines() do docs[#docs + 1] = read(f) end
p:close()

-- g:matches' second value: the sentences tokenize.sentences yields, for the
-- sample corpus and Brown files (and for an empty gazetteer)
do
  local tokenize = require "tokenize"
  local texts = {}
  for _, d in ipairs(docs) do texts[#texts + 1] = d end
  for _, f in ipairs({ "ca01.txt", "cg22.txt", "cj01.txt" }) do texts[#texts + 1] = read("tests/data/load/brown/" .. f) end
  texts[#texts + 1] = "  \n\n  "
  texts[#texts + 1] = "Mr. Smith met Dr. Jones at the U.N. in Geneva.  \n\nThen? Nothing!\n"
  local empty = match.gazetteer({})
  local bad, total = {}, 0
  for i, text in ipairs(texts) do
    local n = 0
    for _ in tokenize.sentences(text) do n = n + 1 end
    local _, got = g:matches(text)
    local _, got_empty = empty:matches(text)
    if got ~= n or got_empty ~= n then bad[#bad + 1] = ("text %d: %s and %s, not %d"):format(i, got, got_empty, n) end
    total = total + n
  end
  t.is(table.concat(bad, "; "), "", ("g:matches counts the %d sentences of %d texts as tokenize.sentences does"):format(total, #texts))
end

local function mentions(text)
  local rows = {}
  for entity, _, alias, s, e in g:find(text) do rows[#rows + 1] = { entity, alias, text:sub(s, e) } end
  return rows
end

-- Zakani and Zakani’s (document 000)
local z, zs = 0, 0
for _, r in ipairs(mentions(docs[1])) do
  if r[1] == "Alireza Zakani" then
    z = z + 1
    if r[3] == "Zakani’s" then zs = zs + 1 end
  end
end
t.is(zs, 4, "Zakani’s is a mention of Zakani (4 in document 000)")
t.ok(z > zs, "and so is Zakani")

-- EU vs European Union: one entity, two aliases
local eu = {}
for i, d in ipairs(docs) do
  for _, r in ipairs(mentions(d)) do
    if r[1] == "European Union" then eu[#eu + 1] = i .. ":" .. r[3] end
  end
end
t.is(table.concat(eu, " "), "1:EU 1:EU 2:European Union 4:European Union", "EU and European Union count for one entity")

-- Human Rights Council inside United Nations Human Rights Council (document 004): once, the longer alias
local hrc = {}
for _, r in ipairs(mentions(docs[5])) do
  if r[1] == "UN Human Rights Council" then hrc[#hrc + 1] = r[2] end
end
t.is_deeply(hrc, { "Human Rights Council", "United Nations Human Rights Council" },
  "the longer alias wins; Human Rights Council inside it is not counted again")
local all = 0
for _, m in ipairs(g:matches(docs[5], { policy = "all" })) do
  if m.entity == "UN Human Rights Council" then all = all + 1 end
end
t.is(all, 3, "policy all reports the nested alias too")

-- spans and sentences
local m1 = g:matches(docs[1])[1]
t.is_deeply(m1, { entity = "Alireza Zakani", type = "PERSON", alias = "Alireza Zakani", start = 1, stop = 14, sentence = 1 },
  "a match: entity, type, alias, 1-based byte span, sentence")
local sub_ok = true
for _, d in ipairs(docs) do
  for _, m in ipairs(g:matches(d)) do
    if m.start < 1 or m.stop > #d or m.start > m.stop then sub_ok = false end
  end
end
t.ok(sub_ok, "every span lies within its document")

-- counting into a counter
local f = count.freq()
local n = 0
for _, d in ipairs(docs) do n = n + g:count(d, f) end
t.is(f:total(), n, "count() adds every match to the counter")
t.is(f:get("European Union"), 4, "entity counts")
local bytype = count.freq()
for _, d in ipairs(docs) do g:count(d, bytype, { by = "type" }) end
t.is(bytype:get("PERSON") + bytype:get("PLACE") + bytype:get("ORG"), n, "count by type")

-- ---- the cases of the design ------------------------------------------------
local h = match.gazetteer {
  { entity = "United States", type = "GPE", alias = "US", case = "sensitive" },
  { "Iran", "GPE", "Iran*" },
  { entity = "European Union", type = "ORG", aliases = { "EU", "European Union" } },
  { entity = "Human Rights Council", type = "ORG" },
  { entity = "UNHRC", type = "ORG", alias = "United Nations Human Rights Council" },
  { entity = "Zakani", type = "PERSON" },
}
local function list(text, opts)
  local out = {}
  for e, _, _, s, stop in h:find(text, opts) do out[#out + 1] = e .. "=" .. text:sub(s, stop) end
  return table.concat(out, "|")
end
t.is(list("The US told us."), "United States=US", "case-sensitive US does not match us")
t.is(list("Iranian and Iran’s and Ira"), "Iran=Iranian|Iran=Iran’s", "prefix alias Iran* matches Iranian and Iran’s")
t.is(list("the EU, the European Union"), "European Union=EU|European Union=European Union", "aliases of one entity")
t.is(list("United Nations Human Rights Council"), "UNHRC=United Nations Human Rights Council", "leftmost-longest")
t.is(list("United Nations Human Rights Council", { policy = "all" }),
  "UNHRC=United Nations Human Rights Council|Human Rights Council=Human Rights Council", "all matches")
t.is(list("ZAKANI’S Zakani zakanis"), "Zakani=ZAKANI’S|Zakani=Zakani", "key level: case and possessive do not matter")
t.is(list("Human Rights. Council"), "", "no match across a sentence")
t.is(list("Human, Rights Council"), "", "punctuation breaks an alias")
h:add { entity = "Café", alias = "Café Noir" }
t.is(list("at cafe noir"), "Café=cafe noir", "add(); marks do not matter at level key")
local hc = match.gazetteer({ { entity = "Café", alias = "Café" } }, { level = "casefold" })
local n2 = 0
for _ in hc:find("cafe CAFÉ") do n2 = n2 + 1 end
t.is(n2, 1, "level casefold keeps marks")

-- ---- sources and their errors ---------------------------------------------
local tsv = write("g.tsv", "entity\ttype\talias\tcase\n# a comment\n\nUnited States\tGPE\tUS\tsensitive\nUnited States\tGPE\tUnited States\n")
local gt = match.gazetteer(tsv)
t.is(#gt, 2, "TSV with an optional case column")
t.is(#gt:matches("us US"), 1, "TSV case column")
os.remove(tsv)
local bad = write("bad.tsv", "entity\ttype\talias\nA\tT\tA\nB\tT\n")
t.raises(function() match.gazetteer(bad) end, "bad%.tsv:3: expected 3 tab%-separated fields, got 2", "TSV errors name file and line")
os.remove(bad)
local nohead = write("nohead.tsv", "A\tT\tA\n")
t.raises(function() match.gazetteer(nohead) end, "nohead%.tsv:1: expected the header", "TSV needs the header")
os.remove(nohead)
t.is(select(2, pcall(match.gazetteer, "/no/such/file.tsv")), "match: /no/such/file.tsv: No such file or directory",
  "a missing file is an error naming it")

local jsonl = write("g.jsonl", table.concat({
  '{"label": "ORG", "pattern": "Apple", "id": "apple"}',
  '{"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]}',
  '{"label": "ORG", "pattern": [{"ORTH": "IBM"}], "id": "ibm"}',
  '',
  '{"label": "PERSON", "pattern": "Zo\\u00eb \\"Z\\" Smith"}',
}, "\n"))
local gj = match.gazetteer(jsonl)
t.is(#gj, 4, "EntityRuler JSONL: phrase and token patterns")
local seen = {}
for e, ty in gj:find('apple in San Francisco; IBM not ibm; Zoë "Z" Smith') do seen[#seen + 1] = e .. "/" .. ty end
t.is(table.concat(seen, " "), 'apple/ORG san francisco/GPE ibm/ORG Zoë "Z" Smith/PERSON', "JSONL entities, ids and labels")
os.remove(jsonl)
local badj = write("bad.jsonl", '{"label": "ORG", "pattern": "A"}\n{"label": "ORG" "pattern": "B"}\n')
t.raises(function() match.gazetteer(badj) end, "bad%.jsonl:2: expected ',' or '}'", "JSONL errors name file and line")
os.remove(badj)
local badk = write("badk.jsonl", '{"label": "ORG", "pattern": [{"POS": "NOUN"}]}\n')
t.raises(function() match.gazetteer(badk) end, "badk%.jsonl:1: unsupported token attribute", "unsupported token patterns are refused")
os.remove(badk)
-- truncated and garbled JSON lines never crash
local garble = 0
local line = '{"label": "ORG", "pattern": [{"LOWER": "a\\u00e9"}, {"ORTH": "B"}], "id": "x", "n": [1, true, null, {"k": -2.5e3}]}'
for i = 1, #line do
  local path = write("cut.jsonl", line:sub(1, i))
  local okv = pcall(match.gazetteer, path)
  if okv and i < #line then garble = garble + 1 end
  os.remove(path)
end
t.is(garble, 0, "every truncated JSON line is an error")

-- misuse
t.raises(function() match.gazetteer { { type = "X" } } end, "non%-empty 'entity'", "an entry needs an entity")
t.raises(function() match.gazetteer { { entity = "X", alias = "..." , case = "loud" } } end, "case", "bad case")
t.raises(function() match.gazetteer { { entity = "X", alias = "   " } } end, "no tokens", "an alias of no tokens")
t.raises(function() match.gazetteer({}, { policy = "first" }) end, "option 'policy' must be \"longest\" or \"all\", not 'first'", "bad policy")
t.raises(function() match.gazetteer({}, { polcy = "all" }) end, "unknown option 'polcy'", "a misspelt option raises")
t.raises(function() g:count("x", count.freq(), { bye = "type" }) end, "unknown option 'bye'", "count() options are checked")
t.raises(function() g:count("x", count.ngrams(2)) end, "count.freq counter expected", "count() needs a freq counter")
local gc = match.gazetteer {}
gc:close(); gc:close()
t.raises(function() gc:find("x") end, "closed corpusrun.Gazetteer", "use after close")
t.is(#match.gazetteer({}):matches("anything"), 0, "an empty gazetteer matches nothing")

-- ---- a million aliases -----------------------------------------------------
-- written as a TSV file: the loader is C, so no million Lua tables
local bigpath = ("%s/engine_match_%d_million.tsv"):format(tmp, math.random(1 << 30))
local out = assert(io.open(bigpath, "wb"))
out:write("entity\ttype\talias\n")
local lines = {}
for i = 1, 1000000 do
  lines[#lines + 1] = ("E%d\tT\tw%d x%d\n"):format(i, i % 5003, i)
  if #lines == 10000 then out:write(table.concat(lines)); lines = {} end
end
out:close()
local big = match.gazetteer(bigpath)
os.remove(bigpath)
t.is(#big, 1000000, "1 000 000 aliases compiled")
local hits = big:matches("w4 x5 and w999 x999, then w999 x1000 and w0 x5003")
t.is(#hits, 2, "a document matched against them")
t.is(hits[1].entity .. " " .. hits[2].entity, "E999 E5003", "the right entities")
big:close()

t.done()
