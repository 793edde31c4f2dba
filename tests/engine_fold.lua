-- engine_fold.lua: counters as c:fold accumulators print the same bytes on
-- one core and on several (merge and dump/undump across processes).
local t = require "tap"
local q = t.shell_quote
local bin = os.getenv("CORPUSRUN")

local script = os.tmpname() .. ".lua"
local f = assert(io.open(script, "wb"))
f:write([[
local corpus, count, match, fold = require "corpus", require "count", require "match", require "fold"
for i = 1, 3 do fold.register(count.types[i], function(s) return assert(count.undump(s)) end) end
local g = match.gazetteer("corpus/entities.tsv")
local acc = assert(corpus.open("corpus")):fold(function()
  return { words = count.freq(), df = count.df(), bigrams = count.ngrams(2, { sentences = true }),
           cooc = count.cooc { window = 5 }, sent = count.cooc { mode = "sentence" }, mentions = count.freq() }
end, function(acc, doc)
  acc.words:add_text(doc.text); acc.df:add_text(doc.text); acc.bigrams:add_text(doc.text)
  acc.cooc:add_text(doc.text); acc.sent:add_text(doc.text); g:count(doc.text, acc.mentions)
end)
for _, name in ipairs { "words", "df", "bigrams", "mentions" } do
  io.write(name, " ", acc[name]:total(), " ", #acc[name], "\n")
  for _, r in ipairs(acc[name]:top(15)) do io.write(r.key, "\t", r.n, "\n") end
end
for _, name in ipairs { "cooc", "sent" } do
  io.write(name, " ", acc[name]:total(), " ", #acc[name], "\n")
  for _, r in ipairs(acc[name]:top(15)) do io.write(r.a, "\t", r.b, "\t", r.n, "\n") end
  for _, r in ipairs(acc[name]:with("zakani")) do io.write(r.key, " ", r.o11, " ", r.r1, " ", r.c1, " ", r.n, "\n") end
end
]])
f:close()

local outs = {}
for _, j in ipairs { 1, 2, 3 } do
  local out, code, err = t.run(("%s -j %d %s"):format(q(bin), j, q(script)))
  t.is(code, 0, ("-j %d runs"):format(j), err)
  outs[j] = out
end
os.remove(script)
t.ok(#outs[1] > 1000 and outs[1]:match("\nmentions "), "the report has every counter")
t.is(outs[2], outs[1], "-j 2 prints the same bytes as -j 1")
t.is(outs[3], outs[1], "-j 3 prints the same bytes as -j 1")
t.done()
