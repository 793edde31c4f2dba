-- kwic.lua: keyword in context.  Finds a word, phrase, prefix wildcard or
-- gazetteer entity in documents (matching in C through the gazetteer
-- matcher) and returns rows of left context, match and right context with
-- byte offsets, sortable by the words around the match.
--
--   local rows = kwic.lines(corpus.open("corpus"), "Zakani", {window = 5, sort = "right"})
--   io.write(kwic.format(rows))
local report = require "report"
local match = require "match"
local tokenize = require "tokenize"
local progress = require "progress"

local kwic = {}

local concat, format = table.concat, string.format

-- Whitespace runs (newlines, tabs) become one space; ends trimmed.
local function squeeze(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- ---------------------------------------------------------------------------
-- Documents: a corpus (anything with :docs()), an array of documents
-- ({id=, text=} or strings), one document table, or one string.

local function each_doc(source)
  if type(source) == "string" then
    local done = false
    return function()
      if done then return nil end
      done = true
      return { id = 1, text = source }
    end
  end
  local ok, has_docs = pcall(function() return source.docs end)
  if ok and type(has_docs) == "function" then
    local iter, state, init = source:docs()
    local function next_doc()
      local d = iter(state, init)
      init = d
      return d
    end
    return next_doc
  end
  if type(source) ~= "table" then
    error("kwic: expects a corpus, an array of documents, a document or a string", 3)
  end
  if source.text ~= nil then return each_doc({ source }) end
  local i = 0
  return function()
    i = i + 1
    local d = source[i]
    if d == nil then return nil end
    if type(d) == "string" then return { id = i, text = d } end
    if type(d) ~= "table" or type(d.text) ~= "string" then
      error(format("kwic: document %d has no text", i), 2)
    end
    if d.id == nil then return { id = i, text = d.text } end
    return d
  end
end

-- ---------------------------------------------------------------------------
-- Matches: a gazetteer (anything with :find) or a pattern string compiled
-- into a one-entry gazetteer.

local function matcher_for(pattern, opts)
  local ok, find = pcall(function() return pattern.find end)
  if type(pattern) ~= "string" and ok and type(find) == "function" then return pattern, false end
  if type(pattern) ~= "string" or pattern:match("^%s*$") then
    error("kwic: the pattern must be a non-empty string or a gazetteer", 3)
  end
  local g = match.gazetteer({ { entity = pattern, type = "kwic", alias = pattern } },
    { level = opts.level or "key" })
  return g, true
end

-- ---------------------------------------------------------------------------
-- Context by tokens.  Only the neighbourhood of each match is tokenised:
-- a slice of text that grows until it holds enough tokens.

local SKIP = { space = true, punct = true }

local function counts(kind, opts)
  if opts.count_punct then return kind ~= "space" end
  return not SKIP[kind]
end

-- Tokens of text[a..b] as {start, stop, word}, positions in text.
local function tokens_in(tokenize, text, a, b, level)
  local slice = text:sub(a, b)
  local out = {}
  for word, kind, s, e in tokenize.tokens(slice, { level = level }) do
    out[#out + 1] = { s + a - 1, e + a - 1, word, kind }
  end
  return out
end

local function left_context(tokenize, text, s, window, opts)
  if window <= 0 or s <= 1 then return s, {} end
  local span = window * 24 + 16
  while true do
    local a = math.max(1, s - span)
    local toks = tokens_in(tokenize, text, a, s - 1, "casefold")
    local counted = {}
    for i = #toks, 1, -1 do
      if counts(toks[i][4], opts) then counted[#counted + 1] = toks[i] end
    end
    -- the first token of a slice may be cut: use it only at the text's start
    if #counted > window or a == 1 then
      local words, from = {}, s
      for i = 1, math.min(window, #counted) do
        words[i] = counted[i][3]
        from = counted[i][1]
      end
      return from, words
    end
    span = span * 2
  end
end

local function right_context(tokenize, text, e, window, opts)
  local n = #text
  if window <= 0 or e >= n then return e, {} end
  local span = window * 24 + 16
  while true do
    local b = math.min(n, e + span)
    local toks = tokens_in(tokenize, text, e + 1, b, "casefold")
    local counted = {}
    for _, tk in ipairs(toks) do
      if counts(tk[4], opts) then counted[#counted + 1] = tk end
    end
    if #counted > window or b == n then
      local words, to = {}, e
      for i = 1, math.min(window, #counted) do
        words[i] = counted[i][3]
        to = counted[i][2]
      end
      return to, words
    end
    span = span * 2
  end
end

-- Context by characters (code points).
local function left_chars(text, s, window)
  if window <= 0 or s <= 1 then return s end
  local ok, pos = pcall(utf8.offset, text, -window, s)
  if ok and pos then return pos end
  return 1
end

local function right_chars(text, e, window)
  if window <= 0 or e >= #text then return e end
  local ok, pos = pcall(utf8.offset, text, window + 1, e + 1)
  if ok and pos then return pos - 1 end
  return #text
end

-- Context words for sorting in chars mode: whitespace-separated, casefolded
-- when tokenize can, else lowercased.
local function words_of(s, reverse)
  local out = {}
  for w in s:gmatch("%S+") do
    out[#out + 1] = tokenize.normalize and tokenize.normalize(w, "casefold") or w:lower()
  end
  if reverse then
    local r = {}
    for i = #out, 1, -1 do r[#r + 1] = out[i] end
    return r
  end
  return out
end

-- ---------------------------------------------------------------------------
-- Words with their attributes (opts.show): "said/VERB", from the
-- document's own tokens (doc.tokens) or from the tagger on plain text.

-- The names of opts.show as a list: "pos" is the part-of-speech tag
-- (upos, or a corpus's own pos), "tag" Brown's or the corpus's fine tag.
local function show_list(show)
  if show == nil then return nil end
  local list = {}
  if type(show) == "string" then
    for name in show:gmatch("[^,%s]+") do list[#list + 1] = name end
  elseif type(show) == "table" then
    for i, name in ipairs(show) do
      if type(name) ~= "string" then error("kwic.lines: show: item " .. i .. " must be a string", 3) end
      list[i] = name
    end
  end
  if #list == 0 then error("kwic.lines: show must name one attribute or more (\"upos\", {\"lemma\", \"upos\"})", 3) end
  return list
end

-- The tagger's fields for an attribute name (tokenize.tag's tables).
local TAGGED = { pos = "upos", upos = "upos", tag = "tag", xpos = "tag", lemma = "lemma",
                 form = "text", word = "text" }

-- Plain text: the tokens of text[from..to] tagged, with some text around
-- them for the tagger's context: { {start, stop, values...} }.
local MARGIN = 160
local function tagged_tokens(text, from, to, show)
  local a, b = math.max(1, from - MARGIN), math.min(#text, to + MARGIN)
  local toks, err = tokenize.tag(text:sub(a, b))
  if not toks then error("kwic.lines: show: the text must be tagged, and there is " .. err, 0) end
  local out = {}
  for _, t in ipairs(toks) do
    local s, e = t.start + a - 1, t.stop + a - 1
    if s >= from and e <= to then
      local vals = {}
      for i, name in ipairs(show) do
        local field = TAGGED[name]
        if not field then
          error("kwic.lines: show: the tagger gives no attribute '" .. name .. "' (pos, upos, tag, xpos, lemma)", 0)
        end
        vals[i] = t[field]
      end
      out[#out + 1] = { s, e, vals }
    end
  end
  return out
end

-- The column of each shown name in annotated tokens ("pos": the corpus's
-- pos, else upos; "form" and "word" each other), and the word's column.
local function token_columns(toks, show)
  local has = {}
  for _, name in ipairs(toks:attributes()) do has[name] = true end
  local function col(name)
    if has[name] then return name end
    if name == "pos" and has.upos then return "upos" end
    if name == "upos" and has.pos then return "pos" end
    if name == "word" and has.form then return "form" end
    if name == "form" and has.word then return "word" end
    if name == "tag" and has.xpos then return "xpos" end
    if name == "xpos" and has.tag then return "tag" end
    return nil
  end
  local cols = {}
  for i, name in ipairs(show) do
    cols[i] = col(name)
    if not cols[i] then
      error("kwic.lines: show: the tokens have no attribute '" .. name .. "' (they have "
        .. table.concat(toks:attributes(), ", ") .. ")", 0)
    end
  end
  return cols, col("form")
end

-- Annotated tokens of text[from..to], by binary search on their spans.
local function doc_tokens(toks, from, to, cols, formcol)
  local lo, hi = 1, #toks + 1   -- the first token ending at or after from
  while lo < hi do
    local mid = (lo + hi) // 2
    if toks[mid].stop < from then lo = mid + 1 else hi = mid end
  end
  local out = {}
  for i = lo, #toks do
    local t = toks[i]
    if t.start > to then break end
    if t.start >= from and t.stop <= to then
      local vals = {}
      for k, c in ipairs(cols) do vals[k] = t[c] end
      out[#out + 1] = { t.start, t.stop, vals, formcol and t[formcol] }
    end
  end
  return out
end

-- left, match and right of a line as words with their attributes.
local function annotate(doc, text, from, s, e, to, show, state)
  local toks
  if doc.tokens then
    if not state.cols then state.cols, state.formcol = token_columns(doc.tokens, show) end
    toks = doc_tokens(doc.tokens, from, to, state.cols, state.formcol)
  else
    toks = tagged_tokens(text, from, to, show)
  end
  local parts = { {}, {}, {} }
  for _, t in ipairs(toks) do
    local word = t[4] or text:sub(t[1], t[2])
    local part = t[2] < s and parts[1] or t[1] > e and parts[3] or parts[2]
    part[#part + 1] = squeeze(word) .. "/" .. concat(t[3], "/")
  end
  return concat(parts[1], " "), concat(parts[2], " "), concat(parts[3], " ")
end

-- ---------------------------------------------------------------------------
-- Sorting.

local function cmp_words(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    if a[i] ~= b[i] then return a[i] < b[i] and -1 or 1 end
  end
  if #a ~= #b then return #a < #b and -1 or 1 end
  return 0
end

local SORTS = { doc = true, left = true, right = true, match = true }

--- Sorts concordance rows in place: "left" by the words to the left of the
--- match, nearest first; "right" by the words to the right; "match" by
--- the matched text; "doc" in document order.  Ties keep document order.
--- Returns rows.
function kwic.sort(rows, by)
  by = by or "doc"
  if not SORTS[by] then error("kwic.sort: sort by 'doc', 'left', 'right' or 'match', not '" .. tostring(by) .. "'", 2) end
  table.sort(rows, function(x, y)
    local c = 0
    if by == "left" then c = cmp_words(x.left_words, y.left_words)
    elseif by == "right" then c = cmp_words(x.right_words, y.right_words)
    elseif by == "match" then
      c = (x.match_key < y.match_key and -1) or (x.match_key > y.match_key and 1) or 0
    end
    if c ~= 0 then return c < 0 end
    if x.doc_index ~= y.doc_index then return x.doc_index < y.doc_index end
    if x.start ~= y.start then return x.start < y.start end
    return x.stop < y.stop
  end)
  return rows
end

-- ---------------------------------------------------------------------------

--- Concordance lines of pattern in source.
--- source: a corpus (anything with :docs()), an array of documents
--- ({id=, text=} or strings), one document table or one string.
--- pattern: a word, a phrase, a word with a trailing * (prefix), matched at
--- opts.level (default "key"), or a gazetteer from match.gazetteer.
--- opts: window (default 5), unit ("tokens" default, or "chars"), sort
--- ("doc" default, "left", "right", "match"), entity (only this entity, or
--- a set {name = true}, when pattern is a gazetteer), max (stop after that
--- many lines), count_punct (punctuation counts towards the window),
--- progress (over a corpus: the progress line's label, default "kwic", or
--- false; lib/lua/progress.lua decides whether it shows), show (attribute
--- names, "lemma,upos" or a list: left, match and right as words with
--- them, "said/say/VERB", from doc.tokens or the tagger on plain text).
--- Returns an array of rows {doc, left, match, right, start, stop,
--- left_start, right_stop, sentence, entity, type, alias, left_words,
--- right_words}; rows.columns names the ones to show.
function kwic.lines(source, pattern, opts)
  opts = opts or {}
  local window = opts.window or 5
  if type(window) ~= "number" or window < 0 or window ~= math.floor(window) then
    error("kwic.lines: window must be a non-negative integer", 2)
  end
  local unit = opts.unit or "tokens"
  if unit ~= "tokens" and unit ~= "chars" then error("kwic.lines: unit must be 'tokens' or 'chars'", 2) end
  local sort = opts.sort or "doc"
  if not SORTS[sort] then error("kwic.lines: sort must be 'doc', 'left', 'right' or 'match'", 2) end
  local entities = opts.entity
  if type(entities) == "string" then entities = { [entities] = true } end
  local show = show_list(opts.show)
  local g, own = matcher_for(pattern, opts)
  local rows = { columns = { "doc", { key = "left", align = "right", max = 40, clip = "left" }, "match",
                             { key = "right", max = 40 } } }
  local max = opts.max or math.huge
  -- The lines of one document (the di-th) appended to out.
  local function doc_lines(doc, di, out)
    local text = doc.text
    if type(text) ~= "string" then error(format("kwic.lines: document %s has no text", tostring(doc.id)), 3) end
    local state = {}   -- show: the document's columns, found once (an unknown name is an error at once)
    if show and doc.tokens then state.cols, state.formcol = token_columns(doc.tokens, show) end
    for entity, etype, alias, s, e, sentence in g:find(text) do
      if #out >= max then break end
      if not entities or entities[entity] then
        local from, to, lw, rw
        if unit == "tokens" then
          from, lw = left_context(tokenize, text, s, window, opts)
          to, rw = right_context(tokenize, text, e, window, opts)
        else
          from, to = left_chars(text, s, window), right_chars(text, e, window)
        end
        local left, right = squeeze(text:sub(from, s - 1)), squeeze(text:sub(e + 1, to))
        local m = squeeze(text:sub(s, e))
        local lw0, rw0 = lw or words_of(left, true), rw or words_of(right, false)
        local mkey = m:lower()
        if show then left, m, right = annotate(doc, text, from, s, e, to, show, state) end
        out[#out + 1] = {
          doc = doc.id, doc_index = di, left = left, match = m, right = right,
          start = s, stop = e, left_start = from, right_stop = to, sentence = sentence,
          entity = (not own) and entity or nil, type = (not own) and etype or nil,
          alias = (not own) and alias or nil,
          left_words = lw0, right_words = rw0, match_key = mkey,
        }
      end
    end
  end
  local okf, has_fold = pcall(function() return source.fold end)
  if okf and type(has_fold) == "function" then
    -- a corpus: one fold, so that -j N reads it on N cores; each worker
    -- numbers its documents from 1, the merge shifts the later worker's
    local acc = source:fold(function() return { lines = {}, docs = 0 } end,
      function(acc, doc)
        acc.docs = acc.docs + 1
        if #acc.lines < max then doc_lines(doc, acc.docs, acc.lines) end
      end,
      { progress = opts.progress == false and false or (type(opts.progress) == "string" and opts.progress or "kwic"),
        merge = function(a, b)
          for _, r in ipairs(b.lines) do
            if #a.lines >= max then break end
            r.doc_index = r.doc_index + a.docs
            a.lines[#a.lines + 1] = r
          end
          a.docs = a.docs + b.docs
          return a
        end })
    table.move(acc.lines, 1, #acc.lines, 1, rows)
  else
    local di = 0
    local bar, nbytes
    local okd, has_docs = pcall(function() return source.docs end)
    if opts.progress ~= false and okd and type(has_docs) == "function" then
      bar = progress.for_corpus(source, { label = type(opts.progress) == "string" and opts.progress or "kwic" })
      nbytes = 0
    end
    for doc in each_doc(source) do
      di = di + 1
      if bar then
        nbytes = nbytes + (type(doc.text) == "string" and #doc.text or 0)
        bar:update(di, nbytes)
      end
      doc_lines(doc, di, rows)
      if #rows >= max then break end
    end
    if bar then bar:finish() end
  end
  if own and g.close then g:close() end
  if sort ~= "doc" then kwic.sort(rows, sort) end
  return rows
end

-- ---------------------------------------------------------------------------
-- Display.

--- Concordance rows as aligned text: the document id, the left context
--- right-aligned and cut from the left, the match, the right context cut on
--- the right.  opts: width (columns per context, default 40), doc (show the
--- id column, default true), brackets (e.g. {"[", "]"} around the match).
function kwic.format(rows, opts)
  opts = opts or {}
  local w = opts.width or 40
  local mw = opts.match_width or report.MAX_WIDTH
  local show_doc = opts.doc ~= false
  local br = opts.brackets or { "", "" }
  local idw = 0
  if show_doc then
    for _, r in ipairs(rows) do idw = math.max(idw, report.width(tostring(r.doc))) end
  end
  local out = {}
  for _, r in ipairs(rows) do
    local left = report.truncate(r.left, w, "left")
    local right = report.truncate(r.right, w)
    local lpad = string.rep(" ", w - report.width(left))
    local match = report.truncate((r.match:gsub("%s+", " ")), mw)
    local line = lpad .. left .. "  " .. br[1] .. match .. br[2] .. "  " .. right
    if show_doc then
      local id = tostring(r.doc)
      line = id .. string.rep(" ", idw - report.width(id)) .. "  " .. line
    end
    if right == "" then line = line:sub(1, #line - 2) end   -- no gap after the match
    out[#out + 1] = line
  end
  if #out == 0 then return "" end
  return concat(out, "\n") .. "\n"
end

--- Writes kwic.format(rows, opts) to standard output.
function kwic.print(rows, opts)
  io.stdout:write(kwic.format(rows, opts))
end

return kwic
