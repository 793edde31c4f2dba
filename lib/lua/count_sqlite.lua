-- count_sqlite.lua: saving counters to SQLite and loading them back, through
-- the lsqlite3 API.  count.lua hands it to the count core, whose f:save(db,
-- table), count.load(db, table) and dtm:to_sqlite(db, table) call it.
--
-- A saved counter is a table of rows anyone can query:
--   Freq, Ngrams:  <table>(key TEXT PRIMARY KEY, n INTEGER)
--   Cooc:          <table>(a TEXT, b TEXT, n INTEGER, PRIMARY KEY (a, b))
--   DTM:           <table>(doc TEXT, term TEXT, n INTEGER, PRIMARY KEY (doc, term))
-- and, for the counters, one row in corpusrun_counters(name, type, total,
-- dump) that holds the exact counter for count.load.  In a script's run the
-- table also gets a first column run_id referencing the run's row of `runs`
-- (the provenance receipt, lib/lua/receipt.lua), recorded once per database.
local sqlite3 = require "lsqlite3"
local receipt = require "receipt"
local core = require "count.core"

local M = {}

-- The column definition that ties a results table to this run, or "".
local function run_column(db)
  if not receipt.active() then return "" end
  return ("run_id INTEGER NOT NULL DEFAULT %d REFERENCES runs(id), "):format(receipt.record(db))
end

local function ok_name(name)
  if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    error(("count: bad table name %s (letters, digits and _)"):format(tostring(name)), 3)
  end
  return name
end

local function exec(db, sql)
  local rc = db:exec(sql)
  if rc ~= 0 then error(("count: SQLite error %d: %s"):format(rc, db:errmsg()), 3) end
end

local function prepare(db, sql)
  local stmt = db:prepare(sql)
  if not stmt then error(("count: SQLite error: %s"):format(db:errmsg()), 3) end
  return stmt
end

local function step_all(db, stmt, rows)
  local done = sqlite3.DONE
  for _, r in ipairs(rows) do
    stmt:bind_values(table.unpack(r, 1, r.n or #r))
    local rc = stmt:step()
    if rc ~= done then
      stmt:finalize()
      error(("count: SQLite error %d: %s"):format(rc, db:errmsg()), 3)
    end
    stmt:reset()
  end
end

-- Runs fn inside one transaction: committed when fn returns, rolled back
-- (and the error raised at the caller's caller) when it fails.
local function in_transaction(db, fn)
  exec(db, "BEGIN")
  local okv, err = pcall(fn)
  if not okv then
    db:exec("ROLLBACK")
    error(err, 3)
  end
  exec(db, "COMMIT")
end

local function type_of(counter)
  local mt = getmetatable(counter)
  return type(mt) == "table" and rawget(mt, "__name") or nil
end

-- f:save(db, name): replaces table `name` and the counter's record.
function M.save(counter, db, name)
  ok_name(name)
  local kind = type_of(counter)
  local runcol = run_column(db) -- committed on its own: a failed save must not roll back a run it cached
  in_transaction(db, function()
    exec(db, ("DROP TABLE IF EXISTS %q"):format(name))
    local rows = {}
    if kind == "corpusrun.Cooc" then
      exec(db, ("CREATE TABLE %q (%sa TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b))"):format(name, runcol))
      for a, b, n in counter:items() do rows[#rows + 1] = { a, b, n } end
      local stmt = prepare(db, ("INSERT INTO %q (a, b, n) VALUES (?, ?, ?)"):format(name))
      step_all(db, stmt, rows)
      stmt:finalize()
    else
      exec(db, ("CREATE TABLE %q (%skey TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL)"):format(name, runcol))
      for k, n in counter:items() do rows[#rows + 1] = { k, n } end
      local stmt = prepare(db, ("INSERT INTO %q (key, n) VALUES (?, ?)"):format(name))
      step_all(db, stmt, rows)
      stmt:finalize()
    end
    exec(db, "CREATE TABLE IF NOT EXISTS corpusrun_counters (name TEXT PRIMARY KEY, type TEXT NOT NULL, "
      .. "total INTEGER NOT NULL, dump BLOB NOT NULL)")
    local stmt = prepare(db, "INSERT OR REPLACE INTO corpusrun_counters (name, type, total, dump) VALUES (?, ?, ?, ?)")
    stmt:bind_values(name, kind, counter:total(), "")
    stmt:bind_blob(4, counter:dump())
    local rc = stmt:step()
    stmt:finalize()
    if rc ~= sqlite3.DONE then error(("count: SQLite error %d: %s"):format(rc, db:errmsg()), 0) end
  end)
  return counter
end

-- count.load(db, name) → the counter saved under name, or nil, message.
function M.load(db, name)
  ok_name(name)
  local stmt = db:prepare("SELECT dump FROM corpusrun_counters WHERE name = ?")
  if not stmt then return nil, "count.load: no saved counters in this database" end
  stmt:bind_values(name)
  local blob
  if stmt:step() == sqlite3.ROW then blob = stmt:get_value(0) end
  stmt:finalize()
  if not blob then return nil, ("count.load: no counter saved as %s"):format(name) end
  return core.undump(blob)
end

-- dtm:to_sqlite(db, name)
function M.save_dtm(dtm, db, name)
  ok_name(name)
  local runcol = run_column(db)
  in_transaction(db, function()
    exec(db, ("DROP TABLE IF EXISTS %q"):format(name))
    exec(db, ("CREATE TABLE %q (%sdoc TEXT NOT NULL, term TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (doc, term))"):format(name, runcol))
    local rows = {}
    for doc, term, n in dtm:entries() do rows[#rows + 1] = { doc, term, n } end
    local stmt = prepare(db, ("INSERT INTO %q (doc, term, n) VALUES (?, ?, ?)"):format(name))
    step_all(db, stmt, rows)
    stmt:finalize()
  end)
  return dtm
end

return M
