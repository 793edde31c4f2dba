-- Where receipts go: no sidecar for outputs that are not files (/dev/null,
-- stdout), footers with the receipt embedded in Markdown and HTML reports,
-- input files and tokeniser settings in every script's receipt, a runs
-- table in ingested databases, and replay naming what changed.
local t = require "tap"
local json = require "json"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir(true)
os.execute("chmod -R a+rwX " .. q(dir))
local function sh(cmd) return t.run("cd " .. q(dir) .. " && " .. cmd) end
local function read(name)
  local f = io.open(name:sub(1, 1) == "/" and name or dir .. "/" .. name, "rb")
  if not f then return nil end
  local s = f:read("a"); f:close(); return s
end
local function exists(name) return read(name) ~= nil end
local function receipt_of(name) return json.decode(read(name .. ".receipt.json") or "null") or {} end
local function script(name) return q(t.root .. "/scripts/" .. name) end

-- 1. --out /dev/null: no sidecar, exit 0; as an unprivileged user when this
-- runs as root (where writing /dev/null.receipt.json would succeed).
do
  local root = t.run("id -u") == "0\n"
  local as = ""
  -- (when nobody can reach the build and the scripts; else as root, where
  -- the check is that no file appears)
  if root and t.run("command -v runuser") ~= ""
      and select(2, t.run("runuser -u nobody -- test -x " .. CR .. " -a -r " .. script("freq.lua") .. " -a -w " .. q(dir))) == 0 then
    as = "runuser -u nobody -- "
  end
  if root then os.remove("/dev/null.receipt.json") end
  local _, code, err = sh(as .. CR .. " " .. script("freq.lua") .. " -c corpus --top 3 --out /dev/null")
  t.is(code, 0, "freq --out /dev/null exits 0" .. (as ~= "" and " (as nobody)" or ""), err)
  t.is(err, "", "and says nothing on stderr")
  if as == "" then
    t.ok(not io.open("/dev/null.receipt.json"), "no /dev/null.receipt.json")
  else
    -- as nobody, an attempt to write it fails and raises (receipt.write_sidecar),
    -- so the exit status above is the check: make sure that premise holds
    local _, c2 = t.run("runuser -u nobody -- sh -c ': > /dev/null.receipt.json'")
    t.isnt(c2, 0, "nobody cannot create /dev/null.receipt.json, so exit 0 means none was attempted")
  end
  local receipt = require "receipt"
  local okfile, why = receipt.is_result_file("/dev/null")
  t.is(okfile, false, "receipt.is_result_file: /dev/null takes no sidecar")
  t.like(why, "^/dev/null is not a file", "and says why")
  _, code, err = sh(as .. CR .. " " .. script("mentions.lua") .. " -c corpus --format md --out /dev/null")
  t.is(code, 0, "mentions --format md --out /dev/null exits 0", err)
  local out
  out, code = sh(CR .. " " .. script("freq.lua") .. " -c corpus --top 1 --format csv --out -")
  t.is(code, 0, "--out - writes to stdout")
  t.like(out, "^rank,word", "the result is on stdout")
  t.ok(not exists("-.receipt.json"), "no -.receipt.json")
end

-- 2. replay skips outputs that are not files, and names differing lines.
do
  local _, code, err = sh(CR .. " " .. script("mentions.lua") .. " -c corpus --db m.db --out /dev/null")
  t.is(code, 0, "mentions --db m.db --out /dev/null", err)
  local out
  out, code, err = sh(CR .. " replay m.db")
  t.is(code, 0, "replay of a run with --out /dev/null succeeds", err)
  t.is(out, "replay: not compared: /dev/null is not a file\nreplay: 1 output identical to the recorded results\n",
    "replay says /dev/null is not compared and the database is identical")

  sh(CR .. " " .. script("freq.lua") .. " -c corpus --top 5 --format csv --out f.csv")
  local lines = {}
  for l in (read("f.csv") or ""):gmatch("[^\r\n]+") do lines[#lines + 1] = l end
  local tampered = lines[3]:gsub("^2,", "2,X")
  local f = assert(io.open(dir .. "/f.csv", "wb"))
  for i, l in ipairs(lines) do f:write(i == 3 and tampered or l, "\r\n") end
  f:close()
  out, code, err = sh(CR .. " replay f.csv")
  t.is(code, 1, "replay of a tampered CSV fails")
  t.like(err, "f%.csv differs from the new run's output: 1 line differs %(6 recorded, 6 now%); first at line 3: recorded \""
    .. tampered:gsub("%p", "%%%0") .. "\", now \"" .. lines[3]:gsub("%p", "%%%0") .. "\"",
    "replay names the first differing line, both versions and the count")
end

-- 3. Inputs and tokeniser settings in every script's receipt.
do
  local f = assert(io.open(dir .. "/sw.txt", "wb")); f:write("the\nof\n"); f:close()
  local _, code, err = sh(CR .. " " .. script("freq.lua") .. " -c corpus --stopwords-file sw.txt --level key --format csv --out f2.csv")
  t.is(code, 0, "freq --stopwords-file", err)
  local r = receipt_of("f2.csv")
  t.is_deeply(r.inputs, { { role = "stopwords", path = "sw.txt", sha256 = t.run("sha256sum " .. q(dir .. "/sw.txt")):match("^%x+") } },
    "freq's receipt names the stopword file and its SHA-256")
  t.is((r.settings or {}).tokenizer and r.settings.tokenizer.level, "key", "and the tokeniser's level")
  f = assert(io.open(dir .. "/sw.txt", "ab")); f:write("and\n"); f:close()
  local out
  out, code, err = sh(CR .. " replay f2.csv")
  t.is(code, 1, "replay after editing the stopword list fails")
  t.like(err, "stopwords sw%.txt changed %(sha256 %x+, was %x+%)", "and names the stopword file")

  _, code, err = sh(CR .. " " .. script("kwic.lua") .. " -c corpus --entity 'Massoud Kashefi' --out k.txt")
  t.is(code, 0, "kwic --entity", err)
  r = receipt_of("k.txt")
  t.is((r.inputs or {})[1] and r.inputs[1].role .. " " .. r.inputs[1].path, "gazetteer corpus/entities.tsv",
    "kwic --entity records the default gazetteer")
  _, code, err = sh(CR .. " " .. script("cooccur.lua") .. " -c corpus --of entities --format tsv --out co.tsv")
  t.is(code, 0, "cooccur --of entities", err)
  r = receipt_of("co.tsv")
  t.is((r.inputs or {})[1] and r.inputs[1].role, "gazetteer", "cooccur --of entities records the gazetteer")
  os.execute("cd " .. q(dir) .. " && printf 'Somebody\\tPERSON\\tSomebody\\n' >> corpus/entities.tsv")
  out, code, err = sh(CR .. " replay k.txt")
  t.is(code, 1, "replay after editing the gazetteer fails")
  t.like(err, "gazetteer corpus/entities%.tsv changed", "and names the gazetteer")

  -- every script: tokeniser settings recorded
  for _, cmd in ipairs({ "freq.lua", "kwic.lua Iran", "collocates.lua iran", "cooccur.lua", "keyness.lua --target '000*'",
                         "mentions.lua --format csv", "ingest.lua --db every.db", "search.lua --db every.db Iran" }) do
    local _, c1, e1 = sh(CR .. " " .. t.root .. "/scripts/" .. cmd .. " -c corpus --out every.out")
    if cmd:match("^search") then _, c1, e1 = sh(CR .. " " .. t.root .. "/scripts/" .. cmd .. " --out every.out") end
    t.is(c1, 0, cmd .. " runs", e1)
    local rr = receipt_of("every.out")
    if cmd:match("^search") then
      t.is((rr.inputs or {})[1] and rr.inputs[1].role, "corpus database", cmd .. ": the database is an input")
    else
      t.ok(type((rr.settings or {}).tokenizer) == "table", cmd .. ": tokeniser settings in the receipt")
    end
  end
end

-- 4. Markdown reports carry a footer and the receipt; csv keeps a sidecar.
do
  local _, code, err = sh(CR .. " " .. script("mentions.lua") .. " -c corpus --format md --out m.md")
  t.is(code, 0, "mentions --format md --out m.md", err)
  local md = read("m.md") or ""
  t.ok(not exists("m.md.receipt.json"), "no sidecar beside the Markdown report")
  t.like(md, "\n<sub>corpusrun: [^\n]*gazetteer: corpus/entities%.tsv %(sha256 %x+%)[^\n]*</sub>\n", "a footer with the gazetteer's hash")
  t.like(md, "\n<!%-%- corpusrun receipt {.-} %-%->\n$", "the whole receipt embedded on the last line")
  local out
  out, code, err = sh(CR .. " replay m.md")
  t.is(code, 0, "replay reads the receipt from the Markdown report", err)
  t.is(out, "replay: 1 output identical to the recorded results\n", "and reproduces it")
  _, code = sh(CR .. " " .. script("freq.lua") .. " -c corpus --top 3 --format md --out fr.md")
  t.like(read("fr.md") or "", "<sub>corpusrun", "freq --format md has the footer too")
  _, code = sh(CR .. " " .. script("cooccur.lua") .. " -c corpus --top 3 --html co.html")
  t.like(read("co.html") or "", 'id="corpusrun%-receipt"', "cooccur --html embeds the receipt")
  t.ok(not exists("co.html.receipt.json"), "and writes no sidecar")
end

-- 5. The ingest database records its runs; a database without runs says so.
do
  local _, code, err = sh(CR .. " " .. script("ingest.lua") .. " -c corpus --db c.db")
  t.is(code, 0, "ingest", err)
  t.is(t.run("sqlite3 " .. q(dir .. "/c.db") .. " 'SELECT count(*), json_extract(receipt, \"$.corpora[0].documents\") FROM runs'"),
    "1|5\n", "the ingest database has a runs row with the corpus")
  local out
  out, code, err = sh(CR .. " replay c.db")
  t.is(code, 0, "replay of an ingest database succeeds", err)
  t.like(out, "identical to the recorded results", "and reproduces it")
  os.execute("sqlite3 " .. q(dir .. "/plain.db") .. " 'CREATE TABLE x (a)'")
  out, code, err = sh(CR .. " replay plain.db")
  t.is(code, 1, "replay of a database without runs fails")
  t.like(err, "plain%.db: no runs table: no script recorded a run in this database", "with a clear message")
end

os.execute("rm -rf " .. q(dir))
t.done()
