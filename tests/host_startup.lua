-- What a process that does not use them does not load: ZeroMQ (only the
-- kernel, --kernel, opens it: host/kernel.c), libxml2 and its ICU (opened
-- when an HTML or XML document is read: host/text/load_markup.c),
-- libarchive (when an archive is: load_corpus.c), the library modules a
-- corpus and a query's count do not need (query.lua's lazy requires).
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

-- the libraries of names mapped after code ran, space-separated, sorted
local LIBS = { "libzmq", "libxml2", "libicuuc", "libarchive" }
local function maps(code)
  local out, rc, err = t.run("cd " .. q(t.root) .. " && " .. CR .. " -e " .. q(code .. [[

local seen = {}
for line in io.lines("/proc/self/maps") do
  for _, l in ipairs({ ]] .. ("%q, "):rep(#LIBS):format(table.unpack(LIBS)) .. [[ }) do
    if line:find("/" .. l, 1, true) then seen[l] = true end
  end
end
local out = {}
for l in pairs(seen) do out[#out + 1] = l end
table.sort(out)
io.write(table.concat(out, " "))]]))
  return rc == 0 and out or ("error: " .. tostring(err))
end
t.is(maps(""), "", "a process maps none of ZeroMQ, libxml2, ICU, libarchive")
t.is(maps([[local c = require "corpus"; for d in c.open("corpus"):docs() do end]]), "",
  "nor one that reads a directory of text files")
local dir = t.tempdir()
local f = assert(io.open(dir .. "/a.html", "wb"))
f:write("<html><head><title>T</title></head><body><p>Hello</p></body></html>")
f:close()
t.is(maps(([[local c = require "corpus"; for d in c.open(%q):docs() do assert(d.text == "Hello") end]]):format(dir .. "/a.html")),
  "libicuuc libxml2", "reading HTML opens libxml2 (and its ICU)")
os.execute("tar czf " .. q(dir .. "/b.tar.gz") .. " -C " .. q(t.root .. "/corpus") .. " $(ls " .. q(t.root .. "/corpus")
  .. " | head -2)")
t.is(maps(([[local n = 0; for d in require("corpus").open(%q):docs() do n = n + 1 end; assert(n == 2)]]):format(
  dir .. "/b.tar.gz")), "libarchive libicuuc libxml2", "reading an archive opens libarchive (which needs libxml2)")

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
