-- Partitioned merge: N shards each split into R partitions by key hash
-- (--shard K/N --partitions R), partition r merged on its own (--merge DIR
-- --partition r), the merged partitions put together (--merge DIR): the
-- bytes of -j 1, for the scripts in scripts/; and every missing, truncated
-- or mismatched file refused with a message naming it.
local t = require "tap"
local count = require "count"
local fold = require "fold"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
local gen = dir .. "/gen"
os.execute("mkdir -p " .. q(gen))

-- ---- the counters' partitioned dumps ----------------------------------------
-- The partition of a key is part of the file format: pinned here (the
-- values computed independently: FNV-1a 64, then the finaliser).
t.is(count.partition("be", 3), 1, "count.partition is a fixed hash (be)")
t.is(count.partition("the", 1000), 792, "count.partition is a fixed hash (the)")
t.is(count.partition("iran", 65536), 6227, "count.partition is a fixed hash (iran)")
t.is(count.partition("\u{e9}t\u{e9}", 1000), 638, "count.partition hashes bytes (\u{e9}t\u{e9})")
t.is(count.partition("", 1), 0, "one partition: 0")
t.ok(not pcall(count.partition, "x", 0), "count.partition refuses 0 partitions")
t.ok(not pcall(function() count.freq():dump({ partition = 2, partitions = 2 }) end), "dump refuses r >= R")
t.ok(not pcall(function() count.freq():dump({ partitions = 2, part = 1 }) end), "dump refuses an unknown option")

-- Three "shards" of random text; partition r of their merge equals the
-- merge of their partitions r, and the partitions together are the whole.
do
  math.randomseed(11)
  local words = {}
  for i = 1, 60 do words[i] = ("w%d"):format(i) end
  local function text(n)
    local out = {}
    for i = 1, n do out[i] = words[math.random(#words)] .. (math.random(8) == 1 and "." or "") end
    return table.concat(out, " ")
  end
  local function listing(x)
    local out = {}
    if tostring(x):find("^corpusrun.Cooc") then
      for _, p in ipairs(x:pairs(1)) do out[#out + 1] = p.a .. " " .. p.b .. " " .. p.n end
      for _, p in ipairs(x:pairs(1, { directed = true })) do out[#out + 1] = p.a .. ">" .. p.b .. " " .. p.n end
      for _, w in ipairs(words) do out[#out + 1] = w .. " " .. x:freq(w) end
    else
      for k, n in x:items() do out[#out + 1] = k .. " " .. n end
    end
    out[#out + 1] = "total " .. x:total() .. " size " .. #x
    return table.concat(out, "\n")
  end
  local makers = {
    freq = function() return count.freq() end,
    df = function() return count.df() end,
    bigrams = function() return count.ngrams(2) end,
    ["skip-trigrams"] = function() return count.ngrams(3, { skip = 1, sentences = true }) end,
    window = function() return count.cooc({ mode = "window", window = 3 }) end,
    sentence = function() return count.cooc({ mode = "sentence" }) end,
    document = function() return count.cooc({ mode = "document" }) end,
  }
  for _, name in ipairs({ "freq", "df", "bigrams", "skip-trigrams", "window", "sentence", "document" }) do
    local mk = makers[name]
    local whole, shards = mk(), {}
    for k = 1, 3 do
      shards[k] = mk()
      for _ = 1, 5 do local s = text(40); shards[k]:add_text(s); whole:add_text(s) end
    end
    local want = listing(whole)
    for _, R in ipairs({ 2, 3, 5 }) do
      local union, disjoint = nil, 0
      for r = R - 1, 0, -1 do
        local m
        for k = 1, 3 do
          local p = count.undump(shards[k]:dump({ partition = r, partitions = R }))
          if m then m:merge(p) else m = p end
        end
        disjoint = disjoint + #m
        m = count.undump(m:dump())
        if union then union:merge(m) else union = m end
      end
      t.is(listing(union), want, ("%s: the %d partitions merged are the whole counter"):format(name, R))
      t.is(disjoint, #whole, ("%s: the %d partitions hold disjoint keys"):format(name, R))
    end
  end
end

-- fold.serialize_partition: fields that split, and fields kept whole.
do
  local acc = { n = 3, words = { a = 1, b = 2, c = 3, d = 4 }, ids = { "x", "y" }, f = count.freq():add("a", 2):add("b") }
  local seen, n_owner, ids_owner = {}, 0, 0
  local back
  for r = 0, 2 do
    local v = fold.deserialize(fold.serialize_partition(acc, r, 3))
    for k in pairs(v.words) do seen[k] = (seen[k] or 0) + 1; t.is(count.partition(k, 3), r, "word " .. k .. " in its partition") end
    if v.n then n_owner = n_owner + 1; t.is(count.partition("n", 3), r, "field n in the partition of its name") end
    if v.ids then ids_owner = ids_owner + 1 end
    back = back and fold.merge(back, v) or v
  end
  t.ok(seen.a == 1 and seen.b == 1 and seen.c == 1 and seen.d == 1, "each key of a map is in exactly one partition")
  t.ok(n_owner == 1 and ids_owner == 1, "fields that do not split are in exactly one partition")
  t.is(table.concat(back.ids, ","), "x,y", "the partitions merged give back the array")
  t.is(back.f:get("a") + back.f:get("b") * 10 + back.f:total() * 100, 2 + 10 + 300, "and the counter")
  t.is(fold.deserialize(fold.serialize_partition(42, 1, 2)), nil, "a number stays whole in partition 0")
  t.is(fold.deserialize(fold.serialize_partition(42, 0, 2)), 42, "(there)")
  t.is(fold.deserialize(fold.serialize_partition({ a = 1 }, 1, 2, true)), nil, "with opts.merge nothing splits")
end

-- ---- the scripts: 3 shards, 2 and 3 partitions -------------------------------
local paras = {}
for doc in require("corpus").open(t.root .. "/corpus"):docs() do
  for p in (doc.text .. "\n\n"):gmatch("(.-)\n\n+") do
    if p:find("%S") then paras[#paras + 1] = p end
  end
end
for i = 0, 29 do
  local parts = {}
  for k = 0, 2 + i % 4 do parts[#parts + 1] = paras[(i * 7 + k * 13) % #paras + 1] end
  local f = assert(io.open(("%s/g%03d.txt"):format(gen, i), "wb")); f:write(table.concat(parts, "\n\n"), "\n"); f:close()
end
os.execute("cp " .. q(t.root .. "/corpus/entities.tsv") .. " " .. q(gen .. "/"))

local function run(opts, script, args)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " -c " .. q(gen) .. " " .. opts .. " scripts/" .. script .. " " .. args)
end

local scripts = {
  { "mentions.lua", "--entities " .. q(gen .. "/entities.tsv") },
  { "freq.lua", "" },
  { "freq.lua", "--ngrams 2" },
  { "cooccur.lua", "" },
  { "collocates.lua", "iran" },
  { "collocates.lua", "iran --sentence" },
  { "keyness.lua", "--target 'g00*'" },
}
for si, s in ipairs(scripts) do
  local script, args = s[1], s[2]
  local name = script .. (args ~= "" and " " .. args:gsub(dir, "DIR") or "")
  local base, code, err = run("-j 1", script, args)
  if not t.ok(code == 0 and #base > 0, name .. ": -j 1 runs and prints", err) then goto continue end
  for _, R in ipairs({ 2, 3 }) do
    local parts = ("%s/parts-%d-%d"):format(dir, si, R)
    local ok = true
    for _, k in ipairs({ 2, 0, 1 }) do
      local out, c, e = run("--shard " .. k .. "/3 --partitions " .. R .. " --parts " .. q(parts), script, args)
      ok = ok and c == 0 and out == ""
      if c ~= 0 then t.diag(e) end
    end
    t.ok(ok, ("%s: 3 shards write %d partitions each, quietly"):format(name, R))
    -- merging all partitions at once, before any is merged on its own
    t.is((run("--merge " .. q(parts), script, args)), base,
      ("%s: 3 shards x %d partitions merged at once give the bytes of -j 1"):format(name, R))
    ok = true
    for r = R - 1, 0, -1 do   -- partition merges run in any order
      local out, c, e = run("--merge " .. q(parts) .. " --partition " .. r, script, args)
      ok = ok and c == 0 and out == ""
      if c ~= 0 then t.diag(e) end
    end
    t.ok(ok, ("%s: the %d partition merges run, without reporting"):format(name, R))
    t.is((run("--merge " .. q(parts), script, args)), base,
      ("%s: the %d merged partitions put together give the bytes of -j 1"):format(name, R))
  end
  ::continue::
end

-- ---- what the partitioned merge refuses ---------------------------------------
do
  local script = t.root .. "/tests/data/fold_script.lua"
  local other = dir .. "/other.lua"
  os.execute("cp " .. q(script) .. " " .. q(other) .. " && echo '-- changed' >> " .. q(other))
  local base = t.run(CR .. " " .. q(script))
  local function cr(args, s) return t.run(CR .. " " .. args .. " " .. q(s or script)) end
  local function crx(args) return t.run(CR .. " " .. args) end
  local function shards(parts, R, s)
    for k = 0, 2 do cr("--shard " .. k .. "/3 --partitions " .. R .. " --parts " .. q(parts), s) end
  end
  local function copy(from, to) os.execute("rm -rf " .. q(to) .. " && cp -r " .. q(from) .. " " .. q(to)) end
  local p = dir .. "/e3"
  shards(p, 3)
  t.ok(not io.open(p .. "/.part-0-of-3.p-0-of-3.tmp"), "no temporary part left behind")
  local info = io.open(p .. "/part-1-of-3.p-2-of-3.info"):read("a")
  t.like(info, "shard\t1\nshards\t3\npartition\t2\npartitions\t3\n", "the sidecar records shard and partition")
  t.like(info, "script_sha256\t%x+", "and the script hash")

  -- partition merges: a missing, a truncated part; another R; another script
  local d = dir .. "/e-missing"; copy(p, d); os.remove(d .. "/part-2-of-3.p-1-of-3")
  local _, code, err = cr("--merge " .. q(d) .. " --partition 1")
  t.is(code, 1, "a partition merge with a missing part fails")
  t.like(err, "missing part%-2%-of%-3%.p%-1%-of%-3", "and names it")
  local _, code0 = cr("--merge " .. q(d) .. " --partition 0")
  t.is(code0, 0, "the other partitions still merge")
  d = dir .. "/e-trunc"; copy(p, d); os.execute("truncate -s -5 " .. q(d .. "/part-0-of-3.p-2-of-3"))
  _, code, err = cr("--merge " .. q(d) .. " --partition 2")
  t.is(code, 1, "a partition merge with a truncated part fails")
  t.like(err, "part%-0%-of%-3%.p%-2%-of%-3 is truncated or corrupt", "and names it")
  d = dir .. "/e-r"; copy(p, d); shards(dir .. "/e2", 2)
  os.execute("cp " .. q(dir .. "/e2/part-1-of-3.p-1-of-2") .. " " .. q(d))
  _, code, err = cr("--merge " .. q(d) .. " --partition 1")
  t.is(code, 1, "parts split into different numbers of partitions are refused")
  t.like(err, "holds parts split into [23] and into [23] partitions", "with the counts")
  d = dir .. "/e-script"; copy(p, d); cr("--shard 1/3 --partitions 3 --parts " .. q(d), other)
  _, code, err = cr("--merge " .. q(d) .. " --partition 0")
  t.is(code, 1, "a part of another script is refused")
  t.like(err, "part%-1%-of%-3%.p%-0%-of%-3 was made by a different script", "and named")
  _, code, err = cr("--merge " .. q(p) .. " --partition 3")
  t.is(code, 1, "a partition beyond R fails")
  t.like(err, "split into 3 partitions %(0%.%.2%): there is no partition 3", "and says which exist")
  _, code, err = cr("--merge " .. q(p) .. " --partition 0", other)
  t.is(code, 1, "merging with another script fails")
  _, code, err = cr("--merge " .. q(p) .. " --partition 0 " .. q(script) .. " extra")
  t.is(code, 1, "merging with other arguments fails")
  t.like(err, "was made with other arguments", "and says so")
  d = dir .. "/e-renamed"; copy(p, d)
  os.rename(d .. "/part-0-of-3.p-1-of-3", d .. "/part-0-of-3.p-1-of-3.bak")
  os.execute("cp " .. q(d .. "/part-0-of-3.p-0-of-3") .. " " .. q(d .. "/part-0-of-3.p-1-of-3"))
  _, code, err = cr("--merge " .. q(d) .. " --partition 1")
  t.is(code, 1, "a part renamed to another partition is refused")
  t.like(err, "part%-0%-of%-3%.p%-1%-of%-3 is not what its name says %(partition 0, expected 1%)", "and named")

  -- the merged partitions
  for r = 0, 2 do cr("--merge " .. q(p) .. " --partition " .. r) end
  t.ok(not io.open(p .. "/.merged-0-of-3.tmp"), "no temporary merged partition left behind")
  info = io.open(p .. "/merged-2-of-3.info"):read("a")
  t.like(info, "^partition\t2\npartitions\t3\nshards\t3\n", "the merged sidecar records partition and shards")
  t.like(info, "documents\t23\n", "and the documents the shards read")
  t.is((cr("--merge " .. q(p))), base, "the merged partitions give the bytes of a single run")
  d = dir .. "/m-missing"; copy(p, d); os.remove(d .. "/merged-1-of-3")
  local out
  out, code, err = cr("--merge " .. q(d))
  t.is(code, 1, "a missing merged partition fails")
  t.is(out, "", "and nothing is reported")
  t.like(err, "missing merged%-1%-of%-3 %(run %-%-merge .* %-%-partition r", "the error names it and says what to run")
  d = dir .. "/m-trunc"; copy(p, d); os.execute("truncate -s -1 " .. q(d .. "/merged-2-of-3"))
  _, code, err = cr("--merge " .. q(d))
  t.is(code, 1, "a truncated merged partition fails")
  t.like(err, "merged%-2%-of%-3 is truncated or corrupt", "and is named")
  d = dir .. "/m-r"; copy(p, d)
  for r = 0, 1 do cr("--merge " .. q(dir .. "/e2") .. " --partition " .. r) end
  os.execute("cp " .. q(dir .. "/e2/merged-0-of-2") .. " " .. q(d))
  _, code, err = cr("--merge " .. q(d))
  t.is(code, 1, "merged partitions of different R fail")
  t.like(err, "holds merged partitions of two runs, with [23] and with [23] partitions", "with the counts")
  t.is((cr("--merge " .. q(dir .. "/e2"))), base, "2 merged partitions give the same bytes")
  d = dir .. "/m-script"; copy(p, d)
  for k = 0, 2 do cr("--shard " .. k .. "/3 --partitions 3 --parts " .. q(dir .. "/o3"), other) end
  cr("--merge " .. q(dir .. "/o3") .. " --partition 1", other)
  os.execute("cp " .. q(dir .. "/o3/merged-1-of-3") .. " " .. q(d))
  _, code, err = cr("--merge " .. q(d))
  t.is(code, 1, "a merged partition of another script fails")
  t.like(err, "merged%-1%-of%-3 was made by a different script", "and is named")
  d = dir .. "/m-mixed"; copy(p, d); os.execute("cp " .. q(dir .. "/e2/part-0-of-3.p-0-of-2") .. " " .. q(d .. "/part-0-of-3"))
  _, code, err = cr("--merge " .. q(d))
  t.is(code, 1, "a directory with plain parts and partitions fails")
  t.like(err, "use one directory per run", "and says why")

  -- with a manifest: the shards read it, the partition merges need not be
  -- given it (the merged partitions record the parts' manifest), the final
  -- merge checks it
  local corpus_script = dir .. "/wc.lua"
  local f = io.open(corpus_script, "w")
  f:write([[
local count = require "count"
local c = require("corpus").open(arg[1])
local acc = c:fold(function() return { f = count.freq(), docs = 0, ids = {} } end,
  function(a, doc) a.f:add_text(doc.text); a.docs = a.docs + 1; a.ids[#a.ids + 1] = doc.id end)
print(acc.docs, acc.f:total(), #acc.f, table.concat(acc.ids, ","))
for _, row in ipairs(acc.f:top(5)) do print(row.key, row.n) end
]])
  f:close()
  local manifest = dir .. "/m.tsv"
  t.run(CR .. " plan --shards 3 -c " .. q(gen) .. " -o " .. q(manifest))
  local wc_base = crx(q(corpus_script) .. " " .. q(gen))
  t.like(wc_base, "^30\t%d+\t%d+\tg000.txt,", "the manifest script runs")
  local mp = dir .. "/man"
  for k = 0, 2 do crx("--manifest " .. q(manifest) .. " --shard " .. k .. "/3 --partitions 2 --parts " .. q(mp) .. " " .. q(corpus_script) .. " " .. q(gen)) end
  for r = 0, 1 do crx("--merge " .. q(mp) .. " --partition " .. r .. " " .. q(corpus_script) .. " " .. q(gen)) end
  t.like(io.open(mp .. "/merged-0-of-2.info"):read("a"), "manifest_sha256\t" .. require("corpusrun").sha256_file(manifest),
    "a merged partition records the parts' manifest")
  local out
  out, code, err = crx("--manifest " .. q(manifest) .. " --merge " .. q(mp) .. " " .. q(corpus_script) .. " " .. q(gen))
  t.is(out, wc_base, "with a manifest: the merged partitions give the bytes of a single run")
  local m2 = dir .. "/m2.tsv"
  t.run(CR .. " plan --shards 2 -c " .. q(gen) .. " -o " .. q(m2))
  _, code, err = crx("--manifest " .. q(m2) .. " --merge " .. q(mp) .. " " .. q(corpus_script) .. " " .. q(gen))
  t.is(code, 1, "merged partitions from another manifest are refused")
  t.like(err, "was made from another manifest", "and the error says so")

  -- options
  _, code, err = cr("--partitions 2")
  t.is(code, 1, "--partitions without --shard fails")
  t.like(err, "'%-%-partitions' goes with '%-%-shard K/N'", "and says so")
  _, code, err = cr("--shard 0/3 --parts " .. q(dir .. "/x") .. " --partitions 0")
  t.is(code, 1, "--partitions 0 fails")
  t.like(err, "bad value for '%-%-partitions': '0'", "and names the value")
  _, code, err = cr("--partition 1")
  t.is(code, 1, "--partition without --merge fails")
  t.like(err, "'%-%-partition' goes with '%-%-merge DIR'", "and says so")
  _, code, err = cr("--merge " .. q(p) .. " --partition x")
  t.is(code, 1, "--partition x fails")
  _, code, err = cr("--merge " .. q(dir .. "/nothing") .. " --partition 0")
  t.is(code, 1, "a partition merge of an empty directory fails")
  t.like(err, "no partitioned parts to merge", "and says so")
end

os.execute("rm -rf " .. q(dir))
-- An n-gram falls in the partition of its joined key (computed without
-- joining it), whatever the separator.
do
  for _, sep in ipairs({ " ", "_", "" }) do
    local g = count.ngrams(sep == "" and 1 or 3, { sep = sep ~= "" and sep or nil })
    for doc in require("corpus").open(t.root .. "/corpus"):docs() do g:add_text(doc.text) end
    local bad, n = 0, 0
    for r = 0, 6 do
      local p = assert(count.undump(g:dump({ partition = r, partitions = 7 })))
      for _, row in ipairs(p:top(#p)) do
        n = n + 1
        if count.partition(row[1], 7) ~= r then bad = bad + 1 end
      end
    end
    t.ok(n == #g and bad == 0, ("n-grams (sep %q): each of %d in the partition of its joined key (%d misplaced)"):format(sep, #g, bad))
  end
end

t.done()
