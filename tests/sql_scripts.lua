-- scripts/ingest.lua and scripts/search.lua from the command line.
local t = require "tap"
local q = t.shell_quote
local db = os.tmpname()
local function cleanup() for _, s in ipairs({ "", "-wal", "-shm" }) do os.remove(db .. s) end end
local run = q(t.corpusrun)

local out, code = t.run(run .. " scripts/ingest.lua -q -c corpus " .. q(db))
t.is(code, 0, "ingest exits 0")
t.like(out, ": 5 added, 0 changed, 0 unchanged, 0 removed %(5 documents%)", "ingest reports its counts")
out = t.run(run .. " scripts/ingest.lua -q -c corpus " .. q(db))
t.like(out, "0 added, 0 changed, 5 unchanged", "a second ingest changes nothing")
out, code = t.run(run .. " scripts/search.lua --format tsv " .. q(db) .. " Zakani")
t.is(code, 0, "search exits 0")
t.like(out, "^000_bffbd40d78d47571%.txt\t%-[%d.]+\tAlireza Zakani", "search prints id, rank, title")
t.like(out, "\tAlireza Zakani, first row", "and a snippet")
out = t.run(run .. " scripts/search.lua -n 2 " .. q(db) .. " Iran")
local n = 0
for _ in out:gmatch("%.txt  ") do n = n + 1 end
t.is(n, 2, "-n limits the documents shown")
local _, c2, err = t.run(run .. " scripts/search.lua " .. q(db) .. " '\"unbalanced'")
t.ok(c2 ~= 0 and err:find("unterminated string"), "a bad query fails with FTS5's message", err)
local _, c3, err3 = t.run(run .. " scripts/search.lua " .. q(db .. ".missing") .. " x")
t.ok(c3 ~= 0 and err3 ~= "", "a missing database fails", err3)
cleanup()
t.done()
