-- What a merge job may be given, and what it needs:
--  * output options (declared output = true: --out, --format, ...) may differ
--    between the shards and the merge; the options that change what is
--    accumulated must not, and the error names only those that differ;
--  * --merge and --map need no corpus when the script folds once (a later
--    fold, as freq.lua's second pass, needs it and says so);
--  * errors a user can cause print `corpusrun: message`, no traceback.
local t = require "tap"
local json = require "json"
local q = t.shell_quote
local CR = q(t.corpusrun)
local S = t.root .. "/scripts/"

local dir = t.tempdir()
-- every command runs in dir, where there is no corpus/, and without a default corpus
local function run(cmd, input)
  return t.run("cd " .. q(dir) .. " && env -u CORPUSRUN_CORPUS " .. cmd, input)
end
local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a"); f:close(); return s
end
local function no_traceback(err, name)
  t.ok(err:match("^corpusrun: ") and not err:find("stack traceback", 1, true), name, err)
end

os.execute("cp -r " .. q(t.root .. "/corpus") .. " " .. q(dir .. "/news"))
os.execute("cp " .. q(t.root .. "/corpus/entities.tsv") .. " " .. q(dir .. "/gazetteer.tsv"))

local function shards(parts, n, script, args)
  for k = 0, n - 1 do
    local _, code, err = run(CR .. " --shard " .. k .. "/" .. n .. " --parts " .. parts .. " " .. S .. script .. " " .. args)
    if code ~= 0 then t.diag(err); return false end
  end
  return true
end

-- 1. Shards without --out, a merge with --out FILE: the bytes of -j 1 --out FILE.
for _, case in ipairs({
  { "mentions.lua", "-c news", "--out m.tsv --format tsv --top 5 --html m.html -q", "--corpus=news" },
  { "freq.lua", "-c news --ngrams 2", "-o m.tsv -f csv", "-c news -N 2 --level casefold" },
  { "cooccur.lua", "--corpus news", "--out m.tsv --matrix --top 4", "-c news --unit=sentence" },
}) do
  local script, shard_args, out_args, merge_args = case[1], case[2], case[3], case[4]
  local parts = "parts-" .. script
  t.ok(shards(parts, 3, script, shard_args), script .. ": 3 shards without output options run")
  local _, code, err = run(CR .. " -j 1 " .. S .. script .. " " .. shard_args .. " " .. out_args:gsub("m%.", "one."))
  t.is(code, 0, script .. ": the single run writes its files", err)
  _, code, err = run(CR .. " --merge " .. parts .. " " .. S .. script .. " " .. merge_args .. " " .. out_args)
  t.is(code, 0, script .. ": the merge accepts output options the shards did not have, and the same "
    .. "options written otherwise or given their default (" .. merge_args .. ")", err)
  local one, merged = read(dir .. "/one.tsv"), read(dir .. "/m.tsv")
  t.ok(one and #one > 0 and one == merged, script .. ": the merged --out file has the bytes of -j 1 --out")
  os.remove(dir .. "/one.tsv"); os.remove(dir .. "/m.tsv")
end

-- 2. What changes the accumulator must match; the error names what differs.
do
  local _, code, err = run(CR .. " --merge parts-mentions.lua " .. S .. "mentions.lua -c news --unit document --out x.tsv")
  t.is(code, 1, "a merge with another --unit fails")
  t.like(err, 'made with other arguments %("%-%-unit=sentence"; now "%-%-unit=document"%)',
    "the error names only the option that differs, not --out")
  no_traceback(err, "and prints no traceback")
  _, code, err = run(CR .. " --merge parts-mentions.lua " .. S .. "mentions.lua -c news --db x.db")
  t.is(code, 1, "mentions --db keeps a row per match, so it is not an output-only option")
  t.like(err, '%(none; now "%-%-db=x%.db"%)', "the error says --db was added")
  _, code, err = run(CR .. " --merge parts-freq.lua " .. S .. "freq.lua -c news")
  t.is(code, 1, "freq: a merge without the shards' --ngrams fails")
  t.like(err, '"%-%-ngrams=2"; now "%-%-ngrams=1"', "the default counts as the value it stands for")
  local info = read(dir .. "/parts-freq.lua/part-0-of-3.info")
  t.like(info, 'arguments\t"%-c" "news" "%-%-ngrams" "2"\n', "the sidecar records the arguments as given")
  t.like(info, 'fold_arguments\t"%-%-corpus=news" "%-%-ngrams=2" "%-%-level=casefold" "%-%-stopwords=none" "%-%-top=30" "%-%-min=1"\n',
    "and those that may change what is accumulated")
end

-- 3. A merge needs no corpus when the script folds once.
do
  os.execute("cp -r " .. q(dir .. "/news") .. " " .. q(dir .. "/gone"))
  local args = "-c gone -g gazetteer.tsv"
  t.ok(shards("parts-gone", 2, "mentions.lua", args), "mentions: 2 shards of a corpus with an explicit gazetteer")
  local _, code, err = run(CR .. " -j 1 " .. S .. "mentions.lua " .. args .. " --out one.txt")
  t.is(code, 0, "the single run", err)
  t.ok(shards("parts-gone-freq", 2, "freq.lua", "-c gone"), "freq: 2 shards")
  t.ok(shards("parts-gone-stem", 2, "freq.lua", "-c gone --stem en"), "freq --stem: 2 shards")
  _, code, err = run(CR .. " -j 1 " .. S .. "freq.lua -c gone --out freq-one.txt")
  t.is(code, 0, "freq: the single run", err)
  os.execute("rm -rf " .. q(dir .. "/gone"))
  _, code, err = run(CR .. " --merge parts-gone " .. S .. "mentions.lua " .. args .. " --out m.txt")
  t.is(code, 0, "the merge runs after the corpus is gone", err)
  t.is(read(dir .. "/m.txt"), read(dir .. "/one.txt"), "and writes the bytes of the single run")
  local receipt = json.decode(read(dir .. "/m.txt.receipt.json"))
  local c = receipt.corpora[1]
  t.ok(c.path == "gone" and c.documents == 5 and c.fingerprint == nil and c.read_from == "not read (--merge)",
    "the receipt records the corpus it did not read, with the parts' document count", json.encode(c))
  -- freq.lua's parts hold each document's counts of the keys its sample
  -- chose: the dispersion of its list needs no corpus
  _, code, err = run(CR .. " --merge parts-gone-freq " .. S .. "freq.lua -c gone --out freq-m.txt")
  t.is(code, 0, "freq: the merge runs after the corpus is gone", err)
  t.is(read(dir .. "/freq-m.txt"), read(dir .. "/freq-one.txt"), "and writes the bytes of the single run")
  -- with --stem the second pass (dispersion of stems) reads the corpus:
  -- the merge needs it and says so
  local out
  out, code, err = run(CR .. " --merge parts-gone-stem " .. S .. "freq.lua -c gone --stem en")
  t.is(code, 1, "freq --stem: the merge fails without the corpus its second pass reads")
  t.like(err, "^corpusrun: %-%-merge: the script reads the corpus after its first fold %(c:docs%), but the corpus 'gone' cannot be opened",
    "and says why")
  no_traceback(err, "with no traceback")
  t.is(out, "", "and prints no report")
end

-- With a manifest, the receipt lists the corpus from it: the fingerprint of -j 1.
do
  local _, code, err = run(CR .. " plan --shards 2 -c news -o news.manifest")
  t.is(code, 0, "plan", err)
  for k = 0, 1 do
    run(CR .. " --manifest news.manifest --shard " .. k .. "/2 --parts parts-man " .. S .. "mentions.lua -c news")
  end
  _, code, err = run(CR .. " --manifest news.manifest --merge parts-man " .. S .. "mentions.lua -c news --out m.txt")
  t.is(code, 0, "merge with a manifest", err)
  run(CR .. " " .. S .. "mentions.lua -c news --out one.txt")
  local merged = json.decode(read(dir .. "/m.txt.receipt.json")).corpora[1]
  local single = json.decode(read(dir .. "/one.txt.receipt.json")).corpora[1]
  t.ok(merged.fingerprint and merged.fingerprint == single.fingerprint and #merged.docs == 5,
    "the merge's receipt has the single run's corpus fingerprint, from the manifest")
  t.is(merged.read_from, "manifest news.manifest", "and says where it comes from")
end

-- 4. Streaming: --map needs no corpus (the documents are on stdin), nor does
-- --reduce of a script that folds once.
do
  local lines = {}
  for doc in require("corpus").open(t.root .. "/corpus", { exclude = { "entities.tsv" } }):docs() do
    lines[#lines + 1] = json.encode({ id = doc.id, text = doc.text })
  end
  local f = io.open(dir .. "/docs.jsonl", "wb"); f:write(table.concat(lines, "\n"), "\n"); f:close()
  local single = run(CR .. " -c docs.jsonl " .. S .. "cooccur.lua")
  t.like(single, "^Co%-occurrence", "a single run of cooccur.lua on the JSON Lines")
  local mapped, code, err = run(CR .. " --map " .. S .. "freq.lua", table.concat(lines, "\n", 1, 2) .. "\n")
  t.is(code, 0, "freq.lua --map runs where there is no corpus", err)
  t.like(mapped, "^doc:[^\t]+\t[%w+/=]+\n$", "and writes one key<TAB>value line")
  local m1 = run(CR .. " --map " .. S .. "cooccur.lua", table.concat(lines, "\n", 1, 3) .. "\n")
  local m2 = run(CR .. " --map " .. S .. "cooccur.lua", table.concat(lines, "\n", 4, 5) .. "\n")
  local out
  -- (the whole pipe in one shell, so that the input goes to sort)
  out, code, err = run("sh -c " .. q("sort | " .. CR .. " --reduce " .. S .. "cooccur.lua"), m2 .. m1)
  t.is(code, 0, "cooccur.lua --reduce runs where there is no corpus", err)
  t.is(out, single, "map | sort | reduce gives the single run's bytes")
  out, code, err = run(CR .. " --reduce " .. S .. "freq.lua", mapped)
  t.is(code, 1, "freq.lua --reduce fails where there is no corpus for its second pass")
  t.like(err, "^corpusrun: %-%-reduce: the script reads the corpus after its first fold", "and says why")
  no_traceback(err, "with no traceback")
  _, code, err = run(CR .. " --reduce " .. S .. "cooccur.lua", "no tab\n")
  t.is(code, 1, "reduce of a bad line fails")
  no_traceback(err, "with no traceback")
end

-- 5. Errors a user can cause: the message alone.
do
  os.execute("cd " .. q(dir) .. " && cp -r parts-mentions.lua p && rm p/part-2-of-3 && cp -r parts-mentions.lua tr"
    .. " && truncate -s -9 tr/part-1-of-3")
  local cases = {
    { "--merge p " .. S .. "mentions.lua -c news", "^corpusrun: p: missing part%-2%-of%-3\n$", "a missing part" },
    { "--merge tr " .. S .. "mentions.lua -c news", "^corpusrun: tr/part%-1%-of%-3 is truncated or corrupt\n$", "a truncated part" },
    { "--manifest news.manifest --merge parts-mentions.lua " .. S .. "mentions.lua -c news",
      "^corpusrun: parts%-mentions%.lua/part%-0%-of%-3 was made from another manifest", "another manifest" },
    { "--merge nothing " .. S .. "mentions.lua -c news", "^corpusrun: nothing: no parts to merge", "no parts" },
    { "--manifest news.manifest --shard 0/3 --parts x " .. S .. "mentions.lua -c news",
      "^corpusrun: news%.manifest plans 2 shards, not 3\n$", "a manifest of another shard count" },
    { "--manifest missing.tsv --shard 0/2 --parts x " .. S .. "mentions.lua -c news",
      "^corpusrun: cannot read the manifest: missing%.tsv", "a missing manifest" },
    { "--shard 2/2 --parts x " .. S .. "mentions.lua -c news", "^corpusrun: bad value for '%-%-shard'", "a bad --shard" },
  }
  for _, case in ipairs(cases) do
    local out, code, err = run(CR .. " " .. case[1])
    t.is(code, 1, case[3] .. ": exit 1")
    t.like(err, case[2], case[3] .. ": the message")
    no_traceback(err, case[3] .. ": no traceback")
    t.is(out, "", case[3] .. ": nothing on stdout")
  end
end

os.execute("rm -rf " .. q(dir))
t.done()
