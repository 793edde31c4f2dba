-- The REPL reading a pipe (corpusrun -i < file): lines without editing, as
-- lua5.4 -i reads them, with corpusrun's result printing.
local t = require "tap"
local q = t.shell_quote
local version = t.run(q(t.corpusrun) .. " -v")

local function repl(input, opts)
  return t.run((opts or "") .. " " .. q(t.corpusrun) .. " -i", input)
end
local function session(input) -- stdout without the version line
  local out, code, err = repl(input)
  return out:sub(#version + 1), code, err
end

local out, code = session("1 + 1\n")
t.is(out, "> 2\n> \n", "an expression: prompt, result, final prompt and newline")
t.is(code, 0, "exit status 0 at end of input")
t.is(session('"text", 2, nil\n'), '> "text"\t2\tnil\n> \n', "several results, strings quoted")
t.is(session("function f(a)\n  return a * 2\nend\nf(21)\n"), "> >> >> > 42\n> \n",
  "a multi-line function with continuation prompts")
t.is(session("{ z = 1, a = { 2, 3 } }\n"), "> { a = { 2, 3 }, z = 1 }\n> \n", "tables pretty-printed")
t.is(session("7;\n_ * 6\n"), "> > 42\n> \n", "a trailing ; is quiet and _ holds the result")
t.is(session("x = 5;\nx\n"), "> > 5\n> \n", "a statement with a trailing ;")
t.is(session("return 1\n"), "> 1\n> \n", "an explicit return")
t.is(session("return 1;\n"), "> > \n", "an explicit return with a trailing ; is quiet too")
t.is(session("local a = 1\n"), "> > \n", "a statement prints nothing")
t.is(session("=1 + 2\n"), "> 3\n> \n", "the =expr shortcut")
t.is(session('_PROMPT = "P> "\n_PROMPT2 = setmetatable({}, { __tostring = function() return "P2> " end })\nif true then\nend\n'),
  "> P> P> P2> P> \n", "_PROMPT and _PROMPT2 (through tostring)")

local err
out, code, err = session('error("boom")\n1\n')
t.is(out, "> > 1\n> \n", "an error does not end the session")
t.like(err, "^stdin:1: boom\nstack traceback:\n", "errors print without the program name, with a traceback")
out, code, err = session("for i = 1,\n")
t.like(err, "^stdin:1: unexpected symbol near <eof>", "an incomplete chunk at end of input is reported")
t.is(code, 0, "and the exit status is still 0")
out, code, err = session("error(setmetatable({}, { __tostring = function() return 'custom' end }))\n")
t.like(err, "^custom", "error objects print through __tostring")

t.like(session("help()\n"), "^> Modules", "help() lists the modules")
t.like(session('help("pretty.format")\n'), "^> pretty%.format%(value", "help(name)")
t.like(session("type(help), type(pretty)\n"), '^> "table"\t"nil"', "help is a global, pretty is not")

-- A corpus prints what #c and the banner count: documents, not files; an
-- iterator triple (c:docs(), pairs(t)) shows its first values, not
-- "function: ... nil nil corpusrun.DocIter: 0x...".
do
  local cd = "cd " .. q(t.root) .. " && "
  local o = t.run(cd .. q(t.corpusrun) .. " -i", 'c = corpus.open("corpus")\nc\n#c\n')
  t.like(o, "\n> > Corpus corpus %(5 documents%)\n> 5\n", "a corpus prints its document count, as #c")
  o = t.run(cd .. q(t.corpusrun) .. " -i", 'c = corpus.open("corpus/00[01]*.txt")\nc\nc:filter(function(d) return d.id:find("^000") end)\n')
  t.like(o, "> Corpus corpus/00%[01%]%*%.txt %(2 documents%)\n> Corpus [^\n]- %(1 document%)\n", "a glob, and a filtered corpus (1 document)")
  o = t.run(cd .. q(t.corpusrun) .. " -i", 'c = corpus.open("corpus")\nc:docs()\n')
  t.like(o, "> > iterator %(for ... in it do ... end%), first 3 of its values:\n"
    .. "  Document 000_bffbd40d78d47571%.txt \"[^\n]*\" %(%d+ bytes%)\n"
    .. "  Document 001_[^\n]*\n  Document 002_[^\n]*\n  %.%.%.\n> \n$", "c:docs() shows its first documents")
  t.ok(not o:find("0x", 1, true), "and no addresses", o)
  o = t.run(q(t.corpusrun) .. " -i", 'pairs({ a = 1 })\nipairs({ "x", "y" })\n')
  t.like(o, '> iterator %(for ... in it do ... end%), its values:\n  "a", 1\n> iterator [^\n]*\n  1, "x"\n  2, "y"\n> \n$', "pairs and ipairs show their pairs")
  o = t.run(q(t.corpusrun) .. " -i", 'n = 0\nfunction f() n = n + 1 return print, 1, 2 end\nf()\nn\n')
  t.like(o, "> function: print\t1\t2\n> 1\n", "a function returning a function and two values is printed, never called")
end

-- The startup file, and -E.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. q(dir .. "/corpusrun")))
local f = assert(io.open(dir .. "/corpusrun/init.lua", "w"))
f:write("started = 'yes'\n")
f:close()
local env = "XDG_CONFIG_HOME=" .. q(dir)
out = repl("started\n", env)
t.like(out, '> "yes"\n', "the startup file runs before the prompt")
out = t.run(env .. " " .. q(t.corpusrun) .. " -E -i", "started\n")
t.like(out, "> nil\n", "but not under -E")
f = assert(io.open(dir .. "/corpusrun/init.lua", "w"))
f:write("error('bad startup')\n")
f:close()
out, code, err = repl("1\n", env)
t.like(err, "init%.lua:1: bad startup", "an error in the startup file is reported")
t.like(out, "> 1\n", "and the REPL still starts")
os.execute("rm -rf " .. q(dir))
t.done()
