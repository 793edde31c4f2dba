-- The README's example script runs as shown, with the same output on one
-- and two cores.
local t = require "tap"
local q = t.shell_quote
local f = assert(io.open(t.root .. "/README.md", "rb"))
local readme = f:read("a")
f:close()
local code = readme:match("```lua\n(.-)```")
t.ok(code and code:find("c:fold", 1, true), "the README has an example script with c:fold")
local tmp = os.tmpname()
local h = assert(io.open(tmp, "wb")); h:write(code or ""); h:close()
local out1, c1, e1 = t.run("cd " .. q(t.root) .. " && " .. q(t.corpusrun) .. " " .. q(tmp))
t.is(c1, 0, "the example runs", e1)
local n = 0
for line in out1:gmatch("[^\n]+") do
  if line:match("^%S+\t%d+$") then n = n + 1 end
end
t.is(n, 10, "it prints ten words with their counts")
t.like(out1, "^the\t%d+\n", "the most frequent word of the sample corpus is 'the'")
local out2 = t.run("cd " .. q(t.root) .. " && " .. q(t.corpusrun) .. " -j 2 " .. q(tmp))
t.is(out2, out1, "-j 2 prints the same bytes")

-- A wrong corpus path: the host says so before the script runs (-c), and the
-- example's assert names the path ($CORPUSRUN_CORPUS); never a nil indexed.
do
  local out, c, err = t.run("cd / && " .. q(t.corpusrun) .. " -c /no/such/corpus " .. q(tmp))
  t.isnt(c, 0, "-c to a missing path fails")
  t.is(out, "", "-c to a missing path: the script does not run")
  t.like(err, "^corpusrun: %-c /no/such/corpus: No such file or directory\n$", "-c to a missing path: the host names it", err)
  out, c, err = t.run("cd / && CORPUSRUN_CORPUS=/no/such/corpus " .. q(t.corpusrun) .. " " .. q(tmp))
  t.isnt(c, 0, "a missing $CORPUSRUN_CORPUS fails")
  t.like(err, "/no/such/corpus", "a missing $CORPUSRUN_CORPUS: the message names the path")
  t.ok(not err:find("attempt to index", 1, true), "a missing $CORPUSRUN_CORPUS: the example asserts instead of indexing nil", err)
end
os.remove(tmp)
t.done()
