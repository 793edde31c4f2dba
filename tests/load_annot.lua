-- corpus.open on annotated formats: CoNLL-U, VRT and word/TAG (Brown's own
-- files): documents, their text rebuilt from the tokens, metadata, problems.
local t = require "tap"
local corpus = require "corpus"

local D = "tests/data/load/annot/"

local function load(src, opts)
  opts = opts or {}
  if opts.on_error == nil then opts.on_error = "skip" end
  local c = assert(corpus.open(src, opts))
  local docs = {}
  for d in c:docs() do docs[#docs + 1] = d end
  local probs = {}
  for _, p in ipairs(c:problems()) do probs[#probs + 1] = p.kind .. " " .. p.message end
  return docs, probs, c
end

local function ids(docs)
  local out = {}
  for i, d in ipairs(docs) do out[i] = d.id end
  return out
end

local function size(path)
  local f = assert(io.open(path, "rb")); local n = f:seek("end"); f:close(); return n
end

-- ---- CoNLL-U as treebanks write it --------------------------------------------
do
  local docs, probs, c = load(D .. "ud.conllu")
  t.is_deeply(ids(docs), { "fr-1", "en-2" }, "conllu: by extension; # newdoc id starts each document")
  t.is(docs[1].text, "Je vais au marché.\nIl pleut.",
       "conllu: text from the forms, the multiword token's form once, SpaceAfter=No, a sentence a line")
  t.is(docs[2].text, "She said so, and he did too.\n\nHe says things.",
       "conllu: # newpar is a blank line; the empty node 7.1 is not in the text")
  t.is(docs[1].title, "Je vais au marché.", "conllu: title: the first line")
  t.is(docs[1].bytes + docs[2].bytes, size(D .. "ud.conllu"), "conllu: every line counted in one document's bytes")
  t.is_deeply(probs, {}, "conllu: no problems in a well-formed file")
  t.is(#c, 2, "conllu: #c")
  local a = load(D .. "ud.conllu", { format = "conllu" })
  t.is(#a, 2, "conllu: format = \"conllu\"")
end

-- ---- CoNLL-U: malformed lines reported, the rest kept ------------------------
do
  local docs, probs = load(D .. "bad.conllu")
  t.is_deeply(ids(docs), { "bad.conllu" }, "conllu: a file without # newdoc is one document, named by the file")
  t.is(docs[1].text, "One line\nTwo lines\nThree", "conllu: the good lines of the document are kept")
  local P = "skipped " .. D .. "bad.conllu:"
  t.is_deeply(probs, {
    P .. "6: 9 fields, CoNLL-U has 10 (tab-separated): line skipped",
    P .. "7: bad ID 'x' (a number from 1, a range such as 1-2, or an empty node such as 1.1): line skipped",
    P .. "9: ID 3 where 2 was expected: the line is kept",
    P .. "10: a sentence starts (ID 1) without a blank line after the one before",
  }, "conllu: each malformed line named by file and line, with what is wrong")
end

-- ---- VRT ------------------------------------------------------------------------
do
  local docs, probs = load(D .. "brown.vrt")
  t.is_deeply(ids(docs), { "t1", "t2", "t3" }, "vrt: <text id> starts each document")
  t.is(docs[1].text, "The jury said <no> .\nIt ended", "vrt: words joined, entities decoded, a sentence a line")
  t.is_deeply(docs[1].meta, { year = "1961", genre = "press & news" }, "vrt: <text>'s attributes are metadata")
  t.is(docs[2].text, "Cats said\nFine", "vrt: the line with too few fields is skipped, the rest kept")
  local P = "skipped " .. D .. "brown.vrt:"
  t.is_deeply(probs, {
    P .. "22: 2 fields, 3 positional attributes (word pos lemma): line skipped",
    P .. "24: </p> closes no open <p>: line skipped",
    P .. "28: <s> opened on line 26 is not closed before the end of the document",
    P .. "32: <s> opened on line 30 is not closed before </corpus>",
    P .. "32: <text> opened on line 29 is not closed before </corpus>",
  }, "vrt: unbalanced tags and bad lines named by file and line")
  local total = 0
  for _, d in ipairs(docs) do total = total + d.bytes end
  t.is(total, size(D .. "brown.vrt"), "vrt: every line counted in one document's bytes")
  local e = load(D .. "brown.vrt", { element = "s" })
  t.is(#e, 5, "vrt: element = \"s\" makes each <s> a document")
end

-- ---- word/TAG: Brown's own files --------------------------------------------------
do
  local docs, probs = load(D .. "tagged", { format = "tagged", include = { "c*" } })
  t.is_deeply(ids(docs), { "ca01", "cp09" }, "tagged: one document a file")
  t.like(docs[1].text, "^The Fulton County Grand Jury said Friday an investigation of Atlanta's recent",
         "tagged: the words without their tags")
  t.ok(not docs[1].text:find("/", 1, true), "tagged: no tag left in the text")
  t.is_deeply(probs, {}, "tagged: Brown's files have no problem")
end

do
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write("The_DT cat_NN sat_VBD\nnaked word_NN a/b_NN\n")
  f:close()
  local docs, probs = load(path, { format = "tagged", separator = "_" })
  os.remove(path)
  t.is(docs[1].text, "The cat sat\nnaked word a/b", "tagged: separator = \"_\"; the tag after the last one")
  t.is_deeply(probs, { "skipped " .. path .. ":2: 1 token without _ and a tag (the first: 'naked'): kept with an empty tag" },
              "tagged: a token without a tag is reported and kept")
end

-- ---- doc.tokens: the tokens with their attributes, in C ----------------------------
do
  local docs = load(D .. "ud.conllu")
  local toks = docs[1].tokens
  t.is(#toks, 9, "tokens: #doc.tokens counts the words (the range 3-4 is not one)")
  t.is_deeply(toks:attributes(), { "id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc" },
              "tokens: CoNLL-U's ten columns, by their names")
  local w = toks[2]
  t.is_deeply({ w.form, w.lemma, w.upos, w.head, w.deprel, w.sentence },
              { "vais", "aller", "VERB", "0", "root", 1 }, "tokens: t[i] is a table of the token's attributes")
  t.is(docs[1].text:sub(w.start, w.stop), "vais", "tokens: start and stop give the token's bytes in doc.text")
  t.is_deeply({ toks[3].form, toks[4].form }, { "à", "le" }, "tokens: the words of a multiword token")
  t.is(docs[1].text:sub(toks[3].start, toks[3].stop), "au", "tokens: its words span the multiword token's form")
  t.is(docs[1].text:sub(toks[4].start, toks[4].stop), "au", "tokens: both words")
  t.is(toks[0], nil, "tokens: t[0] is nil")
  t.is(toks[10], nil, "tokens: past the end is nil")
  t.is_deeply(toks:column("lemma"), { "il", "aller", "à", "le", "marché", ".", "il", "pleuvoir", "." },
              "tokens: column(name) gives one attribute of every token")
  t.is_deeply(toks:sentences(), {
    { first = 1, last = 6, id = "fr-1-s1", text = "Je vais au marché." },
    { first = 7, last = 9, id = "fr-1-s2", text = "Il pleut." },
  }, "tokens: sentences() with # sent_id and # text")
  t.is(toks[8].sentence, 2, "tokens: each token's sentence")
  t.is(tostring(toks), "Tokens (9 tokens, 2 sentences: id form lemma upos xpos feats head deprel deps misc)",
       "tokens: tostring")
  local en = docs[2].tokens
  t.is(#en, 13, "tokens: the empty node 7.1 is not a token")
  t.is_deeply(en:column("id"), { "1", "2", "3", "4", "5", "6", "7", "8", "9", "1", "2", "3", "4" },
              "tokens: ids as given")
  local n = 0
  for i, tok in ipairs(en) do n = i; assert(tok.form) end
  t.is(n, 13, "tokens: ipairs walks them")
  t.raises(function() return en:column("word") end,
           "no attribute 'word' %(the tokens have id, form, lemma, upos, xpos, feats, head, deprel, deps, misc%)",
           "tokens: an unknown attribute is an error naming those there are")
  local plain = load("corpus")
  t.is(plain[1].tokens, nil, "tokens: documents of other formats have none")
end

do
  local docs = load(D .. "brown.vrt")
  local toks = docs[1].tokens
  t.is_deeply(toks:attributes(), { "word", "pos", "lemma" }, "vrt tokens: named by the header comment")
  t.is_deeply(toks:column("lemma"), { "the", "jury", "say", "<no>", ".", "it", "end" }, "vrt tokens: a column, decoded")
  t.is_deeply(toks:sentences(), { { first = 1, last = 5, id = "t1.1" }, { first = 6, last = 7, id = "t1.2" } },
              "vrt tokens: <s id> sentences")
  local named = load(D .. "brown.vrt", { attributes = { "w", "p", "l" } })
  t.is_deeply(named[1].tokens:attributes(), { "w", "p", "l" }, "vrt tokens: attributes= overrides the header")
  local tg = load(D .. "tagged", { format = "tagged", include = { "c*" } })
  local tk = tg[1].tokens
  t.is_deeply({ tk[1].word, tk[1].tag, tk[2].word, tk[2].tag }, { "The", "at", "Fulton", "np-tl" },
              "tagged tokens: word and tag")
  t.is(#tk:sentences(), 98, "tagged tokens: a line a sentence")
  local wc = 0
  for _ in tg[1].text:gmatch("%S+") do wc = wc + 1 end
  t.is(#tk, wc, "tagged tokens: one a word of the text")
end

-- ---- XML whose words carry attributes: BNC XML, TEI ----------------------------
do
  local count = require "count"
  local docs, probs = load(D .. "bnc")
  local d = docs[1]
  t.is(d.title, "Sample text", "bnc: the title from the header")
  t.is(d.text, "Introduction\n\nThe cats were sitting. They didn't move.",
       "bnc: the text from the words, each with the space its element ends with; a heading a paragraph")
  local tk = d.tokens
  t.is_deeply(tk:attributes(), { "word", "c5", "hw", "pos", "lemma" },
              "bnc: word, the attributes as met, and lemma copied from hw")
  t.is_deeply(tk:column("word"), { "Introduction", "The", "cats", "were", "sitting", ".", "They", "did", "n't", "move", "." },
              "bnc: <w> and <c> are the tokens, their spaces trimmed")
  t.is_deeply(tk:column("lemma"), tk:column("hw"), "bnc: lemma is hw")
  t.is_deeply({ tk[6].c5, tk[6].hw, tk[6].pos }, { "PUN", "", "" }, "bnc: an attribute a token lacks is empty")
  t.is_deeply(tk:sentences(), { { first = 1, last = 1, id = "1" }, { first = 2, last = 6, id = "2" }, { first = 7, last = 11, id = "3" } },
              "bnc: <s n> sentences")
  local words = {}
  for i = 1, #tk do words[i] = d.text:sub(tk[i].start, tk[i].stop) end
  t.is_deeply(words, tk:column("word"), "bnc: every token's span in the text is its word")
  t.is_deeply(probs, {}, "bnc: no problem")
  local f = count.freq { attr = "lemma" }
  f:add_tokens(tk)
  t.is(f:get("be"), 1, "bnc: counted by lemma")
  t.is(f:get("sit"), 1, "bnc: counted by lemma (sitting)")

  local tei = load(D .. "tei")[1]
  t.is(tei.title, "A tagged TEI text", "tei: the title")
  t.is(tei.text, "Two dogs barked .\n\nGood !",
       "tei: words whose elements hold no space are joined by one; paragraphs apart")
  t.is_deeply(tei.tokens:attributes(), { "word", "lemma", "pos", "xml:id" }, "tei: the attributes, xml:id with its prefix")
  t.is_deeply(tei.tokens:column("pos"), { "NUM", "NOUN", "VERB", "PUNCT", "ADJ", "PUNCT" }, "tei: <w> and <pc>")
  t.is_deeply(tei.tokens:column("xml:id"), { "", "w2", "", "", "", "" }, "tei: xml:id kept where given")
  t.is(#tei.tokens:sentences(), 2, "tei: <s xml:id> sentences")
  t.is(tei.tokens:sentences()[2].id, "s2", "tei: the sentence's xml:id")

  local dir = t.tempdir()
  local f = assert(io.open(dir .. "/dup.xml", "wb"))
  f:write('<bncDoc xml:id="A"><wtext><s n="1" xml:id="A"><w hw="a" c5="AT0">a </w></s></wtext></bncDoc>\n')
  f:close()
  local out, code, err = t.run(t.shell_quote(t.corpusrun) .. " -e " ..
    t.shell_quote('for d in require("corpus").open(' .. ("%q"):format(dir) .. '):docs() do print(d.id, #d.tokens) end'))
  t.is(out .. code .. err, "dup.xml\t1\n0", "xml: libxml2's own messages (a duplicate xml:id) stay off stderr")
  os.remove(dir .. "/dup.xml")
  os.remove(dir)

  local plain = load("tests/data/load/tei")
  local any = false
  for _, p in ipairs(plain) do any = any or p.tokens ~= nil end
  t.ok(#plain > 0 and not any, "xml without attributed words: no tokens, text as before")
end

-- ---- inside an archive ------------------------------------------------------------
do
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. t.shell_quote(dir)))
  local tgz = dir .. "/annot.tar.gz"
  local ok = os.execute(("tar czf %s -C %s ud.conllu brown.vrt"):format(t.shell_quote(tgz), t.shell_quote(D)))
  if ok then
    local docs = load(tgz)
    t.is_deeply(ids(docs), { "fr-1", "en-2", "t1", "t2", "t3" }, "archive: members read by their extension")
    t.is(docs[2].tokens[2].lemma, "say", "archive: tokens of a member")
  else
    t.skip("no tar", 2)
  end
  os.remove(tgz)
  os.remove(dir)
end

-- ---- sharding: each document once ------------------------------------------------
do
  local c = assert(corpus.open(D .. "brown.vrt", { on_error = "skip" }))
  local got = {}
  for k = 1, 2 do for d in c:shard(k, 2):docs() do got[#got + 1] = d.id end end
  t.is_deeply(got, { "t1", "t2", "t3" }, "vrt: two shards give every document once, in order")
end

do   -- the documents of the other shard are read for their boundaries only
  local full = load(D .. "ud.conllu")
  local c = assert(corpus.open(D .. "ud.conllu", { on_error = "skip" }))
  local second = {}
  for d in c:shard(2, 2):docs() do second[#second + 1] = d end
  t.is(#second, 1, "conllu shard 2/2: one document")
  t.is(second[1].id, "en-2", "conllu shard 2/2: the second")
  t.is(second[1].text, full[2].text, "conllu shard 2/2: its text as in a whole pass")
  t.is_deeply(second[1].tokens:column("lemma"), full[2].tokens:column("lemma"), "conllu shard 2/2: its tokens")
  t.is(second[1].bytes, full[2].bytes, "conllu shard 2/2: its size")
  local bad = assert(corpus.open(D .. "bad.conllu", { on_error = "skip" }))
  t.is(#bad, 1, "#c counts without reading the tokens")
  local probs = 0
  for _ in bad:docs() do end
  for _ in ipairs(bad:problems()) do probs = probs + 1 end
  t.is(probs, 4, "the pass that reads the tokens reports the malformed lines")
end

-- ---- misuse --------------------------------------------------------------------------
do
  local ok, err = pcall(corpus.open, D .. "ud.conllu", { separator = "" })
  t.ok(not ok and err:find("option 'separator' must be a string without spaces", 1, true), "separator: not empty")
  ok, err = pcall(corpus.open, D .. "ud.conllu", { attributes = { "word", "" } })
  t.ok(not ok and err:find("option 'attributes' must be a list of names", 1, true), "attributes: names")
  ok, err = pcall(corpus.open, D .. "ud.conllu", { format = "conll" })
  t.ok(not ok and err:find('"conllu", "vrt" or "tagged"', 1, true), "format: the list names the new formats")
end

t.done()
