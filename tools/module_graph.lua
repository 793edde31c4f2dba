-- module_graph.lua: the module graph of corpusrun, drawn from the sources.
--
--   lua5.4 tools/module_graph.lua [ROOT]     prints the graph (docs/ARCHITECTURE.md shows it)
--   local graph = dofile("tools/module_graph.lua").draw(ROOT)   (tests/arch_graph.lua)
--
-- Nodes are source files, each on a floor:
--   1 text   host/text/*           pure C cores, no Lua
--   2 core   host/l*.c, host.c, parallel.c, sandbox.c and their headers:
--            the private C cores of the modules (corpus.core, count.core, ...,
--            lsqlite3) and the host's own module `corpusrun`
--   3 lib    lib/lua/*.lua         the public Lua modules
--   4 front  host/main.c, host/repl.c, scripts/*.lua: the command line, the REPL, the scripts
-- Edges: C `#include "x.h"` (to x.c when there is one, else to the header);
-- Lua `require "name"` (also `pcall(require, "name")`) in Lua files; in C
-- files, a string literal that names a module (the argument of a require,
-- of a subcommand, of the REPL's globals) and `require 'name'` in Lua
-- source embedded in C.  A module name resolves to its file: lib/lua/NAME.lua,
-- NAME.core to host/lNAME.c, lsqlite3 to host/llsqlite3.c, corpusrun to
-- host/host.c.  An edge may go down or stay on its floor, never up, and the
-- graph has no cycle.

local M = {}

M.FLOORS = { "text", "core", "lib", "front" }

local function lines_of(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  table.sort(out)
  return out
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local FRONT_C = { ["host/main.c"] = true, ["host/repl.c"] = true }

local function floor_of(path)
  if path:find("^host/text/") then return 1 end
  if path:find("^host/[^/]+%.[ch]$") then return FRONT_C[path] and 4 or 2 end
  if path:find("^lib/lua/") then return 3 end
  if path:find("^scripts/") then return 4 end
  return nil
end

-- Strips Lua comments (line and long) so that a require in a comment is no edge.
local function lua_code(src)
  src = src:gsub("%-%-%[(=*)%[.-%]%1%]", "")
  return (src:gsub("%-%-[^\n]*", ""))
end

-- Strips C comments.
local function c_code(src)
  src = src:gsub("/%*.-%*/", function(c) return (c:gsub("[^\n]", "")) end)
  return (src:gsub("//[^\n]*", ""))
end

local REQUIRE_PATTERNS = {
  "require%s*%(?%s*[\"']([%w_.]+)[\"']",
  "require%s*%[%[([%w_.]+)%]%]",
  "pcall%s*%(%s*require%s*,%s*[\"']([%w_.]+)[\"']",
}

-- draw(root) -> graph: { nodes = {path = floor}, edges = {from = {to = line}},
-- unresolved = {"file:line: name"}, requires = {{file, line, name, text}} }
function M.draw(root)
  root = root or "."
  local g = { nodes = {}, edges = {}, unresolved = {}, requires = {} }
  local function rel(p) return (p:gsub("^" .. root:gsub("%p", "%%%0") .. "/", "")) end
  local files = {}
  for _, p in ipairs(lines_of("cd " .. shell_quote(root) .. " && ls host/*.c host/*.h host/text/*.c host/text/*.h lib/lua/*.lua scripts/*.lua 2>/dev/null")) do
    files[#files + 1] = p
    g.nodes[p] = floor_of(p)
    g.edges[p] = {}
  end
  local exists = {}
  for _, p in ipairs(files) do exists[p] = true end

  -- module name -> file
  local function module_file(name)
    if exists["lib/lua/" .. name .. ".lua"] then return "lib/lua/" .. name .. ".lua" end
    local base = name:match("^([%w_]+)%.core$")
    if base and exists["host/l" .. base .. ".c"] then return "host/l" .. base .. ".c" end
    if name == "lsqlite3" or name == "lsqlite3complete" then return "host/llsqlite3.c" end
    if name == "corpusrun" then return "host/host.c" end
    -- a C binding still registered under its public name (before the cores)
    if exists["host/l" .. name .. ".c"] then return "host/l" .. name .. ".c" end
    return nil
  end
  local STD = { string = true, table = true, math = true, io = true, os = true, utf8 = true,
                coroutine = true, debug = true, package = true, _G = true }

  local function add(from, to, line)
    if to ~= from and g.edges[from][to] == nil then g.edges[from][to] = line end
  end

  local function header_file(dir, inc)
    for _, cand in ipairs({ dir .. inc, "host/" .. inc, "host/text/" .. inc }) do
      if exists[cand] then
        local c = cand:gsub("%.h$", ".c")
        return exists[c] and c or cand
      end
    end
    return nil   -- a generated header (build/) or a system one
  end

  for _, p in ipairs(files) do
    local src = read(root .. "/" .. p)
    if p:find("%.lua$") then
      local code = lua_code(src)
      local n = 0
      for l in (code .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        for _, pat in ipairs(REQUIRE_PATTERNS) do
          for name in l:gmatch(pat) do
            g.requires[#g.requires + 1] = { file = p, line = n, name = name }
            local to = module_file(name)
            if to then add(p, to, n)
            elseif not STD[name] then g.unresolved[#g.unresolved + 1] = ("%s:%d: %s"):format(p, n, name) end
          end
        end
      end
    else
      local code = c_code(src)
      local dir = p:match("^(.*/)")
      local n, pending = 0, nil
      for l in (code .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        local inc = l:match('^%s*#%s*include%s*"([^"]+)"')
        if inc == "preload.h" then
          -- generated by the Makefile: one entry per binding host/l<mod>.c
          for _, q in ipairs(files) do
            if q:find("^host/l[%w_]+%.c$") then add(p, q, n) end
          end
        elseif inc then
          local to = header_file(dir, inc)
          if to then add(p, to, n) end
        elseif g.nodes[p] ~= 1 then   -- host/text holds no Lua: only its includes count
          local names = {}
          -- lua_getglobal(L, "require") and the module name pushed within the next lines
          if l:find('lua_getglobal%(%s*L%s*,%s*"require"%s*%)') then pending = { n = n } end
          local pushed = l:match('lua_push%a+%(%s*L%s*,%s*"([%w_.]+)"')
          if pending and pushed then names[#names + 1] = pushed; pending = nil end
          if pending and n > pending.n + 3 then pending = nil end
          -- a helper taking a module name: run_subcommand(L, "name", ...), keep_module(L, "name", ...)
          for fn, name in l:gmatch('([%w_]+)%(%s*L%s*,%s*"([%w_.]+)"') do
            if fn:find("module") or fn:find("subcommand") or fn:find("require") then names[#names + 1] = name end
          end
          -- a table of {"global", "module"} pairs
          for name in l:gmatch('{%s*"[%w_]+"%s*,%s*"([%w_.]+)"%s*}') do names[#names + 1] = name end
          -- Lua source embedded in a C string
          for _, pat in ipairs(REQUIRE_PATTERNS) do
            for name in l:gmatch(pat) do names[#names + 1] = name end
          end
          for _, name in ipairs(names) do
            local to = module_file(name)
            if to then add(p, to, n) end
          end
        end
      end
    end
  end
  return g
end

-- Edges that point up a floor: {"from -> to (line)"}.
function M.upward(g)
  local out = {}
  for from, tos in pairs(g.edges) do
    for to, line in pairs(tos) do
      local a, b = g.nodes[from], g.nodes[to]
      if a and b and b > a then
        out[#out + 1] = ("%s:%d (%s) -> %s (%s)"):format(from, line, M.FLOORS[a], to, M.FLOORS[b])
      end
    end
  end
  table.sort(out)
  return out
end

-- The cycles, one per strongly connected component of more than one node:
-- {"a -> b -> ... -> a"}.
function M.cycles(g)
  local index, low, on, stack, comps, i = {}, {}, {}, {}, {}, 0
  local names = {}
  for p in pairs(g.nodes) do names[#names + 1] = p end
  table.sort(names)
  local function sorted_targets(v)
    local t = {}
    for w in pairs(g.edges[v] or {}) do t[#t + 1] = w end
    table.sort(t)
    return t
  end
  local function strong(v)
    i = i + 1
    index[v], low[v] = i, i
    stack[#stack + 1] = v
    on[v] = true
    for _, w in ipairs(sorted_targets(v)) do
      if not index[w] then
        strong(w)
        low[v] = math.min(low[v], low[w])
      elseif on[w] then
        low[v] = math.min(low[v], index[w])
      end
    end
    if low[v] == index[v] then
      local comp = {}
      repeat
        local w = table.remove(stack)
        on[w] = nil
        comp[#comp + 1] = w
      until w == v
      if #comp > 1 then comps[#comps + 1] = comp end
    end
  end
  for _, v in ipairs(names) do if not index[v] then strong(v) end end
  -- For each file of a component, a shortest cycle through it (each cycle
  -- once, written from its first file in name order).
  local out, seen = {}, {}
  for _, comp in ipairs(comps) do
    local member = {}
    for _, v in ipairs(comp) do member[v] = true end
    for _, start in ipairs(comp) do
      local prev, queue, qi, found = { [start] = false }, { start }, 1, nil
      while qi <= #queue and not found do
        local v = queue[qi]; qi = qi + 1
        for _, w in ipairs(sorted_targets(v)) do
          if w == start then found = v break end
          if member[w] and prev[w] == nil then prev[w] = v; queue[#queue + 1] = w end
        end
      end
      local path = {}
      local v = found
      while v and v ~= start do table.insert(path, 1, v); v = prev[v] end
      table.insert(path, 1, start)
      local first = 1
      for k = 2, #path do if path[k] < path[first] then first = k end end
      local rotated = {}
      for k = 0, #path - 1 do rotated[#rotated + 1] = path[(first - 1 + k) % #path + 1] end
      rotated[#rotated + 1] = rotated[1]
      local text = table.concat(rotated, " -> ")
      if not seen[text] then seen[text] = true; out[#out + 1] = text end
    end
  end
  table.sort(out)
  return out
end

-- The graph as text, floor by floor from the top; each file with the files it uses.
function M.render(g)
  local out = {}
  for f = #M.FLOORS, 1, -1 do
    local names = {}
    for p, fl in pairs(g.nodes) do if fl == f then names[#names + 1] = p end end
    table.sort(names)
    out[#out + 1] = ("%s:"):format(M.FLOORS[f])
    for _, p in ipairs(names) do
      local tos = {}
      for to in pairs(g.edges[p]) do
        -- within host/text, only the floor matters here: its own includes are not listed
        if not (f == 1) then tos[#tos + 1] = to end
      end
      table.sort(tos)
      local short = {}
      for k, to in ipairs(tos) do short[k] = to:gsub("^lib/lua/", ""):gsub("^host/text/", "text/"):gsub("^host/", "") end
      if f ~= 1 then
        local me = p:gsub("^lib/lua/", ""):gsub("^host/", "")
        out[#out + 1] = ("  %s%s"):format(me, #short > 0 and (" -> " .. table.concat(short, " ")) or "")
      end
    end
    if f == 1 then out[#out + 1] = ("  %d files (pure C; they include only each other)"):format(#names) end
  end
  return table.concat(out, "\n") .. "\n"
end

if arg and arg[0] and arg[0]:find("module_graph%.lua$") then
  local g = M.draw(arg[1] or ".")
  io.write(M.render(g))
  local bad = false
  for _, e in ipairs(M.upward(g)) do io.write("upward: ", e, "\n"); bad = true end
  for _, c in ipairs(M.cycles(g)) do io.write("cycle: ", c, "\n"); bad = true end
  for _, u in ipairs(g.unresolved) do io.write("unresolved require: ", u, "\n") end
  os.exit(bad and 1 or 0)
end

return M
