-- The module graph drawn from the sources (tools/module_graph.lua): no
-- cycle, no edge up a floor (host/text <- private C cores <- lib/lua <-
-- the command line, the REPL and the scripts), every require at the top of
-- its file unless a comment there says why it is lazy, and
-- docs/ARCHITECTURE.md shows the graph as drawn.
local t = require "tap"

local root = os.getenv("CORPUSRUN_ROOT") or "."
local graph = dofile(root .. "/tools/module_graph.lua")
local g = graph.draw(root)

local files = 0
for _ in pairs(g.nodes) do files = files + 1 end
t.ok(files > 50, ("the graph has the project's files (%d)"):format(files))
t.ok(g.nodes["lib/lua/corpus.lua"] == 3 and g.nodes["host/lcorpus.c"] == 2,
  "lib/lua/corpus.lua is a public module over its private core host/lcorpus.c")

local up = graph.upward(g)
t.ok(#up == 0, "no edge points up a floor", table.concat(up, "\n"))
local cycles = graph.cycles(g)
t.ok(#cycles == 0, "the graph has no cycle", table.concat(cycles, "\n"))
t.ok(#g.unresolved == 0, "every required module is a file of the project or a standard library",
  table.concat(g.unresolved, "\n"))

-- Every require stands at the top of its file: a `local x = require "m"`
-- (or `local a, b = require "m", require "n"`) at the start of a line
-- before the file's first function; any other needs a comment on its line
-- or in the comment just above it that says why it is lazy (or optional).
local function lines_of(path)
  local out = {}
  for l in io.lines(root .. "/" .. path) do out[#out + 1] = l end
  return out
end
local misplaced = {}
local by_file = {}
for _, r in ipairs(g.requires) do
  by_file[r.file] = by_file[r.file] or {}
  table.insert(by_file[r.file], r)
end
for file, reqs in pairs(by_file) do
  local lines = lines_of(file)
  local first_function = math.huge
  for i, l in ipairs(lines) do
    if l:find("^local function") or l:find("^function") then first_function = i break end
  end
  for _, r in ipairs(reqs) do
    local l = lines[r.line] or ""
    local top = r.line < first_function
      and (l:find("^local [%w_, ]+= *require") or l:find("^local [%w_, ]+= *%(require"))
    local function says(s) return s:find("%-%-.*lazy") or s:find("%-%-.*optional") end
    local said = says(l)
    local i = r.line - 1   -- or the block of comment lines just above it
    while not said and i >= 1 and lines[i]:find("^%s*%-%-") do said = says(lines[i]); i = i - 1 end
    if not top and not said then
      misplaced[#misplaced + 1] = ("%s:%d: require \"%s\""):format(file, r.line, r.name)
    end
  end
end
table.sort(misplaced)
t.ok(#misplaced == 0, "every require is at the top of its file, or says why it is lazy or optional",
  table.concat(misplaced, "\n"))

-- The graph in docs/ARCHITECTURE.md is the one drawn here.
local doc = io.open(root .. "/docs/ARCHITECTURE.md"):read("a")
local shown = doc:match("<!%-%- module graph: tools/module_graph.lua %-%->\n```\n(.-)```\n")
t.ok(shown ~= nil, "docs/ARCHITECTURE.md shows the module graph")
t.is(shown, graph.render(g), "docs/ARCHITECTURE.md shows the graph as drawn now (lua5.4 tools/module_graph.lua)")

-- The checks can fail: a graph with an edge up and a cycle is caught.
local bad = { nodes = { ["host/text/a.c"] = 1, ["host/lx.c"] = 2, ["lib/lua/y.lua"] = 3, ["lib/lua/z.lua"] = 3 },
  edges = { ["host/text/a.c"] = {}, ["host/lx.c"] = { ["lib/lua/y.lua"] = 7 },
            ["lib/lua/y.lua"] = { ["lib/lua/z.lua"] = 1 }, ["lib/lua/z.lua"] = { ["lib/lua/y.lua"] = 2 } } }
t.is_deeply(graph.upward(bad), { "host/lx.c:7 (core) -> lib/lua/y.lua (lib)" }, "an edge up a floor is found")
t.is(#graph.cycles(bad), 1, "a cycle is found")

t.done()
