-- tok_lua.lua — the tokenize module from Lua: results, options, errors, iterators.
local t = require "tap"
local tokenize = require "tokenize"

local function words(s, o)
  local out = {}
  for w in tokenize.words(s, o) do out[#out + 1] = w end
  return table.concat(out, " ")
end
local function toks(s, o)
  local out = {}
  for text, kind in tokenize.tokens(s, o) do out[#out + 1] = text .. "/" .. kind end
  return table.concat(out, " ")
end

t.is(tokenize.unicode_version, "15.0.0", "Unicode version")
t.is(#tokenize.kinds, 11, "eleven kinds")

-- words
t.is(words("Iran’s heir-apparent, “30, 000” Défi!"), "iran’s heir-apparent 30 000 défi", "words: casefold default")
t.is(words("Iran’s Défi", { level = "key" }), "iran defi", "words: key level")
t.is(words("Iran’s Défi", { level = "raw" }), "Iran’s Défi", "words: raw level")
t.is(words("the cat and THE dog", { stopwords = "en" }), "cat dog", "words: stopwords by language")
t.is(words("de kat en het huis", { stopwords = true, lang = "nl" }), "kat huis", "words: stopwords of lang")
t.is(words("the cat", { stopwords = { cat = true } }), "the", "words: stopwords from a set")
t.is(words("don’t fight", { stopwords = "en" }), "fight", "words: curly apostrophe finds don't")
t.is(words("running cats", { stem = "en" }), "run cat", "words: stems")
t.is(words("#tag @me 42 x", { kinds = { "hashtag", "mention" } }), "#tag @me", "words: kinds array")
t.is(words("#tag @me 42 x", { kinds = "number" }), "42", "words: kinds string")
t.is_deeply(tokenize.words("A b", { table = true }), { "a", "b" }, "words: table form")
t.is(words(""), "", "words: empty text")

-- tokens
t.is(toks("a, b"), "a/word ,/punct b/word", "tokens")
t.is(toks("a b", { spaces = true }), "a/word  /space b/word", "tokens: spaces")
t.is(toks("A B", { level = "casefold" }), "a/word b/word", "tokens: level")
do
  local s = "x\255y é\226\130"
  local ok = true
  local n = 0
  for text, _, a, b in tokenize.tokens(s) do
    n = n + 1
    if s:sub(a, b) ~= text then ok = false end
  end
  t.ok(ok and n == 6, "tokens: invalid UTF-8 keeps byte positions", n)
  local tt = tokenize.tokens("Hi. Yo", { table = true, sentences = true })
  t.is_deeply(tt[3], { text = "Yo", kind = "word", start = 5, stop = 6, sentence = 2 }, "tokens: table form")
end
do
  local got = {}
  for text, _, _, _, n in tokenize.tokens("A.\r\nB\u{2028}C. D", { sentences = true }) do
    got[#got + 1] = text .. n
  end
  t.is(table.concat(got, " "), "A1 .1 B2 C3 .3 D4", "tokens: sentence numbers over CRLF and U+2028")
end

-- sentences
do
  local got = {}
  for s in tokenize.sentences("Mr. Smith went.  Then Mme. Curie came.\n\n") do got[#got + 1] = s end
  t.is_deeply(got, { "Mr. Smith went.", "Then Mme. Curie came." }, "sentences: abbreviations, trailing blank lines")
  got = {}
  for s in tokenize.sentences("Mr. Smith went.", { tailor = false }) do got[#got + 1] = s end
  t.is_deeply(got, { "Mr.", "Smith went." }, "sentences: tailor off")
  got = {}
  for s in tokenize.sentences("See Mme. Curie.", { lang = "en" }) do got[#got + 1] = s end
  t.is_deeply(got, { "See Mme.", "Curie." }, "sentences: lang restricts the lists")
  local st = tokenize.sentences("One. Two.", { table = true })
  t.is_deeply(st, { { text = "One.", start = 1, stop = 4 }, { text = "Two.", start = 6, stop = 9 } },
    "sentences: table form")
  t.is(#tokenize.sentences("", { table = true }), 0, "sentences: empty text")
  t.is(#tokenize.sentences(" \n\t ", { table = true }), 0, "sentences: only whitespace")
end

-- option errors name the option
t.raises(function() tokenize.words("x", { nope = true }) end, "unknown option 'nope'", "unknown option")
t.raises(function() tokenize.words("x", { level = "upper" }) end, "option 'level' must be \"raw\", \"nfc\", \"casefold\" or \"key\", not 'upper'", "bad level")
t.raises(function() tokenize.tokens("x", { hyphens = "maybe" }) end, "option 'hyphens' must be \"join\" or \"split\", not 'maybe'", "bad hyphens")
t.raises(function() tokenize.tokens("x", { possessive = 1 }) end, "option 'possessive' must be \"keep\", \"strip\" or \"split\", not '1'", "possessive not a string")
t.raises(function() tokenize.tokens("x", { tailor = "yes" }) end, "option 'tailor' must be true or false, not 'yes'", "tailor not a boolean")
t.raises(function() tokenize.tokens("x", { kinds = { "word", "verb" } }) end, "option 'kinds' must be \"all\" or kind names %(word, .*%), not 'word,verb'", "unknown kind")
t.raises(function() tokenize.tokens("x", { lang = "xx" }) end, "option 'lang' must be \"en\", \"fr\" or \"nl\", not 'xx'", "unknown lang")
t.raises(function() tokenize.tokens("x", { stem = "en" }) end, "unknown option 'stem'", "stem only for words")
t.raises(function() tokenize.words("x", { stem = "klingon" }) end, "no Snowball stemmer for 'klingon'", "unknown stemmer")
t.raises(function() tokenize.words("x", { stopwords = "xx" }) end, "no stopword list for 'xx'", "unknown stopword list")
t.raises(function() tokenize.sentences("x", { levle = "raw" }) end, "unknown option 'levle'", "sentences options")
t.raises(function() tokenize.sentences("x", { abbreviations = { 1 } }) end, "array of strings", "abbreviations")
t.raises(function() tokenize.words("x", { [1] = true }) end, "option names must be strings", "non-string option")
t.raises(function() tokenize.words("x", "casefold") end, "table expected", "options must be a table")
t.raises(function() tokenize.words(nil) end, "string expected", "text required")
t.raises(function() tokenize.normalize("x", "upper") end, "unknown level 'upper'", "normalize: bad level")

-- iterators
do
  local it, _, _, closing = tokenize.words("a b c")
  t.like(tostring(closing), "^corpusrun.TokenIterator %(", "iterator tostring")
  t.is(it(), "a", "iterator: first")
  getmetatable(closing).__close(closing)
  getmetatable(closing).__close(closing)
  t.is(tostring(closing), "corpusrun.TokenIterator (closed)", "close is idempotent")
  t.raises(function() it() end, "closed corpusrun.TokenIterator", "use after close raises")
  local it2 = tokenize.words("a")
  t.is(it2(), "a", "iterator: one word")
  t.is(it2(), nil, "iterator: then nil")
  t.is(it2(), nil, "iterator: and nil again")
  local f, st, ctl, tbc = tokenize.words("a b c")
  for _ in f, st, ctl, tbc do break end
  t.is(tostring(tbc), "corpusrun.TokenIterator (closed)", "break out of a loop closes the iterator")
end

-- normalize, ngrams, stopwords, stem, width, abbreviations
t.is(tokenize.normalize("Zakani’s"), "zakani’s", "normalize: casefold default")
t.is(tokenize.normalize("Zakani’s", "key"), "zakani", "normalize: key")
t.is(tokenize.normalize("a\255", "raw"), "a\u{FFFD}", "normalize: raw repairs UTF-8")
for _, level in ipairs { "raw", "nfc", "casefold", "key" } do
  t.is(tokenize.normalize("", level), "", "normalize: the empty string at level " .. level)
end
t.is_deeply(tokenize.ngrams({ "a", "b", "c" }, 2), { "a b", "b c" }, "ngrams: bigrams")
t.is_deeply(tokenize.ngrams({ "a", "b", "c" }, 3, { join = "+" }), { "a+b+c" }, "ngrams: join")
t.is_deeply(tokenize.ngrams({ "a", "b", "c", "d" }, 2, { skip = 1 }), { "a c", "b d" }, "ngrams: skip")
t.is_deeply(tokenize.ngrams({ "a" }, 2), {}, "ngrams: too few items")
t.is_deeply(tokenize.ngrams(tokenize.words("A B"), 1), { "a", "b" }, "ngrams: from an iterator")
t.raises(function() tokenize.ngrams({ "a" }, 0) end, "n must be between", "ngrams: n")
t.raises(function() tokenize.ngrams({ "a", {} }, 1) end, "item 2 is a table", "ngrams: bad item")
t.raises(function() tokenize.ngrams({ "a" }, 1, { skp = 1 }) end, "unknown option 'skp'", "ngrams: unknown option")
t.raises(function() tokenize.ngrams({ "a" }, 1, { skip = -1 }) end, "between 0 and 64", "ngrams: bad skip")
t.is(tokenize.stopwords("en")["the"], true, "stopwords: en")
t.is(tokenize.stopwords("fr")["le"], true, "stopwords: fr")
t.raises(function() tokenize.stopwords("xx") end, "no stopword list for 'xx' %(de, en", "stopwords: unknown")
t.is(tokenize.stem("connections"), "connect", "stem: en")
t.is(tokenize.stem("huizen", "nl"), "huiz", "stem: nl")
t.is(tokenize.stem("\255ing"), "\u{FFFD}ing", "stem: invalid UTF-8 repaired first")
t.raises(function() tokenize.stem("x", "xx") end, "no Snowball stemmer for 'xx'", "stem: unknown")
t.ok(#tokenize.stemmers() >= 20, "stemmers listed")
t.is(tokenize.width("ab\u{301}c"), 3, "width: combining mark")
t.is(tokenize.width(""), 0, "width: empty")
t.is(tokenize.abbreviations("en")[1], "adm", "abbreviations: en")
t.raises(function() tokenize.abbreviations("de") end, "no abbreviation list for 'de'", "abbreviations: unknown")

-- a 10 MB token, and a long text, go through
do
  local big = string.rep("x", 10 * 1024 * 1024)
  local n, len = 0, 0
  for w in tokenize.words(big) do n = n + 1; len = #w end
  t.ok(n == 1 and len == #big, "a 10 MB single token")
end
t.done()
