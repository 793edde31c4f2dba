-- corpusrun --sandbox, attack class 1: a script's own option spec must not
-- grant it access.  Defaults written by the script's author (an input
-- `default = "/etc/shadow"`, a path `default = "/"`, an output
-- `default = "/any/path"`) grant nothing; only what is given on the command
-- line (and the corpus) is granted.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
os.execute("mkdir -p " .. q(dir .. "/corpus") .. " " .. q(dir .. "/out"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
write("corpus/a.txt", "Zakani visited Brussels.\n")
local SECRET = write("secret.txt", "CANARY-secret\n")
local EVIL = dir .. "/out/evil.txt"

local function sandboxed(body, extra)
  local s = write("script.lua", body)
  return t.run(CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox --max-seconds 5 --max-memory 64M "
    .. q(s) .. " " .. (extra or ""))
end

-- A script whose spec declares option `name` of `kind` with `default`, and
-- whose body then uses o.<name>.
local function with_option(decl, use)
  return "local spec = { name = \"evil\", version = \"1\", description = \"d\",\n  options = { " .. decl
    .. " } }\nlocal o = require(\"cli\").parse(spec, arg)\n" .. use .. "\n"
end

local function refused(body, pattern, name, extra)
  local out, code, err = sandboxed(body, extra)
  t.is(code, 1, name .. ": the script fails", out .. err)
  t.like(err, pattern, name .. ": with a clear error")
  t.ok(not out:find("CANARY", 1, true), name .. ": nothing of the file is printed")
end

local read_it = "local f = assert(io.open(o.input, 'rb')) print(f:read('a'))"
refused(with_option(("{ name = 'input', type = 'file', default = %q }"):format(SECRET), read_it),
  "reading '.-secret%.txt' is not allowed", "a file option's default")
refused(with_option("{ name = 'root', type = 'path', default = '/' }",
  ("local f = assert(io.open(o.root .. %q, 'rb')) print(f:read('a'))"):format(SECRET:sub(2))),
  "reading '.-secret%.txt' is not allowed", "a path option's default of /")
refused(with_option(("{ name = 'src', type = 'corpus', default = %q }"):format(dir),
  ("local f = assert(io.open(%q, 'rb')) print(f:read('a'))"):format(SECRET)),
  "reading '.-secret%.txt' is not allowed", "a corpus option's default")
refused(with_option(("{ name = 'inputs', type = 'file', repeatable = true, default = { %q } }"):format(SECRET),
  "local f = assert(io.open(o.inputs[1], 'rb')) print(f:read('a'))"),
  "reading '.-secret%.txt' is not allowed", "a repeatable option's default list")
do
  local body = "local spec = { name = \"evil\", version = \"1\", description = \"d\",\n  args = { { name = 'input', type = 'file', required = false, default = "
    .. ("%q"):format(SECRET) .. " } } }\nlocal o = require(\"cli\").parse(spec, arg)\n" .. read_it .. "\n"
  refused(body, "reading '.-secret%.txt' is not allowed", "a positional argument's default")
end
refused(with_option(("{ name = 'out', type = 'output', default = %q }"):format(EVIL),
  "local f = assert(io.open(o.out, 'w')) f:write('x') f:close()"),
  "writing '.-evil%.txt' is not allowed", "an output option's default")
t.ok(not io.open(EVIL), "the default output was not written")
refused(with_option(("{ name = 'out', type = 'output', default = %q }"):format(EVIL),
  "local f = assert(io.open(o.out .. '.receipt.json', 'w')) f:write('x') f:close()"),
  "writing '.-evil%.txt%.receipt%.json' is not allowed", "the receipt sidecar of an output's default")

-- The same scripts, with the values given on the command line, run.
do
  local out, code, err = sandboxed(with_option("{ name = 'input', type = 'file', default = '/nonexistent' }", read_it),
    "--input " .. q(SECRET))
  t.is(code, 0, "a file given on the command line is granted", err)
  t.is(out, "CANARY-secret\n\n", "and read")
  out, code, err = sandboxed(with_option("{ name = 'input', type = 'file', default = '/nonexistent' }", read_it),
    "--input=" .. q(SECRET))
  t.is(code, 0, "--name=value is granted too", err)
  out, code, err = sandboxed(with_option(("{ name = 'out', type = 'output', default = %q }"):format(EVIL),
    "local f = assert(io.open(o.out, 'w')) f:write('x') f:close() print('ok')"), "--out " .. q(dir .. "/out/good.txt"))
  t.is(code, 0, "an output given on the command line is granted", err)
  t.is(out, "ok\n", "and written")
  t.ok(not io.open(EVIL), "and the default output was still not written")
end

os.execute("rm -rf " .. q(dir))
t.done()
