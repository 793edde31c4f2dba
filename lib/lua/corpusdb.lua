-- corpusdb.lua: a corpus kept in SQLite, with a full-text index whose
-- tokenizer is corpusrun's own (the FTS5 tokenizer `corpusrun`).
--
--   corpusdb.ingest(source, "corpus.db" [, opts])  -- build or update, incrementally
--   local c = corpusdb.open("corpus.db")           -- a corpus like any other
--   for doc in c:docs() do ... end
--   for _, hit in ipairs(c:search("Zakani", { limit = 5 })) do print(hit.id, hit.snippet) end
--
-- corpus.open(path) delegates here when path is an SQLite database (this
-- module hands M.open to the core, corpus.core), and the corpus module
-- exports M.ingest as corpus.ingest.
--
-- The database (schema 2):
--   corpusrun_meta(key, value)   schema, tokenize options, counts, corpusrun version
--   documents(n, id, seq, path, title, text, meta, bytes, hash, tokens)
--       n: rowid (and the index's rowid); seq: position in the source at the
--       last ingest (documents stream in seq order); meta: a JSON object;
--       hash: SHA-256 of path, title, meta and text (and tokens, if any);
--       tokens: an annotated document's tokens with their attributes
--       (corpus.core._pack_tokens), NULL for plain text.  Schema 1 had no
--       tokens column: it is read as it is, and an ingest adds the column.
--   documents_fts: FTS5 over title and text, external content (the text is
--       stored once), kept in step by triggers.
-- Ingest runs in WAL mode with synchronous=NORMAL, one transaction per batch;
-- the index keeps up to 16 MB of new terms in memory (FTS5 'hashsize').
-- One ingest at a time: it holds an exclusive flock(2) on the database file
-- (released by the kernel however the process ends), and marks the database
-- `ingest` in corpusrun_meta from its first batch until its last commit, so
-- a database an ingest left unfinished (killed, or its source failed) is
-- refused by open until an ingest completes it.
-- A corpus opened from a database holds one read transaction for its life:
-- every call (and every forked fold worker) reads the same snapshot.
local sqlite3 = require "lsqlite3"
local host = require "corpusrun"
local json = require "json"
local tokenize_options = require("tokenize").options
local flock = require "flock"
local core = require "corpus.core"
local receipt = require "receipt"
local fold = require "fold"
local query = require "query"

local M = {}
local SCHEMA = "2"
local READS_SCHEMA = { ["1"] = true, ["2"] = true }
-- FTS5 keeps this many bytes of new terms in memory before writing a
-- segment (SQLite's default is 1 MB): fewer, larger segments, less merging.
local FTS_HASHSIZE = 16 * 1024 * 1024

-- ---- connections -----------------------------------------------------------

local function sqlfail(raw, what)
  error(("corpusdb: %s: %s"):format(what, raw:errmsg()), 0)
end

local function exec(raw, sql)
  if raw:exec(sql) ~= sqlite3.OK then sqlfail(raw, sql:match("^%s*(%u+[%u ]*%u)") or "SQL") end
end

local function prepare(raw, sql)
  local st = raw:prepare(sql)
  if not st then sqlfail(raw, "prepare") end
  return st
end

local function value(raw, sql, ...)
  local st <close> = prepare(raw, sql)
  if select("#", ...) > 0 then st:bind_values(...) end
  local rc = st:step()
  if rc == sqlite3.ROW then return st:get_value(0) end
  if rc ~= sqlite3.DONE then sqlfail(raw, "query") end
  return nil
end

-- The ingest under way or left unfinished, from the `ingest` mark: a
-- phrase for messages, and the source it was reading.
local function ingest_mark(raw)
  local mark = value(raw, "SELECT value FROM corpusrun_meta WHERE key = 'ingest'")
  if not mark then return nil end
  local ok, m = pcall(json.decode, mark)
  if not ok or type(m) ~= "table" then m = {} end
  return m
end

local function shell_word(s)
  if s:match("^[%w%./_%-=:,@+]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- How to finish what an ingest left undone.
local function resume_hint(path, mark)
  local source = mark and type(mark.source) == "string" and mark.source or nil
  if source then
    return ("run the ingest again to complete it: corpusrun scripts/ingest.lua -c %s --db %s")
      :format(shell_word(source), shell_word(path))
  end
  return ("run the ingest of its corpus again to complete it: corpusrun scripts/ingest.lua -c SOURCE --db %s")
    :format(shell_word(path))
end

-- Whether the database is complete: nil, or a message saying why not and
-- what to do.  Read inside the caller's transaction.
local function incomplete(raw, path, file)
  local mark = ingest_mark(raw)
  local stored = value(raw, "SELECT count(*) FROM documents") or 0
  if mark then
    -- an ingest holds the file locked while it runs
    local probe = file ~= "" and flock.lock(file, { shared = true })
    if file ~= "" and not probe then
      return ("%s: an ingest is writing this database (pid %s, since %s; %d documents so far): "
        .. "open it when the ingest has finished"):format(path, tostring(mark.pid or "?"),
        tostring(mark.started or "?"), stored)
    end
    if probe then probe:release() end
    return ("%s: incomplete: an ingest stopped before it finished (%d documents stored); %s")
      :format(path, stored, resume_hint(path, mark))
  end
  local recorded = value(raw, "SELECT value FROM corpusrun_meta WHERE key = 'documents'")
  if recorded == nil then
    return ("%s: incomplete: no ingest finished writing it (%d documents stored); %s")
      :format(path, stored, resume_hint(path, nil))
  end
  if tonumber(recorded) ~= stored then
    return ("%s: inconsistent: it holds %d documents where its last ingest recorded %s; %s")
      :format(path, stored, recorded, resume_hint(path, nil))
  end
  return nil
end

-- Opens path read-only, starts the read transaction that pins its
-- snapshot, and checks it is a complete corpus database: raw or nil,
-- message.  opts.incomplete: open a database an ingest left unfinished.
local function open_corpus_db(path, opts)
  local raw, _, msg = sqlite3.open(path, sqlite3.OPEN_READONLY)
  if not raw then return nil, ("%s: %s"):format(path, msg) end
  raw:busy_timeout(5000)
  local function refuse(m) raw:close(); return nil, m end
  if raw:exec("BEGIN") ~= sqlite3.OK then return refuse(("%s: %s"):format(path, raw:errmsg())) end
  local ok, schema = pcall(value, raw, "SELECT value FROM corpusrun_meta WHERE key = 'schema'")
  if not ok or schema == nil then
    return refuse(("%s: not a corpusrun corpus database"):format(path))
  end
  if not READS_SCHEMA[schema] then
    return refuse(("%s: corpus database schema %s, this corpusrun reads schema 1 and 2"):format(path, schema))
  end
  if not (opts and opts.incomplete) then
    local okc, why = pcall(incomplete, raw, path, raw:db_filename("main") or "")
    if not okc or why then return refuse(why) end
  end
  return raw, schema
end

-- The tokenize directive of the FTS5 table: a value FTS5 would not read as
-- one word (kinds word,number) is quoted, doubled for the SQL literal.
local function tokenize_clause(options)
  if options == "" then return "corpusrun" end
  if options:find("'", 1, true) then error("corpusdb: tokenize options must not contain quotes", 0) end
  local args = { "corpusrun" }
  for word in options:gmatch("%S+") do
    args[#args + 1] = word:find("[^%w_]") and "''" .. word .. "''" or word
  end
  return table.concat(args, " ")
end

local function create_schema(raw, tokenize)
  exec(raw, "PRAGMA journal_mode = WAL")
  exec(raw, [[
    CREATE TABLE IF NOT EXISTS corpusrun_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS documents (
      n INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      seq INTEGER NOT NULL,
      path TEXT NOT NULL,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      meta TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      hash TEXT NOT NULL,
      tokens BLOB);
    CREATE INDEX IF NOT EXISTS documents_seq ON documents (seq);]])
  exec(raw, ([[
    CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5 (title, text,
      content = 'documents', content_rowid = 'n', tokenize = '%s');
    CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
      INSERT INTO documents_fts (rowid, title, text) VALUES (new.n, new.title, new.text);
    END;
    CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
      INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.n, old.title, old.text);
    END;
    CREATE TRIGGER IF NOT EXISTS documents_au AFTER UPDATE OF title, text ON documents BEGIN
      INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.n, old.title, old.text);
      INSERT INTO documents_fts (rowid, title, text) VALUES (new.n, new.title, new.text);
    END;
    INSERT INTO documents_fts (documents_fts, rank) VALUES ('hashsize', %d);
    INSERT OR IGNORE INTO corpusrun_meta (key, value) VALUES ('schema', '%s');
    INSERT OR IGNORE INTO corpusrun_meta (key, value) VALUES ('tokenize', '%s');]])
    :format(tokenize_clause(tokenize), FTS_HASHSIZE, SCHEMA, tokenize))
end

-- ---- documents ----------------------------------------------------------------

local DOC_COLUMNS = { "n", "id", "path", "title", "text", "meta", "bytes", "hash", "tokens" }

-- The columns a document is read from, each after prefix (a table alias);
-- a schema 1 database has no tokens.
local function doc_columns(conn, prefix)
  prefix = prefix or ""
  local out = {}
  for i, name in ipairs(DOC_COLUMNS) do
    out[i] = (name == "tokens" and conn.schema == "1") and "NULL" or prefix .. name
  end
  return table.concat(out, ", ")
end

local function doc_metatable()
  local mt = debug.getregistry()["corpusrun.Document"]
  if mt then return mt end
  return { __name = "corpusrun.Document", __tostring = function(d)
    return ("Document %s \"%s\" (%d bytes)"):format(d.id, d.title:sub(1, 60), d.bytes)
  end }
end

local function row_doc(st, mt)
  local meta = st:get_value(5)
  local okm, m = pcall(json.decode, meta)
  if not okm or type(m) ~= "table" then m = {} end
  setmetatable(m, nil)
  local text = st:get_value(4)
  local packed, tokens = st:get_value(8), nil
  if packed then
    local err
    tokens, err = core._unpack_tokens(packed, #text)
    if not tokens then error(("corpusdb: document %s: %s"):format(st:get_value(1), err), 0) end
  end
  return setmetatable({ id = st:get_value(1), path = st:get_value(2), title = st:get_value(3),
    text = text, meta = m, bytes = st:get_value(6), hash = st:get_value(7), tokens = tokens }, mt)
end

-- The canonical content hash of a document (its packed tokens, if any,
-- after the rest: a plain document hashes as in schema 1).
local function doc_hash(path, title, meta, text, tokens)
  local s = string.pack("<s4s4s4s4", path, title, meta, text)
  if tokens then s = s .. string.pack("<s4", tokens) end
  return host.sha256(s)
end

local function meta_json(meta)
  local copy = {}
  if type(meta) == "table" then for k, v in pairs(meta) do copy[k] = v end end
  return json.encode(json.object(copy))
end

-- ---- ingest --------------------------------------------------------------------

-- The writer's lock: an exclusive flock on the database file, taken once
-- SQLite has created it.  lock, or nil and a message naming the ingest that
-- holds it.  A reader checking an unfinished database takes the lock shared
-- for an instant: a short grace period keeps that from failing an ingest.
local function take_writer_lock(raw, path, wait)
  local file = raw:db_filename("main") or ""
  if file == "" then return { release = function() end } end -- in memory
  local lock, msg, why = flock.lock(file, { wait = math.max(wait or 0, 0.25) })
  if lock then return lock end
  if why ~= "busy" then return nil, ("corpusdb.ingest: %s: cannot lock the database: %s"):format(path, msg) end
  local holder = ""
  local okm, mark = pcall(function()
    local r = sqlite3.open(file, sqlite3.OPEN_READONLY)
    if not r then return nil end
    r:busy_timeout(1000)
    local okv, m = pcall(ingest_mark, r)
    r:close()
    return okv and m or nil
  end)
  if okm and mark then
    holder = (" (pid %s, since %s)"):format(tostring(mark.pid or "?"), tostring(mark.started or "?"))
  end
  return nil, ("corpusdb.ingest: %s: another ingest is writing this database%s; run this one when it has "
    .. "finished%s"):format(path, holder, wait and wait > 0 and (" (waited %g s)"):format(wait) or
    ", or let it wait for it (option wait = SECONDS; scripts/ingest.lua --wait SECONDS)")
end

local function source_corpus(source, opts)
  if type(source) == "table" and source.docs then return source end
  if type(source) == "userdata" then return source end
  local c, msg = core.open(source, opts.corpus)
  if not c then error("corpusdb.ingest: " .. msg, 0) end
  return c
end

-- corpusdb.ingest(source, path [, opts]) -> stats
-- source: anything corpus.open takes, or a corpus.  opts: batch (documents
-- per transaction, default 2000), batch_bytes (default 64 MB), tokenize
-- (the tokeniser options, a table as every tokenising function takes or
-- the FTS5 tokenizer's arguments, e.g. "level casefold"), rebuild
-- (re-index when tokenize changed), corpus (options for corpus.open),
-- progress (function(stats) called after each batch), wait (seconds to
-- wait for another ingest of the same database to finish, default 0: fail
-- at once).
-- Returns {added, changed, unchanged, removed, duplicates, documents, bytes}.
-- A script's run (receipt.active()) is recorded in the database's `runs`
-- table: the source corpus, the tokenizer options, the script and its
-- arguments (see docs/api/receipt.md).
function M.ingest(source, path, opts)
  if type(path) ~= "string" then error("bad argument #2 to 'ingest' (database path expected)", 2) end
  opts = opts or {}
  if opts.wait ~= nil and (type(opts.wait) ~= "number" or not (opts.wait >= 0)) then
    error("bad argument #3 to 'ingest' (option 'wait' must be a number of seconds)", 2)
  end
  local batch = opts.batch or 2000
  local batch_bytes = opts.batch_bytes or 64 * 1024 * 1024
  local okt, tokenize = pcall(tokenize_options, opts.tokenize or "")
  if not okt then  -- the option's message, as the argument of ingest
    error(("bad argument #3 to 'ingest' (%s)"):format(tokenize:match("^bad argument #1 to '[^']*' %((.*)%)$") or tokenize), 2)
  end
  local c = source_corpus(source, opts)
  if receipt.active() then
    receipt.note_corpus(c, type(source) == "string" and source or nil)
    receipt.note_tokenizer(tokenize)
  end

  local raw, _, msg = sqlite3.open(path)
  if not raw then error(("corpusdb.ingest: %s: %s"):format(path, msg), 0) end
  local lock, lmsg = take_writer_lock(raw, path, opts.wait)
  if not lock then raw:close(); error(lmsg, 0) end
  local stats = { added = 0, changed = 0, unchanged = 0, removed = 0, duplicates = 0, documents = 0, bytes = 0 }
  local ok, err = pcall(function()
    raw:busy_timeout(5000)
    exec(raw, "PRAGMA synchronous = NORMAL")
    local had = value(raw, "SELECT count(*) FROM sqlite_schema WHERE name = 'corpusrun_meta'") == 1
    if not had and value(raw, "SELECT count(*) FROM sqlite_schema") > 0 then
      error(("corpusdb.ingest: %s is an SQLite database but not a corpus database"):format(path), 0)
    end
    if had then
      local schema = value(raw, "SELECT value FROM corpusrun_meta WHERE key = 'schema'")
      if not READS_SCHEMA[schema] then
        error(("corpusdb.ingest: %s: schema %s, expected 1 or 2"):format(path, schema), 0)
      end
      if schema == "1" then   -- schema 2 adds the tokens of annotated documents
        exec(raw, "BEGIN IMMEDIATE")
        exec(raw, "ALTER TABLE documents ADD COLUMN tokens BLOB")
        exec(raw, "UPDATE corpusrun_meta SET value = '" .. SCHEMA .. "' WHERE key = 'schema'")
        exec(raw, "COMMIT")
      end
      local old = value(raw, "SELECT value FROM corpusrun_meta WHERE key = 'tokenize'") or ""
      if old ~= tokenize then
        if not opts.rebuild then
          error(("corpusdb.ingest: %s is indexed with tokenize '%s', not '%s' (use rebuild = true)")
            :format(path, old, tokenize), 0)
        end
        exec(raw, "BEGIN IMMEDIATE")
        exec(raw, "DROP TABLE documents_fts")
        exec(raw, "UPDATE corpusrun_meta SET value = '" .. tokenize:gsub("'", "''") .. "' WHERE key = 'tokenize'")
        create_schema(raw, tokenize)
        exec(raw, "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
        exec(raw, "COMMIT")
      end
    end
    create_schema(raw, tokenize)

    local existing = {}
    do
      local st <close> = prepare(raw, "SELECT id, n, hash, seq, tokens IS NOT NULL FROM documents")
      for id, n, hash, seq, tok in st:urows() do existing[id] = { n = n, hash = hash, seq = seq, tokens = tok == 1 } end
    end
    local ins <close> = prepare(raw, "INSERT INTO documents (id, seq, path, title, text, meta, bytes, hash, tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    local upd <close> = prepare(raw, "UPDATE documents SET seq = ?, path = ?, title = ?, text = ?, meta = ?, bytes = ?, hash = ?, tokens = ? WHERE n = ?")
    local useq <close> = prepare(raw, "UPDATE documents SET seq = ? WHERE n = ?")
    -- runs st with the values given, parameter i bound to blob (a string)
    -- as a BLOB when blob is given
    local function run_blob(st, i, blob, ...)
      st:bind_values(...)
      if blob then st:bind_blob(i, blob) end
      if st:step() ~= sqlite3.DONE then
        local m = raw:errmsg()
        st:reset()
        error(("corpusdb.ingest: %s: %s"):format(path, m), 0)
      end
      st:reset()
    end
    local function run(st, ...) return run_blob(st, nil, nil, ...) end

    -- the mark says "unfinished" until the last commit removes it
    exec(raw, "BEGIN IMMEDIATE")
    do
      local mark <close> = prepare(raw, "INSERT OR REPLACE INTO corpusrun_meta (key, value) VALUES ('ingest', ?)")
      run(mark, json.encode(json.object({ pid = flock.pid(), started = os.date("!%Y-%m-%dT%H:%M:%SZ"),
        source = type(source) == "string" and source or nil })))
    end
    exec(raw, "COMMIT")

    local seen, seq, pending, pending_bytes = {}, 0, 0, 0
    exec(raw, "BEGIN IMMEDIATE")
    for doc in c:docs() do
      local id = tostring(doc.id)
      if seen[id] then
        stats.duplicates = stats.duplicates + 1
      else
        seen[id] = true
        seq = seq + 1
        local text, title, dpath = doc.text or "", doc.title or "", doc.path or ""
        local meta = meta_json(doc.meta)
        local bytes = doc.bytes or #text
        local tokens = doc.tokens and core._pack_tokens(doc.tokens) or nil
        local hash = doc_hash(dpath, title, meta, text, tokens)
        local e = existing[id]
        if not e then
          run_blob(ins, 9, tokens, id, seq, dpath, title, text, meta, bytes, hash, nil)
          stats.added = stats.added + 1
        elseif e.hash ~= hash or (tokens and not e.tokens) then   -- (stored without its tokens by schema 1)
          run_blob(upd, 8, tokens, seq, dpath, title, text, meta, bytes, hash, nil, e.n)
          stats.changed = stats.changed + 1
        else
          if e.seq ~= seq then run(useq, seq, e.n) end
          stats.unchanged = stats.unchanged + 1
        end
        stats.documents = stats.documents + 1
        stats.bytes = stats.bytes + #text
        pending, pending_bytes = pending + 1, pending_bytes + #text
        if pending >= batch or pending_bytes >= batch_bytes then
          exec(raw, "COMMIT")
          if opts.progress then opts.progress(stats) end
          exec(raw, "BEGIN IMMEDIATE")
          pending, pending_bytes = 0, 0
        end
      end
    end
    -- documents gone from the source, removed only once the source was read whole
    local gone = {}
    for id, e in pairs(existing) do if not seen[id] then gone[#gone + 1] = e.n end end
    table.sort(gone)
    local del <close> = prepare(raw, "DELETE FROM documents WHERE n = ?")
    for _, n in ipairs(gone) do run(del, n) end
    stats.removed = #gone
    local setm <close> = prepare(raw, "INSERT OR REPLACE INTO corpusrun_meta (key, value) VALUES (?, ?)")
    run(setm, "documents", tostring(stats.documents))
    run(setm, "corpusrun", host.version or "")
    exec(raw, "DELETE FROM corpusrun_meta WHERE key = 'ingest'")
    if receipt.active() then receipt.record(raw) end
    exec(raw, "COMMIT")
    if opts.progress then opts.progress(stats) end
  end)
  if not ok then
    if raw:isopen() then raw:exec("ROLLBACK"); raw:close() end
    lock:release()
    error(err, 0)
  end
  raw:close()
  lock:release()
  return stats
end

-- ---- the corpus object -------------------------------------------------------------

local CorpusDB = {}
CorpusDB.__index = CorpusDB
CorpusDB.__name = "corpusrun.CorpusDB"
-- registered under its name, as luaL_newmetatable registers the C types, so
-- that help() and completion find its methods (not inside --sandbox, whose
-- modules have no debug library)
if debug then debug.getregistry()["corpusrun.CorpusDB"] = CorpusDB end

local function check(c)
  if getmetatable(c) ~= CorpusDB then error("corpusdb: not a corpus database object", 3) end
  if c.closed or not c.conn.raw then error("corpusdb: attempt to use a closed corpus", 3) end
  return c
end

-- One connection per opened database, shared by the corpus and its
-- sub-corpora, holding the read transaction that pins their snapshot.  It
-- is closed with the corpus open returned, or when collected.  A forked fold
-- worker reads through its copy inside that same transaction (the parent
-- holds it open, and with it the snapshot's pages, until the worker is
-- done) and never closes it: SQLite's locks belong to the parent.
local Conn = {}
Conn.__index = Conn

local function conn_close(k)
  if k.raw and k.pid == flock.pid() and k.raw:isopen() then
    k.raw:exec("COMMIT")
    k.raw:close()
  end
  k.raw = nil
end
Conn.__gc = conn_close

local function new_conn(raw)
  return setmetatable({ raw = raw, pid = flock.pid() }, Conn)
end

-- Runs fn(raw) on the corpus's connection.
local function with_db(c, fn)
  local raw = c.conn.raw
  if not raw then error("corpusdb: attempt to use a closed corpus", 0) end
  return fn(raw)
end

local function new_view(path, conn, ns)
  return setmetatable({ path = path, conn = conn, ns = ns }, CorpusDB)
end

-- corpusdb.open(path [, opts]) -> corpus, or nil, message.  opts.incomplete:
-- open a database an ingest has not finished (to look at what it holds).
function M.open(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'open' (path expected)", 2) end
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #2 to 'open' (table expected)", 2) end
  local raw, schema = open_corpus_db(path, opts)
  if not raw then return nil, schema end
  local conn = new_conn(raw)
  conn.schema = schema
  return new_view(path, conn, nil)
end

function CorpusDB:__tostring()
  if self.closed then return ("CorpusDB %s (closed)"):format(self.path) end
  return ("CorpusDB %s (%d documents)"):format(self.path, #self)
end

function CorpusDB:__len()
  check(self)
  if self.ns then return #self.ns end
  return with_db(self, function(raw) return value(raw, "SELECT count(*) FROM documents") end)
end

-- c:close(): closes the corpus; closing the corpus that open returned lets
-- its snapshot go, and its sub-corpora with it.
function CorpusDB:close()
  if self.closed then return end
  self.closed = true
  if not self.ns then conn_close(self.conn) end
end
CorpusDB.__close = CorpusDB.close

-- c:docs() -> iterator over the documents in order; the loop's closing
-- value finalizes the statement on break.
function CorpusDB:docs()
  check(self)
  local raw = self.conn.raw
  local mt = doc_metatable()
  local st, ns, i = nil, self.ns, 0
  if ns then st = prepare(raw, "SELECT " .. doc_columns(self.conn) .. " FROM documents WHERE n = ?")
  else st = prepare(raw, "SELECT " .. doc_columns(self.conn) .. " FROM documents ORDER BY seq, n") end
  local function release()
    if st:isopen() then st:finalize() end
  end
  local closer = setmetatable({}, { __close = release })
  local function iter()
    if not st:isopen() then return nil end
    if ns then
      while true do
        i = i + 1
        if i > #ns then release(); return nil end
        st:reset()
        st:bind_values(ns[i])
        local rc = st:step()
        if rc == sqlite3.ROW then return row_doc(st, mt) end
        if rc ~= sqlite3.DONE then local m = raw:errmsg(); release(); error("corpusdb: " .. m, 0) end
      end
    end
    local rc = st:step()
    if rc == sqlite3.ROW then return row_doc(st, mt) end
    local m = rc ~= sqlite3.DONE and raw:errmsg()
    release()
    if m then error("corpusdb: " .. m, 0) end
    return nil
  end
  return iter, nil, nil, closer
end

-- The (n, id, bytes, meta) of every document in order, as arrays.
local function listing(c)
  return with_db(c, function(raw)
    local out = {}
    local st <close> = prepare(raw, "SELECT n, id, bytes, hash FROM documents ORDER BY seq, n")
    for n, id, bytes, hash in st:urows() do out[#out + 1] = { n = n, id = id, bytes = bytes, hash = hash } end
    if c.ns then
      local byn = {}
      for _, r in ipairs(out) do byn[r.n] = r end
      local sub = {}
      for i, n in ipairs(c.ns) do sub[i] = byn[n] end
      return sub
    end
    return out
  end)
end

function CorpusDB:ids()
  check(self)
  local ids = {}
  for i, r in ipairs(listing(self)) do ids[i] = r.id end
  return ids
end

function CorpusDB:get(id)
  check(self)
  local mt = doc_metatable()
  return with_db(self, function(raw)
    local st <close> = prepare(raw, "SELECT " .. doc_columns(self.conn) .. " FROM documents WHERE id = ?")
    st:bind_values(tostring(id))
    if st:step() ~= sqlite3.ROW then return nil end
    if self.ns then
      local n = st:get_value(0)
      local inside = false
      for _, x in ipairs(self.ns) do if x == n then inside = true; break end end
      if not inside then return nil end
    end
    return row_doc(st, mt)
  end)
end

local function meta_match(doc, want)
  for k, v in pairs(want) do
    local got = doc.meta[k]
    if got ~= v and not (got ~= nil and tostring(got) == tostring(v)) then return false end
  end
  return true
end

-- c:filter(fn | {key = value}) -> sub-corpus.
function CorpusDB:filter(pred)
  check(self)
  local ns, keep = {}, nil
  if type(pred) == "function" then keep = pred
  elseif type(pred) == "table" then keep = function(doc) return meta_match(doc, pred) end
  else error("bad argument #1 to 'filter' (function or table expected)", 2) end
  local byid = {}
  for _, r in ipairs(listing(self)) do byid[r.id] = r.n end
  for doc in self:docs() do if keep(doc) then ns[#ns + 1] = byid[doc.id] end end
  return new_view(self.path, self.conn, ns)
end

-- c:sample(n [, seed]) -> n documents chosen by a hash of seed and id, in corpus order.
function CorpusDB:sample(n, seed)
  check(self)
  local rows = listing(self)
  local keyed = {}
  for i, r in ipairs(rows) do keyed[i] = { k = host.sha256(tostring(seed or 0) .. "\0" .. r.id), i = i } end
  table.sort(keyed, function(a, b) return a.k < b.k end)
  local pick = {}
  for j = 1, math.min(n, #keyed) do pick[#pick + 1] = keyed[j].i end
  table.sort(pick)
  local ns = {}
  for j, i in ipairs(pick) do ns[j] = rows[i].n end
  return new_view(self.path, self.conn, ns)
end

-- c:shard(k, n) -> the k-th of n contiguous parts, balanced by bytes.
function CorpusDB:shard(k, n)
  check(self)
  if math.type(k) ~= "integer" or math.type(n) ~= "integer" or n < 1 or k < 1 or k > n then
    error("bad arguments to 'shard' (1 <= k <= n expected)", 2)
  end
  local rows = listing(self)
  local total = 0
  for _, r in ipairs(rows) do total = total + r.bytes end
  local ns, acc = {}, 0
  for _, r in ipairs(rows) do
    -- a document belongs to the part where its first byte falls
    local part = total > 0 and (acc * n) // total + 1 or 1
    if part == k then ns[#ns + 1] = r.n end
    acc = acc + r.bytes
  end
  return new_view(self.path, self.conn, ns)
end

-- c:fingerprint() -> 32 hex digits over the documents' hashes, in order.
function CorpusDB:fingerprint()
  check(self)
  local parts = {}
  for i, r in ipairs(listing(self)) do parts[i] = r.id .. "\0" .. r.hash end
  return host.sha256(table.concat(parts, "\0")):sub(1, 32)
end

function CorpusDB:problems()
  check(self)
  return {}, { skipped = 0, encoding = 0, ignored = 0 }
end

function CorpusDB:fold(init, step, opts)
  check(self)
  return fold.run(self, init, step, opts)
end

-- c:query (query.md): a CQP query over the database's documents
function CorpusDB:query(q, opts)
  check(self)
  return query.run(self, q, opts)
end

-- FTS5 barewords are letters, digits, "_" and non-ASCII bytes: a term typed
-- with an ASCII apostrophe ("zakani's", "don't") is a syntax error there.
-- Such a term, outside "strings", becomes a string ("zakani's"), which the
-- corpusrun tokenizer splits as it split the text; a trailing "*" stays a
-- prefix ("zakani's"*), a string right beside it stays a string of its
-- own, and column filters, keywords, parentheses and strings are left as
-- they are.
local function fts_query(q)
  if not q:find("'", 1, true) then return q end
  local out, i, n = {}, 1, #q
  while i <= n do
    local c = q:sub(i, i)
    if c == '"' then
      local j = i + 1
      while j <= n do
        if q:sub(j, j) == '"' then
          if q:sub(j + 1, j + 1) == '"' then j = j + 2 else break end
        else
          j = j + 1
        end
      end
      out[#out + 1] = q:sub(i, j)
      i = j + 1
    else
      local a, b = q:find("^[%w_\128-\255']+", i)
      if a then
        local term = q:sub(a, b)
        if term:find("'", 1, true) and q:sub(b + 1, b + 1) ~= ":" then
          -- a space keeps it apart from a string right beside it (""
          -- inside a string is an escaped quote: one string, not two)
          term = (q:sub(a - 1, a - 1) == '"' and ' "' or '"') .. term ..
            (q:sub(b + 1, b + 1) == '"' and '" ' or '"')
        end
        out[#out + 1] = term
        i = b + 1
      else
        out[#out + 1] = c
        i = i + 1
      end
    end
  end
  return table.concat(out)
end

-- c:search(query [, opts]) -> array of documents with `rank` (bm25: lower
-- is better) and `snippet`, best first (ties in corpus order); or nil,
-- message for a query FTS5 cannot parse.  opts: limit (default 10), offset,
-- snippet (default true), mark ({"[", "]"}), tokens (snippet length, 12).
function CorpusDB:search(query, opts)
  check(self)
  if type(query) ~= "string" then error("bad argument #1 to 'search' (string expected)", 2) end
  opts = opts or {}
  local limit, offset = opts.limit or 10, opts.offset or 0
  local mark = opts.mark or { "[", "]" }
  local want_snippet = opts.snippet ~= false
  local mt = doc_metatable()
  return with_db(self, function(raw)
    local sql = "SELECT " .. doc_columns(self.conn, "d.") ..
      ", bm25(documents_fts) AS rank, " ..
      (want_snippet and "snippet(documents_fts, -1, ?, ?, '…', ?)" or "NULL") ..
      " FROM documents_fts JOIN documents d ON d.n = documents_fts.rowid" ..
      " WHERE documents_fts MATCH ? ORDER BY rank, d.seq, d.n"
    local st = raw:prepare(sql)
    if not st then return nil, ("search %q: %s"):format(query, raw:errmsg()) end
    local st_ <close> = st
    local match = fts_query(query)
    if want_snippet then st:bind_values(mark[1], mark[2], opts.tokens or 12, match)
    else st:bind_values(match) end
    local inside
    if self.ns then inside = {}; for _, n in ipairs(self.ns) do inside[n] = true end end
    local out, skipped = {}, 0
    while #out < limit do
      local rc = st:step()
      if rc == sqlite3.DONE then break end
      if rc ~= sqlite3.ROW then return nil, ("search %q: %s"):format(query, raw:errmsg()) end
      if not inside or inside[st:get_value(0)] then
        if skipped < offset then skipped = skipped + 1
        else
          local doc = row_doc(st, mt)
          doc.rank = st:get_value(#DOC_COLUMNS)
          doc.snippet = st:get_value(#DOC_COLUMNS + 1)
          out[#out + 1] = doc
        end
      end
    end
    return out
  end)
end

-- corpus.open of an SQLite file opens it here.
core._set_database(M.open)

return M
