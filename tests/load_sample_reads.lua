-- A sample of a corpus reads only its own documents: the others are not
-- opened (single-document files) or not built (documents of a JSON Lines
-- file), and a sample gives the same documents whatever the format.
local t = require "tap"
local corpus = require "corpus"

local dir = t.tempdir()
for i = 1, 20 do
  local f = assert(io.open(dir .. ("/d%02d.txt"):format(i), "wb"))
  -- d07 is Latin-1: reading it records a problem (decoded with a fallback)
  f:write(i == 7 and "caf\xe9 number 7\n" or ("plain words number " .. i .. "\n"))
  f:close()
end

local c = assert(corpus.open(dir, { on_error = "skip" }))
local s = c:sample(3, 0)
local ids = s:ids()
t.is(#ids, 3, "the sample has 3 documents")
local in_sample = {}
for _, id in ipairs(ids) do in_sample[id] = true end
t.ok(not in_sample["d07.txt"], "d07.txt is not in the sample (seed 0)")
local seen = {}
for doc in s:docs() do seen[#seen + 1] = doc.id end
t.is_deeply(seen, ids, "the sample's documents, in corpus order")
t.is(#c:problems(), 0, "iterating the sample did not read d07.txt")
t.is(#s, 3, "#sample")
-- a filter of a sample reads the sample's documents only
local sf = s:filter(function(doc) return doc.id ~= ids[1] end)
t.is(#sf:ids(), 2, "a filter of a sample")
t.is(#c:problems(), 0, "and still d07.txt unread")
-- a sample of a filtered corpus keeps the filter (the filter reads them all)
local f = c:filter(function(doc) return doc.text:find("number 1", 1, true) ~= nil end)
local fs = f:sample(2, 0)
local n = 0
for doc in fs:docs() do
  n = n + 1
  t.ok(doc.text:find("number 1", 1, true), "a sample of a filter keeps the filter: " .. doc.id)
end
t.is(n, 2, "a sample of a filter has its 2 documents")
for _ in c:docs() do end
t.is(#c:problems(), 1, "the whole corpus reads d07.txt")

-- c:subset: the same, for a list or a set of ids
local sub = c:subset({ "d03.txt", "d01.txt", "nope.txt" })
t.is(#sub, 2, "a subset counts the documents it found")
t.is_deeply(sub:ids(), { "d01.txt", "d03.txt" }, "in corpus order")
local texts = {}
for doc in c:subset({ ["d02.txt"] = true, ["d07.txt"] = false }):docs() do texts[#texts + 1] = doc.id end
t.is_deeply(texts, { "d02.txt" }, "a set of ids: only those set to true")
local fresh = assert(corpus.open(dir, { on_error = "skip" }))
for _ in fresh:subset({ "d06.txt", "d08.txt" }):docs() do end
t.is(#fresh:problems(), 0, "a subset does not read its neighbours (d07.txt)")
for _ in fresh:subset({ "d07.txt" }):docs() do end
t.is(#fresh:problems(), 1, "but reads its own")
t.raises(function() c:subset({ 1, 2 }) end, "an array of ids", "ids must be strings")
t.raises(function() c:subset("d01.txt") end, "table expected", "ids must be a table")

-- JSON Lines: the same ids sampled as from the directory
local jl = dir .. "/all.jsonl"
local out = assert(io.open(jl, "wb"))
for i = 1, 20 do out:write(('{"id": "d%02d.txt", "text": "plain words number %d"}\n'):format(i, i)) end
out:close()
local j = assert(corpus.open(jl))
local jseen = {}
for doc in j:sample(3, 0):docs() do jseen[#jseen + 1] = doc.id end
t.is_deeply(jseen, ids, "a JSON Lines corpus samples the same ids")

os.execute("rm -rf " .. t.shell_quote(dir))
t.done()
