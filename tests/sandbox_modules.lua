-- corpusrun --sandbox, attack class 3: every module function that opens a
-- file by name goes through the same policy as io.open.  Each one is called
-- with a path the script was not granted (to read, to write, through SQL);
-- each must be refused, show nothing of the file and create nothing.  The
-- documented functions whose parameters name a file (docs/api/*.md) must
-- all be listed here, so that a new one is noticed.
local t = require "tap"
local q = t.shell_quote
local CR = q(t.corpusrun)

local dir = t.tempdir()
os.execute("mkdir -p " .. q(dir .. "/corpus") .. " " .. q(dir .. "/out") .. " " .. q(dir .. "/secret"))
local function write(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb")); f:write(text); f:close()
  return dir .. "/" .. name
end
write("corpus/a.txt", "Zakani visited Brussels.\n")
local F = write("secret/secret.txt", "CANARY visited CANARY.\n")
local GAZ = write("secret/gaz.tsv", "entity\ttype\talias\nCANARY\tPERSON\tCANARY\n")
local FD = dir .. "/secret"
local FDB = dir .. "/secret/secret.db"
os.execute("sqlite3 " .. q(FDB) .. " \"CREATE TABLE canary (x); INSERT INTO canary VALUES ('CANARY')\"")
local W, WDB = dir .. "/out/new.txt", dir .. "/out/new.db"

-- Refused by other means than the path policy (and with another message).
local REFUSED_AS = {
  ["db:load_extension"] = "not supported",
  ["sqlite3.attach"] = "too many attached databases",
  ["sqlite3.vacuum_into"] = "too many attached databases",
  ["PRAGMA temp_store_directory"] = "unable to open database file",
}

-- name -> the Lua expression that passes a forbidden path (F, FD, FDB, GAZ:
-- reading; W, WDB: writing).  Every function of docs/api whose parameter
-- names a file is one of these keys, or in NOT_A_PATH below.
local CASES = {
  ["io.open"] = "io.open(F)",
  ["io.open/w"] = "io.open(W, 'w')",
  ["io.open/a+"] = "io.open(W, 'a+')",
  ["io.lines"] = "io.lines(F)",
  ["corpus.open"] = "corpus.open(F)",
  ["corpus.open/dir"] = "corpus.open(FD)",
  ["corpus.open/list"] = "corpus.open({ CORPUS, FD })",
  ["corpus.open/glob"] = "corpus.open(FD .. '/*.txt')",
  ["corpus.open/db"] = "corpus.open(FDB)",
  ["corpus.ingest"] = "corpus.ingest(CORPUS, WDB)",
  ["corpus.ingest/source"] = "corpus.ingest(FD, WDB)",
  ["corpus.index"] = "corpus.index(CORPUS, W)",
  ["corpus.index/source"] = "corpus.index(FD, W)",
  ["corpusdb.open"] = "require('corpusdb').open(FDB)",
  ["corpusdb.ingest"] = "require('corpusdb').ingest(CORPUS, WDB)",
  ["corpusrun.sha256_file"] = "corpusrun.sha256_file(F)",
  ["corpusrun.file_kind"] = "corpusrun.file_kind(F)",
  ["match.gazetteer"] = "match.gazetteer(GAZ)",
  ["tokenize.tagger"] = "assert(require('tokenize').tagger(F))",
  ["tokenize.tag/model"] = "assert(require('tokenize').tag('x', { model = F }))",
  ["match.gazetteer/jsonl"] = "match.gazetteer(GAZ, { format = 'jsonl' })",
  ["g:load"] = "match.gazetteer({}):load(GAZ)",
  ["sqlite3.open"] = "sqlite3.open(FDB)",
  ["sqlite3.open/create"] = "sqlite3.open(WDB)",
  ["sqlite3.open/uri"] = "sqlite3.open('file:' .. FDB .. '?mode=ro', sqlite3.OPEN_READONLY + (sqlite3.OPEN_URI or 64))",
  ["sqlite3.attach"] = "(function() local d = sqlite3.open_memory() assert(d:exec(\"ATTACH '\" .. FDB .. \"' AS s\") == 0, d:errmsg()) end)()",
  ["sqlite3.vacuum_into"] = "(function() local d = sqlite3.open_memory() assert(d:exec(\"VACUUM INTO '\" .. WDB .. \"'\") == 0, d:errmsg()) end)()",
  ["sqlite3.backup_init"] = "sqlite3.backup_init(sqlite3.open(WDB), 'main', sqlite3.open_memory(), 'main')",
  ["db:load_extension"] = "sqlite3.open_memory():load_extension(F)",
  ["db.open"] = "require('db').open(WDB)",
  ["db.open/readonly"] = "require('db').open(FDB, { readonly = true })",
  ["report.write"] = "require('report').write(W, 'x')",
  ["report.save"] = "require('report').save(W, { { a = 1 } })",
  ["c:save"] = "assert(require('chart').new('<svg/>'):save(W))",
  ["scriptlib.svg"] = "require('scriptlib').svg(W, '<svg/>')",
  ["receipt.write_sidecar"] = "require('receipt').write_sidecar(W)",
  ["receipt.load"] = "require('receipt').load(FDB)",
  ["receipt.record"] = "require('receipt').record(require('db').open(WDB))",
  ["scriptlib.open"] = "require('scriptlib').open(corpus, FD)",
  ["scriptlib.output"] = "require('scriptlib').output('x', W, 'csv')",
  ["scriptlib.results"] = "require('scriptlib').results({ name = 't', rows = {}, columns = {} }, { db = WDB })",
  ["scriptlib.gazetteer"] = "require('scriptlib').gazetteer(GAZ)",
  ["scriptlib.gazetteer_entries"] = "require('scriptlib').gazetteer_entries(GAZ)",
  ["scriptlib.stopwords"] = "require('scriptlib').stopwords('none', F)",
  ["entities.open_corpus"] = "require('entities').open_corpus(corpus, FD, FD .. '/gaz.tsv')",
  ["entities.write_db"] = "require('entities').write_db(WDB, {}, {}, {})",
  ["entities.write_gexf"] = "require('entities').write_gexf(W, { entities = { rows = {} }, comentions = { all = {} } })",
  ["entities.write_file"] = "require('entities').write_file(W, 'x')",
  ["sqlite3.temp_directory"] = "sqlite3.temp_directory(FD)",
  ["PRAGMA temp_store_directory"] = "(function() local d = sqlite3.open_memory() "
    .. "assert(d:exec(\"PRAGMA temp_store_directory = '\" .. FD .. \"'\") == 0, d:errmsg()) "
    .. "assert(d:exec('PRAGMA temp_store = FILE; CREATE TEMP TABLE t (x); PRAGMA temp.cache_size = 2; "
    .. "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c LIMIT 200) "
    .. "INSERT INTO t SELECT randomblob(10000) FROM c') == 0, "
    .. "d:errmsg()) end)()",
  ["cli.describe"] = "assert(require('cli').describe(F))",
  ["shards.read_manifest"] = "require('shards').read_manifest(F)",
  ["shards.plan"] = "require('shards').plan(corpus.open(), 1, W, 'c')",
  ["count.load"] = "require('count').load(sqlite3.open(FDB), 'canary')",
  ["f:save"] = "require('count').freq():save(sqlite3.open(WDB), 't')",
  ["q:save"] = "assert(corpus.open(CORPUS):query('\"Zakani\"')):save(WDB)",
  ["flock.lock"] = "assert(require('flock').lock(F))",
  ["flock.lock/create"] = "assert(require('flock').lock(W, { create = true }))",
  ["scriptlib.read_lines"] = "require('scriptlib').read_lines(F)",
  ["scriptlib.resolve_entity"] = "require('scriptlib').resolve_entity(GAZ, 'x')",
  ["corpusrun.list_dir"] = "assert(corpusrun.list_dir(FD))",
  ["receipt.read_file"] = "assert(require('receipt').read_file(F))",
  ["receipt.is_database"] = "assert(require('receipt').is_database(FDB))",
  ["commands.names"] = "assert(require('commands').names(FD))",
  ["commands.list_text"] = "assert(require('commands').list_text(FD))",
}

-- Documented functions whose file-like parameter is not a file name.
local NOT_A_PATH = {
  ["cli.script_name"] = "makes a name from a path, opens nothing",
  ["cli.describe_text"] = "takes the text", ["cli.describe_header"] = "formats a spec",
  ["corpusrun.realpath"] = "not in the sandbox's corpusrun module",
  ["corpusrun.sha256"] = "hashes a string",
  ["receipt.sidecar_name"] = "makes a name", ["receipt.is_result_file"] = "asks file_kind (listed)",
  ["receipt.note_input"] = "hashes through sha256_file (listed)", ["receipt.note_corpus"] = "records a corpus",
  ["report.format_for"] = "looks at the extension", ["report.render"] = "renders text",
  ["d:to_sqlite"] = "takes an open database (sqlite3.open, listed)",
  ["fold.register"] = "takes a type name", ["fold.install"] = "host internal",
  ["sqlite3.open_ptr"] = "not supported", ["db:db_filename"] = "names an attached database",
  ["db.wrap"] = "takes an open database",
  ["kwic.lines"] = "takes a corpus object", ["entities.write_html"] = "writes through entities.write_file (tried)",
  ["db:create_function"] = "names a function", ["db:create_aggregate"] = "names a function",
  ["db:create_collation"] = "names a collation", ["stmt:get_name"] = "names a column",
  ["stmt:get_names"] = "names columns", ["stmt:inames"] = "names columns", ["stmt:get_unames"] = "names columns",
  ["db:get_ptr"] = "not supported",
  ["corpus.glob_match"] = "matches a pattern against a name, opens nothing",
  ["scriptlib.require_documents"] = "takes a corpus object",
  ["receipt.ensure_runs"] = "takes an open database (sqlite3.open, listed)",
}

-- The documented functions with a parameter that names a file, a database
-- or a corpus source.
local FILE_PARAM = { path = true, filename = true, file = true, source = true, db = true, out = true,
  gazetteer_path = true, dir = true }
local documented = {}
for md in io.popen("ls " .. q(t.root .. "/docs/api") .. "/*.md"):lines() do
  for line in io.lines(md) do
    if line:match("^#+ ") then
      for fname, params in line:gmatch("`([%w_%.:]+)%(([^)]*)%)`") do
        for p in params:gmatch("[%w_]+") do
          if FILE_PARAM[p] then documented[fname:gsub("^lsqlite3%.", "sqlite3.")] = true end
        end
      end
    end
  end
end
local function listed(name)
  if NOT_A_PATH[name] then return true end
  for k in pairs(CASES) do if k == name or k:match("^[^/]+") == name then return true end end
  return false
end
local names = {}
for name in pairs(documented) do names[#names + 1] = name end
table.sort(names)
t.ok(#names >= 20, "the docs name the functions that take a path (" .. #names .. ")")
for _, name in ipairs(names) do
  t.ok(listed(name), name .. " (documented with a file parameter) is tried here or said not to take one")
end

-- The C sources open files by name only through pathpolicy.h's pp_open,
-- pp_fopen and pp_opendir; these raw calls are the known exceptions.
local RAW_CALLS = { "fopen", "freopen", "open", "openat", "creat", "opendir", "archive_read_open_filename",
  "sqlite3_open", "sqlite3_open_v2", "luaL_loadfile", "luaL_loadfilex", "luaL_dofile", "mkdir", "mkstemp",
  "tmpfile", "rename", "unlink", "remove", "truncate", "popen", "system", "dlopen", "gzopen", "xmlReadFile",
  "htmlReadFile", "execv", "execvp", "execl" }
local KNOWN_RAW = {
  ["host/llsqlite3.c sqlite3_open_v2"] = 1,  -- the name checked by policy_flags; SQLite's opens by the VFS
  ["host/main.c luaL_loadfile"] = 2,         -- the host's own -l and script loading; not under --sandbox
  ["host/repl.c luaL_loadfile"] = 1, ["host/repl.c opendir"] = 1, ["host/repl.c mkdir"] = 1,  -- the REPL
  ["host/embed.c luaL_loadfile"] = 1,        -- cr_host_dofile: the file a program embedding the host names
  -- the Jupyter kernel's connection file, /dev/null as its stdin, the kernelspec it installs
  -- (named on the command line; --kernel and --install-kernel refuse --sandbox)
  ["host/lcorpusindex.c tmpfile"] = 1,       -- the index build's runs: anonymous, named by no script
  ["host/kernel.c fopen"] = 2, ["host/kernel.c open"] = 1, ["host/kernel.c mkdir"] = 1,
  -- libraries opened when first needed, by the sonames the build compiled in (no script names them)
  ["host/kernel.c dlopen"] = 1, ["host/text/lazylib.c dlopen"] = 1,
}
do
  local found = {}
  local p = io.popen("cd " .. q(t.root) .. " && ls host/*.c host/text/*.c")
  for file in p:lines() do
    if file ~= "host/text/pathpolicy.c" then
      for line in io.lines(t.root .. "/" .. file) do
        if not line:match("^%s*/?%*") and not line:match("^%s*//") then
          for _, fn in ipairs(RAW_CALLS) do
            for _ in (" " .. line):gmatch("[^%w_%.:>]" .. fn .. "%(") do   -- not x.open( (Lua in a string)
              local k = file .. " " .. fn
              found[k] = (found[k] or 0) + 1
            end
          end
        end
      end
    end
  end
  p:close()
  for k, n in pairs(found) do
    t.is(n, KNOWN_RAW[k] or 0, k .. ": files a script can name are opened through pp_open/pp_fopen/pp_opendir")
  end
  for k, n in pairs(KNOWN_RAW) do t.is(found[k], n, k .. ": the known raw call is still there") end
end

local PRELUDE = ([[
local F, FD, FDB, GAZ, W, WDB, CORPUS = %q, %q, %q, %q, %q, %q, %q
local corpus, match, sqlite3, corpusrun = require "corpus", require "match", require "lsqlite3", require "corpusrun"
]]):format(F, FD, FDB, GAZ, W, WDB, dir .. "/corpus")

local function listing()
  local p = io.popen("ls -A " .. q(dir .. "/out") .. " " .. q(dir .. "/secret") .. " && cksum " .. q(FDB) .. " " .. q(F))
  local s = p:read("a"); p:close(); return s
end
local before = listing()

local cnames = {}
for name in pairs(CASES) do cnames[#cnames + 1] = name end
table.sort(cnames)
for _, name in ipairs(cnames) do
  local body = PRELUDE .. "local r = table.pack(pcall(function() return " .. CASES[name] .. " end))\n"
    .. "for i = 1, r.n do local v = r[i] if type(v) == 'table' and not getmetatable(v) then v = 'table' end io.write(tostring(v), '\\t') end print()\n"
    .. "local f = io.open(" .. ("%q"):format(dir .. "/corpus/a.txt") .. ") print(f and 'still works' or 'broken')\n"
  local s = write("script.lua", body)
  local out, code, err = t.run(CR .. " -c " .. q(dir .. "/corpus") .. " --sandbox --max-seconds 5 --max-memory 256M " .. q(s))
  local all = out .. err
  t.like(all, REFUSED_AS[name] or "sandbox: [^\n]*'[^']*' is not allowed", name .. ": refused as not allowed")
  t.ok(not all:find("CANARY", 1, true), name .. ": nothing of the file is shown", all)
  t.ok(code ~= 0 or out:find("^false\t") or out:find("^true\tnil\t"), name .. ": does not succeed", all)
  t.is(listing(), before, name .. ": nothing is created or changed")
end

os.execute("rm -rf " .. q(dir))
t.done()
