-- Shards and merge: the same script run as N shards and merged gives the
-- bytes of -j 1; merge refuses incomplete, corrupt or mismatched parts.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)
local script = t.root .. "/tests/data/fold_script.lua"

local dir = t.tempdir()

local base = t.run(CR .. " " .. q(script))

local function shard(k, n, parts, extra)
  return t.run(CR .. " --shard " .. k .. "/" .. n .. " --parts " .. q(parts) .. " " .. q(extra or script))
end

-- 3 shards, merged.
do
  local parts = dir .. "/p3"
  for k = 0, 2 do
    local out, code, err = shard(k, 3, parts)
    t.is(code, 0, "shard " .. k .. "/3 runs", err)
    t.is(out, "", "shard " .. k .. "/3 stops after its fold (the report does not run)")
  end
  local out, code, err = t.run(CR .. " --merge " .. q(parts) .. " " .. q(script))
  t.is(code, 0, "merge of 3 parts runs", err)
  t.is(out, base, "3 shards merged give the bytes of a single run")
  local info = io.open(parts .. "/part-1-of-3.info"):read("a")
  t.like(info, "script_sha256\t%x+", "the sidecar records the script hash")
  t.like(info, "documents\t%d+\nbytes\t%d+", "the sidecar records documents and bytes")
end

-- 5 shards, run in reverse order; K from $SLURM_ARRAY_TASK_ID.
do
  local parts = dir .. "/p5"
  for k = 4, 0, -1 do
    local _, code = t.run("SLURM_ARRAY_TASK_ID=" .. k .. " " .. CR .. " --shard /5 --parts " .. q(parts) .. " " .. q(script))
    t.is(code, 0, "shard " .. k .. "/5 from SLURM_ARRAY_TASK_ID runs")
  end
  t.is((t.run(CR .. " --merge " .. q(parts) .. " " .. q(script))), base, "5 shards run in reverse order merge to the same bytes")
  t.ok(not io.open(parts .. "/.part-0-of-5.tmp"), "no temporary part left behind")

  -- a missing part
  os.execute("cp -r " .. q(parts) .. " " .. q(dir .. "/missing") .. " && rm " .. q(dir .. "/missing/part-3-of-5"))
  local _, code, err = t.run(CR .. " --merge " .. q(dir .. "/missing") .. " " .. q(script))
  t.is(code, 1, "merge with a missing part fails")
  t.like(err, "missing part%-3%-of%-5", "the error names the missing part")

  -- a truncated part
  os.execute("cp -r " .. q(parts) .. " " .. q(dir .. "/trunc") .. " && truncate -s -7 " .. q(dir .. "/trunc/part-2-of-5"))
  _, code, err = t.run(CR .. " --merge " .. q(dir .. "/trunc") .. " " .. q(script))
  t.is(code, 1, "merge with a truncated part fails")
  t.like(err, "part%-2%-of%-5 is truncated or corrupt", "the error names the truncated part")

  -- a part from another script
  local other = dir .. "/other.lua"
  os.execute("cp " .. q(script) .. " " .. q(other) .. " && echo '-- changed' >> " .. q(other))
  os.execute("cp -r " .. q(parts) .. " " .. q(dir .. "/mixed"))
  shard(1, 5, dir .. "/mixed", other)
  _, code, err = t.run(CR .. " --merge " .. q(dir .. "/mixed") .. " " .. q(script))
  t.is(code, 1, "merge with a part of another script fails")
  t.like(err, "part%-1%-of%-5 was made by a different script", "the error says which part and why")

  -- parts made with other arguments
  _, code, err = t.run(CR .. " --merge " .. q(parts) .. " " .. q(script) .. " extra")
  t.is(code, 1, "merge with other arguments fails")
  t.like(err, "was made with other arguments", "the error says the arguments differ")

  -- parts of different shard counts
  os.execute("cp -r " .. q(parts) .. " " .. q(dir .. "/counts") .. " && cp " .. q(dir .. "/p3/part-0-of-3") .. " " .. q(dir .. "/counts/"))
  _, code, err = t.run(CR .. " --merge " .. q(dir .. "/counts") .. " " .. q(script))
  t.is(code, 1, "merge of parts of different shard counts fails")
  t.like(err, "holds parts of %d and of %d shards", "the error says so")

  _, code, err = t.run(CR .. " --merge " .. q(dir .. "/nothing") .. " " .. q(script))
  t.is(code, 1, "merge of an empty directory fails")
  t.like(err, "no parts to merge", "the error says there are no parts")
end

-- Option checks.
do
  local _, code, err = t.run(CR .. " --shard 3/3 --parts x " .. q(script))
  t.is(code, 1, "--shard K/N with K = N fails")
  t.like(err, "bad value for '%-%-shard': '3/3'", "the bad shard is named")
  _, code, err = t.run(CR .. " --shard 0/3 " .. q(script))
  t.is(code, 1, "--shard without --parts fails")
  t.like(err, "needs '%-%-parts DIR'", "and says what is missing")
  _, code, err = t.run("env -u SLURM_ARRAY_TASK_ID " .. CR .. " --shard /3 --parts x " .. q(script))
  t.is(code, 1, "--shard /N without SLURM_ARRAY_TASK_ID fails")
  t.like(err, "SLURM_ARRAY_TASK_ID is not set", "and says why")
  _, code, err = t.run(CR .. " plan --shards 2")
  t.is(code, 1, "plan without -o fails")
  t.like(err, "^corpusrun: '%-%-shards N' and '%-o FILE' are required", "plan says what it needs")
end

-- A script that never folds writes no part: that is an error, not silence.
do
  local nofold = dir .. "/nofold.lua"
  local f = io.open(nofold, "w"); f:write("print('no fold here')\n"); f:close()
  local _, code, err = t.run(CR .. " --shard 0/2 --parts " .. q(dir .. "/nf") .. " " .. q(nofold))
  t.is(code, 1, "--shard with a script that never folds fails")
  t.like(err, "the script ended without calling c:fold, so no part was written", "and says why")
  _, code, err = t.run(CR .. " --merge " .. q(dir .. "/p3") .. " " .. q(nofold))
  t.is(code, 1, "--merge with a script that never folds fails")
  t.like(err, "the parts were not used", "and says why")
end

os.execute("rm -rf " .. q(dir))
t.done()
