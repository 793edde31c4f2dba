local spec = {
  name = "discovery_eval",
  version = "1.0.0",
  description = "Evaluates the discovery of candidate entities (mentions.lua --discover) against "
    .. "the proper-noun tags of the Brown corpus (np, np$, nps, np-tl, ...): the tags are "
    .. "stripped, discovery runs on the plain text, and its candidates are compared with the "
    .. "tagged names, as distinct names (types) and as occurrences (mentions).",
  options = {
    { name = "tagged", type = "corpus", default = "bench/data/brown-tagged",
      help = "directory of Brown corpus files in word/tag form" },
    { name = "files", type = "integer", min = 1, default = 50,
      help = "how many files: every (total/N)th file in name order, so every genre is in" },
    { name = "format", short = "f", type = "enum", choices = { "text", "md", "json" }, default = "text",
      help = "output format" },
    { name = "propn", type = "boolean",
      help = "discovery reads the tagger's proper nouns (mentions.lua --propn); the tagger was trained on "
        .. "the Brown files --files 50 takes (ca01, ca11, ...: it holds out ca10, ca20, ...), so its tags are "
        .. "better here than on new text" },
    { name = "examples", type = "integer", min = 0, default = 10,
      help = "how many false positives and misses to list" },
    { name = "out", short = "o", type = "output", help = "write to FILE instead of stdout" },
  },
  examples = {
    "lua5.4 bench/lib/data.lua ensure tagged    # builds bench/data/brown-tagged",
    "corpusrun scripts/discovery_eval.lua --files 50",
  },
}
local cli = require "cli"
local opts = cli.parse(spec, arg)

local corpus = require "corpus"
local report = require "report"
local discover = require "discover"
local entities = require "entities"
local receipt = require "receipt"
local scriptlib = require "scriptlib"
local json = require "json"

-- ---- Brown word/tag text → plain text and gold name spans ------------------------

local NO_SPACE_BEFORE = { [","] = true, ["."] = true, [";"] = true, [":"] = true,
  ["?"] = true, ["!"] = true, [")"] = true, ["''"] = true }
local NO_SPACE_AFTER = { ["``"] = true, ["("] = true }

local function is_np(tag) return tag:find("^np") ~= nil end
local function is_title(tag) return tag:find("%-tl") ~= nil end
local function in_name(tag) return is_np(tag) or is_title(tag) end

-- Honorifics are titles, not part of a name: "Mr. Skyros" is the name Skyros.
local HONORIFICS = {}
for w in ("Mr. Mrs. Ms. Miss Dr. Gen. Sen. Rep. Gov. Lt. Col. Capt. Sgt. Maj. Prof. Rev. Sir Madame Monsieur Mme. Mlle. Messrs."):gmatch("%S+") do
  HONORIFICS[w] = true
end

-- Returns the plain text and the gold names: { s, e (bytes, 1-based,
-- inclusive), form, tokens } for each maximal run of proper-noun (np...)
-- and title-word (...-tl) tokens that holds a proper noun or is at least two
-- title words long ("United/vbn-tl States/nns-tl"), without a leading
-- honorific, ended by a possessive.
local function untag(tagged)
  local parts, len = {}, 0
  local gold = {}
  for line in (tagged .. "\n"):gmatch("(.-)\r?\n") do
    local prev
    local run, has_np = nil, false
    local function close()
      if run and (has_np or run.tokens >= 2) then gold[#gold + 1] = run end
      run, has_np = nil, false
    end
    local first = true
    for tok in line:gmatch("%S+") do
      local word, tag = tok:match("^(.+)/([^/]*)$")
      if not word then word, tag = tok, "" end
      if word == "``" or word == "''" then word = '"' end
      if not first and not NO_SPACE_BEFORE[tok:match("^(.+)/") or tok] and not NO_SPACE_AFTER[prev] then
        parts[#parts + 1] = " "; len = len + 1
      end
      local s = len + 1
      parts[#parts + 1] = word; len = len + #word
      local e = len
      if in_name(tag) and not (run == nil and HONORIFICS[word]) then
        if run then
          run.e = e; run.form = run.form .. " " .. word; run.tokens = run.tokens + 1
        else
          run = { s = s, e = e, form = word, tokens = 1 }
        end
        if is_np(tag) then has_np = true end
        if tag:find("%$") then close() end
      else
        close()
      end
      prev = tok:match("^(.+)/") or tok
      first = false
    end
    close()
    parts[#parts + 1] = "\n"; len = len + 1
  end
  return table.concat(parts), gold
end

-- ---- the files ---------------------------------------------------------------------

local c, err = corpus.open(opts.tagged)
if not c then
  io.stderr:write("discovery_eval: ", tostring(err), "\n",
    "discovery_eval: build the data with: lua5.4 bench/lib/data.lua ensure tagged\n")
  os.exit(1)
end
local total = #c
if total == 0 then
  io.stderr:write("discovery_eval: ", opts.tagged, ": no files\n")
  os.exit(1)
end
local step = math.max(1, total // opts.files)
receipt.note_corpus(c, opts.tagged)   -- read document by document, not through c:fold

local acc = discover.new()
local occurrences = {}   -- { doc, s, e, key }
local gold_names = {}    -- key -> { form, mentions, tokens }
local gold_spans = {}    -- doc -> { ["s:e"] = key }
local np_bytes = {}      -- doc -> array of { s, e } of gold runs (for overlap)
local used, docs_seen = 0, 0
for doc in c:docs() do
  docs_seen = docs_seen + 1
  if (docs_seen - 1) % step == 0 and used < opts.files then
    used = used + 1
    local text, gold = untag(doc.text)
    local spans = {}
    discover.add(acc, text, { key = entities.key, spans = spans, tags = opts.propn })
    for _, sp in ipairs(spans) do occurrences[#occurrences + 1] = { doc = doc.id, s = sp.s, e = sp.e, key = sp.key } end
    gold_spans[doc.id] = {}
    np_bytes[doc.id] = gold
    for _, gname in ipairs(gold) do
      local k = entities.key(gname.form)
      local gn = gold_names[k]
      if not gn then
        gn = { form = gname.form, mentions = 0, tokens = gname.tokens }
        gold_names[k] = gn
      end
      gn.mentions = gn.mentions + 1
      gold_spans[doc.id][gname.s .. ":" .. gname.e] = k
    end
  end
end

-- ---- scores --------------------------------------------------------------------------

local function in_scope(k, gn) return gn.tokens >= 2 or discover.is_acronym(gn.form) end

local predicted = {}
for _, row in ipairs(discover.rank(acc)) do predicted[row.key] = row end

local np_, tp, fps = 0, 0, {}
for k, row in pairs(predicted) do
  np_ = np_ + 1
  if gold_names[k] then tp = tp + 1 else fps[#fps + 1] = row end
end
local gold_all, gold_scope, found_scope, found_all, misses = 0, 0, 0, 0, {}
for k, gn in pairs(gold_names) do
  gold_all = gold_all + 1
  if predicted[k] then found_all = found_all + 1 end
  if in_scope(k, gn) then
    gold_scope = gold_scope + 1
    if predicted[k] then found_scope = found_scope + 1
    else misses[#misses + 1] = { name = gn.form, mentions = gn.mentions } end
  end
end

-- occurrences of kept candidates: exact span of a gold name, or overlapping one
local occ_n, occ_exact, occ_overlap = 0, 0, 0
local gold_occ_scope, gold_occ_found = 0, 0
local found_span = {}
for _, o in ipairs(occurrences) do
  if predicted[o.key] then
    occ_n = occ_n + 1
    local spanmap = gold_spans[o.doc]
    if spanmap[o.s .. ":" .. o.e] then
      occ_exact = occ_exact + 1
      found_span[o.doc .. "#" .. o.s .. ":" .. o.e] = true
    end
    for _, gname in ipairs(np_bytes[o.doc]) do
      if gname.s <= o.e and o.s <= gname.e then occ_overlap = occ_overlap + 1; break end
    end
  end
end
for id, gold in pairs(np_bytes) do
  for _, gname in ipairs(gold) do
    local gn = gold_names[entities.key(gname.form)]
    if in_scope(nil, gn) then
      gold_occ_scope = gold_occ_scope + 1
      if found_span[id .. "#" .. gname.s .. ":" .. gname.e] then gold_occ_found = gold_occ_found + 1 end
    end
  end
end

local function ratio(a, b) return b > 0 and a / b or 0 end
local rows = {
  { measure = "precision (names)", value = ratio(tp, np_), count = tp, of = np_,
    meaning = "distinct candidates that are a tagged name" },
  { measure = "recall (names in scope)", value = ratio(found_scope, gold_scope), count = found_scope, of = gold_scope,
    meaning = "distinct multi-word or acronym names found" },
  { measure = "recall (all names)", value = ratio(found_all, gold_all), count = found_all, of = gold_all,
    meaning = "distinct tagged names found (single words are out of scope)" },
  { measure = "precision (occurrences, exact)", value = ratio(occ_exact, occ_n), count = occ_exact, of = occ_n,
    meaning = "candidate occurrences with exactly a tagged name's span" },
  { measure = "precision (occurrences, overlap)", value = ratio(occ_overlap, occ_n), count = occ_overlap, of = occ_n,
    meaning = "candidate occurrences overlapping a tagged name" },
  { measure = "recall (occurrences in scope)", value = ratio(gold_occ_found, gold_occ_scope), count = gold_occ_found,
    of = gold_occ_scope, meaning = "occurrences of in-scope names found with their exact span" },
}
local F1 = 2 * rows[1].value * rows[2].value / math.max(rows[1].value + rows[2].value, 1e-300)

table.sort(fps, function(a, b)
  if a.mentions ~= b.mentions then return a.mentions > b.mentions end
  return a.key < b.key
end)
table.sort(misses, function(a, b)
  if a.mentions ~= b.mentions then return a.mentions > b.mentions end
  return a.name < b.name
end)
local fp_rows, miss_rows = {}, {}
for i = 1, math.min(opts.examples, #fps) do fp_rows[i] = { candidate = fps[i].candidate, mentions = fps[i].mentions } end
for i = 1, math.min(opts.examples, #misses) do miss_rows[i] = misses[i] end

local columns = {
  { key = "measure", title = "measure" }, { key = "value", title = "value", digits = 3 },
  { key = "count", title = "count" }, { key = "of", title = "of" }, { key = "meaning", title = "meaning" },
}
local out
if opts.format == "json" then
  out = json.encode({ files = used, corpus_files = total, f1_names = F1, measures = rows,
                      false_positives = fp_rows, misses = miss_rows }) .. "\n"
else
  local md = opts.format == "md"
  local function tbl(r, o) return md and report.markdown(r, o) or report.text(r, o) end
  out = string.format("Discovery against Brown proper-noun tags: %d of %d files (every %dth)\n\n", used, total, step)
    .. tbl(rows, { columns = columns }) .. "\n"
    .. string.format("F1 (names, in scope): %.3f\n\n", F1)
    .. "Most frequent false positives:\n\n" .. tbl(fp_rows, { columns = { "candidate", "mentions" } }) .. "\n"
    .. "Most frequent misses (in scope):\n\n" .. tbl(miss_rows, { columns = { "name", "mentions" } })
end
scriptlib.output(out, opts.out, opts.format)
