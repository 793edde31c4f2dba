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
