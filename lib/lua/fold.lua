-- fold.lua: c:fold(init, step [, opts]) — one accumulation that runs the
-- same on one core, on N cores (-j N) and as shards on a cluster.
--
-- init() makes a fresh accumulator, step(acc, doc) adds one document to it
-- (a value it returns replaces the accumulator; nil keeps it).
-- Each worker folds a contiguous shard of the documents (so arrays
-- concatenate in document order); the workers' accumulators travel as
-- serialised strings and are merged by value, in worker order:
--   numbers add; C counters merge with their own :merge; tables merge key
--   by key, recursively; arrays (1..n, no other keys) concatenate; equal
--   strings and booleans stay; anything else needs opts.merge.
local host = require "corpusrun"
local count = require "count"
local progress = require "progress"
local receipt = require "receipt"
local shards = require "shards"

local fold = {}

-- ---- serialisation --------------------------------------------------------
-- A tagged binary format; userdata travel through their :dump() and come
-- back through the undump function registered for their type name.

local undumpers = {}

-- Registers how to rebuild userdata of metatable name `name` from :dump().
function fold.register(name, undump)
  assert(type(name) == "string" and type(undump) == "function", "fold.register(name, undump)")
  undumpers[name] = undump
end

-- The C counters travel through count's own dump format.
local function count_undump(data)
  local c, err = count.undump(data)
  if not c then error("fold: " .. tostring(err), 0) end
  return c
end
for _, name in ipairs({ "corpusrun.Freq", "corpusrun.Ngrams", "corpusrun.Cooc" }) do
  undumpers[name] = count_undump
end

-- The raw metatable: under --sandbox, shared metatables are protected
-- (getmetatable answers "protected"), but fold still needs the type name.
local raw_getmetatable = debug and debug.getmetatable or getmetatable

local function type_name(v)
  local mt = raw_getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") or nil
end

-- An array of integers (keys 1..n, n >= 16, nothing else) travels packed,
-- CHUNK values per string.pack: per-document counts are most of some
-- accumulators (freq.lua's dispersion), and one tag per value made the
-- parent's decoding their serial cost.
local CHUNK = 256
local chunk_fmt = "<" .. ("j"):rep(CHUNK)

local function integer_array(t)
  local n = #t
  if n < 16 then return nil end
  for i = 1, n do if math.type(t[i]) ~= "integer" then return nil end end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n and n or nil
end

local function encode_integers(t, n, out)
  out[#out + 1] = string.pack("<c1I4", "I", n)
  local full = n - n % CHUNK
  for i = 1, full, CHUNK do out[#out + 1] = string.pack(chunk_fmt, table.unpack(t, i, i + CHUNK - 1)) end
  if full < n then out[#out + 1] = string.pack("<" .. ("j"):rep(n - full), table.unpack(t, full + 1, n)) end
end

local function decode_integers(s, pos)
  local n
  n, pos = string.unpack("<I4", s, pos)
  if n > (#s - pos + 1) // 8 then error("array longer than its bytes", 0) end
  local t = {}
  local i = 0
  while i < n do
    local k = math.min(CHUNK, n - i)
    local vals = table.pack(string.unpack(k == CHUNK and chunk_fmt or "<" .. ("j"):rep(k), s, pos))
    pos = vals[k + 1]
    table.move(vals, 1, k, i + 1, t)
    i = i + k
  end
  return t, pos
end

local function encode_lua(v, out, path)
  local tv = type(v)
  if tv == "nil" then out[#out + 1] = "z"
  elseif tv == "boolean" then out[#out + 1] = v and "t" or "f"
  elseif math.type(v) == "integer" then out[#out + 1] = string.pack("<c1j", "i", v)
  elseif tv == "number" then out[#out + 1] = string.pack("<c1n", "d", v)
  elseif tv == "string" then out[#out + 1] = string.pack("<c1s4", "s", v)
  elseif tv == "table" then
    if getmetatable(v) ~= nil then
      error(("fold: the accumulator's %s is a table with a metatable, which cannot travel between workers"):format(path), 0)
    end
    local ints = integer_array(v)
    if ints then return encode_integers(v, ints, out) end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    out[#out + 1] = string.pack("<c1I4", "T", n)
    for k, x in pairs(v) do
      if type(k) ~= "string" and type(k) ~= "number" and type(k) ~= "boolean" then
        error(("fold: the accumulator's %s has a %s key"):format(path, type(k)), 0)
      end
      encode_lua(k, out, path)
      encode_lua(x, out, path .. "." .. tostring(k))
    end
  elseif tv == "userdata" then
    local name = type_name(v)
    local dump = name and undumpers[name] and v.dump
    if not dump then
      error(("fold: the accumulator's %s is a %s, which fold cannot move between workers (no dump/undump)")
        :format(path, name or "userdata"), 0)
    end
    out[#out + 1] = string.pack("<c1s4s4", "U", name, dump(v))
  else
    error(("fold: the accumulator's %s is a %s, which cannot be merged"):format(path, tv), 0)
  end
end

-- (encoded in C: host.fold_encode writes the same bytes, with the same
-- errors; encode_lua above is what it does, kept as its description and
-- for the tests to compare)
local function encode(v, out, path)
  out[#out + 1] = host.fold_encode(v, undumpers, path)
end

fold._encode_lua = function(v)
  local out = {}
  encode_lua(v, out, "value")
  return table.concat(out)
end

function fold.serialize(v)
  return host.fold_encode(v, undumpers)
end

local function decode(s, pos)
  local tag = s:sub(pos, pos)
  pos = pos + 1
  if tag == "z" then return nil, pos
  elseif tag == "t" then return true, pos
  elseif tag == "f" then return false, pos
  elseif tag == "i" then return string.unpack("<j", s, pos)
  elseif tag == "d" then return string.unpack("<n", s, pos)
  elseif tag == "s" then return string.unpack("<s4", s, pos)
  elseif tag == "T" then
    local n
    n, pos = string.unpack("<I4", s, pos)
    local t = {}
    for _ = 1, n do
      local k, v
      k, pos = decode(s, pos)
      v, pos = decode(s, pos)
      t[k] = v
    end
    return t, pos
  elseif tag == "I" then
    return decode_integers(s, pos)
  elseif tag == "U" then
    local name, data
    name, data, pos = string.unpack("<s4s4", s, pos)
    local undump = undumpers[name]
    if not undump then error("fold: no undump function for " .. name, 0) end
    return undump(data), pos
  end
  error(("fold: corrupt serialised value at byte %d"):format(pos - 1), 0)
end

-- (decoded in C: host.fold_decode reads the same format; decode above is
-- what it does, kept as its description and for the tests to compare)
fold._decode_lua = function(s) return decode(s, 1) end

function fold.deserialize(s)
  local ok, v, pos = pcall(host.fold_decode, s, undumpers)
  if not ok then error(("fold: corrupt serialised value (%s)"):format(v), 0) end
  if pos ~= #s + 1 then error("fold: corrupt serialised value (trailing bytes)", 0) end
  return v
end

-- ---- partitions -----------------------------------------------------------
-- For a partitioned merge (--shard K/N --partitions R), an accumulator is
-- split into R values with disjoint keys, by a stable hash of each key
-- (count.partition), so that partition r of every shard can be merged on
-- its own and the R merged partitions put together by a plain merge:
--   * a C counter (freq, df, ngrams, cooc) splits by its keys;
--   * the accumulator as a table whose keys are all strings: each field
--     that is a C counter splits by its keys, each field that is a table
--     whose keys are all strings splits by its keys (their values stay
--     whole), every other field stays whole in the partition of its name;
--   * anything else (a number, an array, a table with other keys) stays
--     whole in partition 0, and so does the whole accumulator when the fold
--     has its own opts.merge.
-- A partition holds nil where it has nothing.

local split_types = { ["corpusrun.Freq"] = true, ["corpusrun.Ngrams"] = true, ["corpusrun.Cooc"] = true }

local function splits(v)
  return type(v) == "userdata" and split_types[type_name(v)] and v.dump ~= nil
end

local function is_string_map(t)
  if type(t) ~= "table" or getmetatable(t) ~= nil then return false end
  for k in pairs(t) do if type(k) ~= "string" then return false end end
  return true
end

local partition_of

local function encode_counter_part(v, r, parts, out)
  out[#out + 1] = string.pack("<c1s4s4", "U", type_name(v), v:dump({ partition = r, partitions = parts }))
end

-- A table whose keys are all strings: the entries of partition r, whole.
local function encode_map_part(t, r, parts, out, path)
  local keys = {}
  for k in pairs(t) do if partition_of(k, parts) == r then keys[#keys + 1] = k end end
  out[#out + 1] = string.pack("<c1I4", "T", #keys)
  for _, k in ipairs(keys) do
    encode(k, out, path)
    encode(t[k], out, path .. "." .. k)
  end
end

-- Partition r (0..parts-1) of accumulator v, serialised; whole: the fold
-- has its own merge, so nothing splits.
function fold.serialize_partition(v, r, parts, whole)
  partition_of = partition_of or count.partition
  local out = {}
  if whole or not (splits(v) or is_string_map(v)) then
    if r == 0 then encode(v, out, "value") else out[1] = "z" end
  elseif splits(v) then
    encode_counter_part(v, r, parts, out)
  else
    local keys = {}
    for k, x in pairs(v) do
      if splits(x) or is_string_map(x) or partition_of(k, parts) == r then keys[#keys + 1] = k end
    end
    out[#out + 1] = string.pack("<c1I4", "T", #keys)
    for _, k in ipairs(keys) do
      local x, path = v[k], "value." .. k
      encode(k, out, path)
      if splits(x) then encode_counter_part(x, r, parts, out)
      elseif is_string_map(x) then encode_map_part(x, r, parts, out, path)
      else encode(x, out, path) end
    end
  end
  return table.concat(out)
end

-- ---- merging --------------------------------------------------------------

local function is_array(t)
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local function merge(a, b, path)
  if a == nil then return b end
  if b == nil then return a end
  local ta, tb = type(a), type(b)
  if ta == "number" and tb == "number" then return a + b end
  if ta == "userdata" and tb == "userdata" and type_name(a) == type_name(b) and a.merge then
    a:merge(b)
    return a
  end
  if ta == "table" and tb == "table" then
    if next(a) == nil then return b end
    if next(b) == nil then return a end
    if is_array(a) and is_array(b) then
      local n = #a
      for i = 1, #b do a[n + i] = b[i] end
      return a
    end
    local keys = {}
    for k in pairs(b) do keys[#keys + 1] = k end
    for _, k in ipairs(keys) do a[k] = merge(a[k], b[k], path .. "." .. tostring(k)) end
    return a
  end
  if ta == tb and (ta == "string" or ta == "boolean") and a == b then return a end
  error(("fold: cannot merge the accumulator's %s (%s and %s); pass {merge = function(a, b) ... end}")
    :format(path, ta == "userdata" and (type_name(a) or ta) or ta,
                  tb == "userdata" and (type_name(b) or tb) or tb), 0)
end

function fold.merge(a, b) return merge(a, b, "value") end

-- ---- sharding -------------------------------------------------------------

-- c:docs() as a plain closure, whatever iterator triple it returns.
local function doc_stream(c)
  local iter, state, ctl = c:docs()
  return function()
    local doc = iter(state, ctl)
    ctl = doc
    return doc
  end
end

-- The documents of shard k of n (1-based): c:shard(k, n) when the corpus
-- offers it, else contiguous blocks of the document sequence.
local function shard_docs(c, k, n)
  if n == 1 then return doc_stream(c) end
  if c.shard then return doc_stream(c:shard(k, n)) end
  local total = #c
  local first = (k - 1) * total // n + 1
  local last = k * total // n
  local next_doc = doc_stream(c)
  local i = 0
  return function()
    while i < last do
      local doc = next_doc()
      if doc == nil then return nil end
      i = i + 1
      if i >= first then return doc end
    end
    return nil
  end
end

local function doc_label(doc)
  if type(doc) == "table" or type(doc) == "userdata" then
    local ok, id = pcall(function() return doc.id end)
    if ok and id then return tostring(id) end
  end
  return "?"
end

-- A document's size in bytes (a document that is no table may raise).
local function doc_bytes(doc) return doc.bytes or #doc.text end

-- Folds the documents next_doc() yields; returns the accumulator and how
-- many documents and bytes went into it.  tick(ndocs, nbytes), when given,
-- hears the running totals after each document.
local function fold_docs(init, step, next_doc, tick)
  local acc, ndocs, nbytes = init(), 0, 0
  for doc in next_doc do
    local ok, res = pcall(step, acc, doc)
    if not ok then
      error(("fold: step failed on document %s: %s"):format(doc_label(doc), tostring(res)), 0)
    end
    if res ~= nil then acc = res end -- acc = step(acc, doc); nil keeps acc
    ndocs = ndocs + 1
    local okb, b = pcall(doc_bytes, doc)
    if okb and math.type(b) == "integer" then nbytes = nbytes + b end
    if tick then tick(ndocs, nbytes) end
    if host.interrupted() then error("interrupted", 0) end
  end
  return acc, ndocs, nbytes
end

local function run_shard(c, init, step, k, n, tick)
  return fold_docs(init, step, shard_docs(c, k, n), tick)
end

-- ---- progress ---------------------------------------------------------------
-- The fold's progress line on stderr (lib/lua/progress.lua: only on a
-- terminal, never under --quiet), drawn by the parent process alone: at
-- -j 1 after each document, at -j N from the totals the workers send
-- through corpusrun.parallel's progress pipe.  Nil when nothing would show.

local function progress_label(opts)
  if type(opts.progress) == "string" then return opts.progress end
  local script = host.script
  local name = type(script) == "string" and script:match("([^/]+)$")
  return name and (name:gsub("%.lua$", "")) or "fold"
end

local function fold_progress(c, opts)
  if opts.progress == false then return nil end
  return progress.for_corpus(c, { label = progress_label(opts), quiet = opts.quiet })
end

-- At -j 1 nothing is merged; still refuse what -j N could not move, so a
-- script never works on one core and fails on two.  The same rules as
-- encode, without serialising anything (a large counter is not dumped).
local function check_mergeable(v, path)
  local tv = type(v)
  if tv == "table" then
    if getmetatable(v) ~= nil then
      error(("fold: the accumulator's %s is a table with a metatable, which cannot travel between workers"):format(path), 0)
    end
    for k, x in pairs(v) do
      if type(k) ~= "string" and type(k) ~= "number" and type(k) ~= "boolean" then
        error(("fold: the accumulator's %s has a %s key"):format(path, type(k)), 0)
      end
      check_mergeable(x, path .. "." .. tostring(k))
    end
  elseif tv == "userdata" then
    local name = type_name(v)
    if not (name and undumpers[name] and v.dump) then
      error(("fold: the accumulator's %s is a %s, which fold cannot move between workers (no dump/undump)")
        :format(path, name or "userdata"), 0)
    end
  elseif tv == "function" or tv == "thread" then
    error(("fold: the accumulator's %s is a %s, which cannot be merged"):format(path, tv), 0)
  end
end

-- An error a user can cause (shards.fail): printed as `corpusrun: message`,
-- with no traceback.
local function fail(message) shards.fail(message) end

-- corpus.open as the binding defines it, and the Corpus methods (set by
-- fold.install).
local real_open, corpus_methods

local function merger(custom)
  if custom then return custom end
  return function(a, b) return merge(a, b, "value") end
end

-- What the merge read: the documents and bytes its parts record (for the
-- receipt, which does not read the corpus either).
local merged_info

-- Partition r of every shard, merged (nil where a partition holds nothing);
-- returns it and what the merged partition's header records.
local function merge_partition(shards, dir, r, manifest_sha, combine)
  local acc, docs, bytes = nil, 0, 0
  local n, parts, manifest = shards.each_partition_part(dir, r, manifest_sha, function(_, payload, header)
    local part = fold.deserialize(payload)
    docs = docs + (math.tointeger(tonumber(header.documents)) or 0)
    bytes = bytes + (math.tointeger(tonumber(header.bytes)) or 0)
    if part ~= nil then
      if acc == nil then acc = part else acc = combine(acc, part) end
    end
  end)
  return acc, { shards = n, partitions = parts, manifest_sha256 = manifest, documents = docs, bytes = bytes }
end

-- The merged partitions, in partition order: their keys are disjoint, so
-- merging them is a union (with opts.merge, all is in partition 0).
local function union(acc, part, custom)
  if part == nil then return acc end
  if acc == nil then return part end
  if custom then error("fold: a partition other than 0 holds a value, but a fold with opts.merge keeps its accumulator whole in partition 0", 0) end
  return merge(acc, part, "value")
end

-- --merge DIR: the parts replace reading the corpus.  With --partition r,
-- merges partition r of every shard into DIR/merged-r-of-R and ends the
-- script; without it, DIR's merged partitions (or its partitioned parts,
-- merged here one partition after the other) are put together.
local function merge_parts(cluster, combine, custom)
  local manifest_sha = cluster.manifest and shards.read_manifest(cluster.manifest).sha256
  local dir = cluster.merge
  if cluster.partition then
    local acc, info = merge_partition(shards, dir, cluster.partition, manifest_sha, combine)
    shards.write_merged(dir, cluster.partition, info.partitions, info.shards, fold.serialize(acc), info)
    io.stdout:flush()
    os.exit(0, true)
  end
  local kind, parts = shards.merge_kind(dir)
  local acc
  local info = { documents = 0, bytes = 0 }
  local function count(header)
    info.documents = info.documents + (math.tointeger(tonumber(header.documents)) or 0)
    info.bytes = info.bytes + (math.tointeger(tonumber(header.bytes)) or 0)
  end
  if kind == "parts" then
    local first = true
    shards.each_part(dir, manifest_sha, function(_, payload, header)
      count(header)
      local part = fold.deserialize(payload)
      if first then acc, first = part, false else acc = combine(acc, part) end
    end)
  elseif kind == "merged" then
    shards.each_merged(dir, manifest_sha, function(_, payload, header)
      count(header)
      acc = union(acc, fold.deserialize(payload), custom)
    end)
  else
    for r = 0, parts - 1 do
      local part, pinfo = merge_partition(shards, dir, r, manifest_sha, combine)
      count(pinfo)
      acc = union(acc, part, custom)
    end
  end
  merged_info = info
  fold.merged_parts = true
  return acc
end

-- --shard K/N --parts DIR: fold one shard, write its part, end the script.
local function write_shard(c, init, step, cluster, custom)
  local next_doc, manifest
  if cluster.manifest then
    manifest = shards.read_manifest(cluster.manifest, cluster.shard)
    if manifest.shards ~= cluster.shards then
      fail(("%s plans %d shards, not %d"):format(cluster.manifest, manifest.shards, cluster.shards))
    end
    -- only this shard's documents are read (c:subset), where the corpus
    -- can say so; the others are counted from its ids
    local mine = {}
    for _, d in ipairs(manifest.by_shard[cluster.shard] or {}) do mine[#mine + 1] = d.id end
    if c.subset then
      next_doc = shards.manifest_docs(doc_stream(c:subset(mine)), manifest, cluster.shard, c:ids())
    else
      next_doc = shards.manifest_docs(doc_stream(c), manifest, cluster.shard)
    end
  else
    next_doc = shard_docs(c, cluster.shard + 1, cluster.shards)
  end
  local acc, ndocs, nbytes = fold_docs(init, step, next_doc)
  if not custom then check_mergeable(acc, "value") end
  local info = { manifest_sha256 = manifest and manifest.sha256, documents = ndocs, bytes = nbytes }
  if cluster.partitions then
    info.partitions = cluster.partitions
    for r = 0, cluster.partitions - 1 do
      info.partition = r
      shards.write_part(cluster.parts, cluster.shard, cluster.shards,
        fold.serialize_partition(acc, r, cluster.partitions, custom ~= nil), info)
    end
  else
    shards.write_part(cluster.parts, cluster.shard, cluster.shards, fold.serialize(acc), info)
  end
  io.stdout:flush()
  os.exit(0, true)
end

-- ---- streaming (Hadoop Streaming, Spark's pipe, plain pipes) -------------------

-- The key a mapper writes: its input split (file and start offset, as
-- Hadoop Streaming passes them in the environment) so that sorting the
-- lines puts the partial accumulators in input order; without those, the
-- first document's id.
local function map_key(first_id)
  local file = os.getenv("mapreduce_map_input_file") or os.getenv("map_input_file")
  local start = os.getenv("mapreduce_map_input_start") or os.getenv("map_input_start")
  if file and start and tonumber(start) then
    return ("split:%s:%020d"):format(file:gsub("[\t\n]", " "), math.tointeger(tonumber(start)) or 0)
  end
  return "doc:" .. tostring(first_id or ""):gsub("[\t\n]", " ")
end

-- --map: documents are JSON Lines on stdin (fields text and id, the others
-- metadata); writes one "key<TAB>base64(accumulator)" line and ends.
local function map_stdin(init, step, custom, opts)
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "wb"))
  while true do
    local block = io.read(1 << 20)
    if not block then break end
    f:write(block)
  end
  f:close()
  local ok, err = pcall(function()
    local c, oerr = real_open(tmp, { format = "jsonl", text = opts.text, id = opts.id })
    if not c then fail("--map: " .. tostring(oerr)) end
    local first
    local next_doc = doc_stream(c)
    local acc = fold_docs(init, step, function()
      local doc = next_doc()
      if doc and first == nil then first = doc.id end
      return doc
    end)
    if not custom then check_mergeable(acc, "value") end
    io.write(map_key(first), "\t", host.base64_encode(fold.serialize(acc)), "\n")
  end)
  os.remove(tmp)
  if not ok then error(err, 0) end
  io.stdout:flush()
  os.exit(0, true)
end

-- --reduce: merges the "key<TAB>value" lines on stdin in the order they come
-- (sorted by key by the framework or `sort`); the script then reports.
local function reduce_stdin(combine)
  local acc, first, line_no = nil, true, 0
  for line in io.lines() do
    line_no = line_no + 1
    local value = line:match("^[^\t]*\t(.*)$")
    if not value then fail(("--reduce: stdin line %d is not 'key<TAB>value'"):format(line_no)) end
    local raw, err = host.base64_decode(value)
    if not raw then fail(("--reduce: stdin line %d: %s"):format(line_no, err)) end
    local okd, part = pcall(fold.deserialize, raw)
    if not okd then fail(("--reduce: stdin line %d: %s"):format(line_no, tostring(part))) end
    if first then acc, first = part, false else acc = combine(acc, part) end
  end
  if first then fail("--reduce: no lines on stdin") end
  fold.merged_parts = true
  return acc
end

-- ---- the shuffle (-j N with opts.reduce) --------------------------------------
-- opts.reduce(acc) returns what the script reads of its accumulator, and
-- must give the same answers from any share of the keys with their exact
-- totals (a top list: the candidates of that share and the totals).  At
-- -j N each worker folds its shard and cuts its accumulator into N
-- partitions by key (fold.serialize_partition, as --partitions does),
-- written to files; then worker r merges partition r of every shard,
-- reduces it and returns that, and the parent only puts the N small
-- results together.  No worker and not the parent ever merges a whole
-- table; at -j 1 reduce runs on the whole accumulator.

local function reduced(acc, opts)
  if opts.reduce and acc ~= nil then return opts.reduce(acc) end
  return acc
end

local function close_shuffle_files(files)
  for _, row in pairs(files) do
    for _, f in pairs(row) do f:close() end
  end
end

-- The partition files: jobs x jobs anonymous temporary files (io.tmpfile:
-- no name that anyone, a sandboxed script included, can reach or race
-- for), made before the workers fork, so that worker k writes files[k][r]
-- and worker r + 1 of the second round reads it; nil when they cannot be
-- made (then the workers send whole accumulators, as without reduce).
local function shuffle_files(jobs)
  local files = {}
  for k = 1, jobs do
    files[k] = {}
    for r = 0, jobs - 1 do
      local ok, f = pcall(io.tmpfile)
      if not ok or not f then
        close_shuffle_files(files)
        return nil
      end
      files[k][r] = f
    end
  end
  return files
end

local function write_part(f, data)
  local ok, err = f:write(data)
  if ok then ok, err = f:flush() end
  if not ok then error("fold: writing a partition: " .. tostring(err), 0) end
end

local function read_part(f)
  local data = f:seek("set", 0) and f:read("a")
  if not data then error("fold: reading a partition back", 0) end
  return data
end

-- The fields of a string-keyed accumulator that hold tables other than
-- string maps (arrays, which concatenate in document order): nothing cuts
-- them by key, so each worker sends its own to the parent, which merges
-- them in worker order, rather than through one partition and a second
-- encoding.  Taken out of acc; nil when there are none.
local function take_whole_fields(acc)
  if not is_string_map(acc) then return nil end
  local fields
  for k, x in pairs(acc) do
    if type(x) == "table" and getmetatable(x) == nil and not is_string_map(x) then
      fields = fields or {}
      fields[k] = x
    end
  end
  for k in pairs(fields or {}) do acc[k] = nil end
  return fields
end

-- One round of workers: worker k folds shard k, writes partition r of its
-- accumulator to files[k][r], waits for the others (sync), then merges
-- partition k - 1 of every shard and reduces it.  It returns that share and
-- its whole fields; the parent puts the shares together (their keys are
-- disjoint) and merges the whole fields in worker order.
local function shuffle(c, init, step, jobs, reduce, on_progress, files)
  local results = host.parallel(jobs, function(k, report, sync)
    local acc, nd, nb = run_shard(c, init, step, k, jobs, report)
    if report then report(nd, nb, true) end
    check_mergeable(acc, "value")
    local whole = take_whole_fields(acc)
    for r = 0, jobs - 1 do write_part(files[k][r], fold.serialize_partition(acc, r, jobs)) end
    acc = nil
    collectgarbage()   -- the shard's tables, before the shares of the others are read
    sync()
    local share
    for j = 1, jobs do
      local part = fold.deserialize(read_part(files[j][k - 1]))
      if share == nil then share = part elseif part ~= nil then share = merge(share, part, "value") end
    end
    if share ~= nil then share = reduce(share) end
    return fold.serialize({ share = share, whole = whole })
  end, on_progress, { sync = true })
  local acc, whole
  for k = 1, jobs do
    local v = fold.deserialize(results[k])
    acc = union(acc, v.share)
    whole = merge(whole, v.whole, "value")
  end
  for key, x in pairs(whole or {}) do
    if acc == nil then acc = {} end
    acc[key] = merge(acc[key], x, "value." .. key)
  end
  return acc
end

-- c:fold(init, step [, opts]) with opts.jobs (default: -j), opts.merge,
-- opts.reduce (above), the progress line's opts.progress (a label, or false
-- for none) and opts.quiet.
function fold.run(c, init, step, opts)
  opts = opts or {}
  assert(type(init) == "function", "bad argument #1 to 'fold' (function expected)")
  assert(type(step) == "function", "bad argument #2 to 'fold' (function expected)")
  assert(opts.reduce == nil or type(opts.reduce) == "function", "bad argument #3 to 'fold' (reduce must be a function)")
  local combine = merger(opts.merge)
  receipt.note_corpus(c)
  local cluster = host.cluster
  -- The parts (or mapped lines) hold the script's first fold.  A later fold
  -- (a second pass that depends on the first, as freq.lua's dispersion
  -- does) runs here over the corpus, with -j N.
  if cluster and not fold.merged_parts then
    if cluster.merge then return reduced(merge_parts(cluster, combine, opts.merge), opts) end
    if cluster.reduce then return reduced(reduce_stdin(combine), opts) end
  end
  if cluster and cluster.map then return map_stdin(init, step, opts.merge, opts) end
  if cluster and cluster.shard then return write_shard(c, init, step, cluster, opts.merge) end
  local jobs = opts.jobs or host.jobs or 1
  if jobs > 1 then   -- counting is a pass of its own for some formats: only when it matters
    local ndocs = #c
    if jobs > ndocs then jobs = math.max(ndocs, 1) end
  end
  local bar = fold_progress(c, opts)
  if jobs == 1 then
    local acc = run_shard(c, init, step, 1, 1, bar and function(d, b) bar:update(d, b) end)
    if bar then bar:finish() end
    if not opts.merge then check_mergeable(acc, "value") end
    return reduced(acc, opts)
  end
  local on_progress = progress.per_worker(bar, jobs)
  local files = opts.reduce and not opts.merge and shuffle_files(jobs)
  if files then
    local ok, acc = pcall(shuffle, c, init, step, jobs, opts.reduce, on_progress, files)
    close_shuffle_files(files)
    -- the N x N files and the barrier's pipes may be more than the process
    -- may open: then no worker has started (corpusrun.parallel makes every
    -- pipe first), and the fold runs without the shuffle
    local no_pipes = not ok and type(acc) == "string" and acc:find("cannot create a pipe", 1, true)
    if not no_pipes then
      if bar then bar:finish() end
      if not ok then error(acc, 0) end
      return acc
    end
  end
  local parts = host.parallel(jobs, function(k, report)
    local acc, nd, nb = run_shard(c, init, step, k, jobs, report)
    if report then report(nd, nb, true) end
    return fold.serialize(acc)
  end, on_progress)
  if bar then bar:finish() end
  local acc = fold.deserialize(parts[1])
  for k = 2, jobs do acc = combine(acc, fold.deserialize(parts[k])) end
  return reduced(acc, opts)
end

-- ---- the corpus under --merge, --map and --reduce --------------------------------
-- There the first fold reads parts or standard input, never the corpus, so
-- corpus.open returns a stand-in that opens the corpus only when the script
-- reads it otherwise (a later fold, as freq.lua's second pass; c:get, #c,
-- ...): a job whose script folds once needs no corpus at all.

local function cluster_mode()
  local cl = host.cluster
  if not cl then return nil end
  return cl.merge and "--merge" or cl.map and "--map" or cl.reduce and "--reduce" or nil
end

local function source_label(source)
  if type(source) == "table" then return ("(%d sources)"):format(#source) end
  return source or host.default_corpus() or os.getenv("CORPUSRUN_CORPUS") or "corpus"
end

local function deferred_open(source, opts)
  local d = { label = source_label(source) }
  local proxy = {}
  local function real(what)
    if d.c == nil then
      local c, err = real_open(source, opts)
      if not c then
        fail(("%s: the script reads the corpus after its first fold (%s), but the corpus '%s' cannot be opened: %s")
          :format(cluster_mode() or "corpus", what, d.label, tostring(err)))
      end
      d.c = c
    end
    return d.c
  end
  local function forward(c, v)
    if type(v) ~= "function" then return v end
    return function(self, ...)
      if rawequal(self, proxy) then self = c end
      return v(self, ...)
    end
  end
  -- For the receipt: the corpus as far as the run knows it without reading
  -- it (the manifest's documents, or the count the parts record); nil once
  -- the corpus was opened.
  rawset(proxy, "unread_description", function()
    if d.c ~= nil then return nil end
    local cl = host.cluster or {}
    if cl.manifest then
      local m = shards.read_manifest(cl.manifest)
      local docs, lines = {}, {}
      for i, x in ipairs(m.docs) do
        docs[i] = { x.id, x.sha256 }
        lines[i] = x.id .. "\t" .. x.sha256
      end
      return { path = d.label, documents = #docs, fingerprint = host.sha256(table.concat(lines, "\n")),
               docs = docs, read_from = "manifest " .. cl.manifest }
    end
    return { path = d.label, documents = merged_info and merged_info.documents,
             read_from = "not read (" .. (cluster_mode() or "merge") .. ")" }
  end)
  return setmetatable(proxy, {
    __index = function(_, k)
      if k == "fold" then return fold.run end
      if d.c == nil then
        if k == "source" then return function() return d.label end end
        -- a method: the corpus opens when it is called, not when looked up
        if corpus_methods[k] ~= nil then
          return function(self, ...)
            local c = real("c:" .. k)
            if rawequal(self, proxy) then self = c end
            return c[k](self, ...)
          end
        end
      end
      local c = real("c." .. tostring(k))
      return forward(c, c[k])
    end,
    __len = function() return #real("#c") end,
    __tostring = function()
      if d.c then return tostring(d.c) end
      return "corpus " .. d.label .. " (not opened)"
    end,
  })
end

-- Installs c:fold on the corpus type (corpus.lua calls this with the
-- Corpus methods and the module); under --merge, --map and --reduce corpus.open
-- returns the stand-in above.
function fold.install(methods, module)
  methods.fold = fold.run
  corpus_methods = methods
  if module and real_open == nil then
    real_open = module.open
    if cluster_mode() then module.open = deferred_open end
  end
end

return fold
