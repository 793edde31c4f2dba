-- The count and match engine over the corpus (-c PATH), as a script would
-- use it: one c:fold, add_text per document.
--   corpusrun -c DIR bench/scripts/engine.lua freq|cooc|gaz [TSV]
-- Prints one summary line.
local corpus, count, match = require "corpus", require "count", require "match"
local fold = require "fold"
for i = 1, 3 do fold.register(count.types[i], function(s) return assert(count.undump(s)) end) end

local mode, tsv = arg[1], arg[2]
local c = assert(corpus.open())
if mode == "freq" then
  local f = c:fold(function() return count.freq() end, function(f, doc) f:add_text(doc.text) end)
  print("types", #f, "tokens", f:total())
elseif mode == "cooc" then
  local co = c:fold(function() return count.cooc { window = 5 } end, function(co, doc) co:add_text(doc.text) end)
  print("pairs", #co, "tokens", co:total())
elseif mode == "gaz" then
  local g = match.gazetteer((assert(tsv, "gaz needs a TSV gazetteer")))
  local f = c:fold(function() return count.freq() end, function(f, doc) g:count(doc.text, f) end)
  print("entities", #f, "mentions", f:total())
else
  error("usage: engine.lua freq|cooc|gaz [TSV]")
end
