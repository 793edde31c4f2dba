-- freq.lua --by FIELD: the table per value of a metadata field, in long
-- format (a row per bin and word), on a copy of the sample corpus with
-- docs/pictures/metadata.csv (its example dates and outlets) and one
-- document's date removed: each word's counts over the bins add up to its
-- count in the plain table, per_million is per million tokens of the bin,
-- the bins are the picture's (years over 36 months, months with --bin
-- month, empty months included), documents without the field a bin
-- "(none)" of their own; the same rows in text, CSV, TSV, Markdown, JSON
-- and --db; --by without --svg gives the table.
local t = require "tap"
local json = require "json"
local q = t.shell_quote

local dir = t.tempdir()
local c = dir .. "/corpus"
os.execute("cp -r " .. q(t.root .. "/corpus") .. " " .. q(c))
local src = assert(io.open(t.root .. "/docs/pictures/metadata.csv"))
local meta = src:read("a"):gsub("(002_[^,]+),[^,]+,", "%1,,")   -- 002 without a date
src:close()
local f = assert(io.open(c .. "/metadata.csv", "wb"))
f:write(meta)
f:close()

local function run(args)
  return t.run(q(t.corpusrun) .. " --quiet scripts/freq.lua -c " .. q(c) .. " --stopwords en --top 5 " .. args)
end
local function rows_of(args)
  local out, code, err = run(args .. " --format json")
  if code ~= 0 then return nil, err end
  return json.decode(out)
end

local plain = assert(rows_of(""))
local by = rows_of("--by date")
t.ok(by ~= nil, "--by date without --svg gives a table")
by = by or {}
local bins, seen = {}, {}
for _, r in ipairs(by) do
  if not seen[r.date] then seen[r.date] = true; bins[#bins + 1] = r.date end
end
-- dates 2021-01 to 2024-01 (37 months): years; 002 has none
t.is_deeply(bins, { "2021", "2022", "2023", "2024", "(none)" }, "bins: the years of the dates, then (none)")
t.is(#by, #bins * #plain, "a row per bin and word")
local sum, tokens, docs = {}, {}, {}
local per_million_ok, ranks_ok = true, true
for i, r in ipairs(by) do
  sum[r.word] = (sum[r.word] or 0) + r.freq
  tokens[r.date], docs[r.date] = r.bin_tokens, r.bin_docs
  if r.bin_tokens > 0 and math.abs(r.per_million - r.freq * 1e6 / r.bin_tokens) > 1e-6 then per_million_ok = false end
  local p = plain[(i - 1) % #plain + 1]
  if r.word ~= p.word or r.rank ~= p.rank then ranks_ok = false end
end
t.ok(ranks_ok, "each bin lists the plain table's words in its order, with their rank")
t.ok(per_million_ok, "per_million is per million tokens of the bin")
local adds_up = true
for _, p in ipairs(plain) do if sum[p.word] ~= p.freq then adds_up = false end end
t.ok(adds_up, "a word's counts over the bins add up to its count in the plain table")
local total_tokens, total_docs = 0, 0
for _, b in ipairs(bins) do total_tokens = total_tokens + tokens[b]; total_docs = total_docs + docs[b] end
local head = run("")
t.is(total_tokens, tonumber(head:match("^(%d+) tokens")), "the bins' tokens add up to the corpus's")
t.is(total_docs, 5, "every document is in one bin")
t.is(docs["(none)"], 1, "the document without a date is in (none)")
t.is(docs["2024"], 1, "2024 holds the other NCRI document")

-- months: every month from the first date to the last, empty ones with no per_million
local months = rows_of("--by date --bin month") or {}
local first, last, n, empty_ok = months[1] and months[1].date, nil, 0, true
local mseen = {}
for _, r in ipairs(months) do
  if not mseen[r.date] then mseen[r.date] = true; n = n + 1 end
  if r.date ~= "(none)" then last = r.date end
  if r.bin_tokens == 0 and ((r.per_million ~= nil and r.per_million ~= json.null) or r.freq ~= 0) then empty_ok = false end
end
t.is(first, "2021-01", "--bin month: from the first month")
t.is(last, "2024-01", "--bin month: to the last")
t.is(n, 37 + 1, "--bin month: every month in between, and (none)")
t.ok(empty_ok, "--bin month: an empty month has freq 0 and no per_million")

-- the picture draws the same bins
local svg = dir .. "/by.svg"
local _, code, err = run("--by date --svg " .. q(svg) .. " --out /dev/null")
t.is(code, 0, "--by date --svg exits 0", err)
local pic = io.open(svg) and io.open(svg):read("a") or ""
t.ok(pic:find(">2021<", 1, true) and pic:find(">2024<", 1, true) and pic:find("date (by year)", 1, true),
  "the picture's bins are the table's years")

-- outlets: each value a bin, in sorted order
local outlets = rows_of("--by outlet") or {}
local oseen, olist = {}, {}
for _, r in ipairs(outlets) do if not oseen[r.outlet] then oseen[r.outlet] = true; olist[#olist + 1] = r.outlet end end
t.is_deeply(olist, { "Brussels Signal", "Iran Focus", "Iran News Update", "NCRI" }, "--by outlet: a bin per outlet")

-- every format: the same rows
local text = run("--by date")
t.like(text, "per year of date %(4 bins, and %(none%): 1 documents without date%), per_million of each bin's tokens",
  "text: the heading says the bins and what per_million is per")
t.like(text, "\ndate +rank +word +freq +per_million +docs +bin_tokens +bin_docs\n", "text: the columns")
local csv = run("--by date --format csv")
t.like(csv, "^date,rank,word,freq,per_million,docs,bin_tokens,bin_docs\r\n", "csv: the header")
t.is(select(2, csv:gsub("\n", "")), #by + 1, "csv: a line per row")
local tsv = run("--by date --format tsv")
t.is(select(2, tsv:gsub("\n", "")), #by + 1, "tsv: a line per row")
t.like(tsv, "\n%(none%)\t1\t", "tsv: the (none) bin")
local md = run("--by date --format md")
t.like(md, "| date +| rank | word +| freq | per_million | docs | bin_tokens | bin_docs |", "md: the columns")

-- --db: the same rows in table freq
local dbfile = dir .. "/by.db"
_, code, err = run("--by date --db " .. q(dbfile) .. " --out /dev/null")
t.is(code, 0, "--db exits 0", err)
local out = t.run("sqlite3 " .. q(dbfile) .. " " .. q("SELECT count(*), sum(freq), count(DISTINCT date) FROM freq"))
local total_freq = 0
for _, r in ipairs(by) do total_freq = total_freq + r.freq end
t.is(out, ("%d|%d|%d\n"):format(#by, total_freq, #bins), "--db: table freq holds the rows, a column named date")

-- a field named like a column gets by_ before it
local wf = assert(io.open(c .. "/metadata.csv", "wb"))
wf:write((meta:gsub("^id,date,outlet", "id,word,outlet")))
wf:close()
local named = rows_of("--by word") or {}
t.ok(named[1] and named[1].by_word ~= nil and named[1].word ~= nil, "--by word: the bin's column is by_word")

local help = t.run(q(t.corpusrun) .. " scripts/freq.lua --help")
t.like(help, "long format", "--help says what --by gives")
os.execute("rm -rf " .. q(dir))
t.done()
