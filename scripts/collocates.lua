local spec = {
  name = "collocates",
  version = "1.0.0",
  description = "Collocates of a node word: the words found near it (within a window of words, or "
    .. "in the same sentence), with every association measure in one table (joint frequency, "
    .. "expected, MI, MI3, t, z, log-likelihood G2, chi-squared, Dice, logDice, delta P both ways, log "
    .. "ratio, odds ratio), sortable by any of them.",
  args = {
    { name = "node", metavar = "WORD", help = "the node word" },
  },
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "window", short = "w", type = "integer", min = 1, max = 100, default = 5,
      help = "words on each side that count as near" },
    { name = "sentence", type = "boolean", help = "count words in the same sentence instead of a window" },
    { name = "sort", type = "enum",
      choices = { "o11", "e11", "mi", "mi3", "t", "z", "ll", "chi2", "dice", "logdice",
                  "deltap_c_given_n", "deltap_n_given_c", "log_ratio", "odds_ratio" },
      default = "ll", output = true, help = "the measure that orders the table" },
    { name = "min", type = "integer", min = 1, default = 2, output = true, help = "leave out collocates seen fewer times with the node" },
    { name = "stopwords", type = "enum", choices = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }, default = "none",
      output = true, help = "leave out the stopwords of a language" },
    { name = "top", short = "n", type = "integer", min = 1, default = 20, output = true, help = "rows to show" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "db", type = "output", output = true,
      help = "also write the table to an SQLite database (table collocates, tied to the run's receipt)" },
    { name = "html", type = "output", output = true,
      help = "also write a standalone HTML report (bar chart of the --sort measure and the table)" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/collocates.lua regime",
    "corpusrun scripts/collocates.lua mayor --window 3 --sort logdice --min 1",
    "corpusrun scripts/collocates.lua regime --db results.db --html regime.html",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local count = require "count"
local tokenize = require "tokenize"
local stats = require "stats"
local scriptlib = require "scriptlib"

local c = scriptlib.open(corpus, opts.corpus)
local node = tokenize.normalize(opts.node, "casefold")
local copts = opts.sentence and { mode = "sentence" } or { mode = "window", window = opts.window }
scriptlib.settings({ level = "casefold" }, { cooccurrence = copts })

local acc = c:fold(
  function() return { cooc = count.cooc(copts) } end,
  function(acc, doc) acc.cooc:add_text(doc.text) end)

local stop = scriptlib.stopwords(opts.stopwords)
local rows = {}
for _, r in ipairs(acc.cooc:with(node)) do
  if not stop[r.key] then rows[#rows + 1] = r end
end
rows = stats.collocations(rows, { sort = opts.sort, min = opts.min })
if #rows > opts.top then
  for i = #rows, opts.top + 1, -1 do rows[i] = nil end
end
local columns = { { key = "key", title = "collocate" }, { key = "o11", title = "o11" },
  { key = "e11", title = "e11", digits = 2 } }
local titles = { deltap_c_given_n = "dp_c|n", deltap_n_given_c = "dp_n|c" }
for _, m in ipairs({ "mi", "mi3", "t", "z", "ll", "chi2", "dice", "logdice", "deltap_c_given_n", "deltap_n_given_c",
                     "log_ratio", "odds_ratio" }) do
  columns[#columns + 1] = { key = m, title = titles[m] or m, digits = 2 }
end
local heading = string.format("Collocates of '%s' (%s; sorted by %s)\n\n", opts.node,
  opts.sentence and "same sentence" or ("window " .. opts.window), opts.sort)
scriptlib.results({ name = "collocates", title = "Collocates of '" .. opts.node .. "'", heading = heading,
                    rows = rows, columns = columns,
                    chart = { value = opts.sort, label = "key", title = titles[opts.sort] or opts.sort } },
                  { db = opts.db, html = opts.html })
scriptlib.output(scriptlib.render(rows, columns, opts.format, heading), opts.out, opts.format)
