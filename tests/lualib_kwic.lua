-- kwic: concordance rows, contexts by tokens and by characters, sorting,
-- gazetteer entities, display; first with a small stand-in tokeniser (so
-- the expectations do not depend on tokeniser tailoring), then with the
-- host's tokenize module on the sample corpus when it is built in.
local t = require "tap"

local have_match = pcall(require, "match")
if not have_match then t.skip_all("the match module is not built into this host") end
local match = require "match"

-- A stand-in with tokenize.tokens' contract: text, kind, start, stop
-- (1-based, inclusive); words are runs of letters, digits and non-ASCII
-- bytes; everything else is punctuation; spaces are skipped.
local fake = {}
function fake.tokens(text, opts)
  local lvl = opts and opts.level
  local pos = 1
  return function()
    while pos <= #text do
      local s, e = text:find("^%s+", pos)
      if s then pos = e + 1
      else
        local kind = "word"
        s, e = text:find("^[%w\128-\255]+", pos)
        if not s then s, e, kind = pos, pos, "punct" end
        pos = e + 1
        local w = text:sub(s, e)
        return lvl and w:lower() or w, kind, s, e
      end
    end
  end
end

local real_loaded = package.loaded.tokenize
package.loaded.tokenize = fake
package.loaded.kwic = nil
local kwic = require "kwic"

local docs = {
  "The cat sat on the mat. The Cat ran.",
  { id = "b", text = "A dog and a cat." },
  { id = "c", text = "No felines here." },
}

do
  local rows = kwic.lines(docs, "cat", { window = 2 })
  t.is(#rows, 3, "three lines")
  local got = {}
  for i, r in ipairs(rows) do got[i] = { r.doc, r.left, r.match, r.right } end
  t.is_deeply(got, {
    { 1, "The", "cat", "sat on" },
    { 1, "mat. The", "Cat", "ran" },
    { "b", "and a", "cat", "" },
  }, "doc ids, contexts of two words (punctuation not counted), case-insensitive match")
  local text = docs[1]
  t.is(text:sub(rows[2].start, rows[2].stop), "Cat", "start and stop are the match's bytes")
  t.is(text:sub(rows[2].left_start, rows[2].right_stop), "mat. The Cat ran", "left_start and right_stop span the line")
  t.is_deeply(rows[2].left_words, { "the", "mat" }, "left words, nearest first, casefolded")
  t.is_deeply(rows[1].right_words, { "sat", "on" }, "right words")
  t.is(rows[1].sentence, 1, "sentence of the match")
  t.is(rows[2].sentence, 2, "second sentence")
  local p = kwic.lines(docs, "cat", { window = 2, count_punct = true })
  t.is(p[2].left, ". The", "count_punct: punctuation counts towards the window")
end

do
  local rows = kwic.lines(docs, "cat", { window = 3, sort = "left" })
  local lefts = {}
  for i, r in ipairs(rows) do lefts[i] = r.left end
  -- nearest words: "a" (dog and a), "the" (mat. The), "the" (The, shorter)
  t.is_deeply(lefts, { "dog and a", "The", "the mat. The" }, "sort left: by the nearest word first")
  rows = kwic.lines(docs, "cat", { window = 3, sort = "right" })
  local rights = {}
  for i, r in ipairs(rows) do rights[i] = r.right end
  t.is_deeply(rights, { "", "ran", "sat on the" }, "sort right")
  kwic.sort(rows, "doc")
  t.is(rows[1].right, "sat on the", "kwic.sort back to document order")
  t.raises(function() kwic.sort(rows, "size") end, "sort by", "unknown sort raises")
end

do
  local rows = kwic.lines("The cat sat. Catalogues and cats, catnip.", "cat*", { window = 1 })
  local m = {}
  for i, r in ipairs(rows) do m[i] = r.match end
  t.is_deeply(m, { "cat", "Catalogues", "cats", "catnip" }, "a trailing * matches a prefix")
  local ph = kwic.lines("The Human Rights Council met; human rights matter.", "human rights", { window = 1 })
  t.is(#ph, 2, "phrases match, whatever the case")
  t.is(ph[1].match, "Human Rights", "the matched text as written")
  t.is(ph[1].right, "Council", "context after a phrase")
  t.is(#kwic.lines(docs, "cat", { max = 2 }), 2, "max")
  t.is(#kwic.lines(docs, "zebra"), 0, "no match, no rows")
  local nl = kwic.lines("one\ntwo\t\tcat  three", "cat", { window = 5 })
  t.is(nl[1].left, "one two", "whitespace runs become one space")
end

do
  local text = "Café au lait: Zakani’s été à Téhéran."
  local rows = kwic.lines(text, "Zakani", { unit = "chars", window = 6 })
  t.is(rows[1].left, "lait:", "chars: six code points to the left, trimmed")
  t.is(rows[1].right, "été à", "chars: six code points to the right, counted in code points")
  t.is(rows[1].match, "Zakani’s", "the key level matches the possessive")
  t.is(text:sub(rows[1].left_start, rows[1].left_start + 1), "la", "chars: left_start on a character boundary")
  local z = kwic.lines(text, "Zakani", { window = 0 })
  t.is(z[1].left .. "|" .. z[1].right, "|", "window 0: no context")
end

do
  local g = match.gazetteer {
    { entity = "European Union", type = "ORG", aliases = { "EU", "European Union" } },
    { entity = "Iran", type = "GPE", alias = "Iran" },
  }
  local d = { { id = "x", text = "The EU and Iran talked. The European Union said no." } }
  local rows = kwic.lines(d, g, { window = 1 })
  t.is(#rows, 3, "gazetteer: every entity")
  t.is(rows[1].entity, "European Union", "entity of a gazetteer match")
  t.is(rows[1].type, "ORG", "type")
  t.is(rows[1].alias, "EU", "alias")
  local only = kwic.lines(d, g, { window = 1, entity = "European Union", sort = "match" })
  t.is(#only, 2, "entity filter")
  t.is(only[1].match, "EU", "sort by match")
  local set = kwic.lines(d, g, { entity = { Iran = true } })
  t.is(#set, 1, "entity filter as a set")
end

do
  local rows = kwic.lines({ { id = "d1", text = "We saw the cat today." }, { id = "doc22", text = "A very long sentence before the cat and after it." } },
    "cat", { window = 3 })
  t.is(kwic.format(rows, { width = 12 }), table.concat({
    "d1       We saw the  cat  today",
    "doc22  … before the  cat  and after it",
    "" }, "\n"), "format: ids, left context right-aligned and cut from the left")
  t.is(kwic.format(rows, { width = 8, doc = false, brackets = { "[", "]" } }), table.concat({
    "…saw the  [cat]  today",
    "…ore the  [cat]  and aft…",
    "" }, "\n"), "format without ids, with brackets")
  local report = require "report"
  t.is(report.text(rows), table.concat({
    "doc                   left  match  right",
    "-----  -------------------  -----  ------------",
    "d1              We saw the  cat    today",
    "doc22  sentence before the  cat    and after it",
    "" }, "\n"), "report.text shows the display columns")
  t.is(kwic.format({}), "", "no rows: nothing")
end

t.raises(function() kwic.lines(docs, "") end, "non%-empty string or a gazetteer", "empty pattern raises")
t.raises(function() kwic.lines(docs, "cat", { window = -1 }) end, "window", "negative window raises")
t.raises(function() kwic.lines(docs, "cat", { unit = "lines" }) end, "unit", "unknown unit raises")
t.raises(function() kwic.lines(docs, "cat", { sort = "size" }) end, "sort must be", "unknown sort raises")
t.raises(function() kwic.lines(42, "cat") end, "expects a corpus", "bad source raises")
t.raises(function() kwic.lines({ { id = 1 } }, "cat") end, "has no text", "a document without text raises")

-- With the host's tokenizer on the sample corpus -------------------------------
package.loaded.tokenize = real_loaded
package.loaded.kwic = nil
local ok_tok, tokenize = pcall(require, "tokenize")
local ok_corpus, corpus = pcall(require, "corpus")
if not (ok_tok and type(tokenize) == "table" and tokenize.tokens and ok_corpus) then
  t.skip("the tokenize or corpus module is not built into this host yet", 5)
else
  kwic = require "kwic"
  local c = corpus.open("corpus")
  local rows = kwic.lines(c, "Zakani", { window = 5 })
  local g = match.gazetteer { { entity = "Zakani", type = "x", alias = "Zakani" } }
  local expected, texts = 0, {}
  for doc in corpus.open("corpus"):docs() do
    texts[doc.id] = doc.text
    expected = expected + #g:matches(doc.text)
  end
  t.is(#rows, expected, "one line per match of the gazetteer")
  t.ok(#rows >= 15, "Zakani is mentioned at least 15 times in the sample corpus")
  local spans_ok, words_ok = true, true
  for _, r in ipairs(rows) do
    local text = texts[r.doc]
    if not text:sub(r.start, r.stop):find("^Zakani") then spans_ok = false end
    if #r.left_words > 5 or #r.right_words > 5 then words_ok = false end
  end
  t.ok(spans_ok, "every span is the match's bytes in its document")
  t.ok(words_ok, "at most five words each side")
  local sorted = kwic.lines(corpus.open("corpus"), "Zakani", { window = 5, sort = "right" })
  local in_order = true
  for i = 2, #sorted do
    local a, b = sorted[i - 1].right_words, sorted[i].right_words
    if (a[1] or "") > (b[1] or "") then in_order = false end
  end
  t.ok(in_order, "sorted by the first word on the right")
end

t.done()
