-- report.html in a real browser: headless Chromium loads the standalone
-- page (with a probe script added for the test), clicks the table headers
-- and measures the SVG charts; the probe writes what it saw into the DOM,
-- which Chromium dumps.
local t = require "tap"
local report = require "report"

local chromium = require("browser")
local exe = chromium.find()

local rows = {
  { entity = "Zakani", type = "PER", n = 12, share = 0.075 },
  { entity = "Iran", type = "GPE", n = 140, share = 0.875 },
  { entity = "EU <&> UN", type = "ORG", n = 3, share = 0.01875 },
  { entity = "Ålesund", type = "GPE", n = 5, share = 0.03125 },
}
local page = report.html {
  title = "Mentions",
  provenance = { script = "tests/lualib_html.lua" },
  { heading = "Counts" },
  { table = rows, columns = { "entity", "type", "n", { key = "share", digits = 2 } }, caption = "Entities" },
  { bar = rows, label = "entity", value = "n", title = "Mentions" },
  { heatmap = { rows = { "Iran", "Zakani" }, cols = { "Iran", "Zakani", "EU" },
                values = { { nil, 7, 2 }, { 7, nil, 0 } } }, caption = "Co-mentions" },
}

-- (what the page shows, pushed into `out` once it has loaded)
local PROBE = [[
  function col(t, i) { return Array.prototype.map.call(t.tBodies[0].rows, function (r) { return r.cells[i].textContent; }).join("|"); }
  var t = document.querySelector("table.report");
  out.push("rows=" + t.tBodies[0].rows.length);
  out.push("caption=" + t.caption.textContent);
  var th = t.tHead.rows[0].cells;
  th[2].click(); out.push("n-asc=" + col(t, 2) + " " + th[2].getAttribute("aria-sort"));
  th[2].click(); out.push("n-desc=" + col(t, 2) + " " + th[2].getAttribute("aria-sort"));
  th[0].click(); out.push("entity-asc=" + col(t, 0));
  th[1].click(); out.push("type-asc=" + col(t, 0));
  var bars = document.querySelectorAll("svg.bar-chart g.bar rect");
  out.push("bars=" + bars.length);
  var w = Array.prototype.map.call(bars, function (r) { return r.getBoundingClientRect().width; });
  out.push("widest=" + w.indexOf(Math.max.apply(null, w)) + " allpositive=" + w.every(function (x) { return x > 0; }));
  var bb = document.querySelector("svg.bar-chart").getBoundingClientRect();
  out.push("barchart-rendered=" + (bb.width > 100 && bb.height > 50));
  var cells = document.querySelectorAll("svg.heatmap g.cell rect");
  out.push("cells=" + cells.length + " empty=" + document.querySelectorAll("svg.heatmap rect.empty").length);
  var hb = document.querySelector("svg.heatmap").getBoundingClientRect();
  out.push("heatmap-rendered=" + (hb.width > 50 && hb.height > 50));
  var fills = Array.prototype.map.call(cells, function (r) { return r.getAttribute("fill"); });
  out.push("distinct-fills=" + (new Set(fills)).size);
  out.push("footer=" + document.querySelector("footer.provenance dd").textContent);
]]

local dir = t.tempdir()
local file = dir .. "/report.html"
assert(report.write(file, page))
local seen = chromium.probe(exe, file, PROBE, dir)
os.execute("rm -rf " .. t.shell_quote(dir))
t.is(seen.rows, "4", "the table has four rows")
t.is(seen.caption, "Entities", "caption")
t.is(seen["n-asc"], "3|5|12|140 ascending", "numbers sort by value, not as text")
t.is(seen["n-desc"], "140|12|5|3 descending", "a second click reverses")
t.is(seen["entity-asc"], "Ålesund|EU &lt;&amp;&gt; UN|Iran|Zakani", "text sorts by collation, escaped text intact")
t.is(seen["type-asc"], "Ålesund|Iran|EU &lt;&amp;&gt; UN|Zakani", "sorting is stable: ties keep the previous order")
t.is(seen.bars, "4", "one bar per row")
t.is(seen.widest, "1 allpositive=true", "the largest value has the widest bar")
t.is(seen["barchart-rendered"], "true", "the bar chart has a rendered size")
t.is(seen.cells, "4 empty=2", "heat map: four cells and two empty ones")
t.is(seen["heatmap-rendered"], "true", "the heat map has a rendered size")
t.is(seen["distinct-fills"], "3", "distinct values get distinct colours")
t.is(seen.footer, "tests/lualib_html.lua", "provenance footer")
t.is(seen.resources, "0", "nothing fetched")
t.done()
