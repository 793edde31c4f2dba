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
t.done()
