-- cli.lua: declared command-line arguments for corpusrun scripts.
--
-- A script keeps its declaration in a leading table literal,
--
--   local spec = {
--     name = "freq", version = "1.0.0",
--     description = "Word frequencies of a corpus.",
--     options = {
--       { name = "corpus", short = "c", type = "corpus", help = "corpus to read" },
--       { name = "top", type = "integer", min = 1, default = 20, help = "rows to print" },
--     },
--   }
--   local cli = require "cli"
--   local opts = cli.parse(spec, arg)
--
-- so that `cli.describe(path)` can read the declaration from the file text
-- without running the script.
local host = require "corpusrun"
local progress = require "progress"
local receipt = require "receipt"

local cli = {}

local TYPES = {
  string = true, integer = true, number = true, boolean = true, enum = true,
  file = true, corpus = true, output = true, path = true,
}

local METAVAR = {
  string = "TEXT", integer = "N", number = "X", enum = "CHOICE",
  file = "FILE", corpus = "PATH", output = "FILE", path = "PATH",
}

-- An error in the declaration itself is the script author's mistake: raise.
local function spec_error(msg) error("cli: bad spec: " .. msg, 3) end

local function key_of(o) return o.key or (o.name:gsub("-", "_")) end

-- Checks a spec and returns the lookup tables for long and short names.
local function compile(spec)
  if type(spec) ~= "table" then spec_error("spec must be a table") end
  if type(spec.name) ~= "string" or spec.name == "" then spec_error("spec.name must be a non-empty string") end
  local options = spec.options or {}
  if type(options) ~= "table" then spec_error("spec.options must be a list") end
  local long, short, list = {}, {}, {}
  for i, o in ipairs(options) do
    if type(o) ~= "table" then spec_error("option " .. i .. " must be a table") end
    if o.name == nil and type(o[1]) == "string" then o.name = o[1] end
    if type(o.name) ~= "string" or not o.name:match("^%a[%w%-_]*$") then
      spec_error("option " .. i .. " needs a name of letters, digits, - and _")
    end
    o.type = o.type or (o.choices and "enum") or "string"
    if not TYPES[o.type] then spec_error("option --" .. o.name .. ": unknown type '" .. tostring(o.type) .. "'") end
    if o.type == "enum" and (type(o.choices) ~= "table" or #o.choices == 0) then
      spec_error("option --" .. o.name .. ": an enum needs choices")
    end
    if o.name == "help" or o.name == "version" then spec_error("option --" .. o.name .. " is reserved") end
    if o.output ~= nil and type(o.output) ~= "boolean" then
      spec_error("option --" .. o.name .. ": output must be true or false")
    end
    if long[o.name] then spec_error("option --" .. o.name .. " declared twice") end
    long[o.name] = o
    if o.short ~= nil then
      if type(o.short) ~= "string" or not o.short:match("^%a$") or o.short == "h" then
        spec_error("option --" .. o.name .. ": short must be one letter other than h")
      end
      if short[o.short] then spec_error("short option -" .. o.short .. " declared twice") end
      short[o.short] = o
    end
    list[#list + 1] = o
  end
  local positional = spec.args or {}
  for i, p in ipairs(positional) do
    if type(p) ~= "table" or type(p.name) ~= "string" then spec_error("argument " .. i .. " needs a name") end
    p.type = p.type or (p.choices and "enum") or "string"
    if not TYPES[p.type] or p.type == "boolean" then spec_error("argument " .. p.name .. ": bad type") end
    if p.repeatable and i ~= #positional then spec_error("only the last argument may be repeatable") end
  end
  return { long = long, short = short, list = list, args = positional }
end

-- ---- values -----------------------------------------------------------------

local function is_glob(s) return s:find("[%*%?%[]") ~= nil end

-- Whether path exists, without opening it (under --sandbox the directory of
-- an output may be looked at, not read).
local function exists(path)
  if host.file_kind then return host.file_kind(path) ~= nil end
  local f = io.open(path, "rb")
  if f then f:close(); return true end
  return false
end

-- Under --merge, --map and --reduce the first fold does not read the corpus
-- (fold.lua), which is opened only if the script reads it later: a corpus
-- path need not exist then.
local function corpus_deferred()
  local cl = host.cluster
  return type(cl) == "table" and (cl.merge or cl.map or cl.reduce) ~= nil
end

local function is_readable_file(path)
  local f, err = io.open(path, "rb")
  if not f then return false, err end
  local okr, rerr = f:read(0)
  f:close()
  if okr == nil and rerr then return false, path .. ": " .. rerr end
  return true
end

local function parent_dir(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

local function choices_text(o)
  local shown = {}
  for _, c in ipairs(o.choices or {}) do shown[#shown + 1] = tostring(c) end
  return table.concat(shown, "|")
end

-- Converts and checks one value; returns the value or nil, reason.
local function convert(o, s)
  local t = o.type
  local v
  if t == "integer" then
    local n = tonumber(s)
    v = n and math.tointeger(n)
    if v == nil then return nil, "expected an integer, got '" .. s .. "'" end
  elseif t == "number" then
    v = tonumber(s)
    if v == nil or v ~= v or v == math.huge or v == -math.huge then
      return nil, "expected a number, got '" .. s .. "'"
    end
  elseif t == "enum" then
    for _, c in ipairs(o.choices) do
      if tostring(c) == s then v = c end
    end
    if v == nil then return nil, "expected one of " .. choices_text(o) .. ", got '" .. s .. "'" end
  elseif t == "file" then
    local okf, err = is_readable_file(s)
    if not okf then return nil, "cannot read file '" .. s .. "'" .. (err and (" (" .. err .. ")") or "") end
    v = s
  elseif t == "corpus" then
    if s == "" then return nil, "empty corpus path" end
    if not is_glob(s) and not exists(s) and not corpus_deferred() then return nil, "no such corpus '" .. s .. "'" end
    v = s
  elseif t == "output" then
    if s == "" then return nil, "empty output path" end
    if s ~= "-" then
      local dir = parent_dir(s)
      if not exists(dir) then return nil, "directory '" .. dir .. "' of output '" .. s .. "' does not exist" end
      local f = io.open(s, "rb")
      if f then
        local okr, rerr = f:read(0)
        f:close()
        if okr == nil and rerr and rerr:find("directory") then return nil, "output '" .. s .. "' is a directory" end
      end
    end
    v = s
  else -- string, path
    v = s
  end
  if (t == "integer" or t == "number") then
    if o.min and v < o.min then return nil, "must be at least " .. tostring(o.min) .. ", got " .. s end
    if o.max and v > o.max then return nil, "must be at most " .. tostring(o.max) .. ", got " .. s end
  end
  if t == "string" and o.choices then
    local found = false
    for _, c in ipairs(o.choices) do if c == s then found = true end end
    if not found then return nil, "expected one of " .. choices_text(o) .. ", got '" .. s .. "'" end
  end
  if o.patterns then
    local found = false
    for _, p in ipairs(o.patterns) do if s:find("^" .. p .. "$") then found = true end end
    if not found then
      return nil, "expected " .. (o.metavar or table.concat(o.patterns, "|")) .. ", got '" .. s .. "'"
    end
  end
  return v
end

-- cli.distance(a, b): the Levenshtein distance of two strings, in bytes,
-- for "did you mean" hints (options here, script names, entity names).
function cli.distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    local ai = a:byte(i)
    for j = 1, #b do
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ai == b:byte(j) and 0 or 1))
    end
    prev = cur
  end
  return prev[#b]
end
local distance = cli.distance

local function suggestion(c, name)
  local best, bestd
  for _, o in ipairs(c.list) do
    local d = distance(name, o.name)
    if o.name:sub(1, #name) == name then d = 0 end
    if d <= 2 and (bestd == nil or d < bestd) then best, bestd = o.name, d end
  end
  return best and (" (did you mean --" .. best .. "?)") or ""
end

-- ---- help -------------------------------------------------------------------

local function option_label(o)
  local label = (o.short and ("-" .. o.short .. ", ") or "    ") .. "--" .. o.name
  if o.type ~= "boolean" then
    local mv = o.metavar
    if not mv then
      if o.type == "enum" or (o.type == "string" and o.choices) then mv = choices_text(o)
      else mv = METAVAR[o.type] end
    end
    label = label .. " " .. mv
  end
  return label
end

local function option_notes(o)
  local notes = {}
  if o.type == "integer" or o.type == "number" then
    if o.min and o.max then notes[#notes + 1] = tostring(o.min) .. ".." .. tostring(o.max)
    elseif o.min then notes[#notes + 1] = ">= " .. tostring(o.min)
    elseif o.max then notes[#notes + 1] = "<= " .. tostring(o.max) end
  end
  if o.type == "file" then notes[#notes + 1] = "must exist" end
  if o.required then notes[#notes + 1] = "required" end
  if o.repeatable then notes[#notes + 1] = "repeatable" end
  if o.default ~= nil and o.type ~= "boolean" then
    local d = o.default
    if type(d) == "table" then
      local parts = {}
      for _, x in ipairs(d) do parts[#parts + 1] = tostring(x) end
      d = table.concat(parts, ",")
    end
    notes[#notes + 1] = "default: " .. tostring(d)
  end
  if #notes == 0 then return "" end
  return " (" .. table.concat(notes, "; ") .. ")"
end

-- Wraps text to width, indenting continuation lines by indent spaces.
local function wrap(text, width, indent)
  local lines, line = {}, ""
  for word in text:gmatch("%S+") do
    if line ~= "" and #line + 1 + #word > width then
      lines[#lines + 1] = line
      line = word
    else
      line = line == "" and word or (line .. " " .. word)
    end
  end
  if line ~= "" then lines[#lines + 1] = line end
  return table.concat(lines, "\n" .. string.rep(" ", indent))
end

-- How the usage line names a script run as `path` (arg[0]): relative to
-- the working directory when it lies under it, else as given.
function cli.script_name(path)
  if type(path) ~= "string" or path == "" then return nil end
  if path:sub(1, 1) == "/" then
    local cwd = host.cwd and host.cwd()
    if cwd and cwd ~= "/" and path:sub(1, #cwd + 1) == cwd .. "/" then return path:sub(#cwd + 2) end
  end
  return path
end

-- The generated usage text of a spec; script: the path the script was run
-- as (default: spec.script, else scripts/NAME.lua).
function cli.help(spec, script)
  local c = compile(spec)
  local out = {}
  local shown = spec.script or cli.script_name(script) or ("scripts/" .. spec.name .. ".lua")
  local usage = "Usage: corpusrun " .. shown .. " [options]"
  for _, p in ipairs(c.args) do
    local a = (p.metavar or p.name:upper()) .. (p.repeatable and " ..." or "")
    usage = usage .. " " .. ((p.required == false or p.default ~= nil) and ("[" .. a .. "]") or a)
  end
  out[#out + 1] = usage
  if spec.description then out[#out + 1] = ""; out[#out + 1] = wrap(spec.description, 78, 0) end
  if #c.args > 0 then
    out[#out + 1] = ""
    out[#out + 1] = "Arguments:"
    for _, p in ipairs(c.args) do
      local label = "  " .. (p.metavar or p.name:upper())
      local text = (p.help or "") .. option_notes(p)
      out[#out + 1] = label .. string.rep(" ", math.max(1, 28 - #label)) .. wrap(text, 50, 28)
    end
  end
  out[#out + 1] = ""
  out[#out + 1] = "Options:"
  local rows = {}
  for _, o in ipairs(c.list) do rows[#rows + 1] = { option_label(o), (o.help or "") .. option_notes(o) } end
  rows[#rows + 1] = { "-h, --help", "show this help and exit" }
  rows[#rows + 1] = { "    --version", "print " .. spec.name .. "'s version and exit" }
  local width = 0
  for _, r in ipairs(rows) do width = math.max(width, #r[1] + 4) end
  width = math.min(width, 32)
  for _, r in ipairs(rows) do
    local label = "  " .. r[1]
    if #label + 2 > width then
      out[#out + 1] = label
      out[#out + 1] = string.rep(" ", width) .. wrap(r[2], math.max(30, 78 - width), width)
    else
      out[#out + 1] = label .. string.rep(" ", width - #label) .. wrap(r[2], math.max(30, 78 - width), width)
    end
  end
  if spec.examples then
    out[#out + 1] = ""
    out[#out + 1] = "Examples:"
    for _, e in ipairs(spec.examples) do out[#out + 1] = "  " .. e end
  end
  return table.concat(out, "\n") .. "\n"
end

function cli.version_text(spec)
  return spec.name .. " " .. tostring(spec.version or "0") .. "\n"
end

-- ---- parsing ----------------------------------------------------------------

local last   -- the argv of the last successful parse and its fold arguments

local function canonical(v)
  if math.type(v) == "float" then return ("%.17g"):format(v) end
  return tostring(v)
end

-- See cli.fold_arguments.
local function fold_list(c, values)
  local out = {}
  local function add(prefix, v)
    if type(v) == "table" then
      for _, x in ipairs(v) do out[#out + 1] = prefix .. canonical(x) end
    elseif v ~= nil and v ~= false then
      out[#out + 1] = prefix .. canonical(v)
    end
  end
  for _, o in ipairs(c.list) do
    if not o.output then add("--" .. o.name .. "=", values[key_of(o)]) end
  end
  for _, p in ipairs(c.args) do add(p.name:upper() .. "=", values[key_of(p)]) end
  return out
end

-- The format a file name's extension names.
local EXTENSION_FORMATS = {
  txt = "text", text = "text", csv = "csv", tsv = "tsv", tab = "tsv", json = "json", md = "md",
  markdown = "md", html = "html", htm = "html", gexf = "gexf", graphml = "graphml", jsonl = "jsonl",
}

-- A script with both an --out FILE and a --format enum writes FILE in the
-- format its extension names when --format is not given (f.csv: csv);
-- an extension the script cannot write is an error, an unknown one (or
-- none) keeps the default.  Returns an error message or nil.
local function infer_format(c, values, seen)
  local fo, oo = c.long.format, c.long.out
  if not (fo and oo and fo.type == "enum" and oo.type == "output") or seen[fo] then return nil end
  local out = values[key_of(oo)]
  if type(out) ~= "string" or out == "-" then return nil end
  local ext = out:match("%.([%w]+)$")
  local fmt = ext and EXTENSION_FORMATS[ext:lower()]
  if not fmt then return nil end
  for _, choice in ipairs(fo.choices) do
    if choice == fmt then
      values[key_of(fo)] = fmt
      return nil
    end
  end
  local other = c.long[fmt]
  local hint = (other and other.type == "output") and ("; use --" .. fmt .. " " .. out .. " for " .. fmt) or ""
  return "--out " .. out .. ": cannot write " .. fmt .. " there (--format " .. choices_text(fo) .. hint .. ")"
end

-- Parses argv (an array, e.g. the global arg) against spec; argv[0], the
-- script's path, names it in the usage line.
-- Returns values, or nil, message, status: status 0 with the help or version
-- text, status 2 with an error message naming the bad option.
-- A boolean option named quiet, when true, also silences progress lines
-- (progress.quiet), c:fold's included.
function cli.try(spec, argv)
  local c = compile(spec)
  argv = argv or {}
  local values, seen, positional = {}, {}, {}
  local function fail(msg) return nil, spec.name .. ": " .. msg .. "\n(try --help)\n", 2 end

  local function set(o, raw, shown)
    local v, why = convert(o, raw)
    if v == nil then return why and (shown .. ": " .. why) end
    local k = key_of(o)
    if o.repeatable then
      if not seen[o] then values[k] = {} end
      values[k][#values[k] + 1] = v
    else
      if seen[o] then return shown .. ": given more than once" end
      values[k] = v
    end
    seen[o] = true
  end

  local n = #argv
  local i, only_positional = 1, false
  while i <= n do
    local a = argv[i]
    if type(a) ~= "string" then a = tostring(a) end
    if only_positional or a == "-" or a:sub(1, 1) ~= "-" then
      positional[#positional + 1] = a
    elseif a == "--" then
      only_positional = true
    elseif a == "--help" or a == "-h" then
      return nil, cli.help(spec, argv[0]), 0
    elseif a == "--version" then
      return nil, cli.version_text(spec), 0
    elseif a:sub(1, 2) == "--" then
      local name, inline = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      local o = c.long[name]
      local negated = false
      if not o and name:sub(1, 3) == "no-" and c.long[name:sub(4)] and c.long[name:sub(4)].type == "boolean"
         and c.long[name:sub(4)].negatable then
        o, negated = c.long[name:sub(4)], true
      end
      if not o then return fail("unknown option --" .. name .. suggestion(c, name)) end
      if o.type == "boolean" then
        if inline ~= nil then
          if inline == "true" or inline == "yes" or inline == "1" then values[key_of(o)] = not negated
          elseif inline == "false" or inline == "no" or inline == "0" then values[key_of(o)] = negated
          else return fail("--" .. name .. ": expected true or false, got '" .. inline .. "'") end
        else
          values[key_of(o)] = not negated
        end
        seen[o] = true
      else
        local raw = inline
        if raw == nil then
          i = i + 1
          raw = argv[i]
          if raw == nil then return fail("--" .. name .. ": missing value (" .. option_label(o):gsub("^%s*%-?%a?,?%s*", "") .. ")") end
        end
        local err = set(o, raw, "--" .. name)
        if err then return fail(err) end
      end
    else
      -- short options: -c PATH, -cPATH, and clusters of boolean flags (-qv)
      local j = 2
      while j <= #a do
        local ch = a:sub(j, j)
        local o = c.short[ch]
        if not o then return fail("unknown option -" .. ch) end
        if o.type == "boolean" then
          values[key_of(o)] = true
          seen[o] = true
          j = j + 1
        else
          local raw = a:sub(j + 1)
          if raw == "" then
            i = i + 1
            raw = argv[i]
            if raw == nil then return fail("-" .. ch .. " (--" .. o.name .. "): missing value") end
          end
          local err = set(o, raw, "-" .. ch .. " (--" .. o.name .. ")")
          if err then return fail(err) end
          break
        end
      end
    end
    i = i + 1
  end

  -- positional arguments
  local pi = 1
  for _, p in ipairs(c.args) do
    local k = key_of(p)
    if p.repeatable then
      local list = {}
      while pi <= #positional do
        local v, why = convert(p, positional[pi])
        if v == nil then return fail(p.name:upper() .. ": " .. why) end
        list[#list + 1] = v
        pi = pi + 1
      end
      if #list == 0 and p.required ~= false and p.default == nil then
        return fail("missing argument " .. (p.metavar or p.name:upper()))
      end
      values[k] = #list > 0 and list or p.default
    elseif positional[pi] ~= nil then
      local v, why = convert(p, positional[pi])
      if v == nil then return fail(p.name:upper() .. ": " .. why) end
      values[k] = v
      pi = pi + 1
    elseif p.required ~= false and p.default == nil then
      return fail("missing argument " .. (p.metavar or p.name:upper()))
    else
      values[k] = p.default
    end
  end
  if pi <= #positional then return fail("unexpected argument '" .. positional[pi] .. "'") end

  -- defaults and required options
  for _, o in ipairs(c.list) do
    local k = key_of(o)
    if not seen[o] and values[k] == nil then
      if o.required then return fail("missing required option --" .. o.name) end
      if o.default ~= nil then
        if type(o.default) == "table" then
          local copy = {}
          for x, y in pairs(o.default) do copy[x] = y end
          values[k] = copy
        else
          values[k] = o.default
        end
      elseif o.type == "boolean" then
        values[k] = false
      elseif o.repeatable then
        values[k] = {}
      end
    end
  end
  local ferr = infer_format(c, values, seen)
  if ferr then return fail(ferr) end
  if c.long.quiet and c.long.quiet.type == "boolean" and values[key_of(c.long.quiet)] == true then
    progress.quiet = true
  end
  last = { argv = argv, fold_args = fold_list(c, values) }
  return values
end

-- What may change what the script accumulates, as parsed from argv by the
-- last cli.try or cli.parse (nil when that was not argv): one "--name=value"
-- for each option not declared output = true, with its value given or by
-- default (in the order of the spec; a boolean only when true; a repeatable
-- option once per value), then one "NAME=value" per positional argument.
-- So `-c x` and `--corpus=x` are the same, and so are a default and the
-- same value given.  `--merge` compares these with what the shards had.
function cli.fold_arguments(argv)
  if not (last and rawequal(last.argv, argv)) then return nil end
  local copy = {}
  for i, a in ipairs(last.fold_args) do copy[i] = a end
  return copy
end

-- Like cli.try, but prints help or version to stdout and exits 0, or prints
-- the error to stderr and exits 2.  `exit` (optional) replaces os.exit.
function cli.parse(spec, argv, exit)
  local values, msg, status = cli.try(spec, argv)
  if values then
    -- the files the script reads go into its provenance receipt
    receipt.note_options(spec, values)
    return values
  end
  if status == 0 then io.stdout:write(msg); io.stdout:flush()
  else io.stderr:write(msg); io.stderr:flush() end
  ;(exit or os.exit)(status)
  return nil, msg, status
end

-- ---- describe: read a script's spec without running it ----------------------

-- A small Lua lexer for the spec literal: returns the tokens of src from
-- position pos through the brace that closes the one at pos.  Only data is
-- allowed: strings, numbers, true/false/nil, field names before '=', the
-- punctuation { } [ ] = , ; unary minus and '..' between literals.  Anything else (calls,
-- functions, operators, variables) is refused, so evaluating the literal can
-- neither run code nor loop.
local function scan_literal(src, pos, chunkname)
  local depth = 0
  local i = pos
  local len = #src
  local function line_of(p)
    local _, n = src:sub(1, p):gsub("\n", "")
    return n + 1
  end
  local function bad(msg, p) return nil, chunkname .. ":" .. line_of(p) .. ": " .. msg end
  local prev -- previous significant token kind
  while i <= len do
    local ch = src:sub(i, i)
    if ch:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local eq = src:match("^%[(=*)%[", i + 2)
      if eq then
        local close = src:find("]" .. eq .. "]", i, true)
        if not close then return bad("unfinished long comment", i) end
        i = close + #eq + 2
      else
        local nl = src:find("\n", i, true)
        i = nl and nl + 1 or len + 1
      end
    elseif ch == "{" then
      depth = depth + 1; prev = "{"; i = i + 1
    elseif ch == "}" then
      depth = depth - 1; prev = "}"; i = i + 1
      if depth == 0 then return i - 1 end
    elseif ch == "," or ch == ";" or ch == "=" or ch == "[" or ch == "]" then
      if ch == "[" and src:match("^%[=*%[", i) then
        local eq = src:match("^%[(=*)%[", i)
        local close = src:find("]" .. eq .. "]", i, true)
        if not close then return bad("unfinished long string", i) end
        i = close + #eq + 2
        prev = "value"
      else
        if ch == "=" and src:sub(i + 1, i + 1) == "=" then return bad("operators are not allowed in a spec", i) end
        prev = ch; i = i + 1
      end
    elseif ch == '"' or ch == "'" then
      local j = i + 1
      while true do
        local c2 = src:sub(j, j)
        if c2 == "" or c2 == "\n" then return bad("unfinished string", i) end
        if c2 == "\\" then j = j + 2
        elseif c2 == ch then break
        else j = j + 1 end
      end
      i = j + 1
      prev = "value"
    elseif src:sub(i, i + 2) == "..." then
      return bad("'...' is not allowed in a spec (only literal data)", i)
    elseif src:sub(i, i + 1) == ".." then
      -- concatenation of literals: strings and numbers only, no metamethods
      prev = ".."; i = i + 2
    elseif ch:match("%d") or (ch == "." and src:sub(i + 1, i + 1):match("%d")) then
      local num = src:match("^0[xX][%x%.]+[pP]?[%+%-]?%x*", i) or src:match("^%d*%.?%d*[eE][%+%-]?%d+", i)
                  or src:match("^%d*%.?%d*", i)
      i = i + #num
      prev = "value"
    elseif ch == "-" then
      if not src:sub(i + 1):match("^%s*[%d%.]") then return bad("operators are not allowed in a spec", i) end
      i = i + 1
    elseif ch:match("[%a_]") then
      local name = src:match("^[%a_][%w_]*", i)
      local after = src:match("^%s*(.)", i + #name)
      if name == "true" or name == "false" or name == "nil" then
        prev = "value"
      elseif after == "=" and not src:match("^%s*==", i + #name) and (prev == "{" or prev == "," or prev == ";") then
        prev = "name"
      else
        return bad("'" .. name .. "' is not allowed in a spec (only literal data)", i)
      end
      i = i + #name
    else
      return bad("'" .. ch .. "' is not allowed in a spec (only literal data)", i)
    end
  end
  return bad("unfinished spec table", pos)
end

-- Extracts the leading `local spec = { ... }` of a script's text and
-- evaluates it as data; returns the spec table or nil, message.
function cli.describe_text(src, chunkname)
  chunkname = chunkname or "script"
  local start = src:find("^local%s+spec%s*=%s*{") or src:find("\nlocal%s+spec%s*=%s*{")
  if not start then return nil, chunkname .. ": no leading 'local spec = { ... }' declaration" end
  -- everything before it must be comments, blank lines or a #! line
  local before = src:sub(1, start - 1)
  before = before:gsub("^#![^\n]*", "")
  before = before:gsub("%-%-%[(=*)%[.-%]%1%]", ""):gsub("%-%-[^\n]*", "")
  if before:find("%S") then return nil, chunkname .. ": the spec must come first, before any code" end
  local open = src:find("{", start, true)
  local close, err = scan_literal(src, open, chunkname)
  if not close then return nil, err end
  local literal = src:sub(open, close)
  local fn, lerr = load("return " .. literal, "=" .. chunkname, "t", {})
  if not fn then return nil, lerr end
  local okc, spec = pcall(fn)
  if not okc then return nil, tostring(spec) end
  local okv, verr = pcall(compile, spec)
  if not okv then return nil, chunkname .. ": " .. tostring(verr):gsub("^.-cli: ", "cli: ") end
  return spec
end

-- Reads a script file and returns its declared spec (see describe_text).
function cli.describe(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local src = f:read("a")
  f:close()
  if not src then return nil, path .. ": cannot read" end
  return cli.describe_text(src, path)
end

-- The header `corpusrun --describe PATH` prints: name, version, description
-- and the generated option list (the usage line names PATH).
function cli.describe_header(spec, path)
  return spec.name .. " " .. tostring(spec.version or "0") .. "\n" .. cli.help(spec, path)
end

return cli
