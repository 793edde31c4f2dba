-- corpusindex.lua: positional indexes (docs/api/corpus.md, "Indexes"):
-- corpus.index(source, path [, opts]) builds one (host/lcorpusindex.c over
-- host/text/cindex.h: sorted runs written by one or N workers, merged into
-- one file), and corpus.open of an index file gives an IndexCorpus, whose
-- documents are rebuilt from the index and whose fold runs as any corpus's;
-- c:positions() gives the corpusrun.Positions the query language reads.
local host = require "corpusrun"
local ccore = require "corpus.core"
local core = require "corpusindex.core"
local fold = require "fold"
local query = require "query"
local json = require "json"
local progress = require "progress"
local receipt = require "receipt"

-- (Its functions are hooks for corpus.lua and index.lua, named with "_":
-- the API is corpus.index and corpus.open.)
local M = {}

-- ---- building -------------------------------------------------------------

-- Options of corpus.index itself; every other key goes to corpus.open.
local OWN = { jobs = true, batch = true, progress = true, quiet = true, append = true }

local function source_corpus(source, opts)
  if (type(source) == "table" or type(source) == "userdata") and source.docs then return source, nil end
  if type(source) ~= "string" and type(source) ~= "table" then
    error("bad argument #1 to 'index' (a path, a list of paths or a corpus expected)", 3)
  end
  local copts = {}
  for k, v in pairs(opts) do if not OWN[k] then copts[k] = v end end
  local c, msg = ccore.open(source, next(copts) and copts or nil)
  if not c then error("corpus.index: " .. msg, 0) end
  return c, copts
end

local function build_shard(c, files, k, batch, tick)
  local b = core.builder(files[k], batch)
  local nd, nb = 0, 0
  for doc in c:docs() do
    b:add(doc)
    nd, nb = nd + 1, nb + (doc.bytes or #doc.text)
    if tick then tick(nd, nb) end
  end
  local runs, tokens = b:finish()
  return runs, tokens, nd
end

-- The receipt kept in the index: what built it, from what, how.  Neither
-- jobs nor batch is in it: the index's bytes do not depend on them.
local function make_receipt(source, copts)
  return json.encode(json.object({
    built_by = "corpusrun " .. (host.version or "?"),
    source = type(source) == "string" and source
      or (type(source) == "table" and not source.docs and table.concat(source, " "))
      or tostring(source.path or source),
    options = json.object(copts or {}),
    format = 1,
  }))
end

-- Appending: the index at path becomes the first run (its lexicons,
-- postings and streams read, its source never), the new documents' runs
-- follow, and the merge writes path anew through a temporary file.  The
-- receipt keeps what built the index and adds what was appended.
local function append_setup(path, files, offsets, receipt_json)
  local old, msg = core.open(path)
  if not old then error("corpus.index: " .. msg, 0) end
  local r = old:receipt()
  old:close()
  local prev = r ~= "" and json.decode(r) or {}
  local now = json.decode(receipt_json)
  prev.appended = prev.appended or {}
  prev.appended[#prev.appended + 1] = json.object({ source = now.source, options = now.options, built_by = now.built_by })
  local runs = core.runs()
  local off, rmsg = core.index_run(runs, path)
  if not off then error("corpus.index: " .. rmsg, 0) end
  table.insert(files, 1, runs)
  table.insert(offsets, 1, { off })
  return json.encode(json.object(prev))
end

-- corpus.index(source, path [, opts]) -> {documents, tokens, bytes}
function M._build(source, path, opts)
  if type(path) ~= "string" then error("bad argument #2 to 'index' (index path expected)", 2) end
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #3 to 'index' (table expected)", 2) end
  opts = opts or {}
  local jobs = opts.jobs or 1
  if math.type(jobs) ~= "integer" or jobs < 1 then error("bad argument #3 to 'index' (jobs must be a positive integer)", 2) end
  local batch = opts.batch
  if batch ~= nil and (math.type(batch) ~= "integer" or batch < 1) then
    error("bad argument #3 to 'index' (batch must be a positive integer)", 2)
  end
  local c, copts = source_corpus(source, opts)
  if receipt.active() then receipt.note_corpus(c, type(source) == "string" and source or nil) end
  local bar = opts.progress ~= false and progress.for_corpus(c, { label = "index", quiet = opts.quiet }) or nil
  local files = {}
  for k = 1, jobs do files[k] = core.runs() end
  local offsets, tokens, docs = {}, 0, 0
  if jobs == 1 then
    local tick = bar and function(nd, nb) bar:update(nd, nb) end
    local runs, nt, nd = build_shard(c, files, 1, batch, tick)
    offsets[1], tokens, docs = runs, nt, nd
  else
    local on_progress = progress.per_worker(bar, jobs)
    local parts = host.parallel(jobs, function(k, report)
      local runs, nt, nd = build_shard(c:shard(k, jobs), files, k, batch, report)
      if report then report(nd, 0, true) end
      return string.pack("<jj", nt, nd) .. string.pack("<" .. ("j"):rep(#runs), table.unpack(runs))
    end, on_progress)
    for k = 1, jobs do
      local nt, nd, pos = string.unpack("<jj", parts[k])
      local runs = {}
      while pos <= #parts[k] do runs[#runs + 1], pos = string.unpack("<j", parts[k], pos) end
      offsets[k], tokens, docs = runs, tokens + nt, docs + nd
    end
  end
  if bar then bar:finish() end
  local receipt_json, out = make_receipt(source, copts), path
  if opts.append then
    receipt_json = append_setup(path, files, offsets, receipt_json)
    if not os.rename then error("corpus.index: appending rewrites the index through a temporary file, which needs os.rename", 0) end
    out = path .. ".tmp"
  end
  local ok, msg = core.merge(out, files, offsets, receipt_json)
  if not ok then
    if out ~= path then
      os.remove(out)
      msg = path .. msg:sub(#out + 1)   -- the message names the index, not its temporary copy
    end
    error("corpus.index: " .. msg, 0)
  end
  if out ~= path then
    local rok, rmsg = os.rename(out, path)
    if not rok then error("corpus.index: " .. tostring(rmsg), 0) end
  end
  local ix = assert(core.open(path))
  local info = ix:info()
  local stats = { documents = docs, tokens = tokens, bytes = info.bytes }
  if opts.append then stats.total_documents, stats.total_tokens = info.docs, info.tokens end
  ix:close()
  return stats
end

-- ---- the corpus object ---------------------------------------------------------

local IndexCorpus = {}
IndexCorpus.__index = IndexCorpus
IndexCorpus.__name = "corpusrun.IndexCorpus"
-- registered under its name, as luaL_newmetatable registers the C types, so
-- that help() and completion find its methods (not inside --sandbox, whose
-- modules have no debug library)
if debug then debug.getregistry()["corpusrun.IndexCorpus"] = IndexCorpus end

local function check(c)
  if getmetatable(c) ~= IndexCorpus then error("corpusindex: not an indexed corpus", 3) end
  if c.state.closed then error("corpusindex: attempt to use a closed corpus", 3) end
  return c
end

local function new_view(path, state, ns)
  return setmetatable({ path = path, state = state, ns = ns }, IndexCorpus)
end

-- corpusindex._open(path [, opts]) -> corpus, or nil, message: corpus.open
-- of an index file (through corpus.core's hook).
function M._open(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'open' (path expected)", 2) end
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #2 to 'open' (table expected)", 2) end
  local ix, msg = core.open(path)
  if not ix then return nil, msg end
  if opts and opts.verify then
    local ok, vmsg = ix:verify()
    if not ok then ix:close(); return nil, vmsg end
  end
  return new_view(path, { ix = ix }, nil)
end

-- The document numbers (1-based) of the view, in order.
local function numbers(c)
  if c.ns then return c.ns end
  local n, out = c.state.ix:count(), {}
  for k = 1, n do out[k] = k end
  return out
end

function IndexCorpus:__len()
  check(self)
  if self.ns then return #self.ns end
  return self.state.ix:count()
end

function IndexCorpus:__tostring()
  if self.state.closed then return ("IndexCorpus %s (closed)"):format(self.path) end
  return ("IndexCorpus %s (%d documents)"):format(self.path, #self)
end

-- c:close(): closes the index (and the views made from it).
function IndexCorpus:close()
  if self.state.closed then return end
  if not self.ns then
    self.state.closed = true
    self.state.ix:close()
  end
end
IndexCorpus.__close = IndexCorpus.close

-- c:docs() -> iterator over the documents, in order.
function IndexCorpus:docs()
  check(self)
  local ix, ns, i = self.state.ix, self.ns, 0
  local n = ns and #ns or ix:count()
  return function()
    i = i + 1
    if i > n then return nil end
    return ix:doc(ns and ns[i] or i)
  end
end

function IndexCorpus:ids()
  check(self)
  local ids, ix = {}, self.state.ix
  for i, k in ipairs(numbers(self)) do ids[i] = ix:doc(k, false).id end
  return ids
end

function IndexCorpus:get(id)
  check(self)
  local k = self.state.ix:find(tostring(id))
  if not k then return nil end
  if self.ns then
    local inside = false
    for _, x in ipairs(self.ns) do if x == k then inside = true; break end end
    if not inside then return nil end
  end
  return self.state.ix:doc(k)
end

local function meta_match(doc, want)
  for k, v in pairs(want) do
    local got = doc.meta[k]
    if got ~= v and not (got ~= nil and tostring(got) == tostring(v)) then return false end
  end
  return true
end

-- c:filter(fn | {key = value}) -> sub-corpus.
function IndexCorpus:filter(pred)
  check(self)
  local keep
  if type(pred) == "function" then keep = pred
  elseif type(pred) == "table" then keep = function(doc) return meta_match(doc, pred) end
  else error("bad argument #1 to 'filter' (function or table expected)", 2) end
  local ns, ix = {}, self.state.ix
  for _, k in ipairs(numbers(self)) do
    if keep(ix:doc(k, type(pred) == "function")) then ns[#ns + 1] = k end
  end
  return new_view(self.path, self.state, ns)
end

-- c:sample(n [, seed]) -> n documents chosen by a hash of seed and id, in
-- corpus order: the documents c:sample keeps of the source (corpus.core).
function IndexCorpus:sample(n, seed)
  check(self)
  if math.type(n) ~= "integer" or n < 0 then error("bad argument #1 to 'sample' (must be an integer >= 0)", 2) end
  local ix, nums, ids = self.state.ix, numbers(self), {}
  for i, k in ipairs(nums) do ids[i] = ix:doc(k, false).id end
  local pick = {}
  for j, i in ipairs(ccore._sample_pick(ids, n, seed or 0)) do pick[j] = nums[i] end
  return new_view(self.path, self.state, pick)
end

-- c:shard(k, n) -> the k-th of n contiguous parts, balanced by bytes, cut
-- where c:shard cuts the source (a document in the part of its middle byte).
function IndexCorpus:shard(k, n)
  check(self)
  if math.type(k) ~= "integer" or math.type(n) ~= "integer" or n < 1 or k < 1 or k > n then
    error("bad arguments to 'shard' (1 <= k <= n expected)", 2)
  end
  local ix, nums, bytes = self.state.ix, numbers(self), {}
  for i, d in ipairs(nums) do bytes[i] = ix:doc(d, false).bytes end
  local first, last = ccore._shard_range(bytes, k, n)
  local ns = {}
  for i = first, last do ns[#ns + 1] = nums[i] end
  return new_view(self.path, self.state, ns)
end

-- c:fingerprint() -> 32 hex digits over the documents' ids and texts, in
-- order: the source's fingerprint.
function IndexCorpus:fingerprint()
  check(self)
  local ix, nums, i = self.state.ix, numbers(self), 0
  return ccore._fingerprint(function()
    i = i + 1
    if i > #nums then return nil end
    local d = ix:doc(nums[i], true)
    return d.id, d.text
  end)
end

-- c:source() -> the index's path.
function IndexCorpus:source()
  check(self)
  return self.path
end

function IndexCorpus:problems()
  check(self)
  return {}, { skipped = 0, encoding = 0, ignored = 0 }
end

function IndexCorpus:fold(init, step, opts)
  check(self)
  return fold.run(self, init, step, opts)
end

-- c:query (query.md): a CQP query over the index's positions
function IndexCorpus:query(q, opts)
  check(self)
  local within
  if self.ns then   -- a sub-corpus: the hits in its documents only
    within = {}
    for _, k in ipairs(self.ns) do within[k] = true end
  end
  return query.run(self, q, opts, within)
end

-- c:positions() -> the corpus as token positions (corpusrun.Positions).
function IndexCorpus:positions()
  check(self)
  return self.state.ix:positions()
end

-- c:info() -> {tokens, docs, bytes, attributes, structures, sizes}.
function IndexCorpus:info()
  check(self)
  return self.state.ix:info()
end

-- c:receipt() -> the receipt the index was built with (a table).
function IndexCorpus:receipt()
  check(self)
  local s = self.state.ix:receipt()
  if s == "" then return {} end
  return json.decode(s)
end

-- c:verify() -> true, or nil and the first damaged part of the file.
function IndexCorpus:verify()
  check(self)
  return self.state.ix:verify()
end

ccore._set_index(M._open)

return M
