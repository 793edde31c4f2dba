-- freq.lua, kwic.lua and collocates.lua on an index answer from its
-- lexicon and postings (freq: no document read but the first, which
-- scriptlib.open reads to see that the corpus is not empty; kwic: only the
-- documents holding the pattern's words; collocates: those holding the node, its margins from the
-- postings) and print the same bytes as the full pass over the same index
-- (--full-pass) and over the source itself, at -j 1 and -j 2, for many
-- option sets: on the sample corpus and on a tagged Brown subset (annotated
-- tokens, whose rebuilt text the scripts tokenise again).  A document read
-- is counted through a wrapper of the indexed corpus's docs, so that an
-- index path that silently reads everything fails here too.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
os.execute("mkdir -p " .. q(dir .. "/brown"))

-- the sample corpus, and 40 files of the tagged Brown corpus (when it can be had)
local corpora = {}
local sample = dir .. "/sample.cri"
local _, code, err = t.run("cd " .. q(t.root) .. " && " .. CR .. " index --quiet -c corpus -o " .. q(sample))
t.ok(code == 0, "the sample corpus's index builds", err)
corpora[#corpora + 1] = { name = "sample corpus", index = sample, source = t.root .. "/corpus", docs = 5 }

local bdir = t.brown("tagged")
local files = {}
local p = io.popen("ls " .. q(bdir))
for f in p:lines() do if f:match("^c[a-r]%d%d$") then files[#files + 1] = f end end
p:close()
if #files > 0 then
  local picked = {}
  for i = 1, #files, math.max(1, #files // 40) do picked[#picked + 1] = q(bdir .. "/" .. files[i]) end
  os.execute("cp " .. table.concat(picked, " ") .. " " .. q(dir .. "/brown"))
  local brown = dir .. "/brown.cri"
  _, code, err = t.run(CR .. " index --quiet --format tagged -c " .. q(dir .. "/brown") .. " -o " .. q(brown))
  t.ok(code == 0, "the tagged Brown subset's index builds", err)
  corpora[#corpora + 1] = { name = "tagged Brown subset", index = brown, docs = #picked }
end

-- prints "read DOC" on stderr for every document an indexed corpus yields
local WATCH = [[local ic = debug.getregistry()["corpusrun.IndexCorpus"]; local docs = ic.docs;
ic.docs = function(c) local it = docs(c); return function() local d = it();
if d then io.stderr:write("read ", d.id, "\n") end; return d end end]]

-- SVG in args: a picture written beside the output, appended to it
local function run(j, corpus, script, args, extra)
  local svg = dir .. "/out.svg"
  os.remove(svg)
  args = args:gsub("SVG", svg)
  local out, rc, e = t.run("cd " .. q(t.root) .. " && " .. CR .. " --quiet -j " .. j
    .. " -l corpus -e " .. q(WATCH) .. " -c " .. q(corpus) .. " scripts/" .. script .. " " .. args .. (extra or ""))
  local f = io.open(svg, "rb")
  if f and out then out = out .. "\n-- svg --\n" .. f:read("a"); f:close() end
  local reads = 0
  for _ in (e or ""):gmatch("read [^\n]*\n") do reads = reads + 1 end
  return out, rc, e, reads
end

-- { script, args, documents the index path may read: 0 (none), "few" (fewer
-- than all, on Brown), "some" (any), nil (the full pass, all of them) }
local cases = {
  { "freq.lua", "", 0 },
  { "freq.lua", "--level key --top 50", 0 },
  { "freq.lua", "--level raw --stopwords en --top 100", 0 },
  { "freq.lua", "--level nfc --min 3 --format csv", 0 },
  { "freq.lua", "--stopwords en --top 2000 --format tsv", 0 },
  { "freq.lua", "--stem en --stopwords en", 0 },
  { "freq.lua", "--top 40 --format json", 0 },
  { "freq.lua", "--top 10 --format md --min 2", 0 },
  { "freq.lua", "--ngrams 2 --top 20" },                 -- n-grams: the full pass
  { "kwic.lua", "Iran", "few" },
  { "kwic.lua", "the --sort left", "some" },
  { "kwic.lua", "'human rights' --sort right --format csv", "few" },
  { "kwic.lua", "'Iran*' --window 3 --sort right --top 10", "few" },
  { "kwic.lua", "'it*' --sort left --format tsv", "some" },
  { "kwic.lua", "'Fulton County' --format json --window 2", "few" },
  { "kwic.lua", "jury --window 10 --sort right", "few" },
  { "kwic.lua", "'\"no evidence\"'", "some" },
  { "kwic.lua", "'U.S.' --format md", "some" },
  { "kwic.lua", "zzzyzzx", 0 },
  { "kwic.lua", "Iran --svg SVG", "some" },
  { "collocates.lua", "iran", "few" },
  { "collocates.lua", "jury --window 1 --format csv", "few" },
  { "collocates.lua", "the --window 3 --sort logdice --min 1 --top 100", "some" },
  { "collocates.lua", "regime --include-node --stopwords en", "few" },
  { "collocates.lua", "of --window 20 --sort mi --top 50 --format json", "some" },
  { "collocates.lua", "the --include-node --window 2 --min 1 --top 500 --format tsv", "some" },
  { "collocates.lua", "said --sort t --svg SVG", "some" },
  { "collocates.lua", "zzzyzzx", 0 },
  { "collocates.lua", "iran --sentence" },                          -- sentences: the full pass
  { "collocates.lua", "'human rights' --min 1 --format tsv" },      -- a phrase: the full pass
}

for _, cp in ipairs(corpora) do
  for _, case in ipairs(cases) do
    local script, args, may = case[1], case[2], case[3]
    local name = ("%s %s on the %s"):format(script, args, cp.name)
    local full, c1, e1 = run(1, cp.index, script, args, " --full-pass")
    if t.ok(c1 == 0 and #full > 0, name .. ": the full pass runs and prints", e1) then
      for _, j in ipairs({ 1, 2 }) do
        local out, c2, e2, reads = run(j, cp.index, script, args)
        local why = e2
        if c2 == 0 and out ~= full then
          for i = 1, math.max(#out, #full) do
            if out:byte(i) ~= full:byte(i) then why = "first difference at byte " .. i; break end
          end
        end
        t.ok(c2 == 0 and out == full, name .. ", -j " .. j .. ": the index prints the full pass's bytes", why)
        if may == 0 then   -- the first, which scriptlib.open reads to see that the corpus is not empty
          t.ok(reads <= 1, name .. ", -j " .. j .. ": no document read (" .. reads .. ")")
        elseif may == "few" and j == 1 then
          t.ok(reads < cp.docs or cp.docs <= 5, name .. ": only the documents holding the words read (" .. reads
            .. " of " .. cp.docs .. ")")
        end
      end
      if cp.source then
        local out = run(1, cp.source, script, args)
        t.ok(out == full, name .. ": the index prints what the source directory prints")
      end
    else
      t.skip("the full pass failed", 2)
    end
  end
end

-- a word in a few documents only: kwic reads those
if corpora[2] then
  local _, _, _, reads = run(1, corpora[2].index, "kwic.lua", "Fulton")
  local _, _, _, all = run(1, corpora[2].index, "kwic.lua", "Fulton", " --full-pass")
  t.ok(reads >= 1 and reads < all, ("kwic.lua Fulton reads %d of %d documents of the index"):format(reads, all))
  _, _, _, reads = run(1, corpora[2].index, "collocates.lua", "jury")
  t.ok(reads >= 1 and reads < all, ("collocates.lua jury reads %d of %d documents of the index"):format(reads, all))
end

-- on a cluster the fold is the work: shards of an index write parts, and
-- their merge prints what the index prints
for _, script in ipairs({ "freq.lua --top 20", "kwic.lua Iran", "collocates.lua iran" }) do
  local parts = dir .. "/parts-" .. script:match("^%a+")
  local whole = run(1, sample, script, "")
  local ok = true
  for k = 0, 1 do
    local _, rc, e = t.run("cd " .. q(t.root) .. " && " .. CR .. " --quiet --shard " .. k .. "/2 --parts " .. q(parts)
      .. " -c " .. q(sample) .. " scripts/" .. script)
    if rc ~= 0 then ok = false; t.diag(e) end
  end
  local merged, rc = t.run("cd " .. q(t.root) .. " && " .. CR .. " --quiet --merge " .. q(parts) .. " -c " .. q(sample)
    .. " scripts/" .. script)
  t.ok(ok and rc == 0 and merged == whole, script .. ": two shards of the index, merged, print what the index prints")
end

os.execute("rm -rf " .. q(dir))
t.done()
