-- corpusrun --sandbox, attack class 4: symbolic links inside a granted
-- corpus are not followed out of it, by any way of opening a file: the
-- corpus walk, io.open, gazetteers, SQLite.  Links that stay inside the
-- corpus still work.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
os.execute("mkdir -p " .. q(dir .. "/corpus/sub") .. " " .. q(dir .. "/secret"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
write("corpus/a.txt", "Zakani visited Brussels.\n")
write("corpus/sub/b.txt", "Inside the corpus.\n")
write("secret/shadow.txt", "CANARY visited CANARY.\n")
write("secret/gaz.tsv", "entity\ttype\talias\nCANARY\tPERSON\tCANARY\n")
os.execute("sqlite3 " .. q(dir .. "/secret/s.db") .. " \"CREATE TABLE canary (x); INSERT INTO canary VALUES ('CANARY')\"")
local function ln(target, name) os.execute("ln -s " .. q(target) .. " " .. q(dir .. "/corpus/" .. name)) end
ln(dir .. "/secret", "etcdir")              -- a directory link out of the corpus
ln(dir .. "/secret/shadow.txt", "link.txt")  -- a file link out of the corpus
ln("../secret/gaz.tsv", "gaz.tsv")           -- a relative one
ln(dir .. "/secret/s.db", "s.db")
ln("sub/b.txt", "inside.txt")               -- a link that stays inside
local C = dir .. "/corpus"

local function sandboxed(body)
  local s = write("script.lua", body)
  return t.run(CR .. " -c " .. q(C) .. " --sandbox --max-seconds 5 --max-memory 256M " .. q(s))
end

-- The corpus walk: the documents behind links out of the corpus are not
-- read, listed or counted; each link is a problem saying why.
do
  local out, code, err = sandboxed([[
local corpus = require "corpus"
local c = assert(corpus.open())
for d in c:docs() do print(d.id, (d.text:gsub("\n", ""))) end
for _, id in ipairs(c:ids()) do print("id", id) end
for _, p in ipairs(c:problems()) do print("problem", p.message) end
print("n", #c)
]])
  t.is(code, 0, "the corpus opens", err)
  t.ok(not (out .. err):find("CANARY", 1, true), "no document behind a link out of the corpus is read", out)
  t.ok(not out:find("shadow", 1, true), "nor listed")
  t.like(out, "a%.txt\tZakani visited Brussels%.", "the corpus's own documents are read")
  t.like(out, "inside%.txt\tInside the corpus%.", "a link that stays inside the corpus is followed")
  t.like(out, "problem\t[^\n]*etcdir[^\n]*outside", "the directory link is a problem that says why")
  t.like(out, "problem\t[^\n]*link%.txt[^\n]*outside", "and so is the file link")
end

-- Every other way of opening a file by name.
local WAYS = {
  ["io.open through a directory link"] = "io.open(C .. '/etcdir/shadow.txt'):read('a')",
  ["io.open through a file link"] = "io.open(C .. '/link.txt'):read('a')",
  ["io.lines through a link"] = "io.lines(C .. '/link.txt')()",
  ["corpus.open of a directory link"] = "corpus.open(C .. '/etcdir')",
  ["corpus.open of a file link"] = "corpus.open(C .. '/link.txt')",
  ["corpus.open of a file through a directory link"] = "corpus.open(C .. '/etcdir/shadow.txt')",
  ["match.gazetteer through a relative link"] = "match.gazetteer(C .. '/gaz.tsv')",
  ["g:load through a link"] = "match.gazetteer({}):load(C .. '/etcdir/gaz.tsv')",
  ["sqlite3.open through a link"] = "sqlite3.open(C .. '/s.db'):rows('SELECT x FROM canary')()",
  ["corpusrun.sha256_file through a link"] = "corpusrun.sha256_file(C .. '/link.txt')",
}
local names = {}
for name in pairs(WAYS) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do
  local out, _, err = sandboxed(([[
local C = %q
local corpus, match, sqlite3, corpusrun = require "corpus", require "match", require "lsqlite3", require "corpusrun"
print(pcall(function() return %s end))
]]):format(C, WAYS[name]))
  local all = out .. err
  t.like(all, "'[^']*' is not allowed", name .. ": refused", all)
  t.ok(not all:find("CANARY", 1, true), name .. ": shows nothing of the file")
end

-- Names inside documents are not followed either: an XML document's
-- external entities and XIncludes are not loaded (a guard: the markup
-- reader parses from memory without entity loading or network).
do
  write("corpus/x.xml", '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://' .. dir
    .. '/secret/shadow.txt">]>\n<d><p>Hello &x; world</p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="'
    .. dir .. '/secret/shadow.txt" parse="text"/></d>\n')
  local out, _, err = sandboxed([[for d in require("corpus").open():docs() do print(d.id, d.text) end]])
  t.like(out, "x%.xml\tHello +world", "an XML document is read", err)
  t.ok(not (out .. err):find("CANARY", 1, true), "without its external entity or XInclude")
  os.remove(dir .. "/corpus/x.xml")
end

-- Links inside the corpus work.
do
  local out, code, err = sandboxed(("print(io.open(%q):read('a'))"):format(C .. "/inside.txt"))
  t.is(out, "Inside the corpus.\n\n", "io.open through a link inside the corpus", err)
  t.is(code, 0, "exits 0")
end

os.execute("rm -rf " .. q(dir))
t.done()
