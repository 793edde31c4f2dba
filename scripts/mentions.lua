local spec = {
  name = "mentions",
  version = "1.0.0",
  description = "Who and what a corpus mentions: for each entity of a gazetteer, its mentions, "
    .. "the documents that mention it and their share, and the entities mentioned with it; "
    .. "the strongest co-mention pairs with an association score (logDice and G2); and "
    .. "candidate entities the gazetteer misses (capitalised multi-word sequences and "
    .. "acronyms), so the gazetteer can grow.",
  options = {
    { name = "corpus", short = "c", type = "corpus",
      help = "corpus to read (default: the default corpus, corpus/)" },
    { name = "entities", short = "g", type = "file", role = "gazetteer",
      help = "gazetteer: TSV (entity, type, alias) or spaCy-style JSONL (default: entities.tsv in the corpus directory, or beside a corpus file)" },
    { name = "discover", type = "boolean",
      help = "no gazetteer: list candidate entities only" },
    { name = "no-discover", type = "boolean", help = "do not list candidate entities" },
    { name = "propn", type = "boolean",
      help = "candidates may also be seen only at sentence starts when the tagger tags a word of them as a "
        .. "proper noun (more names found, fewer of them right on the sample corpus: docs/performance.md)" },
    { name = "by", type = "string", metavar = "FIELD",
      help = "also break mention counts down by a metadata field (date, outlet, ...)" },
    { name = "unit", type = "string", patterns = { "sentence", "document", "window:%d+" },
      metavar = "sentence|document|window:N", default = "sentence",
      help = "what counts as mentioned together: the same sentence, the same document, or "
        .. "window:N, the later mention starting at most N tokens after the earlier one ends" },
    { name = "top", short = "n", type = "integer", min = 1, default = 20,
      output = true, help = "rows of co-mention pairs and candidates to show" },
    { name = "min", type = "integer", min = 1, default = 1,
      output = true, help = "leave out entities, pairs and candidates with fewer mentions" },
    { name = "kwic", type = "integer", min = 0, default = 0, metavar = "N",
      help = "show N evidence lines (keyword in context) per entity" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "table", type = "enum", choices = { "entities", "comentions", "candidates", "by", "evidence" },
      default = "entities", help = "the table that csv, tsv and json print" },
    { name = "out", short = "o", type = "output", output = true, help = "write the report to FILE instead of stdout" },
    { name = "db", type = "output", help = "write mentions (one row per match with its byte span), "
      .. "entity_counts, comentions and candidates, with the run's provenance, to an SQLite database" },
    { name = "html", type = "output", output = true, help = "write a standalone HTML report" },
    { name = "gexf", type = "output", output = true, help = "write the co-mention network as GEXF (Gephi)" },
    { name = "svg", type = "output", output = true,
      help = "draw a dispersion plot of the mentions as an SVG picture: one group of strips per entity "
        .. "(the first 10 of the table, each with the documents that mention it), a mark at each mention" },
    { name = "svg-entity", type = "string", metavar = "NAME",
      help = "with --svg: only this entity (a name or an alias of the gazetteer), one strip per document" },
    { name = "svg-network", type = "output", output = true,
      help = "draw the co-mention network as an SVG picture (node area: mentions, edge width: logDice)" },
    { name = "svg-by", type = "output", output = true,
      help = "with --by FIELD: draw the mentions of the top entities over the field as an SVG picture "
        .. "(dates binned by month or year, see --bin)" },
    { name = "bin", type = "enum", choices = { "auto", "month", "year", "value" }, default = "auto", output = true,
      help = "with --svg-by: bins of dates (auto: months, or years over 36 months), or each value its own" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress on stderr" },
  },
  examples = {
    "corpusrun scripts/mentions.lua",
    "corpusrun scripts/mentions.lua --kwic 2 --unit document",
    "corpusrun scripts/mentions.lua --format csv --out mentions.csv",
    "corpusrun scripts/mentions.lua --db mentions.db --html mentions.html",
    "corpusrun scripts/mentions.lua --discover -c other/corpus",
    "corpusrun scripts/mentions.lua --discover --propn",
    "corpusrun scripts/mentions.lua --svg mentions.svg --svg-network comentions.svg",
    "corpusrun scripts/mentions.lua --svg zakani.svg --svg-entity Zakani",
    "corpusrun scripts/mentions.lua --by date --svg-by over-time.svg",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local entities = require "entities"
local scriptlib = require "scriptlib"
local receipt = require "receipt"
local tokenize = require "tokenize"
local host = require "corpusrun"

-- ---- inputs -------------------------------------------------------------------

local corpus_path = opts.corpus or host.default_corpus() or "corpus"
local gazetteer_path = opts.entities
if not gazetteer_path and not opts.discover then
  local candidate = scriptlib.gazetteer_path(corpus_path)
  local f = io.open(candidate, "rb")
  if f then f:close(); gazetteer_path = candidate end
end
if not gazetteer_path and not opts.discover then
  io.stderr:write("mentions: no gazetteer: give --entities FILE, put entities.tsv in the corpus directory, "
    .. "or use --discover\n")
  os.exit(2)
end
if (opts.svg or opts.svg_network or opts.svg_by or opts.svg_entity) and opts.discover then
  io.stderr:write("mentions: --svg, --svg-entity, --svg-network and --svg-by draw a gazetteer's entities: not with --discover\n")
  os.exit(2)
end
if opts.svg_entity and not opts.svg then
  io.stderr:write("mentions: --svg-entity chooses the entity --svg draws: give --svg FILE too\n")
  os.exit(2)
end
if opts.svg_by and not opts.by then
  io.stderr:write("mentions: --svg-by draws mentions over a metadata field: give --by FIELD too\n")
  os.exit(2)
end
local svg_entity
if opts.svg_entity then
  local why
  svg_entity, why = scriptlib.resolve_entity(gazetteer_path, opts.svg_entity)
  if not svg_entity then
    io.stderr:write("mentions: --svg-entity: ", why, "\n")
    os.exit(2)
  end
end
if opts.propn then   -- the tagger's model must be there, and the receipt names it
  if opts.no_discover then
    io.stderr:write("mentions: --propn is about the candidates: not with --no-discover\n")
    os.exit(2)
  end
  local model, err = tokenize.tagger()
  if not model then
    io.stderr:write("mentions: --propn: the text is to be tagged, and there is ", err, "\n")
    os.exit(1)
  end
  receipt.note_setting("tagger", "sha256:" .. model.sha256)
end
if opts.discover and opts.no_discover then
  io.stderr:write("mentions: --discover and --no-discover together leave nothing to do\n")
  os.exit(2)
end

local c = entities.open_corpus(corpus, corpus_path, gazetteer_path)
local g
if not opts.discover then g = scriptlib.gazetteer(gazetteer_path) end

-- ---- one pass over the corpus, then the tables ----------------------------------

local unit, window = opts.unit, nil
if unit:match("^window:") then unit, window = "window", tonumber(unit:match("%d+")) end

local r = entities.run(c, g, {
  unit = unit, window = window, by = opts.by,
  discover = opts.discover or not opts.no_discover, tags = opts.propn,
  rows = opts.db ~= nil or opts.kwic > 0 or opts.table == "evidence" or opts.svg ~= nil,
  -- the per-document summary is the HTML report's alone (on a cluster the
  -- merge may ask for --html when the shards did not: kept there)
  perdoc = opts.html ~= nil or host.cluster ~= nil,
  quiet = opts.quiet,
})
local t = entities.tables(r, {
  min = opts.min, top = opts.top, kwic = opts.table == "evidence" and math.max(opts.kwic, 1) or opts.kwic,
  corpus = c, by = opts.by,
})

-- ---- outputs ----------------------------------------------------------------------

local meta = {
  script = "scripts/mentions.lua", version = spec.version, corpus = corpus_path, by = opts.by,
  gazetteer = gazetteer_path or "(none)", unit = opts.unit, documents = r.documents,
}

-- Every result carries the run's receipt (`corpusrun replay` checks it): a
-- column of the runs table, a footer in HTML and Markdown reports, a
-- sidecar beside other files.
scriptlib.settings({ level = "key" }, { mentions = { unit = opts.unit, top = opts.top, min = opts.min, by = opts.by } })
-- (built only for a page that shows it: the receipt fingerprints the corpus,
-- which reads every document again)
if opts.html then meta.provenance = scriptlib.footer_fields() end
if opts.db then entities.write_db(opts.db, r, t, meta) end
if opts.html then scriptlib.output(entities.html(t, r, meta), opts.html, "html") end
if opts.gexf then
  entities.write_gexf(opts.gexf, t)
  receipt.write_sidecar(opts.gexf)
end

if opts.svg or opts.svg_network or opts.svg_by then
  entities.write_svg(t, r, c, {
    dispersion = opts.svg, entity = svg_entity, network = opts.svg_network, by_path = opts.svg_by,
    by = opts.by, bin = opts.bin, quiet = opts.quiet,
  })
end

local text
if opts.format == "text" or opts.format == "md" then
  text = entities.render(t, meta, opts.format, { discover = opts.discover, no_discover = opts.no_discover })
else
  local x = t[opts.table]
  if not x then
    io.stderr:write("mentions: --table " .. opts.table .. " needs " .. (opts.table == "by" and "--by FIELD" or "a gazetteer") .. "\n")
    os.exit(2)
  end
  text = entities.render_table(x, opts.format)
end

scriptlib.output(text, opts.out, opts.format)
