-- scripts/mentions.lua on the sample corpus: counts checked by hand.
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local function run(args)
  return t.run(q(t.corpusrun) .. " scripts/mentions.lua " .. args)
end

-- ---- hand-checked counts -----------------------------------------------------
-- Each figure was counted by reading the five articles and checked with grep
-- (GNU grep -o -w, per file), with the rule the matcher follows: the longest
-- gazetteer alias wins and matches do not overlap, so a name inside a longer
-- alias counts for the longer one only.  Possessives (Zakani’s) count.
local expected = {
  -- grep -ow Zakani: 15 in 000 (2 of them "Alireza Zakani", one match each), none elsewhere.
  { "Alireza Zakani", "PERSON", 15, 1 },
  -- grep -ow Smet: 5 in 000 ("Pascal Smet" once, "Smet’s" once).
  { "Pascal Smet", "PERSON", 5, 1 },
  -- grep -ow Claes: 4 in 001 and 4 in 004 ("Dirk Claes" once in each).
  { "Dirk Claes", "PERSON", 8, 2 },
  -- "Van Rompuy" 4 times in 001, once after a no-break space (grep
  -- 'Van[[:space:] ]Rompuy'); one is "Herman Van Rompuy" (the father).
  { "Peter Van Rompuy", "PERSON", 3, 1 },
  { "Herman Van Rompuy", "PERSON", 1, 1 },
  -- "Massoud Kashefi" once in 001; "Masoud Kashfi" and "Dr. Kashfi" in 003.
  { "Massoud Kashefi", "PERSON", 3, 2 },
  -- "Vilvoorde" twice and "Villevoorde" once, all in 003.
  { "Vilvoorde", "PLACE", 3, 1 },
  -- grep -ow Brussels: 13 in 000, 3 in 002, 1 in 003.  Not the city: 4
  -- "Brussels Signal", 1 "Brussels City Hall", 1 "Brussels capital region"
  -- (000) and 1 "Brussels Times" (003): 7 + 3 = 10 in 2 documents.
  { "Brussels", "PLACE", 10, 2 },
  { "Brussels Signal", "ORG", 4, 1 },
  -- grep -ow Belgium: 5 (000), 2 (001), 5 (002), 3 (003), 0 (004).
  { "Belgium", "PLACE", 15, 4 },
  -- grep -ow Iran: 2, 10, 6, 6, 19.  Less the "... for a Democratic Iran" of the
  -- Belgian Committee (once in 001, once in 004) and "Iran Focus" (004); plus
  -- "the Islamic Republic" (004): 2 + 9 + 6 + 6 + 18 = 41 in all 5.
  { "Iran", "PLACE", 41, 5 },
  -- grep -ow Tehran: 4 (000), 1 (001), 1 (003).
  { "Tehran", "PLACE", 6, 3 },
  -- "EU" twice in 000, "European Union" once in 001 and once in 003.
  { "European Union", "ORG", 4, 3 },
  -- "U.N. Human Rights Council" (001), "Human Rights Council" and "United
  -- Nations Human Rights Council" (004): 3, the longer alias counted once.
  { "UN Human Rights Council", "ORG", 3, 2 },
  -- The only UN outside a longer alias: "UN Fact-Finding Mission" (004).
  { "United Nations", "ORG", 1, 1 },
  -- "PMOI (MEK)" in 001 is two mentions; "People’s Mujahideen" (002),
  -- "Mojahedin Organization" (003).
  { "People's Mojahedin Organization of Iran", "ORG", 4, 3 },
  -- "death committee" twice in 001, "Death Commission" in 003, "Death
  -- Committee" in 004 (not the plural "death committees").
  { "Death Commission", "ORG", 4, 3 },
  -- "Rotselaar" twice in 001 (once "Rotselaar’s"), once in 004.
  { "Rotselaar", "PLACE", 3, 2 },
  -- "the Challenge (Défi) party" (000), once, though two aliases of the
  -- gazetteer (Défi, DéFI) match it.
  { "DéFI", "ORG", 1, 1 },
}

local out, code, err = run("--format json")
t.is(code, 0, "mentions --format json exits 0")
local rows = json.decode(out)
t.ok(type(rows) == "table", "JSON output parses", err)
rows = rows or {}
local by = {}
for _, r in ipairs(rows) do by[r.entity] = r end
for _, e in ipairs(expected) do
  local r = by[e[1]] or {}
  t.is(r.type, e[2], e[1] .. ": type")
  t.is(r.mentions, e[3], e[1] .. ": mentions")
  t.is(r.documents, e[4], e[1] .. ": documents")
end
t.is(by["Iran"] and by["Iran"].share, 1, "Iran: share of documents 1")
t.is(by["Belgium"] and by["Belgium"].share, 0.8, "Belgium: share 0.8")
local names = {}
for _, r in ipairs(rows) do names[#names + 1] = r.entity end
t.is(names[1], "Iran", "most mentioned first")
t.like(table.concat(names, "|"), "^Iran|Belgium|Alireza Zakani|Brussels|", "sorted by mentions, then documents, then name")

-- ---- co-mentions ------------------------------------------------------------------
-- Same sentence: Smet and Zakani share 4 sentences of 000 ("Smet said ...
-- that Zakani had attended", "The Tehran mayor, Alireza Zakani, ... Pascal
-- Smet was also present", "Smet went against ... Zakani’s invitation", "Smet
-- wrote ... a visa for Zakani"); Smet is in 5 sentences (once in each).
out = run("--format json --table comentions --top 1000")
local pairs_rows = json.decode(out) or {}
local function pair(a, b)
  for _, r in ipairs(pairs_rows) do
    if (r.entity_a == a and r.entity_b == b) or (r.entity_a == b and r.entity_b == a) then return r end
  end
  return {}
end
local p = pair("Alireza Zakani", "Pascal Smet")
t.is(p.comentions, 4, "Zakani and Smet co-mentioned in 4 sentences")
t.is(p.entity_a == "Alireza Zakani" and p.units_b or p.units_a, 5, "Smet in 5 sentences")
t.ok(type(p.logdice) == "number" and type(p.ll) == "number" and p.ll > 0, "pair has association scores")
-- Same document: Claes and Rotselaar together in 001 and 004.
out = run("--format json --table comentions --unit document --top 1000")
pairs_rows = json.decode(out) or {}
t.is(pair("Dirk Claes", "Rotselaar").comentions, 2, "Claes and Rotselaar in 2 documents")
t.is(pair("Belgium", "Iran").comentions, 4, "Belgium and Iran in 4 documents (not 004)")
-- Window of 3 tokens: "Dirk Claes, Rotselaar’s mayor" (001) and "Dirk Claes,
-- Mayor of Rotselaar" (004: Claes .. Rotselaar is 3 tokens apart).
out = run("--format json --table comentions --unit window:3 --top 1000")
pairs_rows = json.decode(out) or {}
t.is(pair("Dirk Claes", "Rotselaar").comentions, 2, "Claes and Rotselaar within 3 tokens twice")

-- ---- the text report ------------------------------------------------------------------
out, code = run("")
t.is(code, 0, "mentions with no arguments exits 0")
t.like(out, "entity%s+type%s+mentions%s+documents%s+share%s+comentioned", "text report has the entity columns")
t.like(out, "\nIran%s+PLACE%s+41%s+5%s+1%.00", "Iran row aligned")
t.like(out, "Co%-mention pairs", "co-mention section")
t.like(out, "Candidates the gazetteer misses", "discovery section")
local again = run("")
t.is(again, out, "output is byte-identical across runs")
local j3 = t.run(q(t.corpusrun) .. " -j 3 scripts/mentions.lua")
t.is(j3, out, "the same output with -j 3 (three workers)")

-- ---- discovery ----------------------------------------------------------------------------
-- Obvious misses of the gazetteer: "Iranian Resistance" (003 and 004, not
-- sentence-initial), "Brussels Urban Summit" (000), "JCPOA" (004).
out = run("--format json --table candidates --top 1000")
local cands = json.decode(out) or {}
local cset = {}
for _, r in ipairs(cands) do cset[r.candidate] = r end
t.is(cset["Iranian Resistance"] and cset["Iranian Resistance"].documents, 2, "candidate Iranian Resistance in 2 documents")
t.ok(cset["Brussels Urban Summit"], "candidate Brussels Urban Summit")
t.ok(cset["JCPOA"], "candidate acronym JCPOA")
t.ok(not cset["Pascal Smet"] and not cset["Mayor Bonte"] and not cset["EU"], "known entities are not candidates")
out = run("--no-discover")
t.ok(not out:find("Candidates the gazetteer misses", 1, true), "--no-discover leaves discovery out")
out = run("--discover --format json --table candidates --top 1000")
cands = json.decode(out) or {}
cset = {}
for _, r in ipairs(cands) do cset[r.candidate] = r end
t.ok(cset["Pascal Smet"] and cset["Brussels Signal"], "--discover without a gazetteer finds the known names too")

-- ---- CSV ------------------------------------------------------------------------------------
out = run("--format csv")
local lines = {}
for l in out:gmatch("([^\r\n]*)\r?\n") do lines[#lines + 1] = l end
t.is(lines[1], "entity,type,mentions,documents,share,comentioned", "CSV header names the columns")
local csv_iran = lines[2] and lines[2]:match("^Iran,PLACE,(%d+),(%d+),")
t.is(csv_iran, "41", "CSV row parsed back: Iran 41")

-- ---- --db --------------------------------------------------------------------------------------
local has_sqlite = pcall(require, "lsqlite3")
if not has_sqlite then t.skip("the lsqlite3 module is not built yet", 9) end
if has_sqlite then
local dbpath = os.tmpname()
os.remove(dbpath)
out, code, err = run("--db " .. q(dbpath) .. " --format tsv")
t.is(code, 0, "--db run exits 0", err)
local sqlite3 = require "lsqlite3"
local db = sqlite3.open(dbpath)
local function one(sql)
  for row in db:nrows(sql) do return row end
  return {}
end
t.is(one("SELECT count(*) AS n FROM mentions WHERE entity = 'Alireza Zakani'").n, 15, "db: 15 Zakani rows in mentions")
t.is(one("SELECT count(*) AS n FROM runs").n, 1, "db: one run")
t.is(one([[SELECT corpus_fingerprint = json_extract(receipt, '$.corpora[0].fingerprint') AND corpus_fingerprint IS NOT NULL
             AND json_extract(inputs, '$[0].sha256') = json_extract(receipt, '$.inputs[0].sha256')
             AND json_extract(inputs, '$[0].role') = 'gazetteer'
             AND script_sha256 = json_extract(receipt, '$.script_sha256') AS same FROM runs]]).same, 1,
     "db: the runs row's fingerprint and hashes are the receipt's")
t.is(one("SELECT mentions FROM entity_counts WHERE entity = 'Iran'").mentions, 41, "db: entity_counts")
t.is(one("SELECT comentions FROM comentions WHERE entity_a = 'Alireza Zakani' AND entity_b = 'Pascal Smet'").comentions, 4,
     "db: comentions")
t.ok(one("SELECT count(*) AS n FROM candidates").n > 0, "db: candidates")
-- every mention's span holds its text
local c = (require "corpus").open("corpus", { exclude = { "entities.tsv" } })
local bad = 0
local nm = 0
for row in db:nrows("SELECT doc, start, stop, text FROM mentions") do
  nm = nm + 1
  local d = c:get(row.doc)
  if not d or d.text:sub(row.start + 1, row.stop) ~= row.text then bad = bad + 1 end
end
t.ok(nm > 100 and bad == 0, "db: every mention's byte span holds its text (" .. nm .. " rows)")
local total = one("SELECT sum(mentions) AS n FROM entity_counts").n
t.is(total, nm, "db: the mentions table adds up to entity_counts")
db:close()
os.remove(dbpath)
end

-- ---- --kwic, --by, --html, --gexf, --out ---------------------------------------------------------
out = run("--kwic 1 --format json --table evidence")
local ev = json.decode(out) or {}
local found
for _, r in ipairs(ev) do if r.entity == "Massoud Kashefi" then found = r end end
-- the first mention in document order: "... said Dr. Massoud Kashefi, one of" (001)
t.is(found and found.match, "Massoud Kashefi", "evidence line for Kashefi shows the match")
t.like(found and found.left or "", "said Dr%. $", "evidence line has left context")
t.like(found and found.right or "", "^, one of a group", "evidence line has right context")
t.is(found and found.doc, "001_e8d32c68db4d5ae8.txt", "evidence line names the document")

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p " .. q(dir))
out, code, err = run("--html " .. q(dir .. "/m.html") .. " --gexf " .. q(dir .. "/m.gexf") .. " --out " .. q(dir .. "/m.txt"))
t.is(code, 0, "--html --gexf --out exit 0", err)
local function slurp(path) local f = io.open(path, "rb"); if not f then return "" end local s = f:read("a"); f:close(); return s end
local html = slurp(dir .. "/m.html")
t.like(html, "^<!DOCTYPE html>", "HTML report written")
t.like(html, "<svg", "HTML report has charts")
t.like(html, "Alireza Zakani", "HTML report names entities")
local gexf = slurp(dir .. "/m.gexf")
t.like(gexf, "<gexf", "GEXF written")
t.like(gexf, 'label="Alireza Zakani"', "GEXF has entity nodes")
t.like(slurp(dir .. "/m.txt"), "^%d+ entities", "--out writes the report")
os.execute("rm -rf " .. q(dir))

-- ---- options ----------------------------------------------------------------------------------------
out, code = run("--help")
t.is(code, 0, "--help exits 0")
for _, o in ipairs({ "--corpus", "--entities", "--discover", "--no-discover", "--by", "--unit", "--top", "--min",
                     "--kwic", "--format", "--out", "--db", "--html", "--gexf" }) do
  t.like(out, "%s" .. o:gsub("%-", "%%-") .. "[%s=]", "--help shows " .. o)
end
out, code, err = run("--unit paragraph")
t.is(code, 2, "bad --unit exits 2")
t.like(err, "%-%-unit", "and names the option")
out, code, err = run("--entities no/such.tsv")
t.is(code, 2, "missing --entities file exits 2")

t.done()
