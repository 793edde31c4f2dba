-- Declared arguments: lib/lua/cli.lua (parse, help, version, describe).
local t = require "tap"
local cli = require "cli"

local function spec()
  return {
    name = "demo", version = "1.2.3",
    description = "A demonstration script.",
    options = {
      { name = "corpus", short = "c", type = "corpus", help = "corpus to read" },
      { name = "entities", type = "file", default = "corpus/entities.tsv", help = "gazetteer" },
      { name = "top", short = "n", type = "integer", min = 1, max = 1000, default = 20, help = "rows" },
      { name = "ratio", type = "number", min = 0, max = 1, default = 0.5, help = "a ratio" },
      { name = "format", type = "enum", choices = { "text", "csv", "json" }, default = "text", help = "format" },
      { name = "unit", type = "string", patterns = { "sentence", "document", "window:%d+" },
        metavar = "sentence|document|window:N", default = "sentence", help = "co-mention unit" },
      { name = "out", type = "output", help = "output file" },
      { name = "quiet", short = "q", type = "boolean", help = "no progress" },
      { name = "no-discover", type = "boolean", help = "skip discovery" },
      { name = "color", type = "boolean", negatable = true, default = true, help = "colour" },
      { name = "by", type = "string", repeatable = true, help = "break down by field" },
      { name = "label", type = "string", required = true, help = "a required label" },
    },
  }
end

local function try(...) return cli.try(spec(), { ... }) end

-- defaults
local v = try("--label", "x")
t.is(v.top, 20, "integer default")
t.is(v.ratio, 0.5, "number default")
t.is(v.format, "text", "enum default")
t.is(v.unit, "sentence", "pattern default")
t.is(v.entities, "corpus/entities.tsv", "file default")
t.is(v.quiet, false, "boolean default false")
t.is(v.color, true, "boolean default true")
t.is(v.no_discover, false, "dashes become underscores in keys")
t.is_deeply(v.by, {}, "repeatable default is an empty list")
t.is(v.corpus, nil, "no default: nil")

-- values, all syntaxes
v = try("--label=y", "-c", "corpus", "--ratio=0.25", "--format", "json",
        "--unit", "window:3", "-q", "--no-discover", "--no-color", "--by", "date", "--by=outlet", "-n7")
t.is(v.label, "y", "--name=value")
t.is(v.corpus, "corpus", "short option with separate value")
t.is(v.ratio, 0.25, "number from --name=value")
t.is(v.format, "json", "enum value")
t.is(v.unit, "window:3", "value matching a declared pattern")
t.is(v.quiet, true, "short boolean flag")
t.is(v.no_discover, true, "boolean named no-...")
t.is(v.color, false, "--no-NAME on a negatable boolean")
t.is_deeply(v.by, { "date", "outlet" }, "repeatable option collects in order")
t.is(math.type(v.top), "integer", "integers are Lua integers")
t.is(v.top, 7, "-n7 (value glued to a short option)")

-- errors: status 2, message naming the bad option
local function err(args, pattern, name)
  local val, msg, status = cli.try(spec(), args)
  t.ok(val == nil and status == 2, name .. " (status 2)", "status: " .. tostring(status))
  t.like(msg or "", pattern, name .. " (message)")
end
err({ "--label", "x", "--top", "abc" }, "^demo: %-%-top: expected an integer, got 'abc'", "non-integer")
err({ "--label", "x", "--top", "2.5" }, "%-%-top: expected an integer", "fraction for an integer")
err({ "--label", "x", "--top", "0" }, "%-%-top: must be at least 1, got 0", "integer below range")
err({ "--label", "x", "--top", "1001" }, "%-%-top: must be at most 1000", "integer above range")
err({ "--label", "x", "--ratio", "nan" }, "%-%-ratio: expected a number", "NaN refused")
err({ "--label", "x", "--format", "xml" }, "%-%-format: expected one of text|csv|json, got 'xml'", "bad enum")
err({ "--label", "x", "--unit", "window:" }, "%-%-unit: expected sentence|document|window:N", "bad pattern")
err({ "--label", "x", "--entities", "no/such/file.tsv" }, "%-%-entities: cannot read file 'no/such/file.tsv'", "file must exist")
err({ "--label", "x", "--entities", "corpus" }, "%-%-entities: cannot read file 'corpus'", "a directory is not a file")
err({ "--label", "x", "-c", "no-such-corpus" }, "%-c %(%-%-corpus%): no such corpus 'no%-such%-corpus'", "corpus must exist")
err({ "--label", "x", "--out", "no/such/dir/x.csv" }, "%-%-out: directory 'no/such/dir' of output", "output directory must exist")
err({ "--label", "x", "--out", "corpus" }, "%-%-out: output 'corpus' is a directory", "output may not be a directory")
err({ "--label", "x", "--tpo", "3" }, "unknown option %-%-tpo %(did you mean %-%-top%?%)", "unknown option with a hint")
err({ "--label", "x", "-z" }, "unknown option %-z", "unknown short option")
err({ "--label", "x", "--top" }, "%-%-top: missing value", "missing value")
err({}, "missing required option %-%-label", "required option")
err({ "--label", "x", "--label", "y" }, "%-%-label: given more than once", "non-repeatable given twice")
err({ "--label", "x", "stray" }, "unexpected argument 'stray'", "stray positional")
err({ "--label", "x", "--quiet=maybe" }, "%-%-quiet: expected true or false", "bad boolean value")
err({ "--label", "x", "--no-quiet" }, "unknown option %-%-no%-quiet", "--no- only for negatable booleans")

-- help and version: status 0
local val, msg, status = cli.try(spec(), { "--help" })
t.ok(val == nil and status == 0, "--help: status 0")
t.like(msg, "^Usage: corpusrun scripts/demo%.lua %[options%]\n", "help starts with usage")
t.like(msg, "A demonstration script%.", "help shows the description")
t.like(msg, "%-c, %-%-corpus PATH", "help shows short and long names with a metavar")
t.like(msg, "%-%-top N%s+rows %(1%.%.1000; default: 20%)", "help shows range and default")
t.like(msg, "%-%-format text|csv|json", "help shows enum choices")
t.like(msg, "%-%-entities FILE%s+gazetteer %(must exist; default:%s+corpus/entities%.tsv%)", "help says a file must exist")
t.like(msg, "%-%-by TEXT%s+break down by field %(repeatable%)", "help says repeatable")
t.like(msg, "%-%-label TEXT%s+a required label %(required%)", "help says required")
t.like(msg, "%-h, %-%-help", "help lists --help")
t.like(msg, "%-%-version", "help lists --version")
val, msg, status = cli.try(spec(), { "-h" })
t.is(status, 0, "-h is --help")
val, msg, status = cli.try(spec(), { "--version" })
t.is(msg, "demo 1.2.3\n", "--version prints name and version")
t.is(status, 0, "--version: status 0")

-- positional arguments
local pspec = {
  name = "kw", version = "1",
  args = { { name = "pattern", help = "what to find" }, { name = "more", repeatable = true, required = false } },
  options = { { name = "window", type = "integer", default = 5 } },
}
v = cli.try(pspec, { "Iran", "--window", "3", "a", "b" })
t.is(v.pattern, "Iran", "positional argument")
t.is_deeply(v.more, { "a", "b" }, "repeatable positional")
t.is(v.window, 3, "options mix with positionals")
v = cli.try(pspec, { "--", "-x" })
t.is(v.pattern, "-x", "-- ends options")
local _, m2, s2 = cli.try(pspec, {})
t.is(s2, 2, "missing positional: status 2")
t.like(m2, "missing argument PATTERN", "missing positional named")

-- cli.parse exits through the given function
local exited, out
local real_stderr = io.stderr
io.stderr = { write = function(_, s) out = s end, flush = function() end } -- luacheck: ignore
cli.parse(spec(), { "--top", "x" }, function(code) exited = code end)
io.stderr = real_stderr
t.is(exited, 2, "cli.parse exits with status 2 on a bad option")
t.like(out, "%-%-top", "and the message names it")

-- misuse of the spec itself raises
t.raises(function() cli.try({ name = "x", options = { { name = "a", type = "colour" } } }, {}) end,
         "unknown type 'colour'", "unknown type in a spec raises")
t.raises(function() cli.try({ name = "x", options = { { name = "help" } } }, {}) end,
         "reserved", "--help is reserved")
t.raises(function() cli.try({ options = {} }, {}) end, "spec.name", "a spec needs a name")

-- describe: parsed, not run
local script = [[
#!/usr/bin/env corpusrun
-- a script
local spec = {
  name = "side", version = "0.1", -- a comment inside
  description = [==[Has a long string: } ]==],
  options = {
    { name = "top", type = "integer", default = -3, help = "it's {fine}" },
    ["examples"] = nil,
  },
}
os.exit(99)
]]
local d, derr = cli.describe_text(script, "side.lua")
t.ok(d, "describe_text reads a leading spec", derr)
t.is(d and d.name, "side", "describe: name")
t.is(d and d.options[1].default, -3, "describe: negative number")
t.is(d and d.options[1].help, "it's {fine}", "describe: braces inside strings")
t.is(d and d.description, "Has a long string: } ", "describe: long strings")
local function refuses(src, pattern, name)
  local r, e = cli.describe_text(src, "x.lua")
  t.ok(r == nil, name .. " (refused)")
  t.like(e or "", pattern, name .. " (message)")
end
refuses("local spec = { name = (function() while true do end end)() }", "not allowed", "a call in the spec")
refuses("local spec = { name = os.getenv('HOME') }", "'os' is not allowed", "a variable in the spec")
refuses("local spec = { name = 1 + 2 }", "not allowed", "an operator in the spec")
refuses("local spec = { name = 'a' .. {} }", "attempt to concatenate", "concatenating a table")
t.is((cli.describe_text("local spec = { name = 'a' .. 'b' .. 1 }")).name, "ab1", "concatenated literals")
refuses("local spec = { name = function() end }", "'function' is not allowed", "a function in the spec")
refuses("print(1)\nlocal spec = { name = 'x' }", "must come first", "code before the spec")
refuses("local x = 1", "no leading 'local spec", "no spec")
refuses("local spec = { name = 'x', options = { { name = 'a', type = 'bogus' } } }", "unknown type", "a spec that does not compile")
refuses("local spec = { name = 'x'", "unfinished", "an unfinished spec")
refuses("local spec = { name = 'x\n' }", "unfinished string", "a broken string")

-- every script in scripts/ declares a spec that describe can read
local p = io.popen("ls scripts/*.lua 2>/dev/null")
local n = 0
for path in p:lines() do
  n = n + 1
  local s, e = cli.describe(path)
  t.ok(s, "describe " .. path, e)
  if s then t.like(cli.describe_header(s), "^" .. s.name:gsub("%p", "%%%0") .. " ", path .. ": header names the script") end
end
p:close()
if n == 0 then t.skip("no scripts yet") end

-- The usage line names the script as it was run (arg[0]), relative to the
-- working directory when it lies under it; scripts outside scripts/ too.
do
  local q = t.shell_quote
  local CR = t.corpusrun
  local dir = t.tempdir()
  os.execute("mkdir -p " .. q(dir .. "/tools"))
  local path = dir .. "/tools/count.lua"
  local f = assert(io.open(path, "wb"))
  f:write('local spec = { name = "count", options = {} }\nrequire("cli").parse(spec, arg)\n')
  f:close()
  local function usage(cmd) return (t.run(cmd)):match("^[^\n]*") end
  t.is(usage(CR .. " " .. q(path) .. " --help"), "Usage: corpusrun " .. path .. " [options]",
       "usage: a script outside the working directory by its absolute path")
  t.is(usage("cd " .. q(dir) .. " && " .. CR .. " tools/count.lua --help"), "Usage: corpusrun tools/count.lua [options]",
       "usage: a script outside scripts/ by the relative path it was run as")
  t.is(usage("cd " .. q(dir) .. " && " .. CR .. " " .. q(path) .. " --help"), "Usage: corpusrun tools/count.lua [options]",
       "usage: an absolute path under the working directory, made relative")
  t.is(usage(CR .. " scripts/freq.lua --help"), "Usage: corpusrun scripts/freq.lua [options]", "usage: scripts/freq.lua")
  local out = t.run("cd " .. q(dir) .. " && " .. CR .. " --describe tools/count.lua")
  t.like(out, "\nUsage: corpusrun tools/count%.lua %[options%]", "--describe names the path it was given")
  os.execute("rm -rf " .. q(dir))
end

t.done()
