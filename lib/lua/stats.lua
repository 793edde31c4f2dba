-- stats.lua: association, keyness and dispersion measures for corpus work.
--
-- Every formula, its source and its edge cases are written down in
-- docs/statistics.md; the functions here follow that text.  No state: each
-- function computes from the numbers it is given.  Loops over arrays as long
-- as a corpus has documents run in C (stats.core: dispersion).
local core = require "stats.core"

local stats = {}

local log, exp, sqrt, abs, huge = math.log, math.exp, math.sqrt, math.abs, math.huge
local NaN = 0 / 0
local LN2 = log(2)

local function log2(x) return log(x) / LN2 end

-- log(1 + x), accurate for small x (Goldberg's trick).
local function log1p(x)
  local u = 1 + x
  if u == 1 then return x end
  if u == huge then return huge end
  return log(u) * x / (u - 1)
end

-- exp(x) - 1, accurate for small x (Kahan's trick).
local function expm1(x)
  local u = exp(x)
  if u == 1 then return x end
  local um1 = u - 1
  if um1 == -1 then return -1 end
  if u == huge then return huge end
  return um1 * x / log(u)
end

stats.log1p, stats.expm1, stats.log2 = log1p, expm1, log2

-- ---------------------------------------------------------------------------
-- Distributions: chi-squared and normal upper tails.

-- log Γ(x) for x > 0: Lanczos approximation (g = 7, n = 9), relative
-- error below 1e-14 over the range used here.
local LANCZOS = {
  0.99999999999980993, 676.5203681218851, -1259.1392167224028,
  771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
}
local function lgamma(x)
  if x < 0.5 then
    -- reflection: Γ(x)Γ(1-x) = π / sin(πx)
    return log(math.pi / abs(math.sin(math.pi * x))) - lgamma(1 - x)
  end
  x = x - 1
  local a = LANCZOS[1]
  local t = x + 7.5
  for i = 2, 9 do a = a + LANCZOS[i] / (x + i - 1) end
  return 0.5 * log(2 * math.pi) + (x + 0.5) * log(t) - t + log(a)
end
stats.lgamma = lgamma

-- Regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x):
-- a power series for x < a + 1 and Lentz's continued fraction otherwise,
-- each to full double precision.
local function gamma_series(a, x)
  local sum, term, ap = 1 / a, 1 / a, a
  for _ = 1, 10000 do
    ap = ap + 1
    term = term * x / ap
    sum = sum + term
    if abs(term) < abs(sum) * 1e-17 then break end
  end
  return sum * exp(-x + a * log(x) - lgamma(a))
end

local function gamma_cfrac(a, x)
  local tiny = 1e-300
  local b = x + 1 - a
  local c = 1 / tiny
  local d = 1 / b
  local h = d
  for i = 1, 10000 do
    local an = -i * (i - a)
    b = b + 2
    d = an * d + b
    if abs(d) < tiny then d = tiny end
    c = b + an / c
    if abs(c) < tiny then c = tiny end
    d = 1 / d
    local del = d * c
    h = h * del
    if abs(del - 1) < 1e-16 then break end
  end
  return exp(-x + a * log(x) - lgamma(a)) * h
end

local function gamma_q(a, x)
  if x ~= x or a ~= a then return NaN end
  if x <= 0 then return 1 end
  if x == huge then return 0 end
  if x < a + 1 then return 1 - gamma_series(a, x) end
  return gamma_cfrac(a, x)
end

--- Upper tail of the chi-squared distribution: P(X >= x) with df degrees
--- of freedom (default 1).
function stats.chi2_sf(x, df)
  df = df or 1
  if type(x) ~= "number" then error("stats.chi2_sf: x must be a number", 2) end
  if type(df) ~= "number" or df <= 0 then error("stats.chi2_sf: df must be a positive number", 2) end
  return gamma_q(df / 2, x / 2)
end

--- Upper tail of the standard normal distribution: P(Z >= z).
function stats.norm_sf(z)
  if type(z) ~= "number" then error("stats.norm_sf: z must be a number", 2) end
  if z ~= z then return NaN end
  -- erfc(t) = Q(1/2, t^2) for t >= 0
  local t = z / sqrt(2)
  if t >= 0 then return 0.5 * gamma_q(0.5, t * t) end
  return 1 - 0.5 * gamma_q(0.5, t * t)
end

-- ---------------------------------------------------------------------------
-- Multiple comparisons.

--- Adjusts a p-value for m tests: "bonferroni" (min(1, p*m)) or "sidak"
--- (1 - (1 - p)^m).  method nil or "none" returns p unchanged.
function stats.adjust(p, m, method)
  if type(p) ~= "number" then error("stats.adjust: p must be a number", 2) end
  if type(m) ~= "number" or m < 1 then error("stats.adjust: m must be a number >= 1", 2) end
  if method == nil or method == "none" then return p end
  if p ~= p then return p end
  if method == "bonferroni" then
    local q = p * m
    return q < 1 and q or 1.0
  elseif method == "sidak" then
    if p >= 1 then return 1.0 end
    -- 1 - (1 - p)^m, computed without cancellation for small p
    local q = -expm1(m * log1p(-p))
    return q < 1 and q or 1.0
  end
  error("stats.adjust: unknown correction '" .. tostring(method) .. "' (bonferroni, sidak or none)", 2)
end

-- ---------------------------------------------------------------------------
-- Association measures from one 2x2 contingency table.

local function check_count(v, name, fname)
  if type(v) ~= "number" or v ~= v or v < 0 or v == huge then
    error(string.format("stats.%s: %s must be a non-negative number, got %s", fname, name, tostring(v)), 3)
  end
end

-- o * ln(o / e) with 0 ln 0 = 0; d = o - e (given exactly) keeps precision
-- when o and e are close.
local function xlogx_ratio(o, e, d)
  if o == 0 then return 0 end
  return o * log1p(d / e)
end

-- The measures stats.association computes, each with what it needs.
local MEASURES = { mi = 1, mi3 = 1, t = 1, z = 1, ll = 1, chi2 = 1, dice = 1, logdice = 1,
                   deltap_c_given_n = 1, deltap_n_given_c = 1, log_ratio = 1, odds_ratio = 1 }
-- A list of measure names as a set, checked once per list.
local measure_sets = setmetatable({}, { __mode = "k" })
local function measure_set(list)
  local set = measure_sets[list]
  if set then return set end
  if type(list) ~= "table" then
    error("stats.association: measures must be a list of measure names, got " .. type(list), 3)
  end
  set = {}
  for _, m in ipairs(list) do
    if not MEASURES[m] then error("stats.association: unknown measure '" .. tostring(m) .. "'", 3) end
    set[m] = true
  end
  measure_sets[list] = set
  return set
end

--- The association of a node and a collocate from their contingency table:
---   o11 joint frequency, r1 node frequency (row total), c1 collocate
---   frequency (column total), n sample size.
--- Returns a table with o11..o22, r1, r2, c1, c2, n, e11 and every measure,
--- or only the measures of the list `measures` when it is given.
function stats.association(o11, r1, c1, n, measures)
  local want = measures ~= nil and measure_set(measures) or MEASURES
  check_count(o11, "o11", "association")
  check_count(r1, "r1", "association")
  check_count(c1, "c1", "association")
  check_count(n, "n", "association")
  if o11 > r1 or o11 > c1 then
    error(string.format("stats.association: o11 (%s) exceeds a marginal (r1 %s, c1 %s)",
      tostring(o11), tostring(r1), tostring(c1)), 2)
  end
  if r1 + c1 - o11 > n then
    error(string.format("stats.association: r1 + c1 - o11 (%s) exceeds n (%s)",
      tostring(r1 + c1 - o11), tostring(n)), 2)
  end
  if r1 == 0 or c1 == 0 then
    error("stats.association: r1 and c1 must be positive (a word that never occurs has no association)", 2)
  end
  local o12, o21 = r1 - o11, c1 - o11
  local o22 = n - r1 - c1 + o11
  local r2, c2 = n - r1, n - c1
  -- floats from here on: products of counts overflow integers
  local fo11, fr1, fc1, fn = o11 + 0.0, r1 + 0.0, c1 + 0.0, n + 0.0
  local fr2, fc2 = r2 + 0.0, c2 + 0.0
  local e11 = fr1 * fc1 / fn
  local e12, e21, e22 = fr1 * fc2 / fn, fr2 * fc1 / fn, fr2 * fc2 / fn
  local d = fo11 - e11                     -- o11 - e11 = -(o12 - e12) = ...

  local a = { o11 = o11, o12 = o12, o21 = o21, o22 = o22,
              r1 = r1, r2 = r2, c1 = c1, c2 = c2, n = n, e11 = e11 }

  if want.mi or want.mi3 or want.t then
    if o11 > 0 then
      a.mi = log2(fo11 / e11)
      a.mi3 = log2(fo11 ^ 3 / e11)
      a.t = d / sqrt(fo11)
    else
      a.mi, a.mi3, a.t = -huge, -huge, -huge
    end
  end
  if want.z then a.z = d / sqrt(e11) end

  -- G2 = 2 sum o ln(o/e) over the four cells (0 ln 0 = 0)
  if want.ll then
    local g = 0
    if e11 > 0 then g = g + xlogx_ratio(fo11, e11, d) end
    if e12 > 0 then g = g + xlogx_ratio(o12 + 0.0, e12, -d) end
    if e21 > 0 then g = g + xlogx_ratio(o21 + 0.0, e21, -d) end
    if e22 > 0 then g = g + xlogx_ratio(o22 + 0.0, e22, d) end
    g = 2 * g
    a.ll = g > 0 and g or 0.0
  end

  -- Pearson's chi-squared without continuity correction: every cell is
  -- off its expectation by |d|, so X2 = d^2 * sum(1/e).
  if want.chi2 then
    if r2 > 0 and c2 > 0 then
      a.chi2 = d * d * (1 / e11 + 1 / e12 + 1 / e21 + 1 / e22)
    else
      a.chi2 = NaN
    end
  end

  if want.dice or want.logdice then
    a.dice = 2 * fo11 / (fr1 + fc1)
    a.logdice = 14 + (o11 > 0 and log2(a.dice) or -huge)
  end

  -- delta P (Gries 2013): how much the node raises the probability of the
  -- collocate, and the collocate that of the node.
  if want.deltap_c_given_n then a.deltap_c_given_n = r2 > 0 and (fo11 / fr1 - o21 / fr2) or NaN end
  if want.deltap_n_given_c then a.deltap_n_given_c = c2 > 0 and (fo11 / fc1 - o12 / fc2) or NaN end

  -- Log Ratio (Hardie 2014): relative frequency of the collocate with the
  -- node against without it; a zero frequency counts as 0.5.
  if want.log_ratio then
    if r2 > 0 then
      local with = (o11 > 0 and fo11 or 0.5) / fr1
      local without = (o21 > 0 and o21 or 0.5) / fr2
      a.log_ratio = log2(with / without)
    else
      a.log_ratio = NaN
    end
  end

  -- Odds ratio; Haldane-Anscombe correction (0.5 added to every cell)
  -- when a cell is empty.
  if want.odds_ratio then
    if o11 == 0 or o12 == 0 or o21 == 0 or o22 == 0 then
      a.odds_ratio = ((fo11 + 0.5) * (o22 + 0.5)) / ((o12 + 0.5) * (o21 + 0.5))
    else
      a.odds_ratio = (fo11 * o22) / ((o12 + 0.0) * o21)
    end
  end
  return a
end

-- Why counts cannot form a 2x2 table, or nil when they can.
local function table_problem(o11, r1, c1, n)
  for _, v in ipairs({ o11, r1, c1, n }) do
    if type(v) ~= "number" or v ~= v or v < 0 then return "counts must be non-negative numbers" end
  end
  if r1 == 0 or c1 == 0 then return "r1 and c1 must be positive" end
  if o11 > r1 then return string.format("o11 (%s) exceeds r1 (%s)", tostring(o11), tostring(r1)) end
  if o11 > c1 then return string.format("o11 (%s) exceeds c1 (%s)", tostring(o11), tostring(c1)) end
  if r1 + c1 - o11 > n then return string.format("r1 + c1 - o11 (%s) exceeds n (%s)", tostring(r1 + c1 - o11), tostring(n)) end
  return nil
end

--- Measures every row of an array of co-occurrence rows, each with fields
--- o11, r1, c1, n (and any others, kept), such as count.cooc's c:with(word).
--- Returns a new array of rows with the measures added, sorted by opts.sort
--- (default "ll") descending, ties by opts.key (default "key") ascending,
--- and the array of rows left out.  opts.min drops rows whose o11 is below
--- it; opts.span multiplies r1 by the number of window positions around
--- each node occurrence, for rows counted without them (count.cooc's rows
--- already count positions); dice and logdice use the words' frequencies
--- f1 and f2 when the rows carry them (node_freq = f1); rows whose counts
--- cannot form a table raise an error unless opts.on_invalid = "skip".
function stats.collocations(rows, opts)
  if type(rows) ~= "table" then error("stats.collocations: rows must be an array", 2) end
  opts = opts or {}
  local by = opts.sort or "ll"
  local keyf = opts.key or "key"
  local min = opts.min or 0
  local span = opts.span or 1
  if type(span) ~= "number" or span < 1 then error("stats.collocations: span must be a number >= 1", 2) end
  local skip = opts.on_invalid == "skip"
  if opts.on_invalid ~= nil and opts.on_invalid ~= "skip" and opts.on_invalid ~= "error" then
    error("stats.collocations: on_invalid must be 'error' or 'skip'", 2)
  end
  local out, skipped = {}, {}
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then error("stats.collocations: row " .. i .. " is not a table", 2) end
    if (row.o11 or 0) >= min then
      local r1 = row.r1
      if span ~= 1 and type(r1) == "number" and type(row.n) == "number" then
        r1 = math.min(r1 * span, row.n)
      end
      local problem = table_problem(row.o11, r1, row.c1, row.n)
      if problem then
        if not skip then
          error(string.format("stats.collocations: row %d (%s): %s; window counts can overlap: "
            .. "pass span = 2 * window, or on_invalid = \"skip\"", i, tostring(row[keyf]), problem), 2)
        end
        skipped[#skipped + 1] = row
      else
        local a = stats.association(row.o11, r1, row.c1, row.n)
        local r = {}
        for k, v in pairs(row) do r[k] = v end
        for k, v in pairs(a) do if r[k] == nil or k == "r1" or k == "r2" then r[k] = v end end
        -- Dice and logDice compare frequencies (Rychlý 2008): the words'
        -- own frequencies (f1, f2, as count.cooc's with() gives them), not
        -- their window positions
        local f1, f2 = row.f1, row.f2
        if span ~= 1 then f1, f2 = f1 or row.r1, f2 or row.c1 end
        if type(f1) == "number" and type(f2) == "number" and f1 + f2 > 0 then
          r.node_freq = f1
          r.dice = 2 * row.o11 / (f1 + f2)
          r.logdice = 14 + (row.o11 > 0 and stats.log2(r.dice) or -math.huge)
        end
        out[#out + 1] = r
      end
    end
  end
  if out[1] and out[1][by] == nil then error("stats.collocations: unknown measure '" .. tostring(by) .. "'", 2) end
  stats.sort(out, by, keyf)
  return out, skipped
end

-- Total order: by field descending (NaN last), then key ascending.
local function key_less(x, y)
  local tx, ty = type(x), type(y)
  if tx ~= ty then return tx < ty end
  if tx == "number" or tx == "string" then return x < y end
  return tostring(x) < tostring(y)
end

--- Sorts rows in place by field descending (NaN last), ties by key field
--- ascending.  Returns rows.
function stats.sort(rows, field, key)
  key = key or "key"
  table.sort(rows, function(x, y)
    local a, b = x[field], y[field]
    local an, bn = a ~= a, b ~= b
    if an ~= bn then return bn end
    if not an and a ~= b then return a > b end
    return key_less(x[key], y[key])
  end)
  return rows
end

-- ---------------------------------------------------------------------------
-- Keyness: a word in a target corpus against a reference corpus.

--- Keyness of one word: a occurrences in a target of n1 tokens, b in a
--- reference of n2 tokens.  opts.ll = "rayson" uses the two-term
--- log-likelihood of Rayson & Garside (2000) instead of the full table.
function stats.keyness(a, b, n1, n2, opts)
  check_count(a, "a", "keyness")
  check_count(b, "b", "keyness")
  check_count(n1, "n1", "keyness")
  check_count(n2, "n2", "keyness")
  if a > n1 then error(string.format("stats.keyness: a (%s) exceeds n1 (%s)", tostring(a), tostring(n1)), 2) end
  if b > n2 then error(string.format("stats.keyness: b (%s) exceeds n2 (%s)", tostring(b), tostring(n2)), 2) end
  if n1 == 0 or n2 == 0 then error("stats.keyness: n1 and n2 must be positive", 2) end
  opts = opts or {}
  local fa, fb, f1, f2 = a + 0.0, b + 0.0, n1 + 0.0, n2 + 0.0
  local n = f1 + f2
  local e1, e2 = f1 * (fa + fb) / n, f2 * (fa + fb) / n
  local k = { a = a, b = b, n1 = n1, n2 = n2, e1 = e1, e2 = e2 }
  k.rel1, k.rel2 = fa / f1 * 1e6, fb / f2 * 1e6
  local d = fa - e1           -- a - e1 = e2 - b
  k.sign = (d > 0 and 1) or (d < 0 and -1) or 0

  local g = 0
  if a + b > 0 then
    g = xlogx_ratio(fa, e1, d) + xlogx_ratio(fb, e2, -d)
    if opts.ll ~= "rayson" then
      local c, dd = f1 - fa, f2 - fb                 -- the other words
      local ec, ed = f1 - e1, f2 - e2
      if ec > 0 then g = g + xlogx_ratio(c, ec, -d) end
      if ed > 0 then g = g + xlogx_ratio(dd, ed, d) end
    end
    g = 2 * g
  end
  k.g2 = g > 0 and g or 0.0
  k.g2_p = stats.chi2_sf(k.g2, 1)

  -- Pearson's chi-squared of the 2x2 table (no continuity correction)
  local ec, ed = f1 - e1, f2 - e2
  if a + b > 0 and ec > 0 and ed > 0 then
    k.chi2 = d * d * (1 / e1 + 1 / e2 + 1 / ec + 1 / ed)
  else
    k.chi2 = 0.0
  end
  k.chi2_p = stats.chi2_sf(k.chi2, 1)

  -- Log Ratio (Hardie 2014), zero frequencies as 0.5
  if a + b > 0 then
    k.log_ratio = log2(((a > 0 and fa or 0.5) / f1) / ((b > 0 and fb or 0.5) / f2))
  else
    k.log_ratio = 0.0
  end

  -- %DIFF (Gabrielatos & Marchi 2012); a zero reference frequency is
  -- replaced by 1e-18 as they propose
  local nf1, nf2 = fa / f1, fb / f2
  k.pct_diff = (nf1 - nf2) * 100 / (nf2 > 0 and nf2 or 1e-18)
  if a + b == 0 then k.pct_diff = 0.0 end
  return k
end

-- A frequency list: a counter with :items() (and :total()), or a table
-- word -> count.  Returns a table word -> count and the total.
local function freq_table(f, what)
  local t, total = {}, 0
  if type(f) == "table" and getmetatable(f) == nil then
    for k, v in pairs(f) do
      if type(v) ~= "number" then error("stats.keywords: " .. what .. "[" .. tostring(k) .. "] is not a number", 3) end
      t[k] = v; total = total + v
    end
    return t, total
  end
  local ok, iter, state, init = pcall(function() return f:items() end)
  if not ok or iter == nil then
    error("stats.keywords: " .. what .. " must be a table word -> count or a counter with :items()", 3)
  end
  for k, v in iter, state, init do t[k] = v; total = total + v end
  local okt, tot = pcall(function() return f:total() end)
  if okt and type(tot) == "number" then total = tot end
  return t, total
end

--- Keywords of a target frequency list against a reference one.
--- opts: n1, n2 (corpus sizes; default the sums of the lists or :total()),
--- min (minimum target frequency, default 1), test ("g2" or "chi2": the
--- p-value corrected), correction ("bonferroni", "sidak"), alpha (keep
--- rows whose corrected p is below it), direction ("positive" default,
--- "negative", "both"), sort (field, default "g2"), ll ("rayson").
--- Returns an array of rows {key=word, a, b, ..., p, p_adj}.
function stats.keywords(target, reference, opts)
  opts = opts or {}
  local t, t_total = freq_table(target, "target")
  local r, r_total = freq_table(reference, "reference")
  local n1, n2 = opts.n1 or t_total, opts.n2 or r_total
  local min = opts.min or 1
  local test = opts.test or "g2"
  if test ~= "g2" and test ~= "chi2" then error("stats.keywords: test must be 'g2' or 'chi2'", 2) end
  local direction = opts.direction or "positive"
  if direction ~= "positive" and direction ~= "negative" and direction ~= "both" then
    error("stats.keywords: direction must be 'positive', 'negative' or 'both'", 2)
  end
  -- The words in the order pairs gives them: the rows are put in order at
  -- the end (by the test, ties by word), and an error names the first
  -- failing word in that order, so nothing depends on it (sorting the
  -- words first was a third of the time on Brown's 49 000).
  local rows, bad, bad_msg = {}, nil, nil
  local function test_word(w, a, b)
    if a >= min or (direction ~= "positive" and b >= min) then
      local ok, k = pcall(stats.keyness, a, b, n1, n2, opts)
      if not ok then
        if bad == nil or key_less(w, bad) then bad, bad_msg = w, k end
        return
      end
      k.key = w
      k.p = k[test .. "_p"]
      rows[#rows + 1] = k
    end
  end
  for w, a in pairs(t) do test_word(w, a, r[w] or 0) end
  for w, b in pairs(r) do if t[w] == nil then test_word(w, 0, b) end end
  if bad ~= nil then
    error("stats.keywords: '" .. tostring(bad) .. "': " .. tostring(bad_msg):gsub("^.-stats%.keyness: ", ""), 2)
  end
  local m = opts.m or math.max(#rows, 1)
  local out = {}
  for _, k in ipairs(rows) do
    k.p_adj = stats.adjust(k.p, m, opts.correction)
    local keep = (direction == "both") or (direction == "positive" and k.sign > 0)
                 or (direction == "negative" and k.sign < 0)
    if keep and opts.alpha and not (k.p_adj < opts.alpha) then keep = false end
    if keep then out[#out + 1] = k end
  end
  stats.sort(out, opts.sort or test, "key")
  return out
end

-- ---------------------------------------------------------------------------
-- Dispersion.

-- The arguments' shapes (level 3: the caller of stats.dispersion); returns k.
local function dispersion_args(v, sizes)
  if type(v) ~= "table" then error("stats.dispersion: v must be an array of frequencies", 3) end
  local k = #v
  if k == 0 then error("stats.dispersion: v is empty", 3) end
  if sizes ~= nil then
    if type(sizes) ~= "table" then error("stats.dispersion: sizes must be an array", 3) end
    if #sizes ~= k then
      error(string.format("stats.dispersion: %d frequencies but %d sizes", k, #sizes), 3)
    end
  end
  return k
end

--- Dispersion of a word over corpus parts: v[i] its frequency in part i,
--- sizes[i] the size of part i (nil: equal parts).  A part of size 0 (a
--- document without tokens) counts in `parts` but weighs nothing: it can
--- hold no occurrence (v[i] must be 0) and is left out of D and of DPnorm's
--- min share.  Returns {f, parts, empty (parts of size 0), range, d
--- (Juilland), dp, dp_norm (Gries; Lijffijt & Gries)}.
function stats.dispersion(v, sizes)
  local k = dispersion_args(v, sizes)
  local res, err = core.dispersion(v, sizes, k)
  if not res then error(err, 2) end
  if res.f == 0 then res.d, res.dp, res.dp_norm = NaN, NaN, NaN end
  return res
end

-- The formula in Lua, loop for loop what stats.core computes in C
-- (host/text/dispersion.c): the reference its tests compare with.
function stats._dispersion_lua(v, sizes)
  local k = dispersion_args(v, sizes)
  local f, total, range, empty = 0, 0, 0, 0
  for i = 1, k do
    local vi = v[i]
    if type(vi) ~= "number" or vi ~= vi or vi < 0 then
      error("stats.dispersion: v[" .. i .. "] must be a non-negative number", 2)
    end
    local si = sizes and sizes[i] or 1
    if type(si) ~= "number" or not (si >= 0) or si == huge then
      error("stats.dispersion: sizes[" .. i .. "] must be a non-negative number", 2)
    end
    if si == 0 then
      if vi > 0 then
        error("stats.dispersion: part " .. i .. " has size 0 but frequency " .. tostring(vi), 2)
      end
      empty = empty + 1
    end
    f = f + vi; total = total + si
    if vi > 0 then range = range + 1 end
  end
  local res = { f = f, parts = k, empty = empty, range = range }
  if f == 0 then
    res.d, res.dp, res.dp_norm = NaN, NaN, NaN
    return res
  end
  -- DP: half the sum of |observed share - expected share|; an empty part
  -- adds |0 - 0|, and does not set the smallest share
  local dp, smin = 0, huge
  for i = 1, k do
    local si = sizes and sizes[i] or 1
    if si > 0 then
      local s = si / total
      if s < smin then smin = s end
      dp = dp + abs(v[i] / f - s)
    end
  end
  dp = dp / 2
  res.dp = dp
  -- one non-empty part: nothing can vary, DP is 0 and so is DPnorm
  res.dp_norm = smin < 1 and dp / (1 - smin) or 0.0
  -- Juilland's D on frequencies per unit of part size, population sd, over
  -- the parts that have a size; with one such part there is no variation
  -- between parts to measure: D = 1, as even as one part allows (DP = 0)
  local n = k - empty
  if n > 1 then
    -- each rate computed twice rather than kept: no array as long as the
    -- number of parts (the same numbers, in the same order)
    local mean = 0
    for i = 1, k do
      local si = sizes and sizes[i] or 1
      if si > 0 then mean = mean + v[i] / si end
    end
    mean = mean / n
    local ss = 0
    for i = 1, k do
      local si = sizes and sizes[i] or 1
      if si > 0 then ss = ss + (v[i] / si - mean) ^ 2 end
    end
    local sd = sqrt(ss / n)
    res.d = 1 - (sd / mean) / sqrt(n - 1)
  else
    res.d = 1.0
  end
  return res
end

--- Average reduced frequency (Savický & Hlaváčová 2002) of a word at the
--- given token positions (1-based, any order) in a corpus of n tokens.
function stats.arf(positions, n)
  if type(positions) ~= "table" then error("stats.arf: positions must be an array", 2) end
  if type(n) ~= "number" or not (n >= 1) or n == huge then error("stats.arf: n must be a positive number", 2) end
  local f = #positions
  if f == 0 then return 0.0 end
  local p = {}
  for i = 1, f do
    local x = positions[i]
    if type(x) ~= "number" or x < 1 or x > n or x ~= math.floor(x) then
      error(string.format("stats.arf: positions[%d] (%s) must be an integer in 1..n", i, tostring(x)), 2)
    end
    p[i] = x
  end
  table.sort(p)
  for i = 2, f do
    if p[i] == p[i - 1] then error("stats.arf: position " .. tostring(p[i]) .. " occurs twice", 2) end
  end
  local v = n / f
  local sum = math.min(p[1] + n - p[f], v)   -- the distance wrapping around the end
  for i = 2, f do sum = sum + math.min(p[i] - p[i - 1], v) end
  return sum / v
end

return stats
