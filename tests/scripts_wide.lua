-- A 1 MB token (a base64 blob, a line of a data dump) in a corpus: the
-- scripts finish quickly (each under a generous alarm: the table writer's
-- trim and the matcher's prefix look-up were quadratic in its length, more
-- than ten minutes), cut it with an ellipsis in text output, and keep it
-- whole in CSV.
local t = require "tap"
local q = t.shell_quote

local dir = t.tempdir()
local function write(path, s)
  local f = assert(io.open(path, "wb")); f:write(s); f:close()
end
local big = ("x"):rep(1000000)
write(dir .. "/a.txt", "the " .. big .. " the end\n")
write(dir .. "/b.txt", "the cat sat on the mat\n")

local function run(args)
  return t.run("timeout 120 " .. q(t.corpusrun) .. " " .. q(t.root .. "/scripts/") .. args .. " -c " .. q(dir))
end
local cut = ("x"):rep(59) .. "…"

local out, code, err = run("freq.lua")
t.is(code, 0, "freq.lua with a 1 MB token finishes", err)
t.ok(out:find("\n   %d  " .. cut .. "  ") ~= nil, "freq: the token is cut to 60 columns with an ellipsis", out:sub(1, 600))
t.ok(#out < 4000, "freq: the text table stays small", #out)
out, code = run("freq.lua --format csv")
t.is(code, 0, "freq.lua --format csv finishes")
t.ok(out:find("," .. big .. ",", 1, true) ~= nil, "freq: CSV keeps the whole token")

out, code, err = run("kwic.lua 'x*'")
t.is(code, 0, "kwic.lua 'x*' (a prefix wildcard) on a 1 MB token finishes", err)
t.ok(out:find("the  " .. cut .. "  the end", 1, true) ~= nil, "kwic: the match is cut with an ellipsis", out:sub(1, 600))
out, code, err = run("kwic.lua the")
t.is(code, 0, "kwic.lua the: a 1 MB token as context", err)
t.ok(#out < 4000, "kwic: contexts stay within their width")

out, code, err = run("collocates.lua the --min 1")
t.is(code, 0, "collocates.lua with a 1 MB collocate finishes", err)
t.ok(out:find(cut, 1, true) ~= nil, "collocates: the collocate is cut with an ellipsis")

os.execute("rm -rf " .. q(dir))
t.done()
