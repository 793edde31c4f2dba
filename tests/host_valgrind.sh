#!/usr/bin/env bash
# valgrind on the host: no invalid access and no leaked block on a set of
# representative runs (command line, fold with workers, shards, the main
# job, SQLite, the sandbox, queries).  The sanitizer build is checked by ASan instead.
set -u
root=${CORPUSRUN_ROOT:?}
cr=${CORPUSRUN:?}
if [ "${CORPUSRUN_SANITIZED:-}" = 1 ]; then
  echo "1..0 # SKIP valgrind cannot run a sanitizer build; the plain suite runs this test"; exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - valgrind is not installed"; exit 1; fi
  echo "1..0 # SKIP valgrind is not installed"; exit 0
fi
n=0; failed=0
tmp=$(mktemp -d /tmp/corpusrun-vg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

check() { # name, corpusrun arguments...
  local name=$1; shift
  n=$((n+1))
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --trace-children=no --log-file="$tmp/vg.$n" \
    "$cr" "$@" >"$tmp/out.$n" 2>"$tmp/err.$n"
  local rc=$?
  if [ $rc -ne 99 ] && [ ! -s "$tmp/vg.$n" ]; then
    echo "ok $n - valgrind: $name"
  else
    echo "not ok $n - valgrind: $name (exit $rc)"; sed 's/^/# /' "$tmp/vg.$n" | head -40
    failed=$((failed+1))
  fi
}

check "an expression" -e 'print(("x"):rep(3))'
check "an error with a traceback" -e 'local t = setmetatable({}, {__gc = function() end}) error("boom")'
check "fold with 2 workers" -j 2 tests/data/fold_script.lua
check "a shard whose listing raises (on_error=error)" tests/data/shard_error.lua
check "a shard and a merge" --shard 0/1 --parts "$tmp/parts" tests/data/fold_script.lua
check "the merge" --merge "$tmp/parts" tests/data/fold_script.lua
check "the main job (corpus, tokenize, count, match, report)" scripts/mentions.lua
check "SQLite" -e 'local s = require "lsqlite3" local db = s.open_memory() db:exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)") for r in db:nrows("SELECT x FROM t") do print(r.x) end db:close()'
check "a corpus, tokenizer and counter" -e 'local c = require("corpus").open("corpus") local f = require("count").freq() for d in c:docs() do f:add_text(d.text) end print(#f)'
check "the sandbox (supervisor)" --sandbox tests/data/fold_script.lua
check "queries (documents in memory, the query language, results)" -e 'local c = require("corpus").open("corpus") local q = assert(c:query("\"the\"%c [] | \"mayor\"%c")) q:kwic{sort = {"R1", "L1"}} q:count() q:collocates() q:dispersion() print(#q:sample(3):intersect(q), c:query("[x"))'
check "answers from an index (its lexicon, postings and ids)" -e 'local corpus = require "corpus" local p = os.tmpname() corpus.index("corpus", p, { quiet = true }) local c = corpus.open(p) c:freq() c:doc_counts({ "the", "iran" }) c:window_slots({ "the" }, 3) print(#c:holding({ "iran*", "said" }), #assert(c:query("\"the\"%c")), #assert(c:query("[lower=\"the|a\"] [] within s"))) os.remove(p)'
check "queries over an annotated corpus" -e 'local c = require("corpus").open("tests/data/load/annot/ud.conllu") print(#assert(c:query("<s> [upos=\"PRON\"] within s")):count("lemma"))'
echo "1..$n"
exit $((failed > 0))
