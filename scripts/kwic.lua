local spec = {
  name = "kwic",
  version = "1.0.0",
  description = "Concordance (keyword in context) of a word, a phrase, a wildcard (Iran*) or a "
    .. "gazetteer entity with all its aliases, sorted by document, left or right context. --show pos "
    .. "(or lemma,upos) prints each word of the line with its attributes, word/TAG style, in every "
    .. "output format: an annotated corpus's own (CoNLL-U, VRT, BNC XML), or for plain text the tagger's "
    .. "(English; see tokenize.tag), the model named in the receipt.",
  args = {
    { name = "pattern", metavar = "PATTERN", required = false,
      help = "word, phrase or wildcard to find (or give --entity)" },
  },
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "entity", type = "string", help = "an entity of the gazetteer: every alias of it" },
    { name = "entities", short = "g", type = "file", role = "gazetteer",
      help = "gazetteer for --entity (default: entities.tsv in the corpus directory, or beside a corpus file)" },
    { name = "window", short = "w", type = "integer", min = 1, max = 200, default = 6,
      help = "context words on each side" },
    { name = "sort", type = "enum", choices = { "doc", "left", "right" }, default = "doc",
      help = "order of the lines: document order, or alphabetical by the words nearest the match" },
    { name = "top", short = "n", type = "integer", min = 1, help = "show at most N lines" },
    { name = "show", type = "string", metavar = "ATTR[,ATTR...]",
      help = "print each word with these attributes (pos, lemma, upos, tag, or a corpus's own: said/say/VERB)" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "db", type = "output", output = true,
      help = "also write the lines to an SQLite database (table kwic, tied to the run's receipt)" },
    { name = "html", type = "output", output = true, help = "also write the concordance as a standalone HTML page" },
    { name = "svg", type = "output", output = true,
      help = "also draw a dispersion plot of the hits (one strip per document, a mark at each hit) as an SVG picture" },
    { name = "full-pass", type = "boolean",
      help = "read every document even when the corpus is an index (which reads only the documents holding the pattern's words; --entity reads them all), with the same output" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/kwic.lua Zakani",
    "corpusrun scripts/kwic.lua 'Iran*' --sort right --top 10",
    "corpusrun scripts/kwic.lua --entity 'Massoud Kashefi'",
    "corpusrun scripts/kwic.lua Zakani --db results.db --html zakani.html",
    "corpusrun scripts/kwic.lua --entity Zakani --svg zakani.svg",
    "corpusrun scripts/kwic.lua regime --show pos",
    "corpusrun scripts/kwic.lua -c treebank.conllu says --show lemma,upos --format tsv",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local kwic = require "kwic"
local scriptlib = require "scriptlib"
local receipt = require "receipt"
local tokenize = require "tokenize"
local host = require "corpusrun"

if not opts.pattern and not opts.entity then
  io.stderr:write("kwic: give a PATTERN or --entity NAME (try --help)\n")
  os.exit(2)
end

local corpus_path = opts.corpus or host.default_corpus() or "corpus"
local c = scriptlib.open(corpus, opts.corpus)
receipt.note_corpus(c)   -- c:fold notes it; kwic.lines reads it without one
local what = opts.pattern
local kopts = { window = opts.window, sort = opts.sort, show = opts.show }
scriptlib.settings({ level = "casefold" }, { kwic = { window = opts.window, sort = opts.sort, show = opts.show } })
local function show_check(doc, what)   -- the first document tells whether --show can be done
  if not doc.tokens then   -- plain text is tagged: the model must be there, and the receipt names it
    local model, err = tokenize.tagger()
    if not model then
      io.stderr:write("kwic: --show: ", doc.id, " is plain text, to be tagged, and there is ", err, "\n")
      os.exit(1)
    end
    receipt.note_setting("tagger", "sha256:" .. model.sha256)
  end
  local ok, err = pcall(kwic.lines, doc, what, { window = 1, max = 1, show = opts.show, progress = false,
                                                 entity = kopts.entity })
  if not ok then
    io.stderr:write("kwic: --show: ", doc.id, ": ", tostring(err):gsub("^kwic.lines: show: ", ""), "\n")
    os.exit(1)
  end
end
if opts.entity then
  local gpath = opts.entities or scriptlib.gazetteer_path(corpus_path)
  local entity = opts.entity
  if not gpath:match("%.jsonl$") then
    local why
    entity, why = scriptlib.resolve_entity(gpath, opts.entity)
    if not entity then
      io.stderr:write("kwic: --entity: ", why, "\n")
      os.exit(2)
    end
  end
  what = scriptlib.gazetteer(gpath)
  kopts.entity = entity
end

if not opts.entity then what = scriptlib.unquote(what) end
if opts.show then
  for doc in c:docs() do show_check(doc, what); break end
end
-- An index gives the documents that hold every word of the pattern (a
-- trailing * a prefix of the last): only those are read (not on a
-- cluster, where the fold is the work).
local source = c
if not opts.full_pass and not opts.entity and not opts.show and host.cluster == nil and c.holding then
  local base = what:match("^(.-)%*$") or what
  if not base:match("%s$") then
    local words = {}
    for w in tokenize.words(base, { level = "key" }) do words[#words + 1] = w end
    if base ~= what and #words > 0 then words[#words] = words[#words] .. "*" end
    source = c:holding(words) or c
  end
end
local rows = kwic.lines(source, what, kopts)
local found = #rows
if opts.svg then
  scriptlib.svg(opts.svg, scriptlib.dispersion(c, rows, { title = "Dispersion of " .. (kopts.entity or what),
                                                          quiet = opts.quiet }))
end
if opts.top and #rows > opts.top then
  for i = #rows, opts.top + 1, -1 do rows[i] = nil end
end
local heading = string.format("%d lines for %s%s\n\n", found, kopts.entity or what,
  found > #rows and (" (the first " .. #rows .. " shown)") or "")
local columns = {
  { key = "doc", title = "doc" }, { key = "start", title = "start" },
  { key = "left", title = "left", align = "right" }, { key = "match", title = "match" },
  { key = "right", title = "right" },
}
scriptlib.results({ name = "kwic", title = "Concordance", heading = heading, rows = rows, columns = columns },
                  { db = opts.db, html = opts.html })
local text
if opts.format == "text" then
  text = heading .. (#rows > 0 and kwic.format(rows, { width = opts.show and 60 or nil }) or "(none)\n")
else
  text = scriptlib.render(rows, columns, opts.format, heading)
end
scriptlib.output(text, opts.out, opts.format)
