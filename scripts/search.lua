local spec = {
  name = "search",
  version = "0.1.0",
  description = "Full-text search of a corpus database (see scripts/ingest.lua): FTS5 queries "
    .. "(words, \"phrases\", prefix*, AND/OR/NOT, NEAR(a b, 10), title:word), best first by bm25, "
    .. "with a snippet per document.",
  options = {
    { name = "limit", short = "n", type = "integer", min = 1, default = 10, help = "documents to show" },
    { name = "format", type = "enum", choices = { "text", "tsv" }, default = "text", help = "output format" },
  },
  args = {
    { name = "database", help = "the corpus database" },
    { name = "query", repeatable = true, help = "the query (several words are joined with spaces)" },
  },
  examples = { "corpusrun scripts/search.lua corpus.db Zakani", "corpusrun scripts/search.lua corpus.db '\"human rights\" NOT Belgium'" },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)
local corpusdb = require "corpusdb"

local c, msg = corpusdb.open(opts.database)
if not c then io.stderr:write("search: ", msg, "\n"); os.exit(1) end
local query = table.concat(opts.query, " ")
local hits, err = c:search(query, { limit = opts.limit, mark = opts.format == "tsv" and { "", "" } or nil })
if not hits then io.stderr:write("search: ", err, "\n"); os.exit(2) end
for _, h in ipairs(hits) do
  local snippet = h.snippet:gsub("%s+", " ")
  if opts.format == "tsv" then
    print(table.concat({ h.id, ("%.4f"):format(h.rank), h.title:gsub("[\t\n]", " "), snippet }, "\t"))
  else
    print(("%-9.4g %s  %s"):format(h.rank, h.id, h.title))
    print("         " .. snippet)
  end
end
