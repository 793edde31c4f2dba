-- index.lua: `corpusrun index -c SOURCE -o PATH [-j N] [options]` (docs/cli.md,
-- "Indexes"): builds a positional index with corpus.index, with progress on
-- stderr; `corpusrun index --info PATH` describes one, `--verify` checks
-- every section's checksum.
local host = require "corpusrun"
local corpus = require "corpus"
local corpusindex = require "corpusindex"
local json = require "json"

local index = {}

local USAGE = [[
usage: corpusrun index -c SOURCE -o PATH [-j N] [--append] [--format F] [--batch TOKENS] [--verify] [--quiet]
       corpusrun index --info PATH [--verify]
Builds a positional index of the corpus SOURCE (anything corpus.open reads)
into the file PATH; corpus.open(PATH) opens it.
  -c, --corpus SOURCE   the corpus to index
  -o, --output PATH     the index file to write
  -j, --jobs N          build the runs in N worker processes (the same bytes for every N)
  --append              add SOURCE's documents to the index at PATH (its source is not read again)
  --format F            the corpus's format (text, jsonl, conllu, vrt, tagged, ...)
  --batch TOKENS        tokens per sorted run (memory while building; default 2097152)
  --verify              then check every section's checksum
  --quiet               no progress line
  --info PATH           describe the index at PATH: attributes, sizes, receipt]]

local function fail(msg) error(msg .. "\n" .. USAGE:match("^[^\n]*"), 0) end

local function mb(n) return ("%.1f MB"):format(n / 1e6) end

local function info(path, verify)
  local c, msg = corpusindex._open(path)
  if not c then error(msg, 0) end
  local i = c:info()
  io.write(("%s: %d documents, %d tokens, %s (%.2f bytes/token)\n"):format(path, i.docs, i.tokens, mb(i.bytes),
    i.tokens > 0 and i.bytes / i.tokens or 0))
  for _, a in ipairs(i.attributes) do
    local s = i.sizes[a]
    io.write(("  %-8s %8d types  lexicon %s  ids %s  postings %s\n"):format(a, s.types, mb(s.lexicon), mb(s.ids),
      mb(s.postings)))
  end
  io.write("  structures: ", table.concat(i.structures, " "), "\n")
  io.write("  built: ", json.encode(c:receipt()), "\n")
  if verify then
    local ok, vmsg = c:verify()
    if not ok then error(vmsg, 0) end
    io.write("  checksums: every section sound\n")
  end
  c:close()
end

local function run(argv)
  local opts, source, out, jobs, verify, info_path = {}, nil, nil, 1, false, nil
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local function value()
      i = i + 1
      if argv[i] == nil then fail(("'%s' needs an argument"):format(a)) end
      return argv[i]
    end
    local function count()
      local v = value()
      local n = math.tointeger(tonumber(v))
      if not n or n < 1 then fail(("bad value for '%s' (a whole number from 1)"):format(a)) end
      return n
    end
    if a == "-c" or a == "--corpus" then source = value()
    elseif a == "-o" or a == "--output" then out = value()
    elseif a == "-j" or a == "--jobs" then jobs = count()
    elseif a == "--format" then opts.format = value()
    elseif a == "--batch" then opts.batch = count()
    elseif a == "--append" then opts.append = true
    elseif a == "--verify" then verify = true
    elseif a == "--quiet" or a == "-q" then opts.quiet = true
    elseif a == "--info" then info_path = value()
    elseif a == "-h" or a == "--help" then io.write(USAGE, "\n"); return true
    else fail(("unrecognized option '%s'"):format(a)) end
    i = i + 1
  end
  if info_path then return info(info_path, verify) end
  source = source or host.default_corpus()
  if not source then fail("no corpus: give -c SOURCE") end
  if not out then fail("'-o PATH' is required") end
  opts.jobs = jobs
  local t0 = host.clock()
  local stats = corpus.index(source, out, opts)
  local secs = host.clock() - t0
  if not opts.quiet then
    local total = stats.total_tokens or stats.tokens
    io.stderr:write(("corpusrun: %s %d documents, %d tokens %s %s (%s, %.2f bytes/token) in %.1f s\n"):format(
      opts.append and "appended" or "indexed", stats.documents, stats.tokens, opts.append and "to" or "into", out,
      mb(stats.bytes), total > 0 and stats.bytes / total or 0, secs))
  end
  if verify then
    local c = assert(corpusindex._open(out))
    local ok, vmsg = c:verify()
    c:close()
    if not ok then error(vmsg, 0) end
  end
  return true
end

-- Returns true, or nil and the message (the host prints it, exit 1).
function index.index_command(argv)
  local ok, err = pcall(run, argv)
  if ok then return true end
  return nil, tostring(err)
end

return index
