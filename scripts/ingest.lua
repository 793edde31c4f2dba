local spec = {
  name = "ingest",
  version = "1.0.0",
  description = "Builds or updates a corpus database: the documents of a corpus (any format "
    .. "corpus.open reads) stored in SQLite with a full-text index that uses corpusrun's own "
    .. "tokenizer. Incremental: run it again and only new, changed and removed documents are "
    .. "written. Query it with search.lua, or open it as a corpus with -c.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "the documents to store (default: the default corpus)" },
    { name = "db", short = "d", type = "output", default = "corpus.db", help = "the corpus database to create or update" },
    { name = "tokenize", type = "string", default = "",
      help = "options of the index's tokenizer, e.g. \"level casefold possessive split\"" },
    { name = "rebuild", type = "boolean", help = "re-index when --tokenize differs from the database's" },
    { name = "batch", type = "integer", min = 1, default = 500, help = "documents per transaction" },
    { name = "wait", type = "number", min = 0, default = 0, metavar = "SECONDS",
      help = "wait up to SECONDS for another ingest of the same database to finish (default: fail at once)" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", help = "output format of the counts" },
    { name = "out", short = "o", type = "output", help = "write the counts to FILE instead of stdout" },
  },
  examples = {
    "corpusrun scripts/ingest.lua --db corpus.db",
    "corpusrun scripts/search.lua --db corpus.db 'Zakani'",
    "corpusrun scripts/mentions.lua -c corpus.db",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local scriptlib = require "scriptlib"
local host = require "corpusrun"

local source = opts.corpus or host.default_corpus() or "corpus"
scriptlib.open(corpus, source)   -- says so and exits when it is missing or empty
scriptlib.settings(opts.tokenize)
local ok, s = pcall(corpus.ingest, source, opts.db, {
  tokenize = opts.tokenize, rebuild = opts.rebuild, batch = opts.batch, wait = opts.wait,
  corpus = { exclude = scriptlib.SIDECARS },
})
if not ok or not s then
  io.stderr:write("ingest: ", tostring(ok and "failed" or s), "\n")
  os.exit(1)
end
local rows = { {
  documents = s.documents, added = s.added, changed = s.changed,
  unchanged = s.unchanged, removed = s.removed, duplicates = s.duplicates or 0, bytes = s.bytes,
} }
local columns = { "documents", "added", "changed", "unchanged", "removed", "duplicates", "bytes" }
scriptlib.output(scriptlib.render(rows, columns, opts.format, opts.db .. "\n\n"), opts.out, opts.format)
