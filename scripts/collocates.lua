local spec = {
  name = "collocates",
  version = "1.0.0",
  description = "Collocates of a node word or phrase: the words found near it (within a window of "
    .. "words, or in the same sentence), with every association measure in one table (joint "
    .. "frequency, expected, MI, MI3, t, z, log-likelihood G2, chi-squared, Dice, logDice, delta P "
    .. "both ways, log ratio, odds ratio), sortable by any of them. A phrase ('human rights', quoted "
    .. "or not) is counted as one unit. The heading gives the node's frequency; the node is not "
    .. "its own collocate unless --include-node. --pos NOUN,ADJ keeps only collocates of these Universal "
    .. "POS tags, and --lemma takes the node and the collocates as lemmas (say: say, says, said, saying): "
    .. "an annotated corpus (CoNLL-U, VRT, BNC XML) gives its own tags and lemmas, plain text is tagged and "
    .. "lemmatised on the fly (English; see tokenize.tag), the tagger's model named in the receipt. Then "
    .. "each collocate is a word (or lemma) with its tag, punctuation and symbols take no place in the window, "
    .. "and the table has a pos column.",
  args = {
    { name = "node", metavar = "WORD", help = "the node word, or a phrase of words" },
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
    { name = "pos", type = "string", metavar = "UPOS[,UPOS...]", output = true,
      help = "only collocates of these Universal POS tags (NOUN,ADJ), from the corpus's tags or the tagger" },
    { name = "lemma", type = "boolean",
      help = "the node is a lemma and the collocates are lemmas (say: every form of say), from the corpus's "
        .. "lemmas or the tagger" },
    { name = "include-node", type = "boolean", output = true,
      help = "keep the node among its own collocates (a word repeated near itself: again and again, "
        .. "step by step)" },
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
    { name = "svg", type = "output", output = true,
      help = "also draw the node and its collocates as a network, an SVG picture (node area: frequency, "
        .. "edge width: the --sort measure)" },
    { name = "full-pass", type = "boolean",
      help = "read every document even when the corpus is an index (which reads only the documents holding the node and takes the margins from its lexicon and postings; a phrase or --sentence reads them all), with the same output" },
    { name = "quiet", short = "q", type = "boolean", output = true, help = "no progress line on stderr" },
  },
  examples = {
    "corpusrun scripts/collocates.lua regime",
    "corpusrun scripts/collocates.lua mayor --window 3 --sort logdice --min 1",
    "corpusrun scripts/collocates.lua 'human rights' --min 1",
    "corpusrun scripts/collocates.lua regime --db results.db --html regime.html",
    "corpusrun scripts/collocates.lua regime --sort logdice --svg regime.svg",
    "corpusrun scripts/collocates.lua regime --pos NOUN,ADJ",
    "corpusrun scripts/collocates.lua say --lemma --pos NOUN,PROPN",
    "corpusrun scripts/collocates.lua -c treebank.conllu have --lemma --pos NOUN",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local count = require "count"
local tokenize = require "tokenize"
local stats = require "stats"
local scriptlib = require "scriptlib"
local chart = require "chart"
local match = require "match"
local host = require "corpusrun"

local receipt = require "receipt"

local function usage_error(msg)
  io.stderr:write("collocates: ", msg, "\n(try --help)\n")
  os.exit(2)
end

-- --pos and --lemma count words (or lemmas) with their tags, "regime/noun":
-- the universal tags a collocate may have, and those that take a place in
-- the window (all but punctuation and symbols, as words and numbers do
-- without tags).
local UPOS = { "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
               "PUNCT", "SCONJ", "SYM", "VERB", "X" }
local tagged = opts.pos ~= nil or opts.lemma
local wanted
if opts.pos then
  wanted = {}
  local known = {}
  for _, u in ipairs(UPOS) do known[u] = true end
  for tag in opts.pos:gmatch("[^,%s]+") do
    tag = tag:upper()
    if not known[tag] then usage_error("--pos: '" .. tag .. "' is not a Universal POS tag (" .. table.concat(UPOS, ",") .. ")") end
    wanted[tag] = true
  end
  if not next(wanted) then usage_error("--pos: give one tag or more (NOUN,ADJ)") end
end

local c = scriptlib.open(corpus, opts.corpus)
local copts = opts.sentence and { mode = "sentence" } or { mode = "window", window = opts.window }
local attr = tagged and ((opts.lemma and "lemma" or "word") .. "/upos") or nil
scriptlib.settings({ level = "casefold" }, { cooccurrence = copts, attr = attr, pos = opts.pos })
if tagged then   -- plain text is tagged: the model must be there, and the receipt names it
  for doc in c:docs() do
    if doc.tokens then   -- an annotated corpus must have the attributes
      local has = {}
      for _, name in ipairs(doc.tokens:attributes()) do has[name] = true end
      for _, need in ipairs({ "upos", opts.lemma and "lemma" or nil }) do
        if not has[need] then
          io.stderr:write("collocates: --", opts.lemma and "lemma" or "pos", ": the tokens of ", doc.id,
            " have no attribute '", need, "' (they have ", table.concat(doc.tokens:attributes(), ", "), ")\n")
          os.exit(1)
        end
      end
    else
      local model, err = tokenize.tagger()
      if not model then
        io.stderr:write("collocates: --", opts.lemma and "lemma" or "pos", ": ", doc.id,
          " is plain text, to be tagged, and there is ", err, "\n")
        os.exit(1)
      end
      receipt.note_setting("tagger", "sha256:" .. model.sha256)
    end
    break
  end
end

-- The node: one word, or a phrase (its words compared by key, as kwic
-- does), which the C matcher finds and each occurrence of which becomes one
-- token before counting, its words joined by U+203F (a connector the
-- tokeniser keeps inside a word).  A phrase is a unit: its own words are
-- neither its collocates nor counted apart where it occurs.
local shown = scriptlib.unquote(opts.node)
local words = {}
for w in tokenize.words(shown, { level = "key" }) do words[#words + 1] = w end
if #words == 0 then
  io.stderr:write("collocates: the node '", opts.node, "' holds no word\n(try --help)\n")
  os.exit(2)
end
if tagged and #words > 1 then usage_error("--pos and --lemma take a node of one word, not '" .. shown .. "'") end
local JOIN = "\u{203F}"
local node = #words > 1 and table.concat(words, JOIN) or tokenize.normalize(shown, "casefold")
local phrase = #words > 1 and match.gazetteer(
  { { entity = shown, type = "node", alias = table.concat(words, " ") } }, { level = "key" }) or nil

-- Only the pairs with the node are counted (the words alone for their
-- margins): about the cost of counting the words.
local node_copts = { mode = copts.mode, window = copts.window, node = node }
if tagged then
  local words_only = {}
  for _, u in ipairs(UPOS) do
    if u ~= "PUNCT" and u ~= "SYM" then words_only[#words_only + 1] = u end
  end
  node_copts.attr, node_copts.where = attr, { upos = words_only }
end
-- An index gives the documents holding the node (the pairs with the node
-- are all there) and the words' margins over the whole corpus
-- (c:window_slots): only those documents are read.
-- When the node is in every document, the full pass is the shorter way;
-- on a cluster the fold is the work; tags and lemmas are counted from the
-- documents.
local source = not tagged and not opts.full_pass and not opts.sentence and not phrase and host.cluster == nil
  and c.holding and c.window_slots and c:holding({ node }, { level = "casefold" }) or c
if #source == #c then source = c end
local function count_pairs(src)
  return src:fold(
  function() return { cooc = count.cooc(node_copts) } end,
  function(acc, doc)
    if tagged then   -- counted in C: the corpus's tokens, or the text tagged
      if doc.tokens then acc.cooc:add_tokens(doc.tokens) else acc.cooc:add_text(doc.text) end
      return
    end
    local text = doc.text
    if phrase then
      local parts, from = nil, 1
      for _, _, _, s, e in phrase:find(text) do
        parts = parts or {}
        parts[#parts + 1] = text:sub(from, s - 1)
        parts[#parts + 1] = node
        from = e + 1
      end
      if parts then
        parts[#parts + 1] = text:sub(from)
        text = table.concat(parts)
      end
    end
    acc.cooc:add_text(text)
  end)
end
local acc = count_pairs(source)
local with = acc.cooc:with(node)
if source ~= c then
  local keys = {}
  for i, r in ipairs(with) do keys[i] = r.key end
  local slots, n = c:window_slots(keys, opts.window)
  if slots then
    local f = c:freq()
    for _, r in ipairs(with) do r.c1, r.n, r.f2 = slots[r.key], n, f:get(r.key) end
  else
    acc = count_pairs(c)
    with = acc.cooc:with(node)
  end
end

local node_freq = acc.cooc:freq(node) or 0
local stop = scriptlib.stopwords(opts.stopwords)
local rows = {}
for _, r in ipairs(with) do
  local word, pos = r.key, nil
  if tagged then   -- regime/noun; the node alone is a word whatever its tag (count.cooc{attr=, node=})
    word, pos = r.key:match("^(.*)/([^/]*)$")
    if word then pos = pos:upper() else word, pos = r.key, "" end
  end
  if not stop[word] and (opts.include_node or word ~= node) and (not wanted or wanted[pos]) then
    r.key = word:gsub(JOIN, " ")
    r.pos = pos
    r.node_freq = node_freq
    rows[#rows + 1] = r
  end
end
rows = stats.collocations(rows, { sort = opts.sort, min = opts.min })
if #rows > opts.top then
  for i = #rows, opts.top + 1, -1 do rows[i] = nil end
end
local columns = { { key = "key", title = opts.lemma and "lemma" or "collocate" } }
if tagged then columns[#columns + 1] = { key = "pos", title = "pos" } end
columns[#columns + 1] = { key = "o11", title = "o11" }
columns[#columns + 1] = { key = "e11", title = "e11", digits = 2 }
for _, m in ipairs({ "mi", "mi3", "t", "z", "ll", "chi2", "dice", "logdice", "deltap_c_given_n", "deltap_n_given_c",
                     "log_ratio", "odds_ratio" }) do
  columns[#columns + 1] = { key = m, title = m, digits = 2 }
end
local heading = string.format("Collocates of %s'%s', %s %d %s (%s; %ssorted by %s)\n\n", opts.lemma and "the lemma " or "",
  shown, opts.sentence and "in" or "seen", node_freq,
  opts.sentence and (node_freq == 1 and "sentence" or "sentences") or (node_freq == 1 and "time" or "times"),
  opts.sentence and "same sentence" or ("window " .. opts.window),
  opts.pos and ("only " .. opts.pos:upper():gsub("%s", "") .. "; ") or "", opts.sort)
if node_freq == 0 then
  io.stderr:write("collocates: '", shown, "' does not occur in the corpus\n")
end
-- CSV, TSV, JSON and --db have no heading: the node's frequency is a column there
local machine = {}
for _, col in ipairs(columns) do machine[#machine + 1] = col end
machine[#machine + 1] = { key = "node_freq", title = "node_freq" }
scriptlib.results({ name = "collocates", title = "Collocates of '" .. shown .. "'", heading = heading,
                    rows = rows, columns = machine,
                    chart = { value = opts.sort, label = "key", title = opts.sort } },
                  { db = opts.db, html = opts.html })
if opts.svg then
  -- edge width: the measure (an infinite one as wide as the widest, a
  -- negative one as narrow as can be)
  local nodes, edges, widest = { { id = "\0node", label = shown, size = node_freq } }, {}, 0
  for _, r in ipairs(rows) do
    local w = r[opts.sort]
    if w == w and w ~= math.huge and w > widest then widest = w end
  end
  for i, r in ipairs(rows) do
    local w = r[opts.sort]
    if w == math.huge then w = widest elseif w ~= w or w < 0 then w = 0 end
    local id = r.pos and (r.key .. "/" .. r.pos) or r.key   -- run/NOUN and run/VERB are two
    nodes[i + 1] = { id = id, label = r.pos and id or nil, size = r.f2 or r.c1 }
    edges[i] = { source = "\0node", target = id, weight = w }
  end
  scriptlib.svg(opts.svg, chart.network(nodes, edges, { title = "Collocates of '" .. shown .. "'", weight_label = opts.sort }))
end
local text_formats = { text = true, md = true }
scriptlib.output(scriptlib.render(rows, text_formats[opts.format] and columns or machine, opts.format, heading),
  opts.out, opts.format)
