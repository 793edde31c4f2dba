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
local count = require "count"
local qcore = require "query.core"
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

-- ---- answers from the lexicon and the postings --------------------------------
-- What a script would count by reading every document's text (count.freq's
-- add_text, kwic's matcher) answered from the index instead: the word
-- lexicon's strings are tokenised once each, in C (host/text/lexwords.c:
-- a type, not a token, per step), and their frequencies and postings do the
-- rest.  The tokens of a document's text are its index tokens' tokens: a
-- plain-text index holds the tokeniser's own tokens (each string gives
-- itself back, checked), an annotated one strings that whitespace separates
-- in the rebuilt text.

local LEVELS = { raw = true, nfc = true, casefold = true, key = true }

-- Plain text (word, lower, key only) or annotated.
local function plain(c)
  return #c.state.ix:info().attributes == 3
end

-- The words at level of the word lexicon's strings (kinds word and number;
-- query.core's LexWords, once per index and level), or nil and why the
-- index cannot say.
local function pieces(c, level)
  local st = c.state
  st.pieces = st.pieces or {}
  local got = st.pieces[level]
  if got then return got end
  local lw, why = qcore.lexwords(c:positions(), "word", level, plain(c))
  if not lw then return nil, why end
  st.pieces[level] = lw
  return lw
end

local function whole(c, fname)
  if c.ns then return nil, fname .. ": a sub-corpus of an index is counted by reading its documents" end
  return true
end

--- c:freq([opts]) -> the count.freq counter of every document's text
--- (count.freq(opts) fed each doc.text), from the lexicon; opts: level
--- (default "casefold").  nil and why when the index cannot answer it.
function IndexCorpus:freq(opts)
  check(self)
  opts = opts or {}
  if type(opts) ~= "table" then error("bad argument #1 to 'freq' (table expected)", 2) end
  local level = opts.level or "casefold"
  for k in pairs(opts) do
    if k ~= "level" then return nil, "freq: the option '" .. tostring(k) .. "' is counted by reading the documents" end
  end
  if not LEVELS[level] then error("bad argument #1 to 'freq' (level: raw, nfc, casefold or key expected)", 2) end
  local ok, why = whole(self, "freq")
  if not ok then return nil, why end
  local p, pwhy = pieces(self, level)
  if not p then return nil, pwhy end
  local f = count.freq({ level = level })
  local words, counts = qcore.words_total(p)
  for i = 1, #words do f:add(words[i], counts[i]) end
  return f
end

--- c:doc_counts(keys [, opts]) -> counts, sizes: counts[key][d] the times
--- key (a word at opts.level, default "casefold") occurs in document d (in
--- corpus order), sizes[d] the words (kinds word and number) of document d,
--- as count.freq would count them, from the postings.  nil and why when the
--- index cannot answer it.
function IndexCorpus:doc_counts(keys, opts)
  check(self)
  if type(keys) ~= "table" then error("bad argument #1 to 'doc_counts' (table of words expected)", 2) end
  opts = opts or {}
  local level = opts.level or "casefold"
  if not LEVELS[level] then error("bad argument #2 to 'doc_counts' (level: raw, nfc, casefold or key expected)", 2) end
  local ok, why = whole(self, "doc_counts")
  if not ok then return nil, why end
  local p, pwhy = pieces(self, level)
  if not p then return nil, pwhy end
  local pos = self:positions()
  for _, k in ipairs(keys) do
    if type(k) ~= "string" then error("bad argument #1 to 'doc_counts' (words expected)", 2) end
  end
  -- sizes: each document's tokens, corrected by the strings that do not
  -- hold exactly one word (punctuation: none; some annotated tokens: more)
  local split, less = qcore.words_split(p)
  local sizes = qcore.region_sums(pos, "word", split, less, "text")
  for d = 1, #sizes do
    local s, e = qcore.region(pos, "text", d - 1)
    sizes[d] = sizes[d] + (e - s)
  end
  local counts = {}
  for _, k in ipairs(keys) do
    if not counts[k] then
      local ids, times = qcore.words_holding(p, k)
      counts[k] = qcore.region_sums(pos, "word", ids, times, "text")
    end
  end
  return counts, sizes
end

-- The words (keys at level) of document d's tokens [from, to), in order.
local function words_at(pos, p, from, to)
  return qcore.words_of(p, qcore.ids(pos, "word", from, to))
end

-- The first n words of document [s, e) (all when fewer), read in chunks.
local function first_words(pos, p, s, e, n)
  local out, at, step = {}, s, n + 8
  while #out < n and at < e do
    local to = math.min(e, at + step)
    for _, k in ipairs(words_at(pos, p, at, to)) do out[#out + 1] = k end
    at, step = to, step * 2
  end
  return out
end

-- The last n words of document [s, e) (all when fewer), in order.
local function last_words(pos, p, s, e, n)
  local out, at, step = {}, e, n + 8
  while #out < n and at > s do
    local from = math.max(s, at - step)
    local chunk = words_at(pos, p, from, at)
    table.move(out, 1, #out, #chunk + 1, chunk)
    out, at, step = chunk, from, step * 2
  end
  return out
end

--- c:window_slots(words, window [, opts]) -> slots, n: slots[w] the window
--- positions around every occurrence of word w (a key at opts.level, default
--- "casefold") inside its document, up to window words on each side (words:
--- kinds word and number); n the same sum over every word of the corpus.
--- The margins of count.cooc{mode = "window"} fed every document's text
--- (c1 and n of c:with).  nil and why when the index cannot answer it.
function IndexCorpus:window_slots(words, window, opts)
  check(self)
  if type(words) ~= "table" then error("bad argument #1 to 'window_slots' (table of words expected)", 2) end
  if math.type(window) ~= "integer" or window < 0 then
    error("bad argument #2 to 'window_slots' (a non-negative integer expected)", 2)
  end
  opts = opts or {}
  local level = opts.level or "casefold"
  if not LEVELS[level] then error("bad argument #3 to 'window_slots' (level: raw, nfc, casefold or key expected)", 2) end
  local f, why = self:freq({ level = level })
  if not f then return nil, why end
  local _, sizes = self:doc_counts({}, { level = level })
  local p, pos = pieces(self, level), self:positions()
  local want = {}
  for _, w in ipairs(words) do
    if type(w) ~= "string" then error("bad argument #1 to 'window_slots' (words expected)", 2) end
    want[w] = 0
  end
  -- every occurrence has 2 * window slots, less those a document's ends
  -- cut off: only its first and last window words lose any
  local n, w2 = 0, 2 * window
  local function cut(k, i, len)
    local lost = math.max(0, window - i) + math.max(0, window - (len - 1 - i))
    n = n - lost
    if want[k] then want[k] = want[k] - lost end
  end
  for d, len in ipairs(sizes) do
    n = n + w2 * len
    if len > 0 and window > 0 then
      local s, e = qcore.region(pos, "text", d - 1)
      if len <= w2 then
        for i, k in ipairs(first_words(pos, p, s, e, len)) do cut(k, i - 1, len) end
      else
        for i, k in ipairs(first_words(pos, p, s, e, window)) do
          if i > window then break end
          cut(k, i - 1, len)
        end
        local tail = last_words(pos, p, s, e, window)
        for j = math.max(1, #tail - window + 1), #tail do cut(tail[j], len - (#tail - j) - 1, len) end
      end
    end
  end
  local slots = {}
  for w, lost in pairs(want) do slots[w] = w2 * (f:get(w) or 0) + lost end
  return slots, n
end

--- c:holding(words [, opts]) -> the sub-corpus of the documents whose text
--- holds every one of the words (tokens compared at opts.level, default
--- "key"; a word ending in * stands for every word it begins), in corpus
--- order: the documents a concordance of a phrase made of these words can
--- be in.  nil and why when the index cannot answer it.
function IndexCorpus:holding(words, opts)
  check(self)
  if type(words) ~= "table" then error("bad argument #1 to 'holding' (table of words expected)", 2) end
  opts = opts or {}
  local level = opts.level or "key"
  if not LEVELS[level] then error("bad argument #2 to 'holding' (level: raw, nfc, casefold or key expected)", 2) end
  local ok, why = whole(self, "holding")
  if not ok then return nil, why end
  local p, pwhy = pieces(self, level)
  if not p then return nil, pwhy end
  local pos = self:positions()
  local keep
  for _, w in ipairs(words) do
    if type(w) ~= "string" then error("bad argument #1 to 'holding' (words expected)", 2) end
    local prefix = w:match("^(.-)%*$")
    local ids, ones = qcore.words_holding(p, prefix or w, prefix ~= nil)
    local per = qcore.region_sums(pos, "word", ids, ones, "text")
    if not keep then
      keep = {}
      for d, n in ipairs(per) do if n > 0 then keep[#keep + 1] = d end end
    else
      local k2 = {}
      for _, d in ipairs(keep) do if per[d] > 0 then k2[#k2 + 1] = d end end
      keep = k2
    end
  end
  return new_view(self.path, self.state, keep or numbers(self))
end

ccore._set_index(M._open)

return M
