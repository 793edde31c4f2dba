-- collocates.lua --pos and --lemma: collocates filtered by their universal
-- tags, and a node given as a lemma, from the tagger on plain text and from
-- an annotated corpus's own tags and lemmas; counted in C (count.cooc{attr=}).
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local have, why = t.tagger_model()
if not have then t.skip_all(why) end

local function run(args)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/collocates.lua --quiet " .. args)
end

-- rows of a TSV table: { {collocate, pos, o11, ..., node_freq}, ... } and its header
local function tsv(out)
  local rows, head = {}, nil
  for line in out:gmatch("[^\n]+") do
    local cells = {}
    for cell in (line .. "\t"):gmatch("(.-)\t") do cells[#cells + 1] = cell end
    if head then rows[#rows + 1] = cells else head = cells end
  end
  return rows, head or {}
end

-- ---- --pos on plain text: the tagger's tags ------------------------------------
do
  local out, code, err = run("regime --pos NOUN,ADJ --min 1 --top 1000 --format tsv")
  t.is(code, 0, "--pos runs on the sample corpus", err)
  local rows, head = tsv(out)
  t.is(table.concat(head, " ", 1, 3), "collocate pos o11", "--pos: a pos column after the collocate")
  local tags, found = {}, {}
  for _, r in ipairs(rows) do
    tags[r[2]] = true
    found[r[1] .. "/" .. r[2]] = tonumber(r[3])
  end
  t.ok(tags.NOUN and tags.ADJ, "--pos NOUN,ADJ: nouns and adjectives")
  local others = {}
  for tag in pairs(tags) do if tag ~= "NOUN" and tag ~= "ADJ" then others[#others + 1] = tag end end
  t.is(table.concat(others, ","), "", "--pos NOUN,ADJ: no other tag")
  t.is(found["business/NOUN"], 4, "--pos: 'business' is a noun near 'regime' four times")
  t.is(found["the/DET"], nil, "--pos: a determiner is left out")
  local plain = tsv((run("regime --min 1 --top 1000 --format tsv")))
  local any_the = false
  for _, r in ipairs(plain) do any_the = any_the or r[1] == "the" end
  t.ok(any_the, "without --pos, 'the' is a collocate (the filter is --pos's)")
  t.is(rows[1][#rows[1]], "24", "--pos: the node's frequency is that of the word under any tag")
end

-- ---- --lemma: the node and the collocates as lemmas ----------------------------
do
  local out, code, err = run("say --lemma --min 1 --top 1000 --format tsv")
  t.is(code, 0, "--lemma runs", err)
  local rows, head = tsv(out)
  t.is(head[1], "lemma", "--lemma: the first column is the lemma")
  -- the lemma's frequency: every form of say, as count.freq{attr = "lemma"} counts it
  local probe = os.tmpname()
  local f = assert(io.open(probe, "wb"))
  f:write([[
local corpus, count = require "corpus", require "count"
local f = count.freq { attr = "lemma" }
local words = count.freq()
for doc in assert(corpus.open("corpus")):docs() do f:add_text(doc.text); words:add_text(doc.text) end
print(f:get("say"), words:get("say") + words:get("says") + words:get("said") + words:get("saying"))
]])
  f:close()
  local lemma_n = t.run("cd " .. q(t.root) .. " && " .. CR .. " " .. q(probe))
  os.remove(probe)
  local n_lemma, n_forms = lemma_n:match("(%d+)%s+(%d+)")
  t.is(rows[1] and rows[1][#rows[1]], n_lemma, "--lemma: the node's frequency is the lemma's")
  t.ok(tonumber(n_forms) > 0 and tonumber(n_lemma) >= tonumber(n_forms) - 1,
       "--lemma: the lemma gathers the forms say, says, said, saying")
  local lemmas = {}
  for _, r in ipairs(rows) do lemmas[r[1]] = true end
  t.ok(lemmas.be and not lemmas.is and not lemmas.was, "--lemma: the collocates are lemmas (be, not is or was)")
  t.ok(not lemmas.say, "--lemma: the node is not its own collocate")
  local text = run("say --lemma --pos PROPN --min 1")
  t.like(text, "^Collocates of the lemma 'say', seen " .. n_lemma .. " times %(window 5; only PROPN; sorted by ll%)",
         "--lemma --pos: the heading says so")
end

-- ---- an annotated corpus: its own tags and lemmas ------------------------------
do
  local ud = t.root .. "/tests/data/load/annot/ud.conllu"
  local out, code, err = run("-c " .. q(ud) .. " say --lemma --min 1 --window 2 --format tsv")
  t.is(code, 0, "--lemma on CoNLL-U runs", err)
  local rows = tsv(out)
  local got = {}
  for _, r in ipairs(rows) do got[#got + 1] = r[1] .. "/" .. r[2] .. "=" .. r[3] end
  -- "She said so, and he did too. He says things." (one document, one window run)
  -- without punctuation: she say so and he do too he say thing; said sees she, so, and; says too, he, thing
  table.sort(got)
  t.is(table.concat(got, " "), "and/CCONJ=1 he/PRON=1 she/PRON=1 so/ADV=1 thing/NOUN=1 too/ADV=1",
       "--lemma on CoNLL-U: the corpus's lemmas and tags, punctuation out of the window")
  t.is(rows[1] and rows[1][#rows[1]], "2", "--lemma on CoNLL-U: said and says")
  local nouns = tsv((run("-c " .. q(ud) .. " say --lemma --pos NOUN --min 1 --window 2 --format tsv")))
  t.is(#nouns == 1 and nouns[1][1] .. "/" .. nouns[1][2], "thing/NOUN", "--pos on CoNLL-U: the corpus's tags")
  local _, c2, e2 = run("-c " .. q(t.root .. "/tests/data/load/annot/brown.vrt") .. " said --pos NOUN")
  t.ok(c2 == 1 and e2:find("have no attribute 'upos' (they have word, pos, lemma)", 1, true),
       "--pos on a corpus without upos says so", e2)
end

-- ---- usage -------------------------------------------------------------------------
do
  local _, code, err = run("'human rights' --pos NOUN")
  t.ok(code == 2 and err:find("--pos and --lemma take a node of one word", 1, true), "--pos: a phrase is refused", err)
  _, code, err = run("regime --pos NOUN,NOUNS")
  t.ok(code == 2 and err:find("'NOUNS' is not a Universal POS tag", 1, true), "--pos: an unknown tag is refused", err)
  local help = run("--help")
  t.like(help, "%-%-pos UPOS", "--help shows --pos")
  t.like(help, "%-%-lemma", "--help shows --lemma")
end

t.done()
