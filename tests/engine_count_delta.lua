-- f:delta and count.columns: per-document counts of chosen keys, packed in
-- one C call per document and read back as columns.
local t = require "tap"
local count = require "count"

-- a frequency counter: what each document added, key by key
local f, last, records = count.freq(), {}, {}
local texts = { "the cat and the dog", "", "A dog, a dog", "the end" }
for _, text in ipairs(texts) do
  f:add_text(text)
  records[#records + 1] = f:delta({ "the", "dog", "absent" }, last)
end
local cols = count.columns(records, 3)
t.is_deeply(cols, { { 2, 0, 0, 1 }, { 1, 0, 2, 0 }, { 0, 0, 0, 0 } }, "freq: each document's counts of the keys")
t.is_deeply(last, { 3, 3, 0 }, "freq: last holds the counts")
t.is(#records[2], 3, "a document that adds nothing: one byte a key")

-- counts of 128 and more take more than one byte
local big, blast = count.freq(), {}
big:add("x", 300)
local rec = big:delta({ "x" }, blast)
t.is(#rec, 2, "300 takes two bytes")
t.is(count.columns({ rec }, 1)[1][1], 300, "300 read back")

-- n-grams, by joined key or by array of words
local g, glast = count.ngrams(2), {}
g:add_text("to be or not to be")
t.is_deeply(count.columns({ g:delta({ "to be", { "or", "not" }, "be to" }, glast) }, 3),
  { { 2 }, { 1 }, { 0 } }, "ngrams: joined keys and arrays of words")

-- misuse and damage
t.raises(function() count.cooc():delta({ "a" }, {}) end, "frequency or n%-gram counter", "a co-occurrence counter is refused")
local p, plast = count.freq():add("a", 5):add("b", 1), {}
p:delta({ "b" }, plast)
p:prune(2)
t.raises(function() p:delta({ "b" }, plast) end, "fewer than the 1 before", "a count that fell (after prune) is an error")
t.raises(function() count.columns({ "\1\2\3" }, 2) end, "records%[1%] is damaged or cut at value 2", "a string ending inside a record is an error")
t.is_deeply(count.columns({ "\1\2\3\4", "", "\5\6" }, 2), { { 1, 3, 5 }, { 2, 4, 6 } }, "strings of several records, and none")
t.raises(function() count.columns({ "\1", "\128" }, 1) end, "records%[2%] is damaged or cut at value 1", "a cut varint is an error")
t.raises(function() count.columns({ "\1", 7 }, 1) end, "records%[2%] is not a string", "a record must be a string")
t.raises(function() count.columns({}, 0) end, "column count out of range", "n must be at least 1")
t.raises(function() count.columns({ ("\255"):rep(10) .. "\1" }, 1) end, "damaged", "an overlong varint is an error")
t.is_deeply(count.columns({}, 2), { {}, {} }, "no records: empty columns")
t.is_deeply(count.columns(records, 3, { 3, 1 }), { { 0, 0, 0, 0 }, { 2, 0, 0, 1 } }, "wanted columns, in the order asked")
local twice = count.columns(records, 3, { 2, 2 })
t.ok(twice[1] == twice[2] and twice[1][3] == 2, "a column wanted twice: one array")
t.raises(function() count.columns(records, 3, { 4 }) end, "wanted%[1%] is not a column 1..3", "a wanted column out of range")
t.raises(function() count.columns(records, 3, { "x" }) end, "wanted%[1%] is not a column", "a wanted column that is not a number")

t.done()
