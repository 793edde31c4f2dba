local spec = { name = "wc", version = "1.0", description = "Counts words per document.",
  options = { { name = "out", type = "output", help = "CSV file" },
              { name = "db", type = "output", help = "results database" },
              { name = "corpus", short = "c", type = "corpus", help = "corpus" } } }
local cli = require "cli"
local o = cli.parse(spec, arg)
local receipt = require "receipt"
local c = require("corpus").open(o.corpus)
local acc = c:fold(function() return { rows = {} } end, function(acc, doc)
  local n = 0 for _ in doc.text:gmatch("%S+") do n = n + 1 end
  acc.rows[#acc.rows + 1] = { doc.id, n } end)
if o.out then
  local f = assert(io.open(o.out, "w"))
  for _, r in ipairs(acc.rows) do f:write(r[1], ",", r[2], "\n") end
  f:close()
  receipt.write_sidecar(o.out)
end
if o.db then
  local sqlite3 = require "lsqlite3"
  local db = sqlite3.open(o.db)
  local run = receipt.record(db)
  db:exec("CREATE TABLE IF NOT EXISTS words (run_id INTEGER REFERENCES runs(id), doc TEXT, n INTEGER)")
  for _, r in ipairs(acc.rows) do db:exec(("INSERT INTO words VALUES (%d, '%s', %d)"):format(run, r[1], r[2])) end
  db:close()
end
