-- stats: association, keyness, dispersion, p-values and corrections,
-- checked against worked examples from the literature and, when Debian's
-- python3-nltk and python3-scipy are present, against values computed
-- independently by nltk.metrics.association and scipy.stats.
local t = require "tap"
local stats = require "stats"

local function close(got, want, tol, name)
  tol = tol or 1e-9
  local ok
  if want ~= want then ok = got ~= got
  elseif want == math.huge or want == -math.huge then ok = got == want
  else ok = type(got) == "number" and math.abs(got - want) <= tol * math.max(1, math.abs(want)) end
  return t.ok(ok, name, "     got: " .. string.format("%.17g", tonumber(got) or 0 / 0),
                        "expected: " .. string.format("%.17g", want))
end

-- ---------------------------------------------------------------------------
-- Worked examples from the literature.

-- Manning & Schütze (1999), section 5.3: "new companies" in a 14 307 668
-- token corpus: t = 0.999932 (p. 166), chi-squared = 1.55 (p. 170).
do
  local a = stats.association(8, 15828, 4675, 14307668)
  close(a.t, 0.999932, 1e-6, "Manning & Schütze: t of 'new companies'")
  close(a.chi2, 1.55, 3e-3, "Manning & Schütze: chi-squared of 'new companies'")
  close(a.e11, 15828 * 4675 / 14307668, 1e-12, "e11 = r1 c1 / n")
  t.is(a.o22, 14307668 - 15828 - 4675 + 8, "o22 from the marginals")
end

-- Gries (2008): the element occurs 1, 2, 3, 4, 5 times in parts of 9, 10,
-- 10, 10 and 11 words: DP = 0.18.
do
  local d = stats.dispersion({ 1, 2, 3, 4, 5 }, { 9, 10, 10, 10, 11 })
  close(d.dp, 0.18, 1e-12, "Gries 2008: DP of the worked example")
  close(d.dp_norm, 0.18 / (1 - 0.18), 1e-12, "Lijffijt & Gries 2012: DPnorm = DP / (1 - min s)")
  t.is(d.range, 5, "range: all five parts")
  t.is(d.f, 15, "f")
end

-- Lijffijt & Gries (2012), Table 1: three equal parts holding 2/3, 1/3 and
-- none of the occurrences: DP = 1/3, DPnorm = 0.5.
do
  local d = stats.dispersion({ 2, 1, 0 })
  close(d.dp, 1 / 3, 1e-12, "Lijffijt & Gries 2012: DP")
  close(d.dp_norm, 0.5, 1e-12, "Lijffijt & Gries 2012: DPnorm")
  t.is(d.range, 2, "range counts parts with the word")
  -- Juilland's D by hand: mean 1, population sd sqrt(2/3), V = 0.8165,
  -- D = 1 - V / sqrt(2)
  close(d.d, 1 - math.sqrt(2 / 3) / math.sqrt(2), 1e-12, "Juilland's D by hand")
end

do
  local even = stats.dispersion({ 4, 4, 4, 4 })
  close(even.d, 1, 1e-12, "Juilland's D of an even distribution is 1")
  close(even.dp, 0, 1e-12, "DP of an even distribution is 0")
  local one = stats.dispersion({ 0, 0, 7, 0 })
  close(one.d, 0, 1e-12, "Juilland's D of a word in one of the parts is 0")
  close(one.dp, 0.75, 1e-12, "DP of a word in one of four equal parts is 0.75")
  close(one.dp_norm, 1, 1e-12, "DPnorm of a word in one of four equal parts is 1")
  -- unequal parts: D on frequencies per unit size
  local prop = stats.dispersion({ 2, 4 }, { 100, 200 })
  close(prop.d, 1, 1e-12, "Juilland's D with sizes uses rates per unit")
  close(prop.dp, 0, 1e-12, "DP with proportional occurrences is 0")
  local z = stats.dispersion({ 0, 0 })
  t.ok(z.dp ~= z.dp and z.d ~= z.d, "a word that never occurs has NaN DP and D")
  t.raises(function() stats.dispersion({ 1, 2 }, { 1 }) end, "2 frequencies but 1 sizes", "sizes must match")
  t.raises(function() stats.dispersion({ -1 }) end, "non%-negative", "negative frequency raises")
end

-- Parts of size 0 (documents without tokens): counted, weightless.  The
-- Gries (2008) example with two empty parts added gives the same DP and D,
-- and DPnorm's min share is that of the smallest non-empty part.
do
  local base = stats.dispersion({ 1, 2, 3, 4, 5 }, { 9, 10, 10, 10, 11 })
  local d = stats.dispersion({ 1, 0, 2, 3, 4, 5, 0 }, { 9, 0, 10, 10, 10, 11, 0 })
  t.is(d.parts, 7, "empty parts count in parts")
  t.is(d.empty, 2, "and are reported as empty")
  t.is(d.range, 5, "an empty part never adds to range")
  close(d.dp, base.dp, 1e-12, "empty parts leave DP as it was")
  close(d.dp_norm, base.dp_norm, 1e-12, "empty parts do not set DPnorm's min share")
  close(d.d, base.d, 1e-12, "Juilland's D over the parts that have a size")
  t.raises(function() stats.dispersion({ 1, 1 }, { 0, 3 }) end, "part 1 has size 0 but frequency 1",
           "an occurrence in an empty part is an error")
  t.raises(function() stats.dispersion({ 1 }, { -1 }) end, "non%-negative", "a negative size raises")
  -- one part (a single-document corpus), alone or with empty ones: nothing
  -- varies between parts, D = 1 and DP = DPnorm = 0
  for _, c in ipairs({ { { 7 }, { 20 } }, { { 0, 7, 0 }, { 0, 20, 0 } } }) do
    local one = stats.dispersion(c[1], c[2])
    t.is(one.d, 1.0, "one non-empty part of " .. #c[1] .. ": Juilland's D is 1, not NaN")
    t.is(one.dp, 0.0, "one non-empty part of " .. #c[1] .. ": DP is 0")
    t.is(one.dp_norm, 0.0, "one non-empty part of " .. #c[1] .. ": DPnorm is 0")
  end
end

-- ARF (Savický & Hlaváčová 2002), computed by hand.
do
  -- n = 20, f = 4, v = 5: positions 1, 6, 11, 16 are evenly spaced: ARF = f
  close(stats.arf({ 1, 6, 11, 16 }, 20), 4, 1e-12, "ARF of evenly spaced occurrences is f")
  -- positions 1, 2, 3, 4: distances 17 (wrap), 1, 1, 1: (5 + 3) / 5 = 1.6
  close(stats.arf({ 4, 2, 3, 1 }, 20), 1.6, 1e-12, "ARF of clustered occurrences")
  -- positions 3, 10, 12 in n = 30: v = 10; distances 3 + 30 - 12 = 21, 7, 2
  -- min(.,10): 10 + 7 + 2 = 19; ARF = 1.9
  close(stats.arf({ 3, 10, 12 }, 30), 1.9, 1e-12, "ARF worked by hand")
  close(stats.arf({ 5 }, 30), 1, 1e-12, "ARF of a single occurrence is 1")
  t.is(stats.arf({}, 30), 0.0, "ARF of no occurrence is 0")
  t.raises(function() stats.arf({ 3, 3 }, 10) end, "occurs twice", "ARF: duplicate position raises")
  t.raises(function() stats.arf({ 11 }, 10) end, "1%.%.n", "ARF: position out of range raises")
end

-- Distributions against textbook quantiles.
close(stats.chi2_sf(3.841458820694124, 1), 0.05, 1e-12, "chi2(1) 95% quantile")
close(stats.chi2_sf(6.6348966010212145, 1), 0.01, 1e-12, "chi2(1) 99% quantile")
close(stats.chi2_sf(10.827566170662733, 1), 0.001, 1e-12, "chi2(1) 99.9% quantile")
close(stats.chi2_sf(5.991464547107979, 2), 0.05, 1e-12, "chi2(2) 95% quantile")
close(stats.norm_sf(1.959963984540054), 0.025, 1e-12, "normal 97.5% quantile")
close(stats.norm_sf(-1.959963984540054), 0.975, 1e-12, "normal lower tail")
t.is(stats.chi2_sf(0, 1), 1, "chi2_sf(0) = 1")
t.is(stats.chi2_sf(math.huge, 1), 0, "chi2_sf(inf) = 0")

-- Corrections.
close(stats.adjust(0.01, 10, "bonferroni"), 0.1, 1e-15, "Bonferroni")
t.is(stats.adjust(0.2, 10, "bonferroni"), 1.0, "Bonferroni caps at 1")
close(stats.adjust(0.01, 10, "sidak"), 1 - 0.99 ^ 10, 1e-14, "Šidák")
close(stats.adjust(1e-20, 1000, "sidak"), 1e-17, 1e-9, "Šidák keeps precision for tiny p")
t.is(stats.adjust(0.03, 5), 0.03, "no correction by default")
t.raises(function() stats.adjust(0.1, 3, "holm") end, "unknown correction", "unknown correction raises")

-- Association edge cases and misuse.
do
  local a = stats.association(0, 10, 20, 1000)
  t.is(a.mi, -math.huge, "MI of a pair never seen together is -inf")
  t.is(a.logdice, -math.huge, "logDice of a pair never seen together is -inf")
  t.ok(a.ll > 0, "G2 still measures the repulsion")
  close(a.odds_ratio, (0.5 * 970.5) / (10.5 * 20.5), 1e-12, "odds ratio with Haldane-Anscombe correction")
  close(a.log_ratio, math.log((0.5 / 10) / (20 / 990), 2), 1e-12, "log ratio counts a zero as 0.5")
  local b = stats.association(10, 10, 10, 1000)
  close(b.dice, 1, 1e-15, "Dice of a pair always together is 1")
  close(b.logdice, 14, 1e-12, "logDice maximum is 14")
  local big = stats.association(123456, 2000000, 3000000, 1000000000)
  t.ok(big.ll > 0 and big.chi2 > 0, "large counts stay finite")
  t.raises(function() stats.association(5, 4, 10, 100) end, "exceeds a marginal", "o11 > r1 raises")
  t.raises(function() stats.association(1, 60, 60, 100) end, "exceeds n", "r1 + c1 - o11 > n raises")
  t.raises(function() stats.association(0, 0, 10, 100) end, "must be positive", "r1 = 0 raises")
  t.raises(function() stats.association("x", 1, 1, 1) end, "o11 must be", "a string raises")
end

-- Keyness edge cases and the keyword list.
do
  local k = stats.keyness(10, 0, 1000, 1000)
  t.is(k.sign, 1, "a word only in the target is a positive keyword")
  close(k.log_ratio, math.log((10 / 1000) / (0.5 / 1000), 2), 1e-12, "log ratio with zero reference as 0.5")
  close(k.pct_diff, (10 / 1000) * 100 / 1e-18, 1e-12, "%DIFF with zero reference uses 1e-18")
  local eq = stats.keyness(5, 10, 1000, 2000)
  close(eq.g2, 0, 1e-12, "equal relative frequencies: G2 = 0")
  close(eq.pct_diff, 0, 1e-12, "equal relative frequencies: %DIFF = 0")
  t.is(eq.sign, 0, "equal relative frequencies: no direction")
  local r = stats.keyness(30, 10, 10000, 20000, { ll = "rayson" })
  -- Rayson & Garside (2000): E1 = 10000*40/30000, E2 = 20000*40/30000
  local e1, e2 = 10000 * 40 / 30000, 20000 * 40 / 30000
  close(r.g2, 2 * (30 * math.log(30 / e1) + 10 * math.log(10 / e2)), 1e-12, "two-term log-likelihood of Rayson & Garside")

  local target = { iran = 40, the = 500, nuclear = 12, talks = 9, a = 300 }
  local reference = { iran = 5, the = 1000, nuclear = 1, talks = 20, a = 610, cat = 7 }
  local kw = stats.keywords(target, reference)
  local keys = {}
  for i, row in ipairs(kw) do keys[i] = row.key end
  t.is_deeply(keys, { "iran", "nuclear" }, "positive keywords, by G2")
  t.ok(kw[1].g2 >= kw[2].g2, "sorted by G2 descending")
  local both = stats.keywords(target, reference, { direction = "both", correction = "bonferroni" })
  t.is(#both, 6, "direction both keeps every word")
  for _, row in ipairs(both) do
    if row.key == "iran" then
      close(row.p_adj, math.min(1, row.g2_p * 6), 1e-12, "Bonferroni over the six words tested")
    end
  end
  local neg = stats.keywords(target, reference, { direction = "negative" })
  t.is(neg[1].key, "cat", "strongest negative keyword: only in the reference")
  local strict = stats.keywords(target, reference, { correction = "sidak", alpha = 1e-6 })
  t.is(#strict, 1, "alpha keeps only rows below it after correction")
  t.is(strict[1].key, "iran", "the one keyword that survives")
  -- a counter-like object with :items() and :total()
  local counter = setmetatable({}, { __index = {
    items = function() return next, { x = 3, y = 1 } end,
    total = function() return 100 end } })
  local ck = stats.keywords(counter, { x = 1, y = 5 }, { direction = "both" })
  t.is(ck[1].n1, 100, "a counter's :total() is the target size")
  -- words are tested in no particular order: an error names the first
  -- failing word by key, however the table iterates
  for _ = 1, 3 do
    local words = { zeta = 9, beta = 5, alpha = 7, c = 1 }
    for i = 1, 50 do words["w" .. i] = 1 end
    local ok, err = pcall(stats.keywords, words, { x = 1 }, { n1 = 3 })
    t.ok(not ok and err:find("'alpha': a (7) exceeds n1 (3)", 1, true), "keywords: the first failing word by key is named: " .. tostring(err))
  end
end

-- collocations: rows from a co-occurrence counter.
do
  local rows = {
    { key = "b", o11 = 5, r1 = 50, c1 = 10, n = 10000 },
    { key = "a", o11 = 5, r1 = 50, c1 = 10, n = 10000 },
    { key = "c", o11 = 1, r1 = 50, c1 = 500, n = 10000 },
  }
  local out = stats.collocations(rows, { sort = "mi" })
  t.is_deeply({ out[1].key, out[2].key, out[3].key }, { "a", "b", "c" }, "ties broken by key")
  t.ok(out[1].mi > 0 and out[1].ll > 0, "measures added")
  t.is(#stats.collocations(rows, { min = 2 }), 2, "min drops rare pairs")
  t.raises(function() stats.collocations(rows, { sort = "nope" }) end, "unknown measure", "unknown measure raises")
  -- window counts that overlap: o11 above a marginal
  local win = { { key = "of", o11 = 163, r1 = 216, c1 = 131, n = 2823 }, { key = "x", o11 = 3, r1 = 216, c1 = 5, n = 2823 } }
  t.raises(function() stats.collocations(win) end, "row 1 %(of%): o11 %(163%) exceeds c1 %(131%)", "an impossible table raises, naming the row")
  local kept, skipped = stats.collocations(win, { on_invalid = "skip", span = 10 })
  t.is(#kept, 1, "on_invalid = skip keeps the rows that form a table")
  t.is(skipped[1].key, "of", "and returns the others")
  t.is(kept[1].r1, 2160, "span multiplies the node's marginal")
  close(kept[1].e11, 2160 * 5 / 2823, 1e-12, "E11 over the window positions")
  close(kept[1].logdice, 14 + math.log(2 * 3 / (216 + 5), 2), 1e-12, "logDice keeps the node's frequency")
  t.is(kept[1].node_freq, 216, "node_freq")
end

-- The pipeline: count.cooc's collocates and count.freq's lists, when the
-- host has the count module.
local okc, count = pcall(require, "count")
if not okc then
  t.skip("no count module in this host", 4)
else
  local c = count.cooc({ window = 2 })
  c:add_text("strong tea and strong coffee and weak tea and strong tea")
  local rows, skipped = stats.collocations(c:with("tea"))
  t.ok(#rows > 0 and #skipped == 0, "collocates of a node from count.cooc, every row a 2x2 table")
  local r = rows[1]
  local direct = stats.association(r.o11, r.r1, r.c1, r.n)
  close(r.ll, direct.ll, 1e-12, "measures on c:with rows equal stats.association")
  local f1, f2 = count.freq(), count.freq()
  f1:add_text("Iran Iran Iran talks nuclear the the")
  f2:add_text("the the the the cat cat Iran")
  local from_counters = stats.keywords(f1, f2, { direction = "both" })
  local t1, t2 = {}, {}
  for k, n in f1:items() do t1[k] = n end
  for k, n in f2:items() do t2[k] = n end
  local from_tables = stats.keywords(t1, t2, { direction = "both" })
  local same = #from_counters == #from_tables
  for i, k in ipairs(from_counters) do
    if k.key ~= from_tables[i].key or k.g2 ~= from_tables[i].g2 then same = false end
  end
  t.ok(same, "keywords from count.freq counters equal keywords from tables")
  t.is(from_counters[1].n1, f1:total(), "a counter's total is its corpus size")
end

-- ---------------------------------------------------------------------------
-- Independent values: NLTK's association measures and SciPy.

local PY = t.debian_python()
local probe = PY ~= nil
local have = probe and select(2, t.run(PY .. " -c 'import nltk.metrics.association, scipy.stats' 2>/dev/null")) == 0

-- Tables: hand-picked ones and seeded random ones (deterministic).
local tables = {
  { 8, 15828, 4675, 14307668 }, { 1, 1, 1, 10 }, { 1, 2, 3, 100 }, { 20, 40, 60, 1000 },
  { 3, 3, 1000, 100000 }, { 150, 300, 500, 20000 }, { 7, 5000, 9000, 1000000 },
  { 12345, 60000, 80000, 900000000 }, { 2, 10, 10, 20 }, { 9, 10, 10, 11 },
}
local rng = 12345
local function rand(n) rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n end
for _ = 1, 40 do
  local n = 1000 + rand(10000000)
  local r1 = 1 + rand(math.max(1, n // (1 + rand(50))))
  local c1 = 1 + rand(math.max(1, n // (1 + rand(50))))
  if r1 > n then r1 = n end
  if c1 > n then c1 = n end
  local lo = math.max(1, r1 + c1 - n)
  local hi = math.min(r1, c1)
  local o11 = lo + rand(math.max(1, math.min(hi - lo + 1, 200)))
  tables[#tables + 1] = { o11, r1, c1, n }
end
local keys = {
  { 10, 3, 1000, 5000 }, { 0, 7, 800, 1200 }, { 25, 25, 10000, 10000 }, { 1, 0, 100, 100 },
  { 500, 20, 1000000, 2000000 }, { 3, 1, 3000, 9000 }, { 57, 300, 1234567, 7654321 },
}

local PYCODE = [==[
import sys, math
from nltk.metrics.association import BigramAssocMeasures as B
from scipy.stats import chi2_contingency, chi2, norm
from scipy.stats.contingency import odds_ratio
import numpy as np
out = []
for line in sys.stdin:
    f = line.split()
    if f[0] == "A":
        o11, r1, c1, n = map(int, f[1:])
        o12, o21 = r1 - o11, c1 - o11
        o22 = n - r1 - c1 + o11
        tab = np.array([[o11, o12], [o21, o22]], dtype=float)
        g2 = chi2_contingency(tab, correction=False, lambda_="log-likelihood")[0]
        x2 = chi2_contingency(tab, correction=False)[0]
        e11 = r1 * c1 / n
        vals = [
            B.pmi(o11, (r1, c1), n),
            math.log2(B.mi_like(o11, (r1, c1), n)) + math.log2(n),
            B.student_t(o11, (r1, c1), n),
            (o11 - e11) / math.sqrt(e11),
            B.likelihood_ratio(o11, (r1, c1), n), g2,
            B.chi_sq(o11, (r1, c1), n), x2,
            B.dice(o11, (r1, c1), n),
            14 + math.log2(B.dice(o11, (r1, c1), n)),
            o11 / r1 - o21 / (n - r1),
            o11 / c1 - o12 / (n - c1),
            math.log2((o11 / r1) / (o21 / (n - r1))) if o21 > 0 else float("nan"),
            odds_ratio(tab.astype(int), kind="sample").statistic if min(o12, o21, o22) > 0 else float("nan"),
        ]
    else:
        a, b, n1, n2 = map(int, f[1:])
        tab = np.array([[a, b], [n1 - a, n2 - b]], dtype=float)
        g2, gp = chi2_contingency(tab, correction=False, lambda_="log-likelihood")[0:2]
        x2, xp = chi2_contingency(tab, correction=False)[0:2]
        p1, p2 = a / n1, b / n2
        vals = [g2, gp, x2, xp,
                math.log2(((a or 0.5) / n1) / ((b or 0.5) / n2)),
                (p1 - p2) * 100 / (p2 or 1e-18),
                chi2.sf(g2, 1), norm.sf(math.sqrt(x2))]
    out.append(" ".join(repr(float(v)) for v in vals))
print("\n".join(out))
]==]

if not have then
  t.missing("python3-nltk and python3-scipy not installed (make deps installs them)", 1)
else
  local lines = {}
  for _, tb in ipairs(tables) do lines[#lines + 1] = "A " .. table.concat(tb, " ") end
  for _, k in ipairs(keys) do lines[#lines + 1] = "K " .. table.concat(k, " ") end
  local pyf = os.tmpname()
  local fh = assert(io.open(pyf, "w")); fh:write(PYCODE); fh:close()
  local out, code, err = t.run(PY .. " " .. pyf, table.concat(lines, "\n") .. "\n")
  os.remove(pyf)
  t.is(code, 0, "the reference computation ran")
  if code ~= 0 then t.diag(err) end
  local results = {}
  for line in out:gmatch("[^\n]+") do
    local v = {}
    for x in line:gmatch("%S+") do v[#v + 1] = (x == "nan") and 0 / 0 or tonumber(x) end
    results[#results + 1] = v
  end
  t.is(#results, #tables + #keys, "one reference row per table")
  local bad = {}
  local function check(got, want, what, tol)
    tol = tol or 1e-9
    if want ~= want then return end           -- not defined by the reference
    local ok = math.abs(got - want) <= tol * math.max(1, math.abs(want))
    if not ok then bad[#bad + 1] = string.format("%s: got %.17g want %.17g", what, got, want) end
  end
  local checked = 0
  for i, tb in ipairs(tables) do
    local r = results[i]
    if r then
      local a = stats.association(table.unpack(tb))
      local id = "(" .. table.concat(tb, ",") .. ") "
      check(a.mi, r[1], id .. "mi vs nltk pmi")
      check(a.mi3, r[2], id .. "mi3 vs nltk mi_like")
      check(a.t, r[3], id .. "t vs nltk student_t")
      check(a.z, r[4], id .. "z")
      check(a.ll, r[5], id .. "ll vs nltk likelihood_ratio", 1e-7)
      check(a.ll, r[6], id .. "ll vs scipy G-test", 1e-7)
      check(a.chi2, r[7], id .. "chi2 vs nltk chi_sq", 1e-8)
      check(a.chi2, r[8], id .. "chi2 vs scipy", 1e-8)
      check(a.dice, r[9], id .. "dice vs nltk")
      check(a.logdice, r[10], id .. "logdice")
      check(a.deltap_c_given_n, r[11], id .. "deltap_c_given_n")
      check(a.deltap_n_given_c, r[12], id .. "deltap_n_given_c")
      check(a.log_ratio, r[13], id .. "log_ratio")
      check(a.odds_ratio, r[14], id .. "odds_ratio vs scipy")
      checked = checked + 1
    end
  end
  for j, kt in ipairs(keys) do
    local r = results[#tables + j]
    if r then
      local k = stats.keyness(table.unpack(kt))
      local id = "keyness(" .. table.concat(kt, ",") .. ") "
      check(k.g2, r[1], id .. "g2 vs scipy", 1e-7)
      check(k.g2_p, r[2], id .. "g2_p vs scipy", 1e-7)
      check(k.chi2, r[3], id .. "chi2 vs scipy", 1e-8)
      check(k.chi2_p, r[4], id .. "chi2_p vs scipy", 1e-7)
      check(k.log_ratio, r[5], id .. "log_ratio")
      check(k.pct_diff, r[6], id .. "pct_diff")
      check(stats.chi2_sf(k.g2, 1), r[7], id .. "chi2_sf vs scipy", 1e-9)
      check(2 * stats.norm_sf(math.sqrt(k.chi2)), 2 * r[8], id .. "norm_sf vs scipy", 1e-9)
      checked = checked + 1
    end
  end
  t.is(checked, #tables + #keys, "every table compared")
  t.ok(#bad == 0, "every measure agrees with NLTK and SciPy", table.concat(bad, "\n"))
end

-- ---------------------------------------------------------------------------
-- association(..., measures): each measure alone is what the full table
-- gives, bit for bit, and the others are left out.
do
  local names = { "mi", "mi3", "t", "z", "ll", "chi2", "dice", "logdice", "deltap_c_given_n",
                  "deltap_n_given_c", "log_ratio", "odds_ratio" }
  local bad = {}
  math.randomseed(7)
  for _ = 1, 400 do
    local n = math.random(1, 10000)
    local r1, c1 = math.random(1, n), math.random(1, n)
    local o11 = math.random(math.max(0, r1 + c1 - n), math.min(r1, c1))
    local full = stats.association(o11, r1, c1, n)
    for _, m in ipairs(names) do
      local one = stats.association(o11, r1, c1, n, { m })
      local same = one[m] == full[m] or (one[m] ~= one[m] and full[m] ~= full[m])
      if not same or one.o22 ~= full.o22 or one.e11 ~= full.e11 then bad[#bad + 1] = m end
    end
    local two = stats.association(o11, r1, c1, n, { "logdice", "ll" })
    if two.mi ~= nil or two.chi2 ~= nil or two.odds_ratio ~= nil then bad[#bad + 1] = "left in" end
  end
  t.is(table.concat(bad, " "), "", "association with a list of measures computes those, as the full table does")
  local ok, err = pcall(stats.association, 1, 2, 3, 10, { "logdice", "pmi" })
  t.ok(not ok and err:find("unknown measure 'pmi'", 1, true), "an unknown measure is an error: " .. tostring(err))
end

-- stats.dispersion computes in C (stats.core, host/text/dispersion.c) what
-- its formula in Lua computes, to the bit: random arrays of integers, floats,
-- zeros (-0.0 too), integers that overflow, bad elements of every kind; the
-- same numbers (math.type included) or the same error.
do
  local function same(a, b)
    if math.type(a) ~= math.type(b) then return false end
    if a ~= a then return b ~= b end
    return a == b and (a ~= 0 or 1 / a == 1 / b)
  end
  local function element(r)
    if r < 0.35 then return math.random(0, 5)
    elseif r < 0.55 then return 0
    elseif r < 0.75 then return math.random() * 50
    elseif r < 0.80 then return -0.0
    elseif r < 0.85 then return math.random(0, 3) + 0.0
    elseif r < 0.88 then return math.maxinteger - math.random(0, 3)
    elseif r < 0.90 then return 0 / 0
    elseif r < 0.92 then return -math.random(1, 3)
    elseif r < 0.93 then return math.huge
    elseif r < 0.94 then return "3"
    else return math.random(100, 10000) end
  end
  math.randomseed(20261207)
  local agree, failures, fields, floats = 0, 0, { "f", "parts", "empty", "range", "d", "dp", "dp_norm" }, 0
  for case = 1, 4000 do
    local k = math.random(1, case % 7 == 0 and 60 or 8)
    local v, sizes = {}, nil
    local bad = case % 3 == 0   -- one case in three may hold bad elements
    for i = 1, k do
      local e = element(math.random())
      if not bad and (type(e) ~= "number" or e ~= e or e < 0 or e == math.huge) then e = math.random(0, 4) end
      v[i] = e
    end
    if case % 4 ~= 0 then
      sizes = {}
      for i = 1, k do
        local e = element(math.random())
        if not bad and (type(e) ~= "number" or e ~= e or e < 0 or e == math.huge) then e = math.random(0, 9) end
        if not bad and e == 0 and type(v[i]) == "number" and v[i] > 0 then e = 1 end
        sizes[i] = e
      end
    end
    local ok_c, c = pcall(stats.dispersion, v, sizes)
    local ok_l, l = pcall(stats._dispersion_lua, v, sizes)
    local same_result = ok_c == ok_l
    if same_result and ok_c then
      for _, f in ipairs(fields) do if not same(c[f], l[f]) then same_result = false end end
      if math.type(c.f) == "float" then floats = floats + 1 end
    elseif same_result then
      same_result = c == l
      failures = failures + 1
    end
    if same_result then agree = agree + 1
    elseif agree == case - 1 then
      t.diag("first disagreement: " .. (ok_c and "ok" or tostring(c)) .. " vs " .. (ok_l and "ok" or tostring(l)))
    end
  end
  t.is(agree, 4000, "the C loops give what the Lua formula gives, bit for bit, on 4000 random arrays")
  t.ok(failures > 300 and failures < 3000, "bad elements raised the same errors (" .. failures .. " cases)")
  t.ok(floats > 100, "float sums compared too (" .. floats .. " cases)")
  -- a long array: the C path is what freq.lua's columns go through
  local v, sizes = {}, {}
  for i = 1, 100000 do v[i] = (i * 7919) % 13; sizes[i] = 50 + (i * 104729) % 400 end
  local c, l = stats.dispersion(v, sizes), stats._dispersion_lua(v, sizes)
  t.ok(same(c.d, l.d) and same(c.dp, l.dp) and same(c.dp_norm, l.dp_norm) and c.range == l.range,
       "100 000 parts: the same D, DP and DPnorm")
end

t.done()
