-- report: text tables (with and without utf8proc widths), CSV, TSV,
-- Markdown, JSON, SVG charts, GEXF and GraphML; the machine formats are
-- read back with Python's csv and json modules and NetworkX when present.
local t = require "tap"
local report = require "report"
local json = require "json"

local rows = {
  { key = "Zakani", n = 12, mi = 3.14159, p = 1.2e-7 },
  { key = 'Iran, "IR"', n = 140, mi = -0.5, p = 0.5 },
  { key = "line\nbreak|pipe", n = 3, mi = 0 / 0 },
}
local cols = { columns = { "key", "n", { key = "mi", title = "MI" }, "p" } }

-- Columns and formatting ------------------------------------------------------
do
  local c = report.columns(rows, cols)
  t.is(c[1].type, "string", "string column")
  t.is(c[2].type, "integer", "integer column")
  t.is(c[3].type, "number", "number column")
  t.is(c[3].title, "MI", "column title")
  t.is(c[2].align, "right", "numbers align right")
  local d = report.columns(rows)
  t.is_deeply({ d[1].key, d[2].key, d[3].key, d[4].key }, { "key", "mi", "n", "p" }, "default columns: key first, then sorted")
  local a = report.columns({ { "x", 1 }, { "y", 2, true } })
  t.is(#a, 3, "array rows: one column per position")
  t.is(report.format_value(3.14159), "3.142", "floats: three decimals")
  t.is(report.format_value(1.5e-7), "1.50e-07", "tiny floats in scientific notation")
  t.is(report.format_value(-0.0001), "-1.00e-04", "tiny negative floats")
  t.is(report.format_value(-0.0), "0.000", "no negative zero")
  t.is(report.format_value(12), "12", "integers as they are")
  t.is(report.format_value(0 / 0), "NaN", "NaN")
  t.is(report.format_value(-math.huge), "-inf", "infinity")
  t.is(report.format_value(2.5, 1), "2.5", "digits")
  t.is(report.format_value(2.5, nil, "%.0f%%"), "2%", "printf format")
  t.is(report.format_value(nil), "", "nil is an empty cell")
end

-- Text -----------------------------------------------------------------------
t.is(report.text(rows, cols), table.concat({
  "key                n      MI         p",
  "---------------  ---  ------  --------",
  "Zakani            12   3.142  1.20e-07",
  'Iran, "IR"       140  -0.500     0.500',
  "line break|pipe    3     NaN",
  "" }, "\n"), "aligned text table")
t.is(report.text({ { "a", 1 }, { "bb", 2.5 } }, { header = { "w", "x" } }),
  "w       x\n--  -----\na   1.000\nbb  2.500\n", "array rows, header, one number format per column")
t.is(report.text({ { w = "a long word", n = 1 } }, { columns = { { key = "w", max = 6 }, "n" } }),
  "w       n\n------  -\na lon…  1\n", "max truncates with an ellipsis")
t.is(report.text({}, { columns = { "a" } }), "a\n-\n", "no rows: the header only")
t.is(report.text({ { w = "a long word" } }, { columns = { { key = "w", max = 6, clip = "left", align = "right" } } }),
  "     w\n------\n… word\n", "clip left keeps the end")
t.is(report.truncate("abcdef", 4, "left"), "…def", "truncate from the left")
t.is(report.truncate("abc", 4), "abc", "short strings stay whole")
t.raises(function() report.text({ 1, 2 }) end, "row 1 is a number", "rows must be tables")
t.raises(function() report.text("x") end, "rows must be an array", "rows must be a table")

-- Display width: with tokenize.width (utf8proc) and without it.
do
  local saved_loaded, saved_preload = package.loaded.tokenize, package.preload.tokenize
  local saved_core_loaded, saved_core = package.loaded["tokenize.core"], package.preload["tokenize.core"]
  local cjk = { { w = "日本語", n = 1 }, { w = "ab", n = 22 } }
  -- 1) without a tokenize module (nor its C core): one column per code point
  package.loaded.tokenize, package.preload.tokenize = nil, nil
  package.loaded["tokenize.core"], package.preload["tokenize.core"] = nil, nil
  package.loaded.report = nil
  local plain = require "report"
  t.is(plain.width_source(), "codepoints", "fallback: code points")
  t.is(plain.width("日本語"), 3, "fallback width of three CJK characters")
  t.is(plain.text(cjk, { columns = { "w", "n" } }), "w     n\n---  --\n日本語   1\nab   22\n", "fallback table")
  -- 2) with a tokenize module that measures East Asian wide characters
  package.preload.tokenize = function()
    return { width = function(s)
      local w = 0
      for _, cp in utf8.codes(s) do
        local wide = (cp >= 0x1100 and cp <= 0x115F) or (cp >= 0x2E80 and cp <= 0xA4CF)
          or (cp >= 0xAC00 and cp <= 0xD7A3) or (cp >= 0xF900 and cp <= 0xFAFF) or (cp >= 0xFF00 and cp <= 0xFF60)
        w = w + (wide and 2 or 1)
      end
      return w
    end }
  end
  package.loaded.tokenize = nil
  package.loaded.report = nil
  local wide = require "report"
  t.is(wide.width_source(), "tokenize", "tokenize.width used when the module provides it")
  t.is(wide.width("日本語"), 6, "wide characters take two columns")
  t.is(wide.text(cjk, { columns = { "w", "n" } }), "w        n\n------  --\n日本語   1\nab      22\n", "wide-aware table")
  t.is(wide.truncate("日本語です", 5), "日本…", "truncation counts columns")
  -- 3) a tokenize module without width: fallback
  package.preload.tokenize = function() return { words = function() end } end
  package.loaded.tokenize = nil
  package.loaded.report = nil
  t.is((require "report").width_source(), "codepoints", "a tokenize module without width: fallback")
  -- 4) the real module, when the host provides it
  package.loaded.tokenize, package.preload.tokenize = saved_loaded, saved_preload
  package.loaded["tokenize.core"], package.preload["tokenize.core"] = saved_core_loaded, saved_core
  package.loaded.report = nil
  local real = require "report"
  if saved_preload or saved_loaded then
    local ok, tk = pcall(require, "tokenize")
    if ok and type(tk) == "table" and tk.width then
      t.is(real.width_source(), "tokenize", "the host's tokenize.width is used")
      t.is(real.width("日本語"), 6, "utf8proc: CJK characters are wide")
      t.is(real.width("e\204\129"), 1, "utf8proc: a combining mark takes no column")
    else
      t.skip("the host's tokenize module has no width() yet", 3)
    end
  else
    t.skip("no tokenize module in this host", 3)
  end
  package.loaded.report = report
end

-- CSV, TSV, Markdown, JSON --------------------------------------------------
local csv = report.csv(rows, cols)
t.is(csv, 'key,n,MI,p\r\nZakani,12,3.14159,1.2e-07\r\n"Iran, ""IR""",140,-0.5,0.5\r\n"line\nbreak|pipe",3,NaN,\r\n',
  "CSV: RFC 4180 quoting, CRLF, full precision")
t.is(report.csv({ { a = 1 } }, { eol = "\n" }), "a\n1\n", "CSV with LF")
t.is(report.csv({ { a = 0.1 + 0.2 } }, { eol = "\n" }), "a\n0.30000000000000004\n", "CSV keeps every digit")
t.is(report.csv({ { a = 0.1 + 0.2 } }, { eol = "\n", formatted = true }), "a\n0.300\n", "or the display format")
t.is(report.tsv({ { a = "x\ty", b = "back\\slash\nnl" } }), "a\tb\nx\\ty\tback\\\\slash\\nnl\n", "TSV escapes")
t.is(report.markdown(rows, cols), table.concat({
  "| key              |   n |     MI |        p |",
  "| ---------------- | --: | -----: | -------: |",
  "| Zakani           |  12 |  3.142 | 1.20e-07 |",
  '| Iran, "IR"       | 140 | -0.500 |    0.500 |',
  "| line break\\|pipe |   3 |    NaN |          |",
  "" }, "\n"), "Markdown table")
t.like(report.markdown({ { a = 1 } }, { provenance = { script = "s.lua", version = "0.1.0" } }),
  "<sub>script: s%.lua · version: 0%.1%.0</sub>", "Markdown provenance footer")
local js = report.json(rows, cols)
t.is(js, '[{"key":"Zakani","n":12,"MI":3.14159,"p":1.2e-07},{"key":"Iran, \\"IR\\"","n":140,"MI":-0.5,"p":0.5},'
  .. '{"key":"line\\nbreak|pipe","n":3,"MI":null,"p":null}]\n', "JSON rows in column order")
t.is(json.decode(js)[2].key, 'Iran, "IR"', "JSON reads back")
t.is(report.json({}), "[]\n", "JSON of no rows")
t.is(report.render(rows, "csv", cols), csv, "render by format name")
t.raises(function() report.render(rows, "xlsx") end, "unknown format", "unknown format raises")
t.is(report.format_for("out/a.MD"), "md", "format from the extension")
t.is(report.format_for("a.htm"), "html", "htm is html")
t.is(report.format_for("a.bin"), nil, "unknown extension")

-- Files
do
  local path = os.tmpname()
  t.ok(report.save(path, rows, { columns = cols.columns, format = "tsv" }), "save")
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close()
  os.remove(path)
  t.is(s, report.tsv(rows, cols), "saved content")
  local ok, err = report.write("/nonexistent-dir/x.csv", "x")
  t.ok(ok == nil and err:find("nonexistent%-dir"), "write failure names the file", err)
end

-- SVG ------------------------------------------------------------------------
do
  local svg = report.bar_chart(rows, { title = "Mentions <all>" })
  t.like(svg, '^<svg xmlns="http://www.w3.org/2000/svg"', "bar chart is SVG")
  local n = 0
  for _ in svg:gmatch('<g class="bar">[^\n]*\n[^\n]*\n<rect ') do n = n + 1 end
  t.is(n, 3, "one bar per row")
  t.like(svg, "Mentions &lt;all&gt;", "titles escaped")
  t.is(svg, report.bar_chart(rows, { title = "Mentions <all>" }), "deterministic")
  local neg = report.bar_chart({ { key = "a", n = -2 }, { key = "b", n = 3 } })
  t.like(neg, "<line ", "a zero line when values are negative")
  t.raises(function() report.bar_chart({ { key = "a", n = "x" } }) end, "not a number", "non-numeric values raise")
  local hm = report.heatmap({ rows = { "a", "b" }, cols = { "x", "y" }, values = { { 1, 2 }, { 3 } } })
  local cells = 0
  for _ in hm:gmatch('<g class="cell">') do cells = cells + 1 end
  t.is(cells, 3, "heat map: one cell per value")
  t.like(hm, 'class="empty"', "missing values drawn empty")
  local rec = report.heatmap({ { row = "b", col = "x", value = 1 }, { row = "a", col = "x", value = -1 } })
  t.like(rec, "#b2182b", "both signs: a diverging scale")
  t.raises(function() report.heatmap({ rows = { "a" }, values = {} }) end, "needs rows and cols", "bad matrix raises")
end

-- HTML -----------------------------------------------------------------------
do
  local page = report.html { title = "A & B", provenance = { script = "x.lua" },
    { table = rows, columns = cols.columns, caption = "Counts" }, { text = "<not a tag>" } }
  t.like(page, "^<!DOCTYPE html>", "HTML page")
  t.like(page, "<title>A &amp; B</title>", "title escaped")
  t.like(page, '<td class="num" data%-v="3.14159">3.142</td>', "numbers carry their exact value for sorting")
  t.like(page, "&lt;not a tag&gt;", "text escaped")
  t.like(page, '<footer class="provenance">', "provenance footer")
  t.ok(not page:find("https?://[^\"]*%.js") and not page:find("<link") and not page:find("@import")
    and not page:find("src="), "nothing fetched from anywhere")
  t.raises(function() report.html { { nope = 1 } } end, "section 1: unknown kind", "unknown section raises")
end

-- Networks --------------------------------------------------------------------
local nodes = {
  { id = "Zakani", label = "Alireza Zakani", type = "PER", mentions = 12 },
  { id = "Iran", type = "GPE", mentions = 140, share = 0.5 },
  { id = "EU & co", type = "ORG", mentions = 3 },
}
local edges = {
  { source = "Zakani", target = "Iran", weight = 7, docs = 3 },
  { source = "Iran", target = "EU & co", weight = 2 },
}
local gexf = report.gexf(nodes, edges, { description = "co-mentions" })
local graphml = report.graphml(nodes, edges)
t.like(gexf, '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">', "GEXF 1.2")
t.like(gexf, '<node id="EU &amp; co" label="EU &amp; co">', "ids escaped")
t.like(graphml, '<key id="e0" for="edge" attr.name="weight" attr.type="long"/>', "GraphML weight key")
t.raises(function() report.gexf({ "a" }, { { source = "a", target = "b" } }) end, "unknown target 'b'", "edges must name nodes")
t.raises(function() report.graphml({ "a", "a" }, {}) end, "appears twice", "duplicate ids raise")

-- Python reads what we write.
local PY = t.debian_python()
local have_py = PY ~= nil
local function py(code, input)
  local f = os.tmpname()
  local h = assert(io.open(f, "w")); h:write(code); h:close()
  local out, status, err = t.run(PY .. " " .. f, input)
  os.remove(f)
  return out, status, err
end
if not have_py then
  t.missing("python3 not installed", 2)
else
  local out = py([[
import csv, sys, io
rows = list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode("utf-8"), newline="")))
print(repr(rows))
]], csv)
  t.is(out, [=[[['key', 'n', 'MI', 'p'], ['Zakani', '12', '3.14159', '1.2e-07'], ['Iran, "IR"', '140', '-0.5', '0.5'], ['line\nbreak|pipe', '3', 'NaN', '']]]=] .. "\n",
    "Python's csv module reads our CSV")
  local jout = py("import json,sys; print([r['key'] for r in json.load(sys.stdin)])", js)
  t.is(jout, "['Zakani', 'Iran, \"IR\"', 'line\\nbreak|pipe']\n", "Python's json module reads our JSON")
end
if not have_py or select(2, t.run(PY .. " -c 'import networkx'")) ~= 0 then
  t.missing("python3-networkx not installed (make deps installs it)", 2)
else
  local code = [[
import sys, networkx as nx
g = nx.read_gexf(sys.argv[1]) if sys.argv[2] == "gexf" else nx.read_graphml(sys.argv[1])
for n in sorted(g.nodes):
    d = g.nodes[n]
    print("N", n, d.get("label"), d.get("type"), d.get("mentions"))
for a, b in sorted(tuple(sorted(e)) for e in g.edges):
    print("E", a, b, g.edges[a, b].get("weight"))
]]
  local want = "N EU & co EU & co ORG 3\nN Iran Iran GPE 140\nN Zakani Alireza Zakani PER 12\n"
    .. "E EU & co Iran 2\nE Iran Zakani 7\n"
  for _, kind in ipairs({ "gexf", "graphml" }) do
    local path = os.tmpname()
    report.write(path, kind == "gexf" and gexf or graphml)
    local f = os.tmpname()
    local h = assert(io.open(f, "w")); h:write(code); h:close()
    local out, status, err = t.run(PY .. " " .. f .. " " .. path .. " " .. kind)
    os.remove(f); os.remove(path)
    out = out:gsub(" 2%.0\n", " 2\n"):gsub(" 7%.0\n", " 7\n")
    t.ok(status == 0 and out == want, "NetworkX reads our " .. kind, "got: " .. out .. err)
  end
end

-- A wide cell: the text table is linear in its output (a 1 MB cell used
-- to take more than ten minutes, every space run of each padded line tried
-- by gsub("%s+$")), and cuts long cells with an ellipsis; CSV, TSV and JSON
-- keep them whole.
do
  local big = ("x"):rep(500) .. "end"
  local rows = { { w = "a", n = 1 }, { w = big, n = 2 }, { w = "b", n = 3 } }
  local cols = { "w", "n" }
  local text = report.text(rows, { columns = cols })
  local lines = {}
  for l in text:gmatch("[^\n]+") do lines[#lines + 1] = l end
  t.is(#lines, 5, "a wide cell: header, rule and three rows")
  t.is(lines[4], ("x"):rep(59) .. "…  2", "a cell wider than report.MAX_WIDTH ends with an ellipsis")
  t.is(lines[3], "a" .. (" "):rep(60 - 1) .. "  1", "the column is as wide as its widest cut cell")
  t.is(report.width(lines[4]), 63, "the cut line is MAX_WIDTH + gap + n wide")
  t.ok(report.csv(rows, { columns = cols }):find(big, 1, true), "CSV keeps the whole cell")
  t.ok(report.tsv(rows, { columns = cols }):find(big, 1, true), "TSV keeps the whole cell")
  t.ok(report.json(rows, { columns = cols }):find(big, 1, true), "JSON keeps the whole cell")
  t.is(report.text({ { w = ("y"):rep(30) } }, { max_width = 10 }), "w\n----------\nyyyyyyyyy…\n", "max_width sets the cut")
  t.is(report.text({ { w = ("é"):rep(30) } }, { max_width = 5, no_header = true }), "éééé…\n",
       "the cut is by characters, not bytes")
  t.is(report.truncate(("z"):rep(100) .. "tail", 6, "left"), "…ztail", "truncate from the left keeps the end")
  -- printable ASCII is cut by bytes: w - 1 characters and the ellipsis, as
  -- the general path (taken when a character beyond ASCII is in the cell,
  -- here in the part cut away) cuts a cell of one column a character
  local same, tried = true, 0
  local function cut(s, w, side)
    if #s <= w then return s end
    if w < 1 then return "" end
    return side == "left" and "…" .. s:sub(#s - w + 2) or s:sub(1, w - 1) .. "…"
  end
  for _, s in ipairs({ "", "a", "ab", "abc", "hello world", ("x"):rep(39), ("x"):rep(40), ("y"):rep(41),
                       "the house of the rising sun, and more words here" }) do
    for w = 0, 45 do
      for _, side in ipairs({ "left", "right" }) do
        local long = side == "left" and ("é" .. ("-"):rep(60) .. s) or (s .. ("-"):rep(60) .. "é")
        local plain = side == "left" and (("-"):rep(61) .. s) or (s .. ("-"):rep(61))
        same = same and report.truncate(s, w, side) == cut(s, w, side)
                    and report.truncate(long, w, side) == cut(plain, w, side)
        tried = tried + 1
      end
    end
  end
  t.ok(same, ("ASCII cells are cut as the general path cuts them (%d cuts)"):format(tried))
  t.raises(function() report.text(rows, { max_width = 0 }) end, "max_width", "max_width 0 is refused")
  -- uncut (max_width = false): three lines of a million columns, in a child
  -- under a generous alarm (the old quadratic trim needed hours)
  local f = os.tmpname()
  local h = assert(io.open(f, "w"))
  h:write([[
local report = require "report"
local big = ("x"):rep(1000000)
local rows = { { w = "a", n = 1 }, { w = big, n = 2 }, { w = "b", n = 3 }, { w = "c d", n = 4 } }
local s = report.text(rows, { columns = { "w", "n" }, max_width = false })
local longest, trailing = 0, false
for l in s:gmatch("[^\n]+") do
  longest = math.max(longest, #l)
  if l:find(" $") then trailing = true end
end
print(#s, longest, trailing)
]])
  h:close()
  local out, status, err = t.run("timeout 60 " .. t.shell_quote(t.corpusrun) .. " " .. f)
  os.remove(f)
  t.is(status, 0, "an uncut 1 MB cell: the table is written well within the alarm", err)
  t.is(out, string.format("%d\t%d\tfalse\n", 6 * 1000004, 1000003), "every line padded to the wide column, none with trailing spaces")
end

t.done()
