-- query_brown.lua: hit counts on the whole tagged Brown corpus (bench/data,
-- fetched on first use; skipped where it cannot be, failing under CI=true),
-- each checked by hand with awk over the files' word/tag tokens, and the
-- frequency breakdown of a result against a count of the same tokens.
local t = require "tap"
local corpus = require "corpus"
local query = require "query"

local dir = t.brown("tagged")
local f = io.open(dir .. "/ca01", "rb")
if not f then t.require_or_skip("no tagged Brown corpus in " .. dir) end
f:close()

local c = assert(corpus.open(dir, { format = "tagged" }))
local info = require("query.core").info(query.positions(c))
t.is(info.size, 1161192, "1,161,192 tokens (the files' word/tag pairs)")
t.is(info.structs.text.n, 500, "500 texts")
t.is(info.structs.s.n, 57340, "57,340 sentences (the files' non-blank lines)")

-- each count: awk over the tokens of every file (the word before the last
-- "/", the tag after it), as the comments say
local cases = {
  -- tolower(word) == "the"
  { '"the"%c', 69971 },
  -- tolower(word) == "house"
  { '"house"%c', 591 },
  { '"tornado"', 1 },
  -- word "in" followed by word "the"
  { '"in" "the"', 5546 },
  -- a tag starting jj, then tolower(word) == "house"
  { '[pos="jj.*"] "house"%c', 137 },
  -- "the" (any case), 1 to 3 tags jj*, a tag nn*: one hit per such "the"
  { '"the"%c [pos="jj.*"]{1,3} [pos="nn.*"]', 11398 },
  -- standard: every np* token is a hit (the shortest match from each start)
  { '[pos="np.*"]+ within s', 43179 },
  -- longest: the maximal runs of np* tokens on one line
  { '(?longest) [pos="np.*"]+ within s', 34482 },
  -- the same runs when the strategy comes from the options
  { '[pos="np.*"]+ within s', 34482, "longest" },
}
for _, case in ipairs(cases) do
  local r = assert(c:query(case[1], case[3] and { strategy = case[3] } or nil))
  t.is(#r, case[2], case[1] .. (case[3] and " (" .. case[3] .. ")" or ""))
end

-- the frequency breakdown of '"the"%c' by word: The and the (and THE)
local rows = assert(c:query('"the"%c')):count("word")
local by = {}
for _, r in ipairs(rows) do by[r.key] = r.count end
local sum = 0
for _, r in ipairs(rows) do sum = sum + r.count end
t.is(sum, 69971, "the breakdown adds up to the hits")
t.ok(by.the and by.The and by.the > by.The, "the, then The: " .. tostring(rows[1].key) .. " " .. tostring(rows[1].count))

t.done()
