local spec = {
  name = "cooccur",
  version = "1.0.0",
  description = "Co-occurrence of the N most frequent words (or of gazetteer entities): a list of "
    .. "pairs with counts and association (logDice, G2), a matrix, or a network for Gephi.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "of", type = "enum", choices = { "words", "entities" }, default = "words",
      help = "what co-occurs: the most frequent words, or the entities of the gazetteer" },
    { name = "entities", short = "g", type = "file", role = "gazetteer",
      help = "gazetteer for --of entities (default: entities.tsv in the corpus directory, or beside a corpus file)" },
    { name = "unit", type = "string", patterns = { "sentence", "document", "window:%d+" },
      metavar = "sentence|document|window:N", default = "sentence",
      help = "what counts as together: the same sentence, the same document, or window:N, at most N tokens apart" },
    { name = "top", short = "n", type = "integer", min = 2, max = 500, default = 20,
      output = true, help = "how many words or entities (the most frequent)" },
    { name = "min", type = "integer", min = 1, default = 1, output = true, help = "leave out pairs seen fewer times" },
    { name = "stopwords", type = "enum", choices = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }, default = "none",
      output = true, help = "leave out the stopwords of a language (words only)" },
    { name = "matrix", type = "boolean", output = true, help = "print a matrix instead of a list of pairs" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
    { name = "gexf", type = "output", output = true, help = "write the network as GEXF (Gephi)" },
    { name = "html", type = "output", output = true, help = "write a heat map as a standalone HTML page" },
    { name = "svg", type = "output", output = true,
      help = "draw the network as an SVG picture (node area: frequency, edge width: logDice)" },
    { name = "db", type = "output", output = true,
      help = "also write the pairs to an SQLite database (table cooccur, tied to the run's receipt)" },
  },
  examples = {
    "corpusrun scripts/cooccur.lua --top 15",
    "corpusrun scripts/cooccur.lua --of entities --unit document --matrix",
    "corpusrun scripts/cooccur.lua --of entities --gexf network.gexf",
    "corpusrun scripts/cooccur.lua --top 15 --db results.db",
    "corpusrun scripts/cooccur.lua --of entities --svg network.svg",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local count = require "count"
local stats = require "stats"
local report = require "report"
local scriptlib = require "scriptlib"
local chart = require "chart"
local entities = require "entities"
local host = require "corpusrun"

local corpus_path = opts.corpus or host.default_corpus() or "corpus"
local unit, window = opts.unit, nil
if unit:match("^window:") then unit, window = "window", tonumber(unit:match("%d+")) end
scriptlib.settings({ level = "casefold" }, { cooccurrence = { of = opts.of, unit = opts.unit } })

local nodes, pairs_rows = {}, {}
if opts.of == "entities" then
  local gpath = opts.entities or scriptlib.gazetteer_path(corpus_path)
  local c = entities.open_corpus(corpus, corpus_path, gpath)
  local g = scriptlib.gazetteer(gpath)
  local r = entities.run(c, g, { unit = unit, window = window })
  local t = entities.tables(r, { min = 1, top = math.huge })
  local keep = {}
  for i = 1, math.min(opts.top, #t.entities.rows) do
    local row = t.entities.rows[i]
    nodes[i] = { key = row.entity, n = row.mentions }
    keep[row.entity] = true
  end
  for _, p in ipairs(t.comentions.all) do
    if keep[p.entity_a] and keep[p.entity_b] and p.comentions >= opts.min then
      pairs_rows[#pairs_rows + 1] = { a = p.entity_a, b = p.entity_b, n = p.comentions,
                                      logdice = p.logdice, ll = p.ll }
    end
  end
else
  -- On one machine (any -j), the pairs of the chosen words only
  -- (count.cooc{among=}, with the margins of a counter of all pairs):
  -- counting the words twice costs far less than counting, storing and
  -- merging every pair.  One pass counts the words (add_text's `count`)
  -- and the pairs of the likely words, guessed from a sample of the
  -- documents (one in 20, at least 50, at most 1000): when the chosen words
  -- are all among them, their pairs are done; otherwise a second pass
  -- counts the pairs of the chosen words, so the numbers never depend on
  -- the guess.  A cluster's jobs (--shard, --map) count every pair in one
  -- pass, so that their merge needs the parts alone, not the corpus.
  local c = scriptlib.open(corpus, opts.corpus)
  local copts = { mode = unit }
  if unit == "window" then copts.window = window end
  local one_pass = host.cluster ~= nil
  local stop = scriptlib.stopwords(opts.stopwords)
  local function wanted(key) return not stop[key] and key:find("%w") ~= nil end
  -- the first `want` words of a counter that the stopwords keep, as {key, n}
  local function first_wanted(f, want) return scriptlib.first_kept(f, want, wanted) end
  local guessed
  if not one_pass then
    local ndocs = #c
    local sample = count.freq()
    for doc in c:sample(math.min(ndocs, math.max(50, math.min(math.ceil(ndocs / 20), 1000))), 0):docs() do
      sample:add_text(doc.text)
    end
    -- the likely words: at least 2 * top + 10, then every word the sample
    -- saw at least a quarter as often as its top-th (content words' ranks move
    -- more from sample to corpus than function words'), at most 20 * top + 200
    local likely, rows = {}, first_wanted(sample, 20 * opts.top + 200)
    local floor = rows[opts.top] and rows[opts.top][2] / 4 or 0
    for i, kv in ipairs(rows) do
      if i > 2 * opts.top + 10 and kv[2] < floor then break end
      likely[i] = kv[1]
    end
    sample:close()
    if #likely > 0 then guessed = likely end
  end
  local acc = c:fold(
    function()
      local counter_opts = one_pass and copts or nil
      if guessed then
        counter_opts = { among = guessed }
        for k, v in pairs(copts) do counter_opts[k] = v end
      end
      return { f = count.freq(), cooc = counter_opts and count.cooc(counter_opts) or nil }
    end,
    function(acc, doc)
      if acc.cooc then acc.cooc:add_text(doc.text, { count = acc.f }) else acc.f:add_text(doc.text) end
    end, { reduce = function(acc) return acc end })   -- (-j N: each worker merges a share of the keys)
  local keep, keys = {}, {}
  for _, kv in ipairs(first_wanted(acc.f, opts.top)) do
    nodes[#nodes + 1] = { key = kv[1], n = kv[2] }
    keep[kv[1]] = true
    keys[#keys + 1] = kv[1]
  end
  local counted = one_pass
  if guessed then
    local among = {}
    for _, w in ipairs(guessed) do among[w] = true end
    counted = true
    for _, w in ipairs(keys) do counted = counted and among[w] ~= nil end
  end
  if not counted and #keys > 0 then
    copts.among = keys
    acc.cooc = c:fold(
      function() return { cooc = count.cooc(copts) } end,
      function(a, doc) a.cooc:add_text(doc.text) end).cooc
  end
  for _, node in ipairs(nodes) do
    local with = acc.cooc:with(node.key)
    for _, r in ipairs(with) do
      if keep[r.key] and node.key < r.key and r.o11 >= opts.min then
        local s = stats.association(r.o11, r.r1, r.c1, r.n)
        pairs_rows[#pairs_rows + 1] = { a = node.key, b = r.key, n = r.o11, logdice = s.logdice, ll = s.ll }
      end
    end
  end
end
table.sort(pairs_rows, function(x, y)
  if x.n ~= y.n then return x.n > y.n end
  if x.a ~= y.a then return x.a < y.a end
  return x.b < y.b
end)

-- the matrix: rows and columns in node order
local index = {}
for i, nd in ipairs(nodes) do index[nd.key] = i end
local values = {}
for i = 1, #nodes do
  values[i] = {}
  for j = 1, #nodes do values[i][j] = 0 end
end
for _, p in ipairs(pairs_rows) do
  local i, j = index[p.a], index[p.b]
  values[i][j], values[j][i] = p.n, p.n
end

-- the pairs, as the list prints them (and --db stores them, with --matrix too)
local pair_columns = { { key = "a", title = "a" }, { key = "b", title = "b" }, { key = "n", title = "n" },
                       { key = "logdice", title = "logdice", digits = 2 }, { key = "ll", title = "ll", digits = 2 } }
scriptlib.results({ name = "cooccur", rows = pairs_rows, columns = pair_columns }, { db = opts.db })

if opts.gexf then
  local ns, es = {}, {}
  for i, nd in ipairs(nodes) do ns[i] = { id = nd.key, label = nd.key, frequency = nd.n } end
  for i, p in ipairs(pairs_rows) do es[i] = { source = p.a, target = p.b, weight = p.n, logdice = p.logdice } end
  scriptlib.output(report.gexf(ns, es, { description = "co-occurrence (" .. opts.unit .. ")" }), opts.gexf, "gexf")
end
if opts.svg then
  local ns, es = {}, {}
  for i, nd in ipairs(nodes) do ns[i] = { id = nd.key, size = nd.n } end
  for i, p in ipairs(pairs_rows) do es[i] = { source = p.a, target = p.b, weight = math.max(p.logdice, 0) } end
  scriptlib.svg(opts.svg, chart.network(ns, es, {
    title = "Co-occurrence of the " .. #nodes .. " most frequent " .. opts.of .. " (" .. opts.unit .. ")",
    weight_label = "logDice" }))
end
if opts.html then
  local labels = {}
  for i, nd in ipairs(nodes) do labels[i] = nd.key end
  scriptlib.output(report.html({
    title = "Co-occurrence", provenance = scriptlib.footer_fields(),
    { heading = "Co-occurrence of the " .. #nodes .. " most frequent " .. opts.of .. " (" .. opts.unit .. ")" },
    { heatmap = { rows = labels, cols = labels, values = values } },
    { table = pairs_rows, columns = { "a", "b", "n", "logdice", "ll" } },
  }), opts.html, "html")
end

local text
if opts.matrix then
  local rows = {}
  local columns = { { key = "_", title = "" } }
  for i, nd in ipairs(nodes) do columns[#columns + 1] = { key = "c" .. i, title = nd.key } end
  for i, nd in ipairs(nodes) do
    local row = { _ = nd.key }
    for j = 1, #nodes do row["c" .. j] = values[i][j] end
    rows[i] = row
  end
  text = scriptlib.render(rows, columns, opts.format)
else
  text = scriptlib.render(pairs_rows, pair_columns, opts.format, string.format(
    "Co-occurrence of the %d most frequent %s (%s): %d pairs\n\n", #nodes, opts.of, opts.unit, #pairs_rows))
end
scriptlib.output(text, opts.out, opts.format)
