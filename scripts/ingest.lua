local spec = {
  name = "ingest",
  version = "0.1.0",
  description = "Builds or updates a corpus database: documents with their metadata and a full-text "
    .. "index using corpusrun's tokenizer. Incremental: new and changed documents are written, "
    .. "documents gone from the source are removed, the rest is left alone.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus, corpus/)" },
    { name = "tokenize", type = "string", default = "",
      help = "options of the corpusrun FTS5 tokenizer, e.g. \"level casefold\"" },
    { name = "rebuild", type = "boolean", help = "re-index when --tokenize differs from the database's" },
    { name = "batch", type = "integer", min = 1, default = 500, help = "documents per transaction" },
    { name = "quiet", short = "q", type = "boolean", help = "no progress line" },
  },
  args = { { name = "database", help = "the corpus database to write (e.g. corpus.db)" } },
  examples = { "corpusrun scripts/ingest.lua -c corpus/ corpus.db",
               "corpusrun scripts/search.lua corpus.db Zakani" },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)
local corpusdb = require "corpusdb"

local source = opts.corpus or (require "corpusrun").default_corpus() or "corpus"
local stats = corpusdb.ingest(source, opts.database, {
  tokenize = opts.tokenize, rebuild = opts.rebuild, batch = opts.batch,
  progress = not opts.quiet and function(s)
    io.stderr:write(("\r%d documents, %.1f MB"):format(s.documents, s.bytes / 1e6))
  end or nil,
})
if not opts.quiet then io.stderr:write("\n") end
print(("%s: %d added, %d changed, %d unchanged, %d removed (%d documents)"):format(
  opts.database, stats.added, stats.changed, stats.unchanged, stats.removed, stats.documents))
