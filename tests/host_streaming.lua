-- Streaming mode (Hadoop Streaming, Spark's pipe): --map folds JSON Lines
-- documents from stdin into one key<TAB>value line; --reduce merges sorted
-- lines and reports.  Through a local `sort` pipe the result equals -j 1.
local t = require "tap"
local json = require "json"
local q = t.shell_quote
local CR = q(t.corpusrun)
local script = q(t.root .. "/tests/data/streaming_wc.lua")

local dir = t.tempdir()
local lines = {}
for doc in require("corpus").open(t.root .. "/corpus"):docs() do
  lines[#lines + 1] = json.encode({ id = doc.id, text = doc.text, outlet = "sample" })
end
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close(); return dir .. "/" .. name
end
local all = write("all.jsonl", table.concat(lines, "\n") .. "\n")
-- three input splits, as a framework would cut them, with their offsets
local splits, offset = {}, 0
for i, range in ipairs({ { 1, 2 }, { 3, 3 }, { 4, 5 } }) do
  local text = table.concat(lines, "\n", range[1], range[2]) .. "\n"
  splits[i] = { path = write("split" .. i .. ".jsonl", text), start = offset }
  offset = offset + #text
end

local single = t.run(CR .. " -c " .. q(all) .. " " .. script)
t.like(single, "^5\t", "the single run folds 5 documents")

local mapped = {}
for i, s in ipairs(splits) do
  local out, code, err = t.run("mapreduce_map_input_file=all.jsonl mapreduce_map_input_start=" .. s.start
    .. " " .. CR .. " --map " .. script .. " < " .. q(s.path))
  t.is(code, 0, "map of split " .. i .. " succeeds", err)
  t.like(out, "^split:all%.jsonl:%d+\t[%w+/=]+\n$", "map of split " .. i .. " writes one key<TAB>value line")
  mapped[#mapped + 1] = out
end
-- the framework's shuffle: lines arrive in any order and are sorted by key
local shuffled = write("mapped.txt", mapped[3] .. mapped[1] .. mapped[2])
local out, code, err = t.run("sort " .. q(shuffled) .. " | " .. CR .. " --reduce " .. script)
t.is(code, 0, "reduce succeeds", err)
t.is(out, single, "map | sort | reduce gives the bytes of a single run")

-- Without the framework's split offsets the key is the first document's id.
out = t.run(CR .. " --map " .. script .. " < " .. q(splits[2].path))
t.like(out, "^doc:002_1b50013527941c34%.txt\t", "without split offsets the key is the first document id")

-- Bad input to reduce is named by line.
_, code, err = t.run(CR .. " --reduce " .. script, "key\tnot base64!!\n")
t.is(code, 1, "reduce of a bad value fails")
t.like(err, "%-%-reduce: stdin line 1: base64: bad character", "the error names the line")
_, code, err = t.run(CR .. " --reduce " .. script, "no tab here\n")
t.is(code, 1, "reduce of a line without a tab fails")
t.like(err, "stdin line 1 is not 'key<TAB>value'", "the error says what a line must be")
_, code, err = t.run(CR .. " --reduce " .. script, "")
t.is(code, 1, "reduce of nothing fails")
t.like(err, "no lines on stdin", "and says so")
_, code, err = t.run(CR .. " --map --reduce " .. script)
t.is(code, 1, "--map with --reduce fails")
t.like(err, "cannot be used together", "and says why")
_, code, err = t.run(CR .. " --map " .. q(write("nofold.lua", "print(1)\n")), "")
t.is(code, 1, "--map with a script that never folds fails")
t.like(err, "no accumulator was written", "and says why")

os.execute("rm -rf " .. q(dir))
t.done()
