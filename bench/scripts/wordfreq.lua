-- The word frequency list of the corpus (-c PATH): every word, casefolded,
-- with its count, most frequent first (ties by word), as "count<TAB>word".
-- With an argument N, only the first N rows, then the number of types.
local corpus, count = require "corpus", require "count"
-- c:fold moves the counters between workers through :dump and count.undump
local fold = require "fold"
for _, t in ipairs({ "corpusrun.Freq", "corpusrun.Ngrams", "corpusrun.Cooc" }) do fold.register(t, count.undump) end
local limit = tonumber(arg and arg[1])
local c = assert(corpus.open())
local acc = c:fold(
  function() return { words = count.freq({ level = "casefold" }) } end,
  function(acc, doc) acc.words:add_text(doc.text) end)
local out = io.stdout
for _, row in ipairs(acc.words:top(limit)) do out:write(row[2], "\t", row[1], "\n") end
if limit then out:write("types\t", #acc.words, "\n") end
