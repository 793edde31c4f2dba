-- What a process that does not use them does not load: ZeroMQ (only the
-- kernel, --kernel, opens it: host/kernel.c), the library modules a corpus
-- and a query's count do not need (query.lua's lazy requires).
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local function maps(code)
  local out, rc, err = t.run(CR .. " -e " .. q(code .. [[
for line in io.lines("/proc/self/maps") do if line:find("libzmq", 1, true) then print("libzmq") break end end]]))
  return rc == 0 and out or ("error: " .. tostring(err))
end
t.is(maps(""), "", "a process does not map ZeroMQ")
t.is(maps([[require "corpus"]]), "", "nor one that opens corpora")

local out = t.run("cd " .. q(t.root) .. " && " .. CR .. " -e " .. q([[
local query = require "query"
local c = assert(require("corpus").open("corpus"))
local r = assert(c:query('"the"%c'))
local loaded = {}
for _, m in ipairs({ "chart", "db", "kwic", "stats" }) do if package.loaded[m] then loaded[#loaded + 1] = m end end
print(#r > 0, table.concat(loaded, " "))
print(#r:format() > 0, package.loaded.kwic ~= nil)]]))
t.is(out, "true\t\ntrue\ttrue\n",
  "opening a corpus and counting a query's hits loads neither chart, db, kwic nor stats; its concordance as text loads kwic")
t.done()
