-- freq.lua --html (scriptlib.results) loaded in headless Chromium: the page
-- renders its bar chart and sortable table, and fetches nothing.
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

local dir = t.tempdir()
local file = dir .. "/freq.html"
local _, code, err = t.run(q(t.corpusrun) .. " scripts/freq.lua --stopwords en --top 12 --html " .. q(file)
  .. " --out /dev/null")
t.is(code, 0, "freq --html exits 0", err)

local PROBE = [[
<script>
window.addEventListener("load", function () {
  var out = [];
  var table = document.querySelector("table.report");
  out.push("rows=" + table.tBodies[0].rows.length);
  out.push("first-word=" + table.tBodies[0].rows[0].cells[1].textContent);
  out.push("bars=" + document.querySelectorAll("svg.bar-chart g.bar rect").length);
  var bb = document.querySelector("svg.bar-chart").getBoundingClientRect();
  out.push("barchart-rendered=" + (bb.width > 100 && bb.height > 50));
  table.tHead.rows[0].cells[1].click();
  out.push("sorted-first=" + table.tBodies[0].rows[0].cells[1].textContent);
  out.push("footer=" + (document.querySelector("footer.provenance") !== null));
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
t.is(seen.rows, "12", "the table has the 12 words")
t.is(seen["first-word"], "iran", "the most frequent first")
t.is(seen.bars, "12", "a bar for each word")
t.is(seen["barchart-rendered"], "true", "the bar chart has a rendered size")
-- the 12 words in alphabetical order start with belgian (then belgium, brussels)
t.is(seen["sorted-first"], "belgian", "a click on the word column sorts the table alphabetically")
t.is(seen.footer, "true", "the receipt footer is there")
t.is(seen.resources, "0", "nothing fetched")
t.done()
