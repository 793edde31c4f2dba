-- scriptlib.lua: what the scripts in scripts/ share: opening the corpus they
-- were given, rendering one table in the format asked for, and writing the
-- result to stdout or a file.
local chart = require "chart"
local report = require "report"
local json = require "json"
local receipt = require "receipt"
local count = require "count"
local fold = require "fold"
local db = require "db"
local match = require "match"
local tokenize = require "tokenize"
local corpus = require "corpus"
local host = require "corpusrun"
local cli = require "cli"

local scriptlib = {}

-- The gazetteer kept beside a corpus's documents is not a document.
scriptlib.SIDECARS = { "entities.tsv", "entities.jsonl" }

-- c:fold moves C counters between workers through their dump and
-- count.undump; make sure fold knows how (registering twice is harmless).
local function register_counters()
  if not (count.types and count.undump) then return end
  for _, name in ipairs(count.types) do
    if name ~= "corpusrun.DTM" then fold.register(name, count.undump) end
  end
end

-- Under --merge, --map and --reduce the corpus is not read (fold.lua): its
-- size says nothing then.
local function corpus_deferred()
  local cl = host.cluster
  return type(cl) == "table" and (cl.merge or cl.map or cl.reduce) ~= nil
end

-- Whether corpus c holds a document: its first one is read, not all (#c
-- would read every line of a JSON Lines corpus to count them).
local function has_document(c)
  for _ in c:docs() do return true end
  return false
end

-- Exits with status 1 and a message when corpus c holds no document: a
-- report of nothing would read as a finding.
function scriptlib.require_documents(c, path)
  if corpus_deferred() or has_document(c) then return end
  local where = path or (c.source and c:source()) or "the default corpus"
  io.stderr:write(tostring(arg and arg[0] or "corpusrun"), ": the corpus '", tostring(where),
    "' is empty: it holds no document\n")
  os.exit(1)
end

-- Opens path (nil: the default corpus); on failure, or when it holds no
-- document, prints the reason and exits with status 1.
function scriptlib.open(corpus, path, opts)
  register_counters()
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.exclude = o.exclude or {}
  for _, name in ipairs(scriptlib.SIDECARS) do o.exclude[#o.exclude + 1] = name end
  local c, err = corpus.open(path, o)
  if not c then
    io.stderr:write(tostring(arg and arg[0] or "corpusrun"), ": ", tostring(err), "\n")
    os.exit(1)
  end
  scriptlib.require_documents(c, path)
  return c
end

-- One table as text (aligned; `heading` printed above it), md, csv, tsv or json.
function scriptlib.render(rows, columns, format, heading)
  local o = { columns = columns }
  if format == "csv" then return report.csv(rows, o) end
  if format == "tsv" then return report.tsv(rows, o) end
  if format == "json" then return report.json(rows, o) .. "\n" end
  local body
  if #rows == 0 then body = "(none)\n"
  elseif format == "md" then body = report.markdown(rows, o)
  else body = report.text(rows, o) end
  return (heading or "") .. body
end

-- Formats whose reports carry the run's receipt as a footer; results in
-- other formats (text, csv, tsv, json, gexf) get a sidecar out.receipt.json.
scriptlib.FOOTER_FORMATS = receipt.FOOTER_FORMATS

-- The receipt as {name, value} pairs for a report's footer (HTML pages take
-- them as page.provenance).
function scriptlib.footer_fields() return receipt.footer_fields() end

local function fail(err)
  io.stderr:write(tostring(arg and arg[0] or "corpusrun"), ": ", tostring(err), "\n")
  os.exit(1)
end

-- Writes text to the file `out`, or to stdout when out is nil or "-".  A
-- file carries the run's provenance receipt: a Markdown report (format "md")
-- gets a footer, an HTML page has one already (page.provenance =
-- scriptlib.footer_fields()), and both get the whole receipt embedded
-- (receipt.embed); anything else gets a sidecar out.receipt.json.  Output
-- to stdout, /dev/null or a pipe carries none (a receipt needs a file: use
-- --db or write to a file).
function scriptlib.output(text, out, format)
  if not out or out == "-" then
    io.stdout:write(text)
    return
  end
  if format == "md" then text = text .. "\n" .. report.markdown_footer(receipt.footer_fields()) end
  if scriptlib.FOOTER_FORMATS[format] then text = receipt.embed(text, format) end
  local f, err = io.open(out, "wb")
  if not f then fail(err) end
  f:write(text)
  f:close()
  if not scriptlib.FOOTER_FORMATS[format] then receipt.write_sidecar(out) end
end

-- The SQL type of a report column (report.columns): INTEGER, REAL or TEXT.
local SQL_TYPES = { integer = "INTEGER", number = "REAL", string = "TEXT" }

-- Writes a script's result table to the outputs its --db and --html options
-- ask for (out.db, out.html: file names; nil: not written).
--   result = { name = "freq", rows = rows, columns = columns,
--              title = "page title", heading = "line above the table",
--              chart = { value = key, label = key } }   -- optional
-- out.db: table `name` of an SQLite database, replaced, one row per result
-- row, its columns named by the column titles (as in CSV and JSON) in the
-- same order, typed INTEGER, REAL or TEXT as the values are; in a script's
-- run a first column run_id references the run's receipt in `runs`
-- (db.open + h:write_table).  out.html: a standalone page (report.html)
-- with the heading, a bar chart of column chart.value labelled by
-- chart.label when result.chart is given, the table, and the run's receipt
-- as its footer (built only here: it fingerprints the corpus).
function scriptlib.results(result, out)
  out = out or {}
  if not (out.db or out.html) then return end
  local cols = report.columns(result.rows, { columns = result.columns })
  if out.db then
    local schema, records = {}, {}
    for i, col in ipairs(cols) do schema[i] = { col.title, SQL_TYPES[col.type] or "TEXT" } end
    for r, row in ipairs(result.rows) do
      local rec = {}
      for _, col in ipairs(cols) do
        local v = row[col.key]
        if v ~= json.null then rec[col.title] = v end
      end
      records[r] = rec
    end
    local ok, err = pcall(function()
      local h <close> = db.open(out.db)
      h:write_table(result.name, records, schema)
    end)
    if not ok then fail(err) end
  end
  if out.html then
    local page = { title = result.title or result.name, provenance = scriptlib.footer_fields() }
    if result.heading then page[#page + 1] = { text = (result.heading:gsub("%s+$", "")) } end
    if result.chart and #result.rows > 0 then
      page[#page + 1] = { bar = result.rows, label = result.chart.label, value = result.chart.value,
                          title = result.chart.title }
    end
    page[#page + 1] = { table = result.rows, columns = result.columns }
    scriptlib.output(report.html(page), out.html, "html")
  end
end

-- ---- pictures (--svg) -------------------------------------------------------------

-- Writes an SVG picture (a chart.* string) to path, as scriptlib.output
-- writes any other file: a sidecar receipt path.receipt.json beside it, so
-- the picture itself is the same bytes on every run.
function scriptlib.svg(path, svg)
  scriptlib.output(svg, path, "svg")
end

-- The documents of corpus c in document order: an array of {id =, size =
-- bytes of text}, read by a fold of their own (what a dispersion plot
-- needs beside the hits; under -j N each worker reads its shard).
function scriptlib.doc_sizes(c, opts)
  local acc = c:fold(
    function() return { docs = {} } end,
    function(acc, doc) acc.docs[#acc.docs + 1] = { id = doc.id, size = #(doc.text or "") } end,
    { progress = "sizes", quiet = opts and opts.quiet })
  return acc.docs
end

-- A dispersion plot (chart.dispersion) of hits: an array of {doc = id,
-- start = byte (1-based), group = name}.  opts: title, groups (the
-- groups' order; nil: one plot of every hit), every_doc (a strip for every
-- document of the corpus, not only those with hits; the default with one
-- group), quiet, docs (the documents' sizes when known: scriptlib.doc_sizes).
function scriptlib.dispersion(c, hits, opts)
  opts = opts or {}
  local docs = opts.docs or scriptlib.doc_sizes(c, opts)
  local groups = opts.groups or { false }
  local every = opts.every_doc
  if every == nil then every = #groups == 1 end
  local by = {}                 -- group -> doc id -> positions
  for _, h in ipairs(hits) do
    local g = opts.groups and h.group or false
    by[g] = by[g] or {}
    local list = by[g][h.doc]
    if not list then list = {}; by[g][h.doc] = list end
    list[#list + 1] = h.start - 1
  end
  local strips = {}
  for _, g in ipairs(groups) do
    local per = by[g] or {}
    for _, d in ipairs(docs) do
      local list = per[d.id]
      if list or every then
        strips[#strips + 1] = { name = d.id, size = d.size, hits = list or {}, group = g or nil }
      end
    end
  end
  return chart.dispersion(strips, { title = opts.title, unit = "relative position in the document (bytes)" })
end

-- The lines of a word list or gazetteer file as UTF-8, decoded line by line
-- as the gazetteer loader does (corpus.decode_lines): every line decoded
-- with a guess is told on stderr ("corpusrun: ROLE: file:line: invalid
-- UTF-8 at byte N: decoded as windows-1252").  On a file that cannot be
-- read prints why and exits with status 1.
function scriptlib.read_lines(path, role)
  local f, err = io.open(path, "rb")
  if not f then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
  local bytes = f:read("a")
  f:close()
  local text, problems = corpus.decode_lines(bytes, path)
  for _, p in ipairs(problems) do io.stderr:write("corpusrun: ", role or "input", ": ", p.message, "\n") end
  local lines = {}
  for line in text:gmatch("([^\n]*)\n?") do lines[#lines + 1] = (line:gsub("\r$", "")) end
  if lines[#lines] == "" then lines[#lines] = nil end   -- after the last newline
  return lines, problems
end

-- The aliases of one entity (or of all when entity is nil) from a gazetteer
-- TSV file (entity, type, alias; header; # comments), as entries for
-- match.gazetteer: { entity =, type =, alias = }.
function scriptlib.gazetteer_entries(path, entity)
  local out = {}
  local first = true
  for _, line in ipairs((scriptlib.read_lines(path, "gazetteer"))) do
    if not line:match("^%s*#") and line:match("%S") then
      if first then
        first = false
      else
        local e, t, a = line:match("^([^\t]*)\t([^\t]*)\t([^\t\r]*)")
        if e and (entity == nil or e == entity) then out[#out + 1] = { entity = e, type = t, alias = a } end
      end
    end
  end
  return out
end

-- The gazetteer kept beside a corpus: entities.tsv in the corpus directory,
-- or in the directory of a corpus given as one file, a glob (the directory
-- before its first wildcard) or a corpus database.
function scriptlib.gazetteer_path(corpus_path)
  local p = tostring(corpus_path or "corpus"):gsub("/+$", "")
  if p == "" then return "/entities.tsv" end
  local dir
  if host.file_kind(p) == "directory" then
    dir = p
  else
    local wild = p:find("[%*%?%[]")
    local head = wild and p:sub(1, wild - 1) or p
    dir = head:match("^(.*)/[^/]*$")
    if dir == nil then dir = "." elseif dir == "" then dir = "/" end
  end
  if dir == "." then return "entities.tsv" end
  return (dir:gsub("/+$", "")) .. "/entities.tsv"
end


-- The entity of gazetteer file `path` (TSV) that `name` names: an entity
-- name, else one of its aliases (compared by token key, as the matcher
-- does, so "zakani" and "Zakani’s" name Alireza Zakani).  Returns the
-- entity, or nil and a message: no such name (with the nearest entity or
-- alias as a suggestion), or an alias shared by several entities.
function scriptlib.resolve_entity(path, name)
  local entries = scriptlib.gazetteer_entries(path)
  for _, e in ipairs(entries) do
    if e.entity == name then return e.entity end
  end
  local function key(s)
    local ws = {}
    for w in tokenize.words(s, { level = "key" }) do ws[#ws + 1] = w end
    return table.concat(ws, " ")
  end
  local want = key(name)
  local found, list = {}, {}
  for _, e in ipairs(entries) do
    if (key(e.alias) == want or key(e.entity) == want) and not found[e.entity] then
      found[e.entity] = true
      list[#list + 1] = e.entity
    end
  end
  if #list == 1 then return list[1] end
  if #list > 1 then
    table.sort(list)
    return nil, "'" .. name .. "' is an alias of " .. #list .. " entities in " .. path .. ": "
      .. table.concat(list, ", ") .. " (give one of them)"
  end
  local best, bestd
  for _, e in ipairs(entries) do
    for _, s in ipairs({ e.entity, e.alias }) do
      local d = cli.distance(key(s), want)
      if bestd == nil or d < bestd or (d == bestd and s < best) then best, bestd = s, d end
    end
  end
  local msg = "no entity or alias '" .. name .. "' in " .. path
  if best and bestd <= math.max(2, #want // 3) then msg = msg .. " (did you mean '" .. best .. "'?)" end
  return nil, msg
end

-- A gazetteer for the C matcher (match.gazetteer) from a TSV or JSONL
-- file, noted in the run's receipt as its "gazetteer" input; on failure
-- prints the reason and exits with status 1.
function scriptlib.gazetteer(path)
  receipt.note_input("gazetteer", path)
  local g, err = match.gazetteer(path)
  if not g then fail(err) end
  return g
end

-- Notes the tokeniser's options (a tokenize option table; level defaults to
-- "casefold") and any other settings that shape the results in the run's
-- receipt, in one call: scriptlib.settings({ level = "key" }, { ngrams = 2 }).
function scriptlib.settings(tokenizer, others)
  receipt.note_tokenizer(tokenizer)
  for k, v in pairs(others or {}) do receipt.note_setting(k, v) end
end

-- The first `want` rows {key, n} of a counter's top list that keep(key, n)
-- accepts, in the counter's order: its top list read in growing steps, so
-- that a long stopword list costs no more than the rows it drops.
function scriptlib.first_kept(f, want, keep)
  local n = want
  while true do
    local rows, top = {}, f:top(n)
    for _, kv in ipairs(top) do
      if keep(kv[1], kv[2]) then
        rows[#rows + 1] = kv
        if #rows == want then return rows end
      end
    end
    if #top < n then return rows end
    n = n * 4
  end
end

-- The stopword set for --stopwords LANG (tokenize.stopwords; "none": empty)
-- plus the words of a file (one per line, # comments), normalised at level.
-- Both go into the run's receipt (the language as a setting, the file as
-- its "stopwords" input).
function scriptlib.stopwords(lang, file, level)
  receipt.note_setting("stopwords", lang or "none")
  if file then receipt.note_input("stopwords", file) end
  local set = {}
  if lang and lang ~= "none" then set = tokenize.stopwords(lang) end
  if file then
    for _, line in ipairs((scriptlib.read_lines(file, "stopwords"))) do
      local w = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
      if w ~= "" then set[tokenize.normalize(w, level or "casefold")] = true end
    end
  end
  return set
end

-- Groups the keys of counter f by their Snowball stem (tokenize.stem, lang):
-- returns a count.freq of stems (the counts of their forms added up) and a
-- table stem -> { form = the most frequent form (ties: the first in key
-- order), n = its count, forms = every form, most frequent first }.
-- opts.sep: n-gram keys, each word stemmed (default: one word a key);
-- opts.keep(key): only the keys it accepts.  One stem per distinct key (the
-- tokens were counted in C): the work grows with the vocabulary.
function scriptlib.stems(f, lang, opts)
  opts = opts or {}
  local stem, sep, keep = tokenize.stem, opts.sep, opts.keep
  local plain = sep and sep:gsub("%p", "%%%0")
  local out, forms = count.freq(), {}
  for key, n in f:items() do           -- most frequent first, then by key
    if not keep or keep(key) then
      local s
      if sep then
        local parts = {}
        for w in (key .. sep):gmatch("(.-)" .. plain) do parts[#parts + 1] = stem(w, lang) end
        s = table.concat(parts, sep)
      else
        s = stem(key, lang)
      end
      out:add(s, n)
      local g = forms[s]
      if not g then forms[s] = { form = key, n = n, forms = { key } }
      else g.forms[#g.forms + 1] = key end
    end
  end
  return out, forms
end

-- A node, pattern or phrase as typed, without the quotes around it that
-- search engines take for a phrase: '"human rights"' is 'human rights'.
function scriptlib.unquote(s)
  local inner = s:match('^%s*"(.*)"%s*$') or s:match("^%s*\u{201C}(.*)\u{201D}%s*$")
    or s:match("^%s*'(.*)'%s*$")
  if inner and inner:match("%S") then return inner end
  return s
end

scriptlib.STOPWORD_LANGUAGES = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }

return scriptlib
