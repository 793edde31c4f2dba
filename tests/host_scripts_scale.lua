-- Every script in scripts/ gives byte-identical output on one core, on two
-- and three (-j), as 3 shards merged, as 5 shards run in reverse order and
-- merged, and through the streaming pipe (map | sort | reduce), on a
-- generated corpus of 30 documents.
local t = require "tap"
local json = require "json"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = os.tmpname(); os.remove(dir)
local gen = dir .. "/gen"
os.execute("mkdir -p " .. q(gen) .. " " .. q(dir .. "/tagged"))

-- 30 documents built from the sample articles' paragraphs, deterministically.
local paras = {}
for doc in require("corpus").open(t.root .. "/corpus"):docs() do
  for p in (doc.text .. "\n\n"):gmatch("(.-)\n\n+") do
    if p:find("%S") then paras[#paras + 1] = p end
  end
end
local jsonl = {}
for i = 0, 29 do
  local parts = {}
  for k = 0, 2 + i % 4 do parts[#parts + 1] = paras[(i * 7 + k * 13) % #paras + 1] end
  local text = table.concat(parts, "\n\n") .. "\n"
  local name = ("g%03d.txt"):format(i)
  local f = assert(io.open(gen .. "/" .. name, "wb")); f:write(text); f:close()
  jsonl[#jsonl + 1] = json.encode({ id = name, text = text })
end
os.execute("cp " .. q(t.root .. "/corpus/entities.tsv") .. " " .. q(gen .. "/"))
local all = dir .. "/all.jsonl"
local f = assert(io.open(all, "wb")); f:write(table.concat(jsonl, "\n"), "\n"); f:close()
-- a few Brown-style tagged files for discovery_eval
for i = 1, 3 do
  local tf = assert(io.open(("%s/tagged/c%02d"):format(dir, i), "wb"))
  tf:write("\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn ./.\n",
           "\tMr./np Jones/np met/vbd Mrs./np Smith/np in/in New/jj-tl York/np-tl ./.\n")
  tf:close()
end
-- three JSON Lines splits with their offsets, as a framework cuts them
local splits, offset = {}, 0
for i, range in ipairs({ { 1, 11 }, { 12, 19 }, { 20, 30 } }) do
  local text = table.concat(jsonl, "\n", range[1], range[2]) .. "\n"
  local path = ("%s/split%d.jsonl"):format(dir, i)
  local h = assert(io.open(path, "wb")); h:write(text); h:close()
  splits[i] = { path = path, start = offset }
  offset = offset + #text
end

local scripts = {
  { "mentions.lua", "--entities " .. q(gen .. "/entities.tsv") },
  { "freq.lua", "" },
  { "freq.lua", "--ngrams 2" },
  { "kwic.lua", "Iran" },
  { "collocates.lua", "iran" },
  { "cooccur.lua", "" },
  { "keyness.lua", "--target 'g00*'" },
  { "discovery_eval.lua", "--tagged " .. q(dir .. "/tagged") },
}

local function run(opts, script, args, corpus, input)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " -c " .. q(corpus) .. " " .. opts .. " scripts/" .. script .. " " .. args, input)
end

local covered = {}
for _, s in ipairs(scripts) do
  local script, args = s[1], s[2]
  covered[script] = true
  local name = script .. (args ~= "" and " " .. args:gsub(dir, "DIR") or "")
  local base, code, err = run("-j 1", script, args, gen)
  if not t.ok(code == 0 and #base > 0, name .. ": -j 1 runs and prints", err) then goto continue end
  for _, j in ipairs({ 2, 3 }) do
    t.is((run("-j " .. j, script, args, gen)), base, name .. ": -j " .. j .. " gives the same bytes")
  end
  for _, plan in ipairs({ { 3, { 0, 1, 2 } }, { 5, { 4, 3, 2, 1, 0 } } }) do
    local n, order = plan[1], plan[2]
    local parts = ("%s/parts-%s-%d"):format(dir, script, n) .. args:gsub("%W", "")
    for _, k in ipairs(order) do run("--shard " .. k .. "/" .. n .. " --parts " .. q(parts), script, args, gen) end
    t.is((run("--merge " .. q(parts), script, args, gen)), base,
      ("%s: %d shards%s merged give the same bytes"):format(name, n, n == 5 and " (run in reverse order)" or ""))
  end
  if script ~= "discovery_eval.lua" then
    local pipe_base = run("-j 1", script, args, all)
    local mapped = {}
    for i = 3, 1, -1 do   -- mappers finish in any order; Hadoop's offsets fix the sort order
      mapped[#mapped + 1] = t.run("cd " .. q(t.root) .. " && mapreduce_map_input_file=all.jsonl mapreduce_map_input_start="
        .. splits[i].start .. " " .. CR .. " -c " .. q(all) .. " --map scripts/" .. script .. " " .. args
        .. " < " .. q(splits[i].path))
    end
    -- (the whole pipe in parentheses, so that t.run's input goes to sort)
    local reduced = t.run("(sort | (cd " .. q(t.root) .. " && " .. CR .. " -c " .. q(all) .. " --reduce scripts/"
      .. script .. " " .. args .. "))", table.concat(mapped))
    t.is(reduced, pipe_base, name .. ": map | sort | reduce gives the bytes of -j 1 on the same JSON Lines")
  end
  ::continue::
end

-- Every script in scripts/ that folds over a corpus is covered here;
-- ingest.lua and search.lua build and query a corpus database (SQLite's
-- FTS5 does that work), and query.lua answers from the corpus's index or
-- its documents read into memory once: they fold nothing.
local database_tools = { ["ingest.lua"] = true, ["search.lua"] = true, ["query.lua"] = true }
local p = io.popen("ls " .. q(t.root .. "/scripts") .. "/*.lua")
for path in p:lines() do
  local name = path:match("([^/]+)$")
  if not database_tools[name] then t.ok(covered[name], "scripts/" .. name .. " is in this test") end
end
p:close()

os.execute("rm -rf " .. q(dir))
t.done()
