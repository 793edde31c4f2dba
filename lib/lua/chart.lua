-- chart.lua: SVG charts as strings (docs/api/chart.md): a bar chart, a heat
-- map, a dispersion plot, frequency over a field or over time, a keyness
-- chart and a node-link network.  Every chart is a standalone SVG document
-- (no script, no fetched font or style), drawn in a colour-blind safe
-- palette, and byte for byte the same for the same input: coordinates are
-- written with two fixed decimals, and the network's layout is a seeded
-- force-directed one in plain arithmetic.
local json = require "json"
-- optional: without corpusrun's tokenize (a stock Lua without its C core),
-- label widths are counted one column per code point
local has_tokenize, tokenize = pcall(require, "tokenize")

local chart = {}

local concat, format = table.concat, string.format
local floor, sqrt, max, min, abs = math.floor, math.sqrt, math.max, math.min, math.abs

--- The Okabe-Ito palette: eight colours told apart with every common colour
--- vision deficiency (blue, orange, bluish green, vermillion, reddish
--- purple, sky blue, yellow, black).
chart.PALETTE = { "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000" }

local FONT = "font-family:sans-serif;font-size:12px"
local CHAR_PX = 7.2      -- average advance of a 12px sans-serif character
local INK, MUTED, GRID = "#222222", "#555555", "#dddddd"

-- ---------------------------------------------------------------------------
-- Text.

local function width_of(s)
  if has_tokenize and type(tokenize) == "table" and type(tokenize.width) == "function" then
    return tokenize.width(s)
  end
  return utf8.len(s) or #s
end

local XML_ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

--- Escapes text for XML and HTML (content and attribute values); invalid
--- UTF-8 and characters XML forbids become U+FFFD.
function chart.escape(s)
  s = json.valid_utf8(tostring(s))
  s = s:gsub("[%z\1-\8\11\12\14-\31\127]", "\u{FFFD}")
  s = s:gsub("\239\191[\190\191]", "\u{FFFD}")        -- U+FFFE, U+FFFF
  return (s:gsub("[&<>\"']", XML_ESC))
end
local esc = chart.escape

-- One line, at most w columns (cut with "…").
local function label(s, w)
  s = json.valid_utf8(tostring(s)):gsub("%s+", " ")
  if width_of(s) <= w then return s end
  local out, used = {}, 0
  for _, c in utf8.codes(s) do
    local ch = utf8.char(c)
    local cw = width_of(ch)
    if used + cw > w - 1 then break end
    out[#out + 1] = ch
    used = used + cw
  end
  return concat(out) .. "…"
end

--- The width in pixels the charts reserve for text s at 12px.
function chart.text_width(s) return width_of(s) * CHAR_PX end
local text_px = chart.text_width

--- A coordinate or length as SVG gets it: two decimals at most, trailing
--- zeros dropped, never "-0"; a NaN or infinity is an error.
function chart.num(x)
  if x ~= x or x == math.huge or x == -math.huge then error("chart: a coordinate is not a finite number", 2) end
  local s = format("%.2f", x)
  s = s:gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end
local num = chart.num

-- A value as a label: integers as they are, other numbers with `digits`
-- decimals (default 2).
local function value_text(v, digits)
  if math.type(v) == "integer" then return format("%d", v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  local s = format("%." .. (digits or 2) .. "f", v)
  if s:match("^%-0%.?0*$") then s = s:sub(2) end
  return s
end
chart.value_text = value_text

local function finite(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

-- The opening of a chart: the svg element, its title (what a screen reader
-- and a hover say), a white background, the title drawn.
local function open(out, class, W, H, title, subtitle)
  out[#out + 1] = format('<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" width="%s" height="%s" '
    .. 'viewBox="0 0 %s %s" role="img" style="%s">', class, num(W), num(H), num(W), num(H), FONT)
  if title then out[#out + 1] = format("<title>%s</title>", esc(title)) end
  out[#out + 1] = format('<rect class="background" x="0" y="0" width="%s" height="%s" fill="#ffffff"/>', num(W), num(H))
  if title then
    out[#out + 1] = format('<text class="chart-title" x="10" y="18" font-weight="bold" fill="%s">%s</text>', INK, esc(title))
  end
  if subtitle then
    out[#out + 1] = format('<text class="chart-subtitle" x="10" y="34" font-size="11" fill="%s">%s</text>', MUTED, esc(subtitle))
  end
end

-- Ticks for an axis from lo to hi: a step of 1, 2 or 5 times a power of
-- ten giving about n ticks, and the decimals its labels need.
local function ticks(lo, hi, n)
  if hi <= lo then hi = lo + 1 end
  local rough = (hi - lo) / (n or 5)
  local mag, decimals = 1, 0
  while mag * 10 <= rough do mag = mag * 10 end
  while mag > rough and decimals < 12 do mag = mag / 10; decimals = decimals + 1 end
  local step
  if rough <= mag then step = mag
  elseif rough <= 2 * mag then step = 2 * mag
  elseif rough <= 5 * mag then step = 5 * mag
  else step = 10 * mag; if decimals > 0 then decimals = decimals - 1 end end
  local first = floor(lo / step + 1e-9)
  local last = -floor(-hi / step - 1e-9)
  local list = {}
  for k = first, last do list[#list + 1] = k * step end
  return list, decimals, first * step, last * step
end

local function tick_text(v, decimals)
  if decimals == 0 then return format("%d", floor(v + 0.5)) end
  local s = format("%." .. decimals .. "f", v)
  if s:match("^%-0%.?0*$") then s = s:sub(2) end
  return s
end

local function check_table(x, fname, what)
  if type(x) ~= "table" then error(format("chart.%s: %s must be a table, got %s", fname, what, type(x)), 3) end
end

local function check_rows(rows, fname)
  check_table(rows, fname, "rows")
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then
      error(format("chart.%s: row %d is a %s, not a table", fname, i, type(row)), 3)
    end
  end
end

local function field_of(rows, opts, name, fallback_names, fname)
  if opts[name] then return opts[name] end
  local first = rows[1]
  if first == nil then return fallback_names[1] end     -- no row: nothing to draw from it
  for _, k in ipairs(fallback_names) do if first[k] ~= nil then return k end end
  error(format("chart.%s: say which field holds the %s (opts.%s)", fname, name, name), 3)
end

-- ---------------------------------------------------------------------------
-- Bar chart.

--- A horizontal bar chart: one bar per row (at most opts.max_bars, default
--- 40), its label on the left and its value at its end.  opts: label
--- (field, default key/label/entity/word/1), value (field, default
--- n/value/count/2), title, xlabel (what the values are), width (default
--- 640), digits, color.
function chart.bar(rows, opts)
  opts = opts or {}
  check_rows(rows, "bar")
  local lf = field_of(rows, opts, "label", { "key", "label", "entity", "word", 1 }, "bar")
  local vf = field_of(rows, opts, "value", { "n", "value", "count", 2 }, "bar")
  local maxn = opts.max_bars or 40
  local items = {}
  for i, row in ipairs(rows) do
    if i > maxn then break end
    local v = row[vf]
    if v ~= nil and type(v) ~= "number" then
      error(format("chart.bar: row %d: %s is not a number", i, tostring(vf)), 2)
    end
    if finite(v) then
      items[#items + 1] = { label = label(row[lf] or "", 32), v = v }
    end
  end
  local W = opts.width or 640
  local bar_h, gap = 18, 6
  local top = opts.title and 30 or 10
  local label_w = 0
  for _, it in ipairs(items) do label_w = max(label_w, text_px(it.label)) end
  label_w = min(label_w, 240) + 12
  local value_w = 0
  for _, it in ipairs(items) do
    it.text = value_text(it.v, opts.digits)
    value_w = max(value_w, text_px(it.text))
  end
  value_w = value_w + 10
  local lo, hi = 0, 0
  for _, it in ipairs(items) do
    if it.v < lo then lo = it.v end
    if it.v > hi then hi = it.v end
  end
  local plot_x, plot_w = label_w, max(W - label_w - value_w, 40)
  local span = hi - lo
  if span == 0 then span = 1 end
  local function xpos(v) return plot_x + (v - lo) / span * plot_w end
  local bottom = top + #items * (bar_h + gap)
  local H = bottom + (opts.xlabel and 26 or 10)
  local color = opts.color or chart.PALETTE[1]
  local out = {}
  open(out, "bar-chart", W, H, opts.title)
  local x0 = xpos(0)
  for i, it in ipairs(items) do
    local y = top + (i - 1) * (bar_h + gap)
    local xa, xb = x0, xpos(it.v)
    if xb < xa then xa, xb = xb, xa end
    out[#out + 1] = format('<g class="bar"><title>%s: %s</title>', esc(it.label), esc(it.text))
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="%s">%s</text>',
      num(plot_x - 6), num(y + bar_h / 2), INK, esc(it.label))
    out[#out + 1] = format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>',
      num(xa), num(y), num(xb - xa), num(bar_h), color)
    local tx = it.v >= 0 and xb + 4 or xa - 4
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="%s" dominant-baseline="middle" fill="#333333">%s</text></g>',
      num(tx), num(y + bar_h / 2), it.v >= 0 and "start" or "end", esc(it.text))
  end
  if lo < 0 then
    out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#666666"/>', num(x0), num(top - 2), num(x0), num(bottom))
  end
  if opts.xlabel then
    out[#out + 1] = format('<text class="axis-label" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>',
      num(plot_x + plot_w / 2), num(bottom + 14), MUTED, esc(opts.xlabel))
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Heat map.

-- Colour scales: interpolation between stops in sRGB (ColorBrewer's Blues
-- and RdBu, both readable with colour vision deficiencies).
local SEQ = { { 247, 251, 255 }, { 198, 219, 239 }, { 107, 174, 214 }, { 33, 113, 181 }, { 8, 48, 107 } }
local DIV = { { 178, 24, 43 }, { 239, 138, 98 }, { 247, 247, 247 }, { 103, 169, 207 }, { 33, 102, 172 } }

local function ramp(stops, t)
  if t ~= t then t = 0 end
  t = max(0, min(1, t))
  local pos = t * (#stops - 1)
  local i = min(floor(pos), #stops - 2)
  local f = pos - i
  local a, b = stops[i + 1], stops[i + 2]
  local c = {}
  for k = 1, 3 do c[k] = floor(a[k] + (b[k] - a[k]) * f + 0.5) end
  return format("#%02x%02x%02x", c[1], c[2], c[3]), (c[1] * 0.299 + c[2] * 0.587 + c[3] * 0.114) < 140
end

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  return a < b
end

-- A matrix from {rows=, cols=, values=} or from records {row, col, value}.
local function to_matrix(m, opts)
  if m.values then
    if type(m.rows) ~= "table" or type(m.cols) ~= "table" then
      error("chart.heatmap: a matrix needs rows and cols (arrays of labels)", 3)
    end
    return m.rows, m.cols, m.values
  end
  check_rows(m, "heatmap")
  local rf, cf, vf = opts.row or "row", opts.col or "col", opts.value or "value"
  local rlabels, clabels, rix, cix, values = {}, {}, {}, {}, {}
  for i, rec in ipairs(m) do
    local r, c, v = rec[rf], rec[cf], rec[vf]
    if r == nil or c == nil then error(format("chart.heatmap: record %d lacks %s or %s", i, rf, cf), 3) end
    if v ~= nil and type(v) ~= "number" then error(format("chart.heatmap: record %d: %s is not a number", i, vf), 3) end
    if not rix[r] then rlabels[#rlabels + 1] = r; rix[r] = true end
    if not cix[c] then clabels[#clabels + 1] = c; cix[c] = true end
  end
  if opts.sort_labels ~= false then
    table.sort(rlabels, key_less); table.sort(clabels, key_less)
  end
  for i, r in ipairs(rlabels) do rix[r] = i; values[i] = {} end
  for j, c in ipairs(clabels) do cix[c] = j end
  for _, rec in ipairs(m) do values[rix[rec[rf]]][cix[rec[cf]]] = rec[vf] end
  return rlabels, clabels, values
end

--- A heat map, from a matrix {rows = labels, cols = labels, values =
--- {{...}, ...}} or an array of records {row=, col=, value=} (field names in
--- opts.row, opts.col, opts.value).  A sequential scale, or a diverging one
--- centred on 0 when values have both signs.  opts: title, cell (pixel
--- size, default 28), digits, labels (print the values in the cells;
--- default when the cells are large enough).
function chart.heatmap(m, opts)
  opts = opts or {}
  if type(m) ~= "table" then error("chart.heatmap: expects a matrix or an array of records", 2) end
  local rlabels, clabels, values = to_matrix(m, opts)
  local lo, hi = math.huge, -math.huge
  for i = 1, #rlabels do
    local row = values[i] or {}
    for j = 1, #clabels do
      local v = row[j]
      if finite(v) then
        if v < lo then lo = v end
        if v > hi then hi = v end
      elseif v ~= nil and type(v) ~= "number" then
        error(format("chart.heatmap: value at row %d, column %d is not a number", i, j), 2)
      end
    end
  end
  if lo > hi then lo, hi = 0, 0 end
  local diverging = lo < 0 and hi > 0
  local function color(v)
    if diverging then
      local a = max(-lo, hi)
      return ramp(DIV, (v + a) / (2 * a))
    end
    if hi == lo then return ramp(SEQ, 0.5) end
    return ramp(SEQ, (v - lo) / (hi - lo))
  end
  local cell = opts.cell or 28
  local rl = {}
  local label_w = 0
  for i, r in ipairs(rlabels) do
    rl[i] = label(r, 28)
    label_w = max(label_w, text_px(rl[i]))
  end
  local cl, col_h = {}, 0
  for j, c in ipairs(clabels) do
    cl[j] = label(c, 28)
    col_h = max(col_h, text_px(cl[j]))
  end
  local left = label_w + 10
  local top = (opts.title and 28 or 6) + col_h * 0.72 + 12
  local lw = max(min(#clabels * cell, 240), 120)     -- legend width
  local W = max(left + #clabels * cell + col_h * 0.72 + 20, left + lw + 10)
  local legend_y = top + #rlabels * cell + 14
  local H = legend_y + 34
  local show = opts.labels
  if show == nil then show = cell >= 24 end
  local out = {}
  open(out, "heatmap", W, H, opts.title)
  for j = 1, #clabels do
    local x = left + (j - 0.5) * cell
    out[#out + 1] = format('<text transform="translate(%s,%s) rotate(-45)" text-anchor="start" fill="%s">%s</text>',
      num(x), num(top - 6), INK, esc(cl[j]))
  end
  for i = 1, #rlabels do
    local y = top + (i - 1) * cell
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="%s">%s</text>',
      num(left - 6), num(y + cell / 2), INK, esc(rl[i]))
    local row = values[i] or {}
    for j = 1, #clabels do
      local v = row[j]
      local x = left + (j - 1) * cell
      if type(v) == "number" and v == v then
        local fill, dark = color(v)
        local txt = value_text(v, opts.digits or 2)
        out[#out + 1] = format('<g class="cell"><title>%s × %s: %s</title><rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#ffffff"/>',
          esc(rl[i]), esc(cl[j]), esc(txt), num(x), num(y), num(cell), num(cell), fill)
        if show then
          out[#out + 1] = format('<text x="%s" y="%s" text-anchor="middle" dominant-baseline="middle" font-size="10" fill="%s">%s</text>',
            num(x + cell / 2), num(y + cell / 2), dark and "#ffffff" or INK, esc(txt))
        end
        out[#out + 1] = "</g>"
      else
        out[#out + 1] = format('<rect class="empty" x="%s" y="%s" width="%s" height="%s" fill="#fafafa" stroke="#eeeeee"/>',
          num(x), num(y), num(cell), num(cell))
      end
    end
  end
  -- legend: the scale from its minimum to its maximum
  local steps = 10
  local a = max(-lo, hi)
  for k = 0, steps - 1 do
    local v
    if diverging then v = -a + (2 * a) * (k + 0.5) / steps
    else v = lo + (hi - lo) * (k + 0.5) / steps end
    out[#out + 1] = format('<rect class="legend" x="%s" y="%s" width="%s" height="10" fill="%s"/>',
      num(left + k * lw / steps), num(legend_y), num(lw / steps + 0.5), (color(v)))
  end
  out[#out + 1] = format('<text x="%s" y="%s" font-size="10" fill="%s">%s</text>', num(left), num(legend_y + 24), MUTED,
    esc(value_text(diverging and -a or lo, opts.digits or 2)))
  out[#out + 1] = format('<text x="%s" y="%s" font-size="10" text-anchor="end" fill="%s">%s</text>', num(left + lw),
    num(legend_y + 24), MUTED, esc(value_text(diverging and a or hi, opts.digits or 2)))
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Dispersion plot.

--- A dispersion plot (a concordance plot): one strip per document, a mark
--- at each hit at its relative position in the document, the document's
--- name on the left and its number of hits on the right.  docs is an array
--- of {name = "doc id", size = length (bytes, tokens: any unit the hits
--- use), hits = {positions from 0 to size}, group = "heading"}; a strip
--- whose group differs from the one above starts a new group under that
--- heading (one group per entity, say).  opts: title, width (default 720),
--- max_docs (default 200: more strips than that keep only those with hits,
--- and say how many are left out), color, unit (what the positions count,
--- for the axis: default "position in the document").
function chart.dispersion(docs, opts)
  opts = opts or {}
  check_rows(docs, "dispersion")
  local strips = {}
  for i, d in ipairs(docs) do
    if type(d.size) ~= "number" or d.size < 0 or not finite(d.size) then
      error(format("chart.dispersion: document %d: size must be a number >= 0", i), 2)
    end
    if d.hits ~= nil and type(d.hits) ~= "table" then
      error(format("chart.dispersion: document %d: hits must be an array of positions", i), 2)
    end
    local hits = {}
    for j, p in ipairs(d.hits or {}) do
      if not finite(p) then error(format("chart.dispersion: document %d: hit %d is not a number", i, j), 2) end
      hits[j] = p
    end
    table.sort(hits)
    strips[#strips + 1] = { name = label(d.name or d.id or i, 40), size = d.size, hits = hits, group = d.group }
  end
  local max_docs = opts.max_docs or 200
  local left_out = 0
  if #strips > max_docs then
    local kept = {}
    for _, s in ipairs(strips) do
      if #s.hits > 0 and #kept < max_docs then kept[#kept + 1] = s else left_out = left_out + 1 end
    end
    strips = kept
  end
  local total = 0
  for _, s in ipairs(strips) do total = total + #s.hits end
  local W = opts.width or 720
  local name_w = 0
  local count_w = 0
  for _, s in ipairs(strips) do
    name_w = max(name_w, text_px(s.name))
    s.count = #s.hits == 1 and "1 hit" or format("%d hits", #s.hits)
    count_w = max(count_w, text_px(s.count))
  end
  name_w = min(name_w, 300) + 16
  count_w = count_w + 16
  local plot_x = name_w
  local plot_w = max(W - name_w - count_w, 120)
  local strip_h, gap, group_h = 22, 6, 22
  local ngroups, last_group = 0, nil
  for _, st in ipairs(strips) do
    if st.group ~= nil and st.group ~= last_group then ngroups = ngroups + 1; last_group = st.group end
  end
  local subtitle = ngroups > 1 and format("%d hits in %d groups, %d strips", total, ngroups, #strips)
    or format("%d hits in %d documents", total, #strips)
  if left_out > 0 then subtitle = subtitle .. format(" (%d documents without hits not shown)", left_out) end
  local y = (opts.title and 50 or 28)
  local color = opts.color or chart.PALETTE[1]
  local body = {}
  local group
  for _, s in ipairs(strips) do
    if s.group ~= nil and s.group ~= group then
      group = s.group
      y = y + 4
      body[#body + 1] = format('<text class="group" x="10" y="%s" font-weight="bold" fill="%s">%s</text>',
        num(y + 12), INK, esc(label(group, 60)))
      y = y + group_h
    end
    body[#body + 1] = format('<g class="strip"><title>%s: %s</title>', esc(s.name), esc(s.count))
    body[#body + 1] = format('<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="%s">%s</text>',
      num(plot_x - 8), num(y + strip_h / 2), INK, esc(s.name))
    body[#body + 1] = format('<rect x="%s" y="%s" width="%s" height="%s" fill="#f4f4f4" stroke="#999999"/>',
      num(plot_x), num(y), num(plot_w), num(strip_h))
    for _, p in ipairs(s.hits) do
      local r = s.size > 0 and p / s.size or 0
      r = max(0, min(1, r))
      local x = plot_x + r * plot_w
      body[#body + 1] = format('<line class="hit" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>',
        num(x), num(y + 2), num(x), num(y + strip_h - 2), color)
    end
    body[#body + 1] = format('<text x="%s" y="%s" dominant-baseline="middle" fill="%s">%s</text></g>',
      num(plot_x + plot_w + 8), num(y + strip_h / 2), MUTED, esc(s.count))
    y = y + strip_h + gap
  end
  -- the axis: relative position, 0 to 100 %
  local axis_y = y + 2
  body[#body + 1] = format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>',
    num(plot_x), num(axis_y), num(plot_x + plot_w), num(axis_y), MUTED)
  for k = 0, 4 do
    local x = plot_x + plot_w * k / 4
    body[#body + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>', num(x), num(axis_y), num(x), num(axis_y + 4), MUTED)
    body[#body + 1] = format('<text x="%s" y="%s" text-anchor="middle" font-size="10" fill="%s">%d%%</text>',
      num(x), num(axis_y + 15), MUTED, k * 25)
  end
  body[#body + 1] = format('<text class="axis-label" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>',
    num(plot_x + plot_w / 2), num(axis_y + 31), MUTED, esc(opts.unit or "relative position in the document"))
  local H = axis_y + 40
  local out = {}
  open(out, "dispersion", W, H, opts.title, nil)
  out[#out + 1] = format('<text class="chart-subtitle" x="10" y="%s" font-size="11" fill="%s">%s</text>',
    opts.title and 36 or 16, MUTED, esc(subtitle))
  for _, s in ipairs(body) do out[#out + 1] = s end
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Frequency over a field or over time.

local function parse_date(s)
  if type(s) == "number" and math.type(s) == "integer" and s >= 1 and s <= 9999 then return s, nil end
  if type(s) ~= "string" then return nil end
  local y, m = s:match("^(%d%d%d%d)%-(%d%d)")
  if not y then y, m = s:match("^(%d%d%d%d)(%d%d)%d%d$") end
  if not y then y = s:match("^(%d%d%d%d)$") end
  if not y then return nil end
  y, m = tonumber(y), m and tonumber(m)
  if m and (m < 1 or m > 12) then return nil end
  return y, m
end

--- Puts values of a field into bins: when every value is a date
--- (YYYY, YYYY-MM, YYYY-MM-DD..., YYYYMMDD or a year as an integer), bins
--- by month or by year (bin = "month" | "year" | "auto": months unless they
--- span more than 36, or some values give only a year), every bin from the
--- first to the last, empty ones included; else each distinct value is a
--- bin, in sorted order (numbers before strings).  Returns the bins (an
--- array of labels), a function from a value to its bin's index (nil for a
--- value not binned), and the kind ("month", "year" or "value").  Values
--- in `missing` (default: nil and "(none)") are left out.
function chart.bins(values, bin)
  check_table(values, "bins", "values")
  bin = bin or "auto"
  if bin ~= "auto" and bin ~= "month" and bin ~= "year" and bin ~= "value" then
    error("chart.bins: bin must be auto, month, year or value, got " .. tostring(bin), 2)
  end
  local present = {}
  for _, v in ipairs(values) do
    if v ~= nil and v ~= "(none)" and v ~= "" then present[#present + 1] = v end
  end
  local dates, month_less = #present > 0 and bin ~= "value", false
  local lo, hi
  for _, v in ipairs(present) do
    local y, m = parse_date(v)
    if not y then dates = false; break end
    if not m then month_less = true end
    local k = y * 12 + (m or 1) - 1
    if not lo or k < lo then lo = k end
    if not hi or k > hi then hi = k end
  end
  if bin ~= "value" and bin ~= "auto" and not dates then
    error("chart.bins: bin = " .. bin .. " needs dates (YYYY-MM-DD, YYYY-MM or YYYY)", 2)
  end
  if dates then
    local kind = bin
    if kind == "auto" then kind = (month_less or hi - lo + 1 > 36) and "year" or "month" end
    if kind == "month" and month_less then
      error("chart.bins: bin = month, but some dates give only a year", 2)
    end
    local labels, first = {}, nil
    if kind == "year" then
      first = lo // 12
      for yr = first, hi // 12 do labels[#labels + 1] = format("%04d", yr) end
    else
      first = lo
      for k = lo, hi do labels[#labels + 1] = format("%04d-%02d", k // 12, k % 12 + 1) end
    end
    return labels, function(v)
      local y, m = parse_date(v)
      if not y then return nil end
      if kind == "year" then return y - first + 1 end
      return y * 12 + (m or 1) - 1 - first + 1
    end, kind
  end
  local seen, labels = {}, {}
  for _, v in ipairs(present) do
    if not seen[v] then seen[v] = true; labels[#labels + 1] = v end
  end
  table.sort(labels, key_less)
  local index = {}
  for i, v in ipairs(labels) do index[v] = i; labels[i] = tostring(v) end
  return labels, function(v) return index[v] end, "value"
end

--- Frequency over a field: rows are records {x = value of the field, y =
--- count, series = name} (field names in opts.x, opts.y, opts.series; no
--- series: one).  The x values are binned by chart.bins (opts.bin: auto,
--- month, year, value) and counts in a bin added up.  Drawn as lines (the
--- default for dates, opts.kind = "line") or as grouped bars (the default
--- for other values, opts.kind = "bar"), one colour per series with a
--- legend, at most opts.max_series (default 8) series: the largest.  opts:
--- title, xlabel, ylabel (default "frequency"), width (default 720),
--- height (default 360).
function chart.over(rows, opts)
  opts = opts or {}
  check_rows(rows, "over")
  local xf, yf, sf = opts.x or "x", opts.y or "y", opts.series
  local xs = {}
  for i, r in ipairs(rows) do
    local v = r[yf]
    if type(v) ~= "number" then error(format("chart.over: row %d: %s is not a number", i, tostring(yf)), 2) end
    xs[i] = r[xf]
  end
  local labels, bin_of, kind = chart.bins(xs, opts.bin)
  -- series: totals, largest first (ties by name)
  local sums, names = {}, {}
  for _, r in ipairs(rows) do
    local s = sf and tostring(r[sf]) or ""
    if not sums[s] then sums[s] = 0; names[#names + 1] = s end
    if finite(r[yf]) then sums[s] = sums[s] + r[yf] end
  end
  table.sort(names, function(a, b) if sums[a] ~= sums[b] then return sums[a] > sums[b] end return a < b end)
  local max_series = opts.max_series or 8
  local shown_series = {}
  for i = 1, min(#names, max_series) do shown_series[i] = names[i] end
  local sindex = {}
  for i, s in ipairs(shown_series) do sindex[s] = i end
  local values, skipped = {}, 0
  for i = 1, #shown_series do
    values[i] = {}
    for j = 1, #labels do values[i][j] = 0 end
  end
  for _, r in ipairs(rows) do
    local s = sindex[sf and tostring(r[sf]) or ""]
    local b = bin_of(r[xf])
    if s and b and finite(r[yf]) then values[s][b] = values[s][b] + r[yf]
    elseif s and not b then skipped = skipped + r[yf] end
  end
  local draw = opts.kind or (kind == "value" and "bar" or "line")
  if draw ~= "line" and draw ~= "bar" then error("chart.over: kind must be line or bar", 2) end
  local hi = 0
  for i = 1, #shown_series do for j = 1, #labels do hi = max(hi, values[i][j]) end end
  local tks, decimals, _, top_v = ticks(0, hi > 0 and hi or 1, 5)
  local W, H = opts.width or 720, opts.height or 360
  local ylabel = opts.ylabel or "frequency"
  local tick_w = 0
  for _, v in ipairs(tks) do tick_w = max(tick_w, text_px(tick_text(v, decimals))) end
  local left = tick_w + 34
  -- the legend on the right when there is more than one series
  local legend_w = 0
  if sf then
    for _, s in ipairs(shown_series) do legend_w = max(legend_w, text_px(label(s, 24))) end
    legend_w = legend_w + 34
  end
  local nlabels = #labels
  local label_w = 0
  for _, l in ipairs(labels) do label_w = max(label_w, text_px(label(l, 20))) end
  local top = opts.title and 48 or 16
  local plot_w = max(W - left - legend_w - 16, 80)
  local slot = plot_w / max(nlabels, 1)
  local rotate = label_w + 6 > slot
  local bottom_pad = (rotate and label_w * 0.72 + 18 or 22) + 24
  local plot_h = max(H - top - bottom_pad, 60)
  H = top + plot_h + bottom_pad
  local function ypos(v) return top + plot_h - v / top_v * plot_h end
  local function xcenter(j) return left + (j - 0.5) * slot end
  local out = {}
  local sub
  if skipped > 0 then sub = format("%s counted where %s has no value, not shown", value_text(skipped), opts.xlabel or "the field") end
  open(out, "over " .. draw, W, H, opts.title, sub)
  -- grid and y axis
  for _, v in ipairs(tks) do
    local y = ypos(v)
    out[#out + 1] = format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>', num(left), num(y), num(left + plot_w), num(y), GRID)
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" font-size="10" fill="%s">%s</text>',
      num(left - 6), num(y), MUTED, tick_text(v, decimals))
  end
  out[#out + 1] = format('<text class="axis-label" transform="translate(%s,%s) rotate(-90)" text-anchor="middle" fill="%s">%s</text>',
    num(12), num(top + plot_h / 2), MUTED, esc(ylabel))
  out[#out + 1] = format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>',
    num(left), num(top + plot_h), num(left + plot_w), num(top + plot_h), MUTED)
  -- x labels: every one that fits
  local every = 1
  if rotate then every = max(1, -floor(-(14 / slot))) end
  for j, l in ipairs(labels) do
    local x = xcenter(j)
    out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>', num(x), num(top + plot_h), num(x), num(top + plot_h + 4), MUTED)
    if (j - 1) % every == 0 then
      if rotate then
        out[#out + 1] = format('<text transform="translate(%s,%s) rotate(-45)" text-anchor="end" font-size="10" fill="%s">%s</text>',
          num(x + 3), num(top + plot_h + 12), MUTED, esc(label(l, 20)))
      else
        out[#out + 1] = format('<text x="%s" y="%s" text-anchor="middle" font-size="10" fill="%s">%s</text>',
          num(x), num(top + plot_h + 16), MUTED, esc(label(l, 20)))
      end
    end
  end
  out[#out + 1] = format('<text class="axis-label" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>',
    num(left + plot_w / 2), num(H - 8), MUTED,
    esc(opts.xlabel and (opts.xlabel .. (kind == "month" and " (by month)" or kind == "year" and " (by year)" or "")) or kind))
  -- the marks
  local ns = #shown_series
  for i, s in ipairs(shown_series) do
    local color = chart.PALETTE[(i - 1) % #chart.PALETTE + 1]
    local name = s ~= "" and s or ylabel
    out[#out + 1] = format('<g class="series"><title>%s</title>', esc(name))
    if draw == "line" then
      local pts = {}
      for j = 1, nlabels do pts[j] = num(xcenter(j)) .. "," .. num(ypos(values[i][j])) end
      if nlabels > 1 then
        out[#out + 1] = format('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>', color, concat(pts, " "))
      end
      for j = 1, nlabels do
        out[#out + 1] = format('<circle class="point" cx="%s" cy="%s" r="3" fill="%s"><title>%s, %s: %s</title></circle>',
          num(xcenter(j)), num(ypos(values[i][j])), color, esc(name), esc(labels[j]), value_text(values[i][j]))
      end
    else
      local bw = slot * 0.8 / ns
      for j = 1, nlabels do
        local v = values[i][j]
        local x = left + (j - 1) * slot + slot * 0.1 + (i - 1) * bw
        out[#out + 1] = format('<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s, %s: %s</title></rect>',
          num(x), num(ypos(v)), num(bw), num(top + plot_h - ypos(v)), color, esc(name), esc(labels[j]), value_text(v))
      end
    end
    out[#out + 1] = "</g>"
    if sf then
      local ly = top + (i - 1) * 18
      local lx = left + plot_w + 14
      out[#out + 1] = format('<rect class="legend" x="%s" y="%s" width="12" height="12" fill="%s"/>', num(lx), num(ly), color)
      out[#out + 1] = format('<text x="%s" y="%s" dominant-baseline="middle" fill="%s">%s</text>', num(lx + 18), num(ly + 6), INK,
        esc(label(s, 24)))
    end
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Keyness.

--- A keyness chart: diverging bars, one per row, to the right for words
--- the target uses more than the reference and to the left for those it
--- uses less, their length the effect size (default field log_ratio, the
--- binary log of the ratio of relative frequencies) and its value written
--- at the end; each bar's label gives the word and its frequencies in the
--- target and the reference.  opts: label (default "key"), effect
--- (default "log_ratio"), target, reference (fields of the frequencies,
--- default "a" and "b"), effect_label (the axis title, default "log ratio
--- (target / reference)"), target_name, reference_name (default "target",
--- "reference"), title, width (default 720), digits (default 2).
function chart.keyness(rows, opts)
  opts = opts or {}
  check_rows(rows, "keyness")
  local lf, ef = opts.label or "key", opts.effect or "log_ratio"
  local af, bf = opts.target or "a", opts.reference or "b"
  local tname, rname = opts.target_name or "target", opts.reference_name or "reference"
  local items = {}
  local lim = 0
  for i, r in ipairs(rows) do
    local e = r[ef]
    if type(e) ~= "number" then error(format("chart.keyness: row %d: %s is not a number", i, tostring(ef)), 2) end
    local shown_e = e
    if e == math.huge or e == -math.huge then shown_e = nil end
    if e == e then
      local text = label(r[lf] or "", 30)
      local freqs = ""
      if r[af] ~= nil or r[bf] ~= nil then
        freqs = format(" (%s / %s)", tostring(r[af] or 0), tostring(r[bf] or 0))
      end
      items[#items + 1] = { word = text, freqs = freqs, e = e, finite = shown_e ~= nil }
      if shown_e then lim = max(lim, abs(shown_e)) end
    end
  end
  if lim == 0 then lim = 1 end
  for _, it in ipairs(items) do
    if not it.finite then it.v = it.e > 0 and lim or -lim else it.v = it.e end
    it.text = it.finite and value_text(it.e, opts.digits or 2) or (it.e > 0 and "only in " .. tname or "only in " .. rname)
  end
  local W = opts.width or 720
  local bar_h, gap = 18, 6
  local top = opts.title and 66 or 40
  local label_w = 0
  for _, it in ipairs(items) do label_w = max(label_w, text_px(it.word .. it.freqs)) end
  label_w = min(label_w, 320)
  local value_w = 0
  for _, it in ipairs(items) do value_w = max(value_w, text_px(it.text)) end
  -- the plot: labels of positive bars on the left of the axis, of negative
  -- ones on its right; both halves the same width
  local plot_x = 10 + label_w + 8 + value_w + 8
  local plot_w = max(W - 2 * plot_x, 160)
  W = plot_w + 2 * plot_x
  local x0 = plot_x + plot_w / 2
  local half = plot_w / 2
  local function xpos(v) return x0 + v / lim * half end
  local bottom = top + #items * (bar_h + gap)
  local H = bottom + 46
  local pos_color, neg_color = chart.PALETTE[1], chart.PALETTE[2]
  local out = {}
  open(out, "keyness", W, H, opts.title)
  local ly = opts.title and 34 or 10
  out[#out + 1] = format('<rect class="legend" x="%s" y="%s" width="12" height="12" fill="%s"/>', num(x0 + 8), num(ly), pos_color)
  out[#out + 1] = format('<text x="%s" y="%s" dominant-baseline="middle" fill="%s">more in %s</text>', num(x0 + 26), num(ly + 6), INK, esc(tname))
  out[#out + 1] = format('<rect class="legend" x="%s" y="%s" width="12" height="12" fill="%s"/>', num(x0 - 20), num(ly), neg_color)
  out[#out + 1] = format('<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="%s">more in %s</text>', num(x0 - 26), num(ly + 6), INK, esc(rname))
  for i, it in ipairs(items) do
    local y = top + (i - 1) * (bar_h + gap)
    local xb = xpos(it.v)
    local xa, xz = min(x0, xb), max(x0, xb)
    local positive = it.v >= 0
    out[#out + 1] = format('<g class="bar"><title>%s%s: %s</title>', esc(it.word), esc(it.freqs), esc(it.text))
    out[#out + 1] = format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>', num(xa), num(y), num(xz - xa), num(bar_h),
      positive and pos_color or neg_color, it.finite and "" or ' fill-opacity="0.5"')
    -- the effect at the bar's end, the word beyond it on the axis's other side
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="%s" dominant-baseline="middle" fill="#333333">%s</text>',
      num(positive and xz + 4 or xa - 4), num(y + bar_h / 2), positive and "start" or "end", esc(it.text))
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="%s" dominant-baseline="middle" fill="%s">%s<tspan fill="%s">%s</tspan></text></g>',
      num(positive and x0 - 6 or x0 + 6), num(y + bar_h / 2), positive and "end" or "start", INK, esc(it.word), MUTED, esc(it.freqs))
  end
  out[#out + 1] = format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>', num(x0), num(top - 4), num(x0), num(bottom), MUTED)
  -- the effect axis
  local tks, decimals = ticks(-lim, lim, 6)
  out[#out + 1] = format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>',
    num(plot_x), num(bottom + 2), num(plot_x + plot_w), num(bottom + 2), MUTED)
  for _, v in ipairs(tks) do
    if v >= -lim - 1e-9 and v <= lim + 1e-9 then
      local x = xpos(v)
      out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>', num(x), num(bottom + 2), num(x), num(bottom + 6), MUTED)
      out[#out + 1] = format('<text x="%s" y="%s" text-anchor="middle" font-size="10" fill="%s">%s</text>',
        num(x), num(bottom + 17), MUTED, tick_text(v, decimals))
    end
  end
  out[#out + 1] = format('<text class="axis-label" x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>',
    num(x0), num(bottom + 36), MUTED, esc(opts.effect_label or ("log ratio (" .. tname .. " / " .. rname .. ")")))
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Network.

-- A pseudo-random generator in integer arithmetic (a 48-bit linear
-- congruential one, as POSIX's drand48): the same numbers on every machine.
local function lcg(seed)
  local state = (seed * 65536 + 0x330E) & 0xFFFFFFFFFFFF
  return function()
    state = (state * 0x5DEECE66D + 0xB) & 0xFFFFFFFFFFFF
    return (state >> 16) / 4294967296.0
  end
end

-- Fruchterman and Reingold's force-directed layout in the unit square:
-- every pair of nodes repels, every edge attracts (more for a heavier
-- one), a temperature that cools caps each move.  Positions from lcg(seed).
local function layout(n, edges, seed, iterations)
  local rnd = lcg(seed)
  local x, y = {}, {}
  for i = 1, n do x[i] = rnd(); y[i] = rnd() end
  if n == 1 then x[1], y[1] = 0.5, 0.5; return x, y end
  local k = sqrt(1 / n)
  local t = 0.1
  local cool = t / (iterations + 1)
  local dx, dy = {}, {}
  for _ = 1, iterations do
    for i = 1, n do dx[i], dy[i] = 0, 0 end
    for i = 1, n - 1 do
      for j = i + 1, n do
        local ex, ey = x[i] - x[j], y[i] - y[j]
        local d2 = ex * ex + ey * ey
        if d2 < 1e-12 then ex, ey, d2 = 1e-3 * (i - j), 1e-3, 1e-6 * ((i - j) * (i - j) + 1) end
        local f = k * k / d2          -- repulsion k^2/d, along the unit vector (e/d)
        dx[i] = dx[i] + ex * f; dy[i] = dy[i] + ey * f
        dx[j] = dx[j] - ex * f; dy[j] = dy[j] - ey * f
      end
    end
    for _, e in ipairs(edges) do
      local i, j = e.i, e.j
      local ex, ey = x[i] - x[j], y[i] - y[j]
      local d = sqrt(ex * ex + ey * ey)
      local f = d / k * e.strength    -- attraction d^2/k, along e/d
      dx[i] = dx[i] - ex * f; dy[i] = dy[i] - ey * f
      dx[j] = dx[j] + ex * f; dy[j] = dy[j] + ey * f
    end
    for i = 1, n do
      -- a weak pull to the centre keeps parts that are not connected in view
      dx[i] = dx[i] - (x[i] - 0.5) * 0.05 * n
      dy[i] = dy[i] - (y[i] - 0.5) * 0.05 * n
      local d = sqrt(dx[i] * dx[i] + dy[i] * dy[i])
      if d > 0 then
        local step = min(d, t)
        x[i] = x[i] + dx[i] / d * step
        y[i] = y[i] + dy[i] / d * step
      end
    end
    t = t - cool
  end
  return x, y
end

local function overlaps(b, boxes)
  for _, o in ipairs(boxes) do
    if b[1] < o[3] and o[1] < b[3] and b[2] < o[4] and o[2] < b[4] then return true end
  end
  return false
end

-- Label placement in a network.  A label is a box of text_width at
-- LABEL_PX (or SMALL_PX, scaled) by its line height; each is tried at 34
-- places around its node, nearest first: right, left, above, below, the four
-- diagonals, then shifted half a line or half a label aside, then a line
-- further out, up to two lines off the node's middle.  A
-- place is free when its box stays inside the drawing (x in [0, W], y in
-- [top, bottom]) and overlaps no other node's circle (its bounding square)
-- nor a label placed before.  Nodes are labelled largest first; a label
-- with no free place is tried at SMALL_PX, then at both sizes over the
-- circles of smaller nodes (never over a larger node nor a label), then
-- left out.  Labels have a white halo, so they read over edges and nodes.
local LABEL_PX, SMALL_PX, NOTE_H = 12, 9, 16
-- the tries, in order: {font size, may cover smaller nodes}
local LABEL_STAGES = { { LABEL_PX, false }, { SMALL_PX, false }, { LABEL_PX, true }, { SMALL_PX, true } }
local D45 = 0.7071

local function label_places(nd, w, h)
  local r, g = nd.r, 3
  local places = {}
  local function add(x, y, anchor) places[#places + 1] = { x, y, anchor } end
  local function side(dy)       -- right, then left, dy lines off the middle
    add(nd.x + r + g, nd.y - h / 2 + dy * h, "start")
    add(nd.x - r - g - w, nd.y - h / 2 + dy * h, "end")
  end
  local function ends(out, dx)  -- above, then below, out lines further, dx widths aside
    add(nd.x - w / 2 + dx * w, nd.y - r - 2 - h - out * h, "middle")
    add(nd.x - w / 2 + dx * w, nd.y + r + 2 + out * h, "middle")
  end
  side(0)
  ends(0, 0)
  local d = r * D45
  add(nd.x + d + g, nd.y - d - h, "start")
  add(nd.x + d + g, nd.y + d, "start")
  add(nd.x - d - g - w, nd.y - d - h, "end")
  add(nd.x - d - g - w, nd.y + d, "end")
  for _, dy in ipairs({ -0.5, 0.5 }) do side(dy) end
  for _, dx in ipairs({ -0.5, 0.5 }) do ends(0, dx) end
  for _, dy in ipairs({ -1, 1 }) do side(dy) end
  for _, dx in ipairs({ 0, -0.5, 0.5 }) do ends(1, dx) end
  for _, dy in ipairs({ -1.5, 1.5, -2, 2 }) do side(dy) end
  return places
end

-- Places the labels of list (nodes with x, y, r, label, size, order):
-- returns the placed ones ({node, box, tx, anchor, size, h}, largest node
-- first) and how many were shrunk and left out.
local function net_labels(list, W, top, bottom)
  local by_size = {}
  for i, nd in ipairs(list) do by_size[i] = nd end
  table.sort(by_size, function(a, b) if a.size ~= b.size then return a.size > b.size end return a.order < b.order end)
  local circles = {}
  for i, nd in ipairs(list) do circles[i] = { nd.x - nd.r, nd.y - nd.r, nd.x + nd.r, nd.y + nd.r, node = nd } end
  local labels, placed, shrunk, dropped = {}, {}, 0, 0
  -- whether box b is free for nd's label; with over_smaller, it may cover
  -- the circles of nodes smaller than nd (drawn over them, with a halo)
  local function free(b, nd, over_smaller)
    if b[1] < 0 or b[3] > W or b[2] < top or b[4] > bottom then return false end
    for _, c in ipairs(circles) do
      local o = c.node
      if o ~= nd and b[1] < c[3] and c[1] < b[3] and b[2] < c[4] and c[2] < b[4]
        and not (over_smaller and (o.size < nd.size or (o.size == nd.size and o.order > nd.order))) then
        return false
      end
    end
    return not overlaps(b, labels)
  end
  for _, nd in ipairs(by_size) do
    local done = false
    for _, stage in ipairs(LABEL_STAGES) do
      local size = stage[1]
      local w, h = text_px(nd.label) * size / LABEL_PX, (LABEL_PX + 2) * size / LABEL_PX
      for _, p in ipairs(label_places(nd, w, h)) do
        local b = { p[1], p[2], p[1] + w, p[2] + h }
        if free(b, nd, stage[2]) then
          labels[#labels + 1] = b
          local tx = p[3] == "start" and p[1] or p[3] == "end" and p[1] + w or p[1] + w / 2
          placed[#placed + 1] = { node = nd, box = b, tx = tx, anchor = p[3], size = size, h = h }
          if size ~= LABEL_PX then shrunk = shrunk + 1 end
          done = true
          break
        end
      end
      if done then break end
    end
    if not done then dropped = dropped + 1 end
  end
  return placed, shrunk, dropped
end

--- A network as a node-link diagram.  nodes: an array of {id =, label =,
--- size = frequency} (or of ids); edges: an array of {source = id, target =
--- id, weight = association}.  Node area grows with size, edge width with
--- weight (both scaled to their largest); the layout is force-directed
--- (Fruchterman-Reingold) from positions drawn by a generator seeded with
--- opts.seed (default 1), so the same input gives the same picture.  Labels
--- go beside their node, at the first of 34 places that overlaps no
--- other node and no label placed before (larger nodes first); a label
--- with no free place is drawn smaller, or over smaller nodes, or left out,
--- and a note at the bottom says how many.  opts: title, width, height (default 720 × 540),
--- seed, iterations (default 300), max_nodes (default 100: the largest),
--- size, weight (field names, default "size" and "weight"), weight_label
--- (what edge width shows, for the caption).
function chart.network(nodes, edges, opts)
  opts = opts or {}
  check_table(nodes, "network", "nodes")
  check_table(edges, "network", "edges")
  local sf, wf = opts.size or "size", opts.weight or "weight"
  local list, index = {}, {}
  for i, nd in ipairs(nodes) do
    local node
    if type(nd) == "string" or type(nd) == "number" then node = { id = nd }
    elseif type(nd) == "table" then node = nd
    else error(format("chart.network: node %d must be an id or a table", i), 2) end
    if node.id == nil then error(format("chart.network: node %d has no id", i), 2) end
    local s = node[sf]
    if s ~= nil and not finite(s) then error(format("chart.network: node %d: %s is not a number", i, sf), 2) end
    local id = tostring(node.id)
    if index[id] then error(format("chart.network: node %d: the id %s is there twice", i, id), 2) end
    list[#list + 1] = { id = id, label = label(node.label or node.id, 30), size = s or 1, order = i }
    index[id] = true
  end
  local max_nodes = opts.max_nodes or 100
  local left_out = 0
  if #list > max_nodes then
    local sorted = {}
    for i, nd in ipairs(list) do sorted[i] = nd end
    table.sort(sorted, function(a, b) if a.size ~= b.size then return a.size > b.size end return a.order < b.order end)
    local keep = {}
    for i = 1, max_nodes do keep[sorted[i].id] = true end
    local kept = {}
    for _, nd in ipairs(list) do if keep[nd.id] then kept[#kept + 1] = nd end end
    left_out = #list - #kept
    list = kept
  end
  index = {}
  for i, nd in ipairs(list) do index[nd.id] = i end
  local es, wmax = {}, 0
  for i, e in ipairs(edges) do
    if type(e) ~= "table" then error(format("chart.network: edge %d must be a table", i), 2) end
    local a, b = e.source or e[1], e.target or e[2]
    if a == nil or b == nil then error(format("chart.network: edge %d needs a source and a target", i), 2) end
    local w = e[wf]
    if w ~= nil and type(w) ~= "number" then error(format("chart.network: edge %d: %s is not a number", i, wf), 2) end
    local ia, ib = index[tostring(a)], index[tostring(b)]
    if ia and ib and ia ~= ib and (w == nil or finite(w)) then
      w = w or 1
      es[#es + 1] = { i = ia, j = ib, w = w }
      wmax = max(wmax, abs(w))
    end
  end
  if wmax == 0 then wmax = 1 end
  for _, e in ipairs(es) do e.strength = 0.3 + 0.7 * abs(e.w) / wmax end
  local n = #list
  local lx, ly = layout(n, es, opts.seed or 1, opts.iterations or 300)
  -- fit the layout into the drawing area
  local W, H = opts.width or 720, opts.height or 540
  local top = opts.title and 48 or 12
  local pad = 40
  local xmin, xmax, ymin, ymax = math.huge, -math.huge, math.huge, -math.huge
  for i = 1, n do
    xmin, xmax = min(xmin, lx[i]), max(xmax, lx[i])
    ymin, ymax = min(ymin, ly[i]), max(ymax, ly[i])
  end
  local sx = (xmax - xmin) > 1e-9 and (W - 2 * pad - 120) / (xmax - xmin) or 0
  local sy = (ymax - ymin) > 1e-9 and (H - top - pad - 30) / (ymax - ymin) or 0
  local smax = 0
  for _, nd in ipairs(list) do smax = max(smax, nd.size) end
  if smax <= 0 then smax = 1 end
  for i, nd in ipairs(list) do
    nd.x = sx > 0 and pad + 60 + (lx[i] - xmin) * sx or W / 2
    nd.y = sy > 0 and top + 10 + (ly[i] - ymin) * sy or top + (H - top - 30) / 2
    nd.r = 4 + 16 * sqrt(max(nd.size, 0) / smax)
  end
  local out = {}
  local sub = format("%d nodes, %d edges; node area: frequency, edge width: %s", n, #es, opts.weight_label or wf)
  if left_out > 0 then sub = sub .. format(" (%d smaller nodes not shown)", left_out) end
  open(out, "network", W, H, opts.title, opts.title and sub or nil)
  -- edges under the nodes, the heaviest last
  local order = {}
  for i = 1, #es do order[i] = i end
  table.sort(order, function(a, b)
    local ea, eb = es[a], es[b]
    if abs(ea.w) ~= abs(eb.w) then return abs(ea.w) < abs(eb.w) end
    return a < b
  end)
  out[#out + 1] = '<g class="edges">'
  for _, k in ipairs(order) do
    local e = es[k]
    local a, b = list[e.i], list[e.j]
    out[#out + 1] = format('<line class="edge" x1="%s" y1="%s" x2="%s" y2="%s" stroke="#7f7f7f" stroke-opacity="0.6" stroke-width="%s"><title>%s – %s: %s</title></line>',
      num(a.x), num(a.y), num(b.x), num(b.y), num(0.5 + 5.5 * abs(e.w) / wmax), esc(a.label), esc(b.label), value_text(e.w))
  end
  out[#out + 1] = "</g>"
  out[#out + 1] = '<g class="nodes">'
  for _, nd in ipairs(list) do
    out[#out + 1] = format('<circle class="node" cx="%s" cy="%s" r="%s" fill="%s" fill-opacity="0.85" stroke="#ffffff"><title>%s: %s</title></circle>',
      num(nd.x), num(nd.y), num(nd.r), chart.PALETTE[1], esc(nd.label), value_text(nd.size))
  end
  out[#out + 1] = "</g>"
  -- labels: larger nodes first, each at the first free place around its node
  -- (net_labels); the smallest nodes' labels shrink, or are left out, and
  -- the chart says how many
  local placed, shrunk, dropped = net_labels(list, W, top, H - NOTE_H)
  out[#out + 1] = '<g class="labels">'
  for _, p in ipairs(placed) do
    out[#out + 1] = format('<text x="%s" y="%s" text-anchor="%s" dominant-baseline="middle"%s fill="%s" stroke="#ffffff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke">%s</text>',
      num(p.tx), num(p.box[2] + p.h / 2), p.anchor, p.size == LABEL_PX and "" or format(' font-size="%s"', num(p.size)),
      INK, esc(p.node.label))
  end
  out[#out + 1] = "</g>"
  if shrunk + dropped > 0 then
    local said = {}
    if shrunk > 0 then said[#said + 1] = format("%d drawn smaller", shrunk) end
    if dropped > 0 then said[#said + 1] = format("%d left out (hover for names)", dropped) end
    out[#out + 1] = format('<text class="chart-note" x="10" y="%s" font-size="11" fill="%s">%s</text>',
      num(H - 5), MUTED, esc(label("no room for labels: " .. concat(said, ", "), max(10, (W - 20) * 12 // (11 * CHAR_PX)))))
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------
-- Charts as values.

local Chart = {}
Chart.__index = Chart
Chart.__name = "corpusrun.Chart"
function Chart.__tostring(c) return c.svg end
function Chart.__svg(c) return c.svg end

--- Wraps an SVG string as a chart value: tostring gives the SVG, its
--- metatable's __svg too, so the notebook shows it as a picture;
--- c:save(path) writes it.
function chart.new(svg)
  if type(svg) ~= "string" or not svg:find("^%s*<svg") then error("chart.new: expects an SVG string", 2) end
  return setmetatable({ svg = svg }, Chart)
end

--- Writes the chart's SVG to path; true, or nil and a message.
function Chart:save(path)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(self.svg)
  local cok, cerr = f:close()
  if not ok then return nil, werr end
  if not cok then return nil, cerr end
  return true
end

--- True when v is a chart value (chart.new).
function chart.is_chart(v) return getmetatable(v) == Chart end

return chart
