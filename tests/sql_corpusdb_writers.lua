-- corpusdb under concurrency: one ingest at a time, a database an ingest
-- left unfinished is refused until it is completed, and a corpus opened
-- from a database reads one snapshot while other processes write.  The
-- other processes are real ones (corpusrun started in the background),
-- paced by files so that every interleaving is deterministic.
local t = require "tap"
local corpus = require "corpus"
local corpusdb = require "corpusdb"
local sqlite3 = require "lsqlite3"

local bin = os.getenv("CORPUSRUN") or "corpusrun"
local q = t.shell_quote
local tmp = os.tmpname()
os.remove(tmp)
local work = tmp .. ".w"
assert(os.execute("mkdir -p " .. q(work)))
local function path(name) return work .. "/" .. name end
local function exists(name) local f = io.open(name, "rb"); if f then f:close() end; return f ~= nil end
local function slurp(name) local f = io.open(name, "rb"); if not f then return nil end; local s = f:read("a"); f:close(); return s end
local function write(name, text) local f = assert(io.open(name, "wb")); f:write(text); f:close() end
local function await(name, what)
  for _ = 1, 600 do
    if exists(name) then return true end
    os.execute("sleep 0.05")
  end
  error("timed out waiting for " .. what, 0)
end
local function dir_corpus(name, n, word)
  local d = path(name)
  assert(os.execute("mkdir -p " .. q(d)))
  for i = 1, n do write(("%s/%s%03d.txt"):format(d, name, i), ("%s %d\nsome text of %s."):format(word, i, name)) end
  return d
end

-- A writer that stores `total` documents one per transaction and stops
-- after `pause` of them until NAME.go exists (NAME.started says it got
-- there, with its pid); it writes its exit status to NAME.rc.
local writer = path("writer.lua")
write(writer, [[
local corpusdb = require "corpusdb"
local flock = require "flock"
local db, name, pause, total = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
local src = { docs = function()
  local i = 0
  return function()
    i = i + 1
    if i == pause + 1 then
      local f = assert(io.open(name .. ".started", "w")); f:write(flock.pid()); f:close()
      local waited = 0
      while not io.open(name .. ".go") do   -- a test that failed early stops us too
        os.execute("sleep 0.05")
        waited = waited + 1
        if waited > 1200 then os.exit(3) end
      end
    end
    if i > total then return nil end
    local text = "writer document " .. i
    return { id = ("w%04d"):format(i), path = "", title = "", text = text, bytes = #text, meta = {} }
  end
end }
corpusdb.ingest(src, db, { batch = 1 })
]])
local function start_writer(db, name, pause, total)
  local n = path(name)
  os.execute(("(%s %s %s %s %d %d > %s 2>&1; echo $? > %s) < /dev/null > /dev/null 2>&1 &"):format(q(bin), q(writer), q(db), q(n),
    pause, total, q(n .. ".out"), q(n .. ".rc")))
  await(n .. ".started", name .. " to start")
  return n
end
local function run(cmd)
  local out = path("cmd.out")
  local ok = os.execute(cmd .. " > " .. q(out) .. " 2>&1")
  return ok == true, slurp(out) or ""
end
local function ingest_cmd(source, db, extra)
  return ("%s scripts/ingest.lua -c %s --db %s %s"):format(q(bin), q(source), q(db), extra or "")
end
local function count(db, sql)
  local r = sqlite3.open(db, sqlite3.OPEN_READONLY)
  local v
  for x in r:urows(sql) do v = x end
  r:close()
  return v
end

-- 1. One writer at a time -------------------------------------------------------
do
  local db = path("one.db")
  local other = dir_corpus("other", 12, "other")
  local w = start_writer(db, "w1", 3, 40)
  local ok, out = run(ingest_cmd(other, db))
  t.ok(not ok, "a second ingest while one is writing fails")
  t.like(out, "another ingest is writing this database %(pid %d+, since ", "and says that another ingest holds it")
  t.ok(not out:find("UNIQUE constraint", 1, true), "not a constraint error", out)
  t.ok(not out:find("traceback", 1, true), "no traceback", out)
  t.like(out, "scripts/ingest%.lua %-%-wait SECONDS", "and how to wait for it")
  t.raises(function() corpusdb.ingest(other, db, { wait = -1 }) end, "option 'wait' must be a number of seconds",
    "a negative wait is misuse")
  local okw, outw = run(ingest_cmd(other, db, "--wait 0.3"))
  t.ok(not okw and outw:find("waited 0.3 s", 1, true), "--wait: it says how long it waited", outw)
  -- the same while the first writer is held: an ingest that waits long
  -- enough goes ahead once the first has finished
  os.execute(("(%s > %s 2>&1; echo $? > %s) < /dev/null > /dev/null 2>&1 &"):format(ingest_cmd(other, db, "--wait 30"),
    q(path("w2.out")), q(path("w2.rc"))))
  os.execute("sleep 0.3")
  t.ok(not exists(path("w2.rc")), "an ingest given --wait waits")
  write(w .. ".go", "")
  await(w .. ".rc", "the first writer")
  t.is(slurp(w .. ".rc"), "0\n", "the first ingest completes", slurp(w .. ".out"))
  await(path("w2.rc"), "the waiting writer")
  t.is(slurp(path("w2.rc")), "0\n", "the waiting ingest then completes", slurp(path("w2.out")))
  t.is(count(db, "SELECT count(*) FROM documents"), 12, "the database holds the last corpus whole")
  t.is(count(db, "SELECT value FROM corpusrun_meta WHERE key = 'documents'"), "12", "and says so")
  t.is(count(db, "SELECT count(*) FROM documents WHERE id LIKE 'w%'"), 0, "nothing of the other is mixed in")
  local c = assert(corpus.open(db))
  t.is(#c, 12, "and opens")
  c:close()
end

-- 2. A database an ingest left unfinished --------------------------------------------
do
  local db = path("killed.db")
  local w = start_writer(db, "k1", 5, 40)
  local c, msg = corpus.open(db)
  t.is(c, nil, "a database being written does not open")
  t.like(msg or "", "an ingest is writing this database %(pid %d+, since .-; 5 documents so far%): open it when",
    "and says an ingest is writing it")
  local pid = assert(tonumber(slurp(w .. ".started")))
  os.execute("kill -9 " .. pid)
  await(w .. ".rc", "the killed writer")
  t.is(slurp(w .. ".rc"), "137\n", "the writer was killed mid-ingest")
  t.is(count(db, "SELECT count(*) FROM documents"), 5, "five documents were committed before it")
  c, msg = corpus.open(db)
  t.is(c, nil, "the killed ingest's database does not open as a corpus")
  t.like(msg or "", "incomplete: an ingest stopped before it finished %(5 documents stored%); run the ingest of its "
    .. "corpus again to complete it: corpusrun scripts/ingest.lua %-c SOURCE %-%-db ", "it says it is incomplete and how to resume")
  local part = assert(corpusdb.open(db, { incomplete = true }))
  t.is(#part, 5, "incomplete = true opens it to look at")
  part:close()
  -- the scripts' command line reports it as well
  local ok, out = run(("%s scripts/freq.lua -c %s"):format(q(bin), q(db)))
  t.ok(not ok and out:find("incomplete", 1, true), "a script given it stops with the message", out)
  -- resuming: an ingest of the full source completes it
  local full = dir_corpus("full", 8, "full")
  local okr, outr = run(ingest_cmd(full, db))
  t.ok(okr, "the resumed ingest succeeds", outr)
  c, msg = corpus.open(db)
  t.ok(c and #c == 8, "and the database opens whole", msg)
  if c then c:close() end

  -- a source that fails leaves the database unfinished, naming the source
  local db2 = path("failed.db")
  local src2 = dir_corpus("src2", 3, "two")
  assert(run(ingest_cmd(src2, db2)))
  local failing = { docs = function() error("the source failed", 0) end }
  t.raises(function() corpusdb.ingest(failing, db2) end, "the source failed", "a failing source raises")
  local c2, m2 = corpus.open(db2)
  t.is(c2, nil, "and the database it was updating is refused")
  t.like(m2 or "", "incomplete: an ingest stopped before it finished %(3 documents stored%)", "as incomplete", m2)

  -- the state an older corpusrun left when killed: no mark, no count
  local db3 = path("old.db")
  assert(run(ingest_cmd(src2, db3)))
  local r = sqlite3.open(db3)
  r:exec("DELETE FROM corpusrun_meta WHERE key = 'documents'")
  r:close()
  local c3, m3 = corpus.open(db3)
  t.ok(c3 == nil and m3:find("incomplete: no ingest finished writing it (3 documents stored)", 1, true),
    "a database without its document count is incomplete too", m3)
  -- and one whose count disagrees (two writers once interleaved)
  r = sqlite3.open(db3)
  r:exec("INSERT INTO corpusrun_meta (key, value) VALUES ('documents', '4000')")
  r:close()
  local c4, m4 = corpus.open(db3)
  t.ok(c4 == nil and m4:find("inconsistent: it holds 3 documents where its last ingest recorded 4000", 1, true),
    "a count that disagrees is reported", m4)
end

-- 3. One snapshot for a corpus's life ------------------------------------------------------
do
  local db = path("snap.db")
  local first = dir_corpus("snap", 6, "snap")
  assert(run(ingest_cmd(first, db)))
  local c = assert(corpus.open(db))
  local ids0 = c:ids()
  t.is(#c, 6, "six documents at open")
  -- another process rewrites the database: more documents, one changed, one gone
  local second = dir_corpus("snap2", 9, "again")
  local ok, out = run(ingest_cmd(second, db))
  t.ok(ok, "another process ingests into it meanwhile", out)
  t.is(count(db, "SELECT count(*) FROM documents"), 9, "the database now holds nine")
  t.is(#c, 6, "#c still says six")
  local n = 0
  for _ in c:docs() do n = n + 1 end
  t.is(n, 6, "c:docs() gives six")
  t.is_deeply(c:ids(), ids0, "c:ids() is the same")
  t.is(c:get("snap2001.txt"), nil, "c:get does not see the new documents")
  local folded = c:fold(function() return { n = 0 } end, function(acc) acc.n = acc.n + 1 end,
    { jobs = 2, merge = function(a, b) return { n = a.n + b.n } end })
  t.is(folded.n, 6, "a fold on two workers counts six")
  t.is(#c:filter(function() return true end), 6, "a sub-corpus is of the same snapshot")
  c:close()
  local c2 = assert(corpus.open(db))
  t.is(#c2, 9, "a corpus opened afterwards sees the new state")
  c2:close()
end

os.execute("rm -rf " .. q(work))
t.done()
