-- Gazetteers and word lists that are not (only) UTF-8: every line that is
-- not valid UTF-8 is reported with its file, line and byte, and decoded
-- line by line, so a Latin-1 line matches and the UTF-8 lines of a mixed
-- file stay what they are.
local t = require "tap"
local match = require "match"
local corpus = require "corpus"
local q = t.shell_quote

local dir = os.tmpname(); os.remove(dir)
os.execute("mkdir -p " .. q(dir))
local function write(name, bytes)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(bytes); f:close()
  return dir .. "/" .. name
end
local function found(g, text)
  local out = {}
  for _, m in ipairs(g:matches(text)) do out[#out + 1] = m.entity end
  return table.concat(out, "|")
end
local function messages(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.message end
  return out
end

-- A Latin-1 gazetteer: every non-ASCII line reported, and every entry matches.
local latin1 = write("latin1.tsv", "entity\ttype\talias\nCaf\233 Noir\tORG\t\nZ\252rich\tGPE\tZ\252rich\nBern\tGPE\t\n")
local g = match.gazetteer(latin1)
t.is_deeply(messages(g:problems()), {
  latin1 .. ":2: invalid UTF-8 at byte 21: decoded as windows-1252",
  latin1 .. ":3: invalid UTF-8 at byte 34: decoded as windows-1252",
}, "a Latin-1 gazetteer: each bad line reported with its file, line and byte")
local p1 = g:problems()[1] or {}
t.is_deeply({ p1.path, p1.line, p1.offset, p1.kind }, { latin1, 2, 21, "encoding" },
  "g:problems() entries are shaped like c:problems()'")
t.is(found(g, "Café Noir in Zürich and Bern."), "Café Noir|Zürich|Bern", "and its entries match UTF-8 text")

-- A file mixing UTF-8 and Latin-1 lines: the UTF-8 lines are not mojibake.
local mixed = write("mixed.tsv", "entity\ttype\talias\nCaf\195\169 Royal\tORG\t\nCaf\233 Noir\tORG\t\nM\195\188nchen\tGPE\t\n")
g = match.gazetteer(mixed)
t.is_deeply(messages(g:problems()), { mixed .. ":3: invalid UTF-8 at byte 38: decoded as windows-1252" },
  "a mixed file: only its Latin-1 line is reported")
t.is(found(g, "Café Royal, Café Noir, München."), "Café Royal|Café Noir|München",
  "its UTF-8 lines stay UTF-8 (no CafÃ©) and its Latin-1 line is decoded")
t.is(found(g, "CafÃ© Royal"), "", "nothing was decoded twice")

-- A line holding both: its UTF-8 kept, its invalid bytes decoded, and said so.
local both = write("both.tsv", "entity\ttype\talias\nM\195\188nchen\tGPE\tM\252nchen\n")
g = match.gazetteer(both)
t.is_deeply(messages(g:problems()), {
  both .. ":2: invalid UTF-8 at byte 32: its invalid bytes decoded as windows-1252, its UTF-8 kept",
}, "a line with UTF-8 and Latin-1: reported as such")
t.is(#g:matches("München"), 1, "its alias matches")
for _, m in ipairs(g:matches("München")) do t.is(m.entity, "München", "under its UTF-8 entity name") end

-- JSONL (spaCy EntityRuler) lines too.
local jl = write("rules.jsonl", '{"label": "GPE", "pattern": "Z\252rich"}\n{"label": "GPE", "pattern": "Gen\195\168ve"}\n')
g = match.gazetteer(jl)
t.is_deeply(messages(g:problems()), { jl .. ":1: invalid UTF-8 at byte 30: decoded as windows-1252" }, "JSONL: the bad line reported")
t.is(found(g, "Zürich, Genève"), "Zürich|Genève", "and both patterns match")

-- Byte order marks: UTF-8's dropped (the header is still the header), UTF-16's decide.
local bom8 = write("bom8.tsv", "\239\187\191entity\ttype\talias\nZ\195\188rich\tGPE\t\n")
local okb, gb = pcall(match.gazetteer, bom8)
t.ok(okb and #gb:problems() == 0 and found(gb, "Zürich") == "Zürich", "a UTF-8 BOM before the header", tostring(gb))
local function utf16le(s)   -- ASCII and Latin-1 only
  return "\255\254" .. s:gsub(".", function(c) return c .. "\0" end)
end
local bom16 = write("bom16.tsv", utf16le("entity\ttype\talias\nZ\252rich\tGPE\t\n"))
local ok16, g16 = pcall(match.gazetteer, bom16)
t.ok(ok16 and #g16:problems() == 0 and found(g16, "Zürich") == "Zürich", "a UTF-16LE gazetteer with its BOM", tostring(g16))

-- g:load adds its file's problems to the gazetteer's.
g = match.gazetteer(mixed)
g:load(latin1)
t.is(#g:problems(), 3, "g:load adds the problems of the file it loads")

-- A valid file reports nothing.
t.is(#match.gazetteer("corpus/entities.tsv"):problems(), 0, "the sample gazetteer has no problems")

-- The reports reach stderr, as the corpus reader's do.
local _, code, err = t.run(q(t.corpusrun) .. " -e " .. q(("require('match').gazetteer(%q)"):format(mixed)))
t.is(code, 0, "loading a mixed file succeeds")
t.is(err, "corpusrun: gazetteer: " .. mixed .. ":3: invalid UTF-8 at byte 38: decoded as windows-1252\n",
  "and tells what it guessed on stderr")

-- corpus.decode_lines, the same decoding for other word lists.
local text, problems = corpus.decode_lines("der\nf\252r\n\195\188ber\n", "stop.txt")
t.is(text, "der\nfür\nüber\n", "corpus.decode_lines decodes line by line")
t.is_deeply(messages(problems), { "stop.txt:2: invalid UTF-8 at byte 5: decoded as windows-1252" }, "and reports the guesses")
t.raises(function() corpus.decode_lines(nil) end, "bad argument #1", "decode_lines needs a string")

-- Stopword files: freq.lua --stopwords-file with a Latin-1 word.
local docs = dir .. "/docs"
os.execute("mkdir -p " .. q(docs))
write("docs/a.txt", "Für uns und für euch: über alles.\n")
local stop = write("stop.txt", "und\nf\252r\n")
local out, fcode, ferr = t.run(("%s scripts/freq.lua -c %s --stopwords-file %s --format tsv"):format(q(t.corpusrun), q(docs), q(stop)))
t.is(fcode, 0, "freq.lua with a Latin-1 stopword file runs", ferr)
t.ok(not out:find("\tfür\t", 1, true) and not out:find("\tund\t", 1, true) and out:find("\tüber\t", 1, true) ~= nil,
  "its Latin-1 word is left out like the others", out)
t.like(ferr, "corpusrun: stopwords: " .. stop:gsub("%p", "%%%0") .. ":2: invalid UTF%-8 at byte 5: decoded as windows%-1252",
  "and the guess is reported")

-- mentions.lua with a Latin-1 gazetteer finds the entity and says what it guessed.
local gz = write("docs-entities.tsv", "entity\ttype\talias\n\220ber Corp\tORG\t\n")
write("docs/b.txt", "Über Corp grew. Über Corp is big.\n")
local mout, mcode, merr = t.run(("%s scripts/mentions.lua -c %s --entities %s --format tsv --no-discover")
  :format(q(t.corpusrun), q(docs), q(gz)))
t.is(mcode, 0, "mentions.lua with a Latin-1 gazetteer runs", merr)
t.like(mout, "Über Corp\tORG\t2", "and counts the entity's mentions")
t.like(merr, "corpusrun: gazetteer: .-docs%-entities%.tsv:2: invalid UTF%-8 at byte 18: decoded as windows%-1252", "and reports the line")

os.execute("rm -rf " .. q(dir))
t.done()
