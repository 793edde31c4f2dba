-- receipt.lua: provenance receipts for every run that writes results (which
-- `corpusrun replay`, lib/lua/replay.lua, checks).
--
-- A receipt says what produced a result: corpusrun, Lua, utf8proc/Unicode
-- and SQLite versions, the script (path and SHA-256), its arguments and
-- working directory, the corpus (every document's id and SHA-256, and a
-- fingerprint over them), other inputs (gazetteers, stopword lists) by
-- SHA-256, settings such as the tokeniser's, and start and end times.
--
--   receipt.note_corpus(c)            -- c:fold does this for every script
--   receipt.note_input("gazetteer", "corpus/entities.tsv")  -- cli.parse notes
--                                     -- the declared file options itself
--   receipt.note_tokenizer({ level = "casefold" })
--   receipt.note_setting("mentions", { unit = "sentence" })
--   receipt.write_sidecar("out.csv")  -- out.csv.receipt.json
--   local run_id = receipt.record(db) -- a row of the `runs` table
local host = require "corpusrun"
local json = require "json"
local sqlite3 = require "lsqlite3"

local receipt = {}

-- Kept in the host module, so every copy of this module in a run (the
-- sandbox loads its own) gathers into one receipt.
local state = host.receipt_state
state.corpora = state.corpora or {}
state.inputs = state.inputs or {}
state.settings = state.settings or {}

local function iso_time(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

local function script_info()
  local script = host.script
  local args = {}
  if script then for i = 1, #(arg or {}) do args[i] = arg[i] end end
  local sha = script and host.sha256_file(script) or nil
  return script, sha, args
end

-- Remembers a corpus the run read (once per corpus object).
function receipt.note_corpus(c, path)
  for _, known in ipairs(state.corpora) do if rawequal(known.c, c) then return end end
  path = path or (c.source and c:source()) or tostring(c)
  state.corpora[#state.corpora + 1] = { c = c, path = path }
  state.built = nil
end

-- True when this run is a script's (receipts are for scripts' results; a
-- REPL session or `-e` has none to replay).
function receipt.active() return host.script ~= nil end

-- Remembers an input file (gazetteer, stopword list ...) by its SHA-256,
-- computed when the receipt is built (so only runs that write results pay).
-- The same file noted twice under one role is one input.
function receipt.note_input(role, path)
  if type(role) ~= "string" or type(path) ~= "string" then
    error("bad argument to 'note_input' (role and path strings expected)", 2)
  end
  for _, x in ipairs(state.inputs) do
    if x.role == role and x.path == path then return end
  end
  state.inputs[#state.inputs + 1] = { role = role, path = path }
  state.built = nil
end

-- Notes the values of a script's declared file options (cli.parse calls
-- this): each under the option's `role`, or its name.
local function declared(spec)
  local list = {}
  for _, o in ipairs(spec.options or {}) do list[#list + 1] = o end
  for _, o in ipairs(spec.args or {}) do list[#list + 1] = o end
  return list
end

function receipt.note_options(spec, values)
  if type(spec.version) == "string" then state.script_version = spec.version; state.built = nil end
  for _, o in ipairs(declared(spec)) do
    if o.type == "file" then
      local v = values[o.key or o.name:gsub("-", "_")]
      for _, path in ipairs(type(v) == "table" and v or { v }) do
        if type(path) == "string" then receipt.note_input(o.role or o.name, path) end
      end
    end
  end
end

-- Remembers a setting that shapes the results (copied, must be JSON-able).
function receipt.note_setting(key, value)
  state.settings[key] = value
  state.built = nil
end

-- Remembers the tokeniser's options (tokenize's option table; a string is
-- the tokenize option string of a corpus database) and the normalisation
-- level, as settings.tokenizer.  Unset level means tokenize's "casefold".
function receipt.note_tokenizer(opts)
  local t = {}
  if type(opts) == "string" then
    t.options = opts
  else
    for k, v in pairs(opts or {}) do t[k] = v end
    t.level = t.level or "casefold"
  end
  receipt.note_setting("tokenizer", t)
end

-- The SHA-256 of every noted input (nil when it cannot be read).
local function hash_inputs()
  local out = {}
  for i, x in ipairs(state.inputs) do
    out[i] = { role = x.role, path = x.path, sha256 = (host.sha256_file(x.path)) }
  end
  return out
end

-- Every document's id and SHA-256, in corpus order, and a fingerprint.
-- Read once per corpus: a receipt built again (a note after a result was
-- written) reuses the description.
local function describe_corpus(entry)
  if entry.description then return entry.description end
  -- under --merge or --reduce a corpus the script never opened is described
  -- from the manifest, or by the parts' document count: it is not read
  local unread = type(entry.c) == "table" and rawget(entry.c, "unread_description")
  local d = unread and unread()
  if d then d.path = entry.path; return d end
  local docs, lines = {}, {}
  for doc in entry.c:docs() do
    local sha = host.sha256(doc.text)
    docs[#docs + 1] = { doc.id, sha }
    lines[#lines + 1] = doc.id .. "\t" .. sha
  end
  entry.description = {
    path = entry.path, documents = #docs,
    fingerprint = host.sha256(table.concat(lines, "\n")),
    docs = docs,
  }
  return entry.description
end

-- "N documents, fingerprint F", or what is known of a corpus a merge did
-- not read.
local function corpus_text(c)
  if c.fingerprint then return ("%d documents, fingerprint %s"):format(c.documents, c.fingerprint) end
  if c.error then return "not described: " .. c.error end
  return (c.documents and (c.documents .. " documents, ") or "") .. (c.read_from or "not read")
end

-- The receipt of this run, as a table.  Built once; finished is now.
function receipt.build()
  if not state.built then
    local script, sha, args = script_info()
    local corpora = {}
    for i, entry in ipairs(state.corpora) do
      -- a corpus closed since it was read is named, not described
      local ok, d = pcall(describe_corpus, entry)
      corpora[i] = ok and d or { path = entry.path, error = tostring(d) }
    end
    state.built = {
      receipt = 1,
      corpusrun = host.version, lua = host.lua_version, utf8proc = host.utf8proc_version,
      unicode = host.unicode_version, sqlite = host.sqlite_version,
      script = script, script_version = state.script_version, script_sha256 = sha,
      arguments = json.array(args), cwd = host.cwd(),
      corpora = json.array(corpora), inputs = json.array(hash_inputs()),
      settings = json.object(state.settings),
      started = iso_time(host.started),
    }
  end
  state.built.finished = iso_time()
  return state.built
end

function receipt.to_json(r) return json.encode(r or receipt.build(), { indent = "  " }) end

-- The sidecar receipt's name for a result file.
function receipt.sidecar_name(path) return path .. ".receipt.json" end

-- Whether a result written to path can carry a sidecar: true for a regular
-- file (or one not yet made); false and why for stdout ("-"), /dev/null,
-- pipes and other non-files, whose receipt goes nowhere (use --db).
function receipt.is_result_file(path)
  if path == nil or path == "-" then return false, "stdout is not a file" end
  local kind = host.file_kind(path)
  if kind == nil or kind == "file" then return true end
  return false, ("%s is not a file (%s)"):format(path, kind)
end

-- Writes path .. ".receipt.json" beside a CSV, TSV, JSON or text result and
-- returns its name; for a path that is not a regular file (/dev/null, a
-- pipe, "-") writes nothing and returns nil and the reason.
function receipt.write_sidecar(path)
  local okfile, why = receipt.is_result_file(path)
  if not okfile then return nil, why end
  local name = receipt.sidecar_name(path)
  local f, err = io.open(name, "wb")
  if not f then error("receipt: " .. err, 2) end
  f:write(receipt.to_json(), "\n")
  f:close()
  return name
end

-- ---- receipts inside reports ----------------------------------------------------
--
-- An HTML or Markdown report carries its receipt itself: a visible footer
-- (receipt.footer_fields, rendered by report) and, for `corpusrun replay`,
-- the whole receipt as JSON, in HTML a <script type="application/json"
-- id="corpusrun-receipt"> element before </body>, in Markdown an HTML
-- comment "<!-- corpusrun receipt {...} -->" on the last line.  < > & are
-- written \u003c \u003e \u0026, so the JSON cannot end either early.

local HTML_OPEN = '<script type="application/json" id="corpusrun-receipt">'
local MD_OPEN = "<!-- corpusrun receipt "

local function embeddable_json(r)
  local s = json.encode(r or receipt.build())
  return (s:gsub("[<>&]", { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" }))
end

-- text (an "html" or "md" report) with this run's receipt embedded.
function receipt.embed(text, format)
  if format == "html" then
    local tag = HTML_OPEN .. embeddable_json() .. "</script>\n"
    local at = text:find("</body>", 1, true)
    if at then return text:sub(1, at - 1) .. tag .. text:sub(at) end
    return text .. tag
  elseif format == "md" or format == "markdown" then
    if text ~= "" and text:sub(-1) ~= "\n" then text = text .. "\n" end
    return text .. MD_OPEN .. embeddable_json() .. " -->\n"
  end
  return text
end

local function embedded_json(text)
  return text:match(HTML_OPEN:gsub("%p", "%%%0") .. "(.-)</script>")
      or text:match(MD_OPEN:gsub("%p", "%%%0") .. "(.-) %-%->")
end

-- text without its embedded receipt (replay compares the rest).
local function without_embedded(text)
  text = text:gsub(HTML_OPEN:gsub("%p", "%%%0") .. ".-</script>\n?", "")
  return (text:gsub(MD_OPEN:gsub("%p", "%%%0") .. ".- %-%->\n?", ""))
end

-- A few lines for report footers (Markdown or plain text).
function receipt.summary(r)
  r = r or receipt.build()
  local lines = {
    ("corpusrun %s (Lua %s, utf8proc %s, Unicode %s, SQLite %s)")
      :format(r.corpusrun, (r.lua or ""):gsub("^Lua ", ""), r.utf8proc, r.unicode, r.sqlite),
    ("script %s sha256 %s; arguments: %s"):format(r.script or "-", r.script_sha256 or "-",
      #r.arguments > 0 and table.concat(r.arguments, " ") or "(none)"),
  }
  for _, c in ipairs(r.corpora) do
    lines[#lines + 1] = ("corpus %s: %s"):format(c.path, corpus_text(c))
  end
  for _, x in ipairs(r.inputs) do
    lines[#lines + 1] = ("%s %s sha256 %s"):format(x.role, x.path, tostring(x.sha256))
  end
  lines[#lines + 1] = ("run %s to %s"):format(r.started, r.finished)
  return lines
end

-- The receipt as ordered {name, value} pairs for report footers (the
-- document list stays in the sidecar or the runs table).
function receipt.footer_fields(r)
  r = r or receipt.build()
  local f = {
    { "corpusrun", r.corpusrun }, { "Unicode", r.unicode }, { "SQLite", r.sqlite },
    { "script", r.script or "-" }, { "script sha256", r.script_sha256 or "-" },
    { "arguments", #r.arguments > 0 and table.concat(r.arguments, " ") or "(none)" },
  }
  for _, c in ipairs(r.corpora) do
    f[#f + 1] = { "corpus", ("%s (%s)"):format(c.path, corpus_text(c)) }
  end
  for _, x in ipairs(r.inputs) do f[#f + 1] = { x.role, x.path .. " (sha256 " .. tostring(x.sha256) .. ")" } end
  if r.settings and r.settings.tokenizer then
    local tk, keys = r.settings.tokenizer, {}
    for k in pairs(tk) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do keys[i] = k .. "=" .. tostring(tk[k]) end
    f[#f + 1] = { "tokenizer", table.concat(keys, " ") }
  end
  f[#f + 1] = { "run", r.started .. " to " .. r.finished }
  return f
end

-- The id of this run's row in each database it was recorded in (weak: a
-- closed database is forgotten).
local recorded = setmetatable({}, { __mode = "k" })

local function still_recorded(db, id)
  local stmt = db:prepare("SELECT 1 FROM runs WHERE id = ?")
  if not stmt then return false end
  stmt:bind_values(id)
  local found = stmt:step() == 100 -- ROW
  stmt:finalize()
  return found
end

-- ---- the runs table -------------------------------------------------------------
--
-- One `runs` table for every script that writes results into a database
-- (db.write_table, f:save, entities.write_db, corpusdb.ingest), whatever
-- wrote into the database before; results tables refer to it by a column
-- `run_id`.  A table in an older layout is migrated in place, its rows kept:
-- mentions.lua's (corpusrun_version, gazetteer, gazetteer_sha256, unit) and
-- the first receipts' (no script_version, corpus, documents, inputs,
-- settings); results columns named `run` become `run_id`.
local RUNS = {
  { "id", "INTEGER PRIMARY KEY" },
  { "script", "TEXT" }, { "script_version", "TEXT" }, { "script_sha256", "TEXT" }, { "arguments", "TEXT" },
  { "corpus", "TEXT" }, { "corpus_fingerprint", "TEXT" }, { "documents", "INTEGER" },
  { "inputs", "TEXT" }, { "settings", "TEXT" },
  { "corpusrun", "TEXT" }, { "lua", "TEXT" }, { "utf8proc", "TEXT" }, { "unicode", "TEXT" }, { "sqlite", "TEXT" },
  { "started", "TEXT" }, { "finished", "TEXT" }, { "receipt", "TEXT" },
}
receipt.RUNS_COLUMNS = {}
for i, c in ipairs(RUNS) do receipt.RUNS_COLUMNS[i] = c[1] end
-- columns of older layouts, dropped once their values moved
local LEGACY = { corpusrun_version = true, gazetteer = true, gazetteer_sha256 = true, unit = true }

local function db_fail(db, what)
  error(("receipt: %s: %s"):format(what, db:errmsg()), 0)
end

local function db_exec(db, sql)
  if db:exec(sql) ~= 0 then db_fail(db, sql:match("^%s*(%u+ %u+)") or "SQL") end
end

local function table_columns(db, name)
  local cols, list = {}, {}
  local stmt = db:prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
  if not stmt then db_fail(db, "reading the schema") end
  stmt:bind_values(name)
  while stmt:step() == 100 do
    local c = stmt:get_value(0)
    cols[c] = true
    list[#list + 1] = c
  end
  stmt:finalize()
  return cols, list
end

-- The new columns of one old row, from its receipt and its old columns.
local function migrated_values(row)
  local r
  if type(row.receipt) == "string" then
    local ok, v = pcall(json.decode, row.receipt)
    if ok and type(v) == "table" then r = v end
  end
  r = r or {}
  local corpus = type(r.corpora) == "table" and r.corpora[1] or {}
  local inputs = type(r.inputs) == "table" and r.inputs or nil
  if not inputs and row.gazetteer then
    inputs = { { role = "gazetteer", path = row.gazetteer, sha256 = row.gazetteer_sha256 } }
  end
  local settings = type(r.settings) == "table" and r.settings or nil
  if not settings and row.unit then settings = { mentions = { unit = row.unit } } end
  local function pick(...)
    for i = 1, select("#", ...) do local v = select(i, ...); if v ~= nil then return v end end
    return nil
  end
  return {
    script_version = pick(row.script_version, r.script_version),
    corpus = pick(row.corpus, corpus.path),
    documents = pick(row.documents, corpus.documents),
    inputs = pick(row.inputs, inputs and json.encode(json.array(inputs))),
    settings = pick(row.settings, settings and json.encode(json.object(settings))),
    corpusrun = pick(row.corpusrun, row.corpusrun_version, r.corpusrun),
    lua = pick(row.lua, r.lua), utf8proc = pick(row.utf8proc, r.utf8proc),
    unicode = pick(row.unicode, r.unicode), sqlite = pick(row.sqlite, r.sqlite),
  }
end

local function migrate_runs(db, have, list)
  local added = {}
  for _, c in ipairs(RUNS) do
    if not have[c[1]] then
      db_exec(db, ("ALTER TABLE runs ADD COLUMN %s %s"):format(c[1], c[2]))
      added[#added + 1] = c[1]
    end
  end
  local rows = {}
  for row in db:nrows("SELECT * FROM runs") do rows[#rows + 1] = row end
  local fill = { "script_version", "corpus", "documents", "inputs", "settings", "corpusrun", "lua", "utf8proc", "unicode", "sqlite" }
  local sets = {}
  for i, c in ipairs(fill) do sets[i] = c .. " = ?" end
  local stmt = db:prepare("UPDATE runs SET " .. table.concat(sets, ", ") .. " WHERE id = ?")
  if not stmt then db_fail(db, "migrating the runs table") end
  for _, row in ipairs(rows) do
    local v = migrated_values(row)
    local vals = {}
    for i, c in ipairs(fill) do vals[i] = v[c] end
    vals[#fill + 1] = row.id
    stmt:bind_values(table.unpack(vals, 1, #fill + 1))
    if stmt:step() ~= 101 then stmt:finalize(); db_fail(db, "migrating the runs table") end
    stmt:reset()
  end
  stmt:finalize()
  for _, c in ipairs(list) do
    if LEGACY[c] then db_exec(db, ("ALTER TABLE runs DROP COLUMN %s"):format(c)) end
  end
end

-- Results tables whose column `run` refers to runs get it renamed run_id.
local function rename_run_columns(db)
  local names = {}
  for row in db:nrows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'runs' AND name NOT LIKE 'sqlite_%'") do
    names[#names + 1] = row.name
  end
  for _, name in ipairs(names) do
    local refers = false
    local stmt = db:prepare("SELECT \"from\" FROM pragma_foreign_key_list(?) WHERE \"table\" = 'runs'")
    if stmt then
      stmt:bind_values(name)
      while stmt:step() == 100 do if stmt:get_value(0) == "run" then refers = true end end
      stmt:finalize()
    end
    if refers and not table_columns(db, name).run_id then
      db_exec(db, ('ALTER TABLE "%s" RENAME COLUMN run TO run_id'):format(name:gsub('"', '""')))
    end
  end
end

-- receipt.ensure_runs(db): the runs table in the current layout, created
-- or migrated (in one savepoint); results columns `run` renamed run_id.
function receipt.ensure_runs(db)
  local have, list = table_columns(db, "runs")
  if #list == 0 then
    local defs = {}
    for i, c in ipairs(RUNS) do defs[i] = c[1] .. " " .. c[2] end
    db_exec(db, "CREATE TABLE IF NOT EXISTS runs (" .. table.concat(defs, ", ") .. ")")
    return
  end
  local current = #list == #RUNS
  for _, c in ipairs(RUNS) do if not have[c[1]] then current = false end end
  if current then return end
  db_exec(db, "SAVEPOINT corpusrun_runs")
  local ok, err = pcall(function()
    migrate_runs(db, have, list)
    rename_run_columns(db)
  end)
  if not ok then
    db:exec("ROLLBACK TO corpusrun_runs; RELEASE corpusrun_runs")
    error(err, 0)
  end
  db_exec(db, "RELEASE corpusrun_runs")
end

-- Records the receipt in db (an lsqlite3 database) as a row of `runs`, once
-- per database however many results tables refer to it (a row rolled back
-- or deleted since is recorded again); returns its id, which results tables
-- reference as run_id.
function receipt.record(db)
  local id = recorded[db]
  if id and still_recorded(db, id) then return id end
  local r = receipt.build()
  local okc, err = pcall(receipt.ensure_runs, db)
  if not okc then error("receipt: cannot create the runs table: " .. tostring(err), 2) end
  local cols, marks = {}, {}
  for i = 2, #RUNS do cols[#cols + 1] = RUNS[i][1]; marks[#marks + 1] = "?" end
  local stmt = db:prepare(("INSERT INTO runs (%s) VALUES (%s)"):format(table.concat(cols, ", "), table.concat(marks, ", ")))
  if not stmt then error("receipt: " .. db:errmsg(), 2) end
  local fps, paths, docs = {}, {}, nil
  for _, c in ipairs(r.corpora) do
    fps[#fps + 1] = c.fingerprint
    paths[#paths + 1] = c.path
    if c.documents then docs = (docs or 0) + c.documents end
  end
  local row = {
    script = r.script or "", script_version = r.script_version, script_sha256 = r.script_sha256 or "",
    arguments = json.encode(r.arguments), corpus = #paths > 0 and table.concat(paths, " ") or nil,
    corpus_fingerprint = table.concat(fps, " "), documents = docs,
    inputs = json.encode(json.array(r.inputs)), settings = json.encode(r.settings),
    corpusrun = r.corpusrun, lua = r.lua, utf8proc = r.utf8proc, unicode = r.unicode, sqlite = r.sqlite,
    started = r.started, finished = r.finished, receipt = receipt.to_json(r),
  }
  local vals = {}
  for i, c in ipairs(cols) do vals[i] = row[c] end
  stmt:bind_values(table.unpack(vals, 1, #cols))
  local rc = stmt:step()
  stmt:finalize()
  if rc ~= 101 then error("receipt: cannot record the run: " .. db:errmsg(), 2) end
  recorded[db] = db:last_insert_rowid()
  return recorded[db]
end

-- Formats whose reports carry the receipt themselves (a footer, and the
-- whole receipt embedded); results in any other format get a sidecar.
receipt.FOOTER_FORMATS = { md = true, markdown = true, html = true }

-- ---- reading receipts back ------------------------------------------------------

-- receipt.read_file(path): the bytes of a file, or nil when it cannot be read.
function receipt.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
local read_file = receipt.read_file

-- receipt.is_database(path): whether path is an SQLite database (its header).
function receipt.is_database(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local head = f:read(16)
  f:close()
  return head == "SQLite format 3\0"
end
local is_sqlite = receipt.is_database

-- The receipt behind a result: a .receipt.json file, a result file with a
-- sidecar, or a database's latest run.  Returns receipt, kind.
function receipt.load(path)
  if is_sqlite(path) then
    local db = sqlite3.open(path, sqlite3.OPEN_READONLY)
    if not db then return nil, path .. ": cannot open the database" end
    local has_runs
    for _ in db:nrows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'") do has_runs = true end
    local text
    if has_runs then
      for row in db:nrows("SELECT receipt FROM runs ORDER BY id DESC LIMIT 1") do text = row.receipt end
    end
    db:close()
    if not has_runs then
      return nil, path .. ": no runs table: no script recorded a run in this database "
        .. "(it was written before receipts, or not through the db layer)"
    end
    if not text then return nil, path .. ": the runs table holds no receipt" end
    return json.decode(text), "db"
  end
  local text = path:match("%.receipt%.json$") and read_file(path) or read_file(path .. ".receipt.json")
  if not text then
    local report = read_file(path)
    text = report and embedded_json(report)
  end
  if not text then return nil, path .. ": no receipt (no " .. path .. ".receipt.json, none inside it)" end
  local r, err = json.decode(text)
  if not r then return nil, path .. ": bad receipt: " .. tostring(err) end
  return r, "file"
end

-- ---- comparing results (replay.lua re-runs and compares) ----------------------

local function shorten(s)
  if #s > 120 then s = s:sub(1, 117) .. "..." end
  return ("%q"):format(s)
end

-- How two lists of lines differ, in words: the number of differing lines
-- (position by position) and the first of them, recorded and now; nil when
-- they are the same.
function receipt.line_difference(a, b, what)
  what = what or "line"
  local n, first = 0, nil
  for i = 1, math.max(#a, #b) do
    if a[i] ~= b[i] then
      n = n + 1
      first = first or i
    end
  end
  if n == 0 then return nil end
  local function side(x) return x == nil and "(none)" or shorten(x) end
  return ("%d %s (%d recorded, %d now); first at %s %d: recorded %s, now %s"):format(
    n, n == 1 and what .. " differs" or what .. "s differ", #a, #b, what, first, side(a[first]), side(b[first]))
end

-- For replay.lua, which re-checks a receipt: what note_corpus records of a
-- corpus, and a report without its embedded receipt.
receipt._describe_corpus = describe_corpus
receipt._without_embedded = without_embedded

return receipt
