-- The analysis scripts other than mentions.lua, on the sample corpus.
-- Figures checked with grep over corpus/*.txt; counting is casefolded and a
-- possessive stays part of its word (Iran’s is not iran).
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local function run(script, args)
  return t.run(q(t.corpusrun) .. " scripts/" .. script .. " " .. (args or ""))
end
local function rows_of(out)
  local r = json.decode(out)
  return type(r) == "table" and r or {}
end
local function find(rows, field, value)
  for _, r in ipairs(rows) do if r[field] == value then return r end end
  return {}
end

-- every script explains itself
for _, s in ipairs({ "freq.lua", "kwic.lua", "collocates.lua", "cooccur.lua", "keyness.lua", "mentions.lua",
                     "discovery_eval.lua", "ingest.lua", "search.lua" }) do
  local out, code = run(s, "--help")
  t.ok(code == 0 and out:match("^Usage: corpusrun scripts/" .. s:gsub("%.", "%%.")), s .. " --help")
  local _, code2, err = run(s, "--no-such-option")
  t.ok(code2 == 2 and err:find("unknown option --no-such-option", 1, true), s .. ": a bad option exits 2")
end

-- freq: grep -ow Iran gives 43, of which 8 are Iran’s/Iran's: 35;
-- grep -owi regime 28, of which 4 possessive: 24.
local out, code, err = run("freq.lua", "--stopwords en --top 5 --format json")
t.is(code, 0, "freq exits 0", err)
local rows = rows_of(out)
t.is(rows[1] and rows[1].word, "iran", "freq: iran first")
t.is(rows[1] and rows[1].freq, 35, "freq: iran 35")
t.is(rows[1] and rows[1].docs, 5, "freq: iran in 5 documents")
t.is(find(rows, "word", "regime").freq, 24, "freq: regime 24")
t.ok(find(rows, "word", "the").word == nil, "freq: stopwords left out")
local d = rows[1] and rows[1].juilland_d
t.ok(type(d) == "number" and d > 0 and d <= 1, "freq: Juilland's D in (0, 1]")
out = run("freq.lua", "--top 3 --format json")
t.is(rows_of(out)[1].word, "the", "freq without stopword removal: the first")
out, code = run("freq.lua", "--ngrams 2 --stopwords en --top 3 --format csv")
t.like(out, "^rank,ngram,freq,per_million,docs,juilland_d,dp\r?\n", "freq --ngrams 2: CSV header")
-- grep -oi 'human rights': 17, one of them glued ("Human RightsWe", 004): 16
t.like(out, "\n%d,human rights,16,", "freq --ngrams 2: 'human rights' 16 times")
out = run("freq.lua", "--top 3")
t.like(out, "^%d+ tokens, %d+ types in 5 documents", "freq text output starts with totals")

-- freq --stem en: against a reference that stems every token on its own
-- path (tokenize.words with stem = "en"), with each stem's most frequent
-- form and its document count counted alongside.
do
  local tokenize = require "tokenize"
  local c = require("corpus").open("corpus")
  local stems, docs, form_n = {}, {}, {}
  for doc in c:docs() do
    local words = tokenize.words(doc.text, { level = "casefold", table = true })
    local st = tokenize.words(doc.text, { level = "casefold", stem = "en", table = true })
    local seen = {}
    for i, s in ipairs(st) do
      stems[s] = (stems[s] or 0) + 1
      if not seen[s] then seen[s] = true; docs[s] = (docs[s] or 0) + 1 end
      form_n[s] = form_n[s] or {}
      form_n[s][words[i]] = (form_n[s][words[i]] or 0) + 1
    end
  end
  local function best_form(s)
    local best, bn
    for w, k in pairs(form_n[s]) do
      if not bn or k > bn or (k == bn and w < best) then best, bn = w, k end
    end
    return best
  end
  out, code, err = run("freq.lua", "--stem en --top 15 --format json")
  t.is(code, 0, "freq --stem en exits 0", err)
  rows = rows_of(out)
  t.is(#rows, 15, "freq --stem: 15 rows")
  local agree = #rows > 0
  for i, r in ipairs(rows) do
    if r.freq ~= stems[r.stem] or r.docs ~= docs[r.stem] or r.form ~= best_form(r.stem) then
      agree = false
      t.diag(("row %d: %s %s %s %s, reference %s %s %s"):format(i, r.stem, r.form, r.freq, r.docs,
        stems[r.stem], docs[r.stem], best_form(r.stem)))
    end
    if i > 1 and (r.freq > rows[i - 1].freq or (r.freq == rows[i - 1].freq and r.stem < rows[i - 1].stem)) then
      agree = false
    end
  end
  t.ok(agree, "freq --stem: every row's count, documents and form as the per-token reference, in order")
  out = run("freq.lua", "--stem en --stopwords en --top 10 --format json")
  rows = rows_of(out)
  t.is(find(rows, "stem", "regim").form, "regime", "freq --stem: regim shown as regime")
  t.is(find(rows, "stem", "iran").freq, stems.iran, "freq --stem --stopwords: iran as the reference")
  t.is(find(rows, "stem", "right").form, "rights", "freq --stem: right's most frequent form is rights")
  out = run("freq.lua", "--stem en --top 2")
  t.like(out, "words by en stem", "freq --stem: the heading says so")
  t.like(out, "\nrank  stem +form ", "freq --stem: stem and form columns")
  _, code, err = run("freq.lua", "--stem klingon")
  t.is(code, 2, "freq --stem with an unknown language exits 2")
  t.like(err, "no Snowball stemmer for 'klingon'", "and names the language")
  out = run("freq.lua", "--help")
  t.like(out, "Plain%s+text%s+is%s+tagged%s+and%s+lemmatised", "freq --help: plain text is lemmatised")
  t.like(out, "%-%-lemma", "freq --help: --lemma")
  t.like(out, "%-%-pos UPOS", "freq --help: --pos")
end

-- keyness of 000 against 001: Brussels 13 times in 000 (grep -ow), never in
-- 001; Zakani 15 times in 000, 4 of them Zakani’s: 11.
out, code, err = run("keyness.lua", "--target '000*' --reference '001*' --format json")
t.is(code, 0, "keyness exits 0", err)
rows = rows_of(out)
t.is(rows[1] and rows[1].word, "brussels", "keyness: brussels is the first key word of 000")
t.is(find(rows, "word", "brussels").target, 13, "keyness: brussels 13 in the target")
t.is(find(rows, "word", "brussels").reference, 0, "keyness: brussels 0 in the reference")
t.is(find(rows, "word", "zakani").target, 11, "keyness: zakani 11")
-- a second corpus as the reference, the whole first corpus as the target:
-- 000 in one directory against 001 in another gives the same table as
-- --target '000*' --reference '001*' over the sample corpus
do
  local dir = t.tempdir()
  os.execute("mkdir -p " .. q(dir .. "/a") .. " " .. q(dir .. "/b") .. " && cp corpus/000_*.txt " .. q(dir .. "/a/")
    .. " && cp corpus/001_*.txt " .. q(dir .. "/b/"))
  local want = run("keyness.lua", "--target '000*' --reference '001*' --format json")
  local got, kcode, kerr = run("keyness.lua", "-c " .. q(dir .. "/a") .. " --reference-corpus " .. q(dir .. "/b") .. " --format json")
  t.is(kcode, 0, "keyness --reference-corpus without --target exits 0", kerr)
  t.is(got, want, "keyness: a second corpus as the reference, the whole first corpus as the target")
  got = run("keyness.lua", "-c " .. q(dir .. "/a") .. " --reference-corpus corpus --reference '001*' --format json")
  t.is(got, want, "keyness: --reference selects documents of the reference corpus")
  got = run("keyness.lua", "--reference-corpus " .. q(dir .. "/b") .. " --target '000*' --format json")
  t.is(got, want, "keyness: --target selects documents of the first corpus against the reference corpus")
  local hout = run("keyness.lua", "-c " .. q(dir .. "/a") .. " --reference-corpus " .. q(dir .. "/b"))
  t.like(hout, "^Key words: 1 target documents %(514 tokens%) against 1 reference documents %(722 tokens%)",
         "keyness --reference-corpus: the heading counts both corpora")
  os.execute("rm -rf " .. q(dir))
  _, kcode, kerr = run("keyness.lua", "")
  t.is(kcode, 2, "keyness with neither --target nor --reference-corpus exits 2")
  t.like(kerr, "missing option %-%-target", "and says what is missing")
end
_, code, err = run("keyness.lua", "--target 'nothing*'")
t.is(code, 1, "keyness: a target that selects nothing fails")
t.like(err, "selects no document", "and says so")
-- --target and --reference are globs, as on the rest of the command line,
-- not Lua patterns ('000*' was "00" then any number of "0": every document)
out = run("keyness.lua", "--target '000*' --format json --top 1")
t.like(out, '"zakani"', "keyness --target '000*': the glob selects document 000")
local head = run("keyness.lua", "--target '000*'")
t.like(head, "^Key words: 1 target documents %(514 tokens%) against 4 reference", "keyness: '000*' is one document")
head = run("keyness.lua", "--target '00[01]*' --reference '00[34]*'")
t.like(head, "^Key words: 2 target documents %(1236 tokens%) against 2 reference", "keyness: glob classes")
_, code, err = run("keyness.lua", "--target '^000'")
t.is(code, 1, "keyness: a Lua pattern selects nothing")
t.like(err, "matched by globs, as on the command line: '000%*', not '%^000'", "and the message says globs are used")

-- collocates of regime: "as usual with Iran regime" / "Business as usual
-- with this regime": as and usual near regime.
out, code, err = run("collocates.lua", "regime --format json --top 50")
t.is(code, 0, "collocates exits 0", err)
rows = rows_of(out)
local as = find(rows, "collocate", "as")
t.ok(as.o11 and as.o11 >= 3, "collocates: 'as' near 'regime'")
for _, m in ipairs({ "mi", "t", "z", "ll", "chi2", "dice", "logdice", "log_ratio" }) do
  t.ok(type(as[m]) == "number", "collocates: measure " .. m)
end
local sorted = true
for i = 2, #rows do if rows[i].ll > rows[i - 1].ll then sorted = false end end
t.ok(sorted, "collocates: sorted by ll")
out = run("collocates.lua", "regime --sort logdice --format json --top 50")
rows = rows_of(out)
sorted = true
for i = 2, #rows do if rows[i].logdice > rows[i - 1].logdice then sorted = false end end
t.ok(sorted and #rows > 0, "collocates --sort logdice")
_, code = run("collocates.lua", "")
t.is(code, 2, "collocates without a node word exits 2")

-- cooccur: entities, same document: Belgium and Iran in 4 documents.
out, code, err = run("cooccur.lua", "--of entities --unit document --top 10 --format json")
t.is(code, 0, "cooccur --of entities exits 0", err)
rows = rows_of(out)
local bi
for _, r in ipairs(rows) do if r.a == "Belgium" and r.b == "Iran" then bi = r end end
t.is(bi and bi.n, 4, "cooccur: Belgium and Iran in 4 documents")
out, code = run("cooccur.lua", "--top 4 --matrix --stopwords en")
t.is(code, 0, "cooccur --matrix exits 0")
t.like(out, "iran%s+iranian%s+regime", "cooccur matrix has the top words as columns")
local tmp = os.tmpname()
out, code = run("cooccur.lua", "--of entities --gexf " .. q(tmp))
local f = io.open(tmp, "rb"); local gexf = f and f:read("a") or ""; if f then f:close() end
os.remove(tmp)
t.like(gexf, "<gexf", "cooccur --gexf writes GEXF")

-- ingest and search: 5 documents stored, then unchanged; "Zakani" is only
-- in 000 (grep -lw Zakani corpus/*.txt).
local db = os.tmpname()
os.remove(db)
out, code, err = run("ingest.lua", "--db " .. q(db) .. " --format json")
t.is(code, 0, "ingest exits 0", err)
rows = rows_of(out)
t.is(rows[1] and rows[1].added, 5, "ingest: 5 documents added")
out = run("ingest.lua", "--db " .. q(db) .. " --format json")
rows = rows_of(out)
t.is(rows[1] and rows[1].unchanged, 5, "ingest again: 5 unchanged")
out, code, err = run("search.lua", "--db " .. q(db) .. " Zakani --format json")
t.is(code, 0, "search exits 0", err)
rows = rows_of(out)
t.is(#rows, 1, "search: one document for Zakani")
t.is(rows[1] and rows[1].id, "000_bffbd40d78d47571.txt", "search: the Brussels article")
t.like(rows[1] and rows[1].snippet or "", "%[Zakani%]", "search: the snippet marks the match")
out = run("search.lua", "--db " .. q(db) .. " Iran --limit 2 --format json")
t.is(#rows_of(out), 2, "search --limit 2")
_, code, err = run("search.lua", "--db " .. q(db) .. " '\"unbalanced'")
t.is(code, 2, "a bad query exits 2")
t.like(err, "unterminated", "and says why")
out, code = run("mentions.lua", "-c " .. q(db) .. " --entities corpus/entities.tsv --format json")
t.is(code, 0, "mentions on the corpus database")
t.is(find(rows_of(out), "entity", "Iran").mentions, 41, "the same counts from the database: Iran 41")
for _, x in ipairs({ "", "-wal", "-shm" }) do os.remove(db .. x) end

-- kwic
local has_kwic = pcall(require, "kwic")
if has_kwic then
  out, code, err = run("kwic.lua", "Kashfi --format json")
  t.is(code, 0, "kwic exits 0", err)
  rows = rows_of(out)
  t.is(#rows, 2, "kwic: Kashfi twice (003)")
  out = run("kwic.lua", "--entity 'Massoud Kashefi' --format json")
  rows = rows_of(out)
  t.is(#rows, 3, "kwic --entity: Kashefi and Kashfi, 3 lines")
  out = run("kwic.lua", "'Iran*' --sort right --top 5")
  t.like(out, "^77 lines for Iran%* %(the first 5 shown%)\n", "kwic wildcard, sorted, top 5: how many in all, how many shown")
else
  t.skip("the kwic module is not built yet", 4)
end
t.done()
