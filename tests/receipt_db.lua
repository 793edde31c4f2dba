-- The db layer records the run's receipt and references it from results.
local t = require "tap"
local db = require "db"
local h = db.open(":memory:")
t.is(h:write_table("freq", { { word = "iran", n = 12 }, { word = "eu", n = 3 } }, nil, { run_id = true }), 2, "write_table with run_id")
t.is_deeply(h:columns("freq"), { "run_id", "n", "word" }, "run_id comes first")
local id = h:record_run()
t.is(h:value("SELECT count(*) FROM freq WHERE run_id = ?", id), 2, "every row references the run")
t.is(h:record_run(), id, "one run per handle")
t.is(h:value("SELECT count(*) FROM runs"), 1, "one row in runs")
t.like(h:value("SELECT receipt FROM runs"), '"unicode": "15%.0%.0"', "the runs row holds the receipt")
t.is(h:write_table("pairs", { { "a", "b", 2 } }, "w1 TEXT, w2 TEXT, n INTEGER", { run_id = true }), 1, "a schema string and positional rows")
t.is(h:value("SELECT run_id || w1 || w2 || n FROM pairs"), id .. "ab2", "positional rows fill the declared columns")
-- A script's run records itself by default; run_id = false leaves it out.
t.ok(require("receipt").active(), "a test script's run is a script's run")
t.is(h:write_table("plain", { { w = "x" } }), 1, "write_table without options")
t.is_deeply(h:columns("plain"), { "run_id", "w" }, "references the run by default in a script")
t.is(h:value("SELECT run_id FROM plain"), id, "the same run")
h:write_table("bare", { { w = "x" } }, nil, { run_id = false })
t.is_deeply(h:columns("bare"), { "w" }, "run_id = false leaves the column out")
h:close()

-- count's f:save and dtm:to_sqlite tie their tables to the run as well.
local count = require "count"
local sqlite3 = require "lsqlite3"
local raw = sqlite3.open_memory()
local f = count.freq()
f:add("iran", 3)
f:add("eu")
f:save(raw, "words")
local function columns(name)
  local cols = {}
  for row in raw:nrows(("PRAGMA table_info(%q)"):format(name)) do cols[#cols + 1] = row.name end
  return cols
end
t.is_deeply(columns("words"), { "run_id", "key", "n" }, "f:save: run_id comes first in a script's run")
local rid
for r in raw:urows("SELECT max(id) FROM runs") do rid = r end
local refs
for n in raw:urows("SELECT count(*) FROM words WHERE run_id = " .. rid) do refs = n end
t.is(refs, 2, "f:save: every row references the run")
f:save(raw, "words2")
local runs
for n in raw:urows("SELECT count(*) FROM runs") do runs = n end
t.is(runs, 1, "f:save: one run per database")
t.is(count.load(raw, "words"):get("iran"), 3, "count.load still reads the saved counter")
raw:close()

-- A save that fails (here a table name that clashes with count's own
-- record) keeps the runs row that the next save references.
raw = sqlite3.open_memory()
t.ok(not pcall(f.save, f, raw, "corpusrun_counters"), "f:save: a failing save raises")
f:save(raw, "words")
local ok_refs, referenced = pcall(function()
  for n in raw:urows("SELECT count(*) FROM words WHERE run_id IN (SELECT id FROM runs)") do return n end
end)
t.is(ok_refs and referenced, 2, "f:save: the run a failed save recorded is still there for the next")
raw:close()

-- f:save and the db layer's write_table share one run per database.
raw = sqlite3.open_memory()
f:save(raw, "words")
local wrapped = require("db").wrap(raw)
wrapped:write_table("more", { { w = "x" } })
local nruns
for n in raw:urows("SELECT count(*) FROM runs") do nruns = n end
t.is(nruns, 1, "f:save and write_table: one run in the database")
local same
for n in raw:urows("SELECT count(*) FROM more WHERE run_id = (SELECT run_id FROM words LIMIT 1)") do same = n end
t.is(same, 1, "both tables reference it")
raw:exec("DELETE FROM runs")
f:save(raw, "words")
for n in raw:urows("SELECT count(*) FROM words WHERE run_id IN (SELECT id FROM runs)") do same = n end
t.is(same, 2, "a run deleted since is recorded again")
raw:close()

-- A receipt built again after a note reads no corpus again.
local receipt = require "receipt"
local reads = 0
local fake = { docs = function()
  reads = reads + 1
  local done = false
  return function()
    if done then return nil end
    done = true
    return { id = "a.txt", text = "alpha" }
  end
end }
receipt.note_corpus(fake, "fake")
local first = receipt.build()
receipt.note_setting("after", 1)
local again = receipt.build()
t.is(reads, 1, "the corpus is read once for two builds")
t.is(again.settings.after, 1, "the second build has the new setting")
t.is(again.corpora[#again.corpora].fingerprint, first.corpora[#first.corpora].fingerprint, "and the same description")
t.done()
