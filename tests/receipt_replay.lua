-- Provenance receipts (sidecar and runs table) and `corpusrun replay`:
-- a round trip, and replay detecting a changed corpus, a changed script and
-- a changed result.
local t = require "tap"
local json = require "json"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir(true)
os.execute("cp " .. q(t.root .. "/tests/data/receipt_wc.lua") .. " " .. q(dir .. "/wc.lua"))
local function sh(cmd) return t.run("cd " .. q(dir) .. " && " .. cmd) end
local function read(name) local f = io.open(dir .. "/" .. name, "rb"); if not f then return nil end local s = f:read("a"); f:close(); return s end

local out, code, err = sh(CR .. " wc.lua -c corpus --out out.csv --db r.db")
t.is(code, 0, "the script writes its results", err)

-- The sidecar receipt.
local r = json.decode(read("out.csv.receipt.json") or "null")
t.ok(type(r) == "table", "out.csv.receipt.json is JSON")
r = r or {}
t.like(r.corpusrun or "", "^%d+%.%d+%.%d+$", "receipt: corpusrun version")
t.like(r.lua or "", "^Lua 5%.4", "receipt: Lua version")
t.is(r.unicode, "15.0.0", "receipt: Unicode version")
t.like(r.sqlite or "", "^3%.", "receipt: SQLite version")
t.is(r.script, "wc.lua", "receipt: script path")
local sha = t.run("sha256sum " .. q(dir .. "/wc.lua")):match("^(%x+)")
t.is(r.script_sha256, sha, "receipt: script SHA-256 (as sha256sum computes it)")
t.is_deeply(r.arguments, { "-c", "corpus", "--out", "out.csv", "--db", "r.db" }, "receipt: arguments")
local c = (r.corpora or {})[1] or {}
t.is(c.path, "corpus", "receipt: corpus path")
t.is(c.documents, 5, "receipt: corpus document count")
t.is(#(c.docs or {}), 5, "receipt: every document's id and hash")
local doc_sha = t.run("sha256sum " .. q(dir .. "/corpus/000_bffbd40d78d47571.txt")):match("^(%x+)")
t.is_deeply((c.docs or {})[1], { "000_bffbd40d78d47571.txt", doc_sha }, "receipt: a document's SHA-256 is its file's")
t.like(r.started or "", "^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$", "receipt: start time")
t.like(r.finished or "", "^%d%d%d%d%-%d%d%-%d%dT", "receipt: end time")

-- The runs table, referenced from the results table.
do
  local rows = t.run("sqlite3 " .. q(dir .. "/r.db") .. " 'SELECT id, script, script_sha256, corpus_fingerprint = json_extract(receipt, \"$.corpora[0].fingerprint\") FROM runs'")
  t.is(rows, "1|wc.lua|" .. sha .. "|1\n", "the runs table records the run")
  local refs = t.run("sqlite3 " .. q(dir .. "/r.db") .. " 'SELECT count(*) FROM words JOIN runs ON runs.id = words.run_id'")
  t.is(refs, "5\n", "every result row references its run")
end

-- Replay: unchanged inputs give identical results.
out, code, err = sh(CR .. " replay out.csv")
t.is(code, 0, "replay of an unchanged run succeeds", err)
t.is(out, "replay: 2 outputs identical to the recorded results\n", "replay says the results are identical")
out, code = sh(CR .. " replay r.db")
t.is(code, 0, "replay from the database succeeds")

-- A changed result is reported.
os.execute("cd " .. q(dir) .. " && cp out.csv out.csv.orig && sed -i 's/,517$/,518/' out.csv")
out, code, err = sh(CR .. " replay out.csv")
t.is(code, 1, "replay of a tampered result fails")
t.like(err, "replay: out%.csv differs from the new run's output", "replay names the result that differs")
os.execute("cd " .. q(dir) .. " && mv out.csv.orig out.csv")

-- A changed corpus is named document by document; nothing re-runs.
os.execute("cd " .. q(dir) .. " && printf ' three more words\\n' >> corpus/001_e8d32c68db4d5ae8.txt && rm corpus/004_62ef3bdf8865f1a7.txt && printf 'new text\\n' > corpus/005_new.txt")
out, code, err = sh(CR .. " replay out.csv")
t.is(code, 1, "replay with a changed corpus fails")
t.like(err, "corpus corpus changed %(fingerprint %x+, was %x+%)", "replay says the corpus changed")
t.like(err, "1 changed: 001_e8d32c68db4d5ae8%.txt", "replay names the changed document")
t.like(err, "1 added: 005_new%.txt", "replay names the added document")
t.like(err, "1 removed: 004_62ef3bdf8865f1a7%.txt", "replay names the removed document")
t.like(err, "nothing was re%-run", "replay does not re-run on changed inputs")
out, code, err = sh(CR .. " replay out.csv --force")
t.is(code, 1, "replay --force on a changed corpus re-runs and finds different results")
t.like(err, "the new results differ from the recorded ones", "and says so")

-- A changed script.
os.execute("cd " .. q(dir) .. " && echo '-- edited' >> wc.lua")
out, code, err = sh(CR .. " replay r.db")
t.is(code, 1, "replay with a changed script fails")
t.like(err, "script wc%.lua changed %(sha256 %x+, was " .. sha .. "%)", "replay says the script changed, with both hashes")

-- No receipt.
out, code, err = sh("touch plain.txt && " .. CR .. " replay plain.txt")
t.is(code, 1, "replay of a file without a receipt fails")
t.like(err, "no receipt", "and says so")

-- The main job: every output carries a receipt and replays identically;
-- a tampered count in the database is caught.
do
  local m = dir .. "/m"
  os.execute("mkdir -p " .. q(m))
  local _, c0, e0 = t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/mentions.lua --db " .. q(m .. "/m.db")
    .. " --html " .. q(m .. "/m.html") .. " --out " .. q(m .. "/m.csv") .. " --format csv")
  t.is(c0, 0, "mentions writes a database, an HTML report and a CSV file", e0)
  t.ok(io.open(m .. "/m.csv.receipt.json"), "the CSV file has its sidecar receipt")
  t.ok(not io.open(m .. "/m.html.receipt.json"), "the HTML report has none beside it")
  local hf = io.open(m .. "/m.html"); local html = hf and hf:read("a") or ""; if hf then hf:close() end
  t.like(html, '<footer class="provenance">', "the HTML report has a provenance footer")
  t.like(html, '<script type="application/json" id="corpusrun%-receipt">{', "and the receipt embedded")
  local rj = t.run("sqlite3 " .. q(m .. "/m.db") .. " 'SELECT json_extract(receipt, \"$.inputs[0].role\") FROM runs'")
  t.is(rj, "gazetteer\n", "the runs table holds the receipt, with the gazetteer as an input")
  for _, target in ipairs({ "m.db", "m.csv", "m.html" }) do
    local out, code, err = t.run(CR .. " replay " .. q(m .. "/" .. target))
    t.is(code, 0, "replay of mentions' " .. target .. " succeeds", err)
    t.is(out, "replay: 3 outputs identical to the recorded results\n", "replay of " .. target .. ": all three outputs reproduced")
  end
  os.execute("sqlite3 " .. q(m .. "/m.db") .. " \"UPDATE entity_counts SET mentions = mentions + 1 WHERE entity = 'Iran'\"")
  local _, code, err = t.run(CR .. " replay " .. q(m .. "/m.db"))
  t.is(code, 1, "replay of a tampered database fails")
  t.like(err, "m%.db: table entity_counts differs", "and names the table that differs")
end

-- Every script's --out carries a receipt that replay checks.
for _, cmd in ipairs({ "freq.lua --top 5", "kwic.lua Iran", "cooccur.lua", "collocates.lua iran" }) do
  local out_file = dir .. "/script-out.txt"
  local _, c1, e1 = t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/" .. cmd .. " --out " .. q(out_file))
  t.is(c1, 0, cmd .. " --out runs", e1)
  local out, c2, e2 = t.run(CR .. " replay " .. q(out_file))
  t.is(c2, 0, cmd .. ": replay reproduces the result", e2)
  t.like(out, "identical to the recorded results", cmd .. ": replay says so")
end

os.execute("rm -rf " .. q(dir))
t.done()
