-- entities.lua: mention counting, co-mentions and discovery of entities over
-- a corpus; the work behind scripts/mentions.lua, reusable by other scripts.
--
--   local r = entities.run(c, g, {unit = "sentence"})   -- one c:fold pass
--   local t = entities.tables(r, {min = 1, top = 20})   -- rows for report
--
-- Counting runs in C (the gazetteer matcher finds every mention of a
-- document in one call, match.candidates every discovery candidate); Lua
-- sees one value per match or candidate, never one per token.
local sqlite3 = require "lsqlite3"
local tokenize = require "tokenize"
local stats = require "stats"
local report = require "report"
local chart = require "chart"
local discover = require "discover"
local receipt = require "receipt"
local scriptlib = require "scriptlib"

local entities = {}

-- ---- adapters to the C modules ---------------------------------------------

local function key(s) return tokenize.normalize(s, "key") end
entities.key = key

-- Every match of gazetteer g in text, in text order: rows { entity, type,
-- alias, start, stop (bytes, 1-based, inclusive), sentence (from 1) }; and
-- the number of sentences in text, as the matcher segmented it.
-- Two aliases of one entity that normalise alike ("Défi", "DéFI") match the
-- same span twice; such a mention counts once.
function entities.matches(g, text)
  local ms, nsentences = g:matches(text)
  local out, last = {}, nil
  for _, m in ipairs(ms) do
    if not (last and last.start == m.start and last.stop == m.stop and last.entity == m.entity) then
      out[#out + 1] = m
      last = m
    end
  end
  return out, nsentences
end

function entities.sentence_count(text)
  local n = 0
  for _ in tokenize.sentences(text) do n = n + 1 end
  return n
end

-- Opens a corpus; a gazetteer kept inside a directory corpus is not a document.
function entities.open_corpus(corpus, path, gazetteer_path)
  local o = { exclude = {} }
  if gazetteer_path then
    local dir = path:gsub("/+$", "")
    if gazetteer_path:sub(1, #dir + 1) == dir .. "/" then
      o.exclude[1] = gazetteer_path:sub(#dir + 2)
    end
  end
  return scriptlib.open(corpus, path, o)
end

-- The last n characters of s (whole UTF-8 characters; stray bytes dropped).
function entities.tail(s, n)
  local chars = {}
  for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do chars[#chars + 1] = ch end
  return table.concat(chars, "", math.max(1, #chars - n + 1))
end

-- The first n characters of s.
function entities.head(s, n)
  local chars = {}
  for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    if #chars == n then break end
    chars[#chars + 1] = ch
  end
  return table.concat(chars)
end

-- ---- the pass ------------------------------------------------------------------

local function bump(t, k, n) t[k] = (t[k] or 0) + (n or 1) end

-- Co-mentions of one group of matches, ms[first..last] (one sentence or
-- one document): each entity once, each unordered pair once.  (Most
-- sentences with a mention have only one: no tables for them.)
local function group(acc, ms, first, last)
  local unit_freq = acc.unit_freq
  if first == last then
    local a = ms[first].entity
    unit_freq[a] = (unit_freq[a] or 0) + 1
    return
  end
  local set, list = {}, {}
  for k = first, last do
    local e = ms[k].entity
    if not set[e] then set[e] = true; list[#list + 1] = e end
  end
  table.sort(list)
  local pairs_ = acc.pairs
  for i, a in ipairs(list) do
    unit_freq[a] = (unit_freq[a] or 0) + 1
    for j = i + 1, #list do
      local k = a .. "\t" .. list[j]
      pairs_[k] = (pairs_[k] or 0) + 1
    end
  end
end

-- Token indices of the first and last token of each match (window unit),
-- counting the document's word, number and other non-space, non-punctuation
-- tokens; and the number of such tokens.
local function token_positions(text, ms)
  local starts = {}
  for _, kind, start in tokenize.tokens(text) do
    if kind ~= "punct" then starts[#starts + 1] = start end
  end
  local first, last, j = {}, {}, 1
  for i, m in ipairs(ms) do
    while j < #starts and starts[j + 1] <= m.start do j = j + 1 end
    first[i] = j
    local k = j
    while k < #starts and starts[k + 1] <= m.stop do k = k + 1 end
    last[i] = k
  end
  return first, last, #starts
end

-- One pass over corpus c with gazetteer g (nil: discovery only).
-- opts: unit ("sentence" | "document" | "window"), window (tokens), by
-- (metadata field), discover (boolean), tags (discovery reads the tagger's
-- proper nouns: discover.add's tags), rows (keep one row per match),
-- perdoc (false: no per-document summary, which only the HTML report shows),
-- quiet (no progress line on a terminal; the line is c:fold's).
function entities.run(c, g, opts)
  opts = opts or {}
  local unit = opts.unit or "sentence"
  local keep_perdoc = opts.perdoc ~= false
  local acc = c:fold(
    function()
      return { documents = 0, units = 0, entities = {}, unit_freq = {}, pairs = {}, by = {},
               rows = {}, discovery = discover.new(), perdoc = {} }
    end,
    function(acc, doc)
      local text = doc.text or ""
      acc.documents = acc.documents + 1
      local ms, nsent = {}, nil
      if g then ms, nsent = entities.matches(g, text) end
      local in_doc = {}
      local byv = opts.by and tostring((doc.meta or {})[opts.by] or "(none)")
      for _, m in ipairs(ms) do
        local e = acc.entities[m.entity]
        if not e then
          e = { mentions = 0, documents = 0, types = {} }
          acc.entities[m.entity] = e
        end
        e.mentions = e.mentions + 1
        bump(e.types, m.type)
        if not in_doc[m.entity] then in_doc[m.entity] = 0; e.documents = e.documents + 1 end
        in_doc[m.entity] = in_doc[m.entity] + 1
        if byv then
          acc.by[byv] = acc.by[byv] or {}
          bump(acc.by[byv], m.entity)
        end
        if opts.rows then
          acc.rows[#acc.rows + 1] = { doc = doc.id, entity = m.entity, type = m.type, alias = m.alias,
                                      start = m.start, stop = m.stop, sentence = m.sentence,
                                      text = text:sub(m.start, m.stop) }
        end
      end
      if unit == "document" then
        acc.units = acc.units + 1
        group(acc, ms, 1, #ms)
      elseif unit == "window" then
        -- a pair: the later mention starts at most `window` tokens after
        -- the earlier one ends ("Dirk Claes, Mayor of Rotselaar": 3)
        local first, last, ntok = token_positions(text, ms)
        acc.units = acc.units + ntok
        for i, m in ipairs(ms) do
          bump(acc.unit_freq, m.entity)
          for j = i + 1, #ms do
            if first[j] - last[i] > opts.window then break end
            local b = ms[j].entity
            if b ~= m.entity then
              local x, y = m.entity, b
              if y < x then x, y = y, x end
              bump(acc.pairs, x .. "\t" .. y)
            end
          end
        end
      else
        -- (the matcher's count, when it ran: the same sentences as its
        -- matches' indices, and no second pass over the text; without a
        -- gazetteer there are no co-mentions to weigh, so no count)
        if g then
          nsent = nsent or entities.sentence_count(text)
          acc.units = acc.units + nsent
        end
        local i = 1
        while i <= #ms do
          local j = i
          while j < #ms and ms[j + 1].sentence == ms[i].sentence do j = j + 1 end
          group(acc, ms, i, j)
          i = j + 1
        end
      end
      local nent = 0
      local best, bestn = "", 0
      for name, k in pairs(in_doc) do
        nent = nent + 1
        if k > bestn or (k == bestn and name < best) then best, bestn = name, k end
      end
      if keep_perdoc then
        acc.perdoc[doc.id] = { mentions = #ms, entities = nent, top = best, title = doc.title or "" }
      end
      if opts.discover then
        discover.add(acc.discovery, text, { key = key, covered = ms, tags = opts.tags })
      end
    end, { progress = "mentions", quiet = opts.quiet })
  acc.unit = unit
  acc.window = opts.window
  return acc
end

-- ---- tables ---------------------------------------------------------------------

local function main_type(types)
  local best, n
  for t, k in pairs(types) do
    if n == nil or k > n or (k == n and t < best) then best, n = t, k end
  end
  return best
end

-- The comentions table's order: co-mentions descending, logDice descending,
-- then the two names.  The rows are grouped by the two numbers first (few
-- distinct values, sorted by the C comparison of numbers), so that a Lua
-- comparator runs only on rows that tie on both.  (logDice of a pair is
-- never NaN: it has at least one co-mention.)
local function by_names(x, y)
  if x.entity_a ~= y.entity_a then return x.entity_a < y.entity_a end
  return x.entity_b < y.entity_b
end

local function sort_pairs(rows)
  local groups, scores, counts = {}, {}, {}
  for _, row in ipairs(rows) do
    local c, s = row.comentions, row.logdice
    local g = groups[c]
    if not g then g = {}; groups[c] = g; scores[c] = {}; counts[#counts + 1] = c end
    local l = g[s]
    if not l then l = {}; g[s] = l; local sc = scores[c]; sc[#sc + 1] = s end
    l[#l + 1] = row
  end
  table.sort(counts)
  local out = {}
  for i = #counts, 1, -1 do
    local c = counts[i]
    local sc = scores[c]
    table.sort(sc)
    for j = #sc, 1, -1 do
      local l = groups[c][sc[j]]
      if #l > 1 then table.sort(l, by_names) end
      for k = 1, #l do out[#out + 1] = l[k] end
    end
  end
  return out
end

local PAIR_MEASURES = { "logdice", "ll" }

-- The result tables, each { columns = {...}, rows = {...} } for report:
-- entities, comentions, candidates, by, evidence.
-- opts: min, top, kwic (lines per entity), corpus (for evidence), partners (3).
function entities.tables(r, opts)
  opts = opts or {}
  local min, top = opts.min or 1, opts.top or 20
  local out = {}

  -- co-mention pairs with association scores; each entity's first
  -- opts.partners partners (by logDice, then co-mentions, then name) kept
  -- as the pairs go by, not all of them sorted
  local pairs_rows = {}
  local partners = {}
  local keep = opts.partners or 3
  local function before(x, y)
    if x.score ~= y.score then return x.score > y.score end
    if x.n ~= y.n then return x.n > y.n end
    return x.name < y.name
  end
  local function add_partner(name, p)
    local ps = partners[name]
    if not ps then ps = {}; partners[name] = ps end
    local i = #ps
    if i >= keep then
      if keep < 1 or not before(p, ps[keep]) then return end
      i = keep - 1
    end
    while i >= 1 and before(p, ps[i]) do ps[i + 1] = ps[i]; i = i - 1 end
    ps[i + 1] = p
  end
  for k, o11 in pairs(r.pairs) do
    local a, b = k:match("^(.-)\t(.*)$")
    local ra, rb = r.unit_freq[a] or 0, r.unit_freq[b] or 0
    local n = math.max(r.units, ra, rb, 1)
    local s = stats.association(o11, ra, rb, n, PAIR_MEASURES)
    local row = { entity_a = a, entity_b = b, comentions = o11, units_a = ra, units_b = rb,
                  logdice = s.logdice, ll = s.ll }
    pairs_rows[#pairs_rows + 1] = row
    add_partner(a, { name = b, n = o11, score = s.logdice })
    add_partner(b, { name = a, n = o11, score = s.logdice })
  end
  pairs_rows = sort_pairs(pairs_rows)
  local shown = {}
  for _, row in ipairs(pairs_rows) do
    if row.comentions >= min and #shown < top then shown[#shown + 1] = row end
  end
  out.comentions = {
    rows = shown, all = pairs_rows,
    columns = {
      { key = "entity_a", title = "entity_a", max = 40 }, { key = "entity_b", title = "entity_b", max = 40 },
      { key = "comentions", title = "comentions" },
      { key = "units_a", title = "units_a" }, { key = "units_b", title = "units_b" },
      { key = "logdice", title = "logdice", digits = 2 }, { key = "ll", title = "ll", digits = 2 },
    },
  }

  -- entities
  local rows = {}
  for name, e in pairs(r.entities) do
    if e.mentions >= min then
      local ps = partners[name] or {}
      local with = {}
      for i = 1, #ps do with[i] = ps[i].name .. " (" .. ps[i].n .. ")" end
      rows[#rows + 1] = { entity = name, type = main_type(e.types), mentions = e.mentions,
                          documents = e.documents, share = e.documents / math.max(r.documents, 1),
                          comentioned = table.concat(with, "; ") }
    end
  end
  table.sort(rows, function(x, y)
    if x.mentions ~= y.mentions then return x.mentions > y.mentions end
    if x.documents ~= y.documents then return x.documents > y.documents end
    return x.entity < y.entity
  end)
  out.entities = {
    rows = rows,
    columns = {
      { key = "entity", title = "entity", max = 40 }, { key = "type", title = "type" },
      { key = "mentions", title = "mentions" }, { key = "documents", title = "documents" },
      { key = "share", title = "share", digits = 2 },
      { key = "comentioned", title = "comentioned", max = 60 },
    },
  }

  -- candidates
  local all_candidates = discover.rank(r.discovery, { min = min })
  local shown_candidates = table.move(all_candidates, 1, math.min(top, #all_candidates), 1, {})
  out.candidates = {
    rows = shown_candidates, all = all_candidates,
    columns = {
      { key = "candidate", title = "candidate" }, { key = "kind", title = "kind" },
      { key = "mentions", title = "mentions" }, { key = "documents", title = "documents" },
    },
  }

  -- by a metadata field
  if opts.by then
    local brows = {}
    for v, t in pairs(r.by) do
      for name, n in pairs(t) do
        if (r.entities[name].mentions or 0) >= min then
          brows[#brows + 1] = { [opts.by] = v, entity = name, mentions = n }
        end
      end
    end
    table.sort(brows, function(x, y)
      if x[opts.by] ~= y[opts.by] then return x[opts.by] < y[opts.by] end
      if x.mentions ~= y.mentions then return x.mentions > y.mentions end
      return x.entity < y.entity
    end)
    out.by = { rows = brows, columns = { { key = opts.by, title = opts.by }, { key = "entity", title = "entity" },
                                         { key = "mentions", title = "mentions" } } }
  end

  -- evidence: the first N mentions of each entity in document order, in context
  if (opts.kwic or 0) > 0 and opts.corpus then
    local per, erows = {}, {}
    local cache = {}
    for _, m in ipairs(r.rows) do
      per[m.entity] = (per[m.entity] or 0) + 1
      if per[m.entity] <= opts.kwic and r.entities[m.entity].mentions >= min then
        local text = cache[m.doc]
        if not text then
          local d = opts.corpus:get(m.doc)
          text = d and d.text or ""
          cache = { [m.doc] = text }
        end
        local left = entities.tail(text:sub(math.max(1, m.start - 400), m.start - 1):gsub("%s+", " "), 40)
        local right = entities.head(text:sub(m.stop + 1, m.stop + 400):gsub("%s+", " "), 40)
        erows[#erows + 1] = { entity = m.entity, doc = m.doc, start = m.start,
                              left = left, match = text:sub(m.start, m.stop), right = right }
      end
    end
    local order = {}
    for i, row in ipairs(rows) do order[row.entity] = i end
    table.sort(erows, function(x, y)
      if order[x.entity] ~= order[y.entity] then return (order[x.entity] or 0) < (order[y.entity] or 0) end
      if x.doc ~= y.doc then return x.doc < y.doc end
      return x.start < y.start
    end)
    out.evidence = {
      rows = erows,
      columns = {
        { key = "entity", title = "entity" }, { key = "doc", title = "doc" },
        { key = "left", title = "left", align = "right" },
        { key = "match", title = "match" }, { key = "right", title = "right" },
      },
    }
  end
  return out
end

-- ---- output ------------------------------------------------------------------

local function total_mentions(t)
  local n = 0
  for _, row in ipairs(t.entities.rows) do n = n + row.mentions end
  return n
end

local UNIT_TEXT = { sentence = "same sentence", document = "same document" }

local function unit_text(unit)
  return UNIT_TEXT[unit] or (unit:match("^window:(%d+)$") and ("within " .. unit:match("%d+") .. " tokens")) or unit
end

-- The human-readable report: "text" (aligned tables) or "md" (Markdown).
-- meta: corpus, gazetteer, unit, documents; flags: discover, no_discover.
function entities.render(t, meta, format, flags)
  flags = flags or {}
  local out = {}
  local md = format == "md"
  local function heading(s)
    if md then out[#out + 1] = "## " .. s .. "\n\n" else out[#out + 1] = s .. "\n\n" end
  end
  local function tbl(x)
    if #x.rows == 0 then
      out[#out + 1] = "(none)\n\n"
      return
    end
    local o = { columns = x.columns }
    out[#out + 1] = (md and report.markdown(x.rows, o) or report.text(x.rows, o)) .. "\n"
  end
  if md then out[#out + 1] = "# Mentions\n\n" end
  if not flags.discover then
    out[#out + 1] = string.format("%d entities, %d mentions in %d documents (corpus: %s; gazetteer: %s)\n\n",
      #t.entities.rows, total_mentions(t), meta.documents, meta.corpus, meta.gazetteer)
    heading("Entities")
    tbl(t.entities)
    heading("Co-mention pairs (" .. unit_text(meta.unit) .. "; association: logDice and G2)")
    tbl(t.comentions)
    if t.by then
      heading("Mentions by " .. meta.by)
      tbl(t.by)
    end
    if t.evidence then
      heading("Evidence")
      tbl(t.evidence)
    end
  else
    out[#out + 1] = string.format("%d documents (corpus: %s; no gazetteer)\n\n", meta.documents, meta.corpus)
  end
  if not flags.no_discover then
    heading("Candidates the gazetteer misses (capitalised sequences and acronyms, not only sentence-initial)")
    tbl(t.candidates)
  end
  local s = table.concat(out)
  return (s:gsub("\n\n$", "\n"))
end

-- One machine-readable table: "csv", "tsv" or "json".
function entities.render_table(x, format)
  local o = { columns = x.columns }
  if format == "csv" then return report.csv(x.rows, o) end
  if format == "tsv" then return report.tsv(x.rows, o) end
  return report.json(x.rows, o) .. "\n"
end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then error("mentions: cannot write " .. tostring(err), 0) end
  f:write(text)
  f:close()
end
entities.write_file = write_file

-- The co-mention network as GEXF: entities are nodes, pairs are edges.
function entities.write_gexf(path, t)
  local nodes, edges = {}, {}
  local known = {}
  for _, row in ipairs(t.entities.rows) do
    nodes[#nodes + 1] = { id = row.entity, label = row.entity, type = row.type, mentions = row.mentions,
                          documents = row.documents }
    known[row.entity] = true
  end
  for _, row in ipairs(t.comentions.all) do
    if known[row.entity_a] and known[row.entity_b] then
      edges[#edges + 1] = { source = row.entity_a, target = row.entity_b, weight = row.comentions,
                            logdice = row.logdice }
    end
  end
  write_file(path, report.gexf(nodes, edges, { description = "co-mentions of entities", creator = "corpusrun mentions" }))
end

-- The co-mention network as a node-link diagram (chart.network): the first
-- max_nodes entities of the table (default 40) as nodes, their area by
-- mentions; the pairs among them as edges, their width by logDice.
function entities.network_svg(t, opts)
  opts = opts or {}
  local nodes, edges, known = {}, {}, {}
  for i = 1, math.min(opts.max_nodes or 40, #t.entities.rows) do
    local row = t.entities.rows[i]
    nodes[i] = { id = row.entity, size = row.mentions }
    known[row.entity] = true
  end
  local min = opts.min or 1
  for _, row in ipairs(t.comentions.all) do
    if known[row.entity_a] and known[row.entity_b] and row.comentions >= min then
      edges[#edges + 1] = { source = row.entity_a, target = row.entity_b, weight = math.max(row.logdice, 0) }
    end
  end
  return chart.network(nodes, edges, { title = opts.title or "Co-mentions", weight_label = "logDice" })
end

-- The pictures mentions.lua --svg, --svg-network and --svg-by ask for, each
-- written with its sidecar receipt: opts.dispersion (path: a dispersion
-- plot of opts.entity, or of the first 10 entities of the table, from r's
-- rows), opts.network (path), opts.by_path (path: mentions of the top
-- entities over the field opts.by, binned by opts.bin), opts.quiet.
function entities.write_svg(t, r, c, opts)
  if opts.dispersion then
    local groups = {}
    if opts.entity then groups[1] = opts.entity
    else
      for i = 1, math.min(10, #t.entities.rows) do groups[i] = t.entities.rows[i].entity end
    end
    local want = {}
    for _, g in ipairs(groups) do want[g] = true end
    local hits = {}
    for _, m in ipairs(r.rows) do
      if want[m.entity] then hits[#hits + 1] = { doc = m.doc, start = m.start, group = m.entity } end
    end
    local title = opts.entity and ("Mentions of " .. opts.entity) or "Mentions of the most mentioned entities"
    scriptlib.svg(opts.dispersion, scriptlib.dispersion(c, hits, { title = title, groups = groups, quiet = opts.quiet }))
  end
  if opts.network then scriptlib.svg(opts.network, entities.network_svg(t, { min = opts.min })) end
  if opts.by_path then
    local rows = t.by and t.by.rows or {}
    scriptlib.svg(opts.by_path, chart.over(rows, {
      x = opts.by, y = "mentions", series = "entity", bin = opts.bin, xlabel = opts.by, ylabel = "mentions",
      title = "Mentions by " .. opts.by,
    }))
  end
end

-- A standalone HTML report: summary, bar chart of mentions, co-mention heat
-- map, entity table, per-document table, evidence lines, candidates.
function entities.write_html(path, t, r, meta)
  write_file(path, entities.html(t, r, meta))
end

-- The HTML report of entities.write_html, as a string.
function entities.html(t, r, meta)
  local top = {}
  for i = 1, math.min(30, #t.entities.rows) do top[i] = t.entities.rows[i] end
  local hm = {}
  local names = {}
  for i = 1, math.min(15, #t.entities.rows) do names[i] = t.entities.rows[i].entity end
  local idx = {}
  for i, n in ipairs(names) do idx[n] = i end
  local values = {}
  for i = 1, #names do
    values[i] = {}
    for j = 1, #names do values[i][j] = 0 end
  end
  for _, row in ipairs(t.comentions.all) do
    local a, b = idx[row.entity_a], idx[row.entity_b]
    if a and b then values[a][b] = row.comentions; values[b][a] = row.comentions end
  end
  hm = { rows = names, cols = names, values = values }
  local docs = {}
  for id, d in pairs(r.perdoc) do
    docs[#docs + 1] = { doc = id, title = d.title, mentions = d.mentions, entities = d.entities, top = d.top }
  end
  table.sort(docs, function(a, b) return a.doc < b.doc end)
  local page = {
    title = "Mentions: " .. meta.corpus,
    provenance = meta.provenance,
    { heading = "Mentions" },
    { text = string.format("%d entities, %d mentions in %d documents. Corpus: %s. Gazetteer: %s. Co-mentions: %s.",
        #t.entities.rows, total_mentions(t), meta.documents, meta.corpus, meta.gazetteer, unit_text(meta.unit)) },
    { bar = top, label = "entity", value = "mentions", title = "Mentions per entity" },
    { heading = "Co-mentions" },
    { heatmap = hm, title = "Co-mentions among the " .. #names .. " most mentioned entities" },
    { heading = "Entities" },
    { table = t.entities.rows, columns = t.entities.columns },
    { heading = "Co-mention pairs" },
    { table = t.comentions.rows, columns = t.comentions.columns },
    { heading = "Documents" },
    { table = docs, columns = { { key = "doc", title = "doc" }, { key = "title", title = "title" },
        { key = "mentions", title = "mentions" }, { key = "entities", title = "entities" },
        { key = "top", title = "most mentioned" } } },
  }
  if t.evidence then
    page[#page + 1] = { heading = "Evidence" }
    page[#page + 1] = { table = t.evidence.rows, columns = t.evidence.columns }
  end
  if t.candidates and #t.candidates.rows > 0 then
    page[#page + 1] = { heading = "Candidates the gazetteer misses" }
    page[#page + 1] = { table = t.candidates.rows, columns = t.candidates.columns }
  end
  return report.html(page)
end

-- Writes the run to an SQLite database: a `runs` row (provenance, the
-- table every script shares: receipt.record) and, referring to it by
-- run_id, `mentions` (one row per match with its byte span: `start` is the
-- offset of the first byte, `stop` one past the last, so
-- substr(text, start + 1, stop - start) is the match), `entity_counts`,
-- `comentions` and `candidates`.  A database that already holds runs gets a
-- new one; one in an older layout is migrated first.  Returns the run's id.
function entities.write_db(path, r, t, meta)
  local db, _, err = sqlite3.open(path)
  if not db then error("mentions: cannot open " .. path .. ": " .. tostring(err), 0) end
  db:busy_timeout(5000)
  local function exec(sql)
    if db:exec(sql) ~= sqlite3.OK then error("mentions: " .. path .. ": " .. db:errmsg(), 0) end
  end
  local function insert(sql, rows, values)
    local st = db:prepare(sql)
    if not st then error("mentions: " .. path .. ": " .. db:errmsg(), 0) end
    for _, row in ipairs(rows) do
      st:bind_values(table.unpack(values(row)))
      if st:step() ~= sqlite3.DONE then error("mentions: " .. path .. ": " .. db:errmsg(), 0) end
      st:reset()
    end
    st:finalize()
  end
  local ok, res = pcall(function()
    exec("PRAGMA foreign_keys = ON; BEGIN IMMEDIATE;")
    local run = receipt.record(db)
    exec([[
      CREATE TABLE IF NOT EXISTS mentions (
        run_id INTEGER REFERENCES runs(id), doc TEXT, entity TEXT, type TEXT, alias TEXT,
        start INTEGER, stop INTEGER, sentence INTEGER, text TEXT);
      CREATE TABLE IF NOT EXISTS entity_counts (
        run_id INTEGER REFERENCES runs(id), entity TEXT, type TEXT, mentions INTEGER,
        documents INTEGER, share REAL);
      CREATE TABLE IF NOT EXISTS comentions (
        run_id INTEGER REFERENCES runs(id), entity_a TEXT, entity_b TEXT, unit TEXT,
        comentions INTEGER, units_a INTEGER, units_b INTEGER, logdice REAL, ll REAL);
      CREATE TABLE IF NOT EXISTS candidates (
        run_id INTEGER REFERENCES runs(id), candidate TEXT, kind TEXT, mentions INTEGER, documents INTEGER);
    ]])
    insert([[INSERT INTO mentions (run_id, doc, entity, type, alias, start, stop, sentence, text)
             VALUES (?,?,?,?,?,?,?,?,?)]], r.rows, function(m)
      return { run, m.doc, m.entity, m.type, m.alias, m.start - 1, m.stop, m.sentence, m.text }
    end)
    insert([[INSERT INTO entity_counts (run_id, entity, type, mentions, documents, share)
             VALUES (?,?,?,?,?,?)]], t.entities.rows, function(x)
      return { run, x.entity, x.type, x.mentions, x.documents, x.share }
    end)
    insert([[INSERT INTO comentions (run_id, entity_a, entity_b, unit, comentions, units_a, units_b, logdice, ll)
             VALUES (?,?,?,?,?,?,?,?,?)]], t.comentions.all, function(x)
      return { run, x.entity_a, x.entity_b, meta.unit, x.comentions, x.units_a, x.units_b, x.logdice, x.ll }
    end)
    insert([[INSERT INTO candidates (run_id, candidate, kind, mentions, documents)
             VALUES (?,?,?,?,?)]], t.candidates.all or t.candidates.rows, function(x)
      return { run, x.candidate, x.kind, x.mentions, x.documents }
    end)
    exec("COMMIT;")
    return run
  end)
  if not ok then
    if db:isopen() then db:exec("ROLLBACK"); db:close() end
    error(res, 0)
  end
  db:close()
  return res
end

return entities
