-- lib/lua/db.lua: the friendlier layer over lsqlite3.
local t = require "tap"
local db = require "db"

local name = os.tmpname()
local function cleanup() for _, s in ipairs({ "", "-wal", "-shm", "-journal" }) do os.remove(name .. s) end end

t.raises(function() db.open("/nonexistent-dir/x.db") end, "db%.open: /nonexistent%-dir/x%.db: unable to open",
  "db.open raises with the path and the message")
t.raises(function() db.open(name .. ".missing", { create = false }) end, "db%.open: .*unable to open",
  "create = false does not create")

local h = db.open(name, { wal = true })
t.like(tostring(h), "^DB .+", "tostring")
t.is(h:value("PRAGMA journal_mode"), "wal", "wal option")
h:exec("CREATE TABLE people (name TEXT, age INTEGER)")
t.raises(function() h:exec("CREATE TABLE people (x)") end, "db: exec: table people already exists %(in: CREATE TABLE people %(x%)%)",
  "exec raises with the message and the statement")
t.is(h:insert_many("people", { { name = "Ann", age = 31 }, { name = "Bob", age = 27 }, { "Cy", 40 } }), 3,
  "insert_many with named and positional rows")
t.is_deeply(h:query("SELECT name, age FROM people WHERE age > ? ORDER BY age", 28),
  { { name = "Ann", age = 31 }, { name = "Cy", age = 40 } }, "query returns rows as tables")
t.is_deeply(h:query("SELECT name FROM people WHERE name = :n", { n = "Bob" }), { { name = "Bob" } }, "named binding")
t.is(h:value("SELECT count(*) FROM people"), 3, "value")
t.is(h:value("SELECT name FROM people WHERE 0"), nil, "value of no rows is nil")
t.is_deeply(h:first("SELECT name FROM people ORDER BY name"), { name = "Ann" }, "first")
t.raises(function() h:query("SELECT * FROM nosuch") end, "db: prepare: no such table: nosuch", "query error raises")
t.raises(function() h:query("SELECT ?, ?", 1) end, "incorrect number of parameters", "wrong number of values raises")
local changes, rowid = h:run("UPDATE people SET age = age + 1 WHERE age < ?", 35)
t.is(changes, 2, "run returns the number of changes")
local n = 0
for row in h:rows("SELECT * FROM people") do n = n + 1; break end
h:exec("CREATE TABLE tmp(a); DROP TABLE tmp")
t.is(n, 1, "rows left with break leaves nothing busy")

-- transactions
t.raises(function()
  h:transaction(function(x)
    x:run("INSERT INTO people VALUES ('Dee', 50)")
    error("changed my mind", 0)
  end)
end, "^changed my mind$", "transaction re-raises")
t.is(h:value("SELECT count(*) FROM people"), 3, "and rolls back")
local a, b = h:transaction(function(x, v)
  x:run("INSERT INTO people VALUES ('Dee', ?)", v)
  pcall(x.transaction, x, function(y)
    y:run("INSERT INTO people VALUES ('Eve', 1)")
    error("inner")
  end)
  return "done", x:value("SELECT count(*) FROM people")
end, 50)
t.is(a, "done", "transaction returns fn's results")
t.is(b, 4, "a failed nested transaction rolls back only its savepoint")
t.is(h:value("SELECT count(*) FROM people"), 4, "outer committed")
t.raises(function() h:insert_many("people", { { name = {} } }) end, "row 1, column name: cannot store a table", "insert_many names the bad row")
t.is(h:value("SELECT count(*) FROM people"), 4, "a failed insert_many inserts nothing")
t.raises(function() h:insert_many("nosuch", { {} }) end, "no table nosuch", "insert_many into a missing table")

-- write_table (the run_id column a script's run adds is tested in receipt_db.lua)
local NORUN = { run_id = false }
t.is(h:write_table("freq", { { word = "the", n = 10 }, { word = "a", n = 7, share = 0.5 } }, nil, NORUN), 2, "write_table infers a schema")
t.is_deeply(h:columns("freq"), { "n", "word", "share" }, "columns in order of first appearance, sorted within a row")
t.is(h:value("SELECT type FROM pragma_table_info('freq') WHERE name = 'n'"), "INTEGER", "integer column")
t.is(h:value("SELECT type FROM pragma_table_info('freq') WHERE name = 'share'"), "REAL", "real column")
t.is(h:write_table("freq", { { "x", 1 } }, { { "word", "TEXT" }, { "n", "INTEGER" } }, NORUN), 1, "write_table replaces, with a schema")
t.is_deeply(h:query("SELECT * FROM freq"), { { word = "x", n = 1 } }, "replaced")
t.is(h:write_table("empty", {}, "a TEXT, b REAL", NORUN), 0, "a schema string and no rows")
t.is_deeply(h:columns("empty"), { "a", "b" }, "table created")
t.is(h:write_table("odd name", { { ["weird \"col\""] = 1 } }), 1, "identifiers are quoted")
t.raises(function() h:write_table("nothing", {}) end, "no columns", "no rows and no schema raises")

h:close()
t.is(h:isopen(), false, "closed")
t.lives(function() h:close() end, "closing twice is harmless")
t.raises(function() h:query("SELECT 1") end, "closed database", "use after close raises")
local ro = db.open(name, { readonly = true })
t.raises(function() ro:exec("DELETE FROM people") end, "readonly", "readonly option")
ro:close()
cleanup()
t.done()
