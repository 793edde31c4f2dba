-- shards.lua: running one fold as shards on a cluster's scheduler and
-- merging the parts — manifests, part files and their checks.
--
--   corpusrun plan --shards N [-c CORPUS] -o manifest.tsv     (plan.lua)
--   corpusrun --shard K/N --parts DIR [--manifest manifest.tsv] script.lua [args]
--   corpusrun --merge DIR script.lua [args]
-- and the partitioned merge:
--   corpusrun --shard K/N --partitions R --parts DIR script.lua [args]
--   corpusrun --merge DIR --partition r script.lua [args]    (r = 0..R-1)
--   corpusrun --merge DIR script.lua [args]                  (concatenates)
local host = require "corpusrun"
local cli = require "cli"

local shards = {}

-- Every error here is one a user can cause (a missing or truncated part,
-- parts of another run, a bad manifest): raised as an object whose text is
-- the whole message, so the host prints `corpusrun: message` and no
-- traceback (see host.c's message handler).
local FAIL_MT = { __tostring = function(e) return e.message end }
local function fail(message)
  error(setmetatable({ message = message }, FAIL_MT), 0)
end
shards.fail = fail

local MANIFEST_MAGIC = "# corpusrun manifest 1"
local PART_MAGIC = "corpusrun part 1\n"

-- ---- manifests ------------------------------------------------------------

local function doc_bytes(doc)
  return doc.bytes or #doc.text
end

-- Splits documents (an array of {bytes=}) into n contiguous shards balanced
-- by bytes: document i goes to the shard where its first byte falls.
-- Returns an array of shard numbers (0-based), one per document.
function shards.balance(sizes, n)
  local total = 0
  for _, b in ipairs(sizes) do total = total + b end
  local assignment, before = {}, 0
  for i, b in ipairs(sizes) do
    local k = total > 0 and (before * n) // total or ((i - 1) * n) // #sizes
    if k >= n then k = n - 1 end
    assignment[i] = k
    before = before + b
  end
  return assignment
end

-- Reads the corpus once and writes a manifest: one line per document with
-- its shard, id, path, bytes and content hash.
function shards.plan(c, n, out_path, corpus_label)
  local rows, sizes = {}, {}
  for doc in c:docs() do
    rows[#rows + 1] = { id = doc.id, path = doc.path or "", bytes = doc_bytes(doc), sha256 = host.sha256(doc.text) }
    sizes[#sizes + 1] = rows[#rows].bytes
  end
  local assignment = shards.balance(sizes, n)
  local tmp = out_path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then fail("cannot write the manifest: " .. err) end
  f:write(MANIFEST_MAGIC, "\n", "# corpus\t", corpus_label or "", "\n", "# shards\t", n, "\n",
          "shard\tid\tpath\tbytes\tsha256\n")
  for i, r in ipairs(rows) do
    for _, field in ipairs({ r.id, r.path }) do
      if tostring(field):find("[\t\n]") then
        f:close(); os.remove(tmp)
        fail(("document id or path %q holds a tab or newline, which a manifest cannot hold"):format(field))
      end
    end
    f:write(assignment[i], "\t", r.id, "\t", r.path, "\t", r.bytes, "\t", r.sha256, "\n")
  end
  assert(f:close())
  assert(os.rename(tmp, out_path))
  return #rows
end

-- Parses a manifest; errors name the file and line.  With only (a shard
-- number), keeps the records of that shard alone and the set of every id
-- (m.ids), not a record per document of the corpus: a shard's memory then
-- follows its share.
function shards.read_manifest(path, only)
  local f, err = io.open(path, "rb")
  if not f then fail("cannot read the manifest: " .. err) end
  local m = { path = path, docs = {}, by_shard = {}, shards = nil }
  local line_no = 0
  for line in f:lines() do
    line_no = line_no + 1
    local function bad(why) f:close(); fail(("%s:%d: %s"):format(path, line_no, why)) end
    if line_no == 1 then
      if line ~= MANIFEST_MAGIC then bad("not a corpusrun manifest") end
    elseif line:sub(1, 1) == "#" then
      local key, value = line:match("^# (%w+)\t(.*)$")
      if key == "shards" then m.shards = tonumber(value) elseif key == "corpus" then m.corpus = value end
    elseif line ~= "shard\tid\tpath\tbytes\tsha256" then
      local k, id, p, bytes, sha = line:match("^(%d+)\t([^\t]*)\t([^\t]*)\t(%d+)\t(%x+)$")
      if not k then bad("malformed line") end
      k = tonumber(k)
      if not m.shards or k >= m.shards then bad("shard " .. k .. " out of range") end
      if only == nil or k == only then
        local d = { shard = k, id = id, path = p, bytes = tonumber(bytes), sha256 = sha }
        if only == nil then m.docs[#m.docs + 1] = d end
        local list = m.by_shard[k] or {}
        list[#list + 1] = d
        m.by_shard[k] = list
      end
      if only ~= nil then
        m.ids = m.ids or {}
        m.ids[id] = true
      end
    end
  end
  f:close()
  if not m.shards then fail(path .. ": no '# shards' line") end
  m.sha256 = assert(host.sha256_file(path))
  return m
end

-- The documents of shard k per the manifest, checked against it: a changed
-- document or one that went missing is an error, never a silent difference.
function shards.manifest_docs(next_doc, m, k, all_ids)
  local wanted, missing = {}, 0
  for _, d in ipairs(m.by_shard[k] or {}) do wanted[d.id] = d; missing = missing + 1 end
  local ignored = 0
  local function listed(id)
    if not m.ids then
      m.ids = {}
      for _, x in ipairs(m.docs) do m.ids[x.id] = true end
    end
    return m.ids[id]
  end
  -- next_doc holds only this shard's documents: the corpus's other ids
  -- (all_ids) say which documents the manifest does not list
  for _, id in ipairs(all_ids or {}) do if not listed(id) then ignored = ignored + 1 end end
  return function()
    while true do
      local doc = next_doc()
      if doc == nil then
        if missing > 0 then
          local ids = {}
          for id in pairs(wanted) do ids[#ids + 1] = id end
          table.sort(ids)
          fail(("%d document(s) of shard %d listed in %s are missing from the corpus: %s")
            :format(missing, k, m.path, table.concat(ids, ", ", 1, math.min(#ids, 5))))
        end
        if ignored > 0 then
          io.stderr:write(("corpusrun: shard %d: %d document(s) not in the manifest were ignored\n"):format(k, ignored))
        end
        return nil
      end
      local d = wanted[doc.id]
      if d then
        if host.sha256(doc.text) ~= d.sha256 then
          fail(("document %s changed since the manifest %s was planned"):format(doc.id, m.path))
        end
        wanted[doc.id] = nil
        missing = missing - 1
        return doc
      end
      if not all_ids and not listed(doc.id) then ignored = ignored + 1 end
    end
  end
end

-- ---- parts ------------------------------------------------------------------

-- The script's SHA-256, its arguments, and those of its arguments that may
-- change what it accumulates: when the script parsed arg with cli.parse,
-- all but those of options declared output = true (--out, --format, ...);
-- otherwise all of them.
local function script_identity()
  local script = arg and arg[0]
  local sha = script and host.sha256_file(script) or "none"
  local args = {}
  for i = 1, #(arg or {}) do args[i] = arg[i] end
  local fold_args = arg and cli.fold_arguments(arg) or args
  return sha, args, fold_args
end

local function encode_args(args)
  local parts = {}
  for i, a in ipairs(args) do parts[i] = ("%q"):format(a) end
  return table.concat(parts, " ")
end

-- The items of encode_args's result, each still quoted.
local function split_args(s)
  local items, i = {}, 1
  while i <= #s do
    if s:sub(i, i) == '"' then
      local j = i + 1
      while j <= #s and s:sub(j, j) ~= '"' do
        if s:sub(j, j) == "\\" then j = j + 1 end
        j = j + 1
      end
      items[#items + 1] = s:sub(i, j)
      i = j + 1
    else
      i = i + 1
    end
  end
  return items
end

-- The items of a not in b, as text ("none" when there are none).
local function only_in(a, b)
  local seen, out = {}, {}
  for _, x in ipairs(b) do seen[x] = (seen[x] or 0) + 1 end
  for _, x in ipairs(a) do
    if (seen[x] or 0) > 0 then seen[x] = seen[x] - 1 else out[#out + 1] = x end
  end
  return #out > 0 and table.concat(out, " ") or "none"
end

local function part_name(k, n, r, parts)
  if parts then return ("part-%d-of-%d.p-%d-of-%d"):format(k, n, r, parts) end
  return ("part-%d-of-%d"):format(k, n)
end
shards.part_name = part_name

local function merged_name(r, parts) return ("merged-%d-of-%d"):format(r, parts) end
shards.merged_name = merged_name

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Writes dir/name: the magic line, the header (key<TAB>value lines), a
-- blank line, the payload and a checksum line, through a temporary name so
-- that a killed task leaves no half file; the header also goes to a
-- sidecar dir/name.info.
local function write_file(dir, name, header, payload)
  os.execute("mkdir -p " .. shell_quote(dir))
  local lines = {}
  for _, kv in ipairs(header) do lines[#lines + 1] = kv[1] .. "\t" .. tostring(kv[2]) end
  local head = table.concat(lines, "\n") .. "\n\n"
  local body = PART_MAGIC .. head .. payload
  local final = dir .. "/" .. name
  local tmp = dir .. "/." .. name .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then fail("cannot write the part: " .. err) end
  local okw, werr = f:write(body, "\nend\t", host.sha256(body), "\n")
  local okc, cerr = f:close()
  if not okw or not okc then os.remove(tmp); fail("cannot write " .. tmp .. ": " .. tostring(werr or cerr)) end
  local sidecar = io.open(final .. ".info.tmp", "wb")
  if sidecar then sidecar:write(head); sidecar:close(); os.rename(final .. ".info.tmp", final .. ".info") end
  assert(os.rename(tmp, final))
  return final
end

local function identity_header(info)
  local sha, args, fold_args = script_identity()
  return { "script", arg and arg[0] or "" }, { "script_sha256", sha }, { "arguments", encode_args(args) },
         { "fold_arguments", encode_args(fold_args) }, { "manifest_sha256", info.manifest_sha256 or "none" }
end

-- Writes shard k's serialised accumulator to dir/part-k-of-n, or with
-- info.partitions = R its partition info.partition to
-- dir/part-k-of-n.p-r-of-R, and the sidecar.
function shards.write_part(dir, k, n, payload, info)
  local s1, s2, s3, s4, s5 = identity_header(info)
  local header = { { "shard", k }, { "shards", n } }
  if info.partitions then
    header[#header + 1] = { "partition", info.partition }
    header[#header + 1] = { "partitions", info.partitions }
  end
  for _, kv in ipairs({ s1, s2, s3, s4, s5, { "documents", info.documents }, { "bytes", info.bytes },
                        { "corpusrun", host.version } }) do
    header[#header + 1] = kv
  end
  return write_file(dir, part_name(k, n, info.partition, info.partitions), header, payload)
end

-- Writes partition r (of parts) merged over n shards to dir/merged-r-of-R.
-- info.manifest_sha256 is the parts' own.
function shards.write_merged(dir, r, parts, n, payload, info)
  local s1, s2, s3, s4, s5 = identity_header(info)
  return write_file(dir, merged_name(r, parts), {
    { "partition", r }, { "partitions", parts }, { "shards", n }, s1, s2, s3, s4, s5,
    { "documents", info.documents }, { "bytes", info.bytes }, { "corpusrun", host.version },
  }, payload)
end

-- Reads and checks one part file; returns its header table and payload.
local function read_part(path)
  local f, err = io.open(path, "rb")
  if not f then fail("cannot read part: " .. err) end
  local data = f:read("a")
  f:close()
  local body, sha = data:match("^(.*)\nend\t(%x+)\n$")
  if not body or body:sub(1, #PART_MAGIC) ~= PART_MAGIC or host.sha256(body) ~= sha then
    fail(path .. " is truncated or corrupt")
  end
  local head_end = body:find("\n\n", #PART_MAGIC, true)
  if not head_end then fail(path .. " is truncated or corrupt") end
  local header = {}
  for line in body:sub(#PART_MAGIC + 1, head_end):gmatch("([^\n]+)") do
    local key, value = line:match("^([%w_]+)\t(.*)$")
    if key then header[key] = value end
  end
  return header, body:sub(head_end + 2)
end

-- The files of dir, by kind: plain parts {k = path} of n shards,
-- partitioned parts and merged partitions; mixing runs is an error.
local function scan(dir)
  local p = io.popen("ls -1 " .. shell_quote(dir) .. " 2>/dev/null")
  local d = { dir = dir, parts = {}, pparts = {}, merged = {} }
  local function same(field, value, message)
    if d[field] and d[field] ~= value then fail(message:format(dir, d[field], value)) end
    d[field] = value
  end
  for name in p:lines() do
    local k, n, r, parts = name:match("^part%-(%d+)%-of%-(%d+)%.p%-(%d+)%-of%-(%d+)$")
    if k then
      k, n, r, parts = tonumber(k), tonumber(n), tonumber(r), tonumber(parts)
      same("pn", n, "%s holds partitioned parts of %d and of %d shards")
      same("pcount", parts, "%s holds parts split into %d and into %d partitions")
      d.pparts[r] = d.pparts[r] or {}
      d.pparts[r][k] = dir .. "/" .. name
    else
      k, n = name:match("^part%-(%d+)%-of%-(%d+)$")
      if k then
        same("n", tonumber(n), "%s holds parts of %d and of %d shards")
        d.parts[tonumber(k)] = dir .. "/" .. name
      else
        r, parts = name:match("^merged%-(%d+)%-of%-(%d+)$")
        if r then
          same("mparts", tonumber(parts), "%s holds merged partitions of two runs, with %d and with %d partitions")
          d.merged[tonumber(r)] = dir .. "/" .. name
        end
      end
    end
  end
  p:close()
  return d
end

-- Checks that a part or merged partition was made by this script with these
-- arguments from the same manifest as the others (run.manifest, set by the
-- first) and the one given (manifest_sha256, when given).  The arguments
-- compared are those that may change what is accumulated (script_identity):
-- output options such as --out may differ between the shards and the merge.
-- (A part without fold_arguments, from an older corpusrun, compares all.)
local function check_identity(path, header, run, manifest_sha256)
  local sha, args, fold_args = script_identity()
  if header.script_sha256 ~= sha then
    fail(("%s was made by a different script (%s, sha256 %s; this one is %s)")
      :format(path, header.script or "?", header.script_sha256 or "?", sha))
  end
  local recorded, want_args = header.fold_arguments, encode_args(fold_args)
  if recorded == nil then recorded, want_args = header.arguments, encode_args(args) end
  if recorded ~= want_args then
    local was, now = split_args(recorded), split_args(want_args)
    local a, b = only_in(was, now), only_in(now, was)
    if a == "none" and b == "none" then a, b = recorded, want_args end   -- only the order differs
    fail(("%s was made with other arguments (%s; now %s): give the merge the arguments the shards had "
      .. "(only output options, such as --out, may differ)"):format(path, a, b))
  end
  if run.manifest == nil then run.manifest, run.first = header.manifest_sha256, path end
  if header.manifest_sha256 ~= run.manifest then
    fail(("%s comes from another manifest than %s"):format(path, run.first))
  end
  if manifest_sha256 and header.manifest_sha256 ~= manifest_sha256 then
    fail(("%s was made from another manifest (sha256 %s)"):format(path, header.manifest_sha256))
  end
end

local function check_field(path, header, field, want)
  if tonumber(header[field]) ~= want then
    fail(("%s is not what its name says (%s %s, expected %d)"):format(path, field, tostring(header[field]), want))
  end
end

-- What dir holds for `--merge DIR`: "parts" (plain parts), "merged" (merged
-- partitions) or "partitioned" (partitioned parts, none merged yet).
function shards.merge_kind(dir)
  local d = scan(dir)
  local has_parts, has_merged, has_pparts = next(d.parts) ~= nil, next(d.merged) ~= nil, next(d.pparts) ~= nil
  if has_parts and (has_merged or has_pparts) then
    fail(("%s holds both parts (part-K-of-N) and partitioned parts or merged partitions: "
      .. "use one directory per run"):format(dir))
  end
  if has_parts then return "parts" end
  if has_merged then return "merged" end
  if has_pparts then return "partitioned", d.pcount end
  fail(dir .. ": no parts to merge (part-K-of-N, part-K-of-N.p-r-of-R or merged-r-of-R files)")
end

-- Checks that dir holds every part of one run of this script with these
-- arguments, then calls each(k, payload, header) for k = 0..n-1 in order.
function shards.each_part(dir, manifest_sha256, each)
  local d = scan(dir)
  local found, n = d.parts, d.n
  if not n then fail(dir .. ": no parts to merge (part-K-of-N files)") end
  local missing = {}
  for k = 0, n - 1 do if not found[k] then missing[#missing + 1] = part_name(k, n) end end
  if #missing > 0 then fail(("%s: missing %s"):format(dir, table.concat(missing, ", "))) end
  local run = {}
  for k = 0, n - 1 do
    local header, payload = read_part(found[k])
    check_identity(found[k], header, run, manifest_sha256)
    each(k, payload, header)
  end
  return n
end

-- Partition r of every shard: checks that dir holds all n parts of it, made
-- by one run of this script (same arguments, manifest and partition count),
-- then calls each(k, payload, header) for k = 0..n-1 in order.  Returns n,
-- the partition count and the parts' manifest hash ("none" without one).
function shards.each_partition_part(dir, r, manifest_sha256, each)
  local d = scan(dir)
  local parts, n = d.pcount, d.pn
  if not parts then
    fail(dir .. ": no partitioned parts to merge (part-K-of-N.p-r-of-R files, written by --shard K/N --partitions R)")
  end
  if r >= parts then
    fail(("%s: the parts are split into %d partitions (0..%d): there is no partition %d"):format(dir, parts, parts - 1, r))
  end
  local found = d.pparts[r] or {}
  local missing = {}
  for k = 0, n - 1 do if not found[k] then missing[#missing + 1] = part_name(k, n, r, parts) end end
  if #missing > 0 then fail(("%s: missing %s"):format(dir, table.concat(missing, ", "))) end
  local run = {}
  for k = 0, n - 1 do
    local header, payload = read_part(found[k])
    check_field(found[k], header, "shard", k)
    check_field(found[k], header, "shards", n)
    check_field(found[k], header, "partition", r)
    check_field(found[k], header, "partitions", parts)
    check_identity(found[k], header, run, manifest_sha256)
    each(k, payload, header)
  end
  return n, parts, run.manifest
end

-- The merged partitions in dir: checks that all R are there, made by one run
-- of this script, then calls each(r, payload, header) for r = 0..R-1 in order.
function shards.each_merged(dir, manifest_sha256, each)
  local d = scan(dir)
  local parts = d.mparts
  if not parts then fail(dir .. ": no merged partitions (merged-r-of-R files)") end
  local missing = {}
  for r = 0, parts - 1 do if not d.merged[r] then missing[#missing + 1] = merged_name(r, parts) end end
  if #missing > 0 then
    fail(("%s: missing %s (run --merge %s --partition r for each missing r)")
      :format(dir, table.concat(missing, ", "), dir))
  end
  local run, n = {}, nil
  for r = 0, parts - 1 do
    local path = d.merged[r]
    local header, payload = read_part(path)
    check_field(path, header, "partition", r)
    check_field(path, header, "partitions", parts)
    n = n or tonumber(header.shards)
    if tonumber(header.shards) ~= n then
      fail(("%s merges %s shards, %s merges %d"):format(path, tostring(header.shards), d.merged[0], n))
    end
    check_identity(path, header, run, manifest_sha256)
    each(r, payload, header)
  end
  return parts
end

return shards
