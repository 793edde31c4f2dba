-- tokenize_words.lua — the Lua path of tokenize.words (casefold) over files:
--   corpusrun bench/scripts/tokenize_words.lua [table] < NUL-separated file list
-- Prints the number of words.  With "table", one call per document returns
-- every word in an array (tokenize.words(text, {table = true})).
local tokenize = require "tokenize"
local as_table = arg[1] == "table"
local list = io.read("a")
local n = 0
for path in list:gmatch("[^%z]+") do
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  if as_table then
    n = n + #tokenize.words(text, { table = true })
  else
    for _ in tokenize.words(text) do n = n + 1 end
  end
end
print(n)
