-- query.lua: CQP queries over a corpus (docs/api/query.md). The private core
-- query.core (host/lquery.c) parses and runs a query in C over the corpus seen
-- as token positions: an index's c:positions(), or the documents read into
-- memory once per corpus object; the result here composes what the core
-- gives (concordances, frequency breakdowns, collocates, dispersion,
-- samples, set operations) in Lua over C loops.
local core = require "query.core"
-- What a result's concordances, measures, pictures and saving use is
-- required on first use (lazy: opening a corpus and counting a query's
-- hits does not load them; about 3 ms of a whole process's start,
-- docs/performance.md "Whole processes")
local function chart() return require "chart" end   -- lazy: see above
local function db() return require "db" end         -- lazy: see above
local function kwic() return require "kwic" end     -- lazy: see above
local function stats() return require "stats" end   -- lazy: see above

local query = {}

local Result = {}
Result.__index = Result

-- documents read into memory, one view per corpus object (weak: the view
-- goes with the corpus)
local views = setmetatable({}, { __mode = "k" })

--- The attribute names of each corpus queried so far (a plain table, weak
--- keys: the REPL's completion reads it without calling anything).
query.attributes = setmetatable({}, { __mode = "k" })

local function remember(c, pos)
  if not query.attributes[c] then query.attributes[c] = core.info(pos).attrs end
  return pos
end

--- The corpus c as token positions: its index when it has one, else its
--- documents read into memory (once per corpus object).
function query.positions(c)
  if type(c) ~= "userdata" and type(c) ~= "table" then
    error("bad argument #1 to 'positions' (corpus expected, got " .. type(c) .. ")", 2)
  end
  local v = views[c]
  if v then return v end
  if type(c.positions) == "function" then
    local p = c:positions()
    if p then
      views[c] = p
      return remember(c, p)
    end
  end
  local b = core.builder()
  for doc in c:docs() do core.add(b, doc) end
  v = core.finish(b)
  views[c] = v
  return remember(c, v)
end

local function check_opts(opts, allowed, fname)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(string.format("bad argument to '%s' (table of options expected, got %s)", fname, type(opts)), 3)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for n in pairs(allowed) do names[#names + 1] = n end
      table.sort(names)
      error(string.format("bad argument to '%s' (unknown option '%s'; options are %s)", fname, tostring(k),
        table.concat(names, ", ")), 3)
    end
  end
  return opts
end

local function new_result(pos, hits, q, strategy)
  local info = core.info(pos)
  local attrs = {}
  for _, a in ipairs(info.attrs) do attrs[a] = true end
  return setmetatable({ _pos = pos, _hits = hits, _info = info, _attrs = attrs, _docs = {},
    query = q, strategy = strategy or "standard" }, Result)
end

local RUN_OPTS = { strategy = true }

--- Runs a CQP query over a corpus or over token positions.
--- Returns a result, or nil and a message saying where the query is wrong.
--- within (for a sub-corpus of an index): the set of its documents' text
--- regions, 1-based; hits in other documents are left out.
function query.run(c, q, opts, within)
  if type(q) ~= "string" then
    error("bad argument #2 to 'query' (string expected, got " .. type(q) .. ")", 2)
  end
  opts = check_opts(opts, RUN_OPTS, "query")
  local st = opts.strategy or "default"
  if st ~= "default" and st ~= "standard" and st ~= "shortest" and st ~= "longest" then
    error("bad argument to 'query' (strategy: standard, shortest or longest expected, got " .. tostring(st) .. ")", 2)
  end
  local pos = (type(c) == "userdata" and getmetatable(c) and getmetatable(c).__name == "corpusrun.Positions")
    and c or query.positions(c)
  local hits, err, byte = core.run(pos, q, st)
  if not hits then return nil, err, byte end
  if within then hits = core.within(hits, "text", within) end
  local strategy = st
  if st == "default" then
    strategy = (core.parse(q):match("^%(%?(%a+)%)")) or "standard"
  end
  return new_result(pos, hits, q, strategy)
end

--- The canonical form of a query (as the parser reads it), or nil and a message.
function query.parse(q)
  if type(q) ~= "string" then
    error("bad argument #1 to 'parse' (string expected, got " .. type(q) .. ")", 2)
  end
  return core.parse(q)
end

-- Installs c:query on the corpus methods (corpus.lua's hook, not API).
function query._install(methods)
  methods.query = function(c, q, opts) return query.run(c, q, opts) end
end

-- ---- results ---------------------------------------------------------------

function Result.__len(r) return #r._hits end

-- the REPL's view (pretty.lua): the count and the first concordance lines
function Result.__pretty(r, opts)
  local lines = r:kwic{ context = 5, limit = 10 }
  local w = math.max(20, ((opts and opts.width or 100) - 30) // 2)
  local text = tostring(r)
  if #lines > 0 then text = text .. "\n" .. kwic().format(lines, { width = w }):gsub("\n$", "") end
  if #r > #lines then text = text .. string.format("\n... %d more (q:kwic{limit = N}, q:format())", #r - #lines) end
  return text
end

function Result.__tostring(r)
  return string.format("Query result: %d hit%s of %s (%s)", #r._hits, #r._hits == 1 and "" or "s", r.query,
    r.strategy)
end

-- the document (region of "text") holding position p: its number, start, id
function Result:_doc(p)
  local k = core.region_of(self._pos, "text", p)
  local d = self._docs[k]
  if not d then
    local s, e = core.region(self._pos, "text", k)
    d = { k = k, start = s, stop = e, id = core.value(self._pos, "text", k, "id") }
    self._docs[k] = d
  end
  return d
end

--- Hit i as a table: doc (its id), start and stop (token numbers in the
--- document, 1-based, inclusive), target (or nil), cpos and cend (corpus
--- positions, 0-based).
function Result:hit(i)
  if math.type(i) ~= "integer" or i < 1 or i > #self._hits then return nil end
  local s, e, t = core.get(self._hits, i)
  local d = self:_doc(s)
  return { n = i, doc = d.id, start = s - d.start + 1, stop = e - d.start + 1,
    target = t and (t - d.start + 1) or nil, cpos = s, cend = e }
end

--- Iterator over the hits, in corpus order: for i, hit in q:hits() do ... end
function Result:hits()
  local i, n = 0, #self._hits
  return function()
    i = i + 1
    if i <= n then return i, self:hit(i) end
  end
end

local function attr_or(self, a, fallback)
  if a == nil then return self._attrs[fallback] and fallback or "word" end
  if type(a) ~= "string" or not self._attrs[a] then
    error(string.format("bad argument (no attribute '%s'; the corpus has %s)", tostring(a),
      table.concat(self._info.attrs, ", ")), 3)
  end
  return a
end

local KWIC_OPTS = { context = true, sort = true, limit = true, attr = true, sort_attr = true }

--- Concordance lines: {doc, start, stop, left, match, right, target}, in
--- corpus order or sorted by levels ("L1", "R2", "C" or "match", "target").
function Result:kwic(opts)
  opts = check_opts(opts, KWIC_OPTS, "kwic")
  local ctx = opts.context or 5
  if math.type(ctx) ~= "integer" or ctx < 0 or ctx > 1000 then
    error("bad argument to 'kwic' (context: an integer from 0 to 1000 expected)", 2)
  end
  local attr = attr_or(self, opts.attr, "word")
  local sattr = attr_or(self, opts.sort_attr, "lower")
  local levels = {}
  local sort = opts.sort
  if type(sort) == "string" then sort = { sort } end
  for _, l in ipairs(sort or {}) do levels[#levels + 1] = { sattr, l } end
  local limit = opts.limit
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 0) then
    error("bad argument to 'kwic' (limit: a non-negative integer expected)", 2)
  end
  local order = core.order(self._hits, levels, limit)
  local rows = {}
  for j, i in ipairs(order) do
    local h = self:hit(i)
    local d = self:_doc(h.cpos)
    local ls = math.max(d.start, h.cpos - ctx)
    local re = math.min(d.stop, h.cend + 1 + ctx)
    rows[j] = { n = i, doc = h.doc, start = h.start, stop = h.stop, target = h.target,
      left = core.join(self._pos, attr, ls, h.cpos), match = core.join(self._pos, attr, h.cpos, h.cend + 1),
      right = core.join(self._pos, attr, h.cend + 1, re) }
  end
  return rows
end

--- The lines of q:kwic(opts) as text, as kwic.format writes them.
function Result:format(opts)
  return kwic().format(self:kwic(opts))
end

--- Frequency breakdown: {key, count} of attribute attr over the match (on
--- "match", the default) or one position ("target", "start", "end", "L1",
--- "R2"...), by count descending then key.
function Result:count(attr, on)
  attr = attr_or(self, attr, "word")
  on = on or "match"
  local rows = {}
  for i, g in ipairs(core.count(self._hits, attr, on)) do rows[i] = { key = g[1], count = g[2] } end
  return rows
end

local COLL_OPTS = { window = true, left = true, right = true, attr = true, min = true, sort = true }

--- Collocates of the hits: the words around them with every measure of
--- stats.association, sorted by opts.sort (default "ll").
function Result:collocates(opts)
  opts = check_opts(opts, COLL_OPTS, "collocates")
  local w = opts.window or 5
  local l, r = opts.left or w, opts.right or w
  for _, v in ipairs({ l, r }) do
    if math.type(v) ~= "integer" or v < 0 or v > 1000 then
      error("bad argument to 'collocates' (window: an integer from 0 to 1000 expected)", 2)
    end
  end
  local attr = attr_or(self, opts.attr, "lower")
  local counts, positions = core.colloc(self._hits, attr, l, r)
  local n = self._info.size
  local r1 = math.min(positions, n)
  local rows = {}
  for _, c in ipairs(counts) do
    rows[#rows + 1] = { key = c[1], o11 = c[2], r1 = r1, c1 = c[3], n = n, f1 = #self._hits, f2 = c[3] }
  end
  local kept = stats().collocations(rows, { sort = opts.sort or "ll", min = opts.min or 0, on_invalid = "skip" })
  return kept
end

--- Dispersion of the hits over the texts, or over the values of a
--- metadata field: the parts ({key, hits, tokens, per_million}) and
--- stats.dispersion's measures.
function Result:dispersion(by)
  if by ~= nil and type(by) ~= "string" then
    error("bad argument #1 to 'dispersion' (field name expected, got " .. type(by) .. ")", 2)
  end
  local ntext = self._info.structs.text.n
  local per = core.regions(self._hits, "text")
  local parts, index = {}, {}
  for k = 0, ntext - 1 do
    local s, e = core.region(self._pos, "text", k)
    local key
    if by == nil or by == "id" or by == "text" then
      key = core.value(self._pos, "text", k, "id") or ""
    else
      key = core.value(self._pos, "text", k, by) or ""
    end
    local p = index[key]
    if not p then
      p = { key = key, hits = 0, tokens = 0 }
      parts[#parts + 1] = p
      index[key] = p
    end
    p.hits = p.hits + (per[k + 1] or 0)
    p.tokens = p.tokens + (e - s)
  end
  local v, sizes = {}, {}
  for i, p in ipairs(parts) do
    p.per_million = p.tokens > 0 and p.hits * 1e6 / p.tokens or 0
    v[i], sizes[i] = p.hits, p.tokens
  end
  local d = #parts > 0 and stats().dispersion(v, sizes) or { f = 0, parts = 0, range = 0 }
  d.by = by or "text"
  d.rows = parts
  return d
end

--- q:plot([opts]) -> a dispersion plot (chart.dispersion, an SVG picture):
--- a strip per document, a mark at each hit's first token, positions in
--- tokens.  opts.title (default "Dispersion of QUERY"), opts.every_doc
--- (default true: documents without a hit too).
function Result:plot(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #1 to 'plot' (table of options expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  local ntext = self._info.structs.text.n
  local strips, at = {}, {}
  for k = 0, ntext - 1 do
    local s, e = core.region(self._pos, "text", k)
    strips[k + 1] = { name = core.value(self._pos, "text", k, "id") or "", size = e - s, hits = {} }
    at[k + 1] = s
  end
  local regions = core.hit_regions(self._hits, "text")
  for i = 1, #self._hits do
    local k = regions[i]
    if k then
      local st = core.get(self._hits, i)
      local h = strips[k + 1].hits
      h[#h + 1] = st - at[k + 1]
    end
  end
  if opts.every_doc == false then
    local kept = {}
    for _, sp in ipairs(strips) do if #sp.hits > 0 then kept[#kept + 1] = sp end end
    strips = kept
  end
  return chart().dispersion(strips, { title = opts.title or ("Dispersion of " .. self.query),
    unit = "token position in the document" })
end

-- a small deterministic generator (splitmix64) for q:sample
local function splitmix(seed)
  local x = seed
  return function(n)
    x = x + 0x9E3779B97F4A7C15
    local z = x
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = z ~ (z >> 31)
    return (z >> 1) % n + 1
  end
end

--- A random sample of n hits (all when there are fewer), the same for the
--- same seed, in corpus order.
function Result:sample(n, seed)
  if math.type(n) ~= "integer" or n < 0 then
    error("bad argument #1 to 'sample' (non-negative integer expected)", 2)
  end
  seed = seed or 1
  if math.type(seed) ~= "integer" then error("bad argument #2 to 'sample' (integer seed expected)", 2) end
  local total = #self._hits
  local pick = {}
  if n >= total then
    for i = 1, total do pick[i] = i end
  else
    local rnd, swap = splitmix(seed), {}
    for i = 1, n do
      local j = i - 1 + rnd(total - i + 1)
      local vi, vj = swap[i] or i, swap[j] or j
      swap[i], swap[j] = vj, vi
      pick[i] = vj
    end
  end
  local out = new_result(self._pos, core.pick(self._hits, pick), self.query, self.strategy)
  out.query = string.format("sample(%d, %d) of %s", n, seed, self.query)
  return out
end

local function setop(a, b, op, name)
  if getmetatable(b) ~= Result then
    error("bad argument #1 to '" .. name .. "' (query result expected, got " .. type(b) .. ")", 3)
  end
  if a._pos ~= b._pos then
    error("bad argument #1 to '" .. name .. "' (a result of another corpus)", 3)
  end
  local r = new_result(a._pos, core.setop(a._hits, b._hits, op), nil, a.strategy)
  r.query = string.format("(%s) %s (%s)", a.query, name, b.query)
  return r
end

--- The hits of q that are also in other (same start and end).
function Result:intersect(other) return setop(self, other, "and", "intersect") end

--- The hits of q that are not in other.
function Result:difference(other) return setop(self, other, "minus", "difference") end

--- The hits of either.
function Result:union(other) return setop(self, other, "or", "union") end

local SAVE_SCHEMA = { { "n", "INTEGER" }, { "doc", "TEXT" }, { "start", "INTEGER" }, { "stop", "INTEGER" },
  { "target", "INTEGER" }, { "match", "TEXT" }, { "cpos", "INTEGER" }, { "query", "TEXT" } }

--- Writes the hits to table `name` (default "query") of an SQLite database
--- (a path or a db handle): n, doc, start, stop, target, match, cpos, query;
--- returns the number of rows (db's write_table: the table is replaced, and
--- tied to the run's receipt in a script).
function Result:save(target, name, opts)
  if type(target) ~= "string" and type(target) ~= "table" then
    error("bad argument #1 to 'save' (database path or db handle expected, got " .. type(target) .. ")", 2)
  end
  name = name or "query"
  if type(name) ~= "string" then error("bad argument #2 to 'save' (table name expected)", 2) end
  local rows = {}
  for i, h in self:hits() do
    rows[i] = { i, h.doc, h.start, h.stop, h.target, core.join(self._pos, "word", h.cpos, h.cend + 1), h.cpos,
      self.query }
  end
  local h = type(target) == "string" and db().open(target) or target
  local ok, n = pcall(h.write_table, h, name, rows, SAVE_SCHEMA, opts)
  if type(target) == "string" then h:close() end
  if not ok then error(n, 2) end
  return n
end

--- The attribute names of the corpus the result is of.
function Result:attributes()
  local out = {}
  for i, a in ipairs(self._info.attrs) do out[i] = a end
  return out
end

query.Result = Result

return query
