local spec = {
  name = "keyness",
  version = "1.0.0",
  description = "Key words of a target sub-corpus against a reference: the words the target uses "
    .. "more (or less) than the reference, with log-likelihood G2, chi-squared, log ratio, %DIFF "
    .. "and corrected p-values.  The target and reference are documents whose id matches a "
    .. "glob, documents with a metadata value, or a second corpus: with --reference-corpus "
    .. "and no --target, the whole corpus is the target.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "target", short = "t", type = "string",
      help = "target documents: a glob on the document id ('000*', '*-2024-*.txt'; without '/' it "
        .. "matches the id's last part, as -c globs do), or FIELD=VALUE with --by-meta "
        .. "(required unless --reference-corpus is given; then the default is every document)" },
    { name = "reference", short = "r", type = "string",
      help = "reference documents, like --target (default: every other document, or every "
        .. "document of --reference-corpus)" },
    { name = "reference-corpus", type = "corpus",
      help = "a second corpus as the reference (--reference then selects its documents)" },
    { name = "by-meta", type = "boolean", help = "--target and --reference are FIELD=VALUE metadata tests" },
    { name = "level", type = "enum", choices = { "raw", "nfc", "casefold", "key" }, default = "casefold",
      help = "how words are normalised" },
    { name = "direction", type = "enum", choices = { "positive", "negative", "both" }, default = "positive",
      output = true, help = "words over-used by the target, under-used, or both" },
    { name = "correction", type = "enum", choices = { "none", "bonferroni", "sidak" }, default = "bonferroni",
      output = true, help = "correction of p-values for the number of words tested" },
    { name = "min", type = "integer", min = 1, default = 2, output = true, help = "leave out words rarer than this in the target" },
    { name = "stopwords", type = "enum", choices = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }, default = "none",
      output = true, help = "leave out the stopwords of a language" },
    { name = "top", short = "n", type = "integer", min = 1, default = 20, output = true, help = "rows to show" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "db", type = "output", output = true,
      help = "also write the table to an SQLite database (table keyness, tied to the run's receipt)" },
    { name = "html", type = "output", output = true,
      help = "also write a standalone HTML report (bar chart of G2 and the table)" },
    { name = "svg", type = "output", output = true,
      help = "also draw the key words as an SVG picture: diverging bars of their log ratio (target against "
        .. "reference), one per row of the table" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/keyness.lua --target '000*' --reference '001*'",
    "corpusrun scripts/keyness.lua -c speeches/2024 --reference-corpus speeches/2023",
    "corpusrun scripts/keyness.lua --by-meta --target outlet=signal",
    "corpusrun scripts/keyness.lua --target '000*' --db results.db --html keyness.html",
    "corpusrun scripts/keyness.lua --target '000*' --direction both --svg keyness.svg",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local count = require "count"
local stats = require "stats"
local scriptlib = require "scriptlib"
local chart = require "chart"

local function selector(s)
  if not s then return nil end
  if opts.by_meta then
    local field, value = s:match("^([^=]+)=(.*)$")
    if not field then
      io.stderr:write("keyness: --target/--reference: expected FIELD=VALUE with --by-meta, got '", s, "'\n")
      os.exit(2)
    end
    return function(doc) return tostring((doc.meta or {})[field]) == value end
  end
  -- a glob, as corpus.open's include and exclude: without '/', on the id's
  -- last part; with '/', on the whole id
  local glob_match = corpus.glob_match
  if s:find("/", 1, true) then return function(doc) return glob_match(s, tostring(doc.id)) end end
  return function(doc) return glob_match(s, (tostring(doc.id):match("[^/]*$"))) end
end
-- a selection that found nothing: say so, and what a glob looks like when
-- the user wrote a Lua or regular-expression pattern
local function none_selected(what, s)
  local hint = ""
  if not opts.by_meta and s and (s:find("^%^") or s:find("%$$") or s:find("%%") or s:find("%.%*")) then
    hint = " (document ids are matched by globs, as on the command line: '000*', not '^000')"
  end
  io.stderr:write("keyness: ", what, " '", s, "' selects no document", hint, "\n")
  os.exit(1)
end
if not opts.target and not opts.reference_corpus then
  io.stderr:write("keyness: missing option --target (or a second corpus with --reference-corpus)\n(try --help)\n")
  os.exit(2)
end
local is_target = selector(opts.target) or function() return true end
local is_reference = selector(opts.reference)
local topts = { level = opts.level }
scriptlib.settings(topts)

local c = scriptlib.open(corpus, opts.corpus)
local acc = c:fold(
  function() return { t = count.freq(topts), r = count.freq(topts), nt = 0, nr = 0 } end,
  function(acc, doc)
    if is_target(doc) then
      acc.t:add_text(doc.text); acc.nt = acc.nt + 1
    elseif not opts.reference_corpus and (not is_reference or is_reference(doc)) then
      acc.r:add_text(doc.text); acc.nr = acc.nr + 1
    end
  end)
if opts.reference_corpus then
  local rc = scriptlib.open(corpus, opts.reference_corpus)
  local racc = rc:fold(
    function() return { r = count.freq(topts), nr = 0 } end,
    function(a, doc) if not is_reference or is_reference(doc) then a.r:add_text(doc.text); a.nr = a.nr + 1 end end)
  acc.r, acc.nr = racc.r, racc.nr
end
if acc.nt == 0 then
  if opts.target then none_selected("--target", opts.target) end
  io.stderr:write("keyness: the corpus holds no document\n")
  os.exit(1)
end
if acc.nr == 0 then
  if opts.reference then none_selected("--reference", opts.reference) end
  io.stderr:write("keyness: the reference holds no document\n")
  os.exit(1)
end
-- documents without tokens (empty files) count, but a side with no token
-- at all has no frequencies to compare
for _, side in ipairs({ { "target", acc.t, acc.nt }, { "reference", acc.r, acc.nr } }) do
  if side[2]:total() == 0 then
    io.stderr:write("keyness: the ", side[1], "'s ", side[3], " documents hold no tokens\n")
    os.exit(1)
  end
end

local rows = stats.keywords(acc.t, acc.r, {
  min = opts.min, direction = opts.direction,
  correction = opts.correction ~= "none" and opts.correction or nil,
})
local stop = scriptlib.stopwords(opts.stopwords)
local shown = {}
for _, r in ipairs(rows) do
  if not stop[r.key] and #shown < opts.top then shown[#shown + 1] = r end
end
local columns = {
  { key = "key", title = "word" }, { key = "a", title = "target" }, { key = "b", title = "reference" },
  { key = "g2", title = "g2", digits = 2 }, { key = "log_ratio", title = "log_ratio", digits = 2 },
  { key = "p_adj", title = "p_adj", digits = 4 },
}
local heading = string.format(
  "Key words: %d target documents (%d tokens) against %d reference documents (%d tokens)\n\n",
  acc.nt, acc.t:total(), acc.nr, acc.r:total())
scriptlib.results({ name = "keyness", title = "Key words", heading = heading, rows = shown, columns = columns,
                    chart = { value = "g2", label = "key", title = "g2" } }, { db = opts.db, html = opts.html })
if opts.svg then
  scriptlib.svg(opts.svg, chart.keyness(shown, {
    title = string.format("Key words: %d target document%s against %d reference document%s",
      acc.nt, acc.nt == 1 and "" or "s", acc.nr, acc.nr == 1 and "" or "s"),
  }))
end
scriptlib.output(scriptlib.render(shown, columns, opts.format, heading), opts.out, opts.format)
