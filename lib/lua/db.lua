-- db.lua: a friendlier layer over lsqlite3 for scripts.  Errors raise (with
-- the SQLite message and the statement), rows come back as tables, and the
-- bulk paths use one prepared statement inside one transaction.
--
--   local db = require "db"
--   local h = db.open("results.db")
--   h:write_table("freq", rows)
--   for _, r in ipairs(h:query("SELECT * FROM freq WHERE n > ?", 10)) do ... end
local sqlite3 = require "lsqlite3"
local receipt = require "receipt"

local M = {}
local Handle = {}
Handle.__index = Handle
Handle.__name = "corpusrun.DB"
-- registered under its name, as luaL_newmetatable registers the C types, so
-- that help() and completion find its methods (not inside --sandbox, whose
-- modules have no debug library)
if debug then debug.getregistry()["corpusrun.DB"] = Handle end

local function fail(h, what, sql)
  local msg = h.raw:isopen() and h.raw:errmsg() or "database is closed"
  if sql then error(("db: %s: %s (in: %s)"):format(what, msg, sql), 3) end
  error(("db: %s: %s"):format(what, msg), 3)
end

local function check_open(h)
  if not h.raw:isopen() then error("db: attempt to use a closed database", 3) end
end

-- db.open(path [, opts]) -> handle; raises "db.open: path: message".
-- opts: readonly (default false), create (default true), timeout (busy
-- timeout in milliseconds, default 5000), wal (journal_mode=WAL).
function M.open(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'db.open' (path expected)", 2) end
  opts = opts or {}
  local flags
  if opts.readonly then flags = sqlite3.OPEN_READONLY
  else flags = sqlite3.OPEN_READWRITE + (opts.create == false and 0 or sqlite3.OPEN_CREATE) end
  local raw, _, msg = sqlite3.open(path, flags)
  if not raw then error(("db.open: %s: %s"):format(path, msg), 2) end
  local h = setmetatable({ raw = raw, path = path }, Handle)
  raw:busy_timeout(opts.timeout or 5000)
  if opts.wal then h:exec("PRAGMA journal_mode=WAL") end
  return h
end

-- db.wrap(raw) -> a handle over an lsqlite3 database already open.
function M.wrap(raw)
  return setmetatable({ raw = raw, path = raw:db_filename("main") }, Handle)
end

function Handle:__tostring()
  return ("DB %s%s"):format(self.path == "" and ":memory:" or self.path, self.raw:isopen() and "" or " (closed)")
end

function Handle:close()
  if self.raw:isopen() then self.raw:close() end
end
Handle.__close = Handle.close

function Handle:isopen() return self.raw:isopen() end

-- Prepares sql and binds the arguments (a single table binds by name and
-- position, anything else by position).
local function prepare(h, sql, ...)
  check_open(h)
  local stmt = h.raw:prepare(sql)
  if not stmt then fail(h, "prepare", sql) end
  if not stmt:isopen() then return stmt end
  local n = select("#", ...)
  local rc
  if n == 1 and type((...)) == "table" then rc = stmt:bind_names((...))
  elseif n > 0 then
    local okb, err = pcall(stmt.bind_values, stmt, ...)
    if not okb then
      stmt:finalize()
      error(("db: %s (in: %s)"):format(err, sql), 3)
    end
    rc = err
  end
  if rc and rc ~= sqlite3.OK then
    stmt:finalize()
    fail(h, "bind", sql)
  end
  return stmt
end

-- h:exec(sql) runs one or more statements; raises on error.
function Handle:exec(sql)
  check_open(self)
  if self.raw:exec(sql) ~= sqlite3.OK then fail(self, "exec", sql) end
end

-- h:run(sql, ...) runs one statement with bound values; returns the number
-- of rows changed and the last inserted rowid.
function Handle:run(sql, ...)
  local stmt <close> = prepare(self, sql, ...)
  if stmt:isopen() then
    local rc = stmt:step()
    while rc == sqlite3.ROW do rc = stmt:step() end
    if rc ~= sqlite3.DONE then fail(self, "run", sql) end
  end
  return self.raw:changes(), self.raw:last_insert_rowid()
end

-- h:rows(sql, ...) -> iterator of rows as tables keyed by column name; the
-- loop's to-be-closed value finalizes the statement on break.
function Handle:rows(sql, ...)
  local stmt = prepare(self, sql, ...)
  local h = self
  return function(s)
    if not s:isopen() then return nil end
    local rc = s:step()
    if rc == sqlite3.ROW then return s:get_named_values() end
    if rc ~= sqlite3.DONE then
      local msg = h.raw:errmsg()
      s:finalize()
      error(("db: query: %s (in: %s)"):format(msg, sql), 2)
    end
    s:finalize()
    return nil
  end, stmt, nil, stmt
end

-- h:query(sql, ...) -> array of rows (tables keyed by column name).
function Handle:query(sql, ...)
  local out = {}
  for row in self:rows(sql, ...) do out[#out + 1] = row end
  return out
end

-- h:first(sql, ...) -> the first row, or nil.
function Handle:first(sql, ...)
  for row in self:rows(sql, ...) do return row end
  return nil
end

-- h:value(sql, ...) -> the first column of the first row, or nil.
function Handle:value(sql, ...)
  local stmt <close> = prepare(self, sql, ...)
  if not stmt:isopen() then return nil end
  local rc = stmt:step()
  if rc == sqlite3.ROW then return stmt:get_value(0) end
  if rc ~= sqlite3.DONE then fail(self, "query", sql) end
  return nil
end

-- h:transaction(fn, ...) runs fn(h, ...) inside a transaction (a savepoint
-- when one is already open): commits when fn returns, rolls back and
-- re-raises when it raises.  Returns what fn returns.
function Handle:transaction(fn, ...)
  check_open(self)
  local depth = (self.depth or 0) + 1
  local name = "corpusrun_tx" .. depth
  if depth == 1 then self:exec("BEGIN IMMEDIATE") else self:exec("SAVEPOINT " .. name) end
  self.depth = depth
  local res = table.pack(pcall(fn, self, ...))
  self.depth = depth - 1
  if res[1] then
    if depth == 1 then self:exec("COMMIT") else self:exec("RELEASE " .. name) end
    return table.unpack(res, 2, res.n)
  end
  if self.raw:isopen() then
    if depth == 1 then self.raw:exec("ROLLBACK")
    else self.raw:exec("ROLLBACK TO " .. name .. "; RELEASE " .. name) end
  end
  error(res[2], 0)
end

local function quote_ident(name)
  if type(name) ~= "string" or name == "" then error("db: bad identifier " .. tostring(name), 3) end
  return '"' .. name:gsub('"', '""') .. '"'
end
M.quote = quote_ident

-- The columns of a table, in order.
function Handle:columns(tname)
  local cols = {}
  for row in self:rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", tname) do cols[#cols + 1] = row.name end
  return cols
end

-- h:insert_many(table, rows [, columns]) inserts rows (tables keyed by
-- column name, or arrays in column order) with one prepared statement in
-- one transaction.  columns defaults to the table's columns.  Returns the
-- number of rows inserted.
function Handle:insert_many(tname, rows, columns)
  if type(rows) ~= "table" then error("bad argument #2 to 'insert_many' (table of rows expected)", 2) end
  columns = columns or self:columns(tname)
  if #columns == 0 then error(("db: insert_many: no table %s"):format(tname), 2) end
  local qcols, marks = {}, {}
  for i, c in ipairs(columns) do qcols[i] = quote_ident(c); marks[i] = "?" end
  local sql = ("INSERT INTO %s (%s) VALUES (%s)"):format(quote_ident(tname), table.concat(qcols, ", "),
    table.concat(marks, ", "))
  local ncol = #columns
  return self:transaction(function()
    local stmt <close> = prepare(self, sql)
    local vals = {}
    for r, row in ipairs(rows) do
      if type(row) ~= "table" then error(("db: insert_many: row %d is a %s, not a table"):format(r, type(row)), 0) end
      local positional = row[1] ~= nil
      for i = 1, ncol do
        local v
        if positional then v = row[i] else v = row[columns[i]] end
        if v ~= nil and type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" then
          error(("db: insert_many: row %d, column %s: cannot store a %s"):format(r, columns[i], type(v)), 0)
        end
        vals[i] = v
      end
      stmt:bind_values(table.unpack(vals, 1, ncol))
      if stmt:step() ~= sqlite3.DONE then
        error(("db: insert_many: row %d: %s"):format(r, self.raw:errmsg()), 0)
      end
      stmt:reset()
    end
    return #rows
  end)
end

-- Column names and SQL types from the rows: keys in order of first
-- appearance (string keys sorted within each row, so runs repeat), types
-- INTEGER when every value is an integer, REAL when numbers, else TEXT.
local function infer_schema(rows)
  local names, seen, kinds = {}, {}, {}
  for _, row in ipairs(rows) do
    local keys = {}
    for k in pairs(row) do
      if type(k) ~= "string" then error("db: write_table: rows must be keyed by column name (give a schema for arrays)", 0) end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      if not seen[k] then seen[k] = true; names[#names + 1] = k end
      local v = row[k]
      local kind = math.type(v) == "integer" and "INTEGER" or type(v) == "number" and "REAL" or "TEXT"
      local prev = kinds[k]
      if not prev then kinds[k] = kind
      elseif prev ~= kind then
        kinds[k] = ((prev == "INTEGER" or prev == "REAL") and (kind == "INTEGER" or kind == "REAL")) and "REAL" or "TEXT"
      end
    end
  end
  local schema = {}
  for i, n in ipairs(names) do schema[i] = { n, kinds[n] } end
  return schema
end

-- Normalises a schema: "a TEXT, b INTEGER" | { "a", "b" } | { {"a","TEXT"}, ... }
-- | { a = "TEXT", b = "INTEGER" } (sorted by name).
local function schema_list(schema)
  if type(schema) == "string" then return nil, schema end
  local list = {}
  if schema[1] ~= nil then
    for i, c in ipairs(schema) do
      if type(c) == "table" then list[i] = { c[1], c[2] or "" } else list[i] = { c, "" } end
    end
  else
    for k, v in pairs(schema) do list[#list + 1] = { k, v } end
    table.sort(list, function(a, b) return a[1] < b[1] end)
  end
  return list
end

-- h:record_run() records this run's provenance receipt as a row of the
-- `runs` table (lib/lua/receipt.lua), once per database, and returns its id.
function Handle:record_run()
  check_open(self)
  return receipt.record(self.raw)
end

-- Whether write_table records the run: opts.run_id if given, else whether
-- this is a script's run (receipt.active()).
local function wants_run(opts)
  if opts and opts.run_id ~= nil then return opts.run_id end
  return receipt.active()
end

-- h:write_table(name, rows [, schema [, opts]]) replaces table `name` with
-- rows, in one transaction.  Without a schema the columns and types come
-- from the rows.  In a script's run (and whenever opts.run_id = true) the
-- table gets a first column run_id referencing this run's row of `runs`
-- (h:record_run()); opts.run_id = false leaves it out.  Returns the number
-- of rows.
function Handle:write_table(tname, rows, schema, opts)
  if type(rows) ~= "table" then error("bad argument #2 to 'write_table' (table of rows expected)", 2) end
  local run_id = wants_run(opts) and self:record_run()
  local list, text = schema_list(schema or infer_schema(rows))
  local defs, columns = {}, nil
  if list then
    columns = {}
    for i, c in ipairs(list) do
      columns[i] = c[1]
      defs[i] = quote_ident(c[1]) .. (c[2] ~= "" and " " .. c[2] or "")
    end
    text = table.concat(defs, ", ")
  end
  if text == "" then error("db: write_table: no columns (empty rows and no schema)", 2) end
  if run_id then   -- rows need not name it: the column's default is this run
    text = ("run_id INTEGER NOT NULL DEFAULT %d REFERENCES runs(id), "):format(run_id) .. text
  end
  return self:transaction(function()
    self:exec(("DROP TABLE IF EXISTS %s"):format(quote_ident(tname)))
    self:exec(("CREATE TABLE %s (%s)"):format(quote_ident(tname), text))
    if #rows == 0 then return 0 end
    if run_id and not columns then
      columns = {}
      for _, c in ipairs(self:columns(tname)) do if c ~= "run_id" then columns[#columns + 1] = c end end
    end
    return self:insert_many(tname, rows, columns)
  end)
end

return M
