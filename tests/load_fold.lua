-- c:shard under c:fold: -j 1, 2 and 3 give the same documents in the same
-- order, for a directory, a JSON Lines file and a folder of archives.
local t = require "tap"
local q = t.shell_quote

local script = os.tmpname()
local f = assert(io.open(script, "wb"))
f:write([[
local corpus = require "corpus"
local c = assert(corpus.open(nil, { on_error = "skip" }))
local acc = c:fold(function() return { n = 0, ids = {} } end,
  function(acc, d) acc.n = acc.n + 1; acc.ids[#acc.ids + 1] = d.id end)
print(acc.n, table.concat(acc.ids, ","))
]])
f:close()
local want = {
  ["corpus"] = "5\t000_bffbd40d78d47571.txt,001_e8d32c68db4d5ae8.txt,002_1b50013527941c34.txt," ..
    "003_215d9fb04907b489.txt,004_62ef3bdf8865f1a7.txt\n",
  ["tests/data/load/news.jsonl"] = "4\tn1,news.jsonl#3,4,n8\n",
  ["tests/data/load/arch"] = "9\tz1,mix.tar.gz/a.txt,j1,j2,mix.tar.gz/c.html,mix.zip/x.txt,r1,r2,note.txt.gz\n",
}
for _, src in ipairs({ "corpus", "tests/data/load/news.jsonl", "tests/data/load/arch" }) do
  for j = 1, 3 do
    local out, code, err = t.run(q(t.corpusrun) .. " -j " .. j .. " -c " .. q(src) .. " " .. q(script))
    t.is(out, want[src], src .. " with -j " .. j)
    if code ~= 0 then t.diag(err) end
  end
end
os.remove(script)
t.done()
