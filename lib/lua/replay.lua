-- replay.lua: `corpusrun replay RESULT [--force]` (docs/api/receipt.md):
-- re-checks the inputs a result's receipt records (script, corpus, files)
-- and re-runs the script, comparing its new outputs with the recorded ones.
-- It stands above the modules it re-runs through (corpus, cli) and the
-- receipts it reads (receipt.lua).
local host = require "corpusrun"
local sqlite3 = require "lsqlite3"
local receipt = require "receipt"
local corpus = require "corpus"
local cli = require "cli"

local replay = {}

local read_file, is_sqlite = receipt.read_file, receipt.is_database

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- What changed in a corpus since the receipt: a list of lines (empty: nothing).
function replay.corpus_changes(recorded)
  local ok, c = pcall(corpus.open, recorded.path)
  if not ok or not c then return { ("corpus %s cannot be opened: %s"):format(recorded.path, tostring(c)) } end
  local now = receipt._describe_corpus({ c = c, path = recorded.path })
  if now.fingerprint == recorded.fingerprint then return {} end
  local old, new = {}, {}
  for _, d in ipairs(recorded.docs or {}) do old[d[1]] = d[2] end
  for _, d in ipairs(now.docs) do new[d[1]] = d[2] end
  local added, removed, changed = {}, {}, {}
  for id, sha in pairs(new) do
    if old[id] == nil then added[#added + 1] = id elseif old[id] ~= sha then changed[#changed + 1] = id end
  end
  for id in pairs(old) do if new[id] == nil then removed[#removed + 1] = id end end
  table.sort(added); table.sort(removed); table.sort(changed)
  local lines = { ("corpus %s changed (fingerprint %s, was %s):"):format(recorded.path, now.fingerprint, recorded.fingerprint) }
  local function list(what, ids)
    if #ids > 0 then lines[#lines + 1] = ("  %d %s: %s"):format(#ids, what, table.concat(ids, ", ", 1, math.min(#ids, 10)) .. (#ids > 10 and ", ..." or "")) end
  end
  list("changed", changed); list("added", added); list("removed", removed)
  if #changed + #added + #removed == 0 then lines[#lines + 1] = "  the documents are the same but in another order" end
  return lines
end

-- Rows of every table but `runs`, without run_id columns, as sorted lines.
local function db_contents(path)
  local db = sqlite3.open(path, sqlite3.OPEN_READONLY)
  if not db then return nil end
  -- a full-text index's shadow tables (documents_fts_data ...) hold its
  -- internal layout, which depends on how the index grew: its rows are
  -- compared through the virtual table itself
  local virtual = {}
  for row in db:nrows("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'") do
    virtual[#virtual + 1] = row.name
  end
  local function shadow(name)
    for _, v in ipairs(virtual) do if name:sub(1, #v + 1) == v .. "_" then return true end end
    return false
  end
  local tables = {}
  for row in db:nrows("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'runs' AND name NOT LIKE 'sqlite_%' ORDER BY name") do
    if not shadow(row.name) then tables[#tables + 1] = row.name end
  end
  local out = {}
  for _, name in ipairs(tables) do
    local rows = {}
    local stmt = db:prepare('SELECT * FROM "' .. name:gsub('"', '""') .. '"')
    if stmt then
      local names = stmt:get_names()
      for values in stmt:rows() do
        local cells = {}
        for i, col in ipairs(names) do
          if col ~= "run_id" and col ~= "run" then cells[#cells + 1] = col .. "=" .. tostring(values[i]) end
        end
        rows[#rows + 1] = table.concat(cells, "\t")
      end
      stmt:finalize()
    end
    table.sort(rows)
    out[name] = rows
  end
  db:close()
  return out
end

local function plain(s) return (s:gsub("%p", "%%%0")) end

local function split_lines(s)
  local lines = {}
  for line in (s:sub(-1) == "\n" and s or s .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = line end
  return lines
end

local function compare_outputs(old, new, label, renames)
  if is_sqlite(old) and is_sqlite(new) then
    local a, b = db_contents(old), db_contents(new)
    local diffs = {}
    local names = {}
    for k in pairs(a or {}) do names[k] = true end
    for k in pairs(b or {}) do names[k] = true end
    local sorted = {}
    for k in pairs(names) do sorted[#sorted + 1] = k end
    table.sort(sorted)
    for _, name in ipairs(sorted) do
      local ra, rb = (a or {})[name] or {}, (b or {})[name] or {}
      local same = #ra == #rb
      if same then for i = 1, #ra do if ra[i] ~= rb[i] then same = false break end end end
      if not same then
        diffs[#diffs + 1] = ("%s: table %s differs: %s"):format(label, name, receipt.line_difference(ra, rb, "row"))
      end
    end
    return diffs
  end
  local a, b = read_file(old), read_file(new)
  if a == nil then return { label .. " is missing" } end
  a, b = receipt._without_embedded(a), b and receipt._without_embedded(b)
  -- a report's provenance footer names the run's times: not part of the result
  local stamp = "%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ"
  a, b = a:gsub(stamp, "<time>"), b and b:gsub(stamp, "<time>")
  -- nor where the re-run wrote its outputs (a footer lists the arguments)
  for _, pair in ipairs(renames or {}) do
    if b then b = b:gsub(plain(pair[2]), (pair[1]:gsub("%%", "%%%%"))) end
  end
  if b == nil then return { label .. ": the new run wrote no output" } end
  if a ~= b then
    local why = receipt.line_difference(split_lines(a), split_lines(b))
      or "the same lines, but the end of the file differs"
    return { ("%s differs from the new run's output: %s"):format(label, why) }
  end
  return {}
end

local function in_dir(dir, path)
  if dir and path:sub(1, 1) ~= "/" then return dir .. "/" .. path end
  return path
end

-- corpusrun replay RESULT [--force]
local function run(argv)
  local target, force
  for _, a in ipairs(argv) do
    if a == "--force" then force = true
    elseif a == "-h" or a == "--help" then
      io.write("usage: corpusrun replay RESULT [--force]\n",
        "  RESULT: a results database, a result file with its .receipt.json, or the receipt itself\n")
      return true
    elseif not target then target = a
    else error("unexpected argument '" .. a .. "'", 0) end
  end
  if not target then error("usage: corpusrun replay RESULT [--force]", 0) end
  local r, kind = receipt.load(target)
  if not r then error(kind, 0) end
  local problems = {}
  local now_sha = r.script and host.sha256_file(r.script)
  if not now_sha then
    problems[#problems + 1] = ("script %s is missing"):format(tostring(r.script))
  elseif now_sha ~= r.script_sha256 then
    problems[#problems + 1] = ("script %s changed (sha256 %s, was %s)"):format(r.script, now_sha, r.script_sha256)
  end
  for _, c in ipairs(r.corpora or {}) do
    for _, line in ipairs(replay.corpus_changes(c)) do problems[#problems + 1] = line end
  end
  for _, x in ipairs(r.inputs or {}) do
    local sha = host.sha256_file(in_dir(r.cwd, x.path))
    if sha ~= x.sha256 then
      problems[#problems + 1] = ("%s %s changed (sha256 %s, was %s)"):format(x.role, x.path, tostring(sha), x.sha256)
    end
  end
  for _, p in ipairs(problems) do io.stderr:write("corpusrun: replay: ", p, "\n") end
  if #problems > 0 and not force then
    return nil, "the inputs differ from the receipt; nothing was re-run (--force re-runs anyway)"
  end

  -- Re-run with every declared output redirected into a scratch directory.
  local spec = cli.describe(r.script)
  local outputs = {}
  if spec then
    for _, o in ipairs(spec.options or {}) do
      if o.type == "output" then outputs["--" .. o.name] = true; if o.short then outputs["-" .. o.short] = true end end
    end
  end
  local scratch = os.tmpname()
  os.remove(scratch)
  os.execute("mkdir -p " .. shell_quote(scratch))
  local args, pairs_out, i = {}, {}, 1
  local recorded_args = r.arguments or {}
  while i <= #recorded_args do
    local a = recorded_args[i]
    local name, value = a:match("^(%-%-[%w%-_]+)=(.*)$")
    if name and outputs[name] then
      local new = scratch .. "/" .. #pairs_out + 1 .. "-" .. value:match("[^/]*$")
      pairs_out[#pairs_out + 1] = { value, new }
      args[#args + 1] = name .. "=" .. new
    elseif outputs[a] and recorded_args[i + 1] then
      local value = recorded_args[i + 1]
      local new = scratch .. "/" .. #pairs_out + 1 .. "-" .. value:match("[^/]*$")
      pairs_out[#pairs_out + 1] = { value, new }
      args[#args + 1] = a
      args[#args + 1] = new
      i = i + 1
    else
      args[#args + 1] = a
    end
    i = i + 1
  end
  local cmd = { "cd", shell_quote(r.cwd or "."), "&&", shell_quote(host.executable or "corpusrun"), shell_quote(r.script) }
  for _, a in ipairs(args) do cmd[#cmd + 1] = shell_quote(a) end
  local command = table.concat(cmd, " ") .. " > " .. shell_quote(scratch .. "/stdout")
  local ok = os.execute(command)
  if not ok then
    os.execute("rm -rf " .. shell_quote(scratch))
    return nil, "the re-run failed: " .. command
  end
  local diffs, compared = {}, 0
  for _, pair in ipairs(pairs_out) do
    local old = pair[1] == "-" and "-" or in_dir(r.cwd, pair[1])
    local isfile = receipt.is_result_file(old)
    if isfile then
      compared = compared + 1
      for _, d in ipairs(compare_outputs(old, pair[2], pair[1], pairs_out)) do diffs[#diffs + 1] = d end
    else
      io.write("replay: not compared: ", pair[1] == "-" and "stdout is not a file" or (pair[1] .. " is not a file"), "\n")
    end
  end
  os.execute("rm -rf " .. shell_quote(scratch))
  if #pairs_out == 0 then
    io.write("replay: the script re-ran; it declares no output to compare\n")
    return true
  end
  if compared == 0 and #diffs == 0 then
    io.write("replay: the script re-ran; none of its outputs is a file to compare\n")
    return true
  end
  if #diffs > 0 then
    for _, d in ipairs(diffs) do io.stderr:write("corpusrun: replay: ", d, "\n") end
    return nil, ("the new results differ from the recorded ones (%d difference%s)"):format(#diffs, #diffs == 1 and "" or "s")
  end
  io.write(("replay: %d output%s identical to the recorded results\n"):format(compared, compared == 1 and "" or "s"))
  return true
end

-- Returns true, or nil and a message (the host prints it and exits 1).
function replay.replay_command(argv)
  local ok, res, msg = pcall(run, argv)
  if not ok then return nil, tostring(res) end
  return res, msg
end

return replay
