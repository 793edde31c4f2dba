-- complete.lua: tab completion for the corpusrun REPL.
--
--   local complete = require "complete"
--   complete.candidates("string.fo")     --> "fo", { "format" }
--
-- Completes keywords and globals, fields of tables (following __index
-- tables, so methods of userdata complete after ":"), module names inside
-- require "...", and attribute names inside c:query("[...") once a query
-- ran on c.  Only tables are walked: completion never calls a function.
local complete = {}

complete.keywords = { "and", "break", "do", "else", "elseif", "end", "false", "for",
  "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return",
  "then", "true", "until", "while" }

local getmt = debug.getmetatable

-- The tables to search for a field of v: v itself when it is a table, then
-- the __index tables of its metatables, in order.
local function field_sources(v)
  local sources, seen = {}, {}
  while v ~= nil and not seen[v] and #sources < 16 do
    seen[v] = true
    if type(v) == "table" then sources[#sources + 1] = v end
    local mt = getmt(v)
    local index = type(mt) == "table" and rawget(mt, "__index") or nil
    if type(index) ~= "table" then break end
    v = index
  end
  return sources
end

-- A field of v as an expression would see it, without calling __index
-- functions.
local function lookup(v, name)
  for _, t in ipairs(field_sources(v)) do
    local x = rawget(t, name)
    if x ~= nil then return x end
  end
  return nil
end

local function is_callable(v)
  if type(v) == "function" then return true end
  local mt = getmt(v)
  return type(mt) == "table" and rawget(mt, "__call") ~= nil
end

local function sorted_keys(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return list
end

-- The fields of v that start with prefix; methods only when methods_only.
local function fields(v, prefix, methods_only)
  local found = {}
  local hidden = prefix:sub(1, 2) ~= "__"
  for _, t in ipairs(field_sources(v)) do
    for k, x in next, t do
      if type(k) == "string" and k:match("^[%a_][%w_]*$") and k:sub(1, #prefix) == prefix
          and not (hidden and k:sub(1, 2) == "__")
          and (not methods_only or is_callable(x)) then
        found[k] = true
      end
    end
  end
  return found
end

-- Module names for require "...": loaded and preloaded modules, and the
-- Lua files found along package.path (listdir lists a directory).
local function module_names(prefix, listdir)
  local found = {}
  local function add(name)
    if type(name) == "string" and name:sub(1, #prefix) == prefix then found[name] = true end
  end
  for name in pairs(package.loaded) do add(name) end
  for name in pairs(package.preload) do add(name) end
  if listdir then
    for template in package.path:gmatch("[^;]+") do
      local dir = template:match("^(.*)/%?%.lua$")
      if dir then
        for _, file in ipairs(listdir(dir) or {}) do
          local name = file:match("^([%w_%-]+)%.lua$")
          if name then add(name) end
        end
      end
    end
  end
  return found
end

-- Inside the query string of c:query("[..."): the attribute names of c,
-- when a query ran on it already (query.attributes, read as a table).
local function query_attribute(line, env)
  local path, q, inner = line:match("([%a_][%w_.]*):query%s*%(%s*([\"'])(.*)$")
  if not path or inner:find(q, 1, true) then return nil end
  local _, nq = inner:gsub(q == "'" and '"' or "'", "")
  if nq % 2 == 1 then return nil end                          -- inside a value
  local partial = inner:match("[%[&|!(%s]([%a_][%w_]*)$") or (inner:match("[%[&|!(%s]$") and "")
  if not partial then return nil end
  local v = env
  for name in path:gmatch("[^.]+") do
    v = lookup(v, name)
    if v == nil then return nil end
  end
  local loaded = rawget(package.loaded, "query")
  local known = type(loaded) == "table" and rawget(loaded, "attributes")
  local attrs = type(known) == "table" and rawget(known, v)
  if type(attrs) ~= "table" then return nil end
  local found = {}
  for _, a in ipairs(attrs) do
    if type(a) == "string" and a:sub(1, #partial) == partial then found[a] = true end
  end
  return partial, sorted_keys(found)
end

-- Given the text before the cursor, returns the fragment being completed
-- and the sorted list of words that can replace it; nil when there is
-- nothing to complete.  env is the global table (default _G).
function complete.candidates(line, env, listdir)
  env = env or _G
  -- Inside require "...": module names.
  local partial = line:match("require%s*%(?%s*[\"']([%w_.%-]*)$")
  if partial then return partial, sorted_keys(module_names(partial, listdir)) end
  -- Inside any other string or a comment: nothing.
  local plain = line:gsub("\\.", "")
  local _, dq = plain:gsub('"', "")
  local _, sq = plain:gsub("'", "")
  if dq % 2 == 1 or sq % 2 == 1 then return query_attribute(line, env) end
  if plain:find("%-%-") then return nil end

  local expr = line:match("[%a_][%w_]*[%w_.:]*$") or ""
  local before = line:sub(1, #line - #expr)
  if before:match("[%.:%]%)\"'%w_]$") then return nil end   -- f().x, a[1].x, 12.5
  if expr:match("%.%.") or expr:match(":.*[.:]") then return nil end

  local path, sep, last = expr:match("^(.-)([.:])([%w_]*)$")
  if not path then
    -- A global or a keyword.
    local found = fields(env, expr, false)
    for _, k in ipairs(complete.keywords) do
      if k:sub(1, #expr) == expr then found[k] = true end
    end
    return expr, sorted_keys(found)
  end
  local v = env
  for name in path:gmatch("[^.]+") do
    if not name:match("^[%a_][%w_]*$") then return nil end
    v = lookup(v, name)
    if v == nil then return last, {} end
  end
  return last, sorted_keys(fields(v, last, sep == ":"))
end

-- The longest common prefix of a list of strings.
function complete.common_prefix(list)
  local p = list[1] or ""
  for i = 2, #list do
    local s = list[i]
    local n = 0
    while n < #p and n < #s and p:byte(n + 1) == s:byte(n + 1) do n = n + 1 end
    p = p:sub(1, n)
  end
  return p
end

return complete
