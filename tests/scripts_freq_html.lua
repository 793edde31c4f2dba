-- freq.lua --html (scriptlib.results) loaded in headless Chromium: the page
-- renders its bar chart and sortable table, and fetches nothing.
local t = require "tap"
local q = t.shell_quote

local chromium = require("browser")
local exe = chromium.find()

local dir = t.tempdir()
local file = dir .. "/freq.html"
local _, code, err = t.run(q(t.corpusrun) .. " scripts/freq.lua --stopwords en --top 12 --html " .. q(file)
  .. " --out /dev/null")
t.is(code, 0, "freq --html exits 0", err)

-- (what the page shows, pushed into `out` once it has loaded)
local PROBE = [[
  var table = document.querySelector("table.report");
  out.push("rows=" + table.tBodies[0].rows.length);
  out.push("first-word=" + table.tBodies[0].rows[0].cells[1].textContent);
  out.push("bars=" + document.querySelectorAll("svg.bar-chart g.bar rect").length);
  var bb = document.querySelector("svg.bar-chart").getBoundingClientRect();
  out.push("barchart-rendered=" + (bb.width > 100 && bb.height > 50));
  table.tHead.rows[0].cells[1].click();
  out.push("sorted-first=" + table.tBodies[0].rows[0].cells[1].textContent);
  out.push("footer=" + (document.querySelector("footer.provenance") !== null));
]]
local seen = chromium.probe(exe, file, PROBE, dir)
os.execute("rm -rf " .. q(dir))
t.is(seen.rows, "12", "the table has the 12 words")
t.is(seen["first-word"], "iran", "the most frequent first")
t.is(seen.bars, "12", "a bar for each word")
t.is(seen["barchart-rendered"], "true", "the bar chart has a rendered size")
-- the 12 words in alphabetical order start with belgian (then belgium, brussels)
t.is(seen["sorted-first"], "belgian", "a click on the word column sorts the table alphabetically")
t.is(seen.footer, "true", "the receipt footer is there")
t.is(seen.resources, "0", "nothing fetched")
t.done()
