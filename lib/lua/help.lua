-- help.lua: documentation at the REPL, from the same Markdown files as the
-- reference (docs/api/<module>.md).
--
--   help()                 -- the modules, one line each
--   help(tokenize)         -- a module: its introduction and its functions
--   help(tokenize.words)   -- a function: its section, examples included
--   help("pretty.format")  -- by name
--
-- `help` is callable; help.text(x) returns what help(x) prints.
local help = {}

-- Where docs/api is: help.docdir when set, else $CORPUSRUN_DOCS, else found
-- from package.path (lib/lua in the source tree, share/corpusrun/lua after
-- installation).
help.docdir = nil

-- Modules listed by help() whether or not they are loaded (when documented).
help.known = { "corpus", "tokenize", "lsqlite3", "sqlite3", "count", "match", "report",
  "stats", "kwic", "cli", "pretty", "help", "complete" }

-- The page of a module whose functions are documented under another page or
-- name: require "lsqlite3complete" and the REPL's global sqlite3 are
-- lsqlite3, corpusdb is documented in db.md, replay in receipt.md.
help.pages = { lsqlite3complete = "lsqlite3", sqlite3 = "lsqlite3", corpusdb = "db", replay = "receipt" }

-- The names a module's functions go by in headings besides its own
-- ("sqlite3.open" for lsqlite3.open).
help.aliases = { lsqlite3 = { "sqlite3" }, lsqlite3complete = { "lsqlite3", "sqlite3" },
  sqlite3 = { "lsqlite3" } }

-- Types (metatable names) whose methods are documented: the page (or the
-- pages, in the order they are searched), then the
-- variable names its headings use for an object of the type ("db:exec" is a
-- method of corpusrun.Database in lsqlite3.md; "h:exec" of corpusrun.DB in
-- db.md). A method of a type listed here is looked up only there.
help.types = {
  ["corpusrun.Corpus"] = { { "corpus", "fold", "query" }, "c" },
  ["corpusrun.CorpusDB"] = { { "db", "corpus", "fold", "query" }, "c" }, -- its own c:search, and every corpus's methods
  ["corpusrun.IndexCorpus"] = { { "corpus", "fold", "query" }, "c" },     -- an indexed corpus (corpus.index)
  ["corpusrun.DB"] = { "db", "h" },
  ["corpusrun.Freq"] = { "count", "f" },
  ["corpusrun.Ngrams"] = { "count", "f" },
  ["corpusrun.Cooc"] = { "count", "c", "f" },
  ["corpusrun.DTM"] = { "count", "d" },
  ["corpusrun.Gazetteer"] = { "match", "g" },
  ["corpusrun.Database"] = { "lsqlite3", "db" },
  ["corpusrun.Statement"] = { "lsqlite3", "stmt" },
  ["corpusrun.Context"] = { "lsqlite3", "ctx" },
  ["corpusrun.Backup"] = { "lsqlite3", "bu" },
  ["corpusrun.Progress"] = { "progress", "p" },
  ["corpusrun.Lock"] = { "flock", "lock" },
}

local stdlib = { _G = true, string = true, table = true, math = true, io = true, os = true,
  coroutine = true, utf8 = true, debug = true, package = true }

local function readable(path)
  local f = io.open(path, "r")
  if not f then return false end
  local ok = f:read(0) ~= nil or f:read("a") == ""
  f:close()
  return ok
end

local function docdir()
  if help.docdir then return help.docdir end
  local env = os.getenv("CORPUSRUN_DOCS")
  if env and env ~= "" then return env end
  for template in package.path:gmatch("[^;]+") do
    local dir = template:match("^(.*)/%?%.lua$")
    if dir then
      for _, rel in ipairs({ "/../../docs/api", "/../docs/api" }) do
        if readable(dir .. rel .. "/help.md") then return dir .. rel end
      end
    end
  end
  return nil
end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Parses a Markdown file into { title, intro, sections = { {heading, level, body} } }.
local function parse(text)
  local doc = { title = nil, intro = {}, sections = {} }
  local current = nil
  local fence = false
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    if line:match("^```") then fence = not fence end
    local hashes, heading = line:match("^(#+)%s+(.-)%s*$")
    if hashes and not fence then
      if #hashes == 1 and not doc.title and not current then
        doc.title = heading
      else
        current = { heading = heading, level = #hashes, body = {} }
        doc.sections[#doc.sections + 1] = current
      end
    elseif current then
      current.body[#current.body + 1] = line
    else
      doc.intro[#doc.intro + 1] = line
    end
  end
  return doc
end

-- The page (docs/api/<page>.md) that documents module.
local function page_of(module) return help.pages[module] or module end

local cache = {}
local function load_doc(module)
  local dir = docdir()
  if not dir then return nil end
  local path = dir .. "/" .. page_of(module) .. ".md"
  if cache[path] == nil then
    local text = read_file(path)
    cache[path] = text and parse(text) or false
  end
  return cache[path] or nil
end

local function plain(heading) return (heading:gsub("`", "")) end

-- ---- Markdown for a terminal -------------------------------------------------

help.width = 78 -- columns the rendering fits, where it can

local function columns(s) return utf8.len(s) or #s end

-- Inline markup: `code` keeps its text, **bold** its words, a link its text
-- (a web link also its address).
local function inline(line)
  line = line:gsub("%*%*(.-)%*%*", "%1")
  line = line:gsub("%[([^%]]*)%]%(([^)]*)%)", function(text, target)
    if target:match("^https?://") then return text .. " <" .. target .. ">" end
    return text
  end)
  line = line:gsub("`([^`]*)`", "%1")
  return (line:gsub("`", "")) -- the end of a code span that runs over two lines
end

-- The cells of a table row "| a | `b \\| c` |": pipes inside code or after a
-- backslash belong to the cell.
local function row_cells(line)
  local cells, cur, code = {}, {}, false
  local body = line:match("^%s*|(.*)$") or line
  local i = 1
  while i <= #body do
    local ch = body:sub(i, i)
    if ch == "\\" and body:sub(i + 1, i + 1) == "|" then
      cur[#cur + 1] = "|"; i = i + 1
    elseif ch == "`" then
      code = not code; cur[#cur + 1] = ch
    elseif ch == "|" and not code then
      cells[#cells + 1] = inline(table.concat(cur):match("^%s*(.-)%s*$")); cur = {}
    else
      cur[#cur + 1] = ch
    end
    i = i + 1
  end
  local last = table.concat(cur):match("^%s*(.-)%s*$")
  if last ~= "" then cells[#cells + 1] = inline(last) end
  return cells
end

-- Words of text on lines of at most width columns, each starting with indent.
local function wrap(text, indent, width)
  local lines, line = {}, indent
  for word in text:gmatch("%S+") do
    if line ~= indent and columns(line) + 1 + columns(word) > width then
      lines[#lines + 1] = line
      line = indent .. word
    else
      line = line == indent and (indent .. word) or (line .. " " .. word)
    end
  end
  if line ~= indent then lines[#lines + 1] = line end
  return lines
end

-- A table: aligned columns under a rule when it fits, else one record per
-- row (first cell, short cells in parentheses, long ones wrapped below).
local function render_table(rows, out)
  local header = rows[1]
  local body = {}
  for i = 2, #rows do
    if not (i == 2 and rows[i]:match("^%s*|[%s:|-]+$")) then body[#body + 1] = row_cells(rows[i]) end
  end
  local head = row_cells(header)
  local n = #head
  local widths = {}
  for c = 1, n do widths[c] = columns(head[c]) end
  for _, r in ipairs(body) do
    for c = 1, n do widths[c] = math.max(widths[c], columns(r[c] or "")) end
  end
  local total = 2 + 2 * (n - 1)
  for c = 1, n do total = total + widths[c] end
  local function pad(s, w) return s .. string.rep(" ", w - columns(s)) end
  if total <= help.width then
    local function line(cells)
      local parts = {}
      for c = 1, n do parts[c] = c < n and pad(cells[c] or "", widths[c]) or (cells[c] or "") end
      return ("  " .. table.concat(parts, "  ")):gsub("%s+$", "")
    end
    out[#out + 1] = line(head)
    local rule = {}
    for c = 1, n do rule[c] = string.rep("-", math.max(widths[c], 1)) end
    out[#out + 1] = "  " .. table.concat(rule, "  ")
    for _, r in ipairs(body) do out[#out + 1] = line(r) end
    return
  end
  for _, r in ipairs(body) do
    local first = "  " .. (r[1] or "")
    local below, paren = {}, false
    for c = 2, n do
      local cell = r[c] or ""
      local labelled = (c < n or n > 3) and (head[c] .. ": " .. cell) or cell
      local short = head[c] .. ": " .. cell
      if c < n and cell ~= "" and columns(first) + 3 + columns(short) <= help.width and columns(cell) <= 30 then
        first = first .. (paren and "; " or " (") .. short
        paren = true
      elseif cell ~= "" then
        below[#below + 1] = labelled
      end
    end
    if paren then first = first .. ")" end
    out[#out + 1] = first
    for _, text in ipairs(below) do
      for _, l in ipairs(wrap(text, "      ", help.width)) do out[#out + 1] = l end
    end
  end
end

-- Markdown (a list of lines) as terminal text: headings underlined (= for
-- the first level, - below), code blocks indented, output blocks announced
-- as "prints:", tables aligned, inline markup dropped.
function help.render_markdown(lines)
  local out, mode, tbl = {}, nil, nil
  local function flush_table()
    if tbl then render_table(tbl, out); tbl = nil end
  end
  for _, line in ipairs(lines) do
    local lang = line:match("^```%s*(%S*)")
    if mode then
      if lang then mode = nil else out[#out + 1] = "    " .. line end
    elseif lang then
      flush_table()
      mode = lang == "output" and "output" or "code"
      if mode == "output" then
        if out[#out] == "" and out[#out - 1] and out[#out - 1]:match("^    ") then out[#out] = nil end
        out[#out + 1] = "  prints:"
      end
    elseif line:match("^%s*|") then
      tbl = tbl or {}
      tbl[#tbl + 1] = line
    else
      flush_table()
      local hashes, heading = line:match("^(#+)%s+(.-)%s*$")
      if hashes then
        local text = inline(heading)
        if #out > 0 and out[#out] ~= "" then out[#out + 1] = "" end
        out[#out + 1] = text
        out[#out + 1] = string.rep(#hashes == 1 and "=" or "-", columns(text))
      else
        out[#out + 1] = inline(line)
      end
    end
  end
  flush_table()
  local squeezed = {} -- one blank line between blocks
  for i, l in ipairs(out) do
    if not (l == "" and (squeezed[#squeezed] == "" or i == 1)) then squeezed[#squeezed + 1] = l end
  end
  out = squeezed
  while out[1] == "" do table.remove(out, 1) end
  while out[#out] == "" do out[#out] = nil end
  return table.concat(out, "\n")
end
local render = help.render_markdown

-- One line about a module: what its title says after the name ("fold —
-- one script on..."), else the first sentence of its first paragraph of
-- prose (code, lists and tables skipped).
local function summary(doc, max)
  local title = doc.title and plain(doc.title) or ""
  local text = title:match("^%S+%s+[:\226\128\148\226\128\147-]+%s*(.+)$")  -- ":", em or en dash, "-"
    or title:match("^%S+:%s*(.+)$")
  if not text then
    local para, fence = {}, false
    for _, line in ipairs(doc.intro) do
      if line:match("^```") then
        fence = not fence
      elseif not fence then
        if line:match("^%s*$") then
          if #para > 0 then break end
        elseif not line:match("^%s*[-*|#>]") and not line:match("^    ") then
          para[#para + 1] = line
        end
      end
    end
    text = table.concat(para, " ")
  end
  text = text:gsub("%[([^%]]*)%]%([^)]*%)", "%1"):gsub("`", ""):gsub("%s+", " ")
  text = text:match("^%s*(.-)%s*$")
  local first = text:match("^(.-%.)%s") or text
  if #first > max then
    first = first:sub(1, max - 3):gsub("[\128-\191]*$", ""):gsub("%s+%S*$", "") .. "..."
  end
  return first
end

-- A section with its subsections (the headings below it, up to the next
-- heading of its level or above).
local function section_text(module, sec)
  local lines = { plain(sec.heading), string.rep("-", columns(plain(sec.heading))), table.unpack(sec.body) }
  local doc = load_doc(module)
  local after = false
  for _, other in ipairs(doc and doc.sections or {}) do
    if other == sec then
      after = true
    elseif after then
      if other.level <= sec.level then break end
      lines[#lines + 1] = ""
      lines[#lines + 1] = string.rep("#", other.level) .. " " .. other.heading
      for _, l in ipairs(other.body) do lines[#lines + 1] = l end
    end
  end
  return render(lines) .. "\n(docs/api/" .. page_of(module) .. ".md)"
end

local function module_text(module, doc)
  local out = { render({ doc.title and plain(doc.title) or module, table.unpack(doc.intro) }) }
  local names = {}
  for _, sec in ipairs(doc.sections) do
    local h = plain(sec.heading)
    if sec.level == 2 then names[#names + 1] = "  " .. h end
  end
  if #names > 0 then
    out[#out + 1] = ""
    out[#out + 1] = "Contents (help(\"name\") for one):"
    out[#out + 1] = table.concat(names, "\n")
  end
  out[#out + 1] = "(docs/api/" .. page_of(module) .. ".md)"
  return table.concat(out, "\n")
end

-- The names a heading documents: every "owner.name" and "owner:name" in it
-- ("`db:errcode()`, `db:error_code()`" names db:errcode and db:error_code).
local function heading_names(heading)
  local names = {}
  for owner, sep, name in plain(heading):gmatch("([%w_]+)([.:])([%a_][%w_]*)") do
    names[#names + 1] = { owner = owner, sep = sep, name = name }
  end
  return names
end

-- The first section of doc whose heading names one of owners, sep, name.
local function named_section(doc, owners, sep, name)
  for _, sec in ipairs(doc.sections) do
    for _, n in ipairs(heading_names(sec.heading)) do
      if n.sep == sep and n.name == name then
        for _, o in ipairs(owners) do
          if n.owner == o then return sec end
        end
      end
    end
  end
  return nil
end

-- The section of doc about a function: "mod.name(", ":name(" or ".name(".
local function find_section(doc, module, name, method)
  if module then
    local owners = { module }
    for _, a in ipairs(help.aliases[module] or {}) do owners[#owners + 1] = a end
    local sec = named_section(doc, owners, method and ":" or ".", name)
    if sec then return sec end
  end
  local patterns = {}
  patterns[#patterns + 1] = ":" .. name .. "("
  if not module then patterns[#patterns + 1] = "." .. name .. "(" end
  for _, pat in ipairs(patterns) do
    for _, sec in ipairs(doc.sections) do
      local h = plain(sec.heading)
      local at = h:find(pat, 1, true)
      if at and (at == 1 or h:sub(at - 1, at - 1):match("[%w_]")) then
        return sec
      end
    end
  end
  return nil
end

-- The modules worth listing: those loaded, preloaded, global or indexed in
-- docs/API.md that have a docs/api/<name>.md.
local function module_names()
  local set = {}
  for _, name in ipairs(help.known) do set[name] = true end
  for name in pairs(package.loaded) do set[name] = true end
  for name in pairs(package.preload) do set[name] = true end
  for name, v in pairs(_G) do if type(v) == "table" then set[name] = true end end
  local dir = docdir()
  local index = dir and read_file(dir .. "/../API.md")
  if index then
    for name in index:gmatch("api/([%w_%-]+)%.md") do set[name] = true end
  end
  local list = {}
  for name in pairs(set) do
    if type(name) == "string" and not stdlib[name] and load_doc(name) then list[#list + 1] = name end
  end
  table.sort(list)
  return list
end

local function overview()
  local names = module_names()
  if #names == 0 then
    return "No documentation found (docs/api); help.docdir sets where it is."
  end
  local width = 0
  for _, n in ipairs(names) do width = math.max(width, #n) end
  local out = { "Modules (help(name) or help(\"name\") for more):" }
  for _, n in ipairs(names) do
    out[#out + 1] = string.format("  %-" .. width .. "s  %s", n, summary(load_doc(n), 76 - width))
  end
  return table.concat(out, "\n")
end

-- The names a value is known by: module names for tables, "module.field"
-- for functions, and "Type:method" for methods of registered types (in
-- name order, so the answer does not depend on table traversal).
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  return keys
end

local function names_of(x)
  local found = {}
  local mods = {}
  for name, mod in pairs(package.loaded) do
    if type(name) == "string" and type(mod) == "table" then mods[#mods + 1] = name end
  end
  table.sort(mods)
  for _, name in ipairs(sorted_keys(_G)) do
    if _G[name] == x then found[#found + 1] = { module = name } end
  end
  for _, name in ipairs(mods) do
    local mod = package.loaded[name]
    if mod == x then table.insert(found, 1, { module = name }) end
    if type(x) == "function" then
      for _, k in ipairs(sorted_keys(mod)) do
        if rawget(mod, k) == x then
          found[#found + 1] = { module = name ~= "_G" and name or nil, name = k }
        end
      end
    end
  end
  if type(x) == "function" then
    local reg = debug.getregistry()
    for _, key in ipairs(sorted_keys(reg)) do
      local mt = reg[key]
      local index = type(mt) == "table" and rawget(mt, "__index")
      if type(index) == "table" then
        for _, k in ipairs(sorted_keys(index)) do
          if rawget(index, k) == x then
            found[#found + 1] = { type = key, name = k, method = true }
          end
        end
      end
    end
  end
  return found
end

local function manual(name)
  return name .. " is part of standard Lua: https://www.lua.org/manual/5.4/manual.html#pdf-" .. name
end

-- The section about method "name" of an object called var in headings
-- ("c:docs"): a heading naming exactly var:name, else any ":name(" heading.
local function method_text(name, var)
  local mods = module_names()
  if var then
    for _, module in ipairs(mods) do
      local sec = named_section(load_doc(module), { var }, ":", name)
      if sec then return section_text(module, sec) end
    end
  end
  for _, module in ipairs(mods) do
    local sec = find_section(load_doc(module), nil, name, true)
    if sec then return section_text(module, sec) end
  end
  return nil
end

-- The name of x's type (its metatable's __name), or nil.
local function type_name(x)
  local mt = debug.getmetatable(x)
  local tname = type(mt) == "table" and rawget(mt, "__name")
  return type(tname) == "string" and tname or nil
end

-- The pages of an entry of help.types, in the order they are searched.
local function type_pages(t) return type(t[1]) == "table" and t[1] or { t[1] } end

-- The section about method "name" of the type called tname: on the type's
-- page only, under one of its variable names.
local function type_method_text(tname, name)
  if tname == "FILE*" then return manual("file:" .. name) end
  local t = help.types[tname]
  if not t then return method_text(name) end
  for _, page in ipairs(type_pages(t)) do
    local doc = load_doc(page)
    local sec = doc and named_section(doc, { table.unpack(t, 2) }, ":", name)
    if sec then return section_text(page, sec) end
  end
  return nil
end

-- Documentation of a name such as "tokenize", "tokenize.words", "c:docs".
local function text_for_name(name)
  local module, sep, fname = name:match("^([%w_]+)([.:])([%w_]+)$")
  if not module then
    if not name:match("^[%w_]+$") then return nil end
    local doc = load_doc(name)
    if doc then return module_text(name, doc) end
    if stdlib[name] then return manual(name) end
    if type(_G[name]) == "function" then
      local docb = load_doc("_G")
      local sec = docb and find_section(docb, nil, name, false)
      if sec then return section_text("_G", sec) end
      return manual(name)
    end
    return nil
  end
  -- "db:exec" where db is a global object of a documented type
  local tname = sep == ":" and type_name(rawget(_G, module))
  if tname and help.types[tname] then return type_method_text(tname, fname) end
  local doc = load_doc(module)
  local sec = doc and find_section(doc, module, fname, sep == ":")
  if sec then return section_text(module, sec) end
  if stdlib[module] then return manual(module .. "." .. fname) end
  if not doc and sep == ":" then return method_text(fname, module) end -- "c:fold": a variable, not a module
  -- documented on another page ("corpus.ingest" in db.md)
  for _, other in ipairs(module_names()) do
    sec = named_section(load_doc(other), { module }, sep, fname)
    if sec then return section_text(other, sec) end
  end
  return nil
end

-- The module of an object's type: help.types, else "corpusrun.Name" -> "name".
local function type_module(x)
  local tname = type_name(x)
  if not tname then return nil end
  local t = help.types[tname]
  if t then return type_pages(t)[1] end
  local base = tname:match("^corpusrun%.(%w+)$")
  return base and base:lower()
end

function help.text(x)
  if x == nil then return overview() end
  if type(x) == "string" then
    return text_for_name(x) or ("No documentation for " .. x .. ".")
  end
  local names = names_of(x)
  for _, n in ipairs(names) do
    local text
    if n.type then
      text = type_method_text(n.type, n.name) -- a method of a registered type
    elseif n.name then
      text = text_for_name((n.module and (n.module .. ".") or "") .. n.name)
    else
      text = text_for_name(n.module)
    end
    if text then return text end
  end
  -- An object of a registered type "corpusrun.Corpus": its module's docs.
  local module = type_module(x)
  if module and load_doc(module) then return module_text(module, load_doc(module)) end
  if names[1] and names[1].name then
    local n = names[1]
    return "No documentation for " .. (n.module or n.type or "") .. (n.type and ":" or ".") .. n.name .. "."
  end
  return "No documentation for this " .. type(x) .. " value."
end

-- Prints the documentation of x (a module, a function or a name), or the
-- list of modules without an argument.
function help.help(x)
  io.stdout:write(help.text(x), "\n")
end

return setmetatable(help, { __call = function(_, ...) return help.help(...) end })
