-- count.freq{attr = ...}: an attribute of annotated tokens (CoNLL-U, VRT,
-- word/TAG) counted in C, alone or as a pair, normalised like words; the
-- same bytes on one core and on two.
local t = require "tap"
local corpus, count = require "corpus", require "count"
local q = t.shell_quote
local bin = os.getenv("CORPUSRUN")
local D = "tests/data/load/annot/"

local function docs(src, opts)
  local out = {}
  for d in assert(corpus.open(src, opts)):docs() do out[#out + 1] = d end
  return out
end

local function rows(f, n)
  local out = {}
  for _, r in ipairs(f:top(n)) do out[#out + 1] = r.key .. "=" .. r.n end
  return table.concat(out, " ")
end

local ud = docs(D .. "ud.conllu")

do
  local f = count.freq { attr = "lemma" }
  for _, d in ipairs(ud) do f:add_tokens(d.tokens) end
  t.is(f:total(), 22, "lemma: every word counted once")
  t.is(f:get("say"), 2, "lemma: said and says are say")
  t.is(f:get("he"), 2, "lemma: keys casefolded as words are (He, he)")
  t.is(rows(f, 4), ".=4 he=2 il=2 say=2", "lemma: top in the canonical order")
  t.is(tostring(f), "corpusrun.Freq (16 types, 22 tokens, attr lemma)", "tostring names the attribute")
end

do
  local f = count.freq { attr = "upos", level = "raw" }
  for _, d in ipairs(ud) do f:add_tokens(d.tokens) end
  t.is(rows(f, 3), "PRON=5 PUNCT=5 VERB=5", "upos: counted raw")
  local p = count.freq { attr = "lemma/upos" }
  for _, d in ipairs(ud) do p:add_tokens(d.tokens) end
  t.is(p:get("say/verb"), 2, "lemma/upos: a pair joined by '/', each part normalised")
  local r = count.freq { attr = "lemma/upos", level = "raw" }
  for _, d in ipairs(ud) do r:add_tokens(d.tokens) end
  t.is(r:get("say/VERB"), 2, "lemma/upos raw: say/VERB")
  t.is(r:get("le/DET"), 1, "lemma/upos: the words of a multiword token each count")
  local df = count.df { attr = "lemma" }
  for _, d in ipairs(ud) do df:add_tokens(d.tokens) end
  t.is(df:get("say"), 1, "df: once a document")
  t.is(df:get("."), 2, "df: in both documents")
  t.is(df:total(), 2, "df: total is documents")
end

do
  local vrt = docs(D .. "brown.vrt", { on_error = "skip" })
  local f = count.freq { attr = "lemma" }
  for _, d in ipairs(vrt) do f:add_tokens(d.tokens) end
  t.is(f:get("say"), 2, "vrt: lemma counted")
  t.is(f:get("<no>"), 1, "vrt: decoded values")
  local tg = docs(D .. "tagged", { format = "tagged", include = { "c*" } })
  local tags = count.freq { attr = "tag", level = "raw" }
  local words = count.freq()
  for _, d in ipairs(tg) do tags:add_tokens(d.tokens); words:add_text(d.text) end
  t.is(tags:total(), #tg[1].tokens + #tg[2].tokens, "tagged: every token's tag")
  t.is(rows(tags, 3), "nn=552 at=406 in=366", "tagged: Brown's tags (as sort | uniq -c counts them)")
end

do
  local f = count.freq { attr = "lemma" }
  f:add_tokens(ud[2].tokens)
  local g = assert(count.undump(f:dump()))
  t.is(tostring(g), tostring(f), "dump/undump keeps the attribute")
  t.is(rows(g, 20), rows(f, 20), "dump/undump keeps the counts")
  local plain = count.freq()
  t.raises(function() plain:merge(f) end, "cannot merge counts of attribute 'lemma' into counts of words",
           "merge: counts of different attributes are refused")
  -- add_text on an attribute counter tags the text (tests/tag_text.lua), when the model is there
  if t.tagger_model() then
    local before = f:get("mouse")
    f:add_text("mice")
    t.is(f:get("mouse"), before + 1, "add_text on an attribute counter tags and lemmatises the text")
  else
    t.raises(function() f:add_text("x") end, "no part%-of%-speech tagger model", "add_text without a model says so")
  end
  t.raises(function() plain:add_tokens(ud[1].tokens) end, "the counter has no attribute to count",
           "add_tokens(doc.tokens) on a word counter is an error")
  t.raises(function() count.freq { attr = "tag" }:add_tokens(ud[1].tokens) end,
           "no attribute 'tag' %(the tokens have id, form, lemma",
           "a missing attribute is named with those there are")
  t.raises(function() count.freq { attr = "lemma/tag" }:add_tokens(ud[1].tokens) end, "no attribute 'tag'",
           "a pair's missing second part is named")
  t.raises(function() count.freq { attr = "a/b/c" } end, "option 'attr' must be an attribute name, or two joined by '/'",
           "attr: at most a pair")
  t.raises(function() count.ngrams(2):add_tokens(ud[1].tokens) end,
           "has no attribute to count: make it with count.ngrams%(n, {attr",
           "add_tokens(doc.tokens) on an n-gram counter of words is an error")
  t.raises(function() count.cooc():add_tokens(ud[1].tokens) end,
           "has no attribute to count: make it with count.cooc{attr",
           "add_tokens(doc.tokens) on a co-occurrence counter of words is an error")
  t.raises(function() count.cooc { where = { upos = "NOUN" } } end, "option 'where' chooses tokens to count: it needs 'attr'",
           "cooc: where needs attr")
end

-- ---- n-grams and co-occurrences of an attribute ---------------------------------
do
  local g = count.ngrams(2, { attr = "lemma", sentences = true })
  for _, d in ipairs(ud) do g:add_tokens(d.tokens) end
  t.is(g:get("he say"), 1, "ngrams of lemmas: He says is 'he say'")
  t.is(g:get("she say"), 1, "ngrams of lemmas: She said is 'she say'")
  t.is(g:get(". il"), 0, "ngrams with sentences: none across a sentence end")
  t.is(g:total(), 18, "ngrams: each sentence's tokens less one")
  t.is(tostring(g), "corpusrun.Ngrams (n=2, 18 types, 18 tokens, attr lemma)", "ngrams: tostring names the attribute")
  local whole = count.ngrams(2, { attr = "lemma" })
  for _, d in ipairs(ud) do whole:add_tokens(d.tokens) end
  t.is(whole:get(". il"), 1, "ngrams without sentences: a document is one run")
  local p = count.ngrams(2, { attr = "lemma/upos", level = "raw", where = { upos = { "PRON", "VERB" } } })
  for _, d in ipairs(ud) do p:add_tokens(d.tokens) end
  t.is(p:get("he/PRON do/VERB"), 1, "ngrams of pairs with where: the tokens left out close up")
  t.is(p:get("say/VERB he/PRON"), 1, "ngrams with where: across the comma and 'and' left out")
  local u = assert(count.undump(p:dump()))
  t.is(tostring(u), tostring(p), "ngrams of an attribute: undump keeps it")
  t.is(u:get("he/PRON do/VERB"), 1, "ngrams: undump keeps the counts")
  t.raises(function() p:merge(count.ngrams(2, { attr = "lemma/upos", level = "raw" })) end, "different settings %(where%)",
           "ngrams: merging different filters is an error")
  t.raises(function() g:merge(count.ngrams(2, { sentences = true })) end, "cannot merge counts of words into counts of attribute 'lemma'",
           "ngrams: merging words into lemmas is an error")

  local c = count.cooc { attr = "lemma/upos", window = 2, node = "say", level = "raw" }
  local full = count.cooc { attr = "lemma/upos", window = 2, level = "raw" }
  for _, d in ipairs(ud) do c:add_tokens(d.tokens); full:add_tokens(d.tokens) end
  local function with(x, node)
    local out = {}
    for _, r in ipairs(x:with(node)) do out[#out + 1] = table.concat({ r.key, r.o11, r.r1, r.c1, r.n, r.f1, r.f2 }, ":") end
    return table.concat(out, " ")
  end
  -- said (1 slot on its left, 2 on its right) and says (2 and 2) in "She said so, and he did too. He says things."
  t.like(with(c, "say"), "^%./PUNCT:2:7:12:76:2:4 ,/PUNCT:1:7:4:76:2:1 he/PRON:1:7:8:76:2:2 ",
         "cooc: the node of a pair counter is its first value (say: every say/X)")
  t.is(with(c, "say"), with(full, "say/VERB"), "cooc: the node's focus answers as the full counter of its pairs")
  t.is(c:freq("say"), 2, "cooc: the node is one word in the vocabulary")
  t.is(c:freq("say/VERB"), 0, "cooc: ... not a pair")
  t.is(c:freq("he/PRON"), 2, "cooc: the other tokens are pairs")
  t.is(#c:with("nothing"), 0, "cooc: an absent node has no collocates")
  -- units: a sentence holding the node under two tags counts once (the node is one word)
  local two = count.cooc { attr = "word/upos", mode = "sentence", node = "run", level = "raw" }   -- tagged text
  two:add_text("I run a run. They run fast.")
  t.is(two:freq("run"), 2, "cooc by sentence with a node of pairs: each sentence once, whatever the tags")
  local rows_two = two:with("run")
  local ok = true
  for _, r in ipairs(rows_two) do ok = ok and r.o11 <= r.c1 and r.o11 <= r.r1 end
  t.ok(ok and #rows_two > 0, "cooc by sentence with a node of pairs: every table fits (o11 <= r1, c1)")
  local u2 = assert(count.undump(c:dump()))
  t.is(with(u2, "say"), with(c, "say"), "cooc of an attribute with a node: undump keeps both")
  t.is(tostring(u2), "corpusrun.Cooc (" .. #c .. " pairs, " .. select(2, tostring(c):match("(%d+) pairs, (%d+)")) ..
       " words, n=22, attr lemma/upos)", "cooc: tostring names the attribute")
  local s = count.cooc { attr = "lemma", mode = "sentence" }
  for _, d in ipairs(ud) do s:add_tokens(d.tokens) end
  t.is(s:get("say", "he"), 2, "cooc by sentence: the sentences of the tokens")
  t.is(s:total(), 4, "cooc by sentence: four sentences")
end

-- ---- where: only the tokens whose attributes have the values given ---------------
do
  local nouns = count.freq { attr = "lemma", where = { upos = "NOUN" } }
  local content = count.freq { attr = "lemma", where = { upos = { "NOUN", "VERB" }, deprel = { "root", "obj", "obl" } } }
  for _, d in ipairs(ud) do nouns:add_tokens(d.tokens); content:add_tokens(d.tokens) end
  t.is(rows(nouns, 5), "marché=1 thing=1", "where: the lemmas of nouns only")
  t.is(rows(content, 9), "say=2 aller=1 marché=1 pleuvoir=1 thing=1",
       "where: every condition holds, each a value among those listed")
  t.is(tostring(content),
       "corpusrun.Freq (5 types, 6 tokens, attr lemma where deprel=root|obj|obl, upos=NOUN|VERB)",
       "where: tostring shows the filter (attributes sorted)")
  local g = assert(count.undump(content:dump()))
  t.is(tostring(g), tostring(content), "where: kept by dump/undump")
  g:merge(content)
  t.is(g:get("say"), 4, "where: counters with the same filter merge")
  t.raises(function() nouns:merge(content) end, "different settings %(where%)", "where: different filters do not merge")
  t.raises(function() count.freq { attr = "lemma", where = { tag = "nn" } }:add_tokens(ud[1].tokens) end,
           "no attribute 'tag'", "where: an attribute the tokens lack is named")
  t.raises(function() count.freq { where = { upos = "NOUN" } } end, "option 'where' chooses tokens to count: it needs 'attr'",
           "where: needs attr")
  t.raises(function() count.freq { attr = "lemma", where = { upos = 1 } } end,
           "option 'where' must map attribute names to a value or a list of values", "where: values are strings")
  t.raises(function() count.freq { attr = "lemma", where = { upos = {} } } end, "the list for 'upos' is empty",
           "where: an empty list is refused")
end

-- ---- scripts/freq.lua --attr, --where ------------------------------------------------
do
  local function freq(args, j)
    return t.run(("%s -j %d scripts/freq.lua -q -c %s %s"):format(q(bin), j or 1, q(D .. "ud.conllu"), args))
  end
  local out, code, err = freq("--attr lemma --top 4 --format tsv")
  t.is(code, 0, "freq --attr runs", err)
  t.like(out, "^rank\tlemma\tfreq\t", "freq --attr: the column is the attribute")
  t.like(out, "\n1\t%.\t4\t.-\n2\the\t2\t.-\n3\til\t2\t.-\n4\tsay\t2\t", "freq --attr: lemmas counted")
  local two = freq("--attr lemma --top 4 --format tsv", 2)
  t.is(two, out, "freq --attr: -j 2 prints the same bytes")
  out = freq("--attr lemma/upos --level raw --where 'upos=NOUN,VERB;deprel=root,obj,obl' --format tsv")
  t.like(out, "\n1\tsay/VERB\t2\t", "freq --where: only the tokens asked for")
  local n = 0
  for _ in out:gmatch("\n%d") do n = n + 1 end
  t.is(n, 5, "freq --where: five lemma/upos pairs")
  local bi, bcode, berr = freq("-N 2 --attr lemma --top 40 --format tsv")
  t.is(bcode, 0, "freq -N 2 --attr lemma runs", berr)
  t.like(bi, "\n%d+\the say\t1\t", "freq -N 2 --attr lemma: bigrams of lemmas (He says: he say)")
  t.like(bi, "\n%d+\tshe say\t1\t", "freq -N 2 --attr lemma: She said is she say")
  t.is(freq("-N 2 --attr lemma --top 40 --format tsv", 2), bi, "freq -N 2 --attr: -j 2 prints the same bytes")
  local bp = freq("-N 2 --attr lemma --pos PRON,VERB --format tsv")
  t.like(bp, "\n%d+\the do\t1\t", "freq -N 2 --pos: bigrams of the tokens chosen, closed up (he did)")
  t.ok(not bp:find("so", 1, true), "freq -N 2 --pos: the others left out")
  -- plain text is tagged on the fly (tests/tag_text.lua covers the tagger)
  if t.tagger_model() then
    local pb, pbcode, pberr = t.run(("%s scripts/freq.lua -q -N 2 --lemma --pos NOUN,ADJ --top 3 --format tsv"):format(q(bin)))
    t.is(pbcode, 0, "freq -N 2 --lemma on plain text runs", pberr)
    t.like(pb, "\n1\thuman right\t16\t", "freq -N 2 --lemma --pos: bigrams of lemmas (human rights: human right)")
    local plain, pcode, perr = t.run(("%s scripts/freq.lua -q --lemma --pos NOUN,ADJ --top 5 --format tsv"):format(q(bin)))
    t.is(pcode, 0, "freq --lemma --pos on plain text runs", perr)
    t.like(plain, "^rank\tlemma\tfreq\t.-\n1\tiranian\t", "freq --lemma --pos: lemmas of nouns and adjectives")
    local two2 = t.run(("%s -j 2 scripts/freq.lua -q --lemma --pos NOUN,ADJ --top 5 --format tsv"):format(q(bin)))
    t.is(two2, plain, "freq --lemma: -j 2 prints the same bytes")
    local outf = os.tmpname()
    t.run(("%s scripts/freq.lua -q --lemma --top 2 -o %s"):format(q(bin), q(outf)))
    local rf = io.open(outf .. ".receipt.json", "rb")
    local rec = rf and rf:read("a") or ""
    if rf then rf:close() end
    t.like(rec, '"tagger": "sha256:%x+"', "freq --lemma: the receipt names the tagger's model")
    os.remove(outf); os.remove(outf .. ".receipt.json")
  else
    t.skip("no tagger model", 4)
  end
  _, code, err = t.run(("%s scripts/freq.lua -q --lemma --attr upos"):format(q(bin)))
  t.is(code, 2, "freq --lemma with another --attr exits 2")
  t.like(err, "%-%-lemma counts lemmas", "and says why")
  _, code, err = t.run(("%s scripts/freq.lua -q --where upos=NOUN"):format(q(bin)))
  t.is(code, 2, "freq --where without --attr exits 2")
  t.like(err, "give %-%-attr too", "and says so")
end

-- ---- c:fold with -j 1 and -j 2 ----------------------------------------------
local script = os.tmpname() .. ".lua"
local f = assert(io.open(script, "wb"))
f:write([[
local corpus, count = require "corpus", require "count"
local D = "tests/data/load/annot/"
for _, src in ipairs { { D .. "ud.conllu", {}, "lemma/upos" }, { D .. "tagged", { format = "tagged", include = { "c*" } }, "tag" },
                       { D .. "brown.vrt", { on_error = "skip" }, "lemma" } } do
  local acc = assert(corpus.open(src[1], src[2])):fold(
    function() return { f = count.freq { attr = src[3] }, df = count.df { attr = src[3] }, docs = 0,
                        w = count.freq { attr = src[3], where = { [src[3]:match("[^/]+$")] = { "NOUN", "nn", "VERB" } } },
                        g = count.ngrams(2, { attr = src[3] }), c = count.cooc { attr = src[3], window = 3 } } end,
    function(acc, doc)
      acc.f:add_tokens(doc.tokens); acc.df:add_tokens(doc.tokens); acc.w:add_tokens(doc.tokens); acc.docs = acc.docs + 1
      acc.g:add_tokens(doc.tokens); acc.c:add_tokens(doc.tokens)
    end)
  io.write(tostring(acc.g), " ", tostring(acc.c), "\n")
  for _, r in ipairs(acc.g:top(20)) do io.write(r.key, "\t", r.n, "\n") end
  for _, r in ipairs(acc.c:top(20)) do io.write(r.a, "\t", r.b, "\t", r.n, "\n") end
  io.write(src[1], " ", acc.docs, " ", tostring(acc.f), " ", tostring(acc.w), "\n")
  for _, r in ipairs(acc.w:top(10)) do io.write(r.key, "\t", r.n, "\n") end
  for _, r in ipairs(acc.f:top(30)) do io.write(r.key, "\t", r.n, "\t", acc.df:get(r.key), "\n") end
end
]])
f:close()
local outs = {}
for _, j in ipairs { 1, 2 } do
  local out, code, err = t.run(("%s -j %d %s"):format(q(bin), j, q(script)))
  t.is(code, 0, ("fold -j %d runs"):format(j), err)
  outs[j] = out
end
os.remove(script)
t.like(outs[1], "ud.conllu 2 corpusrun.Freq %(16 types, 22 tokens, attr lemma/upos%)", "fold: both documents counted")
t.like(outs[1], "tagged 2 ", "fold: Brown's two files")
t.is(outs[2], outs[1], "fold: -j 2 prints the same bytes as -j 1")

t.done()
