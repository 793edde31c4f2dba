-- tag_text.lua: plain text tagged and lemmatised in C — tokenize.tag,
-- tokenize.tagger, and the counters of an attribute fed text (count.freq{attr
-- = ...}:add_text), also through c:fold with -j 1 and -j 2.  The model is
-- built through make when missing (skipped where that cannot be done, failing
-- under CI=true).
local t = require "tap"
local tokenize = require "tokenize"
local count = require "count"
local q = t.shell_quote

local okm, why = t.tagger_model()
if not okm then t.require_or_skip(why) end

-- ---- tokenize.tag ------------------------------------------------------------
local text = 'The children didn\'t see "the" mice. Atlanta\'s mayor was running faster.'
local toks = assert(tokenize.tag(text))
local got = {}
for i, tk in ipairs(toks) do
  got[i] = table.concat({ tk.text, tk.upos, tk.tag, tk.lemma, tk.sentence }, "|")
  t.is(text:sub(tk.start, tk.stop), tk.text, ("token %d: its span is its text"):format(i))
end
t.is_deeply(got, {
  "The|DET|at|the|1", "children|NOUN|nns|child|1", "didn't|AUX|dod*|do not|1", "see|VERB|vb|see|1",
  '"|PUNCT|``|"|1', "the|DET|at|the|1", '"|PUNCT|\'\'|"|1', "mice|NOUN|nns|mouse|1", ".|PUNCT|.|.|1",
  "Atlanta's|PROPN|np$|Atlanta|2", "mayor|NOUN|nn|mayor|2", "was|AUX|bedz|be|2", "running|VERB|vbg|run|2",
  "faster|ADV|rbr|fast|2", ".|PUNCT|.|.|2",
}, "tokenize.tag: tags, UPOS, lemmas and sentences")
-- the typographic apostrophe is read as Brown's ' (the sample corpus writes regime’s, don’t)
local curly, straight = {}, {}
for _, tk in ipairs(assert(tokenize.tag("The regime’s men don’t see the mayor’s aides."))) do curly[#curly + 1] = tk.tag .. "|" .. tk.lemma end
for _, tk in ipairs(assert(tokenize.tag("The regime's men don't see the mayor's aides."))) do straight[#straight + 1] = tk.tag .. "|" .. tk.lemma end
t.is(table.concat(curly, " "), table.concat(straight, " "), "tokenize.tag: U+2019 tags as ' does")
t.is(curly[2], "nn$|regime", "tokenize.tag: regime’s is a possessive noun, lemma regime")
t.is(#assert(tokenize.tag("")), 0, "tokenize.tag: no text, no tokens")
local nmodel, msg = tokenize.tag("x", { model = "/nonexistent/x.model" })
t.is(nmodel, nil, "tokenize.tag: a missing model gives nil")
t.like(msg, "/nonexistent/x%.model", "and a message naming the file")
t.raises(function() tokenize.tag("x", { model = 1 }) end, "option 'model' must be a file name", "model: a string")
t.raises(function() tokenize.tag("x", { modle = "y" }) end, "modle", "an unknown option is named")
local info = assert(tokenize.tagger())
local sum = t.run("sha256sum " .. q(info.path)):match("^(%x+)")
t.is(info.sha256, sum, "tokenize.tagger: the model's SHA-256, as sha256sum says")
local bad = os.tmpname()
local f = assert(io.open(info.path, "rb")); local bytes = f:read("a"); f:close()
f = assert(io.open(bad, "wb")); f:write(bytes:sub(1, 5000)); f:close()
local nb, bmsg = tokenize.tagger(bad)
t.ok(nb == nil and bmsg:find(bad, 1, true) ~= nil, "tokenize.tagger: a cut model file is refused, named", bmsg)
os.remove(bad)

-- ---- counters of an attribute, fed text -------------------------------------------
local s = "The children didn't see the mice. The child sees a mouse; she ran and ran."
local lem = count.freq { attr = "lemma" }
lem:add_text(s)
t.is(lem:get("child"), 2, "freq{attr = 'lemma'}: children and child")
t.is(lem:get("mouse"), 2, "freq{attr = 'lemma'}: mice and mouse")
t.is(lem:get("run"), 2, "freq{attr = 'lemma'}: ran twice")
t.is(lem:get("do not"), 1, "freq{attr = 'lemma'}: didn't")
local up = count.freq { attr = "upos" }
up:add_text(s)
t.is(up:get("noun"), 4, "freq{attr = 'upos'}: four nouns (keys casefolded, as for annotated tokens)")
local nv = count.freq { attr = "lemma/upos", level = "raw", where = { upos = { "NOUN" } } }
nv:add_text(s)
t.is(nv:get("child/NOUN"), 2, "where: only nouns, by lemma and UPOS")
t.is(nv:get("see/VERB"), 0, "where: no verbs")
t.raises(function() count.freq { attr = "feats" }:add_text("x") end, "no attribute 'feats'",
         "an attribute tagged text lacks is named")
local ng = count.ngrams(2, { attr = "lemma", sentences = true }):add_text("The children saw mice. A child sees a mouse.")
t.is(ng:get("child see"), 2, "n-grams of tagged text's lemmas: saw and sees are see")
t.is(ng:get("mouse a"), 0, "n-grams of tagged text: within its sentences")
t.raises(function() count.ngrams(2, { attr = "feats" }):add_text("x") end, "no attribute 'feats'",
         "n-grams: an attribute tagged text lacks is named")

-- ---- c:fold, -j 1 and -j 2 -----------------------------------------------------
local script = os.tmpname() .. ".lua"
f = assert(io.open(script, "wb"))
f:write([[
local corpus, count = require "corpus", require "count"
local acc = assert(corpus.open("corpus")):fold(
  function() return { f = count.freq { attr = "lemma" }, df = count.df { attr = "upos" },
                      n = count.freq { attr = "lemma", where = { upos = { "NOUN", "PROPN" } } }, docs = 0 } end,
  function(acc, doc) acc.f:add_text(doc.text); acc.df:add_text(doc.text); acc.n:add_text(doc.text); acc.docs = acc.docs + 1 end)
io.write(acc.docs, " ", tostring(acc.f), " ", tostring(acc.n), "\n")
for _, r in ipairs(acc.f:top(40)) do io.write(r.key, "\t", r.n, "\n") end
for _, r in ipairs(acc.n:top(20)) do io.write(r.key, "\t", r.n, "\n") end
for _, r in ipairs(acc.df:top(20)) do io.write(r.key, "\t", r.n, "\n") end
]])
f:close()
local outs = {}
for _, j in ipairs { 1, 2 } do
  local out, code, err = t.run(("%s -j %d %s"):format(q(t.corpusrun), j, q(script)))
  t.is(code, 0, ("fold -j %d runs"):format(j), err)
  outs[j] = out
end
os.remove(script)
t.like(outs[1], "^5 corpusrun%.Freq", "fold: the five documents of the sample corpus")
t.like(outs[1], "\nsay\t%d+\n", "fold: lemmas counted (say)")
t.is(outs[2], outs[1], "fold: -j 2 prints the same bytes as -j 1")

-- One scratch serves every call (what the tagger learnt of the words, its
-- lemma cache): calls give what a first call gives, in any order, and a
-- call made by a finalizer while another call reads out its tokens gets a
-- scratch of its own.
do
  local function flat(toks)
    local out = {}
    for i, x in ipairs(toks) do out[i] = x.text .. "/" .. x.upos .. "/" .. x.tag .. "/" .. x.lemma .. "/" .. x.start .. "/" .. x.sentence end
    return table.concat(out, " ")
  end
  local a_text = "The dogs were barking at the postmen. She said it had rained."
  local b_text = "Running water ran over the stones; they ran."
  local a1, b1 = flat(tokenize.tag(a_text)), flat(tokenize.tag(b_text))
  local a2 = flat(tokenize.tag(a_text))
  t.is(a2, a1, "scratch: a text tagged again after another gives the same tokens")
  t.is(flat(tokenize.tag(b_text)), b1, "scratch: and so does the other")
  local long = string.rep(a_text .. " ", 400)
  local want = flat(tokenize.tag(long))
  local inner = {}
  local stop = false
  local function litter()
    for _ = 1, 200 do
      setmetatable({}, { __gc = function()
        if not stop then inner[#inner + 1] = select(2, pcall(function() return flat(tokenize.tag(b_text)) end)) end
      end })
    end
  end
  local got
  collectgarbage("incremental", 10, 1000)   -- cycles that end while the tokens are read out
  collectgarbage()                          -- (the pause counts from the end of a cycle)
  for _ = 1, 5 do
    litter()
    got = flat(tokenize.tag(long))
    if got ~= want then break end
  end
  stop = true
  collectgarbage("incremental", 200, 100)
  collectgarbage()
  t.is(got, want, "scratch: a long text's tokens are whole though finalizers tagged meanwhile")
  local all_b = #inner > 0
  for _, x in ipairs(inner) do if x ~= b1 then all_b = false end end
  t.ok(all_b, "scratch: the finalizers' own calls were right (" .. #inner .. " of them)")
end

t.done()
