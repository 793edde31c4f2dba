#!/usr/bin/env bash
# corpusrun's modules in a stock lua5.4 (make lua-modules, make install):
# each module loads with require, from the build tree (LUA_PATH/LUA_CPATH)
# and from an installed tree, and a script using all of them prints what
# the corpusrun binary prints for it.  docs/embedding.md.
set -u
root=${CORPUSRUN_ROOT:?}
build=$(basename "${CORPUSRUN_BUILD:?}")
bin=${CORPUSRUN:?}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }

if ! command -v lua5.4 > /dev/null; then
  if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - lua5.4 is installed (Debian package lua5.4)"; exit 1; fi
  echo "1..0 # SKIP lua5.4 is not installed (Debian package lua5.4)"; exit 0
fi

tmp=$(mktemp -d /tmp/corpusrun-luamod.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The shared object of a sanitizer build needs the sanitizer runtimes
# loaded first in a lua5.4 that was not built with them.
preload=
if [ -n "${CORPUSRUN_SANITIZED:-}" ]; then
  for lib in libasan.so libubsan.so; do
    f=$(${CC:-cc} -print-file-name=$lib)
    [ -f "$f" ] && preload="$preload${preload:+:}$f"
  done
fi
stock_lua() { LD_PRELOAD=$preload lua5.4 "$@"; }

# Same build directory and flags as the binary under test.
make_() {
  BUILD=$build OPT=${CORPUSRUN_MAKE_OPT:--O2} SAN_FLAGS=${CORPUSRUN_MAKE_SAN:-} \
    make -s -C "$root" "$@" >"$tmp/make.log" 2>&1
  local rc=$?
  [ $rc = 0 ] || sed 's/^/# /' "$tmp/make.log"
  return $rc
}
make_ lua-modules
ok $? "make lua-modules succeeds"
so=$root/$build/lua
for m in corpusrun.so lsqlite3.so lsqlite3complete.so flock.so corpus/core.so count/core.so tokenize/core.so match/core.so; do
  [ -e "$so/$m" ] || { ok 1 "$build/lua/$m exists"; continue; }
done
[ -f "$so/corpusrun.so" ] && [ -L "$so/corpus/core.so" ] && [ "$(readlink -f "$so/corpus/core.so")" = "$(readlink -f "$so/corpusrun.so")" ]
ok $? "one shared object, linked under every module's name"
if nm -D --undefined-only "$so/corpusrun.so" | grep -q ' lua_newstate$\| luaL_newstate$'; then r=1; else r=0; fi
nm -D --defined-only "$so/corpusrun.so" | grep -q ' T lua_pushstring$' && r=1
ok $r "the shared object carries no copy of Lua: the interpreter's API serves it"
for sym in luaopen_corpus_core luaopen_count_core luaopen_tokenize_core luaopen_match_core \
           luaopen_lsqlite3 luaopen_lsqlite3complete luaopen_flock luaopen_corpusrun; do
  nm -D --defined-only "$so/corpusrun.so" | grep -q " T $sym\$" || { echo "# $sym missing"; r=1; }
done
ok $r "it exports the luaopen_* Lua's C searcher looks for"

# Everything a script needs, run by lua5.4 and by the binary: the outputs agree.
cat > "$tmp/all.lua" <<'EOF'
local corpus, count, tokenize, match = require "corpus", require "count", require "tokenize", require "match"
local sqlite3, flock, host = require "lsqlite3", require "flock", require "corpusrun"
local c = assert(corpus.open("corpus"))
print("documents", #c, "default corpus", host.default_corpus())
local function init() return { words = count.freq(), bigrams = count.ngrams(2), docs = 0 } end
local function step(acc, doc)
  acc.words:add_text(doc.text); acc.bigrams:add_text(doc.text); acc.docs = acc.docs + 1
end
local one, two = c:fold(init, step), c:fold(init, step, { jobs = 2 })
print("folded", one.docs, two.docs, "jobs", host.jobs)
for i, row in ipairs(one.words:top(8)) do
  local other = two.words:top(8)[i]
  print(row[1], row[2], other[1], other[2])
end
print("types", #one.words, "tokens", one.words:total(), "bigrams", #one.bigrams, one.bigrams:top(1)[1][1])
local doc = c:docs()()
local nwords, nsent = 0, 0
for _ in tokenize.words(doc.text) do nwords = nwords + 1 end
for _ in tokenize.sentences(doc.text) do nsent = nsent + 1 end
print("first document", doc.id, nwords, nsent, tokenize.normalize("Ｃafé’s", "key"))
local g = match.gazetteer("corpus/entities.tsv")
local per = count.freq()
for d in c:docs() do for _, m in ipairs((g:matches(d.text))) do per:add(m.entity) end end
for _, row in ipairs(per:top(3)) do print("entity", row[1], row[2]) end
local db = sqlite3.open_memory()
db:exec("CREATE TABLE w(word TEXT, n INTEGER)")
local st = db:prepare("INSERT INTO w VALUES (?, ?)")
for _, row in ipairs(one.words:top(20)) do st:bind_values(row[1], row[2]); st:step(); st:reset() end
st:finalize()
for n, sum in db:urows("SELECT count(*), sum(n) FROM w") do print("sqlite", n, sum) end
one.words:save(db, "words")
print("saved and loaded", count.load(db, "words"):get("the"))
db:close()
local path = os.tmpname()
local lock = assert(flock.lock(path))
print("lock", lock:held(), select(3, flock.lock(path .. ".missing")))
lock:release(); os.remove(path)
print("host", host.version, host.unicode_version, host.sha256("abc"):sub(1, 16))
print("view", rawget(require "corpus.core", "open") == nil, require("corpus.core").open == corpus.open)
local okay, err = pcall(corpus.open, 42)
print("misuse", okay, (err:gsub("^[^:]*:%d+: ", "")))
EOF
cd "$root" || exit 1
expected=$("$bin" "$tmp/all.lua" 2>&1)
got=$(LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua "$tmp/all.lua" 2>&1)
[ -n "$expected" ] && [ "$got" = "$expected" ]
r=$?
[ $r = 0 ] || { echo "# corpusrun:"; echo "$expected" | sed 's/^/#   /'; echo "# lua5.4:"; echo "$got" | sed 's/^/#   /'; }
ok $r "lua5.4 with the build tree prints what corpusrun prints: corpus, fold with two workers, tokenize, match, lsqlite3, flock, corpusrun"
case "$got" in *"folded	5	5"*"the	216	the	216"*) r=0 ;; *) r=1 ;; esac
ok $r "the counts are the sample corpus's (five documents, 'the' 216 times)"

# The analysis scripts run under lua5.4 as under the binary.
for cmd in "scripts/freq.lua --top 15 --quiet" "scripts/mentions.lua --quiet" "scripts/kwic.lua Iran --quiet"; do
  # shellcheck disable=SC2086 # the command's words
  want=$("$bin" $cmd 2>&1)
  # shellcheck disable=SC2086
  got=$(LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua $cmd 2>&1)
  [ -n "$want" ] && [ "$got" = "$want" ]; r=$?
  [ $r = 0 ] || diff <(echo "$want") <(echo "$got") | head -10 | sed 's/^/# /'
  ok $r "lua5.4 $cmd prints what corpusrun prints"
done

# The example of the issue, and the settings a stock interpreter has.
out=$(LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua -e \
  'local corpus = require "corpus"; local c = assert(corpus.open("corpus")); print(#c)' 2>&1)
[ "$out" = 5 ]; ok $? "lua5.4 -e: require 'corpus' and #c ($out)"
echo 'local h = require "corpusrun" print(h.script, h.jobs, h.default_corpus())' > "$tmp/s.lua"
out=$(cd "$tmp" && CORPUSRUN_JOBS=3 CORPUSRUN_CORPUS=elsewhere LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" \
  stock_lua s.lua 2>&1)
[ "$out" = "s.lua	3	elsewhere" ]; ok $? "corpusrun.script, jobs and default_corpus from arg, \$CORPUSRUN_JOBS, \$CORPUSRUN_CORPUS ($out)"
out=$(cd "$tmp" && CORPUSRUN_JOBS=3 LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" \
  stock_lua -e 'local h = require "corpusrun" print(h.script, h.jobs, h.default_corpus())' 2>&1)
[ "$out" = "nil	3	nil" ]; ok $? "no script under -e, no default corpus without ./corpus ($out)"
out=$(LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua -e \
  'require("sandbox").run("x.lua", {}, {})' 2>&1)
case "$out" in *"the sandbox runs only in the corpusrun binary"*) r=0 ;; *) r=1; echo "# $out" ;; esac
ok $r "the sandbox, which needs the host, says so"
out=$(LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua -e \
  'local c = require("corpus").open("corpus") local n = c:fold(function() return 0 end, function(a) return a + 1 end) print(n)' 2>&1)
out2=$(cd "$root" && CORPUSRUN_JOBS=2 LUA_PATH="$root/lib/lua/?.lua;;" LUA_CPATH="$so/?.so;;" stock_lua -e \
  'local c = require("corpus").open("corpus") local n = c:fold(function() return 0 end, function(a) return a + 1 end) print(n)' 2>&1)
[ "$out" = 5 ] && [ "$out2" = 5 ]; ok $? "c:fold with acc = step(acc, doc), one worker and \$CORPUSRUN_JOBS=2 ($out, $out2)"

# make install DESTDIR=...: the modules where lua5.4 looks under PREFIX.
dest=$tmp/dest
make_ install DESTDIR="$dest" PREFIX=/usr/local
ok $? "make install DESTDIR=... PREFIX=/usr/local succeeds"
cmod=$dest/usr/local/lib/lua/5.4; lmod=$dest/usr/local/share/lua/5.4
[ -f "$cmod/corpusrun.so" ] && [ -L "$cmod/corpus/core.so" ] && [ -f "$lmod/corpus.lua" ] && [ -f "$lmod/fold.lua" ]
ok $? "the modules are installed in /usr/local/lib/lua/5.4 and /usr/local/share/lua/5.4"
case ";$(lua5.4 -e 'io.write(package.cpath)');" in *";/usr/local/lib/lua/5.4/?.so;"*) r=0 ;; *) r=1 ;; esac
case ";$(lua5.4 -e 'io.write(package.path)');" in *";/usr/local/share/lua/5.4/?.lua;"*) ;; *) r=1 ;; esac
ok $r "those are on lua5.4's default package.path and package.cpath"
# The installed tree in place of /usr/local: the default paths with the prefix swapped.
ipath=$(lua5.4 -e 'io.write(package.path)' | sed "s#/usr/local/#$dest/usr/local/#g")
icpath=$(lua5.4 -e 'io.write(package.cpath)' | sed "s#/usr/local/#$dest/usr/local/#g")
got=$(cd "$root" && LUA_PATH="$ipath" LUA_CPATH="$icpath" stock_lua "$tmp/all.lua" 2>&1)
[ "$got" = "$expected" ]
r=$?
[ $r = 0 ] || { echo "# lua5.4 (installed):"; echo "$got" | sed 's/^/#   /'; }
ok $r "lua5.4 with the installed tree prints what corpusrun prints"
got=$(cd "$root" && LUA_PATH="$ipath" LUA_CPATH="$icpath" stock_lua -e 'print(package.searchpath("corpus.core", package.cpath))' 2>&1)
[ "$got" = "$cmod/corpus/core.so" ]; ok $? "corpus.core is the installed one ($got)"

# The rockspec describes the same build: valid Lua, this version, the
# Makefile's target, every C module the build links and every Lua module.
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
rockspec=$root/corpusrun-$version-1.rockspec
[ -f "$rockspec" ]; ok $? "corpusrun-$version-1.rockspec is the Makefile's version"
(cd "$so" && find . -name '*.so' | sed 's#^\./##; s#\.so$##; s#/#.#g' | sort) > "$tmp/cmods"
(cd "$root/lib/lua" && ls -- *.lua | sed 's#\.lua$##' | sort) > "$tmp/lmods"
cat > "$tmp/rockspec.lua" <<'EOF'
local path, cmods, lmods = ...
local env = {}
local chunk, err = loadfile(path, "t", env)
if not chunk then print(err) os.exit(1) end
chunk()
local function lines(f) local t = {} for l in io.lines(f) do t[#t + 1] = l end return table.concat(t, " ") end
local function keys(t)
  local k = {}
  for name, file in pairs(t or {}) do
    k[#k + 1] = name
    local fh = io.open(file)
    if fh then fh:close() else print("missing " .. file) end
  end
  table.sort(k)
  return table.concat(k, " ")
end
local b = env.build or {}
print(env.package, env.version, b.type, b.build_target, b.install_pass)
local lib, lua = keys(b.install and b.install.lib), keys(b.install and b.install.lua)
print(lib == lines(cmods) and "C modules as built" or ("C modules: " .. lib .. " / built: " .. lines(cmods)))
print(lua == lines(lmods) and "Lua modules as in lib/lua" or ("Lua modules: " .. lua .. " / lib/lua: " .. lines(lmods)))
EOF
out=$(cd "$root" && lua5.4 "$tmp/rockspec.lua" "$rockspec" "$tmp/cmods" "$tmp/lmods" 2>&1)
expect="corpusrun	$version-1	make	lua-modules	false
C modules as built
Lua modules as in lib/lua"
[ "$out" = "$expect" ]; r=$?
[ $r = 0 ] || echo "$out" | sed 's/^/# /'
ok $r "the rockspec loads as Lua and names the make target, the C modules built and the Lua modules"

echo "1..$n"
exit $((failed > 0))
