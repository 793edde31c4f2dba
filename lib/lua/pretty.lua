-- pretty.lua: readable, deterministic renderings of Lua values, for the REPL
-- and for scripts.
--
--   local pretty = require "pretty"
--   print(pretty.format({ b = 2, a = { 1, 2, 3 } }))   --> { a = { 1, 2, 3 }, b = 2 }
--
-- Tables print with sorted keys, the sequence part first; cycles are marked;
-- strings are quoted; nesting depth, items per table, total size and string
-- length are limited, so a huge table prints a summary instead of a flood.
local pretty = {}

pretty.defaults = {
  depth = 4,       -- nesting levels shown; deeper tables print as {...}
  items = 40,      -- entries shown per table; the rest are summarised
  budget = 2000,   -- entries shown in all, over the whole value
  strlen = 200,    -- bytes of a string shown inside a table
  width = 80,      -- a table fits on one line when it is this short
  indent = "  ",   -- one level of indentation
}

local keywords = {}
for w in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  keywords[w] = true
end

local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil and not keywords[s]
end

-- Quotes a string as a Lua literal: printable ASCII and valid UTF-8 stay as
-- they are; control bytes and invalid bytes are escaped.
local escapes = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\t"] = "\\t",
  ["\r"] = "\\r", ["\a"] = "\\a", ["\b"] = "\\b", ["\f"] = "\\f", ["\v"] = "\\v" }

local function quote(s)
  local utf8_ok = utf8.len(s) ~= nil
  local out = s:gsub('()([%c\\"\128-\255])', function(pos, c)
    local e = escapes[c]
    if e then return e end
    if c:byte() >= 128 and utf8_ok then return c end
    -- Three digits when a digit follows, so it cannot be read as part of it.
    local fmt = s:find("^%d", pos + 1) and "\\%03d" or "\\%d"
    return string.format(fmt, c:byte())
  end)
  return '"' .. out .. '"'
end
pretty.quote = quote

-- Cuts s to at most n bytes without splitting a UTF-8 sequence.
local function cut(s, n)
  if #s <= n then return s end
  local stop = n
  while stop > 0 and (s:byte(stop + 1) or 0) & 0xC0 == 0x80 do stop = stop - 1 end
  return s:sub(1, stop)
end

local function number_repr(n)
  if n ~= n then return "0/0" end
  if n == math.huge then return "math.huge" end
  if n == -math.huge then return "-math.huge" end
  return tostring(n)
end

-- Names of the functions reachable as module.field from package.loaded,
-- built once per top-level call.
local function function_names()
  local names = {}
  local loaded = package.loaded
  local mods = {}
  for name, mod in pairs(loaded) do
    if type(name) == "string" and type(mod) == "table" then mods[#mods + 1] = name end
  end
  table.sort(mods, function(a, b)   -- shorter names win: "string" before "_G"
    if (a == "_G") ~= (b == "_G") then return b == "_G" end
    return a < b
  end)
  for _, name in ipairs(mods) do
    for k, v in pairs(loaded[name]) do
      -- not _G._, the REPL's last result
      if type(v) == "function" and type(k) == "string" and names[v] == nil and not (name == "_G" and k == "_") then
        names[v] = name == "_G" and k or name .. "." .. k
      end
    end
  end
  return names
end

local function function_repr(f, state)
  state.fnames = state.fnames or function_names()
  local name = state.fnames[f]
  if name then return "function: " .. name end
  local info = debug.getinfo(f, "S")
  if info and info.what ~= "C" then
    return "function: " .. info.short_src .. ":" .. info.linedefined
  end
  return "function: builtin"
end

local function safe_tostring(v)
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return type(v)
end

-- Key order: numbers, strings, booleans, then the rest by type and text.
local type_rank = { number = 1, string = 2, boolean = 3 }
local function key_less(a, b)
  local ta, tb = type(a), type(b)
  local ra, rb = type_rank[ta] or 4, type_rank[tb] or 4
  if ra ~= rb then return ra < rb end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  if ta ~= tb then return ta < tb end
  return safe_tostring(a) < safe_tostring(b)
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

local render

-- The sequence length (1..n present), the first `limit` other keys in
-- order, and how many other keys there are.  Only the keys shown are kept
-- sorted, so a huge table costs one pass, not a sort.
local function table_keys(t, limit)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local best, count = {}, 0
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      count = count + 1
      if #best < limit or key_less(k, best[#best]) then
        local lo, hi = 1, #best + 1        -- binary search for the slot
        while lo < hi do
          local mid = (lo + hi) // 2
          if key_less(k, best[mid]) then hi = mid else lo = mid + 1 end
        end
        table.insert(best, lo, k)
        if #best > limit then best[#best] = nil end
      end
    end
  end
  return n, best, count
end

local function key_repr(k, state)
  if is_identifier(k) then return k end
  if type(k) == "string" then return "[" .. quote(k) .. "]" end
  if type(k) == "number" then return "[" .. number_repr(k) .. "]" end
  return "[" .. render(k, state, 0, state.opts.depth) .. "]"
end

local function render_table(t, state, level)
  local opts = state.opts
  if state.ancestors[t] then
    local id = state.ids[t]
    if not id then
      state.next_id = state.next_id + 1
      id = state.next_id
      state.ids[t] = id
    end
    state.hit[t] = true
    return "<cycle " .. id .. ">"
  end
  if next(t) == nil then return "{}" end
  if level >= opts.depth or state.budget <= 0 then return "{...}" end
  state.ancestors[t] = true
  state.hit[t] = nil
  local room = math.min(opts.items, math.max(state.budget, 1))
  local n, rest, others = table_keys(t, room)
  local total = n + others
  local shown = math.min(total, room)
  state.budget = state.budget - shown
  local parts = {}
  for i = 1, math.min(n, shown) do
    parts[#parts + 1] = render(rawget(t, i), state, level + 1)
  end
  for j = 1, shown - #parts do
    local k = rest[j]
    parts[#parts + 1] = key_repr(k, state) .. " = " .. render(rawget(t, k), state, level + 1)
  end
  if shown < total then
    parts[#parts + 1] = string.format("... %d more (%d items)", total - shown, total)
  end
  state.ancestors[t] = nil
  local prefix = state.hit[t] and ("<" .. state.ids[t] .. ">") or ""
  -- One line when it is short and no part spans lines.
  local one = prefix .. "{ " .. table.concat(parts, ", ") .. " }"
  local pad = opts.indent:rep(level)
  if #one + #pad <= opts.width and not one:find("\n", 1, true) then return one end
  local inner = pad .. opts.indent
  local lines = { prefix .. "{" }
  -- Short items of the sequence share lines; other entries get one each.
  local packed = nil
  for i, p in ipairs(parts) do
    local last = i == #parts or parts[i + 1]:match("^%.%.%. %d+ more")
    local item = p .. ((i < #parts and not p:match("^%.%.%. %d+ more")) and "," or "")
    local short = i <= n and not p:find("\n", 1, true) and #p <= opts.width // 4
    if short and packed and #packed + 1 + #item <= opts.width then
      packed = packed .. " " .. item
    else
      if packed then lines[#lines + 1] = packed end
      packed = nil
      if short then packed = inner .. item else lines[#lines + 1] = inner .. item end
    end
    if last and packed then lines[#lines + 1] = packed; packed = nil end
  end
  lines[#lines + 1] = pad .. "}"
  return table.concat(lines, "\n")
end

function render(v, state, level)
  local tv = type(v)
  if tv == "string" then
    local limit = level > 0 and state.opts.strlen or math.huge
    if #v > limit then
      return quote(cut(v, limit)) .. string.format("... (%d bytes)", #v)
    end
    return quote(v)
  elseif tv == "number" then
    return number_repr(v)
  elseif tv == "function" then
    return function_repr(v, state)
  elseif tv == "table" then
    local mt = getmetatable(v)
    local hook = level == 0 and type(mt) == "table" and rawget(mt, "__pretty") or nil
    if type(hook) == "function" then
      local ok, s = pcall(hook, v, state.opts)
      if ok and type(s) == "string" then return s end
    end
    if has_tostring(v) then return safe_tostring(v) end
    return render_table(v, state, level)
  else
    return safe_tostring(v)
  end
end

local function options(opts)
  local o = {}
  for k, v in pairs(pretty.defaults) do o[k] = v end
  if opts ~= nil then
    if type(opts) ~= "table" then error("bad argument #2 to 'format' (table expected, got " .. type(opts) .. ")", 3) end
    for k, v in pairs(opts) do
      if pretty.defaults[k] == nil then error("bad argument #2 to 'format' (unknown option '" .. tostring(k) .. "')", 3) end
      if type(v) ~= type(pretty.defaults[k]) then
        error("bad argument #2 to 'format' (option '" .. k .. "' must be a " .. type(pretty.defaults[k]) .. ")", 3)
      end
      o[k] = v
    end
  end
  return o
end

-- Returns the rendering of one value as a string.
function pretty.format(value, opts)
  local state = { opts = options(opts), ancestors = {}, ids = {}, hit = {}, next_id = 0 }
  state.budget = state.opts.budget
  return render(value, state, 0)
end

-- Iterator triples: f, s, ctl [, closing], what a generic for takes
-- (c:docs(), pairs(t), ipairs(t)).  Only those that are safe to step are
-- recognised: f is next or ipairs's stepper, or a fourth value closes (the
-- iterators corpusrun's modules return).  Anything else prints as values.
local ipairs_step = ipairs({})
local function is_iterator(n, f, s, ctl, closing)
  if type(f) ~= "function" then return false end
  if n == 3 and (f == next or f == ipairs_step) then return true end
  if n == 4 then
    local mt = getmetatable(closing)
    return type(mt) == "table" and rawget(mt, "__close") ~= nil
  end
  return false
end
pretty.is_iterator = function(...) return is_iterator(select("#", ...), ...) end

-- How many values of an iterator pretty.format_iterator shows.
pretty.iterator_items = 3

-- Renders an iterator triple by its first values (pretty.iterator_items
-- steps of it, each step's values separated by ", "), then "..." when it
-- goes on.  Steps the iterator: print its values instead of running it.
function pretty.format_iterator(f, s, ctl, closing, opts)
  local o = options(opts)
  o.depth = math.min(o.depth, 2)
  local lines, k = {}, pretty.iterator_items
  local more = false
  for i = 1, k + 1 do
    local vals = table.pack(f(s, ctl))
    if vals[1] == nil then break end
    if i > k then more = true break end
    ctl = vals[1]
    local parts = {}
    for j = 1, vals.n do parts[j] = pretty.format(vals[j], o) end
    lines[#lines + 1] = "  " .. table.concat(parts, ", "):gsub("\n", "\n  ")
  end
  if closing ~= nil then
    local mt = getmetatable(closing)
    local close = type(mt) == "table" and rawget(mt, "__close")
    if close then pcall(close, closing) end
  end
  if more then lines[#lines + 1] = "  ..." end
  local head = "iterator (for ... in it do ... end), "
  if #lines == 0 then return head .. "empty" end
  head = head .. (more and ("first " .. k .. " of its values:") or "its values:")
  return head .. "\n" .. table.concat(lines, "\n")
end

-- Writes the renderings of its arguments to standard output, separated by
-- tabs and ended by a newline, as print does; an iterator triple prints its
-- first values (pretty.format_iterator).
function pretty.print(...)
  local n = select("#", ...)
  if is_iterator(n, ...) then
    local f, s, ctl, closing = ...
    io.stdout:write(pretty.format_iterator(f, s, ctl, closing), "\n")
    return
  end
  local out = {}
  for i = 1, n do out[i] = pretty.format((select(i, ...))) end
  io.stdout:write(table.concat(out, "\t"), "\n")
end

return pretty
