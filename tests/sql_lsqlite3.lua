-- The lsqlite3 module: LuaSQLite3 0.9.x behaviour, including its odd
-- conventions, plus corpusrun's safety guarantees (to-be-closed iterators,
-- safe use after close, Lua errors as SQL errors).
local t = require "tap"
local sqlite3 = require "lsqlite3"

local tmpfiles = {}
local function tmpname()
  local name = os.tmpname()
  tmpfiles[#tmpfiles + 1] = name
  return name
end
local function cleanup()
  for _, f in ipairs(tmpfiles) do
    os.remove(f); os.remove(f .. "-wal"); os.remove(f .. "-shm"); os.remove(f .. "-journal")
  end
end

local function fresh()
  local db = assert(sqlite3.open_memory())
  assert(db:exec("CREATE TABLE test (id, name)") == sqlite3.OK)
  assert(db:exec("INSERT INTO test VALUES (1, 'Hello World')") == sqlite3.OK)
  assert(db:exec("INSERT INTO test VALUES (2, 'Hello Lua')") == sqlite3.OK)
  assert(db:exec("INSERT INTO test VALUES (3, 'Hello sqlite3')") == sqlite3.OK)
  return db
end

local function content(db)
  local out = {}
  for id, name in db:urows("SELECT id, name FROM test ORDER BY id") do out[#out + 1] = name end
  return out
end

-- Module -------------------------------------------------------------------
t.like(sqlite3.version(), "^3%.%d+%.%d+", "version is SQLite's")
t.like(sqlite3.lversion(), "^0%.9%.%d+$", "lversion is 0.9.x")
t.is(sqlite3.complete("SELECT 1;"), true, "complete: whole statement")
t.is(sqlite3.complete("SELECT 1"), false, "complete: no semicolon")
do
  local want = { OK = 0, ERROR = 1, INTERNAL = 2, PERM = 3, ABORT = 4, BUSY = 5, LOCKED = 6,
    NOMEM = 7, READONLY = 8, INTERRUPT = 9, IOERR = 10, CORRUPT = 11, NOTFOUND = 12, FULL = 13,
    CANTOPEN = 14, PROTOCOL = 15, EMPTY = 16, SCHEMA = 17, TOOBIG = 18, CONSTRAINT = 19,
    MISMATCH = 20, MISUSE = 21, NOLFS = 22, FORMAT = 24, RANGE = 25, NOTADB = 26, ROW = 100,
    DONE = 101, INTEGER = 1, FLOAT = 2, TEXT = 3, BLOB = 4, NULL = 5,
    CREATE_INDEX = 1, CREATE_TABLE = 2, CREATE_TEMP_INDEX = 3, CREATE_TEMP_TABLE = 4,
    CREATE_TEMP_TRIGGER = 5, CREATE_TEMP_VIEW = 6, CREATE_TRIGGER = 7, CREATE_VIEW = 8,
    DELETE = 9, DROP_INDEX = 10, DROP_TABLE = 11, DROP_TEMP_INDEX = 12, DROP_TEMP_TABLE = 13,
    DROP_TEMP_TRIGGER = 14, DROP_TEMP_VIEW = 15, DROP_TRIGGER = 16, DROP_VIEW = 17,
    INSERT = 18, PRAGMA = 19, READ = 20, SELECT = 21, TRANSACTION = 22, UPDATE = 23,
    ATTACH = 24, DETACH = 25, ALTER_TABLE = 26, REINDEX = 27, ANALYZE = 28,
    CREATE_VTABLE = 29, DROP_VTABLE = 30, FUNCTION = 31, SAVEPOINT = 32,
    OPEN_READONLY = 1, OPEN_READWRITE = 2, OPEN_CREATE = 4, OPEN_URI = 0x40,
    OPEN_MEMORY = 0x80, OPEN_NOMUTEX = 0x8000, OPEN_FULLMUTEX = 0x10000,
    OPEN_SHAREDCACHE = 0x20000, OPEN_PRIVATECACHE = 0x40000 }
  local bad = {}
  for k, v in pairs(want) do if sqlite3[k] ~= v then bad[#bad + 1] = k end end
  table.sort(bad)
  t.is(table.concat(bad, ","), "", "every result, type, action and open-flag constant")
end
t.raises(function() sqlite3.something = 1 end, "readonly table", "module table is read-only")
t.raises(function() sqlite3.open_ptr() end, "not supported", "open_ptr: not supported")

-- open ---------------------------------------------------------------------
do
  local db = sqlite3.open_memory()
  t.is(type(db), "userdata", "open_memory returns a database")
  t.like(tostring(db), "^sqlite database %(0x", "tostring of an open database")
  t.is(db:isopen(), true, "isopen")
  t.is(db:close(), sqlite3.OK, "close returns OK")
  t.is(db:isopen(), false, "isopen after close")
  t.is(tostring(db), "sqlite database (closed)", "tostring of a closed database")
  t.raises(function() db:close() end, "closed sqlite database", "second close raises")
  t.raises(function() db:exec("SELECT 1") end, "closed sqlite database", "use after close raises")

  local name = tmpname()
  local fdb = assert(sqlite3.open(name))
  t.is(fdb:db_filename("main"), name, "db_filename of a file database")
  t.is(fdb:db_filename("frob"), nil, "db_filename of an unknown schema is nil")
  t.is(sqlite3.open_memory():db_filename("main"), "", "db_filename of a memory database is empty")
  fdb:close()

  local a, code, msg = sqlite3.open("/nonexistent-dir/x.db")
  t.ok(a == nil and code == sqlite3.CANTOPEN and type(msg) == "string",
    "open failure returns nil, code, message", tostring(a), tostring(code), tostring(msg))
  local r, rcode = sqlite3.open(tmpname() .. "-missing", sqlite3.OPEN_READONLY)
  t.ok(r == nil and rcode == sqlite3.CANTOPEN, "open with OPEN_READONLY does not create")
  local rw = sqlite3.open(tmpname(), sqlite3.OPEN_READWRITE + sqlite3.OPEN_CREATE)
  t.is(type(rw), "userdata", "open with explicit flags")
  rw:close()
  local ro = assert(sqlite3.open(name, sqlite3.OPEN_READONLY))
  t.is(ro:exec("CREATE TABLE x(a)"), sqlite3.READONLY, "a read-only database refuses writes")
  ro:close()
end

-- the methods every script expects ------------------------------------------
do
  local db = fresh()
  local names = { "close", "exec", "execute", "rows", "nrows", "urows", "prepare", "interrupt",
    "last_insert_rowid", "changes", "total_changes", "isopen", "errcode", "error_code", "errmsg",
    "error_message", "busy_timeout", "busy_handler", "progress_handler", "create_function",
    "create_aggregate", "create_collation", "db_filename", "close_vm", "trace", "update_hook",
    "commit_hook", "rollback_hook", "load_extension", "get_ptr" }
  local missing = {}
  for _, n in ipairs(names) do if type(db[n]) ~= "function" then missing[#missing + 1] = n end end
  t.is(table.concat(missing, ","), "", "database methods present")
  local stmt = db:prepare("SELECT * FROM test")
  local snames = { "isopen", "step", "reset", "finalize", "columns", "bind", "bind_values",
    "bind_names", "bind_blob", "bind_parameter_count", "bind_parameter_name", "get_value",
    "get_values", "get_name", "get_names", "get_type", "get_types", "get_uvalues", "get_unames",
    "get_utypes", "get_named_values", "get_named_types", "idata", "inames", "itypes", "data",
    "type", "rows", "nrows", "urows", "last_insert_rowid" }
  missing = {}
  for _, n in ipairs(snames) do if type(stmt[n]) ~= "function" then missing[#missing + 1] = n end end
  t.is(table.concat(missing, ","), "", "statement methods present (with the compatibility aliases)")
  t.raises(function() db:load_extension("x") end, "not supported", "load_extension: not supported")
  t.raises(function() db:get_ptr() end, "not supported", "get_ptr: not supported")
  stmt:finalize()
  db:close()
end

-- exec ------------------------------------------------------------------------
do
  local db = fresh()
  t.is(db:exec("CREATE TABLE numbers(num1,num2,str)"), sqlite3.OK, "exec returns OK")
  t.is(db:exec("SELECT * FROM nosuch"), sqlite3.ERROR, "exec returns the error code")
  t.like(db:errmsg(), "no such table: nosuch", "errmsg after a failed exec")
  t.is(db:errcode(), sqlite3.ERROR, "errcode after a failed exec")
  t.is(db:error_message(), db:errmsg(), "error_message is errmsg")
  t.is(db:error_code(), db:errcode(), "error_code is errcode")
  local seen = {}
  local rc = db:exec("SELECT id, name FROM test ORDER BY id; SELECT 42 AS answer", function(ud, n, values, names)
    seen[#seen + 1] = table.concat({ ud, n, values[1], values[2] or "-", names[1] }, "|")
    return 0
  end, "U")
  t.is(rc, sqlite3.OK, "exec with a callback returning 0")
  t.is_deeply(seen, { "U|2|1|Hello World|id", "U|2|2|Hello Lua|id", "U|2|3|Hello sqlite3|id", "U|1|42|-|answer" },
    "callback gets udata, column count, values (as strings) and names")
  local calls = 0
  t.is(db:exec("SELECT * FROM test", function() calls = calls + 1 end), sqlite3.ABORT,
    "a callback returning nothing aborts (as in lsqlite3)")
  t.is(calls, 1, "aborted after the first row")
  t.is(db:exec("SELECT * FROM test", function() error("oops") end), sqlite3.ABORT,
    "a callback raising aborts")
  t.is(db:exec("SELECT NULL", function(_, _, v) calls = v[1] == nil and "nil" or "?"; return 0 end), sqlite3.OK,
    "exec with NULL values")
  t.is(calls, "nil", "NULL comes as nil")
  t.is(db:exec("   "), sqlite3.OK, "exec of whitespace")
  db:close()
end

-- changes, rowids ----------------------------------------------------------------
do
  local db = fresh()
  t.is(db:last_insert_rowid(), 3, "last_insert_rowid")
  db:exec("UPDATE test SET name = 'x' WHERE id < 3")
  t.is(db:changes(), 2, "changes")
  t.is(db:total_changes(), 5, "total_changes")
  db:close()
end

-- iterators ------------------------------------------------------------------------
do
  local db = fresh()
  local expected = { "Hello World", "Hello Lua", "Hello sqlite3" }
  local ok = true
  local n = 0
  for row in db:rows("SELECT * FROM test ORDER BY id") do
    n = n + 1; ok = ok and #row == 2 and expected[row[1]] == row[2]
  end
  t.ok(ok and n == 3, "db:rows gives arrays")
  ok, n = true, 0
  for row in db:nrows("SELECT * FROM test ORDER BY id") do
    n = n + 1; ok = ok and expected[row.id] == row.name
  end
  t.ok(ok and n == 3, "db:nrows gives named rows")
  ok, n = true, 0
  for id, name in db:urows("SELECT * FROM test ORDER BY id") do
    n = n + 1; ok = ok and expected[id] == name
  end
  t.ok(ok and n == 3, "db:urows gives values")

  local got = {}
  for id in db:urows("SELECT id FROM test WHERE id >= ? ORDER BY id", 2) do got[#got + 1] = id end
  t.is_deeply(got, { 2, 3 }, "urows binds extra arguments")
  got = {}
  for row in db:rows("SELECT id FROM test WHERE id >= ? ORDER BY id", { 2 }) do got[#got + 1] = row[1] end
  t.is_deeply(got, { 2, 3 }, "rows binds an array")
  got = {}
  for row in db:nrows("SELECT id FROM test WHERE id >= :low ORDER BY id", { low = 2 }) do got[#got + 1] = row.id end
  t.is_deeply(got, { 2, 3 }, "nrows binds named parameters from a table")
  t.raises(function() for _ in db:urows("SELECT ?, ?", 1) do end end, "incorrect number of parameters",
    "wrong number of bound values raises")

  t.raises(function() for _ in db:rows("SELECT * FROM nosuch") do end end, "no such table",
    "an iterator over bad SQL raises the SQLite message")
  db:create_function("fail_on", 2, function(ctx, a, b)
    if a == b then error("reached " .. a, 0) end
    ctx:result(a)
  end)
  t.raises(function() for _ in db:urows("SELECT fail_on(id, 2) FROM test ORDER BY id") do end end,
    "reached 2", "a runtime error inside the loop raises")

  -- a NULL first column ends a urows loop (lsqlite3 behaviour)
  n = 0
  for _ in db:urows("SELECT NULL, 1") do n = n + 1 end
  t.is(n, 0, "urows: a NULL first column ends the loop, as in lsqlite3")

  -- break leaves nothing running: DROP TABLE fails while a read is active
  for _ in db:rows("SELECT * FROM test") do break end
  t.is(db:exec("CREATE TABLE t2(a); INSERT INTO t2 VALUES(1)"), sqlite3.OK, "setup")
  for _ in db:nrows("SELECT * FROM t2") do break end
  t.is(db:exec("DROP TABLE t2"), sqlite3.OK, "db:nrows left with break does not keep the table busy")
  local stmt = db:prepare("SELECT * FROM test ORDER BY id")
  for row in stmt:nrows() do if row.id == 2 then break end end
  t.is(db:exec("CREATE TABLE t3(a); DROP TABLE t3"), sqlite3.OK, "stmt:nrows left with break resets")
  t.is(stmt:step(), sqlite3.ROW, "the statement starts again after a break")
  t.is(stmt:get_value(0), 1, "from the first row")
  stmt:reset()
  local s2 = db:prepare("SELECT * FROM test")
  for _ in db:rows("SELECT 1") do
    local okc = pcall(function() for _ in s2:rows() do error("inside") end end)
    t.is(okc, false, "error inside stmt:rows propagates")
    break
  end
  t.is(db:exec("DROP TABLE test"), sqlite3.OK, "no statement left running after errors and breaks")
  s2:finalize()
  stmt:finalize()
  db:close()
end

-- prepared statements -----------------------------------------------------------------
do
  local db = fresh()
  local stmt, tail = db:prepare("SELECT * FROM test ORDER BY id; SELECT 2")
  t.is(type(stmt), "userdata", "prepare returns a statement")
  t.is(tail, " SELECT 2", "and the tail")
  t.like(tostring(stmt), "^sqlite virtual machine %(0x", "tostring of a statement")
  t.is(stmt:columns(), 2, "columns")
  t.raises(function() stmt:get_value(0) end, "misuse of function", "get_value before step raises")
  t.is(stmt:step(), sqlite3.ROW, "step returns ROW")
  t.is(stmt:get_value(0), 1, "get_value(0)")
  t.is(stmt:get_value(1), "Hello World", "get_value(1)")
  t.raises(function() stmt:get_value(2) end, "index out of range %[0%.%.1%]", "get_value out of range raises")
  t.is_deeply(stmt:get_values(), { 1, "Hello World" }, "get_values")
  t.is_deeply(stmt:idata(), { 1, "Hello World" }, "idata")
  t.is_deeply(stmt:get_named_values(), { id = 1, name = "Hello World" }, "get_named_values")
  t.is_deeply(stmt:data(), { id = 1, name = "Hello World" }, "data")
  t.is_deeply({ stmt:get_uvalues() }, { 1, "Hello World" }, "get_uvalues")
  t.is(stmt:get_name(1), "name", "get_name")
  t.is_deeply(stmt:get_names(), { "id", "name" }, "get_names")
  t.is_deeply({ stmt:get_unames() }, { "id", "name" }, "get_unames")
  t.is(stmt:step(), sqlite3.ROW, "second row")
  t.is(stmt:step(), sqlite3.ROW, "third row")
  t.is(stmt:step(), sqlite3.DONE, "step returns DONE at the end")
  t.raises(function() stmt:get_value(0) end, "misuse of function", "get_value after DONE raises")
  t.is(stmt:reset(), sqlite3.OK, "reset returns OK")
  local rows = {}
  for row in stmt:rows() do rows[#rows + 1] = row[2] end
  t.is_deeply(rows, { "Hello World", "Hello Lua", "Hello sqlite3" }, "stmt:rows")
  rows = {}
  for id, name in stmt:urows() do rows[#rows + 1] = id .. name end
  t.is_deeply(rows, { "1Hello World", "2Hello Lua", "3Hello sqlite3" }, "stmt:urows runs again after the end")
  t.is(stmt:isopen(), true, "isopen")
  t.is(stmt:finalize(), sqlite3.OK, "finalize returns OK")
  t.is(stmt:isopen(), false, "isopen after finalize")
  t.is(tostring(stmt), "sqlite virtual machine (closed)", "tostring after finalize")
  t.raises(function() stmt:step() end, "closed sqlite virtual machine", "step after finalize raises")
  t.raises(function() stmt:finalize() end, "closed sqlite virtual machine", "second finalize raises")

  local bad, code = db:prepare("SELEKT 1")
  t.ok(bad == nil and code == sqlite3.ERROR, "prepare error returns nil, code")
  local empty = db:prepare("  -- nothing\n")
  t.is(empty:isopen(), false, "prepare of no statement gives a closed statement (as lsqlite3)")

  local ct = db:prepare("CREATE TABLE typed (id INTEGER, name TEXT)")
  t.is(ct:step(), sqlite3.DONE, "create via a statement")
  ct:finalize()
  local ti = db:prepare("SELECT * FROM typed")
  t.is_deeply(ti:get_types(), { "INTEGER", "TEXT" }, "get_types gives declared types")
  t.is_deeply(ti:itypes(), { "INTEGER", "TEXT" }, "itypes")
  t.is(ti:get_type(0), "INTEGER", "get_type")
  t.is_deeply({ ti:get_utypes() }, { "INTEGER", "TEXT" }, "get_utypes")
  t.is_deeply(ti:get_named_types(), { id = "INTEGER", name = "TEXT" }, "get_named_types")
  t.is_deeply(ti:type(), { id = "INTEGER", name = "TEXT" }, "type")
  ti:finalize()

  local upd = db:prepare("UPDATE test SET name = 1")
  t.is(upd:columns(), 0, "columns of an UPDATE is 0")
  upd:finalize()

  -- step errors, reset code
  db:exec("CREATE TABLE uniq(a UNIQUE)")
  local ins = db:prepare("INSERT INTO uniq VALUES(1)")
  t.is(ins:step(), sqlite3.DONE, "insert")
  ins:reset()
  t.is(ins:step(), sqlite3.CONSTRAINT, "step returns the specific error code")
  t.is(ins:reset(), sqlite3.CONSTRAINT, "reset returns the error code")
  t.is(ins:finalize(), sqlite3.OK, "finalize after reset")
  db:close()
end

-- binding ----------------------------------------------------------------------------
do
  local db = fresh()
  local stmt = db:prepare("INSERT INTO test VALUES (?, ?)")
  t.is(stmt:bind_values(4, "Good morning"), sqlite3.OK, "bind_values")
  t.raises(function() stmt:bind_values("To few") end, "incorrect number of parameters to bind %(1 given, 2 to bind%)",
    "bind_values with too few values raises")
  t.raises(function() stmt:bind_values(0, "Test", "To many") end, "incorrect number", "too many raises")
  t.is(stmt:step(), sqlite3.DONE, "step")
  t.is(stmt:reset(), sqlite3.OK, "reset")
  t.is(stmt:last_insert_rowid(), 4, "stmt:last_insert_rowid")
  t.is(stmt:bind(1, 5), sqlite3.OK, "bind number")
  t.is(stmt:bind(2, "Foo Bar"), sqlite3.OK, "bind string")
  t.raises(function() stmt:bind(3, 1) end, "bind index out of range %[1%.%.2%]", "bind out of range raises")
  t.raises(function() stmt:bind(1, {}) end, "invalid data type for bind %(table%)", "bind of a table raises")
  stmt:step(); stmt:reset()
  t.is_deeply(content(db), { "Hello World", "Hello Lua", "Hello sqlite3", "Good morning", "Foo Bar" },
    "rows inserted through bindings")
  stmt:finalize()

  local named = db:prepare("INSERT INTO test VALUES (:id, $name)")
  t.is(named:bind_names({ name = "Hello girls", id = 6 }), sqlite3.OK, "bind_names by name")
  named:step(); named:reset()
  t.is(named:bind_values(7, "Hello boys"), sqlite3.OK, "bind_values on named parameters")
  named:step(); named:finalize()
  t.is(#content(db), 7, "both inserted")

  local p = db:prepare("SELECT :a, $b, :a2, :b2, $a, :b, $a3, $b3")
  t.is(p:bind_parameter_count(), 8, "bind_parameter_count")
  t.is(p:bind_parameter_name(1), ":a", "bind_parameter_name keeps the prefix")
  t.is(p:bind_parameter_name(5), "$a", "distinct prefixes are distinct parameters")
  p:finalize()
  p = db:prepare("SELECT $a, $b, $a")
  t.is(p:bind_parameter_count(), 2, "a repeated name counts once")
  p:finalize()
  p = db:prepare("SELECT ?, ?")
  t.is(p:bind_parameter_name(1), nil, "nameless parameter has no name")
  t.is(p:bind_names({ 10, 20 }), sqlite3.OK, "bind_names by position for nameless parameters")
  p:step()
  t.is_deeply({ p:get_uvalues() }, { 10, 20 }, "positional bind_names values")
  p:reset()
  p:bind_values(true, false)
  p:step()
  t.is_deeply({ p:get_uvalues() }, { 1, 0 }, "booleans bind as 1 and 0")
  p:reset()
  p:bind_values(nil, 2.5)
  p:step()
  local a, b = p:get_uvalues()
  t.ok(a == nil and b == 2.5 and math.type(b) == "float", "nil binds NULL, floats stay floats")
  p:reset()
  p:bind_values(0x12345678abcdef09, "x")
  p:step()
  t.is(p:get_value(0), 0x12345678abcdef09, "64-bit integers round-trip")
  t.is(math.type(p:get_value(0)), "integer", "as integers")
  p:finalize()
  local bl = db:prepare("SELECT ?, typeof(?1)")
  t.is(bl:bind_blob(1, "a\0b"), sqlite3.OK, "bind_blob")
  bl:step()
  t.is(bl:get_value(0), "a\0b", "blob with NUL round-trips")
  t.is(bl:get_value(1), "blob", "bound as a blob")
  bl:finalize()
  db:close()
end

-- NULs in blobs and text, floats ---------------------------------------------------------
do
  local db = sqlite3.open_memory()
  db:exec("CREATE TABLE test (id, name)")
  db:exec("INSERT INTO test VALUES (1, CAST('Hello' || x'00' || 'SQLite' || x'00' AS BLOB))")
  db:exec("INSERT INTO test VALUES (2, CAST('Hello' || x'00' || 'Lua' || x'00' AS TEXT))")
  local v = {}
  for row in db:nrows("SELECT name AS val FROM test ORDER BY id") do v[#v + 1] = row.val end
  t.is_deeply(v, { "Hello\0SQLite\0", "Hello\0Lua\0" }, "blobs and text keep their NULs")
  for row in db:nrows("SELECT 5.1234567890123456 AS f, 42 AS i") do
    t.ok(row.f == 5.1234567890123456 and math.type(row.i) == "integer", "floats and integers")
  end
  db:close()
end

-- large blob -----------------------------------------------------------------------------
do
  local name = tmpname()
  local db = assert(sqlite3.open(name))
  db:exec("CREATE TABLE big (k TEXT PRIMARY KEY, v BLOB)")
  local lb = string.rep("Hello\0SQLite\0", 800000) -- 10.4 MB
  local st = db:prepare("INSERT INTO big VALUES (?, ?)")
  st:bind(1, "k")
  st:bind_blob(2, lb)
  t.is(st:step(), sqlite3.DONE, "10 MB blob inserted")
  st:finalize()
  db:close()
  db = assert(sqlite3.open(name))
  local sel = db:prepare("SELECT v, length(v) FROM big WHERE k = ?")
  sel:bind_values("k")
  t.is(sel:step(), sqlite3.ROW, "found")
  local body = sel:get_value(0)
  t.ok(body == lb, "10 MB blob round-trips through a file byte for byte")
  t.is(sel:get_value(1), #lb, "its length")
  sel:finalize()
  db:close()
end

-- user functions, aggregates, collations ------------------------------------------------------
do
  local db = fresh()
  t.is(db:create_function("sum_cols", 3, function(ctx, a, b, c) ctx:result_number(a + b + c) end), true,
    "create_function returns true")
  for s in db:urows("SELECT sum_cols(1, 2, 4)") do t.is(s, 7, "scalar function result") end
  local seen
  db:create_function("test_nils", 5, function(ctx, a, b, c, d, e) seen = { a, b, c, d, e, n = select("#", a, b, c, d, e) } end)
  db:exec("SELECT test_nils(1, 2, NULL, 4, NULL)")
  t.ok(seen and seen[1] == 1 and seen[2] == 2 and seen[3] == nil and seen[4] == 4 and seen[5] == nil,
    "NULL arguments arrive as nil")
  local results = {
    { "SELECT r_int()", function(ctx) ctx:result_int(42) end, 42 },
    { "SELECT r_text()", function(ctx) ctx:result_text("txt") end, "txt" },
    { "SELECT typeof(r_blob())", function(ctx) ctx:result_blob("b\0") end, "blob" },
    { "SELECT r_null() IS NULL", function(ctx) ctx:result_null() end, 1 },
    { "SELECT r_double()", function(ctx) ctx:result_double(1.5) end, 1.5 },
    { "SELECT r_any()", function(ctx) ctx:result("any") end, "any" },
    { "SELECT r_none() IS NULL", function(ctx) return 99 end, 1 },
  }
  for _, c in ipairs(results) do
    local fname = c[1]:match("(r_%a+)")
    db:create_function(fname, 0, c[2])
    local got
    for v in db:urows(c[1]) do got = v end
    t.is(got, c[3], fname .. (fname == "r_none" and ": return values are ignored, as in lsqlite3" or ""))
  end
  db:create_function("r_bad", 0, function(ctx) ctx:result({}) end)
  t.raises(function() for _ in db:urows("SELECT r_bad()") do end end, "invalid result type table",
    "result of an unsupported type is an SQL error")

  -- errors become SQL errors
  db:create_function("boom", 1, function(ctx, x) error("boom: " .. tostring(x), 0) end)
  t.is(db:exec("SELECT boom(7)"), sqlite3.ERROR, "a Lua error in a function makes exec fail")
  t.is(db:errmsg(), "boom: 7", "with the Lua message")
  t.raises(function() for _ in db:nrows("SELECT boom(8)") do end end, "boom: 8", "iterators raise it")
  local st = db:prepare("SELECT boom(9)")
  t.is(st:step(), sqlite3.ERROR, "step returns ERROR")
  t.is(db:errmsg(), "boom: 9", "errmsg has the message")
  st:finalize()
  db:create_function("err_obj", 0, function() error({}) end)
  t.is(db:exec("SELECT err_obj()"), sqlite3.ERROR, "a non-string error object is an SQL error too")
  db:create_function("r_err", 0, function(ctx) ctx:result_error("custom failure") end)
  t.is(db:exec("SELECT r_err()"), sqlite3.ERROR, "result_error fails the statement")
  t.is(db:errmsg(), "custom failure", "with its message")

  -- user data, context validity
  local kept
  db:create_function("ud", 0, function(ctx) kept = ctx; ctx:result(ctx:user_data().tag) end, { tag = "U" })
  for v in db:urows("SELECT ud()") do t.is(v, "U", "user_data") end
  t.like(tostring(kept), "closed", "a context outside its call is closed")
  t.raises(function() kept:result(1) end, "invalid sqlite context", "using a kept context raises")
  db:create_function("agg_in_scalar", 0, function(ctx) ctx:aggregate_count() end)
  t.is(db:exec("SELECT agg_in_scalar()"), sqlite3.ERROR, "aggregate methods raise in a scalar function")
  t.like(db:errmsg(), "aggregate method from scalar function", "with lsqlite3's message")

  -- re-entrancy: a function running SQL that calls a function
  db:create_function("f_inner", 1, function(ctx, x) ctx:result(x * 2) end)
  db:create_function("f_outer", 1, function(ctx, x)
    local r
    for v in db:urows("SELECT f_inner(?)", x) do r = v end
    ctx:result(r + 1)
  end)
  for v in db:urows("SELECT f_outer(20)") do t.is(v, 41, "a function may run queries calling functions") end

  -- aggregates
  db:exec("CREATE TABLE numbers(num1, num2); INSERT INTO numbers VALUES(1,11); INSERT INTO numbers VALUES(2,22); INSERT INTO numbers VALUES(3,33)")
  local counts = {}
  t.is(db:create_aggregate("my_sum", 1,
    function(ctx, n) ctx:set_aggregate_data((ctx:get_aggregate_data() or 0) + n) end,
    function(ctx) counts[#counts + 1] = ctx:aggregate_count(); ctx:result_number(ctx:get_aggregate_data() or 0) end,
    "agg-ud"), true, "create_aggregate returns true")
  for s in db:urows("SELECT my_sum(num1) FROM numbers") do t.is(s, 6, "aggregate over a column") end
  for s in db:urows("SELECT my_sum(num2) FROM numbers") do t.is(s, 66, "aggregate state is per query") end
  local g = {}
  for k, s in db:urows("SELECT num1 % 2, my_sum(num2) FROM numbers GROUP BY 1 ORDER BY 1") do g[#g + 1] = k .. ":" .. string.format("%g", s) end
  t.is_deeply(g, { "0:22", "1:44" }, "aggregate state is per group")
  for s in db:urows("SELECT my_sum(num1) FROM numbers WHERE 0") do t.is(s, 0, "aggregate over no rows calls final") end
  t.is_deeply(counts, { 3, 3, 1, 2, 0 }, "aggregate_count counts step calls")
  db:create_aggregate("agg_err", 1, function() error("step failed", 0) end, function(ctx) ctx:result(1) end)
  t.is(db:exec("SELECT agg_err(num1) FROM numbers"), sqlite3.ERROR, "an aggregate step error is an SQL error")
  t.is(db:errmsg(), "step failed", "with its message")
  db:create_aggregate("agg_ud", 0, function() end, function(ctx) ctx:result(ctx:user_data()) end, "the-ud")
  for v in db:urows("SELECT agg_ud() FROM numbers") do t.is(v, "the-ud", "aggregate user_data") end
  t.is(db:create_function("bad args", 200, function() end), false, "create_function with bad arity returns false")
  t.raises(function() db:create_function("f", 1, "not a function") end, "function expected", "non-function raises")

  -- collation
  t.is(db:create_collation("CINSENS", function(a, b)
    a, b = a:lower(), b:lower()
    if a == b then return 0 elseif a < b then return -1 else return 1 end
  end), nil, "create_collation returns nothing")
  db:exec([[CREATE TABLE coll(id INTEGER PRIMARY KEY, content COLLATE CINSENS);
    INSERT INTO coll VALUES(NULL,'hello world'); INSERT INTO coll VALUES(NULL,'Buenos dias');
    INSERT INTO coll VALUES(NULL,'HELLO WORLD'); INSERT INTO coll VALUES(NULL,'HeLlO WoRlD')]])
  local n = 0
  for _ in db:nrows("SELECT * FROM coll WHERE content = 'hElLo wOrLd'") do n = n + 1 end
  t.is(n, 3, "collation used for comparisons")
  db:create_collation("CINSENS", nil)
  t.is(db:exec("SELECT * FROM coll WHERE content = 'x'"), sqlite3.ERROR, "a removed collation is gone")
  db:close()
end

-- hooks ---------------------------------------------------------------------------------------
do
  local db = sqlite3.open_memory()
  local counts = { [sqlite3.INSERT] = 0, [sqlite3.UPDATE] = 0, [sqlite3.DELETE] = 0 }
  local last
  t.is(db:update_hook(function(ud, op, dbname, tname, rowid)
    ud[op] = ud[op] + 1; last = table.concat({ dbname, tname, rowid }, "|")
  end, counts), nil, "update_hook returns nothing")
  db:exec("CREATE TABLE T1 (id INTEGER PRIMARY KEY, content); CREATE TABLE T2 (id INTEGER PRIMARY KEY, content)")
  db:exec("INSERT INTO T1 VALUES (NULL, 'a'); INSERT INTO T1 VALUES (NULL, 'b'); INSERT INTO T1 VALUES (NULL, 'c')")
  db:exec("UPDATE T1 SET content = 'x' WHERE id = 1; DELETE FROM T1 WHERE id = 2")
  db:exec("INSERT INTO T2 SELECT * FROM T1")
  t.is_deeply({ counts[sqlite3.INSERT], counts[sqlite3.UPDATE], counts[sqlite3.DELETE] }, { 5, 1, 1 },
    "update_hook counts inserts, updates, deletes")
  t.is(last, "main|T2|3", "update_hook gets database, table and rowid")
  db:update_hook(nil)
  db:exec("INSERT INTO T1 VALUES (NULL, 'z')")
  t.is(counts[sqlite3.INSERT], 5, "update_hook removed with nil")

  local cr = { 0, 0 }
  local veto = false
  db:commit_hook(function(ud) ud[1] = ud[1] + 1; return veto end, cr)
  db:rollback_hook(function(ud) ud[2] = ud[2] + 1 end, cr)
  db:exec("BEGIN; INSERT INTO T1 VALUES (NULL, 'q'); COMMIT")
  t.is_deeply(cr, { 1, 0 }, "commit_hook on commit")
  db:exec("BEGIN; INSERT INTO T1 VALUES (NULL, 'q'); ROLLBACK")
  t.is_deeply(cr, { 1, 1 }, "rollback_hook on rollback")
  veto = true
  db:exec("BEGIN")
  db:exec("INSERT INTO T1 VALUES (NULL, 'r')")
  t.is(db:exec("COMMIT"), sqlite3.CONSTRAINT, "a commit_hook returning true turns the commit into a rollback")
  t.is_deeply(cr, { 2, 2 }, "both hooks ran")
  veto = false
  db:exec("SAVEPOINT s1; INSERT INTO T1 VALUES (NULL, 's'); SAVEPOINT s2; INSERT INTO T1 VALUES (NULL, 't'); ROLLBACK TO s2; RELEASE s1")
  t.is_deeply(cr, { 3, 2 }, "nested savepoints: one commit")
  db:commit_hook(function() error("ignored") end)
  t.is(db:exec("INSERT INTO T1 VALUES (NULL, 'u')"), sqlite3.OK, "an error in a commit hook is ignored")

  local traced = {}
  db:trace(function(ud, sql) traced[#traced + 1] = ud .. ":" .. sql end, "T")
  local st = db:prepare("SELECT ?")
  st:bind_values(5)
  st:step()
  st:finalize()
  db:trace(nil)
  db:exec("SELECT 2")
  t.is_deeply(traced, { "T:SELECT 5" }, "trace gets the statement with bound values")
  db:close()
end

-- progress handler and interrupt -------------------------------------------------------------
do
  local db = sqlite3.open_memory()
  local long = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
  local calls = 0
  db:progress_handler(1000, function(ud) calls = calls + 1; return calls >= ud end, 5)
  t.is(db:exec(long), sqlite3.INTERRUPT, "a progress handler returning true interrupts")
  t.is(calls, 5, "after the number of calls it chose")
  calls = 0
  db:progress_handler(1000, function() calls = calls + 1; if calls == 3 then db:interrupt() end return false end)
  t.is(db:exec(long), sqlite3.INTERRUPT, "db:interrupt stops a running query")
  calls = 0
  t.raises(function() for _ in db:urows(long) do end end, "interrupt", "an interrupted iterator raises")
  db:progress_handler(1000, function() error("bad") end)
  t.is(db:exec(long), sqlite3.INTERRUPT, "an error in the progress handler interrupts")
  db:progress_handler()
  t.is(db:exec("SELECT 1"), sqlite3.OK, "progress handler removed")
  db:interrupt()
  t.is(db:exec("SELECT 1"), sqlite3.OK, "an interrupt with nothing running does not linger")
  db:close()
end

-- busy handling ---------------------------------------------------------------------------------
do
  local name = tmpname()
  local a = assert(sqlite3.open(name))
  local b = assert(sqlite3.open(name))
  a:exec("CREATE TABLE x(v)")
  a:exec("BEGIN EXCLUSIVE")
  local tries = {}
  b:busy_handler(function(ud, n) tries[#tries + 1] = n; return n < ud end, 2)
  t.is(b:exec("INSERT INTO x VALUES(1)"), sqlite3.BUSY, "busy handler giving up returns BUSY")
  t.is_deeply(tries, { 0, 1, 2 }, "busy handler called with the number of tries")
  b:busy_timeout(0)
  tries = {}
  t.is(b:exec("INSERT INTO x VALUES(1)"), sqlite3.BUSY, "busy_timeout replaces the handler")
  t.is(#tries, 0, "the old handler is not called")
  a:exec("COMMIT")
  t.is(b:exec("INSERT INTO x VALUES(1)"), sqlite3.OK, "free again")
  a:close(); b:close()
end

-- closing with live statements, garbage collection ----------------------------------------------
do
  local db = fresh()
  local s1 = db:prepare("SELECT * FROM test")
  local s2 = db:prepare("INSERT INTO test VALUES (?, ?)")
  s1:step()
  local iter, state, ctl, closing = db:rows("SELECT * FROM test")
  iter(state)
  t.is(db:close(), sqlite3.OK, "close with open statements returns OK")
  t.ok(not s1:isopen() and not s2:isopen() and not state:isopen(), "close finalizes its statements")
  t.raises(function() s1:get_value(0) end, "closed sqlite virtual machine", "a statement of a closed database raises")
  t.raises(function() iter(state) end, "closed sqlite virtual machine", "so does an iterator")
  t.lives(function() local _ <close> = closing end, "closing a finished loop is harmless")

  local gdb = fresh()
  local stmt = gdb:prepare("INSERT INTO test VALUES (?, ?)")
  stmt:bind_values(4, "Good morning")
  t.is(stmt:step(), sqlite3.DONE, "insert")
  stmt:reset()
  gdb = nil
  collectgarbage(); collectgarbage()
  t.is(stmt:bind_values(5, "Foo Bar"), sqlite3.OK, "a statement keeps its database alive through GC")
  t.is(stmt:step(), sqlite3.DONE, "and still works")
  t.is(stmt:finalize(), sqlite3.OK, "finalize")
  stmt = nil

  -- statements and databases dropped together, in any order
  for _ = 1, 50 do
    local d = fresh()
    local s = d:prepare("SELECT * FROM test")
    s:step()
    d:create_function("f", 0, function(ctx) ctx:result(1) end)
    d:create_aggregate("g", 1, function() end, function(ctx) ctx:result(0) end)
    local s3 = d:prepare("SELECT g(id) FROM test")
    s3:step()
  end
  collectgarbage(); collectgarbage()
  t.ok(true, "collecting databases with live statements and aggregates does not crash")

  -- to-be-closed
  local kept
  do
    local d <close> = fresh()
    kept = d
    local s <close> = d:prepare("SELECT 1")
    s:step()
  end
  t.is(kept:isopen(), false, "a <close> database is closed at scope exit")
end

-- close_vm ----------------------------------------------------------------------------------------
do
  local db = fresh()
  local s = db:prepare("SELECT 1")
  local iter, tmp = db:urows("SELECT 1")
  db:close_vm(true)
  t.ok(s:isopen() and not tmp:isopen(), "close_vm(true) finalizes only temporary statements")
  db:close_vm()
  t.is(s:isopen(), false, "close_vm() finalizes all")
  db:close()
end

-- online backup ------------------------------------------------------------------------------------
do
  local src = fresh()
  local name = tmpname()
  local dst = assert(sqlite3.open(name))
  t.is(sqlite3.backup_init(src, "main", src, "main"), nil, "backup onto itself returns nil")
  local bu = sqlite3.backup_init(dst, "main", src, "main")
  t.is(type(bu), "userdata", "backup_init")
  bu = nil
  collectgarbage(); collectgarbage()
  bu = assert(sqlite3.backup_init(dst, "main", src, "main"))
  src, dst = nil, nil
  collectgarbage(); collectgarbage()
  t.is(bu:step(-1), sqlite3.DONE, "a backup keeps both databases alive and copies them")
  t.is(bu:remaining(), 0, "remaining")
  t.ok(bu:pagecount() > 0, "pagecount")
  t.is(bu:finish(), sqlite3.OK, "finish")
  t.raises(function() bu:step(1) end, "closed sqlite database backup", "a finished backup raises")
  bu = nil
  collectgarbage(); collectgarbage()
  local db = assert(sqlite3.open(name))
  t.is(#content(db), 3, "the copy has the rows")
  db:close()
end

-- temp_directory ------------------------------------------------------------------------------------
do
  local old = sqlite3.temp_directory()
  t.is(sqlite3.temp_directory("/tmp"), old, "temp_directory returns the previous value")
  t.is(sqlite3.temp_directory(nil), "/tmp", "and can be reset")
  t.is(sqlite3.temp_directory(), nil, "to nothing")
end

cleanup()
t.done()
