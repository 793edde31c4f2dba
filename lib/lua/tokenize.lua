-- tokenize.lua: the tokenize module (docs/api/tokenize.md): UAX #29 words
-- and sentences with corpus tailoring, normalisation, n-grams, stopwords,
-- Snowball stems and display width.  All of it is the private C core
-- tokenize.core (host/ltokenize.c); this module is its public face.
local core = require "tokenize.core"

local tokenize = {}
for k, v in pairs(core) do
  if k:sub(1, 1) ~= "_" then tokenize[k] = v end
end

return tokenize
