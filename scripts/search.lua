local spec = {
  name = "search",
  version = "1.0.0",
  description = "Full-text search of a corpus database made by ingest.lua: the best matching "
    .. "documents first (bm25), each with a snippet. Queries are FTS5's: words, \"phrases\", "
    .. "prefixes zak*, AND/OR/NOT, NEAR(a b, 10), title:word; they go through the same "
    .. "tokenizer as the index, so Zakani finds Zakani’s.",
  args = {
    { name = "query", metavar = "QUERY", help = "what to search for" },
  },
  options = {
    { name = "db", short = "d", type = "file", role = "corpus database", default = "corpus.db", help = "the corpus database" },
    { name = "limit", short = "n", type = "integer", min = 1, default = 10, help = "documents to show" },
    { name = "offset", type = "integer", min = 0, default = 0, help = "skip the first N results" },
    { name = "tokens", type = "integer", min = 1, max = 64, default = 12, help = "snippet length in tokens" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", help = "output format" },
    { name = "out", short = "o", type = "output", help = "write to FILE instead of stdout" },
  },
  examples = {
    "corpusrun scripts/search.lua --db corpus.db Zakani",
    "corpusrun scripts/search.lua --db corpus.db '\"Belgian mayors\" OR title:urgent'",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local scriptlib = require "scriptlib"

local f = io.open(opts.db, "rb")
if not f then
  io.stderr:write("search: no corpus database '", opts.db, "' (make one with scripts/ingest.lua)\n")
  os.exit(2)
end
f:close()
local c, err = corpus.open(opts.db)
if not c or not c.search then
  io.stderr:write("search: ", opts.db, ": ", tostring(err or "not a corpus database"), "\n")
  os.exit(1)
end
scriptlib.require_documents(c, opts.db)
local hits, qerr = c:search(opts.query, { limit = opts.limit, offset = opts.offset, tokens = opts.tokens })
if not hits then
  io.stderr:write("search: ", tostring(qerr), "\n")
  os.exit(2)
end
local rows = {}
for i, h in ipairs(hits) do
  rows[i] = { n = opts.offset + i, id = h.id, title = h.title, rank = h.rank, snippet = h.snippet }
end
local columns = { { key = "n", title = "n" }, { key = "id", title = "id" }, { key = "rank", title = "rank", digits = 2 },
                  { key = "snippet", title = "snippet" } }
scriptlib.output(scriptlib.render(rows, columns, opts.format,
  string.format("%d documents for %s\n\n", #rows, opts.query)), opts.out, opts.format)
