-- Window co-occurrence over the corpus (-c PATH): pairs of casefolded words at
-- most W words apart (default 5), counted over the whole corpus; prints the
-- 1000 most frequent pairs as "count<TAB>a<TAB>b" and the number of pairs.
local corpus, count = require "corpus", require "count"
-- c:fold moves the counters between workers through :dump and count.undump
local fold = require "fold"
for _, t in ipairs({ "corpusrun.Freq", "corpusrun.Ngrams", "corpusrun.Cooc" }) do fold.register(t, count.undump) end
local w = math.tointeger(tonumber(arg and arg[1]) or 5)
local c = assert(corpus.open())
local acc = c:fold(
  function() return { pairs = count.cooc({ window = w, level = "casefold" }) } end,
  function(acc, doc) acc.pairs:add_text(doc.text) end)
local out = io.stdout
for _, row in ipairs(acc.pairs:top(1000)) do out:write(row[3], "\t", row[1], "\t", row[2], "\n") end
out:write("pairs\t", #acc.pairs, "\n")
