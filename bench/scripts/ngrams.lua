-- The n-gram frequency list of the corpus (-c PATH): every n-gram of N
-- casefolded words (default 2) with its count, most frequent first.
local corpus, count = require "corpus", require "count"
-- c:fold moves the counters between workers through :dump and count.undump
local fold = require "fold"
for _, t in ipairs({ "corpusrun.Freq", "corpusrun.Ngrams", "corpusrun.Cooc" }) do fold.register(t, count.undump) end
local n = math.tointeger(tonumber(arg and arg[1]) or 2)
local c = assert(corpus.open())
local acc = c:fold(
  function() return { grams = count.ngrams(n, { level = "casefold" }) } end,
  function(acc, doc) acc.grams:add_text(doc.text) end)
local out = io.stdout
for _, row in ipairs(acc.grams:top()) do out:write(row[2], "\t", row[1], "\n") end
