-- discover_reference.lua: discovery of candidate entities as plain Lua, token by
-- token, as corpusrun first did it.  The reference for tests/engine_discover.lua:
-- the C scan behind match.candidates must find exactly what this finds.
--
-- A candidate is a capitalised multi-word sequence ("Brussels Urban Summit",
-- "Society of Iranian Experts") or an acronym ("JCPOA", "U.N."), found in
-- the word tokens of a document:
--   * a sequence is a run of capitalised words separated only by spaces
--     (never by punctuation or a line break), within one sentence; lower-case
--     name particles (of, the, de, van, al, ...) may join two capitalised
--     words; a possessive ends the run ("Brussels Signal‘s");
--   * a function word that starts a sentence ("The", "In", "But") is dropped
--     from the front of a run;
--   * runs the gazetteer already explains are skipped: those whose last word
--     lies inside a gazetteer match ("Mayor Bonte", "Ayatollah Khomeini");
--   * candidates are merged by normalised form (the `key` function, normally
--     tokenize.normalize(s, "key")), and kept only when at least one
--     occurrence is not at the start of a sentence.
-- Ranked by documents, then mentions (descending), then key.
--
-- The accumulator is a plain table of numbers and string-keyed tables, so
-- it merges by value under c:fold.
local discover = {}

local PARTICLES = {
  ["of"] = true, ["the"] = true, ["de"] = true, ["la"] = true, ["le"] = true, ["du"] = true,
  ["des"] = true, ["van"] = true, ["von"] = true, ["der"] = true, ["den"] = true, ["da"] = true,
  ["di"] = true, ["del"] = true, ["al"] = true, ["el"] = true, ["bin"] = true, ["ibn"] = true,
}

-- Capitalised words that start sentences without being names.
local INITIAL_STOP = {}
for w in ([[a an the in on at for but and or nor if when while as this that these those
  he she it we they i you his her its our their my your there here after before since
  during with without by from to of so yet however also all some many most no not what
  who whom which where how why then now last next according over under about every each
  both either neither one two three such other another more less than even only just
  because although though unless until once whether meanwhile today yesterday tomorrow
  mr mrs ms dr miss sir madame monsieur mme mlle]]):gmatch("%S+") do
  INITIAL_STOP[w] = true
end

local ROMAN = { ii = true, iii = true, iv = true, vi = true, vii = true, viii = true, ix = true, xi = true, xii = true }

-- The first character of s (UTF-8) and whether it is an upper-case letter,
-- using fold (casefolding) for characters beyond ASCII.
local function is_capitalised(s, fold)
  local b = s:byte(1)
  if not b then return false end
  if b >= 65 and b <= 90 then return true end
  if b < 0xC0 then return false end
  local ch = s:match("^[\xC0-\xF7][\x80-\xBF]*")
  if not ch or ch == "ß" then return false end
  return fold(ch) ~= ch
end

-- An acronym: two or more capital letters, perhaps with dots, hyphens or &.
local function is_acronym(s)
  if #s < 2 or #s > 12 or not s:match("^%u[%u%.%-&]*$") then return false end
  local _, caps = s:gsub("%u", "")
  if caps < 2 then return false end
  if ROMAN[s:lower()] then return false end
  return true
end

local POSSESSIVE = { "\u{2019}s", "'s", "\u{2018}s" }

-- Returns the word without a trailing possessive, and whether it had one.
local function strip_possessive(w)
  for _, p in ipairs(POSSESSIVE) do
    if #w > #p and w:sub(-#p) == p then return w:sub(1, -#p - 1), true end
  end
  return w, false
end

-- Text between two tokens that keeps them in one run: spaces and no-break
-- spaces, nothing else.
local function joins(gap)
  return gap ~= "" and not gap:find("[^ \t\xC2\xA0]") and not gap:find("\xC2[^\xA0]")
end

function discover.new()
  return { cands = {}, documents = 0 }
end

-- Adds one document.
--   text    the document text
--   tokens  array of word tokens { s = first byte, e = last byte (1-based,
--           inclusive), sent = sentence index }, in text order
--   opts    fold = function(s) -> casefolded s (required for non-ASCII),
--           key = function(s) -> the merge key (default fold),
--           covered = array of { s, e } spans already matched (sorted by s),
--           spans = an array to which each occurrence is appended as
--             { s, e, key, initial } (for evaluations)
function discover.add(acc, text, tokens, opts)
  opts = opts or {}
  local fold = opts.fold or string.lower
  local keyf = opts.key or fold
  local covered = opts.covered or {}
  acc.documents = acc.documents + 1

  -- covered[] is sorted by start and does not overlap: binary search
  local function inside(p)
    local lo, hi = 1, #covered
    while lo <= hi do
      local mid = (lo + hi) // 2
      local c = covered[mid]
      if p < c[1] then hi = mid - 1
      elseif p > c[2] then lo = mid + 1
      else return true end
    end
    return false
  end

  -- Title-case sentences (headlines: nine in ten or more of the content
  -- words capitalised) say nothing about names: a sequence found there
  -- counts as sentence-initial.  Acronyms are never initial: their capitals
  -- do not come from their position.
  local words, caps = {}, {}
  for _, t in ipairs(tokens) do
    local w = text:sub(t.s, t.e)
    if w:find("[%a\128-\255]") and not INITIAL_STOP[fold(w)] and not PARTICLES[fold(w)] then
      words[t.sent] = (words[t.sent] or 0) + 1
      if is_capitalised(w, fold) then caps[t.sent] = (caps[t.sent] or 0) + 1 end
    end
  end
  local function titlecase(sent)
    local nw = words[sent] or 0
    return nw >= 3 and (caps[sent] or 0) * 10 >= nw * 9
  end

  local seen = {}
  local n = #tokens

  local add

  local function emit(first, last, initial)
    -- drop leading function words ("The", "In", "A" capitalised by position)
    while first <= last do
      local w = text:sub(tokens[first].s, tokens[first].e)
      if INITIAL_STOP[fold(w)] then
        first = first + 1
        initial = false
      else
        break
      end
    end
    if first <= last and titlecase(tokens[first].sent) then initial = true end
    -- trailing particles never end a run
    while last >= first and PARTICLES[text:sub(tokens[last].s, tokens[last].e)] do last = last - 1 end
    if last < first then return end
    local single = first == last
    local firstw = text:sub(tokens[first].s, tokens[first].e)
    if single and not is_acronym((strip_possessive(firstw))) then return end
    -- explained by the gazetteer?
    if inside(tokens[last].s) then return end
    local parts = {}
    for i = first, last do parts[#parts + 1] = text:sub(tokens[i].s, tokens[i].e) end
    parts[#parts] = strip_possessive(parts[#parts])
    -- acronyms inside a longer run are candidates of their own ("JCPOA Violations")
    if not single then
      for i = first, last do
        if is_acronym((strip_possessive(parts[i - first + 1]))) and not inside(tokens[i].s) then
          add(strip_possessive(parts[i - first + 1]), i, i, false)
        end
      end
    end
    add(table.concat(parts, " "), first, last, initial and not single)
  end

  add = function(form, first, last, initial)
    local key = keyf(form)
    if key == nil or key == "" then return end
    local c = acc.cands[key]
    if not c then
      c = { mentions = 0, documents = 0, noninitial = 0, forms = {} }
      acc.cands[key] = c
    end
    if opts.spans then
      local sp = opts.spans
      sp[#sp + 1] = { s = tokens[first].s, e = tokens[last].e, key = key, initial = initial }
    end
    c.mentions = c.mentions + 1
    if not initial then c.noninitial = c.noninitial + 1 end
    c.forms[form] = (c.forms[form] or 0) + 1
    if not seen[key] then
      seen[key] = true
      c.documents = c.documents + 1
    end
  end

  local i = 1
  local prev_sent
  local sent_first = true
  while i <= n do
    local t = tokens[i]
    if t.sent ~= prev_sent then sent_first = true; prev_sent = t.sent end
    local w = text:sub(t.s, t.e)
    if is_capitalised(w, fold) then
      local first, last = i, i
      local initial = sent_first
      local _, poss = strip_possessive(w)
      local j = i
      while not poss do
        -- extend across up to two particles to the next capitalised word
        local k = j + 1
        local ok = false
        while k <= n and k - j <= 3 do
          local tk = tokens[k]
          if tk.sent ~= t.sent or not joins(text:sub(tokens[k - 1].e + 1, tk.s - 1)) then break end
          local wk = text:sub(tk.s, tk.e)
          if is_capitalised(wk, fold) then ok = true; break end
          if not PARTICLES[wk] then break end
          k = k + 1
        end
        if not ok then break end
        j = k
        last = k
        _, poss = strip_possessive(text:sub(tokens[k].s, tokens[k].e))
      end
      emit(first, last, initial)
      i = last + 1
    else
      i = i + 1
    end
    sent_first = false
  end
end

-- (ranking is discover.rank's, shared: only the scan is the reference)

discover.is_capitalised = is_capitalised
discover.is_acronym = is_acronym

return discover
