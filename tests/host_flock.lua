-- flock: whole-file locks between processes, released when the holder
-- ends; and under --sandbox, locking is a file access like any other.
local t = require "tap"
local flock = require "flock"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
os.execute("mkdir -p " .. q(dir))
local file = dir .. "/f.db"
local function write(name, text) local f = assert(io.open(name, "wb")); f:write(text); f:close() end
write(file, "x")
local function other(code)   -- what another process gets, as one line
  local out = t.run(CR .. " -e " .. q(code))
  return (out:gsub("\n$", ""))
end
local probe = ("local l, m, why = require('flock').lock(%q, { shared = true }) print(l and 'got' or why)"):format(file)

local a = assert(flock.lock(file))
t.is(other(probe), "busy", "an exclusive lock keeps another process out")
a:release()
t.is(other(probe), "got", "released, the other process gets it")
local s = assert(flock.lock(file, { shared = true }))
t.is(other(probe), "got", "shared locks share")
t.is(other(("print(select(3, require('flock').lock(%q)))"):format(file)), "busy", "but keep an exclusive one out")
s:release()

-- held by a process that dies, however it dies
os.execute(("(%s -e %s) > /dev/null 2>&1 &"):format(CR, q(("local l = require('flock').lock(%q) local f = io.open(%q, 'w') f:write(require('flock').pid()) f:close() while true do end"):format(file, file .. ".held"))))
for _ = 1, 200 do local f = io.open(file .. ".held"); if f and f:read("a") ~= "" then f:close() break end if f then f:close() end os.execute("sleep 0.05") end
local busy, _, why = flock.lock(file)
t.is(why, "busy", "a lock held by a running process")
local pid = io.open(file .. ".held"):read("a"):match("^%d+$")
os.execute("kill -9 " .. tostring(pid))
os.execute("sleep 0.2")
local got = flock.lock(file, { wait = 5 })
t.ok(got and got:held(), "is free once that process is killed")
if got then got:release() end
t.is(busy, nil, "nothing but nil, message, why while busy")

-- waiting
local h = assert(flock.lock(file))
local t0 = os.time()
local none, msg = flock.lock(file, { wait = 0 })
t.ok(none == nil and msg == file .. ": already locked", "a lock this process holds through another lock conflicts too", msg)
h:release()
t.ok(os.time() - t0 < 3, "wait = 0 answers at once")
t.raises(function() flock.lock(file, { wait = -1 }) end, "option 'wait'", "a negative wait is misuse")
t.raises(function() flock.lock(file, { wait = "x" }) end, "option 'wait'", "so is a string")
local m1, m2, m3 = flock.lock(dir .. "/missing")
t.ok(m1 == nil and m2:find("No such file", 1, true) and m3 == "error", "a missing file: nil, message, 'error'")
local c = assert(flock.lock(dir .. "/created", { create = true }))
t.ok(io.open(dir .. "/created") ~= nil, "create = true makes the file")
c:release(); c:release()
t.is(tostring(c), "Lock (released)", "release twice is harmless")

-- Releasing a lock leaves SQLite's own locks on the file alone (closing a
-- descriptor of a file drops all the fcntl locks the process holds on it):
-- a corpus opened from a database keeps the WAL its snapshot reads from,
-- though another process closes the last other connection.
do
  local corpus = require "corpus"
  local db = dir .. "/snap.db"
  local function docs(name, n, word)
    os.execute("mkdir -p " .. q(dir .. "/" .. name))
    for i = 1, n do write(("%s/%s/%d.txt"):format(dir, name, i), word .. " " .. i) end
    return dir .. "/" .. name
  end
  corpus.ingest(docs("a", 5, "alpha"), db)
  local c = assert(corpus.open(db))
  t.run(("%s scripts/ingest.lua -c %s --db %s"):format(CR, q(docs("b", 9, "beta")), q(db)))
  t.ok(io.open(db .. "-wal") ~= nil, "another process wrote into the WAL")
  assert(flock.lock(db)):release()
  local l2 = assert(flock.lock(db, { shared = true }))
  l2:release()
  t.run(("%s -e %s"):format(CR, q(("local s = require 'lsqlite3' local d = s.open(%q) for n in d:urows('SELECT count(*) FROM documents') do end d:close()"):format(db))))
  t.ok(io.open(db .. "-wal") ~= nil, "after locks were taken and released, another process's close cannot delete the WAL under the snapshot")
  local n = 0
  for _ in c:docs() do n = n + 1 end
  t.is_deeply({ #c, n }, { 5, 5 }, "and the snapshot reads as it did")
  c:close()
end

-- under --sandbox
write(dir .. "/s.lua", ("print(pcall(require('flock').lock, %q))\nprint(pcall(require('flock').lock, %q, { create = true }))\n")
  :format("/etc/passwd", dir .. "/new"))
local out = t.run(CR .. " --sandbox " .. q(dir .. "/s.lua"))
t.like(out, "^false\tsandbox: reading '/etc/passwd' is not allowed", "the sandbox refuses to lock a file it cannot read")
t.like(out, "\nfalse\tsandbox: writing '.-/new' is not allowed", "or to create one")
t.is(io.open(dir .. "/new"), nil, "nothing was created")

os.execute("rm -rf " .. q(dir))
t.done()
