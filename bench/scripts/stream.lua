-- Reads every document of the corpus (-c PATH) and prints the number of
-- documents and of text bytes: the cost of loading alone.
local corpus = require "corpus"
local c = assert(corpus.open())
local acc = c:fold(
  function() return { docs = 0, bytes = 0 } end,
  function(acc, doc) acc.docs = acc.docs + 1; acc.bytes = acc.bytes + #doc.text end)
print(acc.docs, acc.bytes)
