-- The command line mirrors lua5.4: every shared option is run through both
-- interpreters and their stdout, stderr (program name aside) and exit codes
-- compared; then corpusrun's own options.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)
local has_lua = os.execute("command -v lua5.4 >/dev/null 2>&1")

local tmp = os.tmpname(); os.remove(tmp)
assert(os.execute("mkdir -p " .. q(tmp)))
local function write(name, text)
  local f = assert(io.open(tmp .. "/" .. name, "wb")); f:write(text); f:close()
  return tmp .. "/" .. name
end

-- Runs `<interp> <args>` with a clean environment for both interpreters.
local function run(interp, args, input, env)
  local cmd = "env -u LUA_INIT -u LUA_INIT_5_4 -u CORPUSRUN_INIT -u LUA_PATH -u LUA_PATH_5_4 "
    .. (env or "") .. " " .. interp .. " " .. args
  local out, code, err = t.run(cmd, input)
  out = out:gsub("=" .. interp:gsub("'", ""):gsub("%p", "%%%0") .. " ", "=INTERP "):gsub("=lua5%.4 ", "=INTERP ")
  err = err:gsub("^lua5%.4:", "corpusrun:"):gsub("\nlua5%.4:", "\ncorpusrun:")
  return out, code, err
end

local function same(args, name, input, first_err_line_only, skip_first_out_line)
  if not has_lua then t.skip("lua5.4 not installed", 3) return end
  local o1, c1, e1 = run("lua5.4", args, input)
  local o2, c2, e2 = run(CR, args, input)
  if first_err_line_only then e1, e2 = e1:match("^[^\n]*"), e2:match("^[^\n]*") end
  if skip_first_out_line then o1, o2 = o1:gsub("^[^\n]*\n", ""), o2:gsub("^[^\n]*\n", "") end
  t.is(o2, o1, name .. ": stdout as lua5.4")
  t.is(e2, e1, name .. ": stderr as lua5.4")
  t.is(c2, c1, name .. ": exit code as lua5.4")
end

local argscript = write("args.lua", [[
local parts = {}
for i = -3, #arg do parts[#parts + 1] = i .. "=" .. tostring(arg[i]) end
print(table.concat(parts, " "))
print(select("#", ...), ...)
]])
local errscript = write("err.lua", 'local function f() error("boom") end\nf()\n')
local shebang = write("shebang.lua", "#!/usr/bin/env corpusrun\nprint('shebang ok', ...)\n")
local syntax = write("syntax.lua", "x = = 1\n")
local exiter = write("exit.lua", "os.exit(3)\n")
write("mymod.lua", "return { answer = 42 }\n")

same("-e 'print(1 + 1)'", "-e")
same("-e 'x = 5' -e 'print(x * 2)'", "-e twice, in order")
same("-e", "-e without argument", nil, true)
same("-l", "-l without argument", nil, true)
same("-x", "unknown option", nil, true)
same("--bogus", "unknown long option", nil, true)
same("-ix", "option with extra characters", nil, true)
same("-e 'print(1)' -e", "missing argument after a good option", nil, true)
same(q(argscript) .. " a b c", "arg table and ...")
same("-e 'y=1' " .. q(argscript) .. " x", "arg with earlier words at negative indices")
same("-- " .. q(argscript) .. " -e", "-- stops option handling")
same("- a b", "script from stdin with arguments", "print(arg[0], arg[1], ...)\n")
same("", "stdin is read as a script when not a terminal", "print('from stdin')\n")
same(q(shebang) .. " z", "#! line skipped")
same(q(errscript), "error with traceback")
same(q(syntax), "syntax error")
same(q(exiter), "os.exit status")
same(q(tmp .. "/missing.lua"), "missing script")
same("-e 'error(setmetatable({}, {__tostring = function() return \"custom\" end}))'", "__tostring error object")
same("-e 'error({})'", "non-string error object")
same("-e 'error()'", "nil error object")
same("-W -e 'warn(\"hi\")'", "-W turns warnings on")
same("-e 'warn(\"hi\")'", "warnings off by default")
same("-E -e 'print(1)'", "-E")
-- Every form lua5.4 accepts, each with a script on stdin: whether stdin is
-- read, the arg table, and '--' anywhere, last included.
local probe = "local a0 = arg and arg[0]\n"
  .. "if a0 and (a0:find('lua5.4', 1, true) or a0:find('corpusrun', 1, true)) then a0 = 'INTERP' end\n"
  .. "print('stdin ran', a0, arg and #arg, ...)\n"
same("--", "-- alone: stdin is the script", probe)
same("-e 'x=1' --", "-e then --: stdin is not read", probe)
same("-e 'print(arg[0] ~= nil, arg[-1], #arg)' --", "-e then --: the arg table", probe)
same("-v --", "-v then --: the version only", probe, false, true)
same("-E --", "-E then --", probe)
same("-W --", "-W then --", probe)
same("-E -W -- ", "-E -W then --", probe)
same("-- -", "-- then -: a file named '-'", probe)
same("-- " .. q(argscript) .. " -- x", "-- before a script with -- among its arguments", probe)
same("- --", "- with -- as an argument", probe)
same("-", "- alone: stdin", probe)
same("-v", "-v alone: no stdin", probe, false, true)
same("-v -e 'print(5)'", "-v with -e", probe, false, true)
same("'-eprint(6)'", "-e with its chunk attached", probe)
same("'-eprint(7)' --", "-e attached then --", probe)
same("-E -e 'print(8)' - a", "-E, -e and stdin with an argument", probe)
same("--x", "-- with extra characters", probe, true)
same("-vx", "-v with extra characters", probe, true)
same("-Ex", "-E with extra characters", probe, true)
same("-Wx", "-W with extra characters", probe, true)
same("-l", "-l without argument, stdin given", probe, true)
same("-e 'print(9)' -l", "-l without argument after -e", probe, true)
same("-e", "-e at the end", probe, true)
same("-e --", "-e with -- as its chunk", probe, true)
same(q(argscript) .. " -e x --", "options after the script are its arguments", probe)
do -- lua5.4's readline echoes piped input: compare what is evaluated
  local out, code = t.run(CR .. " -i --", "print(40 + 2)\n")
  t.like(out, "^corpusrun [^\n]*\n> 42\n> \n$", "-i then --: the REPL reads stdin")
  t.is(code, 0, "-i then --: exit 0")
end
do -- lua5.4's readline echoes piped input; compare what is evaluated
  local out, code = t.run(CR .. " -e 'print(1)' -i", "x = 20\nprint(x + 1)\nx * 2\n")
  t.like(out, "^corpusrun [^\n]*\n1\n> > 21\n> 40\n> \n$", "-i: runs options, then reads and evaluates stdin")
  t.is(code, 0, "-i exits 0 at end of input")
end

-- -l mod and -l g=mod, with the module found through the path variables.
do
  local out, code = t.run("cd " .. q(tmp) .. " && " .. CR .. " -l mymod -e 'print(mymod.answer)'")
  t.is(out, "42\n", "-l mod requires into a global of the same name")
  t.is(code, 0, "-l mod exit code")
  out = t.run("cd " .. q(tmp) .. " && " .. CR .. " -l m=mymod -e 'print(m.answer, mymod)'")
  t.is(out, "42\tnil\n", "-l g=mod requires into global g")
  local _, c2, e2 = t.run(CR .. " -l no_such_module_x")
  t.is(c2, 1, "-l of a missing module fails")
  t.like(e2, "^corpusrun: module 'no_such_module_x' not found", "-l missing module message")
end

-- CORPUSRUN_INIT as LUA_INIT: a chunk, or @file; ignored under -E.
do
  local initf = write("init.lua", "INITED = 'file'\n")
  local out = t.run("CORPUSRUN_INIT='INITED=\"str\"' " .. CR .. " -e 'print(INITED)'")
  t.is(out, "str\n", "CORPUSRUN_INIT chunk runs first")
  out = t.run("CORPUSRUN_INIT=@" .. q(initf) .. " " .. CR .. " -e 'print(INITED)'")
  t.is(out, "file\n", "CORPUSRUN_INIT=@file runs the file")
  out = t.run("CORPUSRUN_INIT='INITED=1' " .. CR .. " -E -e 'print(INITED)'")
  t.is(out, "nil\n", "-E ignores CORPUSRUN_INIT")
  local _, code, err = t.run("CORPUSRUN_INIT='error(\"bad init\")' " .. CR .. " -e 'print(1)'")
  t.is(code, 1, "failing CORPUSRUN_INIT exits 1")
  t.like(err, "^corpusrun: CORPUSRUN_INIT:1: bad init", "failing CORPUSRUN_INIT message names it")
  out = t.run("LUA_INIT='print(\"lua init\")' " .. CR .. " -e 'print(2)'")
  t.is(out, "2\n", "LUA_INIT is not corpusrun's init variable")
end

-- package.path: lib/lua beside the executable first, from any directory,
-- then the script's own directory; CORPUSRUN_PATH with ;; as LUA_PATH.
do
  local libdir = t.root .. "/lib/lua/"
  local out = t.run("cd / && " .. CR .. " -e 'print(package.path)'")
  t.ok(out:sub(1, #libdir) == libdir, "package.path starts with lib/lua from another directory", out)
  local sub = tmp .. "/sub"; os.execute("mkdir -p " .. q(sub))
  write("sub/helper.lua", "return 'helper found'\n")
  write("sub/main.lua", "print((require 'helper'))\n")
  out = t.run("cd / && " .. CR .. " " .. q(sub .. "/main.lua"))
  t.is(out, "helper found\n", "a script finds modules in its own directory")
  out = t.run("cd / && CORPUSRUN_PATH='/x/?.lua;;' " .. CR .. " -e 'print(package.path)'")
  t.like(out, "^" .. libdir:gsub("%p", "%%%0") .. ".-;/x/%?%.lua;.*/usr/share/lua/5%.4/%?%.lua", "CORPUSRUN_PATH with ;; keeps the default path")
  out = t.run("CORPUSRUN_PATH='/x/?.lua' " .. CR .. " -E -e 'print(package.path:find(\"/x/\", 1, true))'")
  t.is(out, "nil\n", "-E ignores CORPUSRUN_PATH")
  out = t.run("cd / && " .. CR .. " -e 'print(type(package.preload.corpusrun))'")
  t.is(out, "function\n", "built-in modules are preloaded")
end

-- Default corpus: -c, --corpus, $CORPUSRUN_CORPUS, ./corpus.
do
  local dc = "-e 'print(require(\"corpusrun\").default_corpus())'"
  t.is((t.run("cd / && " .. CR .. " -c /usr " .. dc)), "/usr\n", "-c PATH")
  t.is((t.run("cd / && " .. CR .. " --corpus /etc " .. dc)), "/etc\n", "--corpus PATH")
  t.is((t.run("cd / && " .. CR .. " --corpus=/var " .. dc)), "/var\n", "--corpus=PATH")
  t.is((t.run("cd / && " .. CR .. " -c '/no/such/*.txt' " .. dc)), "/no/such/*.txt\n", "-c GLOB is left to corpus.open")
  t.is((t.run("cd / && CORPUSRUN_CORPUS=/env/c " .. CR .. " " .. dc)), "/env/c\n", "$CORPUSRUN_CORPUS")
  t.is((t.run("cd / && CORPUSRUN_CORPUS=/env/c " .. CR .. " -c /usr/lib " .. dc)), "/usr/lib\n", "-c wins over the environment")
  t.is((t.run("cd " .. q(t.root) .. " && " .. CR .. " " .. dc)), "corpus\n", "./corpus when it exists")
  t.is((t.run("cd / && " .. CR .. " " .. dc)), "nil\n", "no default corpus elsewhere")
  local fifo = tmp .. "/fifo"
  assert(os.execute("mkfifo " .. q(fifo)))
  local out, code, err = t.run("timeout 20 " .. CR .. " -c " .. q(fifo) .. " -e 'print(1)'")
  t.is(code, 1, "-c FIFO fails at once")
  t.is(err, "corpusrun: -c " .. fifo .. ": not a regular file or directory\n", "-c FIFO: the host names it")
  out, code = t.run("timeout 20 " .. CR .. " -e " .. q("print(require('corpus').open(" .. string.format("%q", fifo) .. "))"))
  t.is(out, "nil\t" .. fifo .. ": not a regular file or directory\n", "corpus.open(FIFO) returns nil and a message naming it")
  t.is(code, 0, "corpus.open(FIFO) does not block")
  _, code, err = t.run(CR .. " -c")
  t.is(code, 1, "-c without a path fails")
  t.like(err, "'%-c' needs argument", "-c without a path says so")
end

-- -j N / --jobs N / $CORPUSRUN_JOBS
do
  local jobs = "-e 'print(require(\"corpusrun\").jobs)'"
  t.is((t.run(CR .. " " .. jobs)), "1\n", "one job by default")
  t.is((t.run(CR .. " -j 3 " .. jobs)), "3\n", "-j 3")
  t.is((t.run(CR .. " --jobs=2 " .. jobs)), "2\n", "--jobs=2")
  t.is((t.run("CORPUSRUN_JOBS=4 " .. CR .. " " .. jobs)), "4\n", "$CORPUSRUN_JOBS")
  local _, code, err = t.run(CR .. " -j zero " .. jobs)
  t.is(code, 1, "bad -j value fails")
  t.like(err, "bad value for '%-j': 'zero'", "bad -j value is named")
end

-- --quiet silences progress lines, for the script and its workers.
do
  local out = t.run(CR .. " --quiet -e 'print(os.getenv(\"CORPUSRUN_QUIET\"))'")
  t.is(out, "1\n", "--quiet sets CORPUSRUN_QUIET for the script and its workers")
end

-- A bare name that is not a file runs the script of that name from the
-- scripts directory (as git runs its subcommands); a file of that name in
-- the current directory comes first; a misspelt name gets a suggestion.
do
  local out, code, err = t.run("cd / && " .. CR .. " --list")
  t.is(code, 0, "--list exits 0", err)
  t.like(out, "\nfreq +Word %(or stem, or n%-gram%) frequency list", "--list: freq with its one-line summary")
  t.like(out, "\nmentions +Who and what a corpus mentions\n", "--list: mentions with its one-line summary")
  local widest = 0
  for line in out:gmatch("[^\n]+") do widest = math.max(widest, utf8.len(line)) end
  t.ok(widest <= 80, "--list: every line fits 80 columns", widest)
  local cd = "cd " .. q(t.root) .. " && "
  local want = t.run(cd .. CR .. " scripts/freq.lua --top 3 --quiet")
  t.like(want, "\n +1 +the ", "the script by its path")
  t.is((t.run(cd .. CR .. " freq --top 3 --quiet")), want, "'corpusrun freq' runs scripts/freq.lua")
  t.is((t.run(cd .. CR .. " freq.lua --top 3 --quiet")), want, "'corpusrun freq.lua' too")
  t.is((t.run(cd .. CR .. " -j 2 freq --top 3 --quiet")), want, "options before the name still apply")
  out = t.run("cd / && " .. CR .. " -c " .. q(t.root .. "/corpus") .. " mentions --top 2 --quiet")
  t.like(out, "Zakani", "'corpusrun mentions' from another directory")
  out = t.run("cd / && " .. CR .. " --describe kwic")
  t.like(out, "^kwic %d", "--describe takes a bare name too")
  local _, c2, e2 = t.run("cd / && " .. CR .. " frq")
  t.is(c2, 1, "a misspelt name fails")
  t.like(e2, "^corpusrun: cannot open frq .-did you mean 'freq'%?", "a misspelt name gets a suggestion")
  _, c2, e2 = t.run("cd / && " .. CR .. " mentons --top 1")
  t.like(e2, "did you mean 'mentions'%?", "mentons: did you mean mentions")
  _, c2, e2 = t.run("cd / && " .. CR .. " zzzzzz")
  t.is(c2, 1, "an unknown name fails")
  t.ok(not e2:find("did you mean", 1, true), "no suggestion when nothing is near", e2)
  local d = tmp .. "/local"
  os.execute("mkdir -p " .. q(d))
  write("local/freq", "print('the local freq', arg[0])\n")
  t.is((t.run("cd " .. q(d) .. " && " .. CR .. " freq")), "the local freq\tfreq\n", "a file named freq in the current directory comes first")
  out = t.run(cd .. CR .. " -e 'print(arg[0])' freq --version")
  t.like(out, "^" .. t.root:gsub("%p", "%%%0") .. "/scripts/freq%.lua\n", "arg[0] is the script's path")
  out = t.run(CR .. " --help")
  t.like(out, "%-%-list", "--help mentions --list")
end

-- --help, -h, --version, -v
do
  local out, code = t.run(CR .. " --help")
  t.is(code, 0, "--help exits 0")
  t.like(out, "^usage: corpusrun %[options%] %[script %[args%]%]", "--help prints usage")
  t.like(out, "%-%-corpus PATH", "--help lists --corpus")
  t.is((t.run(CR .. " -h")), out, "-h is --help")
  out, code = t.run(CR .. " --version")
  t.is(code, 0, "--version exits 0")
  t.like(out, "^corpusrun %d+%.%d+%.%d+\nLua 5%.4%.%d+\nutf8proc [%d.]+ %(Unicode 15%.0%.0%)\nSQLite 3%.[%d.]+\n$", "--version names every component")
  out = t.run(CR .. " -v")
  t.like(out, "^corpusrun %S+ %-%- Lua 5%.4%.%d+  Copyright", "-v prints the version line")
end

-- --describe prints a script's declared header without running it.
do
  local s = write("described.lua", [[
local spec = { name = "demo", version = "2.1.0", description = "A demonstration.",
  options = { { name = "top", type = "integer", default = 5, help = "rows to print" } } }
print("the script ran")
]])
  local out, code = t.run(CR .. " --describe " .. q(s))
  t.is(code, 0, "--describe exits 0")
  t.like(out, "^demo 2%.1%.0\n", "--describe prints name and version")
  t.like(out, "%-%-top N", "--describe lists the options")
  t.ok(not out:find("the script ran", 1, true), "--describe does not run the script")
  local _, c2, err = t.run(CR .. " --describe " .. q(write("nospec.lua", "print(1)\n")))
  t.is(c2, 1, "--describe of a script without a spec fails")
  t.like(err, "^corpusrun: .-nospec%.lua: no leading 'local spec", "--describe says what is missing")
  local _, c3, err3 = t.run(CR .. " --describe")
  t.is(c3, 1, "--describe without a script fails")
  t.like(err3, "'%-%-describe' needs argument", "--describe without a script says so")
end

-- Ctrl-C stops a running script with "interrupted", exit 130 (tests/host_interrupt.sh has more).
do
  local outf, errf = tmp .. "/int.out", tmp .. "/int.err"
  local script = write("loop.lua", "io.write('ready\\n'); io.stdout:flush(); while true do end\n")
  local sh = string.format([[
%s %s > %s 2> %s & pid=$!
for i in $(seq 1 100); do grep -q ready %s 2>/dev/null && break; sleep 0.1; done
kill -INT $pid; wait $pid; echo $?]], CR, q(script), q(outf), q(errf), q(outf))
  local out = t.run("sh -c " .. q(sh))
  t.is(out, "130\n", "Ctrl-C during a script exits 130")
  local ef = io.open(errf); local err = ef:read("a"); ef:close()
  t.is(err, "corpusrun: interrupted\n", "Ctrl-C says 'interrupted', without a traceback")
end

os.execute("rm -rf " .. q(tmp))
t.done()
