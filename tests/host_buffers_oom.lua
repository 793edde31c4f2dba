-- Buffers a binding fills while Lua may raise are Lua's (host/buf_lua.h):
-- when the sandbox's memory limit makes the push of a counter's dump or of
-- corpus.decode_lines's text (or of a problem it notes) fail, the script
-- catches "not enough memory" and nothing leaks.  The ASan run of the suite
-- checks the leak: c:dump's was 4 MB.  (decode_lines's buffer, left behind
-- by the error, is still pointed to from the dead stack, so LeakSanitizer
-- would not see it; the case checks that the error is caught.)
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
os.execute("mkdir -p " .. q(dir .. "/corpus"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
write("corpus/a.txt", "A document.\n")

local function sandboxed(name, body)
  local s = write(name, body)
  return t.run(CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox --max-seconds 60 --max-memory 64M " .. q(s))
end

-- Keeps what fn returns until memory runs out; prints the error.
local until_full = [[
local function until_full(fn)
  local keep = {}
  local ok, err = pcall(function() while true do keep[#keep + 1] = fn() end end)
  keep = nil
  print(ok, err and tostring(err):match("not enough memory") or err)
end
]]

local out, code, err = sandboxed("dump.lua", until_full .. [[
local count = require "count"
local f = count.freq()
local words = {}
for i = 1, 300000 do words[i] = "w" .. i end
f:add_text(table.concat(words, " "))
words = nil
until_full(function() return f:dump() end)
]])
t.is(code, 0, "c:dump up to the memory limit: the script ends normally")
t.is(out, "false\tnot enough memory\n", "and catches the memory error")
if code ~= 0 then t.diag(err) end

out, code, err = sandboxed("decode.lua", until_full .. [[
local corpus = require "corpus"
local s = string.rep("caf\xe9 au lait\n", 200000)
until_full(function() return (corpus.decode_lines(s)) end)
]])
t.is(code, 0, "corpus.decode_lines up to the memory limit: the script ends normally")
t.is(out, "false\tnot enough memory\n", "and catches the memory error")
if code ~= 0 then t.diag(err) end

t.done()
