-- engine_discover.lua: discovery's scan in C (match.candidates, behind
-- discover.add) against the plain Lua reference it replaced
-- (tests/data/discover_reference.lua), occurrence by occurrence: on the
-- sample corpus with and without the gazetteer's matches, on edge cases, on
-- generated texts and on 50 files of the Brown corpus (fetched and built on
-- first use; fails under CI=true when that cannot be done).
local t = require "tap"
local match = require "match"
local tokenize = require "tokenize"
local discover = require "discover"
local reference = dofile("tests/data/discover_reference.lua")

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end
local function key(s) return tokenize.normalize(s, "key") end
local function fold(s) return tokenize.normalize(s, "casefold") end

local function word_tokens(text)
  local out = {}
  for _, kind, start, stop, sentence in tokenize.tokens(text, { sentences = true }) do
    if kind == "word" or kind == "number" then out[#out + 1] = { s = start, e = stop, sent = sentence } end
  end
  return out
end

-- Both ways over texts; returns the two accumulators and occurrence lists.
local function both(texts, covers)
  local a, b = reference.new(), discover.new()
  local sa, sb = {}, {}
  for i, text in ipairs(texts) do
    local cov = covers and covers[i] or nil
    local rc
    if cov then
      rc = {}
      for k, m in ipairs(cov) do rc[k] = { m.start, m.stop } end
    end
    reference.add(a, text, word_tokens(text), { fold = fold, key = key, covered = rc, spans = sa })
    discover.add(b, text, { key = key, covered = cov, spans = sb })
  end
  return a, b, sa, sb
end

-- The counters of an accumulator as the reference's plain tables, and back.
local function as_tables(acc)
  local cands = {}
  for key, m in acc.mentions:items() do
    cands[key] = { mentions = m, documents = acc.spread:get(key), noninitial = acc.noninitial:get(key), forms = {} }
  end
  for kf, n in acc.forms:items() do
    local key, form = kf:match("^(.-)\t(.*)$")
    cands[key].forms[form] = n
  end
  return { cands = cands, documents = acc.documents }
end
local function as_counters(old)
  local acc = discover.new()
  acc.documents = old.documents
  for key, c in pairs(old.cands) do
    acc.mentions:add(key, c.mentions)
    acc.spread:add(key, c.documents)
    if c.noninitial > 0 then acc.noninitial:add(key, c.noninitial) end
    for form, n in pairs(c.forms) do acc.forms:add(key .. "\t" .. form, n) end
  end
  return acc
end

local function same(texts, covers, name)
  local a, b, sa, sb = both(texts, covers)
  t.is(#sb, #sa, name .. ": as many occurrences (" .. #sa .. ")")
  local first
  for i = 1, math.max(#sa, #sb) do
    local x, y = sa[i], sb[i]
    if not (x and y and x.s == y.s and x.e == y.e and x.key == y.key and x.initial == y.initial) then
      first = i
      break
    end
  end
  t.ok(first == nil, name .. ": the same occurrences, in order")
  if first then t.diag("first difference at " .. first, sa[first], sb[first]) end
  t.is_deeply(as_tables(b), a, name .. ": the same accumulator")
  t.is_deeply(discover.rank(b), discover.rank(as_counters(a)), name .. ": the same ranking")
  return sb
end

-- ---- the sample corpus ------------------------------------------------------
local docs = {}
local p = io.popen("ls corpus/*.txt")
for f in p:lines() do docs[#docs + 1] = read(f) end
p:close()
t.is(#docs, 5, "five sample articles")
local sb = same(docs, nil, "sample corpus, no gazetteer")
t.ok(#sb > 100, "sample corpus: many occurrences (" .. #sb .. ")")

local g = match.gazetteer("corpus/entities.tsv")
local covers = {}
for i, d in ipairs(docs) do covers[i] = g:matches(d) end
same(docs, covers, "sample corpus, gazetteer matches covered")

-- the candidates the gazetteer misses include what a reader sees at once
local acc = discover.new()
for i, d in ipairs(docs) do discover.add(acc, d, { covered = covers[i] }) end
-- (checked by reading the articles: none of these is in corpus/entities.tsv)
local found = {}
for _, r in ipairs(discover.rank(acc)) do found[r.key] = r end
t.is(found["brussels urban summit"] and found["brussels urban summit"].kind, "sequence", "missed: Brussels Urban Summit")
t.is(found["jcpoa"] and found["jcpoa"].kind, "acronym", "missed: JCPOA")
t.is(found["minister of justice"] and found["minister of justice"].documents, 2, "missed: Minister of Justice, in two articles")

-- a key function whose keys hold tabs: the ranking still finds each key's form
local tacc = discover.new()
discover.add(tacc, "We met Anna Smith and the JCPOA team. Then we saw Anna Smith again.",
  { key = function(s) return "k\t" .. s:lower() end })
local trows = discover.rank(tacc)
t.is(#trows, 2, "rank: keys with a tab")
t.is_deeply({ trows[1].key, trows[1].candidate, trows[1].mentions }, { "k\tanna smith", "Anna Smith", 2 },
  "rank: a key with a tab keeps its form")

-- ---- the binding --------------------------------------------------------------
local cs = match.candidates("The Society of Iranian Experts met the U.N. in Brussels. Mayor Bonte’s aide spoke.")
t.is(#cs, 3, "candidates: three")
t.is_deeply(cs[1], { form = "Society of Iranian Experts", start = 5, stop = 30, initial = false },
  "candidates: a run without its leading function word")
t.is_deeply(cs[2], { form = "U.N.", start = 40, stop = 43, initial = false }, "candidates: an acronym")
t.is(cs[3].form, "Mayor Bonte", "candidates: the possessive dropped from the form")
t.is(("The Society of Iranian Experts met the U.N. in Brussels. Mayor Bonte’s aide spoke."):sub(cs[3].start, cs[3].stop),
  "Mayor Bonte’s", "candidates: the span keeps the possessive")
t.is(cs[3].initial, true, "candidates: a run at the start of a sentence is initial")
local text = "He met Mayor Bonte in Vilvoorde."
t.is(#match.candidates(text), 1, "candidates: one run")
t.is(#match.candidates(text, { { 14, 18 } }), 0, "covered: a run ending in a match is explained")
t.is(#match.candidates(text, { { start = 14, stop = 18 } }), 0, "covered: rows with start and stop")
t.is(#match.candidates(text, { { 8, 12 } }), 1, "covered: only the last word counts")
t.raises(function() match.candidates(text, { { 1 } }) end, "covered%[1%] needs integer stop", "covered: a bad span")
t.raises(function() match.candidates(text, { 3 }) end, "not a table", "covered: not a table")
t.raises(function() match.candidates(text, { { 0, 2 } }) end, "is not a span", "covered: positions start at 1")
t.is(#match.candidates(""), 0, "candidates: empty text")

t.is(match.is_capitalised("Élysée"), true, "is_capitalised: É")
t.is(match.is_capitalised("élan"), false, "is_capitalised: é")
t.is(match.is_capitalised("ßtraße"), false, "is_capitalised: ß")
t.is(match.is_capitalised("4th"), false, "is_capitalised: a digit")
t.is(match.is_acronym("U.N."), true, "is_acronym: U.N.")
t.is(match.is_acronym("AT&T"), true, "is_acronym: AT&T")
t.is(match.is_acronym("XII"), false, "is_acronym: a Roman numeral")
t.is(match.is_acronym("A."), false, "is_acronym: one capital")
t.is(match.is_acronym("ABCDEFGHIJKLM"), false, "is_acronym: thirteen bytes")
t.is(discover.is_acronym, match.is_acronym, "discover shares the word tests")

-- ---- edge cases ---------------------------------------------------------------
local edge = {
  "", "A", "JCPOA", "II", "The In A", "Society of the", "Foo  Bar", "Foo\u{A0}Bar Baz", "Foo\tBar",
  "Foo\nBar", "Foo, Bar", "Zakani’s Office", "Zakani's Office", "Zakani‘s Office", "Élysée Palace",
  "ß Straße Nord", "\xC3 Foo \xFF Bar Baz \xC2", "\xFF Foo \xC3 Bar Baz \xC2", "The Prime Minister Of Belgium Visited Iran Today",
  "U.S.-Iran Talks", "AT&T Corp", "XII Congress", "Mr Smith", "Mr. Smith met Dr. Jones.",
  "van Gogh Museum", "Al Qaeda of the Arabian Peninsula", "3M Company", "ﬁrst Light", "Ǆemal Bijedić",
  "ΣΟΦΙΑ Σοφία", "İstanbul Airport", "Foo of of Bar", "Foo of the de Bar", "Foo of the",
  "NATO’s EU-US JCPOA", "the U.N. and the E.U. agreed", "He said: \"New York Times\" wrote.",
  "Bar \xC2\xA0\xC2\xA0 Baz", "Bar \xA0 Baz", "Bar \xC2 Baz", "One. Two Three. Four Five Six.",
  "IN THE HOUSE OF COMMONS", "The", "A B C D E F G H",
}
for i, s in ipairs(edge) do same({ s }, nil, ("edge %d %q"):format(i, s)) end

-- ---- generated texts ----------------------------------------------------------
local words = { "The", "the", "In", "of", "de", "van", "al", "Al", "Iran", "Iran’s", "NATO", "U.N.", "II",
  "Brussels", "Urban", "Summit", "said", "Élysée", "élan", "Mr", "AT&T", "x", "Zakani's", "EU", "US", "us",
  "Society", "Experts", "3", "1,000", "Straße", "ΣΟΦΙΑ", "\xFF", "Ben", "bin", "Qaeda" }
local seps = { " ", " ", " ", "  ", ", ", ". ", "\n", "\u{A0}", "\t", " (", ") ", "; ", "\n\n" }
local rng = 20261206
local function rand(n)
  rng = (rng * 1103515245 + 12345) % 2147483648
  return rng % n + 1
end
local gen = {}
for i = 1, 300 do
  local parts = {}
  for k = 1, rand(40) do
    parts[#parts + 1] = words[rand(#words)]
    parts[#parts + 1] = seps[rand(#seps)]
  end
  gen[i] = table.concat(parts)
end
same(gen, nil, "300 generated texts")
local gcov = {}
for i, s in ipairs(gen) do gcov[i] = g:matches(s) end
same(gen, gcov, "300 generated texts, gazetteer matches covered")

-- ---- 50 Brown files -------------------------------------------------------------
local dir = t.brown("plain")
local files = {}
p = io.popen("ls " .. t.shell_quote(dir) .. "/*.txt 2>/dev/null | head -n 50")
for f in p:lines() do files[#files + 1] = read(f) end
p:close()
if #files < 50 then
  t.require_or_skip("fewer than 50 Brown files in " .. dir)
else
  local bb = same(files, nil, "50 Brown files")
  t.ok(#bb > 1000, "Brown: many occurrences (" .. #bb .. ")")
end

t.done()
