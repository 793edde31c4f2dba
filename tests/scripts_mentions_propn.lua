-- Discovery with the tagger's proper nouns: match.candidates{tags = true},
-- discover.add{tags = true} and mentions.lua --propn (not the default: on
-- the sample corpus it finds more names and fewer of them right).
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)
local match, discover = require "match", require "discover"

local have, why = t.tagger_model()
if not have then t.skip_all(why) end

local function run(args)
  return t.run("cd " .. q(t.root) .. " && " .. CR .. " scripts/mentions.lua --quiet " .. args)
end

do
  local rows = match.candidates("Dirk Claes met the Human Rights Council and the UN.", nil, { tags = true })
  t.is(#rows, 3, "candidates with tags: the same candidates")
  t.is(rows[1].form .. ":" .. rows[1].words .. ":" .. rows[1].propn, "Dirk Claes:2:2", "tags: both words proper nouns")
  t.is(rows[2].form .. ":" .. rows[2].words .. ":" .. rows[2].propn, "Human Rights Council:3:0",
       "tags: a title-case name of common nouns")
  t.is(rows[1].initial, true, "tags: initial stays what the scan says")
  local plain = match.candidates("Dirk Claes met the UN.")
  t.is(plain[1].propn, nil, "without tags: no propn field")
  t.raises(function() match.candidates("x", nil, { tag = true }) end, "unknown option 'tag'", "candidates: options checked")

  local a, b = discover.new(), discover.new()
  local text = "Dirk Claes spoke first. Then he left. Society of Iranian Experts members stayed."
  local sa, sb = {}, {}
  discover.add(a, text, { spans = sa })
  discover.add(b, text, { tags = true, spans = sb })
  local function names(acc)
    local out = {}
    for _, r in ipairs(discover.rank(acc)) do out[#out + 1] = r.candidate end
    table.sort(out)
    return table.concat(out, ",")
  end
  t.is(names(a), "", "without tags: names seen only at sentence starts are left out")
  t.is(names(b), "Dirk Claes", "with tags: a sentence-initial proper noun is evidence; a run of common nouns is not")
  t.is(sb[1].initial, false, "with tags: the occurrence counts as not initial")
end

do
  local out, code, err = run("--discover --top 1000 --min 1")
  local outp, codep, errp = run("--discover --propn --top 1000 --min 1")
  t.is(code, 0, "mentions --discover runs", err)
  t.is(codep, 0, "mentions --discover --propn runs", errp)
  t.ok(not out:find("Belgian Senator Peter Van Rompuy", 1, true), "without --propn: a name only at a sentence start is not listed")
  t.ok(outp:find("Belgian Senator Peter Van Rompuy", 1, true), "--propn: it is, the tagger calling it a proper noun")
  local n, np = 0, 0
  for _ in out:gmatch("\n[^\n]-  sequence ") do n = n + 1 end
  for _ in outp:gmatch("\n[^\n]-  sequence ") do np = np + 1 end
  t.ok(np > n, "--propn lists more sequences (" .. np .. " against " .. n .. ")")
  local _, c2, e2 = run("--no-discover --propn")
  t.ok(c2 == 2 and e2:find("--propn is about the candidates", 1, true), "--propn with --no-discover is refused", e2)
  t.like(run("--help"), "%-%-propn", "--help shows --propn")
end

t.done()
