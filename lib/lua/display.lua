-- display.lua: how a value shows itself beyond plain text (docs/api/display.md),
-- for the notebook kernel: a chart as a picture (image/svg+xml), a table of
-- results or of KWIC lines as an HTML table, and any value whose metatable
-- has __html or __svg as those say.
local report = require "report"

local display = {}

--- The most rows an HTML table of results shows (the rest are counted).
display.MAX_ROWS = 200

local function metamethod(v, name)
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local f = rawget(mt, name)
  if f ~= nil and type(f) ~= "function" then
    error(string.format("display: the metatable's %s is a %s, not a function", name, type(f)), 3)
  end
  return f
end

local function call_text(f, v, name)
  local s = f(v)
  if type(s) ~= "string" then
    error(string.format("display: %s returned a %s, not a string", name, type(s)), 3)
  end
  return s
end

--- Whether s is an SVG document (what the chart functions return).
function display.is_svg(s)
  return type(s) == "string" and s:find("^%s*<svg[%s>]") ~= nil and s:find("</svg>%s*$") ~= nil
end

--- The value as SVG, or nil: what its metatable's __svg returns, or the
--- value itself when it is an SVG string.
function display.svg(v)
  local f = metamethod(v, "__svg")
  if f then return call_text(f, v, "__svg") end
  if display.is_svg(v) then return v end
  return nil
end

-- A scalar a table cell shows.
local function cell_value(x)
  local t = type(x)
  return t == "string" or t == "number" or t == "boolean"
end

--- Whether v is a table of results: a plain array (no metatable) of at
--- least one record, every record a plain table, the first with a named
--- field holding a string, a number or a boolean (the fields a table
--- shows; others, as KWIC lines' word lists, are left out).  Named fields
--- of the array itself (rows.columns) are allowed.
function display.is_rows(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil or type(v[1]) ~= "table" then return false end
  local named = false
  for k, x in pairs(v[1]) do if type(k) == "string" and cell_value(x) then named = true; break end end
  if not named then return false end
  for k, row in pairs(v) do
    if math.type(k) == "integer" and (type(row) ~= "table" or getmetatable(row) ~= nil) then return false end
  end
  return true
end

-- The named fields of the rows that hold scalars, "key" first, then in
-- sorted order (as report.columns orders record keys).
local function scalar_columns(rows)
  local seen, keys = {}, {}
  for _, row in ipairs(rows) do
    for k, x in pairs(row) do
      if type(k) == "string" and not seen[k] and cell_value(x) then seen[k] = true; keys[#keys + 1] = k end
    end
  end
  table.sort(keys, function(a, b)
    if a == "key" then return b ~= "key" end
    if b == "key" then return false end
    return a < b
  end)
  return keys
end

--- An HTML table of rows (report.html_table; columns from opts.columns,
--- else rows.columns, else the fields holding scalars), KWIC lines (rows with left, match and right)
--- as doc, left context aligned right, match, right context; at most
--- display.MAX_ROWS rows and a line saying how many more there are.
--- opts as for report.html_table.
function display.rows_html(rows, opts)
  opts = opts or {}
  local shown = rows
  if #rows > display.MAX_ROWS then
    shown = table.move(rows, 1, display.MAX_ROWS, 1, {})
  end
  local o = {}
  for k, x in pairs(opts) do o[k] = x end
  local first = rows[1]
  o.columns = o.columns or rows.columns
  if not o.columns and first.left ~= nil and first.match ~= nil and first.right ~= nil then
    o.columns = {
      { key = "doc", title = "doc" },
      { key = "left", title = "left", align = "right" },
      { key = "match", title = "match" },
      { key = "right", title = "right" },
    }
  end
  o.columns = o.columns or scalar_columns(shown)
  local html = report.html_table(shown, o)
  if #rows > #shown then
    html = html .. string.format("\n<p>… %d more rows (%d in all)</p>", #rows - #shown, #rows)
  end
  return html
end

--- The value as HTML, or nil: what its metatable's __html returns, or an
--- HTML table when it is a table of results (display.is_rows).
function display.html(v)
  local f = metamethod(v, "__html")
  if f then return call_text(f, v, "__html") end
  if display.is_rows(v) then return display.rows_html(v) end
  return nil
end

--- What the notebook shows for the values of a cell: nil for several
--- values or none; else a table of MIME types (text/html, image/svg+xml)
--- to their text, and for a picture a short text/plain (its title, or its
--- size), nil when the value has nothing beyond plain text.
function display.mime(...)
  if select("#", ...) ~= 1 then return nil end
  local v = ...
  local out, any = {}, false
  local svg = display.svg(v)
  if svg then
    out["image/svg+xml"] = svg
    local title = svg:match("<title>(.-)</title>")
    out["text/plain"] = title and ("chart: " .. title) or string.format("SVG picture (%d bytes)", #svg)
    any = true
  end
  local html = display.html(v)
  if html then out["text/html"] = html; any = true end
  if not any then return nil end
  return out
end

return display
