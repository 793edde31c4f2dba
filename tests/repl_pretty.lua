-- The pretty-printer used by the REPL (lib/lua/pretty.lua).
local t = require "tap"
local pretty = require "pretty"
local f = pretty.format

t.is(f(42), "42", "integer")
t.is(f(1.5), "1.5", "float")
t.is(f(2^63), "9.2233720368548e+18", "large float as tostring")
t.is(f(0/0), "0/0", "nan")
t.is(f(-math.huge), "-math.huge", "minus infinity")
t.is(f(nil), "nil", "nil")
t.is(f(true), "true", "boolean")
t.is(f("hi"), '"hi"', "strings are quoted")
t.is(f('a"b\\c\n\t'), '"a\\"b\\\\c\\n\\t"', "escapes")
t.is(f("\0" .. "1"), '"\\0001"', "a digit after an escaped byte: three digits")
t.is(f("\0x"), '"\\0x"', "short escape otherwise")
t.is(f("café"), '"café"', "valid UTF-8 stays readable")
t.is(f("caf\233"), '"caf\\233"', "invalid UTF-8 is escaped")
t.is(load("return " .. f("x\0\1\0012\255\"\\\n"))(), "x\0\1\0012\255\"\\\n", "quoted strings read back")

t.is(f({}), "{}", "empty table")
t.is(f({ 1, 2, 3 }), "{ 1, 2, 3 }", "sequence")
t.is(f({ b = 2, a = 1, 10, 20 }), "{ 10, 20, a = 1, b = 2 }", "sequence first, then sorted keys")
t.is(f({ [3] = "c", [1.5] = "x", z = 1, [true] = 0, ["two words"] = 2, ["end"] = 3 }),
  '{ [1.5] = "x", [3] = "c", ["end"] = 3, ["two words"] = 2, z = 1, [true] = 0 }',
  "numbers, then strings, then booleans; keywords and non-identifiers bracketed")
t.is(f({ a = { b = { c = {} } } }), "{ a = { b = { c = {} } } }", "nested")

local cyc = { name = "root" }
cyc.self = cyc
t.is(f(cyc), '<1>{ name = "root", self = <cycle 1> }', "cycle marked")
local a, b = {}, {}
a.b, b.a = b, a
t.is(f({ a, b }), "{ <1>{ b = { a = <cycle 1> } }, <2>{ a = { b = <cycle 2> } } }",
  "each cycle marks its own target")
local shared = { 1 }
t.is(f({ shared, shared }), "{ { 1 }, { 1 } }", "shared tables are not cycles")

t.is(f({ a = { b = { c = { d = { e = 1 } } } } }), "{ a = { b = { c = { d = {...} } } } }", "depth limit")
t.is(f({ a = { b = 1 } }, { depth = 1 }), "{ a = {...} }", "depth option")

local big = {}
for i = 1, 100000 do big[i] = i end
local out = f(big)
t.like(out, "%.%.%. 99960 more %(100000 items%)", "a huge table is summarised")
t.ok(#out < 400, "and stays short (" .. #out .. " bytes)")
local hash = {}
for i = 1, 100000 do hash[string.format("k%06d", i)] = i end
out = f(hash)
t.like(out, "^{\n  k000001 = 1,\n  k000002 = 2,\n", "hash: first keys in order")
t.like(out, "%.%.%. 99960 more %(100000 items%)\n}$", "hash summarised")
t.is(f({ 1, 2, 3, 4, 5 }, { items = 2 }), "{ 1, 2, ... 3 more (5 items) }", "items option")

local wide = {}
for i = 1, 30 do wide[i] = i * 1000 end
t.is(f(wide), "{\n  1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000,\n"
  .. "  13000, 14000, 15000, 16000, 17000, 18000, 19000, 20000, 21000, 22000, 23000,\n"
  .. "  24000, 25000, 26000, 27000, 28000, 29000, 30000\n}", "long sequences wrap, short items share lines")
t.is(f({ name = string.rep("x", 50), other = string.rep("y", 50) }),
  '{\n  name = "' .. string.rep("x", 50) .. '",\n  other = "' .. string.rep("y", 50) .. '"\n}',
  "entries too long for one line get one line each")
t.is(f({ s = "é" .. string.rep("a", 10) }, { strlen = 1 }), '{ s = ""... (12 bytes) }',
  "long strings inside tables are cut on a character boundary")
t.is(f(string.rep("a", 300)), '"' .. string.rep("a", 300) .. '"', "a top-level string is shown whole")

t.is(f(string.format), "function: string.format", "library functions by name")
t.is(f(print), "function: print", "global functions by name")
t.like(f(function() end), "^function: .*repl_pretty%.lua:%d+$", "Lua functions by definition")
local obj = setmetatable({}, { __tostring = function() return "<obj>" end })
t.is(f({ obj }), "{ <obj> }", "__tostring is used")
local bad = setmetatable({}, { __tostring = function() error("no") end })
t.is(f(bad), "table", "a failing __tostring falls back to the type")

t.raises(function() f(1, { nope = 1 }) end, "unknown option 'nope'", "unknown option")
t.raises(function() f(1, { depth = "x" }) end, "option 'depth' must be a number", "bad option type")
t.raises(function() f(1, 5) end, "table expected", "options must be a table")

-- pretty.print writes like print: tab-separated, one line.
local tmp = os.tmpname()
local saved = io.output()
local fh = assert(io.open(tmp, "w"))
local real_stdout = io.stdout
io.stdout = fh
pretty.print(1, "a", { 2 })
io.stdout = real_stdout
fh:close()
io.output(saved)
local rf = assert(io.open(tmp)); local printed = rf:read("a"); rf:close(); os.remove(tmp)
t.is(printed, '1\t"a"\t{ 2 }\n', "pretty.print")

t.done()
