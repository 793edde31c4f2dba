-- What kwic.lua and collocates.lua search for: multi-word nodes (quoted
-- or not), entities named by an alias, the node's own frequency, and the
-- node left out of its own collocates.  Counts checked with grep over
-- corpus/*.txt: "human rights" occurs 16 times (grep -oi), "regime" 24
-- times as a word of its own (28, less 4 possessives).
local t = require "tap"
local q = t.shell_quote
local json = require "json"

local function run(script, args)
  return t.run(q(t.corpusrun) .. " scripts/" .. script .. " " .. (args or ""))
end

-- kwic: a phrase, and the same phrase in quotes as a search engine takes it
local plain = run("kwic.lua", "'human rights' --format json")
local quoted, code, err = run("kwic.lua", [['"human rights"' --format json]])
t.is(code, 0, "kwic '\"human rights\"' runs", err)
t.is(#(json.decode(quoted) or {}), 16, "kwic: the quoted phrase finds its 16 lines")
t.is(quoted, plain, "kwic: quotes around a phrase change nothing")
local out = run("kwic.lua", [['"human rights"' -n 1]])
t.like(out, "^16 lines for human rights %(the first 1 shown%)\n", "kwic: the heading names the phrase without its quotes")
out = run("kwic.lua", [['“human rights”' -n 1]])
t.like(out, "^16 lines for human rights %(the first 1 shown%)\n", "kwic: typographic quotes too")

-- kwic --entity: the entity's name, or any of its aliases
local by_name = run("kwic.lua", "--entity 'Alireza Zakani' --format json")
local by_alias
by_alias, code, err = run("kwic.lua", "--entity Zakani --format json")
t.is(code, 0, "kwic --entity Zakani (an alias) runs", err)
t.ok(#(json.decode(by_alias) or {}) == 15 and by_alias == by_name, "kwic --entity Zakani: the 15 lines of Alireza Zakani")
out = run("kwic.lua", "--entity zakani -n 1")
t.like(out, "^15 lines for Alireza Zakani %(the first 1 shown%)\n", "kwic --entity: an alias in any case, the entity named in the heading")
out = run("kwic.lua", "--entity 'Masoud Kashfi' -n 1")
t.like(out, "^3 lines for Massoud Kashefi %(the first 1 shown%)\n", "kwic --entity: a misspelt alias listed in the gazetteer")
_, code, err = run("kwic.lua", "--entity Zakanni")
t.is(code, 2, "kwic --entity with a name that is not there exits 2")
t.like(err, "no entity or alias 'Zakanni' in corpus/entities.tsv %(did you mean 'Zakani'%?%)", "and suggests the nearest")
_, code, err = run("kwic.lua", "--entity Nobody")
t.ok(code == 2 and not err:find("did you mean"), "no suggestion when nothing is near", err)

-- collocates of a phrase: counted as one unit, in C
local rows
out, code, err = run("collocates.lua", "'human rights' --min 1 --format json")
t.is(code, 0, "collocates 'human rights' runs", err)
rows = json.decode(out) or {}
t.ok(#rows > 0, "collocates of a phrase: found", out)
local keys = {}
for _, r in ipairs(rows) do keys[r.collocate] = r end
t.ok(keys.commissioner and keys.commissioner.o11 == 4, "collocates 'human rights': commissioner (High Commissioner for Human Rights)")
t.ok(not keys.human and not keys.rights, "the phrase's own words are not its collocates")
t.is(rows[1] and rows[1].node_freq, 16, "the phrase's frequency, 16, in the machine formats")
local quoted_c = run("collocates.lua", [['"human rights"' --min 1 --format json]])
t.is(quoted_c, out, "collocates: quotes around a phrase change nothing")
out = run("collocates.lua", "'human rights' --min 1 --top 1")
t.like(out, "^Collocates of 'human rights', seen 16 times %(window 5; sorted by ll%)", "the heading gives the phrase's frequency")

-- the node's frequency, and the node not its own collocate
out = run("collocates.lua", "regime --top 1")
t.like(out, "^Collocates of 'regime', seen 24 times %(window 5", "collocates: the heading gives the node's frequency")
out = run("collocates.lua", "regime --sentence --top 1")
t.like(out, "^Collocates of 'regime', in %d+ sentences %(same sentence", "with --sentence, the sentences holding it")
local function has_self(args, node)
  local o = run("collocates.lua", args .. " --min 1 --top 1000 --format json")
  for _, r in ipairs(json.decode(o) or {}) do if r.collocate == node then return true end end
  return false
end
t.ok(not has_self("the", "the"), "collocates the: 'the' is not its own collocate")
t.ok(has_self("the --include-node", "the"), "--include-node keeps it")
t.ok(not has_self("'human rights' --sentence", "human rights"), "a phrase is not its own collocate either")

-- one name for each measure, an SQL identifier, in --sort and in the output
out = run("collocates.lua", "regime --sort deltap_c_given_n --top 2 --format csv")
local header = out:match("^[^\r\n]*")
t.like(header, ",deltap_c_given_n,deltap_n_given_c,", "CSV columns are named as --sort names them")
for name in header:gmatch("[^,]+") do
  t.like(name, "^[%a_][%w_]*$", "column '" .. name .. "' is an SQL identifier")
end
out = run("collocates.lua", "regime --top 1")
t.ok(not out:find("dp_c|n", 1, true) and out:find("deltap_c_given_n", 1, true), "the text table uses the same names")

t.done()
