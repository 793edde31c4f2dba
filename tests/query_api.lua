-- query_api.lua: c:query and its results on the sample corpus and on an
-- annotated corpus: hits, kwic sorting, counts, collocates, dispersion,
-- samples, set operations, errors, and scripts/query.lua's outputs.
local t = require "tap"
local corpus = require "corpus"
local query = require "query"

local c = assert(corpus.open("corpus"))

-- hits and their documents
local q = assert(c:query('"mayor"%c'))
t.is(#q, 11, "#q")
t.like(tostring(q), "^Query result: 11 hits of \"mayor\"%%c %(standard%)$", "tostring")
local n, prev = 0, -1
for i, h in q:hits() do
  n = n + 1
  t.ok(h.n == i and h.cpos > prev and h.cend == h.cpos and h.stop == h.start, "hit " .. i .. " in order")
  prev = h.cpos
end
t.is(n, 11, "the iterator gives every hit")
t.is(q:hit(12), nil, "q:hit out of range is nil")
local h1 = q:hit(1)
local d = c:get(h1.doc)
local words = {}
for w in require("tokenize").words(d.text, { level = "raw", kinds = "all" }) do words[#words + 1] = w end
t.is(words[h1.start], "mayor", "start is the token number in the document")

-- the same view for a second query: the documents are read once
t.ok(query.positions(c) == query.positions(c), "one view per corpus object")

-- kwic: sorted by R1 then L1 (lower), ties in corpus order
local lines = q:kwic{ context = 2, sort = { "R1", "L1" } }
t.is(#lines, 11, "a line per hit")
local ok = true
for i = 2, #lines do
  local a, b = lines[i - 1], lines[i]
  local ra, rb = (a.right:match("^(%S+)") or ""):lower(), (b.right:match("^(%S+)") or ""):lower()
  if ra > rb then ok = false end
  if ra == rb then
    local la, lb = (a.left:match("(%S+)$") or ""):lower(), (b.left:match("(%S+)$") or ""):lower()
    if la > lb or (la == lb and a.n > b.n) then ok = false end
  end
end
t.ok(ok, "kwic sorted by R1, then L1, then corpus order")
t.is(#q:kwic{ limit = 3 }, 3, "limit")
local ctx = q:kwic{ context = 0 }
t.is(ctx[1].left .. ctx[1].right, "", "context 0")
t.raises(function() q:kwic{ sort = { "X9" } } end, "X9", "an unknown sort level is an error")
t.raises(function() q:kwic{ contxt = 2 } end, "unknown option 'contxt'", "an unknown option is an error")

-- count: the match, and a position
local the = assert(c:query('"the"%c []'))
local function agrees(rows, lines, pick)
  local want, sum = {}, 0
  for _, line in ipairs(lines) do
    local w = pick(line)
    if w then want[w] = (want[w] or 0) + 1 end
  end
  for _, r in ipairs(rows) do
    sum = sum + r.count
    if want[r.key] ~= r.count then return false, sum end
    want[r.key] = nil
  end
  return next(want) == nil, sum
end
local lines1 = the:kwic{ context = 1 }
local same, sum = agrees(the:count("word", "end"), lines1, function(l) return l.match:match("%S+%s+(%S+)$") end)
t.ok(same and sum == #the, "count at the end: the matches' second tokens")
local rows = the:count("word", "R1")
same, sum = agrees(rows, lines1, function(l) return l.right:match("^(%S+)") end)
t.ok(same and sum <= #the, "count at R1: the token right of each match, inside its document")
t.ok(rows[1].count >= rows[#rows].count, "by count descending")
local m = assert(c:query('"mayor"%c "of" []')):count()
t.is_deeply({ m[1].key, m[1].count, #m }, { "Mayor of Rotselaar", 1, 2 }, "count of the whole match")

-- collocates: o11 counted by hand for one collocate
local col = q:collocates{ window = 3 }
local hard
for _, r in ipairs(col) do if r.key == "hardline" then hard = r end end
t.ok(hard and hard.o11 == 2 and hard.c1 == 2 and hard.ll > 0, "collocate hardline: o11 2, c1 2")
t.ok(col[1].ll >= col[#col].ll, "sorted by ll")
local left_only = q:collocates{ left = 1, right = 0 }
local lsum = 0
for _, r in ipairs(left_only) do lsum = lsum + r.o11 end
t.is(lsum, 11, "one token left of each hit")

-- dispersion
local dsp = q:dispersion()
local hits, tokens = 0, 0
for _, p in ipairs(dsp.rows) do hits, tokens = hits + p.hits, tokens + p.tokens end
t.is(hits, 11, "dispersion: the hits over the texts")
t.is(tokens, require("query.core").info(query.positions(c)).size, "dispersion: every token in a part")
t.is(dsp.parts, 5, "five texts")
t.is(dsp.range, 4, "in four of them")

-- sample and set operations
local s1, s2 = q:sample(5, 3), q:sample(5, 3)
t.is(#s1, 5, "sample size")
t.is(#s1:intersect(s2), 5, "the same seed, the same sample")
t.is(#q:difference(s1), 6, "difference")
t.is(#q:sample(100), 11, "a sample larger than the result is all of it")
t.is(#s1:union(q:difference(s1)), 11, "union")
local other = assert(corpus.open("corpus"))
t.raises(function() q:intersect(assert(other:query('"mayor"'))) end, "another corpus", "results of another corpus")

-- errors: expected failures return nil, message, byte; misuse raises
local r, err, byte = c:query('[lower="x" & ]')
t.is(r, nil, "a malformed query gives nil")
t.like(err, "^query: byte 14: expected an attribute name", "the message names the byte")
t.is(byte, 14, "and returns it")
r, err = c:query('[pos="NN"]')
t.like(err, "no attribute 'pos' in this corpus %(it has word, lower, key%)", "an attribute the corpus lacks")
r, err = c:query('"a["')
t.like(err, "in the regular expression", "a regular expression PCRE2 refuses")
t.raises(function() c:query(42) end, "string expected", "a query that is not a string raises")
t.raises(function() c:query('"a"', { strategy = "fastest" }) end, "strategy", "an unknown strategy raises")

-- an annotated corpus: its attributes, sentences, and pos for xpos
local ud = assert(corpus.open("tests/data/load/annot/ud.conllu"))
local u = assert(ud:query('[upos="VERB"] within s'))
t.is(#u, 5, "CoNLL-U: the verbs")
t.is(#assert(ud:query('[pos="VBZ"]')), #assert(ud:query('[xpos="VBZ"]')), "pos names xpos")
t.is(#assert(ud:query('[lemma="be|do"%c] :: match.text_id="en-2"')), #assert(ud:query('[lemma="be|do"%c]')),
  "a global constraint on the text id")

-- save: a table of the hits in an SQLite file
local dbpath = os.tmpname() .. ".db"
t.is(q:save(dbpath, "mayors", { run_id = false }), 11, "save: one row per hit")
local h = require("db").open(dbpath)
t.is_deeply({ h:value("SELECT count(*) FROM mayors"), h:value("SELECT match FROM mayors WHERE n = 5"),
  h:value("SELECT query FROM mayors WHERE n = 1") }, { 11, "Mayor", '"mayor"%c' }, "save: the rows")
h:close()
os.remove(dbpath)
t.raises(function() q:save(42) end, "database path or db handle expected", "save: misuse raises")

-- the REPL: the count and the first lines; attribute names in completion
local pretty, complete = require "pretty", require "complete"
local shown = pretty.format(q)
t.like(shown, "^Query result: 11 hits of \"mayor\"%%c %(standard%)\n000_", "pretty: the count, then lines")
t.like(shown, "\n%.%.%. 1 more", "pretty: ten lines, then how many more")
t.like(pretty.format({ q }), "^{ Query result: 11 hits", "pretty: inside a table, tostring")
local env = { c = c, fresh = assert(corpus.open("corpus")) }
local frag, list = complete.candidates('x = c:query("[word=\'a\' & l', env)
t.is_deeply({ frag, list }, { "l", { "lower" } }, "complete: an attribute after &")
t.is(complete.candidates('x = c:query("[word=\'lo', env), nil, "complete: nothing inside a value")
t.is(complete.candidates('x = fresh:query("[lo', env), nil, "complete: nothing before a query ran")

-- a corpus database: its documents (and an annotated corpus's tokens)
local tmpdb = os.tmpname()
os.remove(tmpdb)
corpus.ingest("tests/data/load/annot/ud.conllu", tmpdb .. ".db")
local cdb = assert(corpus.open(tmpdb .. ".db"))
t.is(#assert(cdb:query('[upos="VERB"] within s')), 5, "c:query on a corpus database")
cdb:close()
os.remove(tmpdb .. ".db")

-- an index on disk: the same hits as the documents in memory
local ixpath = os.tmpname()
os.remove(ixpath)
ixpath = ixpath .. ".crx"
corpus.index("corpus", ixpath)
local ix = assert(corpus.open(ixpath))
local same_hits = true
for _, qs in ipairs({ '"mayor"%c', '"the"%c [] "mayor"%c | "mayor"%c "of" []', '[lower="the"] [key="[a-z]+"]{1,2} within s',
    '<s> []', '[] </s>', '"iran.*"%c :: match.text_id="00[0-2].*"' }) do
  for _, st in ipairs({ "standard", "shortest", "longest" }) do
    local a, b = assert(c:query(qs, { strategy = st })), assert(ix:query(qs, { strategy = st }))
    if #a ~= #b then same_hits = false end
    for i = 1, math.min(#a, #b) do
      local x, y = a:hit(i), b:hit(i)
      if x.doc ~= y.doc or x.start ~= y.start or x.stop ~= y.stop then same_hits = false end
    end
  end
end
t.ok(same_hits, "an index gives the hits of the documents in memory")
t.is(#assert(ix:query('"mayor"%c')):intersect(assert(ix:query('"mayor"'))), #assert(c:query('"mayor"')),
  "set operations on an index's results")
ix:close()
os.remove(ixpath)

-- the script
local function run(args)
  local out, code = t.run(t.corpusrun .. " scripts/query.lua " .. args)
  return out or "", code
end
local out, code = run([['"mayor"%c' --sort R1 -n 2]])
t.is(code, 0, "script: kwic")
t.like(out, "^11 hits for \"mayor\"%%c %(the first 2 shown%)", "script: heading")
out = run([['"the"%c []' --show count --on R1 -f csv -n 3]])
t.like(out, "^R1,count\r?\nof,53\r?\n", "script: count as CSV")
out = run([['"mayor"%c' --show collocates -f json]])
t.like(out, '"collocate": ?"hardline"', "script: collocates as JSON")
out = run([['"mayor"%c' --show dispersion -f tsv]])
t.like(out, "text\thits\ttokens\tper_million\n", "script: dispersion as TSV")
out, code = run([['[pos="x"]']])
t.is(code, 2, "script: a query error exits 2")

-- the dispersion plot: a mark per hit, a strip per document
do
  local z = assert(c:query('"Zakani"'))
  local svg = tostring(z:plot())
  local _, marks = svg:gsub('class="hit"', "")
  t.ok(#z > 0 and marks == #z, ("q:plot: a mark per hit (%d of %d)"):format(marks, #z))
  t.ok(svg:find(#c .. " documents", 1, true) or svg:find("documents", 1, true), "q:plot: names its documents")
  local only = tostring(z:plot({ every_doc = false }))
  t.ok(#only < #svg, "q:plot{every_doc = false}: the documents without a hit left out")
  t.is(tostring(z:plot()), svg, "q:plot: the same bytes twice")
  local path = os.tmpname()
  local _, rc = run([['"Zakani"' -q --svg ]] .. t.shell_quote(path))
  local f = io.open(path, "rb"); local written = f and f:read("a") or ""; if f then f:close() end
  os.remove(path)
  t.is(rc, 0, "script: --svg")
  t.is(written, svg, "script: --svg writes q:plot()'s picture")
end

t.done()
