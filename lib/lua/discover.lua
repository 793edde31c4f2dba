-- discover.lua: candidate named entities that a gazetteer misses.
--
-- A candidate is a capitalised multi-word sequence ("Brussels Urban Summit",
-- "Society of Iranian Experts") or an acronym ("JCPOA", "U.N."), found in
-- the word tokens of a document by match.candidates, in C (the rules are in
-- host/text/discover.h and docs/discovery.md):
--   * a sequence is a run of capitalised words separated only by spaces
--     (never by punctuation or a line break), within one sentence; lower-case
--     name particles (of, the, de, van, al, ...) may join two capitalised
--     words; a possessive ends the run ("Brussels Signal‘s");
--   * a function word that starts a sentence ("The", "In", "But") is dropped
--     from the front of a run;
--   * runs the gazetteer already explains are skipped: those whose last word
--     lies inside a gazetteer match ("Mayor Bonte", "Ayatollah Khomeini").
-- Here the occurrences are merged by normalised form (the `key` function,
-- normally tokenize.normalize(s, "key")), and a candidate is kept only when
-- at least one occurrence is not at the start of a sentence, or (opts.tags,
-- the text tagged in C) holds a word the tagger tags as a proper noun.
-- Ranked by documents, then mentions (descending), then key.
--
-- The accumulator is a plain table of a number and four C counters (keys
-- are merge keys; forms counts "key<TAB>form"), so it merges by value under
-- c:fold, and the counters travel between workers as compact dumps.
local match = require "match"
local tokenize = require "tokenize"
local count = require "count"

local discover = {}

function discover.new()
  return {
    documents = 0,          -- documents read
    mentions = count.freq(), -- occurrences per key
    spread = count.freq(),   -- documents per key
    noninitial = count.freq(), -- occurrences not at the start of a sentence
    forms = count.freq(),    -- occurrences per "key\tform"
  }
end

local function default_key(s) return tokenize.normalize(s, "key") end

-- Adds one document.
--   text    the document text
--   opts    key = function(s) -> the merge key (default: normalisation "key"),
--           covered = spans already matched, sorted by start: { start, stop }
--             pairs or rows with start and stop (gazetteer matches), bytes,
--             1-based, inclusive,
--           spans = an array to which each occurrence is appended as
--             { s, e, key, initial } (for evaluations),
--           tags = true: the text is tagged (match.candidates{tags=}) and a
--             sentence-initial occurrence holding a proper noun (PROPN)
--             counts as evidence, as one not at a sentence start does
function discover.add(acc, text, opts)
  opts = opts or {}
  local keyf = opts.key or default_key
  local spans = opts.spans
  local mentions, spread, noninitial, forms = acc.mentions, acc.spread, acc.noninitial, acc.forms
  acc.documents = acc.documents + 1
  local seen = {}
  local tags = opts.tags and { tags = true } or nil
  for _, o in ipairs(match.candidates(text, opts.covered, tags)) do
    local form = o.form
    local key = keyf(form)
    if key ~= nil and key ~= "" then
      local initial = o.initial and not (tags and o.propn > 0)
      if spans then spans[#spans + 1] = { s = o.start, e = o.stop, key = key, initial = initial } end
      mentions:add(key)
      if not initial then noninitial:add(key) end
      forms:add(key .. "\t" .. form)
      if not seen[key] then
        seen[key] = true
        spread:add(key)
      end
    end
  end
end

-- Ranked candidate rows: { candidate, key, kind, mentions, documents }, with
-- mentions >= opts.min (default 1) and at least one occurrence that is not
-- sentence-initial; at most opts.top rows (default all).
function discover.rank(acc, opts)
  opts = opts or {}
  local min = opts.min or 1
  -- the most frequent form of each key (ties: the smaller form); a form
  -- never holds a tab (its words are joined by spaces) but a key may (a
  -- custom key function), so "key<TAB>form" splits at its last tab
  local best = {}
  for kf, n in acc.forms:items() do
    local key, form = kf:match("^(.*)\t(.-)$")
    local b = best[key]
    if not b or n > b[2] or (n == b[2] and form < b[1]) then best[key] = { form, n } end
  end
  local rows = {}
  local noninitial, spread = acc.noninitial, acc.spread
  for key, m in acc.mentions:items() do
    if m >= min and noninitial:get(key) > 0 then
      local form = best[key][1]
      rows[#rows + 1] = {
        candidate = form, key = key, kind = form:find(" ", 1, true) and "sequence" or "acronym",
        mentions = m, documents = spread:get(key),
      }
    end
  end
  table.sort(rows, function(a, b)
    if a.documents ~= b.documents then return a.documents > b.documents end
    if a.mentions ~= b.mentions then return a.mentions > b.mentions end
    return a.key < b.key
  end)
  if opts.top and #rows > opts.top then
    for k = #rows, opts.top + 1, -1 do rows[k] = nil end
  end
  return rows
end

-- The word tests of the scan (match.is_capitalised, match.is_acronym).
discover.is_capitalised = match.is_capitalised
discover.is_acronym = match.is_acronym

return discover
