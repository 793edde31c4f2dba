-- bench/lib/bench.lua: the harness for jobs written in Lua (bench/*.lua, run
-- with lua5.4); each call goes through bench/lib/bench.sh, so rows land in the
-- same results file with the same measurements.
--
--   local bench = require "bench"
--   local dir = bench.data("dir")
--   bench.table("mine", "My job", dir)
--   bench.ref("wc -w", "find " .. dir .. " -type f -print0 | xargs -0 wc -w")
--   bench.run("my command", "...")
--   bench.na("other", "not yet available")
local bench = {}

local root = os.getenv("BENCH_ROOT") or "."
local current = ""

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function call(fn, ...)
  local args = {}
  for i, a in ipairs({ ... }) do args[i] = q(a) end
  local cmd = "BENCH_TABLE=" .. q(current) .. " bash -c " ..
    q(". " .. q(root .. "/bench/lib/bench.sh") .. " && " .. fn .. ' "$@"') .. " bench " .. table.concat(args, " ")
  return cmd
end

local function run(fn, ...) return os.execute(call(fn, ...)) == true end

local function capture(fn, ...)
  local p = assert(io.popen(call(fn, ...)))
  local out = p:read("a")
  local ok = p:close()
  return ok and (out:gsub("\n$", "")) or nil
end

--- The path of a data set (see bench/lib/data.lua), built if needed.
function bench.data(kind, size) return capture("bench_data", kind, size) end

--- One fact about a data set (bytes, tokens, docs, types, ...).
function bench.meta(path, key) return capture("bench_meta", path, key) end

--- Start a table measured on data set `data`.
function bench.table(id, title, data, note)
  current = id
  return run("bench_table", id, title, data, note or "")
end

--- The table's reference command; a measured command; a row that cannot run.
function bench.ref(label, cmd) return run("bench_ref", label, cmd) end
function bench.run(label, cmd) return run("bench_run", label, cmd) end
function bench.na(label, why) return run("bench_na", label, why) end

return bench
