-- tok_options.lua — one dialect of tokeniser options: the same table given
-- to every function that tokenises (tokenize.*, count.*, match.gazetteer,
-- the FTS5 tokenizer `corpusrun`, corpus databases) gives the same tokens
-- and counts, and the same bad value raises the same message everywhere.
local t = require "tap"
local tokenize = require "tokenize"
local count = require "count"
local match = require "match"
local sqlite3 = require "lsqlite3"
local corpusdb = require "corpusdb"

local text = "See https://example.org/a-b and mail jane@example.org, @Zakani #Iran2024 heir-apparent "
  .. "Iran’s U.N. envoys met 2 times. L’Iran et l’Irak. Snake_case id 3-4 ©"

-- each option away from its default, and a kinds list
local opts = { urls = false, emails = false, mentions = false, hashtags = false, acronyms = false,
               hyphens = "split", possessive = "strip", elisions = true, lang = "fr", tailor = true,
               level = "key", kinds = { "word", "number", "id" } }

local function sorted_counts(freq)
  local rows = {}
  for _, r in ipairs(freq:top(1e9)) do rows[#rows + 1] = r.key .. "=" .. r.n end
  table.sort(rows)
  return table.concat(rows, " ")
end
local function counts_of(list)
  local n = {}
  for _, w in ipairs(list) do n[w] = (n[w] or 0) + 1 end
  local rows = {}
  for w, k in pairs(n) do rows[#rows + 1] = w .. "=" .. k end
  table.sort(rows)
  return table.concat(rows, " ")
end

-- the reference: tokenize.words with the table
local words = tokenize.words(text, { table = true, urls = opts.urls, emails = opts.emails, mentions = opts.mentions,
  hashtags = opts.hashtags, acronyms = opts.acronyms, hyphens = opts.hyphens, possessive = opts.possessive,
  elisions = opts.elisions, lang = opts.lang, tailor = opts.tailor, level = opts.level, kinds = opts.kinds })
local want = counts_of(words)
t.like(want, "https=1", "the options change the tokens (urls = false splits the URL)")
t.ok(not want:find("#iran2024", 1, true) and not want:find("jane@", 1, true), "mentions, hashtags and emails split")
t.ok(want:find("iran=", 1, true) and want:find("irak=", 1, true), "possessive stripped, elisions split")
t.ok(want:find("snake_case=", 1, true), "the kinds list keeps ids")
t.is(counts_of(tokenize.words(text, { table = true })) == want, false, "and differ from the defaults")

-- the same table, unchanged, to each function
local toks = {}
for w, kind in tokenize.tokens(text, opts) do toks[#toks + 1] = w end
t.is(counts_of(toks), want, "tokenize.tokens")
t.is(sorted_counts(count.freq(opts):add_text(text)), want, "count.freq (constructor)")
t.is(sorted_counts(count.freq():add_text(text, opts)), want, "f:add_text (call options)")
local df = count.df(opts):add_text(text)
t.is(#df, #count.freq(opts):add_text(text), "count.df: the same types")
local uni = count.ngrams(1, opts):add_text(text)
t.is(sorted_counts(uni), want, "count.ngrams(1)")
local co = count.cooc(opts):add_text(text)
local cf = {}
for _, w in ipairs(words) do cf[w] = co:freq(w) end
local cw = {}
for w, n in pairs(cf) do cw[#cw + 1] = w .. "=" .. n end
table.sort(cw)
t.is(table.concat(cw, " "), want, "count.cooc: word frequencies")
local dtm = count.dtm({ text }, opts)
local dt = {}
for _, r in ipairs(dtm:terms()) do dt[#dt + 1] = r.key .. "=" .. r.n end
table.sort(dt)
t.is(table.concat(dt, " "), want, "count.dtm")

-- the gazetteer: a URL part is an entity only when urls = false splits it
local g = match.gazetteer({ { "https" } }, opts)
t.is(#g:matches(text), 1, "match.gazetteer takes it (urls = false: 'https' found in the URL)")
t.is(#match.gazetteer({ { "https" } }):matches(text), 0, "by default the URL is one token")

-- the FTS5 tokenizer: its arguments from tokenize.options
local args = tokenize.options(opts)
t.is(args, "level key kinds word,number,id tailor true hyphens split possessive strip elisions true lang fr "
  .. "urls false emails false mentions false hashtags false acronyms false", "tokenize.options: the FTS5 arguments")
local function quoted(a)
  return (a:gsub("%S+", function(w) return w:find("[^%w_]") and "''" .. w .. "''" or w end))
end
local db = sqlite3.open_memory()
t.is(db:exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'corpusrun " .. quoted(args) .. "')"), sqlite3.OK,
  "FTS5 takes the arguments")
local ins = db:prepare("INSERT INTO f (body) VALUES (?)")
ins:bind_values(text); ins:step(); ins:finalize()
db:exec("CREATE VIRTUAL TABLE v USING fts5vocab(f, row)")
local fts = {}
for r in db:nrows("SELECT term, cnt FROM v") do fts[#fts + 1] = r.term .. "=" .. r.cnt end
table.sort(fts)
t.is(table.concat(fts, " "), want, "the FTS5 tokenizer: the same terms and counts")
db:close()

-- a corpus database indexed with the table
local dir = t.tempdir()
local f = assert(io.open(dir .. "/a.txt", "w")); f:write(text); f:close()
corpusdb.ingest(dir, dir .. "/c.db", { tokenize = opts, corpus = { include = { "*.txt" } } })
local cdb = sqlite3.open(dir .. "/c.db")
local meta
for r in cdb:nrows("SELECT value FROM corpusrun_meta WHERE key = 'tokenize'") do meta = r.value end
t.is(meta, args, "corpusdb.ingest records the table as the FTS5 arguments")
cdb:exec("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, documents_fts, col)")
local dbterms = {}
for r in cdb:nrows("SELECT term, cnt FROM temp.v WHERE col = 'text'") do dbterms[#dbterms + 1] = r.term .. "=" .. r.cnt end
table.sort(dbterms)
t.is(table.concat(dbterms, " "), want, "the corpus database: the same terms and counts")
cdb:close()

-- "all", spaces and sentences are the same names everywhere
t.is(#tokenize.words("a, b", { kinds = "all", table = true }), 3, "kinds = \"all\" in tokenize.words")
t.is(#count.freq({ kinds = "all" }):add_text("a, b"), 3, "and in count.freq")
t.is(count.freq({ kinds = "word", spaces = true }):add_text("a b  c"):get(" "), 1, "spaces = true adds space tokens to kinds")
t.is(#tokenize.tokens("a b", { spaces = true, table = true }), 3, "in tokenize.tokens too")
t.is(#tokenize.tokens("a b", { kinds = "word,space", spaces = false, table = true }), 2, "spaces = false wins over space in kinds")
t.is(select("#", tokenize.tokens("A b. C d.", { sentences = true })()), 5, "sentences = true: tokens give sentence numbers")
t.lives(function() tokenize.words("x", { sentences = true, urls = false }) end, "words take sentences and urls")
t.lives(function() tokenize.sentences("x", { urls = false, kinds = "all", level = "key" }) end, "sentences take every tokeniser option")

-- one bad value, one message
local function message(fn)
  local ok, err = pcall(fn)
  return not ok and err:match("%((option .*)%)$") or tostring(err)
end
local cases = {
  { { urls = "maybe" }, "option 'urls' must be true or false, not 'maybe'" },
  { { level = "loud" }, "option 'level' must be \"raw\", \"nfc\", \"casefold\" or \"key\", not 'loud'" },
  { { kinds = "wrd" }, "option 'kinds' must be \"all\" or kind names (word, number, url, email, mention, hashtag, emoji, id, punct, symbol, space), not 'wrd'" },
  { { kinds = { "word", 3 } }, "option 'kinds' must be \"all\" or kind names (word, number, url, email, mention, hashtag, emoji, id, punct, symbol, space), not a number in the list" },
  { { lang = "de" }, "option 'lang' must be \"en\", \"fr\" or \"nl\", not 'de'" },
  { { hyphens = true }, "option 'hyphens' must be \"join\" or \"split\", not 'true'" },
  { { possessive = {} }, "option 'possessive' must be \"keep\", \"strip\" or \"split\", not a table" },
  { { tailor = 1 }, "option 'tailor' must be true or false, not '1'" },
}
local callers = {
  ["tokenize.words"] = function(o) return tokenize.words("x", o) end,
  ["tokenize.tokens"] = function(o) return tokenize.tokens("x", o) end,
  ["tokenize.sentences"] = function(o) return tokenize.sentences("x", o) end,
  ["tokenize.options"] = function(o) return tokenize.options(o) end,
  ["count.freq"] = function(o) return count.freq(o) end,
  ["count.df"] = function(o) return count.df(o) end,
  ["count.ngrams"] = function(o) return count.ngrams(2, o) end,
  ["count.cooc"] = function(o) return count.cooc(o) end,
  ["count.dtm"] = function(o) return count.dtm({ "x" }, o) end,
  ["f:add_text"] = function(o) return count.freq():add_text("x", o) end,
  ["match.gazetteer"] = function(o) return match.gazetteer({}, o) end,
  ["corpusdb.ingest"] = function(o) return corpusdb.ingest(dir, dir .. "/bad.db", { tokenize = o }) end,
}
local names = {}
for name in pairs(callers) do names[#names + 1] = name end
table.sort(names)
for _, c in ipairs(cases) do
  local same = true
  for _, name in ipairs(names) do
    local got = message(function() return callers[name](c[1]) end)
    if got ~= c[2] then same = false; t.diag(name .. ": " .. got) end
  end
  t.ok(same, "every function: " .. c[2])
end
for _, name in ipairs(names) do
  local ok, err = pcall(callers[name], { urlz = false })
  t.like(not ok and err or "", "unknown option 'urlz'", name .. ": an unknown option is named")
end
-- the FTS5 tokenizer refuses the same bad value
local db2 = sqlite3.open_memory()
t.isnt(db2:exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'corpusrun urls maybe')"), sqlite3.OK,
  "FTS5: a bad value is refused")
db2:close()
os.execute("rm -rf " .. t.shell_quote(dir))
t.done()
