-- kwic.lua --show and kwic.lines{show=}: each word of a concordance line
-- with its attributes (word/TAG), from an annotated corpus's tokens or
-- from the tagger on plain text, in every output format.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)
local kwic, corpus = require "kwic", require "corpus"

local have, why = t.tagger_model()
if not have then t.skip_all(why) end

local function run(args)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/kwic.lua --quiet " .. args)
end
local UD = t.root .. "/tests/data/load/annot/ud.conllu"

-- ---- kwic.lines{show=} -------------------------------------------------------------
do
  local rows = kwic.lines("The old man said nothing. They say it rained.", "said", { window = 2, show = "pos" })
  t.is(#rows, 1, "show: one line")
  t.is(rows[1].left, "old/ADJ man/NOUN", "show pos on plain text: the tagger's tags, left")
  t.is(rows[1].match, "said/VERB", "show pos on plain text: the match")
  t.is(rows[1].right, "nothing/PRON ./PUNCT They/PRON", "show pos: punctuation shown, not counted in the window")
  t.is(table.concat(rows[1].right_words, " "), "nothing they", "show: the sort words stay words")
  local lemmas = kwic.lines("The children were running.", "running", { window = 2, show = { "lemma", "tag" } })
  t.is(lemmas[1].left, "children/child/nns were/be/bed", "show lemma,tag: lemma and Brown's tag")
  t.is(lemmas[1].match, "running/run/vbg", "show lemma,tag: the match")

  local c = assert(corpus.open(UD))
  local ud = kwic.lines(c, "says", { window = 2, show = "lemma,upos", progress = false })
  t.is(ud[1].left, "too/too/ADV ././PUNCT He/he/PRON", "show on CoNLL-U: the corpus's own lemmas and tags")
  t.is(ud[1].match, "says/say/VERB", "show on CoNLL-U: the match")
  local mwt = kwic.lines(c, "au", { window = 1, show = "pos", progress = false })
  t.is(mwt[1].match, "à/ADP le/DET", "show on CoNLL-U: a multiword token is its words")
  t.is(kwic.lines(c, "says", { window = 1, show = "pos", progress = false })[1].match, "says/VERB",
       "show pos on CoNLL-U: its upos")
  t.raises(function() kwic.lines(c, "says", { show = "nope", progress = false }) end,
           "no attribute 'nope' %(they have id, form, lemma", "show: an unknown attribute names those there are")
  t.raises(function() kwic.lines("x", "x", { show = "deprel" }) end, "the tagger gives no attribute 'deprel'",
           "show on plain text: the tagger's names only")
  t.raises(function() kwic.lines("x", "x", { show = {} }) end, "show must name one attribute or more",
           "show: an empty list is an error")
  local vrt = kwic.lines(assert(corpus.open(t.root .. "/tests/data/load/annot/brown.vrt", { on_error = "skip" })),
                         "said", { window = 1, show = "pos", progress = false, max = 1 })
  t.like(vrt[1].match, "^said/", "show pos on VRT: the corpus's own pos attribute")
end

-- ---- the script, in every format ------------------------------------------------------
do
  local out, code, err = run("regime --show pos --top 3")
  t.is(code, 0, "kwic.lua --show pos runs on the sample corpus", err)
  t.like(out, "the/DET  regime/NOUN  in/ADP", "text: words with their tags")
  for _, f in ipairs({ "csv", "tsv", "md", "json" }) do
    local o, c2, e2 = run("regime --show pos --top 3 --format " .. f)
    t.ok(c2 == 0 and o:find("regime/NOUN", 1, true) and o:find("the/DET", 1, true), "--format " .. f .. " shows the tags", e2)
  end
  local dir = t.tempdir()
  local _, c3, e3 = run("regime --show pos --top 3 --html " .. q(dir .. "/k.html") .. " --db " .. q(dir .. "/k.db"))
  local h = io.open(dir .. "/k.html"); local html = h and h:read("a") or ""; if h then h:close() end
  t.ok(c3 == 0 and html:find("regime/NOUN", 1, true), "--html shows the tags", e3)
  local sqlite3 = require "lsqlite3"
  local db = sqlite3.open(dir .. "/k.db")
  local n = 0
  for row in db:nrows("SELECT match FROM kwic") do n = n + (row.match == "regime/NOUN" and 1 or 0) end
  db:close()
  t.ok(n >= 1, "--db keeps the tags")
  os.execute("rm -rf " .. q(dir))
  local tsv = run("-c " .. q(UD) .. " says --show lemma,upos --format tsv")
  t.like(tsv, "\tsays/say/VERB\tthings/thing/NOUN\n", "--show on CoNLL-U: the corpus's lemmas and tags")
  local _, c4, e4 = run("-c " .. q(UD) .. " says --show nope")
  t.ok(c4 == 1 and e4:find("kwic: --show: fr-1: the tokens have no attribute 'nope'", 1, true),
       "--show of an unknown attribute says so at once", e4)
  t.like(run("--help"), "%-%-show ATTR", "--help shows --show")
end

t.done()
