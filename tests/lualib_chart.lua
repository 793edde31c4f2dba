-- The chart module: every chart is well-formed SVG with no script, has the
-- marks its input asks for, escapes its text, is the same bytes on every
-- run, refuses bad input with a clear error, and renders non-blank in
-- headless Chromium.
local t = require "tap"
local chart = require "chart"
local browser = require "browser"

local dir = t.tempdir()
local function count(s, pat) return select(2, s:gsub(pat, "")) end

local charts = {}

-- bar chart
local bars = chart.bar({ { key = "a<b", n = 3 }, { key = "b", n = -1.5 }, { key = "c", n = 0 } },
  { title = "Bars & <more>", xlabel = "count" })
charts[#charts + 1] = { "bar", bars }
t.is(count(bars, '<g class="bar">'), 3, "bar: one bar per row")
t.like(bars, "Bars &amp; &lt;more&gt;", "bar: the title escaped")
t.like(bars, "a&lt;b", "bar: labels escaped")
t.raises(function() chart.bar({ { key = "a", n = "x" } }) end, "row 1: n is not a number", "bar: a value not a number raises")

-- dispersion
local docs = {
  { name = "d1", size = 100, hits = { 99, 1, 50 }, group = "Zakani" },
  { name = "d2", size = 10, hits = {}, group = "Zakani" },
  { name = "d1", size = 100, hits = { 3 }, group = "EU" },
}
local disp = chart.dispersion(docs, { title = "Dispersion" })
charts[#charts + 1] = { "dispersion", disp }
t.is(count(disp, 'class="hit"'), 4, "dispersion: one mark per hit")
t.is(count(disp, '<g class="strip">'), 3, "dispersion: one strip per document")
t.is(count(disp, 'class="group"'), 2, "dispersion: a heading per group")
local xs = {}
for x in disp:gmatch('class="hit" x1="([%d.]+)"') do xs[#xs + 1] = tonumber(x) end
t.ok(xs[1] < xs[2] and xs[2] < xs[3], "dispersion: marks at their relative positions, in order")
local many = {}
for i = 1, 12 do many[i] = { name = "doc" .. i, size = 10, hits = i % 4 == 0 and { 5 } or {} } end
local capped = chart.dispersion(many, { max_docs = 5 })
t.is(count(capped, '<g class="strip">'), 3, "dispersion: over max_docs, only documents with hits")
t.like(capped, "9 documents without hits not shown", "dispersion: and it says how many are left out")
t.raises(function() chart.dispersion({ { name = "x", hits = {} } }) end, "size must be a number", "dispersion: a document without size raises")
t.raises(function() chart.dispersion({ { name = "x", size = 3, hits = { "a" } } }) end, "hit 1 is not a number",
  "dispersion: a hit not a number raises")

-- frequency over time and over values
local over = chart.over({
  { x = "2024-01-03", y = 3, s = "a" }, { x = "2024-03-01", y = 5, s = "a" },
  { x = "2024-02-11", y = 1, s = "b" }, { x = "(none)", y = 2, s = "b" },
}, { series = "s", title = "Over time", xlabel = "date" })
charts[#charts + 1] = { "over (dates)", over }
t.is(count(over, '<g class="series">'), 2, "over: one series per name")
t.is(count(over, 'class="point"'), 6, "over: a point per series and month, empty months included")
t.like(over, "date %(by month%)", "over: the axis says the bins")
local years = chart.over({ { x = "2019-03-01", y = 1 }, { x = "2024-05-05", y = 2 } }, { xlabel = "date" })
t.is(count(years, 'class="point"'), 6, "over: more than 36 months are binned by year, empty years included")
local outlets = chart.over({ { x = "signal", y = 3 }, { x = "politico", y = 5 }, { x = "signal", y = 1 } },
  { title = "By outlet", xlabel = "outlet" })
charts[#charts + 1] = { "over (values)", outlets }
t.is(count(outlets, 'class="bar"'), 2, "over: values not dates are bars, one per distinct value")
t.like(outlets, "signal: 4", "over: counts of a bin added up")
t.raises(function() chart.bins({ "signal" }, "month") end, "needs dates", "bins: months of values that are not dates raise")

-- keyness
local key = chart.keyness({
  { key = "zakani", a = 10, b = 0, log_ratio = math.huge },
  { key = "mayor", a = 8, b = 2, log_ratio = 2.1 },
  { key = "belgium", a = 1, b = 9, log_ratio = -3.2 },
}, { title = "Keyness" })
charts[#charts + 1] = { "keyness", key }
t.is(count(key, '<g class="bar">'), 3, "keyness: one bar per row")
t.like(key, "only in target", "keyness: a word only in the target is labelled so")
t.like(key, ">%-3%.20<", "keyness: the effect size written at the bar")
t.raises(function() chart.keyness({ { key = "x" } }) end, "log_ratio is not a number", "keyness: a row without effect raises")

-- network
local nodes, edges = {}, {}
for i = 1, 12 do nodes[i] = { id = "n" .. i, label = "node <" .. i .. ">", size = i * 3 } end
for i = 1, 11 do edges[#edges + 1] = { source = "n" .. i, target = "n" .. (i + 1), weight = i } end
edges[#edges + 1] = { source = "n1", target = "n7", weight = 2 }
edges[#edges + 1] = { source = "n1", target = "missing", weight = 2 }
local net = chart.network(nodes, edges, { title = "Network" })
charts[#charts + 1] = { "network", net }
t.is(count(net, 'class="node"'), 12, "network: one circle per node")
t.is(count(net, 'class="edge"'), 12, "network: one line per edge between known nodes")
t.like(net, "node &lt;12&gt;", "network: labels escaped")
local r1 = tonumber(net:match('<circle class="node"[^>]- r="([%d.]+)"[^>]*><title>node &lt;1&gt;'))
local r12 = tonumber(net:match('<circle class="node"[^>]- r="([%d.]+)"[^>]*><title>node &lt;12&gt;'))
t.ok(r1 and r12 and r12 > r1, "network: a larger node for a larger frequency")
local other = chart.network(nodes, edges, { title = "Network", seed = 7 })
t.isnt(other, net, "network: another seed, another layout")
t.raises(function() chart.network({ "a", "a" }, {}) end, "the id a is there twice", "network: a node twice raises")
local one = chart.network({ "alone" }, {})
t.is(count(one, 'class="node"'), 1, "network: one node alone is drawn")
t.ok(not net:find("chart-note", 1, true), "network: a sparse network labels every node, no note")

-- a dense network: labels never overlap each other (boxes from the chart's
-- own text metrics: chart.text_width at 12px, scaled for a smaller font,
-- the line 14px at 12px) nor another node; those of the smallest nodes
-- shrink or are left out, and the chart says how many
local dn, de = {}, {}
for i = 1, 60 do dn[i] = { id = "d" .. i, label = "label number " .. i, size = 100 - i } end
for i = 1, 60 do
  for j = i + 1, math.min(60, i + 6) do de[#de + 1] = { source = "d" .. i, target = "d" .. j, weight = (i * j) % 7 + 1 } end
end
local dense = chart.network(dn, de, { title = "Dense", width = 480, height = 360 })
charts[#charts + 1] = { "dense network", dense }
t.is(dense, chart.network(dn, de, { title = "Dense", width = 480, height = 360 }), "dense network: the same bytes every run")
local boxes, small, named = {}, 0, {}
for attrs, text in dense:match('<g class="labels">(.-)</g>'):gmatch("<text ([^>]*)>([^<]*)</text>") do
  local x, y = tonumber(attrs:match(' ?x="([%d.%-]+)"')), tonumber(attrs:match(' y="([%d.%-]+)"'))
  local anchor = attrs:match('text%-anchor="(%a+)"')
  local px = tonumber(attrs:match('font%-size="([%d.]+)"') or 12)
  if px < 12 then small = small + 1 end
  local w, h = chart.text_width(text) * px / 12, 14 * px / 12
  local x0 = anchor == "start" and x or anchor == "end" and x - w or x - w / 2
  boxes[#boxes + 1] = { x0, y - h / 2, x0 + w, y + h / 2, text = text }
  named[text] = true
end
local clash
for i = 1, #boxes do
  for j = i + 1, #boxes do
    local a, b = boxes[i], boxes[j]
    -- (coordinates are written with two decimals: allow that much)
    if a[1] < b[3] - 0.02 and b[1] < a[3] - 0.02 and a[2] < b[4] - 0.02 and b[2] < a[4] - 0.02 then
      clash = clash or (a.text .. " / " .. b.text)
    end
  end
end
t.ok(#boxes > 20 and not clash, "dense network: no two labels overlap (" .. #boxes .. " labels" .. (clash and ("; " .. clash) or "") .. ")")
local on_node
for cx, cy, r, name in dense:gmatch('<circle class="node" cx="([%d.]+)" cy="([%d.]+)" r="([%d.]+)"[^>]*><title>([^:<]*):') do
  cx, cy, r = tonumber(cx), tonumber(cy), tonumber(r)
  for _, b in ipairs(boxes) do
    local of = tonumber(b.text:match("%d+$"))   -- sizes fall as numbers rise: a label may cover smaller nodes
    if b.text ~= name and of > tonumber(name:match("%d+$")) and b[1] < cx + r - 0.02 and cx - r < b[3] - 0.02 and b[2] < cy + r - 0.02 and cy - r < b[4] - 0.02 then
      on_node = on_node or (b.text .. " on " .. name)
    end
  end
end
t.ok(not on_node, "dense network: no label covers a larger node than its own" .. (on_node and (" (" .. on_node .. ")") or ""))
local note = dense:match('class="chart%-note"[^>]*>([^<]*)') or ""
local note_small, note_out = tonumber(note:match("(%d+) drawn smaller") or 0), tonumber(note:match("(%d+) left out") or 0)
t.ok(note_out > 0 and note_small == small and note_out == 60 - #boxes,
  "dense network: the note says how many labels are smaller (" .. small .. ") and left out (" .. (60 - #boxes) .. "): " .. note)
local top_named, kept_rank, kept, lost_rank = true, 0, 0, 0
for i = 1, 60 do
  if named["label number " .. i] then kept_rank, kept = kept_rank + i, kept + 1 else lost_rank = lost_rank + i end
  if i <= 5 then top_named = top_named and named["label number " .. i] ~= nil end
end
t.ok(top_named and kept < 60, "dense network: the five largest nodes keep their labels (larger nodes are labelled first)")

-- heat map
local hm = chart.heatmap({ rows = { "a", "b" }, cols = { "x", "y" }, values = { { 1, 2 }, { 3 } } })
charts[#charts + 1] = { "heatmap", hm }

-- every chart: determinism, valid XML, numbers with at most two decimals,
-- drawn by Chromium
local again = {
  bar = chart.bar({ { key = "a<b", n = 3 }, { key = "b", n = -1.5 }, { key = "c", n = 0 } }, { title = "Bars & <more>", xlabel = "count" }),
  network = chart.network(nodes, edges, { title = "Network" }),
  dispersion = chart.dispersion(docs, { title = "Dispersion" }),
}
for name, s in pairs(again) do
  for _, c in ipairs(charts) do
    if c[1] == name then t.is(s, c[2], name .. ": the same bytes on a second run") end
  end
end
for _, c in ipairs(charts) do
  browser.valid(c[2], c[1] .. ": well-formed SVG without script", dir)
  local long = c[2]:match('="(%-?%d+%.%d%d%d+)"')
  t.ok(long == nil, c[1] .. ": coordinates with at most two decimals", long)
end
-- nothing to draw is still a picture
for name, s in pairs({
  ["empty bar"] = chart.bar({}), ["empty dispersion"] = chart.dispersion({}), ["empty over"] = chart.over({}),
  ["empty keyness"] = chart.keyness({}), ["empty network"] = chart.network({}, {}),
  ["empty document"] = chart.dispersion({ { name = "empty", size = 0, hits = { 0 } } }),
}) do
  browser.valid(s, name .. ": well-formed SVG", dir)
end
local exe = browser.chromium(#charts)
if exe then
  for _, c in ipairs(charts) do browser.renders(exe, c[2], c[1], dir) end
end
os.execute("rm -rf " .. t.shell_quote(dir))
t.done()
