-- cwb_compare.lua: hit counts and times of corpusrun's c:query against CWB's
-- cqp on the same tagged Brown corpus (`make bench-cwb`; docs/performance.md).
--
--   corpusrun tools/cwb_compare.lua CWB_BIN BROWN_TAGGED_DIR [COPIES [WORKDIR [RUNS]]]
--
-- CWB_BIN holds cwb-encode, cwb-makeall and cqp (a CWB built from source:
-- docs/performance.md says how).  The word/TAG files become one VRT file
-- (a <text id> per file, an <s> per non-blank line, attributes word, pos and
-- lower), encoded with cwb-encode and cwb-makeall; each query then runs as
-- one cqp process (its startup included) and once in corpusrun over the same
-- files read as annotated input (the documents in memory, or the index when
-- the corpus has one).  The same VRT file is then indexed (corpus.index: the
-- same tokens and attributes), and each query runs RUNS times (default 5)
-- as one whole corpusrun process over the index file (startup, opening and
-- the count printed) beside one cqp process, the two interleaved; the
-- medians are printed with the build times and sizes of both.  Prints
-- Markdown tables; exits 1 when a count differs.
local corpus = require "corpus"
local query = require "query"

local bin, dir, copies, work = arg[1], arg[2], tonumber(arg[3] or "1"), arg[4] or os.tmpname() .. ".cwb"
local runs = tonumber(arg[5] or "5")
if not bin or not dir then
  io.stderr:write("usage: corpusrun tools/cwb_compare.lua CWB_BIN BROWN_TAGGED_DIR [COPIES [WORKDIR]]\n")
  os.exit(2)
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local function now()
  local f = io.popen("date +%s.%N")
  local s = f:read("l")
  f:close()
  return tonumber(s)
end
local function sh(cmd)
  local ok = os.execute(cmd)
  if not ok then error("failed: " .. cmd) end
end

local QUERIES = {
  '"the"%c',
  '"tornado"',
  '"hous.*"',
  '"in" "the"',
  '[pos="jj.*"] "house"%c',
  '"the"%c [pos="jj.*"]{1,3} [pos="nn.*"]',
  '[pos="np.*"]+ within s',
  '[pos="np.*"]+ within s',
  '<s> [pos="at"] []',
  '[lower="a|an|the"] [pos="jj.*"]* [pos="nn"] within s',
}
local STRATEGIES = { nil, nil, nil, nil, nil, nil, nil, "longest", nil, "shortest" }

-- the VRT file
sh("mkdir -p " .. q(work .. "/data") .. " " .. q(work .. "/registry"))
local vrt = work .. "/brown.vrt"
local files = {}
local p = io.popen("ls " .. q(dir))
for f in p:lines() do if f:match("^c%a%d%d$") then files[#files + 1] = f end end
p:close()
local out = assert(io.open(vrt, "wb"))
for copy = 1, copies do
  for _, name in ipairs(files) do
    out:write('<text id="', copies > 1 and (copy .. "/") or "", name, '">\n')
    for line in io.lines(dir .. "/" .. name) do
      if line:find("%S") then
        out:write("<s>\n")
        for tok in line:gmatch("%S+") do
          local w, tag = tok:match("^(.*)/([^/]*)$")
          if not w then w, tag = tok, "" end
          out:write(w, "\t", tag, "\t", w:lower(), "\n")
        end
        out:write("</s>\n")
      end
    end
    out:write("</text>\n")
  end
end
out:close()

local t0 = now()
sh(q(bin .. "/cwb-encode") .. " -c utf8 -d " .. q(work .. "/data") .. " -f " .. q(vrt) .. " -R "
  .. q(work .. "/registry/brown") .. " -P pos -P lower -S s -S text:0+id > /dev/null")
sh(q(bin .. "/cwb-makeall") .. " -r " .. q(work .. "/registry") .. " BROWN > /dev/null")
local encode_s = now() - t0

local function cqp_count(query, strategy)
  local script = work .. "/query.cqp"
  local f = assert(io.open(script, "wb"))
  f:write("BROWN;\n")
  if strategy then f:write("set MatchingStrategy ", strategy, ";\n") end
  f:write("A = ", query, ";\nsize A;\n")
  f:close()
  local t = now()
  local pipe = io.popen(q(bin .. "/cqp") .. " -r " .. q(work .. "/registry") .. " -c -f " .. q(script) .. " 2>&1")
  local text = pipe:read("a")
  pipe:close()
  local secs = now() - t
  local n = text:match("(%d+)%s*$")
  return tonumber(n), secs, text
end

t0 = now()
local c = assert(corpus.open(copies > 1 and vrt or dir,
  copies > 1 and { format = "vrt", attributes = { "word", "pos", "lower" } } or { format = "tagged" }))
query.positions(c)
local view_s = now() - t0

print(string.format("%d files x %d, CWB encode + makeall %.2f s, corpusrun view %.2f s\n", #files, copies, encode_s,
  view_s))
print("| query | strategy | cqp hits | corpusrun hits | cqp s (process) | corpusrun s |")
print("|---|---|---:|---:|---:|---:|")
local differ = 0
for i, qs in ipairs(QUERIES) do
  local st = STRATEGIES[i]
  local n1, s1, text = cqp_count(qs, st)
  local t = now()
  local r = assert(c:query(qs, st and { strategy = st } or nil))
  local s2 = now() - t
  if n1 ~= #r then
    differ = differ + 1
    if not n1 then io.stderr:write("cqp: ", text, "\n") end
  end
  print(string.format("| `%s` | %s | %s | %d | %.3f | %.3f |", qs:gsub("|", "\\|"), st or "standard",
    tostring(n1), #r, s1, s2))
end

-- whole processes: corpusrun over the index file beside cqp, interleaved
local index = work .. "/brown.cri"
os.remove(index)
t0 = now()
local built = corpus.index(vrt, index, { format = "vrt", attributes = { "word", "pos", "lower" }, quiet = true })
local index_s = now() - t0
-- on every core given (-j N): the same bytes, built by N workers
local host = require "corpusrun"
local jobs_s
if host.jobs > 1 then
  local again = work .. "/brown-j.cri"
  os.remove(again)
  t0 = now()
  corpus.index(vrt, again, { format = "vrt", attributes = { "word", "pos", "lower" }, quiet = true, jobs = host.jobs })
  jobs_s = now() - t0
  os.remove(again)
end
local function du(path)
  local f = io.popen("du -sb " .. q(path))
  local n = tonumber((f:read("l") or ""):match("^(%d+)"))
  f:close()
  return n or 0
end
local cwb_bytes = du(work .. "/data")
local tokens = built.tokens
print(string.format("\n%d tokens; build: CWB (cwb-encode + cwb-makeall) %.2f s, corpusrun index %.2f s (%.2f x)%s; "
  .. "size: CWB %.1f MB (%.2f bytes/token), index %.1f MB (%.2f bytes/token)\n", tokens, encode_s, index_s,
  index_s / encode_s, jobs_s and string.format(", with -j %d %.2f s (%.2f x)", host.jobs, jobs_s, jobs_s / encode_s) or "",
  cwb_bytes / 1e6, cwb_bytes / tokens, built.bytes / 1e6, built.bytes / tokens))
-- the running binary: arg's lowest index (its options come after it)
local lowest = 0
while arg[lowest - 1] do lowest = lowest - 1 end
local self = lowest < 0 and arg[lowest] or "corpusrun"
local function cr_count(query, strategy)
  local code = ("local c = assert(require('corpus').open(%q)); print(#assert(c:query(%q%s)))"):format(index, query,
    strategy and (", { strategy = %q }"):format(strategy) or "")
  local t = now()
  local pipe = io.popen(q(self) .. " -e " .. q(code) .. " 2>&1")
  local text = pipe:read("a")
  pipe:close()
  return tonumber(text:match("(%d+)%s*$")), now() - t, text
end
local function median(v)
  table.sort(v)
  local n = #v
  return n % 2 == 1 and v[(n + 1) // 2] or (v[n // 2] + v[n // 2 + 1]) / 2
end
print(string.format("| query | strategy | hits | cqp s | corpusrun s | ratio |"))
print("|---|---|---:|---:|---:|---:|")
local ratios = {}
for i, qs in ipairs(QUERIES) do
  local st = STRATEGIES[i]
  local a, b, n1, n2 = {}, {}, nil, nil
  for r = 1, runs do
    local text
    if r % 2 == 1 then
      n1, a[r] = cqp_count(qs, st)
      n2, b[r], text = cr_count(qs, st)
    else
      n2, b[r], text = cr_count(qs, st)
      n1, a[r] = cqp_count(qs, st)
    end
    if not n2 then io.stderr:write("corpusrun: ", text, "\n") end
  end
  if n1 ~= n2 then differ = differ + 1 end
  local ma, mb = median(a), median(b)
  ratios[#ratios + 1] = mb / ma
  print(string.format("| `%s` | %s | %s | %.3f | %.3f | %.2f |", qs:gsub("|", "\\|"), st or "standard",
    n1 == n2 and tostring(n1) or (tostring(n1) .. " / " .. tostring(n2)), ma, mb, mb / ma))
end
print(string.format("\nmedian ratio corpusrun / cqp over the queries: %.2f (medians of %d interleaved runs each)",
  median(ratios), runs))
os.exit(differ == 0 and 0 or 1)
