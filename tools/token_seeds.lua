-- tools/token_seeds.lua: writes the seeds of the packed-tokens fuzz target
-- (tests/fuzz/load_fuzz_tokens.c) into tests/data/load/annot/tokens/: the
-- tokens of every annotated test document, packed as a corpus database
-- stores them, after a byte giving the text's length in 64-byte units.
--   ./corpusrun tools/token_seeds.lua
local corpus = require "corpus"
local core = require "corpus.core"

local DIR = "tests/data/load/annot"
local c = assert(corpus.open(DIR, { on_error = "skip", include = { "*.conllu", "*.vrt", "*.xml" } }))
for d in c:docs() do
  local name = d.id:gsub("[^%w]", "_")
  local f = assert(io.open(DIR .. "/tokens/" .. name, "wb"))
  f:write(string.char(math.min(255, #d.text // 64 + 1)), core._pack_tokens(d.tokens))
  f:close()
end
