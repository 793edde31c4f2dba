-- report.lua: render arrays of rows as text tables, CSV, TSV, Markdown,
-- JSON and standalone HTML pages with SVG charts (lib/lua/chart.lua); networks as GEXF and
-- GraphML.  Everything returns a string; report.write saves one.
--
-- Rows are arrays of records ({word = "x", n = 3}) or of arrays ({"x", 3}).
-- Columns come from opts.columns: names, or tables
--   {key = "mi", title = "MI", digits = 2, fmt = "%.1f" | function(v, row), align = "left"|"right",
--    max = 30, clip = "left"|"right"}
-- Without opts.columns: the positions of array rows, or the union of the
-- record keys in sorted order ("key" first).
local chart = require "chart"
local json = require "json"
local receipt = require "receipt"
-- optional: without corpusrun's tokenize (a stock Lua without its C core),
-- widths are counted one column per code point
local has_tokenize, tokenize = pcall(require, "tokenize")

local report = {}

local concat, format, rep = table.concat, string.format, string.rep
local mtype = math.type

-- ---------------------------------------------------------------------------
-- Display width: tokenize.width (utf8proc) when the tokenize module provides
-- it, else one column per code point.

local function codepoint_width(s)
  return utf8.len(s) or #s
end

local function resolve_width()
  if has_tokenize and type(tokenize) == "table" and type(tokenize.width) == "function" then
    return tokenize.width, "tokenize"
  end
  return codepoint_width, "codepoints"
end

local width_fn, width_source = resolve_width()

--- The display width of s in terminal columns.
function report.width(s)
  return width_fn(s)
end

--- Where display widths come from: "tokenize" (utf8proc) or "codepoints".
function report.width_source() return width_source end

-- Cuts s to at most w columns, marking the cut with "…": at the end, or
-- at the start when side is "left" (keeping the end of s).  Reads only the
-- characters it keeps (and s's width once, in C): a 1 MB cell costs what
-- its first w characters do.
local function truncate(s, w, side)
  if not s:find("[\0-\31\127-\255]") then
    -- printable ASCII, one column a byte (what the loops below find, without
    -- a call a character)
    if #s <= w then return s end
    if w < 1 then return "" end
    return side == "left" and "…" .. s:sub(#s - w + 2) or s:sub(1, w - 1) .. "…"
  end
  if width_fn(s) <= w then return s end
  if w < 1 then return "" end
  if not utf8.len(s) then s = json.valid_utf8(s) end
  local used = 0
  if side == "left" then
    local from = #s + 1             -- the kept tail is s:sub(from)
    while from > 1 do
      local p = utf8.offset(s, -1, from)
      local cw = width_fn(s:sub(p, from - 1))
      if used + cw > w - 1 then break end
      used = used + cw
      from = p
    end
    return "…" .. s:sub(from)
  end
  local stop = 0                    -- the kept head is s:sub(1, stop)
  for p in utf8.codes(s) do
    local q = (utf8.offset(s, 2, p) or #s + 1) - 1
    local cw = width_fn(s:sub(p, q))
    if used + cw > w - 1 then break end
    used = used + cw
    stop = q
  end
  return s:sub(1, stop) .. "…"
end
report.truncate = truncate

-- ---------------------------------------------------------------------------
-- Columns and cells.

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  return a < b
end

local function check_rows(rows, fname)
  if type(rows) ~= "table" then
    error(format("report.%s: rows must be an array of tables, got %s", fname, type(rows)), 3)
  end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then
      error(format("report.%s: row %d is a %s, not a table", fname, i, type(row)), 3)
    end
  end
end

local function default_columns(rows, opts)
  local first = rows[1]
  if first and #first > 0 then
    local n = 0
    for _, row in ipairs(rows) do if #row > n then n = #row end end
    local cols = {}
    for i = 1, n do cols[i] = i end
    return cols
  end
  local seen, keys = {}, {}
  for _, row in ipairs(rows) do
    for k in pairs(row) do
      if not seen[k] and (type(k) == "string" or type(k) == "number") then
        seen[k] = true; keys[#keys + 1] = k
      end
    end
  end
  table.sort(keys, function(a, b)
    if a == "key" then return b ~= "key" end
    if b == "key" then return false end
    return key_less(a, b)
  end)
  local _ = opts
  return keys
end

--- The normalised column list for rows: each {key, title, type, align, ...}.
--- type is "integer" when every value is an integer, "number" when every
--- value is a number, else "string".
function report.columns(rows, opts)
  opts = opts or {}
  check_rows(rows, "columns")
  local spec = opts.columns or rows.columns or default_columns(rows, opts)
  local header = opts.header
  local cols = {}
  for i, c in ipairs(spec) do
    local col
    if type(c) == "table" then
      col = {}
      for k, v in pairs(c) do col[k] = v end
      if col.key == nil then error(format("report: column %d has no key", i), 3) end
    elseif type(c) == "string" or type(c) == "number" then
      col = { key = c }
    else
      error(format("report: column %d must be a name or a table", i), 3)
    end
    col.title = col.title or (header and header[i]) or tostring(col.key)
    if not col.type then
      local kind = nil
      for _, row in ipairs(rows) do
        local v = row[col.key]
        if v ~= nil then
          local t = type(v) == "number" and (mtype(v) == "integer" and "integer" or "number") or "string"
          if kind == nil then kind = t
          elseif kind ~= t then
            if (kind == "integer" and t == "number") or (kind == "number" and t == "integer") then kind = "number"
            else kind = "string"; break end
          end
        end
      end
      col.type = kind or "string"
    end
    col.align = col.align or ((col.type == "string") and "left" or "right")
    cols[i] = col
  end
  return cols
end

local function fmt_float(x, digits)
  if x ~= x then return "NaN" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  local ax = math.abs(x)
  if ax ~= 0 and (ax < 0.5 * 10 ^ -digits or ax >= 1e15) then
    return format("%." .. math.max(digits - 1, 0) .. "e", x)
  end
  local s = format("%." .. digits .. "f", x)
  if s:match("^%-0%.?0*$") then s = s:sub(2) end    -- no "-0.000"
  return s
end

--- Formats one value for display the way tables show it: integers as they
--- are, other numbers with `digits` decimals (default 3; scientific notation
--- below 10^-digits), NaN and infinities spelled out, nil as "".
function report.format_value(v, digits, fmt, row)
  if v == nil then return "" end
  if fmt then
    if type(fmt) == "function" then return tostring(fmt(v, row)) end
    if type(v) == "number" and mtype(v) == "float" and (v ~= v or v == math.huge or v == -math.huge) then
      return fmt_float(v, 0)
    end
    return format(fmt, v)
  end
  if type(v) == "number" then
    if mtype(v) == "integer" then return format("%d", v) end
    return fmt_float(v, digits or 3)
  end
  if v == json.null then return "" end
  return tostring(v)
end

local function display_cell(col, row, opts)
  local v = row[col.key]
  -- one format per column: integers in a column of reals are shown as reals
  if col.type == "number" and mtype(v) == "integer" and not col.fmt then v = v + 0.0 end
  return report.format_value(v, col.digits or opts.digits, col.fmt, row)
end

-- Machine formats keep full precision.
local function machine_value(v)
  if v == nil or v == json.null then return "" end
  if type(v) == "number" then
    if mtype(v) == "integer" then return format("%d", v) end
    if v ~= v then return "NaN" end
    if v == math.huge then return "Inf" end
    if v == -math.huge then return "-Inf" end
    return (json.number(v):gsub("%.0$", ""))
  end
  return tostring(v)
end

local function machine_cell(col, row, opts)
  if opts.formatted then return display_cell(col, row, opts) end
  return machine_value(row[col.key])
end

-- One line per cell in text layouts.
local function flatten(s)
  return (s:gsub("[\r\n\t\v\f]", " "):gsub("%c", "\u{FFFD}"))
end

-- ---------------------------------------------------------------------------
-- Text table.

local function pad(s, w, align)
  local gap = w - width_fn(s)
  if gap <= 0 then return s end
  if align == "right" then return rep(" ", gap) .. s end
  return s .. rep(" ", gap)
end

-- s without its trailing spaces, looking only at them (s:gsub("%s+$", "")
-- would try every space run of the line: quadratic in a wide column).
local function rtrim(s)
  local e = #s
  while e > 0 do
    local b = s:byte(e)
    if b ~= 32 and (b < 9 or b > 13) then break end
    e = e - 1
  end
  return e == #s and s or s:sub(1, e)
end

--- The widest a text cell is shown when neither opts.max_width nor the
--- column's max says otherwise.
report.MAX_WIDTH = 60

--- An aligned plain-text table.  opts: columns, header, digits, gap
--- (default 2 spaces), no_header, max_width (the most columns a cell takes,
--- longer ones are cut with "…"; default report.MAX_WIDTH, false for no
--- limit; a column's own max wins).  Time and memory are linear in the
--- output.
function report.text(rows, opts)
  opts = opts or {}
  check_rows(rows, "text")
  local cols = report.columns(rows, opts)
  local gap = rep(" ", opts.gap or 2)
  local limit = opts.max_width
  if limit == nil then limit = report.MAX_WIDTH end
  if limit ~= false and (type(limit) ~= "number" or limit < 1) then
    error("report.text: max_width must be a positive number or false", 2)
  end
  local cells, widths = {}, {}
  for j, col in ipairs(cols) do
    local title = flatten(col.title)
    local max = col.max or limit
    if max then title = truncate(title, max, col.clip) end
    widths[j] = opts.no_header and 0 or width_fn(title)
    col._title = title
    col._max = max
  end
  for i, row in ipairs(rows) do
    local line, ws = {}, {}
    for j, col in ipairs(cols) do
      local s = flatten(display_cell(col, row, opts))
      if col._max then s = truncate(s, col._max, col.clip) end
      line[j] = s
      local w = width_fn(s)
      ws[j] = w
      if w > widths[j] then widths[j] = w end
    end
    line.widths = ws
    cells[i] = line
  end
  local out = {}
  -- Pads every cell up to the last one that is not empty, and none after
  -- it, so that the line has no padding at its end.
  local function emit(line)
    local last = 0
    for j = #cols, 1, -1 do
      if line[j] ~= "" then last = j; break end
    end
    local parts = {}
    for j = 1, last do
      local col, s = cols[j], line[j]
      local w = line.widths and line.widths[j] or width_fn(s)
      local fill = widths[j] - w
      if fill > 0 and col.align == "right" then s = rep(" ", fill) .. s
      elseif fill > 0 and j < last then s = s .. rep(" ", fill) end
      parts[j] = s
    end
    out[#out + 1] = rtrim(concat(parts, gap))
  end
  if not opts.no_header and #cols > 0 then
    local titles, rules = {}, {}
    for j, col in ipairs(cols) do titles[j] = col._title; rules[j] = rep("-", widths[j]) end
    emit(titles)
    out[#out + 1] = concat(rules, gap)
  end
  for _, line in ipairs(cells) do emit(line) end
  for _, col in ipairs(cols) do col._title, col._max = nil, nil end
  if #out == 0 then return "" end
  return concat(out, "\n") .. "\n"
end

--- Writes report.text(rows, opts) to io.stdout (or opts.out, a file).
function report.print(rows, opts)
  local s = report.text(rows, opts)
  local f = opts and opts.out or io.stdout
  f:write(s)
end

-- ---------------------------------------------------------------------------
-- CSV (RFC 4180), TSV, Markdown, JSON.

local function csv_field(s, sep)
  if s:find('[",\r\n]') or (sep ~= "," and s:find(sep, 1, true)) then
    return '"' .. s:gsub('"', '""') .. '"'
  end
  return s
end

-- Header record and one record per row, each field passed through quote,
-- joined by sep and ended by eol: what CSV and TSV share.
local function delimited(rows, opts, quote, sep, eol)
  local cols = report.columns(rows, opts)
  local out = {}
  if not opts.no_header then
    local h = {}
    for j, col in ipairs(cols) do h[j] = quote(col.title) end
    out[#out + 1] = concat(h, sep) .. eol
  end
  for _, row in ipairs(rows) do
    local line = {}
    for j, col in ipairs(cols) do line[j] = quote(machine_cell(col, row, opts)) end
    out[#out + 1] = concat(line, sep) .. eol
  end
  return concat(out)
end

--- CSV as RFC 4180 has it: a header record, fields quoted when they hold a
--- comma, quote, CR or LF, quotes doubled, records ending in CRLF (opts.eol
--- changes that).  Numbers keep full precision unless opts.formatted.
function report.csv(rows, opts)
  opts = opts or {}
  check_rows(rows, "csv")
  local sep = opts.sep or ","
  return delimited(rows, opts, function(s) return csv_field(s, sep) end, sep, opts.eol or "\r\n")
end

local TSV_ESC = { ["\\"] = "\\\\", ["\t"] = "\\t", ["\n"] = "\\n", ["\r"] = "\\r" }
local function tsv_field(s) return (s:gsub("[\\\t\n\r]", TSV_ESC)) end

--- Tab-separated values: a header line, then one line per row ending in LF;
--- a backslash, tab, LF or CR inside a field is written \\, \t, \n, \r.
function report.tsv(rows, opts)
  check_rows(rows, "tsv")
  return delimited(rows, opts or {}, tsv_field, "\t", "\n")
end

local function md_cell(s)
  return (flatten(s):gsub("\\", "\\\\"):gsub("|", "\\|"))
end

local function provenance_pairs(p)
  local pairs_ = {}
  if type(p) ~= "table" then return pairs_ end
  if #p > 0 then
    for _, kv in ipairs(p) do pairs_[#pairs_ + 1] = { tostring(kv[1]), tostring(kv[2]) } end
  else
    local keys = {}
    for k in pairs(p) do keys[#keys + 1] = k end
    table.sort(keys, key_less)
    for _, k in ipairs(keys) do
      local v = p[k]
      if type(v) == "table" then v = json.encode(v) end
      pairs_[#pairs_ + 1] = { tostring(k), tostring(v) }
    end
  end
  return pairs_
end

--- A GitHub-flavoured Markdown table, cells padded to line up; numbers
--- right-aligned.  opts.provenance (table) adds a footer.
function report.markdown(rows, opts)
  opts = opts or {}
  check_rows(rows, "markdown")
  local cols = report.columns(rows, opts)
  if #cols == 0 then return "" end
  local cells, widths = {}, {}
  for j, col in ipairs(cols) do widths[j] = math.max(3, width_fn(md_cell(col.title))) end
  for i, row in ipairs(rows) do
    local line = {}
    for j, col in ipairs(cols) do
      local s = md_cell(display_cell(col, row, opts))
      line[j] = s
      local w = width_fn(s)
      if w > widths[j] then widths[j] = w end
    end
    cells[i] = line
  end
  local out = {}
  local function emit(line)
    local parts = {}
    for j, col in ipairs(cols) do parts[j] = pad(line[j], widths[j], col.align) end
    out[#out + 1] = "| " .. concat(parts, " | ") .. " |"
  end
  local titles, rules = {}, {}
  for j, col in ipairs(cols) do
    titles[j] = md_cell(col.title)
    rules[j] = col.align == "right" and rep("-", widths[j] - 1) .. ":" or rep("-", widths[j])
  end
  emit(titles)
  out[#out + 1] = "| " .. concat(rules, " | ") .. " |"
  for _, line in ipairs(cells) do emit(line) end
  local footer = report.markdown_footer(opts.provenance)
  if footer ~= "" then out[#out + 1] = "\n" .. footer:sub(1, -2) end
  return concat(out, "\n") .. "\n"
end
report.md = report.markdown

--- A Markdown provenance footer (one <sub> line and a newline) from
--- {name, value} pairs or a table name → value; "" when there is none.
function report.markdown_footer(provenance)
  local prov = provenance_pairs(provenance)
  if #prov == 0 then return "" end
  local parts = {}
  for _, kv in ipairs(prov) do parts[#parts + 1] = md_cell(kv[1]) .. ": " .. md_cell(kv[2]) end
  return "<sub>" .. concat(parts, " · ") .. "</sub>\n"
end

--- A JSON array of objects, one per row, members in column order (keys are
--- the column titles).  NaN and infinities become null.  opts.indent
--- pretty-prints one row per line.
function report.json(rows, opts)
  opts = opts or {}
  check_rows(rows, "json")
  local cols = report.columns(rows, opts)
  local out = {}
  for i, row in ipairs(rows) do
    local members = {}
    for j, col in ipairs(cols) do
      local v = row[col.key]
      local enc
      if v == nil then enc = "null"
      elseif opts.formatted then enc = json.quote(display_cell(col, row, opts))
      else
        local ok, s = pcall(json.encode, v)
        if not ok then error(format("report.json: row %d, column %s: %s", i, tostring(col.key), s), 2) end
        enc = s
      end
      members[j] = json.quote(tostring(col.title)) .. ":" .. enc
    end
    out[i] = "{" .. concat(members, ",") .. "}"
  end
  if #out == 0 then return "[]\n" end
  if opts.indent then return "[\n" .. opts.indent .. concat(out, ",\n" .. opts.indent) .. "\n]\n" end
  return "[" .. concat(out, ",") .. "]\n"
end

-- ---------------------------------------------------------------------------
-- XML and HTML escaping, and the SVG charts: lib/lua/chart.lua, the one
-- way corpusrun draws.

--- Escapes text for XML and HTML (content and attribute values); invalid
--- UTF-8 and characters XML forbids become U+FFFD.
function report.escape(s) return chart.escape(s) end
local esc = chart.escape

--- A horizontal bar chart as an SVG string (chart.bar).  opts: label
--- (field, default "key"/"label"/1), value (field, default "n"/"value"/2),
--- title, max_bars (default 40), width (default 640), digits (default 3),
--- color.
function report.bar_chart(rows, opts)
  opts = opts or {}
  if opts.digits == nil then
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.digits = 3
    opts = o
  end
  return chart.bar(rows, opts)
end

--- A heat map as an SVG string (chart.heatmap).
function report.heatmap(m, opts) return chart.heatmap(m, opts) end

-- ---------------------------------------------------------------------------
-- Standalone HTML.

local CSS = [[
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em}
table.report{border-collapse:collapse;margin:1em 0;font-size:.92em}
table.report caption{text-align:left;font-weight:bold;padding:.3em 0}
table.report th,table.report td{padding:.25em .7em;border-bottom:1px solid #ddd;vertical-align:top}
table.report th{background:#f3f3f3;cursor:pointer;user-select:none;text-align:left;white-space:nowrap}
table.report th.num,table.report td.num{text-align:right;font-variant-numeric:tabular-nums}
table.report th[aria-sort=ascending]::after{content:" \25B2"}
table.report th[aria-sort=descending]::after{content:" \25BC"}
table.report tbody tr:nth-child(even){background:#fafafa}
figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}
pre{background:#f6f6f6;padding:.6em;overflow:auto}
footer{margin-top:3em;font-size:.8em;color:#666;border-top:1px solid #ddd;padding-top:.5em}
footer dt{font-weight:bold;float:left;clear:left;margin-right:.5em}footer dd{margin:0}
]]

-- Sorting on a click on a header: numbers by their exact value (data-v),
-- text by locale collation; stable (ties keep their original order).
local JS = [[
(function(){
function key(td,num){if(!td)return num?-Infinity:"";var v=td.getAttribute("data-v");
if(num){if(v===null||v==="")return -Infinity;return v==="NaN"?-Infinity:parseFloat(v);}return td.textContent;}
document.querySelectorAll("table.report").forEach(function(table){
var ths=table.tHead?table.tHead.rows[0].cells:[];
Array.prototype.forEach.call(ths,function(th,col){
th.addEventListener("click",function(){
var num=th.classList.contains("num");
var asc=th.getAttribute("aria-sort")!=="ascending";
Array.prototype.forEach.call(ths,function(o){o.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",asc?"ascending":"descending");
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.forEach(function(r,i){r._i=i;});
rows.sort(function(a,b){var x=key(a.cells[col],num),y=key(b.cells[col],num),c;
if(num){c=x<y?-1:x>y?1:0;}else{c=x.localeCompare(y);}
if(!asc)c=-c;return c||a._i-b._i;});
rows.forEach(function(r){body.appendChild(r);});
});});});
})();
]]

local function html_table(rows, opts)
  check_rows(rows, "html")
  local cols = report.columns(rows, opts)
  local out = {}
  out[#out + 1] = '<table class="report">'
  if opts.caption then out[#out + 1] = "<caption>" .. esc(opts.caption) .. "</caption>" end
  local ths = {}
  for j, col in ipairs(cols) do
    local cls = col.type ~= "string" and ' class="num"' or ""
    ths[j] = format('<th scope="col"%s>%s</th>', cls, esc(col.title))
  end
  out[#out + 1] = "<thead><tr>" .. concat(ths) .. "</tr></thead>"
  out[#out + 1] = "<tbody>"
  for _, row in ipairs(rows) do
    local tds = {}
    for j, col in ipairs(cols) do
      local v = row[col.key]
      local text = esc(display_cell(col, row, opts))
      if col.type ~= "string" then
        tds[j] = format('<td class="num" data-v="%s">%s</td>', esc(machine_value(v)), text)
      else
        tds[j] = "<td>" .. text .. "</td>"
      end
    end
    out[#out + 1] = "<tr>" .. concat(tds) .. "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return concat(out, "\n")
end

--- One table as an HTML fragment (no page around it).
function report.html_table(rows, opts)
  return html_table(rows, opts or {})
end

local function figure(svg, caption)
  if caption then
    return "<figure><figcaption>" .. esc(caption) .. "</figcaption>\n" .. svg .. "\n</figure>"
  end
  return "<figure>\n" .. svg .. "\n</figure>"
end

--- A standalone HTML page: no script, style or font is fetched from
--- anywhere.  page = {title=, provenance=, <sections>...}; each section is
---   {table = rows, columns=, caption=, digits=}   a sortable table
---   {bar = rows, label=, value=, title=}           an SVG bar chart
---   {heatmap = matrix_or_records, ...}             an SVG heat map
---   {heading = "text"} | {text = "paragraph"} | {pre = "text"}
---   {svg = "<svg ...>"} | {html = "raw, unescaped HTML"}
function report.html(page)
  if type(page) ~= "table" then error("report.html: expects a page table", 2) end
  local title = page.title or "corpusrun report"
  local out = {
    "<!DOCTYPE html>",
    '<html lang="' .. esc(page.lang or "en") .. '">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="corpusrun">',
    "<title>" .. esc(title) .. "</title>",
    "<style>\n" .. CSS .. "</style>",
    "</head>",
    "<body>",
    "<h1>" .. esc(title) .. "</h1>",
  }
  for i, sec in ipairs(page) do
    if type(sec) ~= "table" then error(format("report.html: section %d is not a table", i), 2) end
    local ok, s = pcall(function()
      if sec.table then return html_table(sec.table, sec)
      elseif sec.bar then return figure(report.bar_chart(sec.bar, sec), sec.caption)
      elseif sec.heatmap then return figure(report.heatmap(sec.heatmap, sec), sec.caption)
      elseif sec.heading then return "<h2>" .. esc(sec.heading) .. "</h2>"
      elseif sec.text then return "<p>" .. esc(sec.text) .. "</p>"
      elseif sec.pre then return "<pre>" .. esc(sec.pre) .. "</pre>"
      elseif sec.svg then return figure(sec.svg, sec.caption)
      elseif sec.html then return sec.html
      end
      error("unknown kind (table, bar, heatmap, heading, text, pre, svg, html)", 0)
    end)
    if not ok then error(format("report.html: section %d: %s", i, tostring(s):gsub("^report%.[%w_]+: ", "")), 2) end
    out[#out + 1] = s
  end
  local prov = provenance_pairs(page.provenance)
  if #prov > 0 then
    out[#out + 1] = '<footer class="provenance"><dl>'
    for _, kv in ipairs(prov) do out[#out + 1] = "<dt>" .. esc(kv[1]) .. "</dt><dd>" .. esc(kv[2]) .. "</dd>" end
    out[#out + 1] = "</dl></footer>"
  end
  out[#out + 1] = "<script>\n" .. JS .. "</script>"
  out[#out + 1] = "</body>"
  out[#out + 1] = "</html>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Networks: GEXF 1.2 and GraphML.

local function graph_input(nodes, edges, fname)
  if type(nodes) ~= "table" then error("report." .. fname .. ": nodes must be an array", 3) end
  if type(edges) ~= "table" then error("report." .. fname .. ": edges must be an array", 3) end
  local ns, ids = {}, {}
  for i, n in ipairs(nodes) do
    local node
    if type(n) == "string" or type(n) == "number" then node = { id = n }
    elseif type(n) == "table" then node = n
    else error(format("report.%s: node %d must be a table or an id", fname, i), 3) end
    if node.id == nil then error(format("report.%s: node %d has no id", fname, i), 3) end
    local id = tostring(node.id)
    if ids[id] then error(format("report.%s: node id '%s' appears twice", fname, id), 3) end
    ids[id] = true
    ns[#ns + 1] = node
  end
  for i, e in ipairs(edges) do
    if type(e) ~= "table" then error(format("report.%s: edge %d is not a table", fname, i), 3) end
    local s, t = e.source or e[1], e.target or e[2]
    if s == nil or t == nil then error(format("report.%s: edge %d needs a source and a target", fname, i), 3) end
    if not ids[tostring(s)] then error(format("report.%s: edge %d: unknown source '%s'", fname, i, tostring(s)), 3) end
    if not ids[tostring(t)] then error(format("report.%s: edge %d: unknown target '%s'", fname, i, tostring(t)), 3) end
  end
  return ns
end

local RESERVED = { id = true, label = true, source = true, target = true, weight = true }

-- Attribute columns of nodes or edges: name -> type, in sorted order.
local function attributes(items, kinds)
  local types, names = {}, {}
  for _, it in ipairs(items) do
    if type(it) == "table" then
      for k, v in pairs(it) do
        if type(k) == "string" and not RESERVED[k] then
          local t
          if type(v) == "number" then t = mtype(v) == "integer" and "integer" or "double"
          elseif type(v) == "boolean" then t = "boolean"
          else t = "string" end
          if types[k] == nil then types[k] = t; names[#names + 1] = k
          elseif types[k] ~= t then
            if (types[k] == "integer" and t == "double") or (types[k] == "double" and t == "integer") then types[k] = "double"
            else types[k] = "string" end
          end
        end
      end
    end
  end
  table.sort(names)
  local list = {}
  for i, k in ipairs(names) do list[i] = { name = k, type = kinds[types[k]] or types[k] } end
  return list
end

local function attr_value(v)
  if type(v) == "number" then return machine_value(v) end
  if type(v) == "boolean" then return v and "true" or "false" end
  if type(v) == "table" then return json.encode(v) end
  return tostring(v)
end

--- A network as GEXF 1.2 (opens in Gephi).  nodes: ids or tables {id=,
--- label=, <attributes>...}; edges: {source=, target=, weight=,
--- <attributes>...}.  opts: directed, description, creator.
function report.gexf(nodes, edges, opts)
  opts = opts or {}
  local ns = graph_input(nodes, edges, "gexf")
  local kinds = { integer = "long", double = "double", boolean = "boolean", string = "string" }
  local nattrs = attributes(ns, kinds)
  local eattrs = attributes(edges, kinds)
  local out = {
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
    '  <meta>',
    '    <creator>' .. esc(opts.creator or "corpusrun") .. '</creator>',
  }
  if opts.description then out[#out + 1] = "    <description>" .. esc(opts.description) .. "</description>" end
  out[#out + 1] = "  </meta>"
  out[#out + 1] = format('  <graph mode="static" defaultedgetype="%s">', opts.directed and "directed" or "undirected")
  local function decl(class, list)
    if #list == 0 then return end
    out[#out + 1] = format('    <attributes class="%s">', class)
    for i, a in ipairs(list) do
      out[#out + 1] = format('      <attribute id="%d" title="%s" type="%s"/>', i - 1, esc(a.name), a.type)
    end
    out[#out + 1] = "    </attributes>"
  end
  decl("node", nattrs)
  decl("edge", eattrs)
  local function attvalues(item, list, indent)
    local vals = {}
    for i, a in ipairs(list) do
      local v = item[a.name]
      if v ~= nil then vals[#vals + 1] = format('<attvalue for="%d" value="%s"/>', i - 1, esc(attr_value(v))) end
    end
    if #vals == 0 then return nil end
    return indent .. "<attvalues>" .. concat(vals) .. "</attvalues>"
  end
  out[#out + 1] = "    <nodes>"
  for _, n in ipairs(ns) do
    local label = n.label ~= nil and n.label or n.id
    local av = attvalues(n, nattrs, "        ")
    if av then
      out[#out + 1] = format('      <node id="%s" label="%s">', esc(attr_value(n.id)), esc(attr_value(label)))
      out[#out + 1] = av
      out[#out + 1] = "      </node>"
    else
      out[#out + 1] = format('      <node id="%s" label="%s"/>', esc(attr_value(n.id)), esc(attr_value(label)))
    end
  end
  out[#out + 1] = "    </nodes>"
  out[#out + 1] = "    <edges>"
  for i, e in ipairs(edges) do
    local s, t = e.source or e[1], e.target or e[2]
    local w = e.weight ~= nil and format(' weight="%s"', esc(attr_value(e.weight))) or ""
    local lab = e.label ~= nil and format(' label="%s"', esc(attr_value(e.label))) or ""
    local head = format('      <edge id="%d" source="%s" target="%s"%s%s', i - 1, esc(attr_value(s)), esc(attr_value(t)), w, lab)
    local av = attvalues(e, eattrs, "        ")
    if av then
      out[#out + 1] = head .. ">"
      out[#out + 1] = av
      out[#out + 1] = "      </edge>"
    else
      out[#out + 1] = head .. "/>"
    end
  end
  out[#out + 1] = "    </edges>"
  out[#out + 1] = "  </graph>"
  out[#out + 1] = "</gexf>"
  return concat(out, "\n") .. "\n"
end

--- A network as GraphML (Gephi, Cytoscape, NetworkX, igraph).  Same input
--- as report.gexf; labels and weights become data keys "label", "weight".
function report.graphml(nodes, edges, opts)
  opts = opts or {}
  local ns = graph_input(nodes, edges, "graphml")
  local kinds = { integer = "long", double = "double", boolean = "boolean", string = "string" }
  local nattrs = attributes(ns, kinds)
  local eattrs = attributes(edges, kinds)
  table.insert(nattrs, 1, { name = "label", type = "string" })
  local has_w, wtype = false, "long"
  for _, e in ipairs(edges) do
    if e.weight ~= nil then
      has_w = true
      if type(e.weight) ~= "number" then error("report.graphml: edge weight must be a number", 2) end
      if mtype(e.weight) == "float" then wtype = "double" end
    end
  end
  if has_w then table.insert(eattrs, 1, { name = "weight", type = wtype }) end
  local out = {
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
      .. ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  }
  for i, a in ipairs(nattrs) do
    out[#out + 1] = format('  <key id="n%d" for="node" attr.name="%s" attr.type="%s"/>', i - 1, esc(a.name), a.type)
  end
  for i, a in ipairs(eattrs) do
    out[#out + 1] = format('  <key id="e%d" for="edge" attr.name="%s" attr.type="%s"/>', i - 1, esc(a.name), a.type)
  end
  out[#out + 1] = format('  <graph id="G" edgedefault="%s">', opts.directed and "directed" or "undirected")
  if opts.description then out[#out + 1] = "    <desc>" .. esc(opts.description) .. "</desc>" end
  for _, n in ipairs(ns) do
    local data = {}
    for i, a in ipairs(nattrs) do
      local v = n[a.name]
      if a.name == "label" and v == nil then v = n.id end
      if v ~= nil then data[#data + 1] = format('<data key="n%d">%s</data>', i - 1, esc(attr_value(v))) end
    end
    out[#out + 1] = format('    <node id="%s">%s</node>', esc(attr_value(n.id)), concat(data))
  end
  for i, e in ipairs(edges) do
    local data = {}
    for k, a in ipairs(eattrs) do
      local v = e[a.name]
      if v ~= nil then data[#data + 1] = format('<data key="e%d">%s</data>', k - 1, esc(attr_value(v))) end
    end
    out[#out + 1] = format('    <edge id="e%d" source="%s" target="%s">%s</edge>', i - 1,
      esc(attr_value(e.source or e[1])), esc(attr_value(e.target or e[2])), concat(data))
  end
  out[#out + 1] = "  </graph>"
  out[#out + 1] = "</graphml>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Dispatch and files.

local FORMATS = {
  text = report.text, txt = report.text, csv = report.csv, tsv = report.tsv,
  md = report.markdown, markdown = report.markdown, json = report.json,
  html = function(rows, opts)
    local page = { title = opts.title, provenance = opts.provenance }
    local sec = {}
    for k, v in pairs(opts) do sec[k] = v end
    sec.table = rows
    page[1] = sec
    return report.html(page)
  end,
}

--- Renders rows in a format named "text", "csv", "tsv", "md"/"markdown",
--- "json" or "html" (a page with one sortable table).
function report.render(rows, fmt, opts)
  local f = FORMATS[fmt or "text"]
  if not f then
    error("report.render: unknown format '" .. tostring(fmt) .. "' (text, csv, tsv, md, json, html)", 2)
  end
  return f(rows, opts or {})
end

--- The format implied by a file name's extension, or nil.
function report.format_for(path)
  local ext = tostring(path):match("%.([%w]+)$")
  ext = ext and ext:lower()
  if ext == "htm" then ext = "html" end
  if ext and FORMATS[ext] then return ext end
  return nil
end

--- Writes a string to a file.  Returns true, or nil and a message naming
--- the file.
function report.write(path, s)
  if type(path) ~= "string" then error("report.write: path must be a string", 2) end
  if type(s) ~= "string" then error("report.write: content must be a string", 2) end
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(s)
  local cok, cerr = f:close()
  if not ok then return nil, path .. ": " .. tostring(werr) end
  if not cok then return nil, path .. ": " .. tostring(cerr) end
  return true
end

--- Renders rows and saves them to path, the format from opts.format or the
--- extension (default text), with the run's provenance receipt (a footer in
--- HTML and Markdown, with the whole receipt embedded for `corpusrun
--- replay`; path.receipt.json beside other formats; opts.receipt = false
--- leaves it out).  Returns true, or nil and a message.
function report.save(path, rows, opts)
  opts = opts or {}
  local fmt = opts.format or report.format_for(path) or "text"
  -- Every saved result carries its run's receipt (opts.receipt = false
  -- leaves it out): a footer in HTML and Markdown, a sidecar otherwise.
  local with_receipt = opts.receipt ~= false
  local footer = with_receipt and receipt.FOOTER_FORMATS[fmt]
  if footer and opts.provenance == nil then
    local copy = {}
    for k, v in pairs(opts) do copy[k] = v end
    copy.provenance = receipt.footer_fields()
    opts = copy
  end
  local text = report.render(rows, fmt, opts)
  if with_receipt then text = receipt.embed(text, fmt) end
  local ok, err = report.write(path, text)
  if not ok then return nil, err end
  if with_receipt and not footer then receipt.write_sidecar(path) end
  return true
end

return report
