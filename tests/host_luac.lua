-- The library precompiled (tools/luac.lua, host.c's search_compiled): a
-- module of lib/lua loads from its bytecode while its source is the one
-- compiled, under the source's name (the same messages and tracebacks);
-- an edited source, a module of the same name found first on the path, or
-- damaged bytecode are read from the source.  Run on a copy of the binary
-- beside a copy of the library, so that the sources can be edited.
local t = require "tap"
local q = t.shell_quote

local build = os.getenv("CORPUSRUN_BUILD") or (t.root .. "/build")
local f = io.open(build .. "/luac/corpus.luac", "rb")
if not f then t.skip_all("the library is not precompiled in " .. build .. " (make all)") end
f:close()

-- dir/build/corpusrun, dir/lib/lua (copied), dir/build/luac (compiled here)
local dir = t.tempdir()
local real = io.popen("cd " .. q(dir) .. " && pwd -P"):read("l")
assert(os.execute("mkdir -p " .. q(dir .. "/build/luac") .. " " .. q(dir .. "/lib")
  .. " && cp " .. q(t.corpusrun) .. " " .. q(dir .. "/build/corpusrun")
  .. " && cp -R " .. q(t.root .. "/lib/lua") .. " " .. q(dir .. "/lib/lua")))
local CR = q(dir .. "/build/corpusrun")
local function compile(name, from)
  local _, code, err = t.run(CR .. " -E " .. q(t.root .. "/tools/luac.lua") .. " " .. q(dir .. "/build/luac/" .. name .. ".luac")
    .. " " .. q(from or (dir .. "/lib/lua/" .. name .. ".lua")) .. " " .. q(real .. "/lib/lua/" .. name .. ".lua"))
  return code == 0, err
end
for _, m in ipairs({ "corpus", "json", "report", "chart", "receipt" }) do
  t.ok(compile(m), "tools/luac.lua compiles " .. m)
end

-- what package.searchers[2] says of a module: "bytecode PATH", or "none"
local PROBE = [[local f, p = package.searchers[2](...); print(type(f) == "function" and "bytecode " .. p or "none")]]
local function probe(name, first)
  local code0 = first and ("package.path = %q .. ';' .. package.path; "):format(first) or ""
  local out, code, err = t.run(CR .. " -e " .. q(code0 .. PROBE:gsub("%.%.%.", ("%q"):format(name))))
  return code == 0 and out:gsub("\n$", "") or ("error: " .. tostring(err))
end

t.is(t.run(CR .. " -e " .. q("print(#package.searchers)")), "5\n",
  "one searcher more than Lua's four: the library's bytecode, after package.preload's")
t.is(probe("json"), "bytecode " .. real .. "/lib/lua/json.lua", "an unchanged module loads from its bytecode")
t.is(probe("stats"), "none", "a module without bytecode is left to the file searcher")
t.is(probe("tap"), "none", "and so is a module outside the library")

-- the same message and traceback from the bytecode as from the source
local BAD = [[local r = require "report"; r.render(nil, 5)]]
local _, _, e1 = t.run(CR .. " -e " .. q(BAD))
t.like(e1, "lib/lua/report%.lua:%d+: in function 'report%.render'", "a traceback names the source file and line")
os.remove(dir .. "/build/luac/report.luac")
local _, _, e2 = t.run(CR .. " -e " .. q(BAD))
t.is(e1, e2, "the same error and traceback as from the source")

-- an edited source is read from the file: bytecode of other bytes is not used
local src = dir .. "/lib/lua/json.lua"
local g = assert(io.open(src, "rb")); local text = g:read("a"); g:close()
local other = dir .. "/other.lua"
g = assert(io.open(other, "wb")); g:write("FROM_BYTECODE = true\n", text); g:close()
t.ok(compile("json", other), "bytecode compiled from other bytes")
t.is(probe("json"), "none", "bytecode of other bytes than the source is not used")
g = assert(io.open(src, "wb")); g:write("FROM_SOURCE = true\n", text); g:close()
local out = t.run(CR .. " -e " .. q([[require "json"; print(FROM_SOURCE, FROM_BYTECODE)]]))
t.is(out, "true\tnil\n", "the edited source is what runs")
t.ok(compile("json"), "compiled again")
out = t.run(CR .. " -e " .. q([[require "json"; print(FROM_SOURCE, FROM_BYTECODE)]]))
t.is(out, "true\tnil\n", "and its bytecode gives the same")
t.is(probe("json"), "bytecode " .. real .. "/lib/lua/json.lua", "once compiled again it is used")

-- a module of the same name first on the path is that module
local mine = dir .. "/mine"
os.execute("mkdir -p " .. q(mine))
g = assert(io.open(mine .. "/json.lua", "wb")); g:write("return 'mine'\n"); g:close()
t.is(probe("json", mine .. "/?.lua"), "none",
  "a module of the same name earlier on the path is not the library's")

-- damaged or truncated bytecode: the source
for _, case in ipairs({ { "truncated", function(s) return s:sub(1, #s // 2) end },
                        { "damaged", function(s) return s:sub(1, 120) .. "\0\0\0\0" .. s:sub(125) end },
                        { "empty", function() return "" end } }) do
  local bc = dir .. "/build/luac/chart.luac"
  t.ok(compile("chart"), "chart compiled")
  g = assert(io.open(bc, "rb")); local b = g:read("a"); g:close()
  g = assert(io.open(bc, "wb")); g:write(case[2](b)); g:close()
  local o, code, err = t.run(CR .. " -e " .. q([[print(type(require "chart".bar))]]))
  t.ok(code == 0 and o == "function\n", case[1] .. " bytecode: the module still loads", err)
end

t.done()
