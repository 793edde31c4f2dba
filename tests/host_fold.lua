-- c:fold: serialisation, merging by value, -j N giving byte-identical
-- output, worker failures and Ctrl-C handled with no stray processes.
local t = require "tap"
local fold = require "fold"
local q = t.shell_quote
local CR = q(t.corpusrun)

-- Serialisation round trip keeps types and exact values.
do
  local v = { 1, 2.5, -0.0, math.maxinteger, math.mininteger, 1e308, "a\0b", true, false,
              nested = { x = { y = "z" }, [3.5] = "float key", [true] = 1 } }
  local back = fold.deserialize(fold.serialize(v))
  t.is_deeply(back, v, "round trip keeps values")
  t.is(math.type(back[1]), "integer", "integers stay integers")
  t.is(math.type(back[2]), "float", "floats stay floats")
  t.is(1 / back[3], -math.huge, "negative zero survives")
  t.raises(function() fold.serialize({ f = print }) end, "accumulator's value%.f is a function", "functions cannot travel")
  t.raises(function() fold.serialize(setmetatable({}, {})) end, "metatable", "tables with metatables cannot travel")
  t.raises(function() fold.deserialize("T\1\0\0\0i") end, "corrupt serialised value", "truncated input is an error")
  t.raises(function() fold.deserialize("z!") end, "trailing bytes", "trailing bytes are an error")
  t.raises(function() fold.deserialize("Q") end, "corrupt", "unknown tag is an error")
  -- arrays of integers travel packed; any other value in them, or a hole, keeps the tagged form
  local ints, mixed, holed = {}, {}, {}
  for i = 1, 1000 do ints[i] = (i * 7919) % 100003 - 50000 end
  ints[1], ints[2] = math.maxinteger, math.mininteger
  for i = 1, 40 do mixed[i] = i end
  mixed[20] = 2.5
  for i = 1, 40 do holed[i] = i end
  holed[50] = 1
  local packed = fold.serialize(ints)
  t.is(packed:sub(1, 1), "I", "an array of 1000 integers travels packed")
  t.ok(#packed < 8 * 1000 + 16, "in 8 bytes a value")
  t.is_deeply(fold.deserialize(packed), ints, "and comes back whole")
  t.is(math.type(fold.deserialize(packed)[3]), "integer", "as integers")
  t.is_deeply(fold.deserialize(fold.serialize(mixed)), mixed, "an array with a float keeps its values")
  t.is_deeply(fold.deserialize(fold.serialize(holed)), holed, "a table with a hole keeps its keys")
  t.raises(function() fold.deserialize(packed:sub(1, #packed - 5)) end, "corrupt", "a cut packed array is an error")
end

-- The decoder in C (host.fold_decode, behind fold.deserialize) reads what the
-- Lua decoder it replaced reads: random values come back the same, every
-- cut of them is an error, and bytes changed at random give the same value
-- or an error from both.
do
  local count = require "count"
  local seed = 12345
  local function rand(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n end
  local function value(depth)
    local k = rand(depth > 3 and 6 or 9)
    if k == 0 then return rand(2) == 0
    elseif k == 1 then return rand(1000000) - 500000
    elseif k == 2 then return (rand(100000) - 50000) / 7
    elseif k == 3 then return ("x"):rep(rand(5)) .. string.char(rand(256))
    elseif k == 4 then return math.mininteger + rand(3)
    elseif k == 5 then return ""
    elseif k == 6 then
      local a = {}
      for i = 1, rand(40) do a[i] = rand(100) end
      return a
    else
      local t = {}
      for _ = 1, rand(6) do t[rand(3) == 0 and rand(50) or ("k" .. rand(30))] = value(depth + 1) end
      return t
    end
  end
  local function lua_decode(s)   -- the Lua decoder, with the trailing-bytes check
    local v, pos = fold._decode_lua(s)
    if pos ~= #s + 1 then error("trailing bytes") end
    return v
  end
  -- (deeply equal: NaN equals NaN, counters by their dumps; a table's
  -- serialisation follows its own pairs order, so it is not compared)
  local function deq(a, b)
    if type(a) ~= type(b) then return false end
    if type(a) == "number" then return math.type(a) == math.type(b) and (a == b or (a ~= a and b ~= b)) end
    if type(a) == "userdata" then return a:dump() == b:dump() end
    if type(a) ~= "table" then return a == b end
    for k, v in pairs(a) do if not deq(v, b[k]) then return false end end
    for k in pairs(b) do if a[k] == nil then return false end end
    return true
  end
  local same, cuts, flips = true, 0, 0
  for _ = 1, 300 do
    local v = { v = value(0), c = count.freq():add_text("a b a") }
    local s = fold.serialize(v)
    same = same and deq(fold.deserialize(s), v)
    for cut = 0, #s - 1, math.max(1, #s // 25) do
      same = same and not pcall(fold.deserialize, s:sub(1, cut)) and not pcall(lua_decode, s:sub(1, cut))
      cuts = cuts + 1
    end
    for _ = 1, 5 do
      local at = 1 + rand(#s)
      local bad = s:sub(1, at - 1) .. string.char(rand(256)) .. s:sub(at + 1)
      local okc, vc = pcall(fold.deserialize, bad)
      local okl, vl = pcall(lua_decode, bad)
      same = same and okc == okl and (not okc or deq(vc, vl))
      flips = flips + 1
    end
  end
  t.ok(same, ("the C decoder reads what the Lua one does (%d cut, %d damaged inputs)"):format(cuts, flips))
  -- the encoder in C (host.fold_encode, behind fold.serialize) writes the
  -- bytes the Lua one writes, and raises its errors, which name the path
  local enc_same, errs = true, 0
  for i = 1, 300 do
    local v = { v = value(0), c = count.freq():add_text("a b a"), f = 0 / 0, z = -0.0 }
    if i % 3 == 0 then   -- something that cannot travel, somewhere inside
      local x = v
      while type(x.v) == "table" and next(x.v) ~= nil and rand(2) == 0 do x = x.v end
      local bad = ({ print, coroutine.create(print), setmetatable({}, {}), io.stdout, { [{}] = 1 } })[1 + rand(5)]
      if type(x.v) == "table" and not x.v[1] then x.v["bad" .. rand(3)] = bad else x.v = bad end
    end
    local okc, c = pcall(fold.serialize, v)
    local okl, l = pcall(fold._encode_lua, v)
    if not okc then errs = errs + 1 end
    if okc ~= okl or c ~= l then
      if enc_same then t.diag("differ: " .. tostring(okc and #c or c) .. " / " .. tostring(okl and #l or l)) end
      enc_same = false
    end
  end
  t.ok(enc_same and errs > 50, ("the C encoder writes the Lua one's bytes and errors (%d errors among 300)"):format(errs))
  local deep = {}
  local x = deep
  for _ = 1, 300 do x.n = {}; x = x.n end
  t.raises(function() fold.serialize(deep) end, "nested more than 200 deep",
    "tables nested 300 deep are refused when encoded (the decoder would refuse them)")
  local nested = ("T\1\0\0\0s\1\0\0\0k"):rep(300) .. "z"
  t.raises(function() fold.deserialize(nested) end, "nested too deeply", "values nested 300 deep are refused")
  t.raises(function() fold.deserialize("T\255\255\255\127z") end, "longer than its bytes", "a table count past the input")
  t.raises(function() fold.deserialize("U\3\0\0\0abc\0\0\0\0") end, "no undump function for abc", "an unknown type")
end

-- Merge rules.
do
  t.is(fold.merge(2, 3), 5, "numbers add")
  t.is_deeply(fold.merge({ a = 1, b = { c = 2 } }, { a = 2, b = { c = 3, d = 1 } }),
    { a = 3, b = { c = 5, d = 1 } }, "tables merge key by key, recursively")
  t.is_deeply(fold.merge({ "x", "y" }, { "z" }), { "x", "y", "z" }, "arrays concatenate in order")
  t.is_deeply(fold.merge({}, { "z" }), { "z" }, "empty table takes the other side")
  t.is(fold.merge("same", "same"), "same", "equal strings stay")
  t.raises(function() fold.merge({ k = "a" }, { k = "b" }) end, "cannot merge the accumulator's value%.k %(string and string%)", "different strings are an error naming the key")
  t.raises(function() fold.merge({ k = 1 }, { k = "b" }) end, "value%.k %(number and string%)", "mixed types are an error")
end

-- The same script under -j 1, 2, 3 and 30 (more workers than documents).
do
  local script = q(t.root .. "/tests/data/fold_script.lua")
  local base, code = t.run(CR .. " -j 1 " .. script)
  t.is(code, 0, "-j 1 runs")
  t.like(base, "^23\t", "-j 1 folds every document")
  for _, j in ipairs({ 2, 3, 30 }) do
    local out, c2, err = t.run(CR .. " -j " .. j .. " " .. script)
    t.is(c2, 0, "-j " .. j .. " runs", err)
    t.is(out, base, "-j " .. j .. " output is byte-identical to -j 1")
  end
end

-- A failing step names the document; unmergeable values fail at -j 1 too.
do
  local prelude = [[
local fold = require "fold"
local docs = {} for i = 1, 6 do docs[i] = { id = "doc" .. i } end
local C = setmetatable({}, { __len = function() return #docs end,
  __index = { docs = function() local i = 0 return function() i = i + 1 return docs[i] end end } })
]]
  local f = os.tmpname()
  local function script(body)
    local h = assert(io.open(f, "w")); h:write(prelude, body); h:close()
    return q(f)
  end
  local s = script([[fold.run(C, function() return {} end, function(acc, doc) if doc.id == "doc5" then error("broken text") end end)]])
  for _, j in ipairs({ 1, 2 }) do
    local _, code, err = t.run(CR .. " -j " .. j .. " " .. s)
    t.is(code, 1, "-j " .. j .. ": a failing step fails the run")
    t.like(err, "step failed on document doc5: .-broken text", "-j " .. j .. ": the error names the document")
  end
  s = script([[fold.run(C, function() return { f = function() end } end, function() end)]])
  for _, j in ipairs({ 1, 2 }) do
    local _, code, err = t.run(CR .. " -j " .. j .. " " .. s)
    t.is(code, 1, "-j " .. j .. ": an unmergeable accumulator fails")
    t.like(err, "value%.f is a function", "-j " .. j .. ": the error names the value")
  end
  s = script([[print(fold.run(C, function() return { s = "" } end, function(acc, d) acc.s = acc.s .. d.id end,
    { merge = function(a, b) return { s = a.s .. "|" .. b.s } end }).s)]])
  t.is((t.run(CR .. " -j 3 " .. s)), "doc1doc2|doc3doc4|doc5doc6\n", "a custom merge is used in worker order")
  os.remove(f)
end

-- Ctrl-C stops every worker; nothing is left running.
do
  local dir = t.tempdir()
  local script = dir .. "/spin.lua"
  local h = assert(io.open(script, "w"))
  h:write([[
local fold = require "fold"
local docs = {} for i = 1, 4 do docs[i] = { id = i } end
local C = setmetatable({}, { __len = function() return #docs end,
  __index = { docs = function() local i = 0 return function() i = i + 1 return docs[i] end end } })
fold.run(C, function() return {} end, function(acc, doc)
  local f = io.open("]] .. dir .. [[/ready" .. doc.id, "w"); f:write(""); f:close()
  while true do end
end)
]])
  h:close()
  local sh = string.format([[
%s -j 2 %s 2> %s/err & pid=$!
for i in $(seq 1 600); do [ -e %s/ready1 ] && [ -e %s/ready3 ] && break; sleep 0.1; done
kids=$(ps -o pid= --ppid $pid | wc -l)
kill -INT $pid; wait $pid; echo "status $? kids $kids"
for i in $(seq 1 50); do [ "$(ps -o pid= --ppid $pid | wc -l)" = 0 ] && break; sleep 0.1; done
ps -o pid= --ppid $pid | wc -l
]], CR, q(script), q(dir), q(dir), q(dir))
  local out = t.run("sh -c " .. q(sh))
  t.like(out, "^status 130 kids 2\n0\n$", "Ctrl-C with -j 2: exit 130, both workers gone", out)
  local ef = io.open(dir .. "/err"); local err = ef and ef:read("a") or ""; if ef then ef:close() end
  t.is(err, "corpusrun: interrupted\n", "Ctrl-C with -j 2 reports 'interrupted', no traceback")
  os.execute("rm -rf " .. q(dir))
end

-- acc = step(acc, doc): a value step returns replaces the accumulator, nil
-- keeps it; the same count on one core, two, as shards merged and streamed.
do
  local dir = t.tempdir()
  local f = dir .. "/count.lua"
  local h = assert(io.open(f, "w"))
  h:write([[
local c = assert(require("corpus").open())
print(c:fold(function() return 0 end, function(a, d) return a + 1 end, { quiet = true }))
local t = c:fold(function() return { n = 0, ids = {} } end, function(a, d)
  if d.id:find("^00[13]") then return { n = a.n + 1, ids = { d.id, table.unpack(a.ids) } } end -- a new table
  a.n = a.n + 1                                                     -- nil: the same table goes on
end, { quiet = true })
print(t.n, #t.ids)
print(c:fold(function() return "" end, function(a, d) return a .. "x" end, { quiet = true, merge = function(a, b) return a .. b end }))
]])
  h:close()
  local want = "5\n5\t2\nxxxxx\n"
  local cmd = "cd " .. q(t.root) .. " && " .. CR
  for _, j in ipairs({ 1, 2, 3 }) do
    local out, code, err = t.run(cmd .. " -j " .. j .. " " .. q(f))
    t.is(out, want, "-j " .. j .. ": the values step returns are the accumulator", err)
    t.is(code, 0, "-j " .. j .. ": exit 0")
  end
  local parts = dir .. "/parts"
  for k = 0, 1 do
    local _, code, err = t.run(cmd .. " --shard " .. k .. "/2 --parts " .. q(parts) .. " " .. q(f))
    t.is(code, 0, "--shard " .. k .. "/2 with a returning step", err)
  end
  local out, code, err = t.run(cmd .. " --merge " .. q(parts) .. " " .. q(f))
  t.is(out, want, "--shard/--merge: the merged count")
  t.is(code, 0, "--merge exit 0", err)
  os.execute("rm -rf " .. q(dir))
end

-- opts.reduce: at -j N each worker reduces one partition of the keys (one
-- call per worker, the calls' count adding up), the parent merges the
-- reduced values; the answers are those of -j 1, where reduce runs once.
do
  local f = os.tmpname()
  local h = assert(io.open(f, "w"))
  h:write([[
local count = require "count"
local c = assert(require("corpus").open(arg[1]))
local acc = c:fold(function() return { f = count.freq(), docs = 0 } end,
  function(acc, doc) acc.f:add_text(doc.text); acc.docs = acc.docs + 1 end,
  { quiet = true, reduce = function(acc)
      acc.calls, acc.types = 1, #acc.f
      local top = acc.f:top(5)
      if #top == 5 then acc.f:prune(top[5][2]) end
      return acc
    end })
local rows = {}
for _, kv in ipairs(acc.f:top(5)) do rows[#rows + 1] = kv[1] .. "=" .. kv[2] end
print(table.concat(rows, " "), acc.f:total(), acc.types, acc.docs, #acc.f < acc.types)
io.stderr:write(acc.calls, "\n")
]])
  h:close()
  local corpus_dir = q(t.root .. "/corpus")
  local base, code, err = t.run(CR .. " -j 1 " .. q(f) .. " " .. corpus_dir)
  t.is(code, 0, "reduce: -j 1 runs", err)
  t.like(base, "^the=%d+ .*\t5\ttrue\n$", "reduce: -j 1 reads the reduced counter")
  t.is(err, "1\n", "reduce: -j 1 calls reduce once")
  for _, j in ipairs({ 2, 3 }) do
    local out, c2, e2 = t.run(CR .. " -j " .. j .. " " .. q(f) .. " " .. corpus_dir)
    t.is(out, base, "reduce: -j " .. j .. " gives -j 1's answers")
    t.is(e2, j .. "\n", "reduce: -j " .. j .. " reduces " .. j .. " partitions, one per worker")
  end
  -- the partitions travel through anonymous files (no name in /tmp to
  -- reach or race for), so a sandboxed script shuffles too
  h = assert(io.open(f, "r")); local body = h:read("a"); h:close()
  local sf = f .. ".sandboxed.lua"
  h = assert(io.open(sf, "w"))
  h:write((body:gsub('require%("corpus"%)%.open%(arg%[1%]%)', 'require("corpus").open()')))
  h:close()
  local out, c4, e4 = t.run(CR .. " --sandbox -j 2 -c " .. corpus_dir .. " " .. q(sf))
  t.is(out, base, "reduce: -j 2 under --sandbox gives -j 1's answers")
  t.is(e4, "2\n", "reduce: -j 2 under --sandbox reduces 2 partitions, one per worker", c4)
  os.remove(sf)
  h = assert(io.open(f, "w"))
  h:write([[
local c = assert(require("corpus").open(arg[1]))
c:fold(function() return { n = 0 } end, function(acc) acc.n = acc.n + 1 end,
  { quiet = true, reduce = function() error("no reduction today") end })
]])
  h:close()
  for _, j in ipairs({ 1, 2 }) do
    local _, c3, e3 = t.run(CR .. " -j " .. j .. " " .. q(f) .. " " .. corpus_dir)
    t.is(c3, 1, "reduce: -j " .. j .. ": a failing reduce fails the run")
    t.like(e3, "no reduction today", "reduce: -j " .. j .. ": with its message")
  end
  t.raises(function()
    require("fold").run({ docs = function() return function() end end }, function() return 0 end,
      function() end, { reduce = 3 })
  end, "reduce must be a function", "reduce: a reduce that is no function is refused")
  os.remove(f)
end

t.done()
