-- c:shard with on_error = "error" when a part cannot be read: the error
-- reaches the script, and nothing the shard plan held is lost
-- (tests/host_valgrind.sh runs this under valgrind).
local corpus = require "corpus"
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir " .. dir))
for _, name in ipairs { "1.jsonl", "2.jsonl" } do
  local f = assert(io.open(dir .. "/" .. name, "w"))
  for i = 1, 3000 do f:write(('{"id":"%s-%d","text":"word %d"}\n'):format(name, i, i)) end
  f:close()
end
local c = assert(corpus.open(dir, { on_error = "error" }))
os.remove(dir .. "/2.jsonl")
local ok, err = pcall(c.shard, c, 1, 2)
os.remove(dir .. "/1.jsonl")
os.remove(dir)
print(ok, err)
assert(not ok and err:find("2.jsonl: cannot open", 1, true), "the shard raises the read error")
