-- bench/lib/report.lua: print the benchmark tables from a results file.
--
--   lua5.4 bench/lib/report.lua RESULTS.tsv                 aligned text tables on stdout
--   lua5.4 bench/lib/report.lua RESULTS.tsv --doc FILE      also write Markdown tables into
--                                                            FILE between the markers
--                                                            <!-- bench:begin --> and <!-- bench:end -->
--
--   lua5.4 bench/lib/report.lua --machine                   the machine line alone
--
-- RESULTS.tsv is written by bench/lib/bench.sh: an M row holds the machine
-- line of the run (written by run-all), T rows start a table (a later T row
-- with the same id replaces the table)
-- (T id title data bytes tokens note), R rows measure a command
-- (R id label role status wall cpu rss_kb runs lines note), N rows add a note
-- under a table (N id text).

local BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

local function die(...)
  io.stderr:write("bench report: ", string.format(...), "\n")
  os.exit(1)
end

local function split(line)
  local f = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = field end
  return f
end

local machine  -- the machine line of the (latest) run, from its M row

local function load(path)
  local fh, err = io.open(path, "r")
  if not fh then die("%s", err) end
  local tables, byid = {}, {}
  local n = 0
  for line in fh:lines() do
    n = n + 1
    local f = split(line)
    if f[1] == "M" then
      machine = f[2]
    elseif f[1] == "T" then
      local t = { id = f[2], title = f[3], data = f[4], bytes = tonumber(f[5]) or 0,
                  tokens = tonumber(f[6]) or 0, note = f[7] or "", rows = {} }
      local old = byid[t.id]
      if old then  -- measured again (BENCH_KEEP=1): the new table takes the old one's place
        for k in pairs(old) do old[k] = nil end
        for k, v in pairs(t) do old[k] = v end
        t = old
      else
        tables[#tables + 1] = t
      end
      byid[t.id] = t
    elseif f[1] == "R" then
      local t = byid[f[2]] or die("%s:%d: row for unknown table %q", path, n, tostring(f[2]))
      t.rows[#t.rows + 1] = { label = f[3], role = f[4], status = f[5], wall = tonumber(f[6]),
        cpu = tonumber(f[7]), rss = tonumber(f[8]), runs = tonumber(f[9]) or 0,
        lines = tonumber(f[10]), note = f[11] or "" }
    elseif f[1] == "N" then
      local t = byid[f[2]] or die("%s:%d: note for unknown table %q", path, n, tostring(f[2]))
      t.notes = t.notes or {}
      t.notes[#t.notes + 1] = f[3] or ""
    elseif line ~= "" then
      die("%s:%d: not a results line", path, n)
    end
  end
  fh:close()
  return tables
end

local function fmt(x, digits)
  if not x or x ~= x or x == math.huge then return "-" end
  return string.format("%." .. digits .. "f", x)
end

local function rate(amount, secs, scale, digits)
  if not secs or secs <= 0 or amount <= 0 then return "-" end
  return fmt(amount / scale / secs, digits)
end

local HEAD = { "command", "median s", "MB/s", "M tok/s", "peak RSS MB", "CPU s", "× ref", "runs", "out lines", "note" }
local RIGHT = { false, true, true, true, true, true, true, true, true, false }

-- The cells of one table: a list of rows, each a list of strings.
local function cells(t)
  local ref
  for _, r in ipairs(t.rows) do
    if r.role == "ref" and r.status == "ok" then ref = r end
  end
  local out = {}
  for _, r in ipairs(t.rows) do
    local label = r.label .. (r.role == "ref" and " (ref)" or "")
    if r.status == "ok" then
      out[#out + 1] = { label, fmt(r.wall, 3), rate(t.bytes, r.wall, 1e6, 1), rate(t.tokens, r.wall, 1e6, 2),
        fmt((r.rss or 0) / 1024, 1), fmt(r.cpu, 2),
        ref and ref.wall > 0 and fmt(r.wall / ref.wall, 2) or "-",
        tostring(r.runs), r.lines and tostring(r.lines) or "-", r.note }
    else
      out[#out + 1] = { label, "-", "-", "-", "-", "-", "-", tostring(r.runs), "-",
        (r.status == "failed" and "failed: " or "") .. r.note }
    end
  end
  return out, ref
end

local function width(s) return utf8.len(s) or #s end

local function pad(s, w, right)
  local gap = string.rep(" ", w - width(s))
  return right and gap .. s or s .. gap
end

local function caption(t, ref)
  local c = string.format("%s — %s, %.1f MB, %.2f M tokens", t.title, t.data, t.bytes / 1e6, t.tokens / 1e6)
  if ref then c = c .. "; reference: " .. ref.label end
  return c
end

local function text_table(t)
  local rows, ref = cells(t)
  local w = {}
  for i, h in ipairs(HEAD) do w[i] = width(h) end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do w[i] = math.max(w[i], width(c)) end
  end
  local lines = { caption(t, ref) }
  if t.note ~= "" then lines[#lines + 1] = t.note end
  local function line(r)
    local parts = {}
    for i, c in ipairs(r) do parts[i] = pad(c, w[i], RIGHT[i]) end
    return (table.concat(parts, "  "):gsub("%s+$", ""))
  end
  lines[#lines + 1] = line(HEAD)
  local rule = {}
  for i = 1, #HEAD do rule[i] = string.rep("-", w[i]) end
  lines[#lines + 1] = table.concat(rule, "  ")
  for _, r in ipairs(rows) do lines[#lines + 1] = line(r) end
  for _, note in ipairs(t.notes or {}) do lines[#lines + 1] = "note: " .. note end
  return table.concat(lines, "\n")
end

local function md_escape(s) return (s:gsub("|", "\\|")) end

local function md_table(t)
  local rows, ref = cells(t)
  local lines = { "### " .. md_escape(caption(t, ref)), "" }
  if t.note ~= "" then lines[#lines + 1] = md_escape(t.note); lines[#lines + 1] = "" end
  local function line(r)
    local parts = {}
    for i, c in ipairs(r) do parts[i] = md_escape(i == 1 and "`" .. c .. "`" or c) end
    return "| " .. table.concat(parts, " | ") .. " |"
  end
  local head = {}
  for i, h in ipairs(HEAD) do head[i] = md_escape(h) end
  lines[#lines + 1] = "| " .. table.concat(head, " | ") .. " |"
  local align = {}
  for i = 1, #HEAD do align[i] = RIGHT[i] and "---:" or "---" end
  lines[#lines + 1] = "|" .. table.concat(align, "|") .. "|"
  for _, r in ipairs(rows) do lines[#lines + 1] = line(r) end
  if t.notes then
    lines[#lines + 1] = ""
    for _, note in ipairs(t.notes) do lines[#lines + 1] = "- " .. md_escape(note) end
  end
  return table.concat(lines, "\n")
end

local function capture(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  if not p then return "" end
  local s = p:read("a") or ""
  p:close()
  return (s:gsub("%s+$", ""))
end

local function machine_line()  -- cores, CPU, memory, kernel, date, size, repetitions
  local model = capture("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1")
  return string.format("Machine: %s cores, %s, %s MB RAM, Linux %s; measured %s; BENCH_SIZE=%s, BENCH_REPS=%s.",
    capture("nproc"), model ~= "" and model or "unknown CPU",
    capture("awk '/^MemTotal/ { printf \"%d\", $2 / 1024 }' /proc/meminfo"),
    capture("uname -r"), capture("date -u '+%Y-%m-%d %H:%M UTC'"),
    os.getenv("BENCH_SIZE") or "100M", os.getenv("BENCH_REPS") or "3")
end

local function the_machine() return machine or machine_line() end

local function write_doc(path, tables)
  local fh = io.open(path, "r")
  local old = fh and fh:read("a") or ""
  if fh then fh:close() end
  local parts = { BEGIN, "", the_machine(), "" }
  for _, t in ipairs(tables) do parts[#parts + 1] = md_table(t); parts[#parts + 1] = "" end
  parts[#parts + 1] = END
  local block = table.concat(parts, "\n")
  local a, b = old:find(BEGIN, 1, true)
  local c, d = old:find(END, 1, true)
  local new
  if a and c and c > b then
    new = old:sub(1, a - 1) .. block .. old:sub(d + 1)
  else
    new = (old ~= "" and old:gsub("\n*$", "\n\n") or "# Performance\n\n") .. block .. "\n"
  end
  local out, err = io.open(path .. ".part", "w")
  if not out then die("%s", err) end
  assert(out:write(new))
  assert(out:close())
  assert(os.rename(path .. ".part", path))
end

if arg[1] == "--machine" then
  print(machine_line())
  return
end
local results = arg[1] or die("usage: report.lua RESULTS.tsv [--doc FILE] | --machine")
local tables = load(results)
print(the_machine())
for _, t in ipairs(tables) do
  print()
  print(text_table(t))
end
if arg[2] == "--doc" then
  write_doc(arg[3] or die("--doc: missing file"), tables)
end
