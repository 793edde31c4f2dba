local corpus, count = require "corpus", require "count"
local c = corpus.open()
local acc = c:fold(function() return { words = count.freq(), docs = 0, ids = {} } end,
  function(acc, doc) acc.words:add_text(doc.text); acc.docs = acc.docs + 1; acc.ids[#acc.ids+1] = doc.id end)
print(acc.docs, table.concat(acc.ids, ","))
for _, r in ipairs(acc.words:top(5)) do print(r[1], r[2]) end
