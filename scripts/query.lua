local spec = {
  name = "query",
  version = "1.0.0",
  description = "A CQP query over a corpus (its index when it has one, else its documents read into memory): "
    .. "the concordance, a frequency breakdown, the collocates or the dispersion of its hits.",
  args = {
    { name = "query", metavar = "QUERY", required = true,
      help = "a CQP query, e.g. '[pos=\"JJ.*\"] \"house\"%c' (docs/api/query.md)" },
  },
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "input-format", type = "enum", choices = { "conllu", "vrt", "tagged" },
      help = "read every file of the corpus as this annotated format (word/TAG files have no extension)" },
    { name = "show", short = "s", type = "enum", choices = { "kwic", "count", "collocates", "dispersion" },
      default = "kwic", help = "what to print about the hits" },
    { name = "strategy", type = "enum", choices = { "standard", "shortest", "longest" },
      help = "CQP's matching strategy (default: the query's (?...), else standard)" },
    { name = "context", short = "w", type = "integer", min = 0, max = 1000, default = 5,
      help = "kwic: tokens of context on each side" },
    { name = "sort", type = "string",
      help = "kwic: sort levels, comma-separated (AntConc's L1, R1, R2, C; also match, target)" },
    { name = "attr", type = "string",
      help = "the attribute shown or counted (default: word; collocates: lower)" },
    { name = "on", type = "string", default = "match",
      help = "count: the place counted (match, target, start, end, L1, R1...)" },
    { name = "window", type = "integer", min = 0, max = 1000, default = 5,
      help = "collocates: tokens on each side of a hit" },
    { name = "measure", type = "enum",
      choices = { "ll", "mi", "mi3", "t", "z", "chi2", "dice", "logdice", "log_ratio", "odds_ratio" },
      default = "ll", help = "collocates: the measure that orders the table" },
    { name = "min", type = "integer", min = 0, default = 1, help = "collocates: the fewest co-occurrences shown" },
    { name = "by", type = "string", help = "dispersion: a metadata field (default: the texts)" },
    { name = "sample", type = "integer", min = 0, help = "keep a random sample of N hits" },
    { name = "seed", type = "integer", default = 1, help = "the sample's seed" },
    { name = "top", short = "n", type = "integer", min = 1, help = "show at most N lines" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "db", type = "output", output = true,
      help = "also write the rows to an SQLite database (table query, tied to the run's receipt)" },
    { name = "html", type = "output", output = true, help = "also write the rows as a standalone HTML page" },
    { name = "svg", type = "output", output = true,
      help = "also draw a dispersion plot of the hits (one strip per document, a mark at each hit) as an SVG picture" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/query.lua '\"mayor\"%c' --sort R1,L1",
    "corpusrun scripts/query.lua '[lower=\"the\"] []' --show count --on R1 --top 10",
    "corpusrun scripts/query.lua '\"Iran\"' --show collocates --window 4 --measure logdice",
    "corpusrun scripts/query.lua -c bench/data/brown-tagged --input-format tagged '[pos=\"jj.*\"] \"house\"%c'",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local kwic = require "kwic"
local query = require "query"
local receipt = require "receipt"
local scriptlib = require "scriptlib"

local c = scriptlib.open(corpus, opts.corpus, opts.input_format and { format = opts.input_format } or nil)
receipt.note_corpus(c)
scriptlib.settings(nil, { query = { query = opts.query, strategy = opts.strategy } })

local q, err = query.run(c, opts.query, { strategy = opts.strategy })
if not q then
  io.stderr:write(err, "\n")
  os.exit(2)
end
if opts.sample then q = q:sample(opts.sample, opts.seed) end

local function fail(msg)
  io.stderr:write("query: ", msg, "\n")
  os.exit(2)
end

local function call(f, ...)
  local ok, a = pcall(f, ...)
  if not ok then fail((tostring(a):gsub("^[^:]*:%d+: ", ""))) end
  return a
end

local rows, columns, heading, chart
local n = #q
if opts.show == "kwic" then
  local levels
  if opts.sort then
    levels = {}
    for l in opts.sort:gmatch("[^,%s]+") do levels[#levels + 1] = l end
  end
  rows = call(q.kwic, q, { context = opts.context, sort = levels, limit = opts.top, attr = opts.attr })
  columns = {
    { key = "doc", title = "doc" }, { key = "start", title = "start" },
    { key = "left", title = "left", align = "right" }, { key = "match", title = "match" },
    { key = "right", title = "right" },
  }
  heading = string.format("%d hit%s for %s%s\n\n", n, n == 1 and "" or "s", opts.query,
    n > #rows and (" (the first " .. #rows .. " shown)") or "")
elseif opts.show == "count" then
  rows = call(q.count, q, opts.attr, opts.on)
  columns = { { key = "key", title = opts.on }, { key = "count", title = "count" } }
  heading = string.format("%d hit%s for %s, by %s at %s\n\n", n, n == 1 and "" or "s", opts.query,
    opts.attr or "word", opts.on)
  chart = { value = "count", label = "key", title = "count" }
elseif opts.show == "collocates" then
  rows = call(q.collocates, q, { window = opts.window, attr = opts.attr, sort = opts.measure, min = opts.min })
  columns = { { key = "key", title = "collocate" }, { key = "o11", title = "o11" },
    { key = "e11", title = "e11", digits = 2 } }
  for _, m in ipairs({ "mi", "mi3", "t", "z", "ll", "chi2", "dice", "logdice", "log_ratio", "odds_ratio" }) do
    columns[#columns + 1] = { key = m, title = m, digits = 2 }
  end
  heading = string.format("Collocates of %s (%d hit%s, window %d; sorted by %s)\n\n", opts.query, n,
    n == 1 and "" or "s", opts.window, opts.measure)
  chart = { value = opts.measure, label = "key", title = opts.measure }
else
  local d = call(q.dispersion, q, opts.by)
  rows = d.rows
  columns = { { key = "key", title = opts.by or "text" }, { key = "hits", title = "hits" },
    { key = "tokens", title = "tokens" }, { key = "per_million", title = "per_million", digits = 1 } }
  heading = string.format("%d hit%s for %s over %d part%s by %s: range %d, Juilland's D %s, DP %s\n\n", n,
    n == 1 and "" or "s", opts.query, d.parts, d.parts == 1 and "" or "s", opts.by or "text", d.range or 0,
    d.d and string.format("%.3f", d.d) or "-", d.dp and string.format("%.3f", d.dp) or "-")
  chart = { value = "hits", label = "key", title = "hits" }
end
if opts.svg then scriptlib.svg(opts.svg, tostring(q:plot())) end
if opts.top and #rows > opts.top then
  for i = #rows, opts.top + 1, -1 do rows[i] = nil end
end

scriptlib.results({ name = "query", title = "Query " .. opts.query, heading = heading, rows = rows,
                    columns = columns, chart = chart }, { db = opts.db, html = opts.html })
local text
if opts.format == "text" and opts.show == "kwic" then
  text = heading .. (#rows > 0 and kwic.format(rows) or "(none)\n")
else
  text = scriptlib.render(rows, columns, opts.format, heading)
end
scriptlib.output(text, opts.out, opts.format)
