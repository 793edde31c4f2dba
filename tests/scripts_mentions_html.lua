-- mentions.lua --html loaded in headless Chromium: the page renders its
-- tables, bar chart and heat map, and fetches nothing.
local t = require "tap"
local q = t.shell_quote

local function which(names)
  for _, n in ipairs(names) do
    local out, status = t.run("command -v " .. n)
    if status == 0 and out ~= "" then return (out:gsub("%s+$", "")) end
  end
end
local browser = which({ "chromium", "chromium-browser" })
if not browser then t.skip_all("chromium not installed (make deps installs it)") end

local dir = t.run("mktemp -d"):gsub("%s+$", "")
local file = dir .. "/mentions.html"
local _, code, err = t.run(q(t.corpusrun) .. " scripts/mentions.lua --kwic 1 --html " .. q(file) .. " --out /dev/null")
t.is(code, 0, "mentions --html exits 0", err)

local PROBE = [[
<script>
window.addEventListener("load", function () {
  var out = [];
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
  out.push("resources=" + performance.getEntriesByType("resource").length);
  var p = document.createElement("pre"); p.id = "probe"; p.textContent = out.join("\n");
  document.body.appendChild(p);
});
</script>
]]
local f = assert(io.open(file, "rb"))
local html = f:read("a")
f:close()
f = assert(io.open(file, "wb"))
f:write((html:gsub("</body>", function() return PROBE .. "</body>" end)))
f:close()

local cmd = string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --disable-background-networking"
  .. " --disable-component-update --disable-sync --no-first-run --user-data-dir=%s --dump-dom %s",
  q(browser), q(dir .. "/profile"), q("file://" .. file))
local dom, status
dom, status, err = t.run(cmd)
os.execute("rm -rf " .. q(dir))
t.is(status, 0, "chromium ran")
local probe = dom:match('<pre id="probe">(.-)</pre>')
if not t.ok(probe ~= nil, "the page loaded and the probe ran") then
  t.diag(err:sub(1, 2000))
  t.done()
end
local seen = {}
for line in (probe .. "\n"):gmatch("(.-)\n") do
  local k, v = line:match("^([%w-]+)=(.*)$")
  if k then seen[k] = v end
end
t.ok(tonumber(seen.tables) and tonumber(seen.tables) >= 5,
     "entities, pairs, documents, evidence and candidates tables (" .. tostring(seen.tables) .. ")")
t.is(seen["first-cell"], "Iran", "the entity table starts with the most mentioned")
t.is(seen.bars, "30", "a bar for each of the 30 most mentioned entities")
t.is(seen["barchart-rendered"], "true", "the bar chart has a rendered size")
t.ok(tonumber(seen.cells) and tonumber(seen.cells) > 0, "the co-mention heat map has cells")
t.is(seen["heatmap-rendered"], "true", "the heat map has a rendered size")
t.is(seen.resources, "0", "nothing fetched")
t.done()
