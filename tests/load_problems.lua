-- Bad input never crashes and is never lost silently: symlink loops,
-- unreadable paths, size limits, and the on_error policies.
local t = require "tap"
local corpus = require "corpus"
local q = t.shell_quote

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. q(tmp .. "/loop/inner") .. " " .. q(tmp .. "/odd")))
local function write(path, s)
  local f = assert(io.open(tmp .. "/" .. path, "wb")); f:write(s); f:close()
end
write("loop/a.txt", "top\n")
write("loop/inner/b.txt", "inner\n")
assert(os.execute("ln -s .. " .. q(tmp .. "/loop/inner/up")))          -- a loop
assert(os.execute("ln -s missing.txt " .. q(tmp .. "/loop/dangling.txt")))
write("odd/good.txt", "fine\n")
write("odd/big.txt", string.rep("x", 5000))
write("odd/.hidden.txt", "hidden\n")
write("odd/picture.png", "\137PNG")
assert(os.execute("mkfifo " .. q(tmp .. "/odd/pipe.txt")))

local function messages(c)
  local out = {}
  for _, p in ipairs(c:problems()) do out[#out + 1] = p.kind .. " " .. p.message:gsub(tmp, "TMP", 1) end
  return out
end
local function ids(c)
  return c:ids()
end

-- ---- symlink loop, dangling link ---------------------------------------------
do
  local c = assert(corpus.open(tmp .. "/loop", { on_error = "skip" }))
  t.is_deeply(ids(c), { "a.txt", "inner/b.txt" }, "a directory with a symlink loop loads once, no endless walk")
  t.is_deeply(messages(c), {
    "skipped TMP/loop/dangling.txt: broken symbolic link: No such file or directory",
    "skipped TMP/loop/inner/up: symbolic link loop: leads back to an enclosing directory",
  }, "the loop and the dangling link are reported")
end

do
  local ok, err = pcall(corpus.open, tmp .. "/loop", { on_error = "error" })
  t.is(ok, false, "on_error='error': a problem found while listing raises at open")
  t.like(err, "^corpus: .*/loop/dangling.txt: broken symbolic link", "... naming the file and the problem")
end

-- ---- FIFO, size limit, unknown format, hidden ------------------------------------
do
  local c = assert(corpus.open(tmp .. "/odd", { on_error = "skip", max_bytes = 1000 }))
  t.is_deeply(ids(c), { "good.txt" }, "ids: the over-limit file is known by its size, without reading")
  local got = {}
  for d in c:docs() do got[#got + 1] = d.id end
  t.is_deeply(got, { "good.txt" }, "over-limit file not read; FIFO, unknown and hidden files not loaded")
  t.is_deeply(messages(c), {
    "skipped TMP/odd/pipe.txt: not a regular file",
    "skipped TMP/odd/big.txt: 5000 bytes, over the limit of 1000: not read",
    "skipped TMP/odd/picture.png: unknown format (use format= or include=)",
  }, "each is reported with its reason")
  local h = assert(corpus.open(tmp .. "/odd", { on_error = "skip", hidden = true, include = { "*.txt" } }))
  t.is_deeply(h:ids(), { ".hidden.txt", "big.txt", "good.txt" }, "hidden=true loads hidden files")
end

-- ---- unreadable files --------------------------------------------------------------
-- /proc/self/mem opens but fails to read at byte 0 (EIO), for root too; a
-- chmod 000 file is unreadable for everyone else (root ignores permissions).
do
  local c = assert(corpus.open("/proc/self/mem", { on_error = "skip" }))
  local n = 0
  for _ in c:docs() do n = n + 1 end
  t.is_deeply({ n, messages(c) }, { 0, { "skipped /proc/self/mem: read error at byte 0: Input/output error" } },
    "a file that cannot be read is reported with the byte and the system's reason")
  assert(os.execute("mkdir -p " .. q(tmp .. "/unread")))
  write("unread/a.txt", "fine\n")
  write("unread/z.txt", "also fine\n")
  assert(os.execute("ln -s /proc/self/mem " .. q(tmp .. "/unread/m.txt")))
  local d = assert(corpus.open(tmp .. "/unread", { on_error = "skip" }))
  local got = {}
  for doc in d:docs() do got[#got + 1] = doc.id end
  t.is_deeply({ got, messages(d) },
    { { "a.txt", "z.txt" }, { "skipped TMP/unread/m.txt: read error at byte 0: Input/output error" } },
    "... and the files around it in a directory still load")
  write("locked.txt", "secret\n")
  os.execute("chmod 000 " .. q(tmp .. "/locked.txt"))
  local f = io.open(tmp .. "/locked.txt", "rb")
  if f then
    f:close()
    t.diag("running as root: a chmod 000 file stays readable; /proc/self/mem above is the unreadable case")
  else
    c = assert(corpus.open(tmp .. "/locked.txt", { on_error = "skip" }))
    n = 0
    for _ in c:docs() do n = n + 1 end
    t.is_deeply({ n, messages(c) }, { 0, { "skipped TMP/locked.txt: cannot open: Permission denied" } },
      "a file without read permission is reported")
  end
end

do
  local c, err = corpus.open(tmp .. "/no/such/dir")
  t.is(c, nil, "a missing source: nil")
  t.is(err and err:gsub(tmp, "TMP", 1), "TMP/no/such/dir: No such file or directory", "... and a message naming it")
end

-- ---- on_error policies ---------------------------------------------------------
do
  local script = tmp .. "/warn.lua"
  local f = assert(io.open(script, "wb"))
  f:write([[
local corpus = require "corpus"
local c = assert(corpus.open(arg[1], { on_error = arg[2] }))
local n = 0
for d in c:docs() do n = n + 1 end
for d in c:docs() do end
print(n, #c:problems())
]])
  f:close()
  local run = function(mode)
    return t.run(q(t.corpusrun) .. " " .. q(script) .. " tests/data/load/news.jsonl " .. mode)
  end
  local out, code, err = run("warn")
  t.is(out, "4\t3\n", "warn: good documents load")
  t.is(err, "corpusrun: corpus: tests/data/load/news.jsonl:2: invalid JSON at column 62: expected ',' or '}'\n" ..
    "corpusrun: corpus: tests/data/load/news.jsonl:6: no \"text\" field\n" ..
    "corpusrun: corpus: tests/data/load/news.jsonl:7: invalid JSON at column 1: not a JSON object\n" ..
    "corpusrun: corpus: 3 items skipped, 0 files decoded with a fallback encoding (c:problems() lists them)\n",
    "warn: one line on stderr per problem, once even over two passes, and a summary at the end of the pass")
  out, code, err = run("skip")
  t.is(out .. err, "4\t3\n", "skip: counted, not printed")
  out, code, err = run("error")
  t.is(out, "", "error: stops")
  t.isnt(code, 0, "error: exit status")
  t.like(err, "corpus: tests/data/load/news.jsonl:2: invalid JSON at column 62", "error: raised at the first problem")
  local c = assert(corpus.open("tests/data/load/news.jsonl", { on_error = "error" }))
  local seen = {}
  local ok, e = pcall(function() for d in c:docs() do seen[#seen + 1] = d.id end end)
  t.is_deeply({ ok, seen }, { false, { "n1" } }, "error: documents before the problem were delivered")
  t.like(e, "news.jsonl:2:", "error: message names file and line")
end

-- ---- broken archives ---------------------------------------------------------------
do
  assert(os.execute("mkdir -p " .. q(tmp .. "/arch/src")))
  write("arch/fake.txt.gz", "plain text, not gzip\n")
  local big = {}
  for i = 1, 6000 do big[#big + 1] = string.format("%08x%08x", (i * 2654435761) % 4294967296, (i * 40503) % 65536) end
  write("arch/src/a.txt", table.concat(big, "\n"))
  write("arch/src/b.txt", table.concat(big, " ", 1, 3000))
  assert(os.execute("cd " .. q(tmp .. "/arch/src") .. " && tar -cf ../full.tar a.txt b.txt && ln -s a.txt c.txt && tar -cf ../links.tar c.txt"))
  local f = assert(io.open(tmp .. "/arch/full.tar", "rb")); local tar = f:read("a"); f:close()
  write("arch/cut.tar", tar:sub(1, 512 + 65536 + 10000))    -- inside a.txt
  os.remove(tmp .. "/arch/full.tar")
  os.execute("rm -r " .. q(tmp .. "/arch/src"))
  local c = assert(corpus.open(tmp .. "/arch", { on_error = "skip" }))
  local got = {}
  for d in c:docs() do got[#got + 1] = d.id end
  t.is_deeply(got, {}, "broken archives yield no documents")
  local m = messages(c)
  t.like(m[1] or "", "^skipped TMP/arch/cut.tar/a.txt: read error at byte %d+: Truncated", "a truncated member is reported with its byte")
  t.is(m[#m - 1], "skipped TMP/arch/fake.txt.gz: not compressed data (by its extension it should be)", "a .gz that is not gzip")
  t.is(m[#m], "skipped TMP/arch/links.tar: member c.txt: not a regular file", "a symbolic link member is reported")
end

-- ---- misuse of an option names the option, what it takes, and argument 2 ---------------
do
  local function err(opts)
    local ok, e = pcall(corpus.open, "corpus", opts)
    return ok and "no error" or e
  end
  local pre = "bad argument #2 to 'corpus.open' (option "
  local cases = {
    { { on_error = "x" }, [['on_error' must be "warn", "error" or "skip", not 'x')]] },
    { { on_error = true }, [['on_error' must be "warn", "error" or "skip", not a boolean)]] },
    { { control = "x" }, [['control' must be "keep" or "strip", not 'x')]] },
    { { format = "pdf" }, [['format' must be "text", "jsonl", "csv", "tsv", "html", "xml", "conllu", "vrt" or "tagged", not 'pdf')]] },
    { { text = 1 }, "'text' must be a string, not 1)" },
    { { id = {} }, "'id' must be a string, not a table)" },
    { { title = false }, "'title' must be a string, not a boolean)" },
    { { element = 2 }, "'element' must be a string, not 2)" },
    { { include = 3 }, "'include' must be a string or a list of strings, not 3)" },
    { { exclude = { "*.txt", 2 } }, "'exclude' must be a string or a list of strings, not a list holding a number at 2)" },
    { { name_fields = true }, "'name_fields' must be a string or a list of strings, not a boolean)" },
    { { hidden = "yes" }, "'hidden' must be true or false, not 'yes')" },
    { { sidecar = 0 }, "'sidecar' must be true or false, not 0)" },
    { { max_bytes = -1 }, "'max_bytes' must be an integer >= 0 (bytes), not -1)" },
    { { max_bytes = 1.5 }, "'max_bytes' must be an integer >= 0 (bytes), not 1.5)" },
    { { encoding = "nope" }, [['encoding' must be "auto" or an encoding iconv knows (iconv -l), not 'nope')]] },
    { { fallback = "nope" }, "'fallback' must be an encoding iconv knows (iconv -l), not 'nope')" },
  }
  for _, case in ipairs(cases) do
    local k = next(case[1])
    t.is(err(case[1]), pre .. case[2], "corpus.open: a bad " .. k .. "= is named with what it takes")
  end
  t.is(err({ colour = "red" }), "bad argument #2 to 'corpus.open' (unknown option 'colour')", "an unknown option")
  t.is(err({ hidden = false, sidecar = true, max_bytes = 0, control = "strip", on_error = "skip", format = "text",
    encoding = "latin1", fallback = "utf-16" }), "no error", "every option with a good value")
end

-- ---- a stray quote loses only its own row -----------------------------------------
do
  local rows = { "id,text", 'r1,"stray' }
  for i = 1, 999 do rows[#rows + 1] = ("g%d,good row %d"):format(i, i) end
  write("stray.csv", table.concat(rows, "\n") .. "\n")
  local c = assert(corpus.open(tmp .. "/stray.csv", { on_error = "skip" }))
  local n, last = 0, nil
  for d in c:docs() do n, last = n + 1, d end
  t.is_deeply({ n, #c, last.id, last.text }, { 999, 999, "g999", "good row 999" },
    "csv: an unterminated quote at row 2 loses that row only: the 999 rows after it load")
  t.is_deeply(messages(c), { "skipped TMP/stray.csv:2: unterminated quoted field: the quote at byte 11 " ..
    "is never closed; reading resumes at line 3" }, "... one skipped item, with its line, byte and where reading resumed")
  t.is(c:problems()[1].offset, 11, "... the offset is the quote's byte")
  write("tweets.tsv", 'id\ttext\nt1\t"Quoted tweet, never closed\nt2\tplain\nt3\t"Quoted" tweet\nt4\tlast\n')
  local tw = assert(corpus.open(tmp .. "/tweets.tsv", { on_error = "skip" }))
  local got = {}
  for d in tw:docs() do got[#got + 1] = d.id .. "=" .. d.text end
  t.is_deeply(got, { "t2=plain", "t4=last" }, "tsv: a stray quote closed by a later row's quote loses only its row")
  t.is_deeply(messages(tw), {
    "skipped TMP/tweets.tsv:2: text after a closing quote: the field quoted at byte 11 runs over several lines; " ..
      "reading resumes at line 3",
    "skipped TMP/tweets.tsv:4: text after a closing quote",
  }, "... each bad row reported once")
end

-- ---- a table without the text column: one rule wherever it is found ----------------
do
  assert(os.execute("mkdir -p " .. q(tmp .. "/tables/d") .. " " .. q(tmp .. "/tables/d2")))
  write("tables/d/g.csv", "name,kind\nEU,ORG\n")
  write("tables/d/a.txt", "a text\n")
  assert(os.execute("cd " .. q(tmp .. "/tables/d") .. " && tar -cf ../g.tar g.csv && cp ../g.tar ../d2/"))
  local why = ': a table without a "text" column: not documents (name the column with text=)'
  local function probe(src)
    local c = assert(corpus.open(tmp .. "/tables/" .. src, { on_error = "skip" }))
    for _ in c:docs() do end
    return messages(c)
  end
  t.is_deeply(probe("d"), { "ignored TMP/tables/d/g.csv:1" .. why }, "found walking a directory: ignored")
  t.is_deeply(probe("d/*.csv"), { "ignored TMP/tables/d/g.csv:1" .. why }, "found by a glob: ignored")
  t.is_deeply(probe("g.tar"), { "ignored TMP/tables/g.tar/g.csv:1" .. why }, "a member of an archive named: ignored")
  t.is_deeply(probe("d2"), { "ignored TMP/tables/d2/g.tar/g.csv:1" .. why },
    "a member of an archive found in a directory: ignored, the same message")
  t.is_deeply(probe("d/g.csv"), { "skipped TMP/tables/d/g.csv:1" .. why }, "the table named as the source: skipped")
  local script = tmp .. "/tables/run.lua"
  local f = assert(io.open(script, "wb"))
  f:write('local c = require("corpus").open(arg[1]); local n = 0; for _ in c:docs() do n = n + 1 end; print(n)\n')
  f:close()
  local out, _, err = t.run(q(t.corpusrun) .. " " .. q(script) .. " " .. q(tmp .. "/tables/g.tar"))
  t.is(out .. err, "0\n", "warn: an ignored table is not printed, from an archive as from a directory")
  out, _, err = t.run(q(t.corpusrun) .. " " .. q(script) .. " " .. q(tmp .. "/tables/d/g.csv"))
  t.is((err:gsub(tmp, "TMP")), "corpusrun: corpus: TMP/tables/d/g.csv:1" .. why .. "\n" ..
    "corpusrun: corpus: 1 item skipped, 0 files decoded with a fallback encoding (c:problems() lists them)\n",
    "warn: a table named as the source is reported")
end

-- ---- the list of problems is bounded ---------------------------------------------
do
  local f = assert(io.open(tmp .. "/bad.jsonl", "wb"))
  f:write(string.rep("{bad\n", 10500), '{"text": "fine"}\n')
  f:close()
  local c = assert(corpus.open(tmp .. "/bad.jsonl", { on_error = "skip" }))
  t.is(#c, 1, "the one good line of 10 501 loads")
  local list, counts = c:problems()
  t.is(#list, 10001, "10 000 problems are listed, then one note")
  t.is(list[#list].message, "(corpus): more than 10000 problems: the rest are not listed", "the note")
  t.is(counts.skipped, 10001, "counts match the list")
end

os.execute("rm -rf " .. q(tmp))
t.done()
