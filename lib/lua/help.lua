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

local cache = {}
local function load_doc(module)
  local dir = docdir()
  if not dir then return nil end
  local path = dir .. "/" .. module .. ".md"
  if cache[path] == nil then
    local text = read_file(path)
    cache[path] = text and parse(text) or false
  end
  return cache[path] or nil
end

local function plain(heading) return (heading:gsub("`", "")) end

-- Markdown to terminal text: code blocks indented, output blocks announced.
local function render(lines)
  local out, mode = {}, nil
  for _, line in ipairs(lines) do
    local lang = line:match("^```%s*(%S*)")
    if lang and not mode then
      mode = lang == "output" and "output" or "code"
      if mode == "output" then out[#out + 1] = "  prints:" end
    elseif lang and mode then
      mode = nil
    elseif mode then
      out[#out + 1] = "    " .. line
    else
      out[#out + 1] = (line:gsub("`([^`]*)`", "%1"))
    end
  end
  while out[1] == "" do table.remove(out, 1) end
  while out[#out] == "" do out[#out] = nil end
  return table.concat(out, "\n")
end

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

local function section_text(module, sec)
  return render({ plain(sec.heading), string.rep("-", #plain(sec.heading)), table.unpack(sec.body) })
    .. "\n(docs/api/" .. module .. ".md)"
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
  out[#out + 1] = "(docs/api/" .. module .. ".md)"
  return table.concat(out, "\n")
end

-- The section of doc about a function: "mod.name(", ":name(" or ".name(".
local function find_section(doc, module, name, method)
  local patterns = {}
  if module then patterns[#patterns + 1] = module .. (method and ":" or ".") .. name .. "(" end
  patterns[#patterns + 1] = ":" .. name .. "("
  patterns[#patterns + 1] = "." .. name .. "("
  for _, sec in ipairs(doc.sections) do
    if module and plain(sec.heading) == module .. "." .. name then return sec end
  end
  for _, pat in ipairs(patterns) do
    for _, sec in ipairs(doc.sections) do
      local h = plain(sec.heading)
      local at = h:find(pat, 1, true)
      if at and (pat:sub(1, 1) ~= "." and pat:sub(1, 1) ~= ":" or at == 1 or h:sub(at - 1, at - 1):match("[%w_]")) then
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
-- for functions, and "Type:method" for methods of registered types.
local function names_of(x)
  local found = {}
  local mods = {}
  for name, mod in pairs(package.loaded) do
    if type(name) == "string" and type(mod) == "table" then mods[#mods + 1] = name end
  end
  table.sort(mods)
  for name, v in pairs(_G) do
    if v == x and type(name) == "string" then found[#found + 1] = { module = name } end
  end
  for _, name in ipairs(mods) do
    local mod = package.loaded[name]
    if mod == x then table.insert(found, 1, { module = name }) end
    if type(x) == "function" then
      for k, v in pairs(mod) do
        if v == x and type(k) == "string" then
          found[#found + 1] = { module = name ~= "_G" and name or nil, name = k }
        end
      end
    end
  end
  if type(x) == "function" then
    for key, mt in pairs(debug.getregistry()) do
      local index = type(key) == "string" and type(mt) == "table" and rawget(mt, "__index")
      if type(index) == "table" then
        for k, v in pairs(index) do
          if v == x and type(k) == "string" then
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


-- The section about a method "name" in any module's docs (":name(").
local function method_text(name)
  for _, module in ipairs(module_names()) do
    local sec = find_section(load_doc(module), nil, name, true)
    if sec and plain(sec.heading):find(":" .. name .. "(", 1, true) then
      return section_text(module, sec)
    end
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
  local doc = load_doc(module)
  local sec = doc and find_section(doc, module, fname, sep == ":")
  if sec then return section_text(module, sec) end
  if stdlib[module] then return manual(module .. "." .. fname) end
  if not doc then return method_text(fname) end -- "c:fold": a variable, not a module
  return nil
end

function help.text(x)
  if x == nil then return overview() end
  if type(x) == "string" then
    return text_for_name(x) or ("No documentation for " .. x .. ".")
  end
  for _, n in ipairs(names_of(x)) do
    local text
    if n.type then
      text = method_text(n.name) -- a method of a registered type
    elseif n.name then
      text = text_for_name((n.module and (n.module .. ".") or "") .. n.name)
    else
      text = text_for_name(n.module)
    end
    if text then return text end
  end
  -- An object of a registered type "corpusrun.Corpus": its module's docs.
  local mt = debug.getmetatable(x)
  local tname = type(mt) == "table" and rawget(mt, "__name")
  local base = type(tname) == "string" and tname:match("^corpusrun%.(%w+)$")
  if base and load_doc(base:lower()) then return module_text(base:lower(), load_doc(base:lower())) end
  local names = names_of(x)
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
