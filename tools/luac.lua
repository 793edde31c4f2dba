-- tools/luac.lua OUT SOURCE PATH: precompiles the Lua module SOURCE into OUT,
-- for the host's searcher of precompiled modules (host/host.c,
-- search_compiled; docs/performance.md "Whole processes"): loading the
-- bytecode of lib/lua takes a fifth of the time parsing it does.  PATH is
-- where the host will find the source (its real path, as package.path gives
-- it): the chunk is compiled under that name, so its error messages and
-- tracebacks are the source's, debug information kept.  OUT holds
--   "corpusrun luac 1\n", then (string.pack "<I8I8I8s4") the source's
--   length, its hash (cr_stable_hash: FNV-1a 64, then mix64), the
--   bytecode's hash and "@" .. PATH, then the bytecode (string.dump),
-- and the host uses it only while the source has that length and hash (an
-- edited module is read from its source until the next `make`) and the
-- bytecode its hash (Lua's loader trusts bytecode: damaged, it could crash).
local out, src, path = ...
if not (out and src and path) then
  io.stderr:write("usage: luac.lua OUT SOURCE PATH\n")
  os.exit(2)
end

local f = assert(io.open(src, "rb"))
local text = f:read("a")
f:close()

-- cr_stable_hash of host/text/counter.c (Lua's integers wrap as uint64_t does)
local function stable_hash(s)
  local h = 0xcbf29ce484222325
  for i = 1, #s do
    h = (h ~ s:byte(i)) * 0x100000001b3
  end
  h = h ~ (h >> 32)
  h = h * 0xd6e8feb86659fd93
  h = h ~ (h >> 32)
  h = h * 0xd6e8feb86659fd93
  h = h ~ (h >> 32)
  return h
end

local bytecode = string.dump(assert(load(text, "@" .. path)))
local tmp = out .. ".tmp"
local o = assert(io.open(tmp, "wb"))
assert(o:write("corpusrun luac 1\n",
  string.pack("<I8I8I8s4", #text, stable_hash(text), stable_hash(bytecode), "@" .. path), bytecode))
assert(o:close())
assert(os.rename(tmp, out))
