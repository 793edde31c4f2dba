-- corpusrun --sandbox: every known escape is tried and refused with a clear
-- error, and an ordinary script with declared inputs and outputs still runs.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
os.execute("mkdir -p " .. q(dir .. "/corpus") .. " " .. q(dir .. "/out"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
write("corpus/a.txt", "Zakani visited Brussels.\n")
write("secret.txt", "secret\n")
os.execute("ln -s " .. q(dir .. "/secret.txt") .. " " .. q(dir .. "/corpus/link.txt"))

-- Runs `body` as a sandboxed script on the test corpus; returns out, code, err.
local function sandboxed(body, extra, opts)
  local s = write("script.lua", body)
  return t.run(CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox " .. (opts or "--max-seconds 5 --max-memory 64M")
    .. " " .. q(s) .. " " .. (extra or ""))
end

local function refused(body, pattern, name, opts)
  local out, code, err = sandboxed(body, nil, opts)
  t.is(code, 1, name .. ": the script fails", out .. err)
  t.like(err, pattern, name .. ": with a clear error")
end

local function prints(body, want, name)
  local out, code, err = sandboxed(body)
  t.is(out, want, name, err)
  t.is(code, 0, name .. ": exits 0")
end

-- Code loading.
prints([[print(load("\27Lua"))]], "nil\tattempt to load a binary chunk (mode is 't')\n", "bytecode through load is refused")
prints([[print(string.dump, debug, dofile, loadfile, package.loadlib, package.searchers, package.cpath)]],
  "nil\tnil\tnil\tnil\tnil\tnil\tnil\n", "no string.dump, debug, dofile, loadfile, loadlib, searchers")
prints([[print(os.execute, os.remove, os.rename, os.tmpname, io.popen, os.getenv("HOME"))]], "nil\tnil\tnil\tnil\tnil\tnil\n", "no process, environment or file-system calls")
prints([[local c = package.preload.corpus() print(pcall(c.open, "/etc"))]], "false\tsandbox: reading '/etc' is not allowed (only the corpus and the paths given on the command line to the script's declared inputs can be read, and to its declared outputs written)\n",
  "package.preload hands out the sandbox's own modules")
refused([[require "socket"]], "module 'socket' not found", "require of a C module from the path")
refused([[collectgarbage("stop")]], "collectgarbage only answers 'count' and 'collect'", "collectgarbage beyond count and collect")
refused([[collectgarbage("generational")]], "collectgarbage only answers 'count' and 'collect'", "collectgarbage cannot change mode")

-- Shared metatables and library tables.
prints([[print(getmetatable(""))]], "protected\n", "the string metatable is out of reach")
refused([[getmetatable("").__index = {}]], "attempt to index a string value", "tampering with the string metatable's __index")
refused([[string.rep = function() end]], "string%.rep is read%-only", "library tables are read-only")
refused([[setmetatable(string, {})]], "cannot change a protected metatable", "library metatables cannot be replaced")
refused([[getmetatable(io.stdout).__index.write = nil]], "attempt to index a nil value", "the file metatable is protected")

-- Memory and time.
refused([[local s = ("x"):rep(1 << 40)]], "string%.rep of %d+ bytes exceeds the memory limit", "string.rep bomb through the string metatable")
refused([[local t = {} for i = 1, 1e9 do t[i] = {i, i, i, i} end]], "not enough memory", "a table that grows without end")
refused([[local s = ("x"):rep(2^61, "yy")]], "string%.rep of %d+ bytes exceeds the memory limit", "string.rep whose size overflows an integer")
refused([[local s = ("xy"):rep(math.maxinteger, "z")]], "string%.rep of %d+ copies of 3 bytes exceeds the memory limit", "string.rep whose size overflows size_t")
refused([[local s = string.rep("x", 1e300)]], "number has no integer representation", "string.rep of a count that is no integer")
refused([[while true do pcall(function() while true do end end) end]], "CPU time limit exceeded", "an infinite loop inside pcall", "--max-seconds 1")
refused([[local co = coroutine.wrap(function() while true do end end) co()]], "CPU time limit exceeded", "an infinite loop inside a coroutine", "--max-seconds 1")
refused([[xpcall(function() while true do end end, function() while true do end end) error("after")]], "CPU time limit exceeded", "a looping message handler", "--max-seconds 1")
do
  local _, code, err = sandboxed([[local function f() return 1 + f() end f()]])
  t.is(code, 1, "deep recursion: the script fails")
  t.ok(err:find("stack overflow", 1, true) or err:find("not enough memory", 1, true),
    "deep recursion: stopped by the stack or the memory limit", err)
end
refused([[local s = ("a"):rep(60) .. "b" print(s:find(("a*"):rep(12) .. "c"))]], "CPU time limit exceeded", "a runaway C function is stopped by the OS limit", "--max-seconds 1")
refused([[local s = ("y"):rep(1 << 16) for i = 1, 1000 do io.write(s) end]], "output limit exceeded", "huge output", "--max-output 1M --max-seconds 5")

-- Files.
refused([[io.open("a.txt")]], "reading 'a%.txt' is not allowed", "relative names resolve against the working directory, not the corpus")
refused([[io.open("/etc/passwd")]], "reading '/etc/passwd' is not allowed", "reading outside the corpus")
refused([[io.open("]] .. dir .. [[/corpus/../secret.txt")]], "reading '.-%.%./secret%.txt' is not allowed", "reading through ..")
refused([[io.open("]] .. dir .. [[/corpus/link.txt")]], "reading '.-link%.txt' is not allowed", "reading through a symlink out of the corpus")
refused([[io.open("]] .. dir .. [[/out/x.txt", "w")]], "writing '.-x%.txt' is not allowed", "writing a file that is no declared output")
refused([[io.lines("/etc/passwd")]], "reading '/etc/passwd' is not allowed", "io.lines outside the corpus")
prints([[for l in io.lines("]] .. dir .. [[/corpus/a.txt") do print(l) end]], "Zakani visited Brussels.\n", "reading inside the corpus works")
do -- a FIFO inside the corpus does not hold the script (its limit is CPU time, not waiting)
  os.execute("mkfifo " .. q(dir .. "/corpus/fifo"))
  local s = write("script.lua", [[print(#io.open("]] .. dir .. [[/corpus/fifo"):read("a"))]])
  local out, code, err = t.run("timeout 20 " .. CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox " .. q(s))
  t.is(out, "0\n", "opening a FIFO in the corpus does not wait for a writer", err)
  t.is(code, 0, "and the script ends")
  os.remove(dir .. "/corpus/fifo")
end

-- SQLite: no other database files, no extensions, read-only inputs, time limit.
do
  os.execute("sqlite3 " .. q(dir .. "/other.db") .. " 'CREATE TABLE secret (x); INSERT INTO secret VALUES (42)'")
  os.execute("cp " .. q(dir .. "/other.db") .. " " .. q(dir .. "/corpus/input.db"))
  refused([[local db = require("lsqlite3").open_memory()
    assert(db:exec("ATTACH ']] .. dir .. [[/other.db' AS o") == 0, db:errmsg())]], "too many attached databases", "SQLite ATTACH of another file")
  refused([[local db = require("lsqlite3").open_memory()
    db:exec("CREATE TABLE t (x)")
    assert(db:exec("VACUUM INTO ']] .. dir .. [[/out/copy.db'") == 0, db:errmsg())]], "too many attached databases", "SQLite VACUUM INTO another file")
  t.ok(not io.open(dir .. "/out/copy.db"), "VACUUM INTO wrote nothing")
  refused([[local db = require("lsqlite3").open_memory() db:load_extension("/tmp/x.so")]], "not supported", "SQLite load_extension")
  refused([[require("lsqlite3").open("]] .. dir .. [[/other.db", require("lsqlite3").OPEN_READONLY)]],
    "sandbox: reading '.-other%.db' is not allowed", "opening a database outside the corpus to read it")
  refused([[require("lsqlite3").open("]] .. dir .. [[/other.db")]], "sandbox: writing '.-other%.db' is not allowed", "opening a database outside the corpus")
  refused([[local db = require("lsqlite3").open("]] .. dir .. [[/corpus/input.db")
    assert(db:exec("INSERT INTO secret VALUES (1)") == 0, db:errmsg())]], "readonly database", "a database in the corpus opens read-only")
  refused([[local db = require("lsqlite3").open_memory()
    for r in db:nrows("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c") do print(r) end]],
    "interrupted", "a runaway query stops at the CPU-time limit", "--max-seconds 1")
end

-- os.exit ends the script with its status.
do
  local _, code = sandboxed([[os.exit(7)]])
  t.is(code, 7, "os.exit(7) exits 7")
end

-- An ordinary script with a declared output option runs unchanged.
do
  local body = [[
local spec = { name = "wc", version = "1.0", description = "Counts lines of the corpus.",
  options = { { name = "out", type = "output", help = "result file" },
              { name = "corpus", short = "c", type = "corpus", help = "corpus" } } }
local cli = require "cli"
local o = cli.parse(spec, arg)
local n = 0
for l in io.lines((o.corpus or "]] .. dir .. [[/corpus") .. "/a.txt") do n = n + 1 end
local f = assert(io.open(o.out, "w")); f:write(n, "\n"); f:close()
print("wrote " .. n)
]]
  local out, code, err = sandboxed(body, "--out " .. q(dir .. "/out/result.txt"))
  t.is(out, "wrote 1\n", "a declared output is written", err)
  t.is(code, 0, "the script exits 0")
  local f = io.open(dir .. "/out/result.txt"); t.is(f and f:read("a"), "1\n", "the output file holds the result"); if f then f:close() end
  out = sandboxed(body, "--help")
  t.like(out, "Counts lines of the corpus", "--help works under the sandbox")

  -- Names derived from a declared output: only the host's receipt sidecar.
  local function writes(name)
    return body:gsub('print%("wrote " %.%. n%)', 'local g = assert(io.open(o.out .. "' .. name .. '", "w")) g:write("x") g:close()')
  end
  local _, code2, err2 = sandboxed(writes(".evil"), "--out " .. q(dir .. "/out/result.txt"))
  t.is(code2, 1, "writing OUT.evil beside a declared output fails")
  t.like(err2, "writing '.-result%.txt%.evil' is not allowed", "with a clear error")
  t.ok(not io.open(dir .. "/out/result.txt.evil"), "and OUT.evil was not created")
  _, code2, err2 = sandboxed(writes(".receipt.json.sh"), "--out " .. q(dir .. "/out/result.txt"))
  t.is(code2, 1, "writing OUT.receipt.json.sh is refused too", err2)
  _, code2, err2 = sandboxed(writes(".receipt.json"), "--out " .. q(dir .. "/out/result.txt"))
  t.is(code2, 0, "the receipt sidecar OUT.receipt.json may be written", err2)
end

-- An output whose directory is missing is reported as missing, whether the
-- script's own option parsing or the write finds it.
do
  local spec = [[local spec = { name = "o", version = "1", description = "d",
  options = { { name = "out", type = "output", help = "result" } } }
]]
  local out, code, err = sandboxed(spec .. [[local o = require("cli").parse(spec, arg)]], "--out " .. q(dir .. "/nodir/x.csv"))
  t.is(code, 2, "a missing output directory: cli.parse fails as without the sandbox", out .. err)
  t.like(err, "directory '[^']*/nodir' of output '[^']*/nodir/x%.csv' does not exist", "and says the directory does not exist")
  out, code, err = sandboxed(spec .. [[print(io.open(arg[2], "w"))]], "--out " .. q(dir .. "/nodir/x.csv"))
  t.like(out, "^nil\tsandbox: cannot write '[^']*/nodir/x%.csv': the directory '[^']*/nodir' does not exist", "io.open says so too", err)
  t.is(code, 0, "as a failure to open, not a refusal")
end

-- The scripts analysts share run unchanged, writing their declared outputs.
do
  local out_plain, out_sand = dir .. "/out/plain.csv", dir .. "/out/sand.csv"
  local _, c1 = t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/mentions.lua --format csv --out " .. q(out_plain))
  local _, c2, e2 = t.run("cd " .. q(t.root) .. " && " .. CR .. " --sandbox scripts/mentions.lua --format csv --out " .. q(out_sand))
  t.is(c1, 0, "mentions.lua runs")
  t.is(c2, 0, "mentions.lua runs unchanged under --sandbox", e2)
  local a, b = io.open(out_plain), io.open(out_sand)
  t.ok(a and b and a:read("a") == b:read("a"), "and writes the same result")
  if a then a:close() end
  if b then b:close() end
  local _, c3 = t.run("cd " .. q(t.root) .. " && " .. CR .. " --sandbox scripts/freq.lua --top 5")
  t.is(c3, 0, "freq.lua runs under --sandbox")
end

-- Misuse of the option.
do
  local _, code, err = t.run(CR .. " --sandbox -e 'print(1)'")
  t.is(code, 1, "--sandbox with -e fails")
  t.like(err, "%-%-sandbox runs a script file", "and says why")
  _, code, err = t.run(CR .. " --sandbox --max-memory lots x.lua")
  t.is(code, 1, "a bad --max-memory fails")
  t.like(err, "bad value for '%-%-max%-memory': 'lots'", "and names the value")
end

os.execute("rm -rf " .. q(dir))
t.done()
