-- The command line's options are written in three places: the usage text of
-- --help (host/main.c), docs/cli.md and the man page docs/corpusrun.1.  Each
-- names the same options, and the binary accepts every one of them.
local t = require "tap"
local q = t.shell_quote

local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end

-- The options named in a piece of text: words starting with - or -- and a
-- letter, standing after a space, a bracket, a comma or a backquote.
local function options_in(text, into)
  for o in (" " .. text):gmatch("[%s%[,`(](%-%-?%a[%w%-]*)") do into[o] = true end
  return into
end

-- --help: every option line after "Available options are:".
local function from_help()
  local out, code = t.run(q(t.corpusrun) .. " --help")
  t.is(code, 0, "--help exits 0")
  local list = out:match("Available options are:\n(.*)$")
  t.ok(list, "--help lists the options")
  return options_in(list or "", {})
end

-- docs/cli.md: the first cell of every table row that starts with an option.
local function from_markdown(path)
  local set = {}
  for line in read(path):gmatch("[^\n]+") do
    local cell = line:match("^| (`%-[^|]*) |")
    if cell then options_in(cell, set) end
  end
  return set
end

-- docs/corpusrun.1: the tag line of every .TP entry under .SH OPTIONS.
local function from_man(path)
  local text = read(path)
  local section = text:match("\n%.SH OPTIONS\n(.-)\n%.SH ") or ""
  local set = {}
  for tag in section:gmatch("%.TP\n([^\n]*)") do
    tag = tag:gsub("\\%-", "-"):gsub("\\f[BIRP]", ""):gsub('"', " "):gsub("^%.%a+", "")
    options_in(tag, set)
  end
  return set
end

local function sorted(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return list
end

-- What `a` names and `b` does not.
local function missing(a, b)
  local list = {}
  for _, k in ipairs(sorted(a)) do if not b[k] then list[#list + 1] = k end end
  return list
end

local help = from_help()
local md = from_markdown("docs/cli.md")
local man = from_man("docs/corpusrun.1")
t.ok(#sorted(help) >= 20 and #sorted(md) >= 20 and #sorted(man) >= 20,
  ("each source names the options (--help %d, cli.md %d, man page %d)"):format(#sorted(help), #sorted(md), #sorted(man)))

local sources = { { "--help", help }, { "docs/cli.md", md }, { "docs/corpusrun.1", man } }
for _, a in ipairs(sources) do
  for _, b in ipairs(sources) do
    if a ~= b then
      t.is_deeply(missing(a[2], b[2]), {}, ("every option %s names, %s names too"):format(a[1], b[1]))
    end
  end
end

-- The binary knows every option named anywhere: options are read before
-- anything runs, so an unknown one is reported before the unknown word after
-- it ("-e" and "-l" take that word as their argument and complain of it).
local union = {}
for _, s in ipairs(sources) do for k in pairs(s[2]) do union[k] = true end end
local unknown = {}
for _, o in ipairs(sorted(union)) do
  local _, _, err = t.run("timeout 10 " .. q(t.corpusrun) .. " " .. q(o) .. " --not-an-option < /dev/null")
  if err:find("unrecognized option '" .. o .. "'", 1, true) then unknown[#unknown + 1] = o end
end
t.is_deeply(unknown, {}, "corpusrun accepts every documented option")
local _, code, err = t.run(q(t.corpusrun) .. " --not-an-option < /dev/null")
t.ok(code ~= 0 and err:find("unrecognized option '--not-an-option'", 1, true),
  "and reports one it does not know", err)

t.done()
