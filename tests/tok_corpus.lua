-- tok_corpus.lua — the tokenizer on the sample corpus: its hard cases, and
-- spans that always give back the original text.
local t = require "tap"
local tokenize = require "tokenize"

local files = {}
local p = io.popen("ls corpus/*.txt")
for f in p:lines() do files[#files + 1] = f end
p:close()
t.ok(#files >= 5, "sample corpus present")

local all = {}
for _, path in ipairs(files) do
  local f = assert(io.open(path, "rb")); local text = f:read("a"); f:close()
  all[#all + 1] = text
  local pos, tiled, n = 1, true, 0
  for tok, _, a, b in tokenize.tokens(text, { spaces = true }) do
    if a ~= pos or text:sub(a, b) ~= tok then tiled = false end
    pos = b + 1
    n = n + 1
  end
  t.ok(tiled and pos == #text + 1, path .. ": " .. n .. " tokens with spaces tile the text")
end
local text = table.concat(all, "\n\n")

local kinds = {}
for tok, kind in tokenize.tokens(text) do kinds[tok] = kinds[tok] or kind end
t.is(kinds["Zakani’s"], "word", "Zakani’s is one word")
t.is(kinds["Défi"], "word", "Défi is a word")
t.is(kinds["heir-apparent"], "word", "heir-apparent is one word")
t.is(kinds["30"], "number", "“30, 000”: 30")
t.is(kinds["000"], "number", "“30, 000”: 000")
t.is(kinds["“"], "punct", "curly quote is punctuation")
t.is(kinds["—"], "punct", "em dash apart")
t.is(kinds["executions—a"], nil, "em dash never joins")

local keys = {}
for w in tokenize.words(text, { level = "key" }) do keys[w] = (keys[w] or 0) + 1 end
t.ok((keys["zakani"] or 0) >= 2, "key: Zakani and Zakani’s meet")
t.ok(keys["defi"] == 1, "key: Défi is defi")

local dr = 0
for s in tokenize.sentences(text) do
  if s:find("Dr%. Massoud Kashefi") or s:find("Dr%. Kashfi asserted") then dr = dr + 1 end
  if s:match("Dr%.$") then t.ok(false, "a sentence ends at Dr.: " .. s) end
end
t.is(dr, 2, "Dr. does not end a sentence")
t.done()
