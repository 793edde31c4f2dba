-- --db and --html of freq, kwic, collocates and keyness (and cooccur --db),
-- all written by scriptlib.results, on the sample corpus: the table has the
-- CSV output's columns and rows and is tied to a runs row; the page shows
-- the table's first row and a bar chart where there is one; stdout is the
-- same with or without them.
local t = require "tap"
local q = t.shell_quote
local db = require "db"
local report = require "report"

local dir = t.tempdir()

local function run(script, args)
  return t.run(q(t.corpusrun) .. " scripts/" .. script .. " " .. args)
end

-- RFC 4180 records (CRLF, quoted fields with doubled quotes) as arrays.
local function parse_csv(s)
  local records, fields, field = {}, {}, {}
  local i, n, quoted = 1, #s, false
  while i <= n do
    local ch = s:sub(i, i)
    if quoted then
      if ch == '"' and s:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
      elseif ch == '"' then quoted = false
      else field[#field + 1] = ch end
    elseif ch == '"' then quoted = true
    elseif ch == "," then fields[#fields + 1] = table.concat(field); field = {}
    elseif ch == "\r" and s:sub(i + 1, i + 1) == "\n" then
      fields[#fields + 1] = table.concat(field); field = {}
      records[#records + 1] = fields; fields = {}
      i = i + 1
    else field[#field + 1] = ch end
    i = i + 1
  end
  if #field > 0 or #fields > 0 then fields[#fields + 1] = table.concat(field); records[#records + 1] = fields end
  return records
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

local database = dir .. "/results.db"
local cases = {
  { script = "freq.lua", args = "--stopwords en --top 12", table = "freq", chart = true, first = "iran" },
  { script = "kwic.lua", args = "Zakani --top 7", table = "kwic", chart = false },
  { script = "collocates.lua", args = "regime --sort logdice --min 1 --top 15", table = "collocates", chart = true },
  { script = "keyness.lua", args = "--target '000*' --top 10", table = "keyness", chart = true, first = "zakani" },
  { script = "cooccur.lua", args = "--top 10", table = "cooccur", html = false },
}
for _, case in ipairs(cases) do
  local name = case.script
  local csv, code, err = run(name, case.args .. " --format csv")
  t.is(code, 0, name .. ": CSV exits 0", err)
  local records = parse_csv(csv)
  local header = table.remove(records, 1) or {}
  t.ok(#records > 0, name .. ": the CSV has rows (" .. #records .. ")")

  local html_file = dir .. "/" .. case.table .. ".html"
  local extra = " --db " .. q(database) .. (case.html == false and "" or " --html " .. q(html_file))
  local out
  out, code, err = run(name, case.args .. " --format csv" .. extra)
  t.is(code, 0, name .. " --db --html exits 0", err)
  t.is(out, csv, name .. ": stdout is the same with --db and --html")
  local text = run(name, case.args)
  t.is((run(name, case.args .. extra)), text, name .. ": the text report is the same with --db and --html")

  -- the table: run_id, then the CSV's columns; the CSV's rows, values alike
  local h <close> = db.open(database, { readonly = true })
  local cols = h:columns(case.table)
  t.is(cols[1], "run_id", name .. ": the table starts with run_id")
  table.remove(cols, 1)
  t.is_deeply(cols, header, name .. ": the table's columns are the CSV's")
  local rows = h:query("SELECT * FROM " .. db.quote(case.table) .. " ORDER BY rowid")
  t.is(#rows, #records, name .. ": as many rows as the CSV (" .. #records .. ")")
  local same = #rows == #records
  for i, rec in ipairs(records) do
    for j, v in ipairs(rec) do
      local got = rows[i] and rows[i][header[j]]
      local want = tonumber(v) and type(got) == "number" and tonumber(v) or v
      if got ~= want then
        same = false
        t.diag(("row %d, %s: %s in the table, %s in the CSV"):format(i, header[j], tostring(got), v))
      end
    end
  end
  t.ok(same, name .. ": every value as in the CSV")
  if case.first then t.is(rows[1] and rows[1][header[1] == "rank" and "word" or header[1]], case.first,
    name .. ": first row " .. case.first) end
  local joined = h:value("SELECT count(*) FROM " .. db.quote(case.table) .. " x JOIN runs ON runs.id = x.run_id"
    .. " WHERE runs.script = ?", "scripts/" .. name)
  t.is(joined, #records, name .. ": every row's run_id references its run in runs")
  local receipt = h:value("SELECT receipt FROM runs WHERE id = (SELECT max(run_id) FROM " .. db.quote(case.table) .. ")")
  t.like(receipt or "", "\"fingerprint\"", name .. ": the runs row holds the receipt, with the corpus")

  if case.html ~= false then
    local page = slurp(html_file)
    t.like(page, "^<!DOCTYPE html>", name .. ": --html writes a page")
    local first = page:match("<tbody>\n(<tr>.-</tr>)") or ""
    local pos, found = 1, true
    for _, v in ipairs(records[1] or {}) do
      local a, b = first:find("<td>" .. report.escape(v) .. "</td>", pos, true)
      if not a then a, b = first:find('data-v="' .. report.escape(v) .. '"', pos, true) end
      if not a then found = false; t.diag("not in the first row of the page: " .. v); break end
      pos = b + 1
    end
    t.ok(found and first ~= "", name .. ": the page's table starts with the CSV's first row")
    local svg = page:find('<svg[^>]*class="chart bar%-chart"') ~= nil
    t.is(svg, case.chart, name .. (case.chart and ": a bar chart" or ": no chart"))
    if case.chart then
      local _, bars = page:gsub('<g class="bar">', "")
      t.is(bars, math.min(#records, 40), name .. ": a bar per row")
    end
    t.like(page, "<footer class=\"provenance\">.-<dd>scripts/" .. name:gsub("%%p", "%%%%%%0") .. "</dd>", name .. ": the receipt as the footer")
  end
end

-- the chart shows the chosen measure: collocates --sort logdice charts logdice
do
  local page = slurp(dir .. "/collocates.html")
  local csv = parse_csv((run("collocates.lua", "regime --sort logdice --min 1 --top 15 --format csv")))
  local lcol
  for j, c in ipairs(csv[1]) do if c == "logdice" then lcol = j end end
  local v = tonumber(csv[2][lcol])
  t.like(page, '<g class="bar"><title>' .. report.escape(csv[2][1]):gsub("%p", "%%%0") .. ": "
    .. report.format_value(v):gsub("%p", "%%%0") .. "</title>", "collocates: the bars are the --sort measure")
end

-- a re-run replaces the table; the other tables stay
do
  local _, code, err = run("freq.lua", "--stopwords en --top 3 --db " .. q(database))
  t.is(code, 0, "freq --db again exits 0", err)
  local h <close> = db.open(database, { readonly = true })
  t.is(h:value("SELECT count(*) FROM freq"), 3, "a re-run replaces the freq table")
  t.is(h:value("SELECT count(DISTINCT run_id) FROM freq"), 1, "its rows belong to the last run")
  t.is(h:value("SELECT count(*) FROM runs"), #cases * 2 + 1, "each run with --db has its runs row")
  t.is(h:value("SELECT count(*) FROM kwic"), 7, "the other scripts' tables stay")
end

-- no rows: an empty table with the columns, a page without a chart
do
  local html_file = dir .. "/empty.html"
  local _, code, err = run("kwic.lua", "nosuchwordanywhere --db " .. q(database) .. " --html " .. q(html_file))
  t.is(code, 0, "kwic with no lines and --db --html exits 0", err)
  local h <close> = db.open(database, { readonly = true })
  t.is(h:value("SELECT count(*) FROM kwic"), 0, "no lines: an empty kwic table")
  t.is_deeply(h:columns("kwic"), { "run_id", "doc", "start", "left", "match", "right" }, "with its columns")
  t.like(slurp(html_file), "<tbody>\n</tbody>", "and a page with an empty table")
end

os.execute("rm -rf " .. q(dir))
t.done()
