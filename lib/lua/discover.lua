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
-- at least one occurrence is not at the start of a sentence.
-- Ranked by documents, then mentions (descending), then key.
--
-- The accumulator is a plain table of numbers and string-keyed tables, so
-- it merges by value under c:fold.
local match = require "match"
local tokenize = require "tokenize"

local discover = {}

function discover.new()
  return { cands = {}, documents = 0 }
end

local function default_key(s) return tokenize.normalize(s, "key") end

-- Adds one document.
--   text    the document text
--   opts    key = function(s) -> the merge key (default: normalisation "key"),
--           covered = spans already matched, sorted by start: { start, stop }
--             pairs or rows with start and stop (gazetteer matches), bytes,
--             1-based, inclusive,
--           spans = an array to which each occurrence is appended as
--             { s, e, key, initial } (for evaluations)
function discover.add(acc, text, opts)
  opts = opts or {}
  local keyf = opts.key or default_key
  local spans = opts.spans
  local cands = acc.cands
  acc.documents = acc.documents + 1
  local seen = {}
  for _, o in ipairs(match.candidates(text, opts.covered)) do
    local form = o.form
    local key = keyf(form)
    if key ~= nil and key ~= "" then
      local c = cands[key]
      if not c then
        c = { mentions = 0, documents = 0, noninitial = 0, forms = {} }
        cands[key] = c
      end
      if spans then spans[#spans + 1] = { s = o.start, e = o.stop, key = key, initial = o.initial } end
      c.mentions = c.mentions + 1
      if not o.initial then c.noninitial = c.noninitial + 1 end
      c.forms[form] = (c.forms[form] or 0) + 1
      if not seen[key] then
        seen[key] = true
        c.documents = c.documents + 1
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
  local rows = {}
  for key, c in pairs(acc.cands) do
    if c.noninitial > 0 and c.mentions >= min then
      local best, bestn
      for form, k in pairs(c.forms) do
        if bestn == nil or k > bestn or (k == bestn and form < best) then best, bestn = form, k end
      end
      rows[#rows + 1] = {
        candidate = best, key = key, kind = best:find(" ", 1, true) and "sequence" or "acronym",
        mentions = c.mentions, documents = c.documents,
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
