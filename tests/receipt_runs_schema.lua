-- One `runs` table for every script writing into a results database: freq
-- and mentions share a database in either order, results refer to runs by
-- run_id, and a runs table in an older layout is migrated in place.
local t = require "tap"
local receipt = require "receipt"
local sqlite3 = require "lsqlite3"

local q = t.shell_quote
local tmp = os.tmpname()
os.remove(tmp)
local function script(name, args)
  return t.run(("%s scripts/%s.lua %s"):format(q(t.corpusrun), name, args))
end
local function columns(db, name)
  local cols = {}
  for row in db:nrows(("SELECT name FROM pragma_table_info('%s') ORDER BY cid"):format(name)) do cols[#cols + 1] = row.name end
  cols[1] = cols[1] or "(no table)"
  return cols
end
local function sorted(list)
  local copy = {}
  for i, v in ipairs(list) do copy[i] = v end
  table.sort(copy)
  return copy
end
local function one(db, sql)   -- {} when the query fails (a table or column missing)
  local ok, row = pcall(function() for r in db:nrows(sql) do return r end end)
  return ok and row or {}
end
-- the one layout (docs/api/receipt.md)
local RUNS = sorted({ "id", "script", "script_version", "script_sha256", "arguments", "corpus",
  "corpus_fingerprint", "documents", "inputs", "settings", "corpusrun", "lua", "utf8proc", "unicode",
  "sqlite", "started", "finished", "receipt" })
t.is_deeply(sorted(receipt.RUNS_COLUMNS or {}), RUNS, "receipt.RUNS_COLUMNS lists it")

for _, order in ipairs({ { "freq", "mentions" }, { "mentions", "freq" } }) do
  local path = tmp .. "-" .. order[1] .. ".db"
  local label = order[1] .. " then " .. order[2]
  for i, name in ipairs(order) do
    local _, code, err = script(name, "--db " .. q(path) .. " --out /dev/null")
    t.is(code, 0, ("%s: %s --db exits 0"):format(label, name), err)
    t.ok(not err:find("traceback", 1, true), ("%s: %s prints no traceback"):format(label, name), err)
    local db = sqlite3.open(path)
    t.is(one(db, "SELECT count(*) AS n FROM runs").n, i, ("%s: %d run(s) recorded"):format(label, i))
    db:close()
  end
  local db = sqlite3.open(path)
  t.is_deeply(sorted(columns(db, "runs")), RUNS, label .. ": the runs table has the one layout")
  local freq_run = one(db, "SELECT DISTINCT run_id AS id FROM freq").id
  local mentions_run = one(db, "SELECT DISTINCT run_id AS id FROM mentions").id
  t.ok(freq_run and mentions_run and freq_run ~= mentions_run, label .. ": each results table refers to its own run by run_id")
  t.is(one(db, ("SELECT script FROM runs WHERE id = %d"):format(freq_run or 0)).script, "scripts/freq.lua",
    label .. ": freq's run")
  local m = one(db, ("SELECT script, script_version, documents, json_extract(inputs, '$[0].role') AS role, "
    .. "json_extract(settings, '$.mentions.unit') AS unit FROM runs WHERE id = %d"):format(mentions_run or 0))
  t.is_deeply({ m.script, m.script_version, m.documents, m.role, m.unit },
    { "scripts/mentions.lua", "1.0.0", 5, "gazetteer", "sentence" }, label .. ": mentions' run, with its gazetteer and unit")
  for _, name in ipairs({ "mentions", "entity_counts", "comentions", "candidates" }) do
    t.is(columns(db, name)[1], "run_id", label .. ": " .. name .. " refers to the run as run_id")
  end
  db:close()
  os.remove(path)
end

-- A database mentions.lua wrote in the older layout ---------------------------------
do
  local path = tmp .. "-old-mentions.db"
  local db = sqlite3.open(path)
  assert(db:exec([[
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY, script TEXT, script_version TEXT, script_sha256 TEXT,
      corpusrun_version TEXT, arguments TEXT, corpus TEXT, corpus_fingerprint TEXT,
      gazetteer TEXT, gazetteer_sha256 TEXT, unit TEXT, documents INTEGER,
      started TEXT, finished TEXT, receipt TEXT);
    CREATE TABLE mentions (
      run INTEGER REFERENCES runs(id), doc TEXT, entity TEXT, type TEXT, alias TEXT,
      start INTEGER, stop INTEGER, sentence INTEGER, text TEXT);
    CREATE TABLE entity_counts (
      run INTEGER REFERENCES runs(id), entity TEXT, type TEXT, mentions INTEGER,
      documents INTEGER, share REAL);
    INSERT INTO runs VALUES (1, 'scripts/mentions.lua', '0.9.0', 'abc', '0.0.9', 'x', 'corpus', 'fp',
      'corpus/entities.tsv', 'def', 'document', 5, '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', NULL);
    INSERT INTO mentions VALUES (1, 'a.txt', 'Iran', 'GPE', 'Iran', 0, 4, 1, 'Iran');
    INSERT INTO entity_counts VALUES (1, 'Iran', 'GPE', 1, 1, 1.0);
  ]]) == sqlite3.OK)
  db:close()
  local _, code, err = script("freq", "--db " .. q(path) .. " --out /dev/null")
  t.is(code, 0, "freq --db on an old mentions database exits 0", err)
  db = sqlite3.open(path)
  t.is_deeply(sorted(columns(db, "runs")), RUNS, "its runs table is migrated to the one layout")
  local old = one(db, "SELECT script, script_version, corpusrun, corpus, documents, inputs, settings FROM runs WHERE id = 1")
  t.is_deeply({ old.script, old.script_version, old.corpusrun, old.corpus, old.documents },
    { "scripts/mentions.lua", "0.9.0", "0.0.9", "corpus", 5 }, "the old run is kept, corpusrun_version now corpusrun")
  t.like(old.inputs or "", '"path": ?"corpus/entities%.tsv"', "its gazetteer is among its inputs")
  t.like(old.inputs or "", '"sha256": ?"def"', "with its SHA-256")
  t.like(old.settings or "", '"unit": ?"document"', "its unit among its settings")
  t.is(columns(db, "mentions")[1], "run_id", "the old results' run column is now run_id")
  t.is(one(db, "SELECT count(*) AS n FROM mentions WHERE run_id = 1").n, 1, "and still refers to the old run")
  t.is(one(db, "SELECT count(*) AS n FROM runs").n, 2, "freq's run is added")
  db:close()
  -- and mentions.lua writes into the migrated database
  _, code, err = script("mentions", "--db " .. q(path) .. " --out /dev/null")
  t.is(code, 0, "mentions --db then adds its run", err)
  db = sqlite3.open(path)
  t.is(one(db, "SELECT count(DISTINCT run_id) AS n FROM mentions").n, 2, "two mentions runs side by side")
  db:close()
  os.remove(path)
end

-- A database written with the first receipts' layout ---------------------------------
do
  local path = tmp .. "-old-receipt.db"
  local db = sqlite3.open(path)
  assert(db:exec([[
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY, corpusrun TEXT, lua TEXT, utf8proc TEXT, unicode TEXT, sqlite TEXT,
      script TEXT, script_sha256 TEXT, arguments TEXT, corpus_fingerprint TEXT,
      started TEXT, finished TEXT, receipt TEXT);
    INSERT INTO runs VALUES (1, '0.0.9', 'Lua 5.4', '2.8.0', '15.0.0', '3.40.1', 'scripts/freq.lua', 'abc', '[]', 'fp',
      '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z',
      '{"corpora": [{"path": "corpus", "documents": 5}], "inputs": [], "settings": {"stopwords": "en"}}');
    CREATE TABLE freq (run_id INTEGER NOT NULL DEFAULT 1 REFERENCES runs(id), word TEXT, freq INTEGER);
  ]]) == sqlite3.OK)
  db:close()
  local _, code, err = script("mentions", "--db " .. q(path) .. " --out /dev/null")
  t.is(code, 0, "mentions --db on a database in the first receipts' layout exits 0", err)
  db = sqlite3.open(path)
  t.is_deeply(sorted(columns(db, "runs")), RUNS, "its runs table is migrated")
  local old = one(db, "SELECT corpus, documents, json_extract(settings, '$.stopwords') AS sw, unicode FROM runs WHERE id = 1")
  t.is_deeply({ old.corpus, old.documents, old.sw, old.unicode }, { "corpus", 5, "en", "15.0.0" },
    "the old run's corpus and settings come from its receipt")
  db:close()
  os.remove(path)
end

t.done()
