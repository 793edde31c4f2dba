-- The scripts' command lines: no script option collides with one of the
-- host's (corpusrun -e, -E, -j ... mean one thing before the script and
-- must not mean another after it); --out FILE without --format writes the
-- format FILE's extension names, in every script; the defaults that every
-- script shares are the same everywhere.
local t = require "tap"
local q = t.shell_quote
local cli = require "cli"
local json = require "json"

-- the host's options, from its own help
local help = t.run(q(t.corpusrun) .. " --help")
local host_short, host_long = {}, {}
for line in help:gmatch("[^\n]+") do
  if line:match("^%s+%-") then
    local shorts, longs = {}, {}
    for s in line:gmatch("%f[%-%w]%-(%a)%f[^%w]") do shorts[#shorts + 1] = s end
    for l in line:gmatch("%-%-([%w][%w%-]*)") do longs[#longs + 1] = l end
    for _, s in ipairs(shorts) do host_short[s] = #shorts == 1 and longs[1] or false end
    for _, l in ipairs(longs) do host_long[l] = #shorts == 1 and shorts[1] or false end
  end
end
t.ok(host_short.e == false and host_short.E == false and host_short.c == "corpus" and host_long.jobs == "j"
     and host_long.quiet == false, "the host's options read from corpusrun --help", t.repr(host_short))

local scripts = {}
local p = io.popen("ls scripts/*.lua")
for f in p:lines() do scripts[#scripts + 1] = f end
p:close()
t.ok(#scripts >= 9, "every script in scripts/")
for _, path in ipairs(scripts) do
  local spec, err = cli.describe(path)
  t.ok(spec, path .. ": its spec reads", err)
  local bad = {}
  for _, o in ipairs(spec and spec.options or {}) do
    -- the same option (same long name, no other letter) is no collision:
    -- -c/--corpus and --quiet mean what they mean to the host
    if o.short and host_short[o.short] ~= nil and host_short[o.short] ~= o.name then
      bad[#bad + 1] = "-" .. o.short .. " (--" .. o.name .. ") is corpusrun's -" .. o.short
        .. (host_short[o.short] and (" (--" .. host_short[o.short] .. ")") or "")
    end
    local hs = host_long[o.name]
    if hs ~= nil and not (hs == false or hs == o.short) then
      bad[#bad + 1] = "--" .. o.name .. " is corpusrun's, with -" .. tostring(hs)
    end
    if hs == false and o.name ~= "quiet" then
      bad[#bad + 1] = "--" .. o.name .. " is one of corpusrun's own options"
    end
  end
  t.is(table.concat(bad, "; "), "", path .. ": no option collides with the host's")
end

-- --out FILE: the format from the extension, in every script that writes
local dir = t.tempdir()
local cases = {
  { "freq.lua", "--top 3" }, { "kwic.lua", "Zakani" }, { "collocates.lua", "regime" },
  { "cooccur.lua", "--top 4" }, { "keyness.lua", "--target '000*'" }, { "mentions.lua", "--min 5" },
}
local function check(name, s, fmt)
  if fmt == "csv" then return s:match("^[%w_]+,[%w_]+") ~= nil
  elseif fmt == "tsv" then return s:match("^[%w_]+\t[%w_]+") ~= nil
  elseif fmt == "json" then return type(json.decode(s)) == "table"
  elseif fmt == "md" then return s:find("\n| ", 1, true) ~= nil and s:find("\n| %-%-%-") ~= nil end
end
for _, k in ipairs(cases) do
  for _, fmt in ipairs({ "csv", "tsv", "json", "md" }) do
    local out = dir .. "/r." .. fmt
    local _, code, err = t.run(q(t.corpusrun) .. " scripts/" .. k[1] .. " " .. k[2] .. " --out " .. q(out))
    local f = io.open(out, "rb")
    local s = f and f:read("a") or ""
    if f then f:close() end
    t.ok(code == 0 and check(k[1], s, fmt), k[1] .. " --out r." .. fmt .. " writes " .. fmt, err .. s:sub(1, 200))
  end
  local _, code, err = t.run(q(t.corpusrun) .. " scripts/" .. k[1] .. " " .. k[2] .. " --out " .. q(dir .. "/r.csv") .. " --format json")
  local f = io.open(dir .. "/r.csv", "rb")
  local s = f and f:read("a") or ""
  if f then f:close() end
  t.ok(code == 0 and s:match("^%s*[%[{]"), k[1] .. ": an explicit --format wins over the extension", err)
end
local _, code, err = t.run(q(t.corpusrun) .. " scripts/freq.lua --out " .. q(dir .. "/r.html"))
t.is(code, 2, "freq --out r.html exits 2")
t.like(err, "cannot write html there .*use %-%-html", "and points to --html")
_, code = t.run(q(t.corpusrun) .. " scripts/freq.lua --top 2 --out " .. q(dir .. "/r.txt"))
local f = io.open(dir .. "/r.txt", "rb")
t.ok(code == 0 and f and f:read("a"):match("^2823 tokens"), "--out r.txt: the text table")
if f then f:close() end
os.execute("rm -rf " .. q(dir))

-- --stopwords: none by default in every script that has it
for _, path in ipairs(scripts) do
  local spec = cli.describe(path)
  for _, o in ipairs(spec and spec.options or {}) do
    if o.name == "stopwords" then t.is(o.default, "none", path .. ": --stopwords defaults to none") end
  end
end
local plain = t.run(q(t.corpusrun) .. " scripts/cooccur.lua --top 5 --format json")
t.like(plain, '"the"', "cooccur.lua: the top words include 'the' unless --stopwords is given")
t.done()
