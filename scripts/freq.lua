local spec = {
  name = "freq",
  version = "1.0.0",
  description = "Word (or stem, or n-gram) frequency list of a corpus, with document frequency and "
    .. "dispersion over documents (range, Juilland's D, Gries's DP), stopwords removed by language. "
    .. "--stem LANG counts Snowball stems and shows each stem's most frequent form. --attr counts the "
    .. "lemmas, tags or any attribute of an annotated corpus (CoNLL-U, VRT, word/TAG, BNC XML, TEI), --where only "
    .. "some tokens. Plain text is tagged and lemmatised on the fly (English: a part-of-speech tagger "
    .. "trained on the Brown corpus and WordNet's morphology, see tokenize.tag), its tokens then having "
    .. "the attributes form, lemma, upos and xpos: --lemma counts lemmas, --pos NOUN,ADJ only some "
    .. "Universal POS tags; the tagger's model is named in the receipt. With --ngrams N they count n-grams "
    .. "of the attribute (-N 2 --lemma: bigrams of lemmas), the tokens --where or --pos leave out closing up.",
  options = {
    { name = "corpus", short = "c", type = "corpus", help = "corpus to read (default: the default corpus)" },
    { name = "ngrams", short = "N", type = "integer", min = 1, max = 8, default = 1,
      help = "count n-grams of N words instead of words" },
    { name = "level", type = "enum", choices = { "raw", "nfc", "casefold", "key" }, default = "casefold",
      help = "how words are normalised before counting" },
    { name = "stem", type = "string", metavar = "LANG",
      help = "count Snowball stems of language LANG (en, english, fr, ...; see tokenize.stemmers()), "
        .. "each shown with its most frequent form" },
    { name = "attr", type = "string", metavar = "NAME",
      help = "count this attribute of an annotated corpus's tokens (lemma, upos, tag, or a pair: lemma/upos) "
        .. "instead of words" },
    { name = "lemma", type = "boolean", help = "count lemmas (the same as --attr lemma)" },
    { name = "pos", type = "string", metavar = "UPOS[,UPOS...]",
      help = "only the tokens of these Universal POS tags (NOUN,ADJ; the same as --where upos=...); "
        .. "counts lemmas unless --attr says otherwise" },
    { name = "where", type = "string", metavar = "ATTR=V[,V...][;...]",
      help = "with --attr: only the tokens whose ATTR is one of the values (upos=NOUN,PROPN; conditions "
        .. "separated by ';' must all hold)" },
    { name = "stopwords", type = "enum", choices = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }, default = "none",
      help = "leave out the stopwords of a language (n-grams: those made only of stopwords)" },
    { name = "stopwords-file", type = "file", role = "stopwords", help = "leave out the words of a file (one per line)" },
    { name = "top", short = "n", type = "integer", min = 1, default = 30, help = "rows to show" },
    { name = "min", type = "integer", min = 1, default = 1, help = "leave out words rarer than this" },
    { name = "format", short = "f", type = "enum", choices = { "text", "csv", "tsv", "md", "json" },
      default = "text", output = true, help = "output format" },
    { name = "out", short = "o", type = "output", output = true, help = "write to FILE instead of stdout" },
    { name = "db", type = "output", output = true,
      help = "also write the table to an SQLite database (table freq, tied to the run's receipt)" },
    { name = "html", type = "output", output = true,
      help = "also write a standalone HTML report (bar chart of the counts and the table)" },
    { name = "svg", type = "output", output = true,
      help = "also draw the top words as an SVG picture: a bar chart of their counts, or with --by FIELD "
        .. "their frequency over the field's values (dates binned by month or year)" },
    { name = "by", type = "string", metavar = "FIELD",
      help = "the top words' frequencies per value of this metadata field (date, outlet, ...): the table "
        .. "in long format, a row per bin and word (FIELD, rank, word, freq, per_million of the bin's tokens, "
        .. "docs, bin_tokens, bin_docs), documents without the field in a bin (none) of their own; "
        .. "with --svg, the first 8 words drawn over the same bins" },
    { name = "bin", type = "enum", choices = { "auto", "month", "year", "value" }, default = "auto", output = true,
      help = "with --by: bins of dates (auto: months, or years over 36 months), or each value its own" },
    { name = "full-pass", type = "boolean",
      help = "read every document even when the corpus is an index (which answers words (not n-grams, --attr or --where; --by reads the documents) from its lexicon and postings, with the same output)" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/freq.lua --stopwords en --top 20",
    "corpusrun scripts/freq.lua --stem en --stopwords en",
    "corpusrun scripts/freq.lua --ngrams 2 --stopwords en --format csv",
    "corpusrun scripts/freq.lua --stopwords en --db results.db --html freq.html",
    "corpusrun scripts/freq.lua -c treebank.conllu --attr lemma --where upos=NOUN,PROPN",
    "corpusrun scripts/freq.lua --lemma --pos NOUN,ADJ --top 20",
    "corpusrun scripts/freq.lua -N 2 --lemma --top 20",
    "corpusrun scripts/freq.lua --stopwords en --top 20 --svg freq.svg",
    "corpusrun scripts/freq.lua --stopwords en --by date --format csv",
    "corpusrun scripts/freq.lua --stopwords en --by date --svg freq-by-date.svg",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local count = require "count"
local stats = require "stats"
local receipt = require "receipt"
local report = require "report"
local chart = require "chart"
local scriptlib = require "scriptlib"
local tokenize = require "tokenize"
local host = require "corpusrun"

if opts.stem then
  local okst = pcall(tokenize.stem, "x", opts.stem)
  if not okst then
    io.stderr:write("freq: --stem: no Snowball stemmer for '", opts.stem, "' (one of: ",
      table.concat(tokenize.stemmers(), " "), ")\n(try --help)\n")
    os.exit(2)
  end
end

local function usage_error(msg)
  io.stderr:write("freq: ", msg, "\n(try --help)\n")
  os.exit(2)
end
if opts.lemma then
  if opts.attr and opts.attr ~= "lemma" then usage_error("--lemma counts lemmas: not with --attr " .. opts.attr) end
  opts.attr = "lemma"
end
if opts.pos then
  opts.attr = opts.attr or "lemma"
  opts.where = (opts.where and (opts.where .. ";") or "") .. "upos=" .. opts.pos
end
if opts.attr and opts.stem then usage_error("--attr counts an attribute: not with --stem") end
if opts.where and not opts.attr then usage_error("--where chooses the tokens --attr counts: give --attr too") end
-- --where upos=NOUN,PROPN;deprel=obj -> { upos = { "NOUN", "PROPN" }, deprel = { "obj" } }
local where
if opts.where then
  where = {}
  for cond in opts.where:gmatch("[^;]+") do
    local name, values = cond:match("^%s*([^=%s]+)%s*=(.*)$")
    if not name or values == "" then usage_error("--where: '" .. cond .. "' is not ATTR=VALUE[,VALUE...]") end
    local list = {}
    for v in values:gmatch("[^,]+") do list[#list + 1] = v end
    where[name] = list
  end
end

local c = scriptlib.open(corpus, opts.corpus)
local topts = { level = opts.level, attr = opts.attr, where = where }
scriptlib.settings({ level = opts.level }, { ngrams = opts.ngrams, stem = opts.stem, attr = opts.attr, where = opts.where })

local function new_counter()
  if opts.ngrams > 1 then return count.ngrams(opts.ngrams, topts) end
  return count.freq(topts)
end

-- a document into a counter: its text (with --attr, tagged on the fly), or
-- with --attr an annotated document's tokens
local function feed(f, doc)
  if opts.attr and doc.tokens then return f:add_tokens(doc.tokens) end
  return f:add_text(doc.text)
end

if opts.attr then   -- plain text is tagged: the model must be there, and the receipt names it
  for doc in c:docs() do
    if not doc.tokens then
      local model, err = tokenize.tagger()
      if not model then
        io.stderr:write("freq: --", opts.lemma and "lemma" or "attr", ": ", doc.id, " is plain text, to be tagged, and there is ",
          err, "\n")
        os.exit(1)
      end
      receipt.note_setting("tagger", "sha256:" .. model.sha256)
    end
    break
  end
end

-- the stopword filter
local stop = scriptlib.stopwords(opts.stopwords, opts.stopwords_file, opts.level)
local function keep(key)
  if opts.ngrams == 1 then return not stop[key] end
  for w in key:gmatch("%S+") do if not stop[w] then return true end end
  return false
end

-- What the list reads of the counts (c:fold's reduce): the first --top
-- keys that --min and the stopwords keep, and every key counted as often as
-- the last of them; the totals stay, and the types counted (shares add up).  From any share of the keys this keeps
-- that share's candidates, so on N cores each worker reduces its share and
-- no process merges the whole table.  --stem reads every key.
local function candidates(acc)
  if not acc.f then return acc end
  acc.types = #acc.f
  if opts.stem then return acc end
  local n, last = opts.top, nil
  while not last do
    local top, found = acc.f:top(n), 0
    for _, kv in ipairs(top) do
      if kv[2] >= opts.min and keep(kv[1]) then
        found = found + 1
        if found == opts.top then last = kv[2]; break end
      end
    end
    if #top < n then break end
    n = n * 4
  end
  if last then acc.f:prune(last) end
  return acc
end

-- The first `want` keys of a counter that --min and the stopwords keep
-- (as {key, n} rows, in the counter's order).
local function first_kept(f, want, min)
  return scriptlib.first_kept(f, want, function(key, n) return n >= min and keep(key) end)
end

-- The keys likely to make the list, from a sample of the documents (one in
-- 40, at least 50 and at most 1000: on Brown x17 one in 40 guesses as well
-- as one in 20 did, for words, n-grams, stopwords and --top 100): pass 1
-- records each document's counts of them (f:delta, one C call a document),
-- so that the dispersion needs no second reading of the corpus when the
-- list holds only those keys.  When
-- it holds another, the second pass runs as before: the numbers never
-- depend on the guess.  Not with --stem (the list holds stems) nor when
-- streaming (--map, --reduce: stdin is the corpus).  The list travels in
-- the accumulator (`watch`, a set of one packed list), so that --merge
-- reads it from the parts and needs no corpus; parts made from different
-- lists leave two in the set, and the second pass runs.
-- An index answers words (not n-grams or attributes) from its lexicon and
-- postings, without reading the documents (no sample, no fold); else, or
-- when it cannot say, the full pass.  Not on a cluster (--shard, --merge,
-- --map, --reduce): there the fold is the work.
local indexed = not opts.full_pass and host.cluster == nil and c.freq and c.doc_counts and opts.ngrams == 1 and not opts.attr and c:freq(topts)
local cluster = host.cluster
local watched
if not indexed and not opts.stem and not (cluster and (cluster.map or cluster.reduce or cluster.merge)) then
  local ndocs = #c
  local sample = new_counter()
  local n = math.min(ndocs, math.max(50, math.min(math.ceil(ndocs / 40), 1000)))
  for doc in c:sample(n, 0):docs() do feed(sample, doc) end
  watched = {}
  for i, kv in ipairs(first_kept(sample, 3 * opts.top + 20, 1)) do watched[i] = kv[1] end
  sample:close()
end
local function pack_keys(keys)
  local out = {}
  for i, k in ipairs(keys) do out[i] = string.pack("<s4", k) end
  return table.concat(out)
end
local function unpack_keys(s)
  local keys, pos = {}, 1
  while pos <= #s do keys[#keys + 1], pos = string.unpack("<s4", s, pos) end
  return keys
end

-- pass 1: frequencies, counted in C, and each document's counts of the
-- watched keys
local running
local acc
if indexed then
  receipt.note_corpus(c)
  acc = candidates({ f = indexed, docs = #c, sizes = {}, records = {}, recorded = 0, watch = {} })
else
  acc = c:fold(
    function()
      running = {}
      return { f = new_counter(), docs = 0, sizes = {}, records = {}, recorded = 0,
               watch = watched and { [pack_keys(watched)] = true } or {} }
    end,
    function(acc, doc)
      local f = acc.f
      local before = f:total()
      feed(f, doc)
      acc.docs = acc.docs + 1
      if watched then
        acc.sizes[#acc.sizes + 1] = f:total() - before
        -- records joined into strings of about 4 KB (count.columns reads
        -- them as they come), not one Lua string a document
        local records, rec = acc.records, f:delta(watched, running)
        local last = records[#records]
        if last and #last < 4096 then records[#records] = last .. rec else records[#records + 1] = rec end
        acc.recorded = acc.recorded + 1
      end
    end, { reduce = candidates })
end

if acc.f:total() == 0 then
  io.stderr:write("freq: the corpus is empty: its ", acc.docs, " documents hold no ",
    opts.ngrams > 1 and (opts.ngrams .. "-grams") or "tokens", "\n")
  os.exit(1)
end

-- the top words, stopwords left out; with --stem, the distinct words
-- counted in C are grouped by stem (one stem per word type, not per token)
local rows = {}
local want = opts.top
local forms
if opts.stem then
  local sf
  sf, forms = scriptlib.stems(acc.f, opts.stem, { keep = keep, sep = opts.ngrams > 1 and " " or nil })
  for _, kv in ipairs(sf:top(want)) do
    if kv[2] >= opts.min then rows[#rows + 1] = { word = kv[1], freq = kv[2], form = forms[kv[1]].form } end
  end
end
if not opts.stem then
  for i, kv in ipairs(first_kept(acc.f, want, opts.min)) do rows[i] = { word = kv[1], freq = kv[2] } end
end

-- pass 2: document frequency and dispersion of the words shown, from their
-- counts in each document (arrays concatenate in document order); a stem's
-- count is that of its forms
local shown = {}
local shown_forms = {}
for _, r in ipairs(rows) do
  shown[#shown + 1] = r.word
  shown_forms[r.word] = forms and forms[r.word].forms or { r.word }
end
-- Each worker counts into one counter of its own, kept outside the
-- accumulator (it is never merged): a document's counts are what it adds.
-- N-grams: the counter stores the shown ones alone (count.ngrams{only=}),
-- with the same totals.
local function shown_counter()
  if opts.ngrams == 1 then return new_counter() end
  local o = { only = {} }
  for k, v in pairs(topts) do o[k] = v end
  for _, w in ipairs(shown) do
    for _, form in ipairs(shown_forms[w]) do o.only[#o.only + 1] = form end
  end
  if #o.only == 0 then return new_counter() end
  return count.ngrams(opts.ngrams, o)
end
-- The watched keys' columns when every shown key is one of them (and every
-- part watched the same keys), else a second reading of the corpus
local lists = {}
for packed in pairs(acc.watch or {}) do lists[#lists + 1] = packed end
watched = #lists == 1 and acc.recorded == acc.docs and unpack_keys(lists[1]) or nil
local column = {}
for i, w in ipairs(watched or {}) do column[w] = i end
local all_watched = watched ~= nil
for _, w in ipairs(shown) do if not column[w] then all_watched = false end end
-- on an index: each document's counts from the postings
local function index_counts()
  local keys, seen = {}, {}
  for _, w in ipairs(shown) do
    for _, form in ipairs(shown_forms[w]) do
      if not seen[form] then seen[form] = true; keys[#keys + 1] = form end
    end
  end
  local counts, sizes = c:doc_counts(keys, { level = opts.level })
  if not counts then return nil end
  local v = {}
  for _, w in ipairs(shown) do
    local list = {}
    for d = 1, #sizes do
      local k = 0
      for _, form in ipairs(shown_forms[w]) do k = k + counts[form][d] end
      list[d] = k
    end
    v[w] = list
  end
  return { v = v, sizes = sizes }
end
local per = indexed and index_counts() or nil
if not per and all_watched then
  per = { sizes = acc.sizes }
elseif not per then
  per = c:fold(
    function()
      running = { f = shown_counter(), total = 0, seen = {} }
      local v = {}
      for _, w in ipairs(shown) do v[w] = {}; running.seen[w] = 0 end
      return { v = v, sizes = {} }
    end,
    function(acc, doc)
      local f = running.f
      feed(f, doc)
      local total = f:total()
      acc.sizes[#acc.sizes + 1] = total - running.total
      running.total = total
      for _, w in ipairs(shown) do
        local k = 0
        for _, form in ipairs(shown_forms[w]) do k = k + (f:get(form) or 0) end
        local list = acc.v[w]
        list[#list + 1] = k - running.seen[w]
        running.seen[w] = k
      end
    end)
end
local total = acc.f:total()
local function measure(r, v)
  local d = stats.dispersion(v, per.sizes)
  r.per_million = r.freq * 1e6 / math.max(total, 1)
  r.docs = d.range   -- the documents that hold it
  r.juilland_d = d.d
  r.dp = d.dp
end
if all_watched then
  -- eight columns at a time: a column is an array as long as the corpus
  -- has documents, so all of them at once would hold (top x documents)
  -- Lua numbers (40 MB for the 30 rows of Brown x 170, 84 000 documents)
  for first = 1, #rows, 8 do
    local last, wanted = math.min(first + 7, #rows), {}
    for k = first, last do wanted[#wanted + 1] = column[rows[k].word] end
    local columns = count.columns(acc.records, #watched, wanted)
    for k = first, last do measure(rows[k], columns[k - first + 1]) end
    columns = nil
    collectgarbage()   -- those arrays, before the next eight are made
  end
else
  for _, r in ipairs(rows) do measure(r, per.v[r.word]) end
end
for i, r in ipairs(rows) do r.rank = i end

local columns = {
  { key = "rank", title = "rank" },
  { key = "word", title = opts.attr or opts.stem and "stem" or opts.ngrams > 1 and "ngram" or "word" },
}
if opts.stem then columns[#columns + 1] = { key = "form", title = "form" } end
for _, col in ipairs({
  { key = "freq", title = "freq" }, { key = "per_million", title = "per_million", digits = 1 },
  { key = "docs", title = "docs" }, { key = "juilland_d", title = "juilland_d", digits = 3 },
  { key = "dp", title = "dp", digits = 3 },
}) do columns[#columns + 1] = col end
-- documents without tokens count in the total but weigh nothing in the
-- dispersion (docs/statistics.md); with one document that has tokens, D and
-- DP cannot say anything
local empty, sized = 0, 0
for _, s in ipairs(per.sizes) do if s == 0 then empty = empty + 1 else sized = sized + 1 end end
local notes = {}
if empty > 0 then
  notes[#notes + 1] = string.format("%d of them hold no %s", empty, opts.ngrams > 1 and "n-grams" or "tokens")
end
if sized == 1 and #rows > 0 then
  notes[#notes + 1] = "dispersion over a single document says nothing (D = 1, DP = 0)"
end
local heading = string.format(
  "%d tokens, %d types in %d documents; %s%s\n%s\n", acc.f:total(), acc.types, acc.docs,
  (opts.attr and (opts.attr .. (opts.where and (" where " .. opts.where) or ""))
    or opts.ngrams > 1 and (opts.ngrams .. "-grams") or "words") .. (opts.stem and (" by " .. opts.stem .. " stem") or ""),
  opts.stopwords ~= "none" and (", stopwords (" .. opts.stopwords .. ") left out") or "",
  #notes > 0 and (table.concat(notes, "; ") .. "\n") or "")
-- --by FIELD: the table's words counted again in each bin of the field's
-- values (chart.bins: months or years for dates, as the picture draws them;
-- documents without the field in a bin "(none)" of their own), in long
-- format, a row per bin and word; per_million is per million tokens of
-- that bin, which is what compares across bins of different sizes
local by_rows, by_columns, by_heading
if opts.by then
  -- a fold of its own: the numbers in its tables add up across workers
  local by = c:fold(
    function() return { n = {}, docs = {}, tokens = {}, ndocs = {} } end,
    function(acc, doc)
      local v = (doc.meta or {})[opts.by]
      v = (v == nil or v == "") and "(none)" or tostring(v)
      local one = new_counter()
      feed(one, doc)
      local t, d = acc.n[v] or {}, acc.docs[v] or {}
      acc.n[v], acc.docs[v] = t, d
      acc.tokens[v] = (acc.tokens[v] or 0) + one:total()
      acc.ndocs[v] = (acc.ndocs[v] or 0) + 1
      for _, w in ipairs(shown) do
        local k = 0
        for _, form in ipairs(shown_forms[w]) do k = k + (one:get(form) or 0) end
        t[w] = (t[w] or 0) + k
        if k > 0 then d[w] = (d[w] or 0) + 1 end
      end
    end, { progress = "by " .. opts.by, quiet = opts.quiet })
  local values = {}
  for v in pairs(by.n) do values[#values + 1] = v end
  table.sort(values)
  local ok, labels, bin_of, kind = true, {}, function() end, opts.bin == "auto" and "value" or opts.bin
  if by.n["(none)"] == nil or #values > 1 then   -- no document has the field: no bins, only (none)
    ok, labels, bin_of, kind = pcall(chart.bins, values, opts.bin)
  end
  if not ok then usage_error("--by " .. opts.by .. ": " .. tostring(labels):gsub("^.-chart%.bins: ", "")) end
  -- each bin's counts, tokens and documents; "(none)" last
  local bins = {}
  for i, l in ipairs(labels) do bins[i] = { label = l, n = {}, docs = {}, tokens = 0, ndocs = 0 } end
  local none = { label = "(none)", n = {}, docs = {}, tokens = 0, ndocs = 0 }
  for _, v in ipairs(values) do
    local b = bins[bin_of(v) or 0] or none
    b.tokens, b.ndocs = b.tokens + by.tokens[v], b.ndocs + by.ndocs[v]
    for _, w in ipairs(shown) do
      b.n[w] = (b.n[w] or 0) + (by.n[v][w] or 0)
      b.docs[w] = (b.docs[w] or 0) + (by.docs[v][w] or 0)
    end
  end
  if none.ndocs > 0 then bins[#bins + 1] = none end
  local key_title = opts.by
  for _, col in ipairs(columns) do if col.title == key_title then key_title = "by_" .. opts.by end end
  by_columns = {
    { key = "bin", title = key_title }, { key = "rank", title = "rank" }, columns[2],
    { key = "freq", title = "freq" }, { key = "per_million", title = "per_million", digits = 1 },
    { key = "docs", title = "docs" }, { key = "bin_tokens", title = "bin_tokens" },
    { key = "bin_docs", title = "bin_docs" },
  }
  by_rows = {}
  for _, b in ipairs(bins) do
    for _, r in ipairs(rows) do
      local k = b.n[r.word] or 0
      by_rows[#by_rows + 1] = {
        bin = b.label, rank = r.rank, word = r.word, freq = k,
        per_million = b.tokens > 0 and k * 1e6 / b.tokens or nil,   -- empty for a bin without tokens
        docs = b.docs[r.word] or 0, bin_tokens = b.tokens, bin_docs = b.ndocs,
      }
    end
  end
  local unit = kind == "value" and "value" or kind
  by_heading = heading:gsub("\n", string.format(
    "; per %s of %s (%d bins%s), per_million of each bin's tokens\n", unit, opts.by, #labels,
    none.ndocs > 0 and string.format(", and (none): %d documents without %s", none.ndocs, opts.by) or ""), 1)
end

local out_rows, out_columns, out_heading = rows, columns, heading
if opts.by then out_rows, out_columns, out_heading = by_rows, by_columns, by_heading end
scriptlib.results({ name = "freq", title = "Word frequencies", heading = out_heading, rows = out_rows,
                    columns = out_columns, chart = not opts.by and { value = "freq", label = "word" } or nil },
                  { db = opts.db, html = opts.html })
if opts.svg and not opts.by then
  scriptlib.svg(opts.svg, chart.bar(rows, { label = "word", value = "freq", xlabel = "frequency",
                                            title = "Top " .. columns[2].title .. "s" }))
elseif opts.svg then
  -- the first 8 words of the table, their counts per bin as the table has them
  local points = {}
  for _, r in ipairs(by_rows) do
    if r.rank <= 8 then points[#points + 1] = { x = r.bin, y = r.freq, series = r.word } end
  end
  local ok, svg = pcall(chart.over, points, { series = "series", bin = opts.bin, xlabel = opts.by,
                                               title = "Top " .. columns[2].title .. "s by " .. opts.by })
  if not ok then usage_error("--by " .. opts.by .. ": " .. tostring(svg):gsub("^.-chart%.bins: ", "")) end
  scriptlib.svg(opts.svg, svg)
end
local text = scriptlib.render(out_rows, out_columns, opts.format, out_heading)
scriptlib.output(text, opts.out, opts.format)
