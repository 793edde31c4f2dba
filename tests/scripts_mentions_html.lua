-- mentions.lua --html loaded in headless Chromium: the page renders its
-- tables, bar chart and heat map, and fetches nothing.
local t = require "tap"
local q = t.shell_quote

local chromium = require("browser")
local exe = chromium.find()

local dir = t.run("mktemp -d"):gsub("%s+$", "")
local file = dir .. "/mentions.html"
local _, code, err = t.run(q(t.corpusrun) .. " scripts/mentions.lua --kwic 1 --html " .. q(file) .. " --out /dev/null")
t.is(code, 0, "mentions --html exits 0", err)

-- (what the page shows, pushed into `out` once it has loaded)
local PROBE = [[
  var tables = document.querySelectorAll("table");
  out.push("tables=" + tables.length);
  out.push("first-rows=" + tables[0].tBodies[0].rows.length);
  out.push("first-cell=" + tables[0].tBodies[0].rows[0].cells[0].textContent);
  out.push("bars=" + document.querySelectorAll("svg.bar-chart g.bar rect").length);
  var bb = document.querySelector("svg.bar-chart").getBoundingClientRect();
  out.push("barchart-rendered=" + (bb.width > 100 && bb.height > 50));
  out.push("cells=" + document.querySelectorAll("svg.heatmap g.cell rect").length);
  var hb = document.querySelector("svg.heatmap").getBoundingClientRect();
  out.push("heatmap-rendered=" + (hb.width > 50 && hb.height > 50));
]]
local seen = chromium.probe(exe, file, PROBE, dir)
os.execute("rm -rf " .. q(dir))
t.ok(tonumber(seen.tables) and tonumber(seen.tables) >= 5,
     "entities, pairs, documents, evidence and candidates tables (" .. tostring(seen.tables) .. ")")
t.is(seen["first-cell"], "Iran", "the entity table starts with the most mentioned")
t.is(seen.bars, "30", "a bar for each of the 30 most mentioned entities")
t.is(seen["barchart-rendered"], "true", "the bar chart has a rendered size")
t.ok(tonumber(seen.cells) and tonumber(seen.cells) > 0, "the co-mention heat map has cells")
t.is(seen["heatmap-rendered"], "true", "the heat map has a rendered size")
t.is(seen.resources, "0", "nothing fetched")
t.done()
