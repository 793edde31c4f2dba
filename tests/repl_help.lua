-- help(): documentation from docs/api/<module>.md (lib/lua/help.lua).
local t = require "tap"
local help = require "help"
local pretty = require "pretty"

local list = help.text()
t.like(list, "^Modules", "help() lists the modules")
t.like(list, "\n  pretty%s+Readable, deterministic renderings of Lua values%.", "with the first sentence of each")
t.like(list, "\n  help%s+Documentation at the REPL", "help itself is listed")

local m = help.text(pretty)
t.like(m, "^pretty\n", "help(module) starts with the title")
t.like(m, "Contents %(help%(\"name\"%) for one%):\n  pretty%.format%(value %[, opts%]%)\n", "and lists the functions")
t.like(m, "%(docs/api/pretty%.md%)$", "and names its source")
t.is(help.text("pretty"), m, "a module by name")

local f = help.text(pretty.format)
t.like(f, "^pretty%.format%(value %[, opts%]%)\n%-+\n", "help(function) prints its section")
t.like(f, "\n    print%(pretty%.format%(big, { items = 5 }%)%)\n", "code blocks are indented")
t.like(f, "\n  prints:\n    { 1, 4, 9, 16, 25, ", "output blocks are announced")
t.ok(not f:find("```", 1, true), "no fences left")
t.is(help.text("pretty.format"), f, "a function by name")
t.like(help.text("pretty.defaults"), "^pretty%.defaults\n", "a field by name")
t.like(help.text(help.text), "^help%.text%(%[x%]%)", "help.text documents itself")

t.is(help.text(string.format), "string.format is part of standard Lua: https://www.lua.org/manual/5.4/manual.html#pdf-string.format", "standard functions point to the manual")
t.like(help.text("table.concat"), "^table%.concat is part of standard Lua", "by name too")
t.like(help.text(print), "^print is part of standard Lua", "basic functions")
t.is(help.text("nosuch.thing"), "No documentation for nosuch.thing.", "unknown name")
t.is(help.text(function() end), "No documentation for this function value.", "unknown function")
t.is(help.text(42), "No documentation for this number value.", "other values")

-- Markdown rendered for a terminal: headings underlined, code indented,
-- tables aligned (or, too wide, one record per row), no markup left.
do
  local corpus = require "corpus"
  local o = help.text(corpus.open)
  t.like(o, "^corpus%.open%(%[source %[, opts%]%]%)\n%-+\n", "help(corpus.open): its heading first")
  local basics = o:find("source is one of", 1, true)
  local cluster = o:find("--merge", 1, true)
  local misuse = o:find("Misuse", 1, true)
  t.ok(basics and cluster and basics < cluster, "help(corpus.open): the basics come before the cluster details", o)
  t.ok(basics and misuse and basics < misuse, "help(corpus.open): the sources before the misuse details")
  t.like(o, "\nOptions\n%-+\n", "help(corpus.open): its subsections (Options), with headings")
  t.ok(not o:find("`", 1, true), "help(corpus.open): no backticks, even of code spans over two lines")
  t.like(o, "\n  on_error %(default: \"warn\"%)\n      \"warn\": a skipped item", "a wide table: one record per row")
  for _, page in ipairs({ corpus.open, "fold.run", "corpus", "fold", "count.freq", "report.table" }) do
    local text = help.text(page)
    local name = type(page) == "string" and page or "corpus.open"
    t.ok(not text:find("```", 1, true) and not text:find("|---", 1, true) and not text:find("%*%*%a")
      and not text:find("\n#+ ") and not text:find("%]%([^)]*%.md"), "help(" .. name .. "): no raw Markdown", text)
  end
  local fo = help.text("fold.run")
  t.like(fo, "\n  numbers\n      adding %(integers stay integers;", "a two-column table too wide: its rows as records")
  t.like(fo, "\n  C counters %(count%.freq%(%) %.%.%.%)\n      their own :merge\n", "a cell with parentheses is not taken for a note")
  t.ok(not fo:find("\n\n\n", 1, true), "no runs of blank lines")
  local md = help.render_markdown({ "# Title", "", "Some `code` and **bold** and [a link](other.md) and [web](https://x.org).",
    "", "| a | bb |", "|---|---|", "| 1 | `x \\| y` |", "", "```lua", "print(1)", "```", "```output", "1", "```" })
  t.is(md, "Title\n=====\n\nSome code and bold and a link and web <https://x.org>.\n\n  a  bb\n  -  -----\n  1  x | y\n\n    print(1)\n  prints:\n    1",
    "help.render_markdown: headings, inline markup, tables, code and output")
end

-- Methods of a registered type: found by their ":name(" heading, in a
-- documentation directory of our own.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. t.shell_quote(dir)))
local wf = assert(io.open(dir .. "/widget.md", "w"))
wf:write("# widget\n\nWidgets spin.\n\n## `widget.new()`\n\nA widget.\n\n## `w:spin(n)`\n\nSpins `n` times.\n")
wf:close()
package.preload.widget = function() return {} end
help.docdir = dir
local reg = debug.getregistry()
local spin = function() end
reg["corpusrun.Widget"] = { __index = { spin = spin } }
t.is(help.text(spin), "w:spin(n)\n---------\n\nSpins n times.\n(docs/api/widget.md)",
  "a method found through the registry's metatables")
t.is(help.text("w:spin"), help.text(spin), "a method by variable:name")
t.like(help.text(), "\n  widget  Widgets spin%.", "preloaded modules with docs are listed")
local w = setmetatable({}, { __name = "corpusrun.Widget" })
t.like(help.text(w), "^widget\n", "an object of a registered type: its module")
reg["corpusrun.Widget"] = nil
package.preload.widget = nil
help.docdir = nil
os.execute("rm -rf " .. t.shell_quote(dir))

-- Every function of every module and every method of every type resolves to
-- a section of its own: a heading that names it ("count.freq",
-- "sqlite3.open", "db:exec" for a lsqlite3 database, "h:exec" for a db
-- handle).  Modules that are not part of the API are listed with the reason.
local internal = {
  shards = "the cluster runs' plumbing behind --shard/--merge (docs/cluster.md)",
  count_sqlite = "what f:save and count.load call",
  plan = "the `corpusrun plan` command (docs/cluster.md)",
  index = "the `corpusrun index` command (docs/cli.md)",
  sandbox = "the --sandbox option's environment (docs/sandbox.md)",
  _G = "standard Lua", string = "standard Lua", table = "standard Lua", math = "standard Lua",
  io = "standard Lua", os = "standard Lua", coroutine = "standard Lua", utf8 = "standard Lua",
  debug = "standard Lua", package = "standard Lua",
}
local function names_in(text)
  local set = {}
  local heading = text:match("^([^\n]*)\n%-+\n") -- a section: its heading underlined
  if not heading then return set end
  for owner, sep, name in heading:gsub("`", ""):gmatch("([%w_]+)([.:])([%a_][%w_]*)") do
    set[owner .. sep .. name] = true
  end
  return set
end
do
  local modules = {}
  -- (a private core, NAME.core, is documented through its public module NAME)
  for name in pairs(package.preload) do
    if not name:find("%.core$") then modules[#modules + 1] = name end
  end
  local ls = assert(io.popen("ls " .. t.shell_quote(t.root .. "/lib/lua")))
  for file in ls:lines() do modules[#modules + 1] = file:match("^(.*)%.lua$") end
  ls:close()
  table.sort(modules)
  local missing, checked = {}, 0
  for _, m in ipairs(modules) do
    if not internal[m] then
      local mod = require(m)
      local owners = { m }
      for _, a in ipairs(help.aliases[m] or {}) do owners[#owners + 1] = a end
      local keys = {}
      -- (names starting with "_" are hooks between corpusrun's own modules, not API)
      for k, v in pairs(mod) do
        if type(k) == "string" and type(v) == "function" and k:sub(1, 1) ~= "_" then keys[#keys + 1] = k end
      end
      table.sort(keys)
      for _, k in ipairs(keys) do
        checked = checked + 1
        local set = names_in(help.text(mod[k]))
        local found = false
        for _, o in ipairs(owners) do found = found or set[o .. "." .. k] end
        if not found then missing[#missing + 1] = m .. "." .. k end
      end
    end
  end
  t.ok(checked > 150, "module functions enumerated", checked)
  t.is(table.concat(missing, " "), "", "every module function has a section whose heading names it")

  -- objects, so that every type's metatable is registered
  local sqlite3 = require "lsqlite3"
  local db = sqlite3.open_memory()
  local st = db:prepare("SELECT 1")
  local reg = debug.getregistry()
  local types = {}
  for key, mt in pairs(reg) do
    if type(key) == "string" and key ~= "FILE*" and type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
      types[#types + 1] = key
    end
  end
  table.sort(types)
  missing, checked = {}, 0
  local untyped = {}
  for _, tname in ipairs(types) do
    local spec = help.types[tname]
    if not spec then untyped[#untyped + 1] = tname end
    local index = rawget(reg[tname], "__index")
    local keys = {}
    for k, v in pairs(index) do
      if type(k) == "string" and type(v) == "function" and not k:match("^__") then keys[#keys + 1] = k end
    end
    table.sort(keys)
    local pages = spec and (type(spec[1]) == "table" and spec[1] or { spec[1] }) or {}
    for _, k in ipairs(keys) do
      checked = checked + 1
      local text = help.text(index[k])
      local set = names_in(text)
      local found = false
      for i = 2, spec and #spec or 1 do found = found or set[spec[i] .. ":" .. k] end
      local on_page = false
      for _, page in ipairs(pages) do on_page = on_page or text:find("(docs/api/" .. page .. ".md)", 1, true) end
      if not found or not on_page then
        missing[#missing + 1] = tname .. ":" .. k
      end
    end
  end
  for _, need in ipairs({ "corpusrun.Corpus", "corpusrun.Freq", "corpusrun.Cooc", "corpusrun.DTM",
      "corpusrun.Gazetteer", "corpusrun.Database", "corpusrun.Statement", "corpusrun.Context",
      "corpusrun.Backup", "corpusrun.DB", "corpusrun.CorpusDB", "corpusrun.Progress", "corpusrun.IndexCorpus" }) do
    t.ok(reg[need] ~= nil, "type " .. need .. " is registered")
  end
  t.ok(checked > 120, "methods enumerated", checked)
  t.is(table.concat(untyped, " "), "", "every type with methods has its page in help.types")
  t.is(table.concat(missing, " "), "", "every method has a section on its type's page whose heading names it")
  st:finalize()
  db:close()
  t.like(help.text(io.stdout.read), "^file:read is part of standard Lua", "file methods point to the manual")
end

-- Right page: an lsqlite3 database's exec is lsqlite3.md's db:exec, a db
-- handle's is db.md's h:exec.
do
  local sqlite3 = require "lsqlite3"
  local raw = sqlite3.open_memory()
  t.like(help.text(raw.exec), "^db:exec%(", "lsqlite3 db:exec")
  t.like(help.text(raw.exec), "%(docs/api/lsqlite3%.md%)$", "on the lsqlite3 page")
  local h = require("db").open(":memory:")
  t.like(help.text(h.exec), "^h:exec%(", "db handle h:exec")
  t.like(help.text(h.exec), "%(docs/api/db%.md%)$", "on the db page")
  t.like(help.text(sqlite3.open), "^sqlite3%.open%(", "help(sqlite3.open)")
  t.like(help.text((require "corpus").ingest), "corpus%.ingest", "help(corpus.ingest) on the corpusdb page")
  t.like(help.text((require "tokenize").abbreviations), "^tokenize%.abbreviations%(", "help(tokenize.abbreviations)")
  t.like(help.text((require "match").is_acronym), "match%.is_acronym", "help(match.is_acronym)")
  t.like(help.text("sqlite3.version"), "^sqlite3%.version%(", "by name, through the alias")
  _G.hdb = raw
  t.like(help.text("hdb:prepare"), "^db:prepare%(", "variable:method through the object's type")
  _G.hdb = nil
  h:close()
  raw:close()
end

-- help(x) prints help.text(x).
local tmp = os.tmpname()
local real = io.stdout
io.stdout = assert(io.open(tmp, "w"))
help("pretty.quote")
io.stdout:close()
io.stdout = real
local fh = assert(io.open(tmp)); local printed = fh:read("a"); fh:close(); os.remove(tmp)
t.is(printed, help.text("pretty.quote") .. "\n", "help(x) prints the text")

help.docdir = "/nonexistent"
t.like(help.text(), "^No documentation found", "no docs directory: said so")
t.done()
