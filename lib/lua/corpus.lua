-- corpus.lua: the corpus module (docs/api/corpus.md): corpus.open and the
-- corpusrun.Corpus type of the private C core corpus.core (host/lcorpus.c),
-- with what lives in Lua: corpus databases (corpusdb.lua, which hands its
-- opener to the core, so that corpus.open of an SQLite file opens the
-- database), positional indexes (corpusindex.lua, likewise for
-- corpus.open of an index file) and corpus.index, corpus.ingest, c:query (query.lua) and c:fold (fold.lua, installed on the Corpus
-- methods; under --merge, --map and --reduce it defers corpus.open).
local core = require "corpus.core"
local corpusdb = require "corpusdb"
local corpusindex = require "corpusindex"
local fold = require "fold"
local query = require "query"

local corpus = {}
for k, v in pairs(core) do
  if k:sub(1, 1) ~= "_" then corpus[k] = v end
end
-- corpus.ingest(source, path [, opts]): corpusdb.ingest, as a function of
-- its own so that tracebacks name it by one name, whatever order
-- package.loaded is walked in
function corpus.ingest(source, path, opts) return corpusdb.ingest(source, path, opts) end

-- corpus.index(source, path [, opts]): builds a positional index
-- (corpusindex.lua); corpus.open of the file it writes opens the index
function corpus.index(source, path, opts) return corpusindex._build(source, path, opts) end

fold.install(core._methods, corpus)
query._install(core._methods)

return corpus
