-- A fold over a corpus-like object: counts, nested tables, arrays, strings.
local fold = require "fold"
local docs = {}
for i = 1, 23 do
  docs[i] = { id = ("doc%02d"):format(i), text = ("alpha beta "):rep(i % 5 + 1) .. "gamma" .. (i % 3) }
end
local C = setmetatable({}, {
  __len = function() return #docs end,
  __index = { docs = function() local i = 0 return function() i = i + 1 return docs[i] end end },
})
local acc = fold.run(C,
  function() return { n = 0, bytes = 0, words = {}, ids = {}, label = "run", frac = 0.0 } end,
  function(acc, doc)
    acc.n = acc.n + 1
    acc.bytes = acc.bytes + #doc.text
    acc.frac = acc.frac + 0.5
    for w in doc.text:gmatch("%a+%d*") do acc.words[w] = (acc.words[w] or 0) + 1 end
    acc.ids[#acc.ids + 1] = doc.id
  end)
local keys = {}
for k in pairs(acc.words) do keys[#keys + 1] = k end
table.sort(keys)
print(acc.n, acc.bytes, acc.frac, acc.label)
for _, k in ipairs(keys) do print(k, acc.words[k]) end
print(table.concat(acc.ids, ","))
