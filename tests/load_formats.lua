-- corpus.open on every format: the exact documents, metadata and problems.
local t = require "tap"
local corpus = require "corpus"

local D = "tests/data/load/"

-- All documents of a corpus as plain tables, and its problems.
-- Problems are checked through c:problems(), so they are not printed.
local function load(src, opts)
  opts = opts or {}
  if opts.on_error == nil then opts.on_error = "skip" end
  local c = assert(corpus.open(src, opts))
  local docs = {}
  for d in c:docs() do
    docs[#docs + 1] = { id = d.id, path = d.path, title = d.title, text = d.text, bytes = d.bytes, meta = d.meta }
  end
  local probs = {}
  for _, p in ipairs(c:problems()) do probs[#probs + 1] = p.kind .. " " .. p.message end
  return docs, probs, c
end

local function ids(docs)
  local out = {}
  for i, d in ipairs(docs) do out[i] = d.id end
  return out
end

-- ---- plain text: the sample corpus -------------------------------------------
do
  local docs, probs = load("corpus")
  t.is_deeply(ids(docs), { "000_bffbd40d78d47571.txt", "001_e8d32c68db4d5ae8.txt", "002_1b50013527941c34.txt",
    "003_215d9fb04907b489.txt", "004_62ef3bdf8865f1a7.txt" }, "sample corpus: five documents in sorted order")
  t.is(docs[1].path, "corpus/000_bffbd40d78d47571.txt", "path as opened")
  t.is(docs[3].title, "Urgent Call to Protect Political Refugees in Belgium", "title: first non-empty line")
  t.is(docs[1].bytes, 3463, "bytes: the file size")
  local f = assert(io.open("corpus/002_1b50013527941c34.txt", "rb")); local raw = f:read("a"); f:close()
  t.is(docs[3].text, raw, "text is the file's text")
  t.is(#probs, 1, "one note: entities.tsv holds no documents")
  t.like(probs[1] or "", "^ignored corpus/entities.tsv:1: a table without a \"text\" column", "entities.tsv is listed as ignored")
end

-- ---- Brown corpus files with a sidecar metadata.csv --------------------------
do
  local docs, probs = load(D .. "brown")
  t.is_deeply(ids(docs), { "ca01.txt", "cg22.txt", "cj01.txt" }, "brown: three files; metadata.csv is not a document")
  t.is_deeply(docs[1].meta, { genre = "press: reportage", source = "Brown" }, "sidecar metadata by relative path")
  t.is(docs[3].meta.genre, "learned", "sidecar row of cj01")
  t.like(docs[1].title, "^The Fulton County Grand Jury said Friday", "brown title")
  t.is(#probs, 0, "no problems")
  local nd = load(D .. "brown", { name_fields = { "genre_letter" }, sidecar = false })
  t.is_deeply(nd[2].meta, { genre_letter = "cg22" }, "name_fields from the file name; sidecar off")
  local nf = load("corpus", { name_fields = { "n", "hash", "extra" } })
  t.is_deeply(nf[1].meta, { n = "000", hash = "bffbd40d78d47571" }, "name_fields split on _; missing parts are absent")
end

-- ---- JSON Lines: a broken line in the middle ---------------------------------
do
  local docs, probs = load(D .. "news.jsonl")
  t.is_deeply(ids(docs), { "n1", "news.jsonl#3", "4", "n8" }, "jsonl: good lines load, ids from the id field or file#line")
  t.is(docs[1].text, "First story.\nSecond line.", "jsonl: escapes decoded, CRLF becomes LF")
  t.is_deeply(docs[1].meta, { outlet = "bbc", year = 2024, tags = '["a", "b"]', ok = true },
    "jsonl: other fields are metadata (numbers, booleans, nested JSON as text)")
  t.is(math.type(docs[1].meta.year), "integer", "jsonl: integer stays integer")
  t.is(docs[2].title, "Custom title", "jsonl: title field")
  t.is_deeply(docs[2].meta, { outlet = "vrt" }, "jsonl: title is not repeated in meta")
  t.is_deeply(docs[3].meta, { score = 0.5 }, "jsonl: null fields are absent")
  t.is(docs[4].text, "Café 😀 end", "jsonl: \\u escapes and surrogate pairs")
  t.is(docs[1].bytes, 115, "jsonl: bytes of the line")
  t.is_deeply(probs, {
    "skipped " .. D .. "news.jsonl:2: invalid JSON at column 62: expected ',' or '}'",
    "skipped " .. D .. "news.jsonl:6: no \"text\" field",
    "skipped " .. D .. "news.jsonl:7: invalid JSON at column 1: not a JSON object",
  }, "jsonl: each bad line reported with its line; neighbours unharmed")
  local alt = load(D .. "news.jsonl", { text = "body", on_error = "skip" })
  t.is_deeply(ids(alt), { "n6" }, "jsonl: text= names the text field")
end

-- ---- CSV with quoted newlines and a ragged row; TSV --------------------------
do
  local docs, probs = load(D .. "quoted.csv")
  t.is_deeply(ids(docs), { "a1", "a2", "a4" }, "csv: the ragged row is skipped, the rest load")
  t.is(docs[1].text, "Line one\nline two, with comma", "csv: quoted newline and comma")
  t.is(docs[2].text, 'He said "hi"', "csv: doubled quotes")
  t.is(docs[1].title, "First", "csv: title column")
  t.is_deeply(docs[1].meta, { year = "2023" }, "csv: other columns are metadata (strings)")
  t.is_deeply(probs, { "skipped " .. D .. "quoted.csv:5: row has 5 fields, header has 4" },
    "csv: the ragged row is reported with the line it starts on")
  local tsv = load(D .. "table.tsv")
  t.is_deeply(ids(tsv), { "t1", "t2" }, "tsv: by extension")
  t.is(tsv[2].text, "quoted\ttab", "tsv: quoted tab")
  t.is_deeply(tsv[1].meta, { lang = "de" }, "tsv: metadata")
end

-- ---- encodings, NUL, newlines, empty -----------------------------------------
do
  local docs, probs = load(D .. "enc")
  t.is_deeply(ids(docs), { "bom.txt", "empty.txt", "latin1.txt", "lone.txt", "nul.txt", "utf16le.txt" }, "enc: all load")
  local by = {}
  for _, d in ipairs(docs) do by[d.id] = d end
  t.is(by["bom.txt"].text, "With BOM\nold mac\nline\n", "UTF-8 BOM dropped; CRLF and CR become LF")
  t.is(by["empty.txt"].text, "", "empty file: a document with empty text")
  t.is(by["empty.txt"].title, "", "empty file: empty title")
  t.is(by["latin1.txt"].text, "Café crème brûlée\n", "Latin-1 decoded through the windows-1252 fallback")
  t.is(by["lone.txt"].text, "abc € def\n", "lone continuation byte: file decoded as windows-1252")
  t.is(by["nul.txt"].text, "before\0after\n", "NUL kept: the document is not truncated")
  t.is(by["utf16le.txt"].text, "Grüße aus Köln\nzweite Zeile\n", "UTF-16LE with BOM")
  t.is(by["utf16le.txt"].bytes, 62, "bytes count the source bytes")
  t.is_deeply(probs, {
    "encoding " .. D .. "enc/latin1.txt: invalid UTF-8 at byte 3: decoded as windows-1252",
    "encoding " .. D .. "enc/lone.txt: invalid UTF-8 at byte 4: decoded as windows-1252",
  }, "each fallback reported once, with its byte offset")

  local strict, sp = load(D .. "enc", { encoding = "utf-8", on_error = "skip", include = { "l*.txt", "nul.txt" } })
  t.is_deeply(ids(strict), { "nul.txt" }, "encoding='utf-8' is strict: invalid files skipped")
  t.is_deeply(sp, {
    "skipped " .. D .. "enc/latin1.txt: invalid UTF-8 at byte 3",
    "skipped " .. D .. "enc/lone.txt: invalid UTF-8 at byte 4",
  }, "strict failures name file and byte")
  local named = load(D .. "enc/latin1.txt", { encoding = "iso-8859-1" })
  t.is(named[1].text, "Café crème brûlée\n", "a named iconv encoding")
  local stripped = load(D .. "enc/nul.txt", { control = "strip" })
  t.is(stripped[1].text, "beforeafter\n", "control='strip' removes NUL")
  local greek = load(D .. "enc/lone.txt", { fallback = "iso-8859-7", on_error = "skip" })
  t.is(greek[1].text, "abc \xC2\x80 def\n", "fallback= names the legacy encoding")
end

-- ---- encodings in multi-document files -------------------------------------------
do
  local u16 = load(D .. "utf16.tsv")
  t.is_deeply({ ids(u16), u16[1].text, u16[2].text }, { { "x1", "x2" }, "Grüße", "Köln" },
    "a UTF-16LE TSV with BOM streams through iconv")
  local l1, lp = load(D .. "latin1.csv")
  t.is_deeply({ ids(l1), l1[1].text }, { { "y1", "y2" }, "café" }, "an invalid CSV record decoded with the fallback")
  t.is_deeply(lp, { "encoding " .. D .. "latin1.csv:2: invalid UTF-8 at byte 3 of the line: decoded as windows-1252" },
    "... reported once with its line")
  local s, sp, sc = load(D .. "latin1.csv", { encoding = "utf-8" })
  t.is_deeply({ ids(s), #sc, sc:ids() }, { { "y2" }, 1, { "y2" } }, "strict: the bad record is skipped, and not counted")
  t.is_deeply(sp, { "skipped " .. D .. "latin1.csv:2: invalid UTF-8 in the record" }, "strict: reported with its line")
  local n = load(D .. "latin1.csv", { encoding = "latin1" })
  t.is(n[1].text, "café", "a named encoding for a CSV file")
end

-- ---- HTML and TEI --------------------------------------------------------------
do
  local docs, probs = load(D .. "html/page.html")
  t.is(docs[1].title, "Café & Bar", "html: <title> with entities")
  t.is(docs[1].text, "Headline\u{A0}here\n\nIt’s a bold move — really.\n\none\ntwo\n\nLast\nline",
    "html: visible text, scripts/styles/noscript dropped, entities decoded, blocks on lines")
  t.is(#probs, 0, "html: no problems")
  local gr, gp = load(D .. "html/greek.html")
  t.is_deeply({ gr[1].title, gr[1].text }, { "αβγ", "Αθήνα" }, "html: the charset the page declares decodes it")
  t.is_deeply(gp, { "encoding " .. D .. "html/greek.html: invalid UTF-8 at byte 46: decoded as iso-8859-7" },
    "html: the declared encoding is reported")
  local tei, tp = load(D .. "tei")
  t.is_deeply(ids(tei), { "sample.xml" }, "tei: the well-formed file loads")
  t.is(tei[1].title, "A Short Letter", "tei: title from titleStmt")
  t.is(tei[1].text, "Dear friend,\n\nI write from Brussels where it rains.\n\nRoses are red,\nviolets are blue.\n\nYours & truly.",
    "tei: text of <text>, header left out")
  t.is_deeply(tp, { "skipped " .. D .. "tei/broken.xml: XML not well-formed at line 3: Premature end of data in tag doc line 2" },
    "xml: a malformed file is reported with its line")
  local el = load(D .. "tei/sample.xml", { element = "l" })
  t.is(el[1].text, "Roses are red,\n\nviolets are blue.", "xml: element= chooses the element")
end

-- ---- archives ------------------------------------------------------------------
do
  local docs, probs = load(D .. "arch")
  t.is_deeply(ids(docs), { "z1", "mix.tar.gz/a.txt", "j1", "j2", "mix.tar.gz/c.html", "mix.zip/x.txt", "r1", "r2", "note.txt.gz" },
    "archives: .zst, .tar.gz, .zip and .gz members stream through the loaders; hidden members skipped")
  local by = {}
  for _, d in ipairs(docs) do by[d.id] = d end
  t.is(by["mix.tar.gz/c.html"].text, "Html & tar", "html member")
  t.is(by["mix.tar.gz/c.html"].path, D .. "arch/mix.tar.gz/c.html", "member path: archive path / member")
  t.is(by["j1"].path, D .. "arch/mix.tar.gz/sub/b.jsonl", "jsonl member path")
  t.is_deeply(by["r1"].meta, { lang = "en" }, "csv member metadata")
  t.is(by["note.txt.gz"].text, "Gzipped plain text.\n", ".gz single file")
  t.is(by["z1"].text, "zstd line", ".zst single file")
  t.is_deeply(probs, { "skipped " .. D .. "arch/mix.tar.gz/d.bin: unknown format (use format= or include=)" },
    "unknown member format reported")
  local only = load(D .. "arch/mix.tar.gz", { include = { "*.txt" } })
  t.is_deeply(ids(only), { "mix.tar.gz/a.txt" }, "include= applies to members")
  local forced = load(D .. "arch/mix.zip", { format = "text" })
  t.is(#forced, 2, "format= applies to members")
  t.is(forced[2].text, 'id,text,lang\nr1,"Row one, zipped",en\nr2,Row two,fr\n', "csv member read as text")
end

-- ---- lists of sources, globs, format override ------------------------------------
do
  local docs = load({ D .. "html/page.html", D .. "enc/bom.txt" })
  t.is_deeply(ids(docs), { "page.html", "bom.txt" }, "a list of sources, in the order given")
  local g = load(D .. "**/*.jsonl")
  t.is_deeply(ids(g), { "n1", "news.jsonl#3", "4", "n8" }, "glob with **")
  local g2 = load(D .. "enc/l*.txt", { on_error = "skip" })
  t.is_deeply(ids(g2), { "latin1.txt", "lone.txt" }, "glob with *")
  local c, err = corpus.open(D .. "nothing-*.txt")
  t.is(c, nil, "a glob matching nothing fails")
  t.is(err, D .. "nothing-*.txt: no files match", "... with a message")
  local astext = load(D .. "table.tsv", { format = "text" })
  t.is(astext[1].text, 'id\ttext\tlang\nt1\tHallo Welt\tde\nt2\t"quoted\ttab"\ten\n', "format= overrides the extension")
  local ex = load(D .. "enc", { exclude = { "l*" } })
  t.is_deeply(ids(ex), { "bom.txt", "empty.txt", "nul.txt", "utf16le.txt" }, "exclude= patterns")
end

t.done()
