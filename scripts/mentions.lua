-- mentions.lua: who and what the corpus mentions.
-- (A first version: reports the documents of the default corpus.)
local path = (require "corpusrun").default_corpus() or "corpus"
local n = 0
for name in io.popen("ls " .. string.format("%q", path)):lines() do
  if name:match("%.txt$") then n = n + 1 end
end
print(string.format("corpus %s: %d documents", path, n))
