-- scriptlib.lua: what the scripts in scripts/ share: opening the corpus they
-- were given, rendering one table in the format asked for, and writing the
-- result to stdout or a file.
local report = require "report"

local scriptlib = {}

-- The gazetteer kept beside a corpus's documents is not a document.
scriptlib.SIDECARS = { "entities.tsv", "entities.jsonl" }

-- c:fold moves C counters between workers through their dump and
-- count.undump; make sure fold knows how (registering twice is harmless).
local function register_counters()
  local okc, count = pcall(require, "count")
  local okf, fold = pcall(require, "fold")
  if not (okc and okf and count.types and count.undump) then return end
  for _, name in ipairs(count.types) do
    if name ~= "corpusrun.DTM" then fold.register(name, count.undump) end
  end
end

-- Opens path (nil: the default corpus); on failure prints the reason and
-- exits with status 1.
function scriptlib.open(corpus, path, opts)
  register_counters()
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.exclude = o.exclude or {}
  for _, name in ipairs(scriptlib.SIDECARS) do o.exclude[#o.exclude + 1] = name end
  local c, err = corpus.open(path, o)
  if not c then
    io.stderr:write(tostring(arg and arg[0] or "corpusrun"), ": ", tostring(err), "\n")
    os.exit(1)
  end
  return c
end

-- One table as text (aligned; `heading` printed above it), md, csv, tsv or json.
function scriptlib.render(rows, columns, format, heading)
  local o = { columns = columns }
  if format == "csv" then return report.csv(rows, o) end
  if format == "tsv" then return report.tsv(rows, o) end
  if format == "json" then return report.json(rows, o) .. "\n" end
  local body
  if #rows == 0 then body = "(none)\n"
  elseif format == "md" then body = report.markdown(rows, o)
  else body = report.text(rows, o) end
  return (heading or "") .. body
end

-- Writes text to the file `out` (its provenance receipt beside it, as
-- out.receipt.json), or to stdout when out is nil or "-".
function scriptlib.output(text, out)
  if out and out ~= "-" then
    local f, err = io.open(out, "wb")
    if not f then
      io.stderr:write(tostring(arg and arg[0] or "corpusrun"), ": ", tostring(err), "\n")
      os.exit(1)
    end
    f:write(text)
    f:close()
    require("receipt").write_sidecar(out)   -- provenance for `corpusrun replay`
  else
    io.stdout:write(text)
  end
end

-- The aliases of one entity (or of all when entity is nil) from a gazetteer
-- TSV file (entity, type, alias; header; # comments), as entries for
-- match.gazetteer: { entity =, type =, alias = }.
function scriptlib.gazetteer_entries(path, entity)
  local f, err = io.open(path, "rb")
  if not f then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
  local out = {}
  local first = true
  for line in f:lines() do
    if not line:match("^%s*#") and line:match("%S") then
      if first then
        first = false
      else
        local e, t, a = line:match("^([^\t]*)\t([^\t]*)\t([^\t\r]*)")
        if e and (entity == nil or e == entity) then out[#out + 1] = { entity = e, type = t, alias = a } end
      end
    end
  end
  f:close()
  return out
end

-- The stopword set for --stopwords LANG (tokenize.stopwords; "none": empty)
-- plus the words of a file (one per line, # comments), normalised at level.
function scriptlib.stopwords(lang, file, level)
  local tokenize = require "tokenize"
  local set = {}
  if lang and lang ~= "none" then set = tokenize.stopwords(lang) end
  if file then
    local f, err = io.open(file, "rb")
    if not f then
      io.stderr:write(tostring(err), "\n")
      os.exit(1)
    end
    for line in f:lines() do
      local w = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
      if w ~= "" then set[tokenize.normalize(w, level or "casefold")] = true end
    end
    f:close()
  end
  return set
end

-- Groups the keys of counter f by their Snowball stem (tokenize.stem, lang):
-- returns a count.freq of stems (the counts of their forms added up) and a
-- table stem -> { form = the most frequent form (ties: the first in key
-- order), n = its count, forms = every form, most frequent first }.
-- opts.sep: n-gram keys, each word stemmed (default: one word a key);
-- opts.keep(key): only the keys it accepts.  One stem per distinct key (the
-- tokens were counted in C): the work grows with the vocabulary.
function scriptlib.stems(f, lang, opts)
  opts = opts or {}
  local tokenize = require "tokenize"
  local count = require "count"
  local stem, sep, keep = tokenize.stem, opts.sep, opts.keep
  local plain = sep and sep:gsub("%p", "%%%0")
  local out, forms = count.freq(), {}
  for key, n in f:items() do           -- most frequent first, then by key
    if not keep or keep(key) then
      local s
      if sep then
        local parts = {}
        for w in (key .. sep):gmatch("(.-)" .. plain) do parts[#parts + 1] = stem(w, lang) end
        s = table.concat(parts, sep)
      else
        s = stem(key, lang)
      end
      out:add(s, n)
      local g = forms[s]
      if not g then forms[s] = { form = key, n = n, forms = { key } }
      else g.forms[#g.forms + 1] = key end
    end
  end
  return out, forms
end

scriptlib.STOPWORD_LANGUAGES = { "none", "de", "en", "es", "fr", "it", "nl", "pt" }

return scriptlib
