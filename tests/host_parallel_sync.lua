-- corpusrun.parallel(n, fn, on_progress, {sync = true}): a barrier among
-- the workers (what c:fold's shuffle waits on between cutting its
-- accumulator and merging the others' shares), and c:fold's reduce with
-- fields that travel whole (arrays): -j 1, 2 and 3 give the same values.
local t = require "tap"
local host = require "corpusrun"
local q = t.shell_quote
local CR = q(t.corpusrun)

-- what one worker writes before sync() another reads after it, round after
-- round (a file per writer and reader, as the fold's shuffle has: processes
-- share a file's offset, so two readers of one file would race)
do
  local files = {}
  for k = 1, 3 do
    files[k] = {}
    for r = 1, 3 do files[k][r] = io.tmpfile() end
  end
  local r = host.parallel(3, function(k, report, sync)
    local seen = {}
    for round = 1, 5 do
      if k == round % 3 + 1 then   -- one worker is late in each round
        local t0 = host.clock()
        while host.clock() - t0 < 0.05 do end
      end
      for j = 1, 3 do files[k][j]:write(round, ";"); files[k][j]:flush() end
      sync()
      local all = {}
      for j = 1, 3 do
        files[j][k]:seek("set", 0)
        local s = files[j][k]:read("a")
        all[j] = select(2, s:gsub(";", ";"))   -- rounds written by worker j
      end
      seen[round] = table.concat(all, ",")
      sync()   -- nobody writes round + 1 before everyone has read round
    end
    return tostring(report) .. " " .. table.concat(seen, " ")
  end, nil, { sync = true })
  for k = 1, 3 do
    t.is(r[k], "nil 1,1,1 2,2,2 3,3,3 4,4,4 5,5,5", "worker " .. k .. ": each round sees every worker's write of that round")
  end
  local p = host.parallel(2, function(k, report, sync) sync(); return type(report) .. " " .. type(sync) end,
    function() end, { sync = true })
  t.is(p[1], "function function", "with a progress function: fn(k, report, sync)")
  local plain = host.parallel(2, function(k, report, sync) return tostring(sync) end)
  t.is(plain[1], "nil", "without {sync = true} there is no sync")
end

-- a worker that never reaches the barrier: the others are stopped, the run fails, nothing hangs
do
  local t0 = host.clock()
  local ok, err = pcall(host.parallel, 3, function(k, _, sync)
    if k == 2 then os.exit(7) end
    sync()
    return "x"
  end, nil, { sync = true })
  t.ok(not ok and err:find("worker 2 of the fold exited with status 7", 1, true), "a worker gone before the barrier is reported: " .. tostring(err))
  ok, err = pcall(host.parallel, 2, function(k, _, sync)
    if k == 1 then error("before the barrier") end
    sync()
    return "x"
  end, nil, { sync = true })
  t.ok(not ok and err:find("before the barrier", 1, true), "a worker's error before the barrier is the run's: " .. tostring(err))
  ok, err = pcall(host.parallel, 2, function(k, _, sync)
    sync()
    if k == 2 then return nil end
    return "x"
  end, nil, { sync = true })
  t.ok(not ok and err:find("not a string", 1, true), "a failure after the barrier too: " .. tostring(err))
  t.ok(host.clock() - t0 < 10, "and none of it waits")
end

-- c:fold with reduce: arrays travel whole from each worker to the parent,
-- in document order; counters and maps through the partitions
do
  local f = os.tmpname()
  local h = assert(io.open(f, "w"))
  h:write([[
local count = require "count"
local c = assert(require("corpus").open(arg[1]))
local acc = c:fold(function() return { f = count.freq(), ids = {}, sizes = {}, by_id = {}, docs = 0, mixed = {} } end,
  function(acc, doc)
    acc.f:add_text(doc.text)
    acc.ids[#acc.ids + 1] = doc.id
    acc.sizes[#acc.sizes + 1] = #doc.text
    acc.by_id[doc.id] = #doc.text
    acc.docs = acc.docs + 1
    if doc.id:find("2") then acc.mixed[#acc.mixed + 1] = doc.id end   -- empty in some workers
  end,
  { quiet = true, reduce = function(acc)
      acc.types = #acc.f
      local top = acc.f:top(5)
      if #top == 5 then acc.f:prune(top[5][2]) end
      return acc
    end })
local keys = {}
for k in pairs(acc.by_id) do keys[#keys + 1] = k end
table.sort(keys)
local rows = {}
for _, kv in ipairs(acc.f:top(5)) do rows[#rows + 1] = kv[1] .. "=" .. kv[2] end
print(table.concat(rows, " "), acc.types, acc.docs)
print(table.concat(acc.ids, ","))
print(table.concat(acc.sizes, ","))
print(table.concat(keys, ","), table.concat(acc.mixed, ","))
]])
  h:close()
  local corpus_dir = q(t.root .. "/corpus")
  local base, code, err = t.run(CR .. " -j 1 " .. q(f) .. " " .. corpus_dir)
  t.is(code, 0, "reduce with arrays: -j 1 runs", err)
  t.like(base, "\n[^\n]+,[^\n]+\n", "reduce with arrays: -j 1 lists the documents")
  for _, j in ipairs({ 2, 3, 5 }) do
    local out, c2, e2 = t.run(CR .. " -j " .. j .. " " .. q(f) .. " " .. corpus_dir)
    t.is(out, base, "reduce with arrays: -j " .. j .. " gives -j 1's values, arrays in document order", e2 ~= "" and e2 or c2)
  end
  -- more workers than the process may open files for their shuffle (5 x 5
  -- files, a pipe each and the barrier's five): no worker starts, and the
  -- fold runs without the shuffle, to the same values
  local out, c5, e5 = t.run("ulimit -n 36; " .. CR .. " -j 5 " .. q(f) .. " " .. corpus_dir)
  t.is(out, base, "reduce with arrays: -j 5 with 36 open files allowed falls back to the plain fold", e5 ~= "" and e5 or c5)
  local _, c6, e6 = t.run("ulimit -n 24; " .. CR .. " -e " .. q("local h = require 'corpusrun'; local ok, err = pcall(h.parallel, 40, function() return 'x' end); io.write(tostring(ok), ' ', err)"))
  t.like(_ or "", "^false .*cannot create a pipe", "corpusrun.parallel: too many workers for the open files allowed is an error before any starts", e6 ~= "" and e6 or c6)
  os.remove(f)
end

t.done()
