-- plan.lua: `corpusrun plan --shards N [-c CORPUS] -o manifest.tsv`
-- (docs/cluster.md): opens the corpus and freezes its shards in a manifest
-- (shards.plan) for `--shard K/N --manifest FILE`.
local host = require "corpusrun"
local corpus = require "corpus"
local shards = require "shards"

local plan = {}

local PLAN_USAGE = "usage: corpusrun plan --shards N [-c CORPUS] -o manifest.tsv"

local function run(argv)
  local n, out, corpus_path
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local function value()
      i = i + 1
      if argv[i] == nil then shards.fail(("'%s' needs argument\n%s"):format(a, PLAN_USAGE)) end
      return argv[i]
    end
    if a == "--shards" then n = math.tointeger(tonumber(value()))
      if not n or n < 1 then shards.fail("bad value for '--shards' (a whole number from 1)") end
    elseif a == "-o" or a == "--output" then out = value()
    elseif a == "-c" or a == "--corpus" then corpus_path = value()
    elseif a == "-h" or a == "--help" then io.write(PLAN_USAGE, "\n"); return true
    else shards.fail(("unrecognized option '%s'\n%s"):format(a, PLAN_USAGE)) end
    i = i + 1
  end
  if not n or not out then shards.fail("'--shards N' and '-o FILE' are required\n" .. PLAN_USAGE) end
  corpus_path = corpus_path or host.default_corpus()
  if not corpus_path then shards.fail("no corpus: give -c PATH") end
  local c = corpus.open(corpus_path)
  local count = shards.plan(c, n, out, corpus_path)
  io.stderr:write(("corpusrun: planned %d documents in %d shards: %s\n"):format(count, n, out))
end

-- Returns true, or nil and the message (the host prints it, exit 1).
function plan.plan_command(argv)
  local ok, err = pcall(run, argv)
  if ok then return true end
  return nil, tostring(err)
end

return plan
