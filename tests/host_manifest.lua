-- Shards planned by a manifest (corpusrun plan): each shard reads its own
-- documents only, the merge gives the bytes of a single run, and a corpus
-- that changed since the plan is an error or a warning, never a silent
-- difference.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
local function write(name, text)
  local f = assert(io.open(dir .. "/news/" .. name, "wb"))
  f:write(text)
  f:close()
end
os.execute("mkdir -p " .. q(dir .. "/news"))
for i = 1, 12 do
  -- d05 is Latin-1: whoever reads it warns that it was decoded with a fallback
  write(("d%02d.txt"):format(i), i == 5 and "Caf\xe9 society and the press.\n"
    or ("The press met the minister number " .. i .. " in the city.\n"))
end
local function run(cmd) return t.run("cd " .. q(dir) .. " && " .. cmd) end
-- (mentions.lua reads nothing but its fold; freq.lua also reads a sample of
-- the whole corpus in every shard)
local S = q(t.root .. "/scripts/mentions.lua") .. " --discover"

local _, code, err = run(CR .. " plan --shards 3 -c news -o news.tsv")
t.is(code, 0, "plan 3 shards", err)
local owner
for line in io.lines(dir .. "/news.tsv") do
  local k, id = line:match("^(%d+)\t([^\t]+)\t")
  if id == "d05.txt" then owner = tonumber(k) end
end
t.ok(owner ~= nil, "the manifest places d05.txt in a shard")

local single = run(CR .. " --quiet " .. S .. " -c news")
for k = 0, 2 do
  local out, kcode, kerr = run(CR .. " --quiet --manifest news.tsv --shard " .. k .. "/3 --parts parts " .. S .. " -c news")
  t.is(kcode, 0, "shard " .. k .. " runs", kerr)
  t.is(out, "", "shard " .. k .. " prints no report")
  if k == owner then
    t.like(kerr, "d05%.txt", "shard " .. k .. " reads d05.txt, its own document")
  else
    t.ok(not kerr:find("d05.txt", 1, true), "shard " .. k .. " does not read d05.txt, another shard's document", kerr)
  end
end
local merged, mcode, merr = run(CR .. " --quiet --manifest news.tsv --merge parts " .. S .. " -c news")
t.is(mcode, 0, "the merge runs", merr)
t.is(merged, single, "the merge gives the bytes of a single run")

-- a document added after the plan is left out, and every shard says so
write("d13.txt", "A late story about the press.\n")
for k = 0, 2 do
  local _, kcode, kerr = run(CR .. " --quiet --manifest news.tsv --shard " .. k .. "/3 --parts parts2 " .. S .. " -c news")
  t.is(kcode, 0, "with a document not in the manifest, shard " .. k .. " runs", kerr)
  t.like(kerr, "shard " .. k .. ": 1 document%(s%) not in the manifest were ignored", "and says one was ignored")
end
t.is((run(CR .. " --quiet --manifest news.tsv --merge parts2 " .. S .. " -c news")), single,
  "the merge still gives the planned corpus's bytes")
os.remove(dir .. "/news/d13.txt")

-- a changed document is an error of the shard that owns it
local first_of = {}
for line in io.lines(dir .. "/news.tsv") do
  local k, id = line:match("^(%d+)\t([^\t]+)\t")
  if k and not first_of[tonumber(k)] then first_of[tonumber(k)] = id end
end
write(first_of[1], "Changed since the plan.\n")
local _, ccode, cerr = run(CR .. " --quiet --manifest news.tsv --shard 1/3 --parts parts3 " .. S .. " -c news")
t.is(ccode, 1, "a changed document fails its shard")
t.like(cerr, "document " .. first_of[1]:gsub("%.", "%%.") .. " changed since the manifest", "and names it")

-- a missing document too
os.remove(dir .. "/news/" .. first_of[2])
local _, rcode, rerr = run(CR .. " --quiet --manifest news.tsv --shard 2/3 --parts parts3 " .. S .. " -c news")
t.is(rcode, 1, "a missing document fails its shard")
t.like(rerr, "1 document%(s%) of shard 2 listed in news.tsv are missing from the corpus: " .. first_of[2]:gsub("%.", "%%."),
  "and names it")

os.execute("rm -rf " .. q(dir))
t.done()
