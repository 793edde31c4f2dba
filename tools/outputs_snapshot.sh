#!/bin/bash
# outputs_snapshot.sh BIN OUTDIR: runs the analysis scripts on the sample
# corpus in many ways (-j 1 and -j 2, formats, --help and --describe, a
# corpus database, --shard/--merge with and without a manifest, --db,
# --sandbox, replay) and a few module calls (error messages through pcall,
# tracebacks, help and completion in the REPL), from the tree BIN was built
# in, and keeps each case's command (NNN.cmd), stdout and exit status
# (NNN.out) and stderr (NNN.err), with temporary paths, the tree's path,
# addresses and the line numbers of traceback lines made neutral.  To check
# that a change leaves what users see alone: build the tree before it in a
# scratch copy (git archive BASE | tar -x -C DIR && make -C DIR), then
#   tools/outputs_snapshot.sh DIR/build/corpusrun /tmp/before
#   tools/outputs_snapshot.sh build/corpusrun /tmp/after
#   diff -r -x '*.cmd' /tmp/before /tmp/after
BIN=$1; OUT=$2; mkdir -p "$OUT"; rm -f "$OUT"/*
ROOT=$(cd "$(dirname "$BIN")/.." && pwd); cd $ROOT
TMP=$(mktemp -d)
i=0
run() { i=$((i+1)); local name=$(printf '%03d' $i); echo "$*" > "$OUT/$name.cmd"
  ( cd $ROOT && eval "$@" ) > "$OUT/$name.out" 2> "$OUT/$name.err"; echo "rc=$?" >> "$OUT/$name.out"
  sed -i -E "s#$TMP#TMP#g; s#$ROOT#ROOT#g; s#0x[0-9a-f]+#ADDR#g; /^\t/ s#\.lua:[0-9]+#.lua:N#g" "$OUT/$name.err" "$OUT/$name.out"; }
for j in 1 2; do
run $BIN -j $j scripts/mentions.lua
run $BIN -j $j scripts/mentions.lua --kwic 2 --format md
run $BIN -j $j scripts/freq.lua --stem en --stopwords en --top 20
run $BIN -j $j scripts/freq.lua --ngrams 2 --top 20 --format csv
run $BIN -j $j scripts/kwic.lua --entity "'Massoud Kashefi'"
run $BIN -j $j scripts/kwic.lua Zakani --top 7 --format json
run $BIN -j $j scripts/collocates.lua regime --sort logdice --min 1 --top 15
run $BIN -j $j scripts/cooccur.lua --of entities --matrix
run $BIN -j $j scripts/cooccur.lua --top 10 --format tsv
run $BIN -j $j scripts/keyness.lua --target "'^000'" --reference "'^001'"
done
for s in mentions freq kwic collocates cooccur keyness ingest search discovery_eval; do run $BIN scripts/$s.lua --help; run $BIN --describe scripts/$s.lua; done
run $BIN scripts/ingest.lua --db $TMP/c.db
run $BIN scripts/ingest.lua --db $TMP/c.db
run $BIN scripts/search.lua --db $TMP/c.db Zakani
run $BIN -c $TMP/c.db scripts/freq.lua --top 15
run $BIN -c $TMP/c.db -j 2 scripts/mentions.lua --entities corpus/entities.tsv
mkdir -p $TMP/parts
run $BIN --shard 0/2 --parts $TMP/parts scripts/freq.lua --top 10
run $BIN --shard 1/2 --parts $TMP/parts scripts/freq.lua --top 10
run $BIN --merge $TMP/parts scripts/freq.lua --top 10
run $BIN scripts/freq.lua --top 5 --db $TMP/r.db
run "sqlite3 $TMP/r.db 'select * from freq'"
run "$BIN -e 'local db=require\"lsqlite3\".open(\"$TMP/cnt.db\") local c=require\"count\".freq(); c:add_text(\"a b a\"); c:save(db,\"t\"); print(require\"count\".load(db,\"t\"):top(2)[1][1])'"
run "$BIN -e 'for k in pairs(require\"corpus\") do io.write(k,\" \") end print() for k in pairs(require\"count\") do io.write(k,\" \") end print()' | tr ' ' '\n' | sort"
run "$BIN -e 'for _,m in ipairs{\"corpus\",\"count\",\"match\",\"tokenize\",\"lsqlite3\"} do local t={} for k in pairs(require(m)) do t[#t+1]=k end table.sort(t) print(m, table.concat(t,\" \")) end'"
run "$BIN -e 'local c=require\"corpus\".open(\"corpus\") local t={} for k in pairs(getmetatable(c).__index) do t[#t+1]=k end table.sort(t) print(table.concat(t,\" \"))'"
run "$BIN --sandbox scripts/freq.lua --top 5"
run "$BIN plan --shards 2 -o $TMP/plan.json; cat $TMP/plan.json | sed 's/\"created\":[^,]*//'"

run "$BIN -e 'print(pcall(require\"corpus\".open, {}, {colour=1}))'"
run "$BIN -e 'print(pcall(require\"corpus\".open, 5))'"
run "$BIN -e 'print(pcall(require\"tokenize\".stem, \"x\", \"klingon\"))'"
run "$BIN -e 'print(pcall(require\"tokenize\".words, 5))'"
run "$BIN -e 'print(pcall(require\"count\".freq().add_text, 5))'"
run "$BIN -e 'print(pcall(require\"count\".load, 5))'"
run "$BIN -e 'print(pcall(require\"count\".freq().save, 5))'"
run "$BIN -e 'print(pcall(require\"match\".gazetteer, 5))'"
run "$BIN -e 'require\"corpus\".open(5)'"
run "$BIN -e 'require\"count\".freq():save(5)'"
run "$BIN -e 'print(require\"corpus\".open(\"corpus\"):fold(function() return {} end, function(a, d) error(\"boom\") end))'"
run "$BIN -e 'local c = require\"corpus\".open(\"nonexistent.db\") print(c)'"
run "$BIN -e 'print(require\"corpus\".ingest(\"corpus\", 5))'"
run "echo 'help(corpus.open)' | $BIN -i"
run "echo 'help(count.freq)' | $BIN -i"
run "echo 'help(tokenize)' | $BIN -i"
run "echo 'corpus' | $BIN -i"
run "echo 'print(corpus, count, tokenize, match, sqlite3, report, stats, kwic, db)' | $BIN -i | sed 's/0x[0-9a-f]*/ADDR/g'"
run "$BIN -e 'local complete = require \"complete\" for _, l in ipairs{\"corpus.\", \"count.\", \"tokenize.\", \"match.\"} do require\"corpus\" require\"count\" require\"tokenize\" require\"match\" local env = {corpus=require\"corpus\", count=require\"count\", tokenize=require\"tokenize\", match=require\"match\"} local p, t = complete.candidates(l, env) table.sort(t) print(l, p, table.concat(t, \" \")) end'"
run "$BIN --sandbox scripts/mentions.lua"
run "$BIN --sandbox -j 2 scripts/freq.lua --top 5"
run "$BIN --sandbox scripts/kwic.lua Zakani --top 3"
run "$BIN scripts/freq.lua --top 5 --out $TMP/f.csv --format csv; $BIN replay $TMP/f.csv"
run "$BIN scripts/mentions.lua --db $TMP/m.db >/dev/null; $BIN replay $TMP/m.db"
run "$BIN -j 2 tests/data/fold_script.lua"
run "$BIN plan --shards 2 -o $TMP/man.tsv; $BIN --shard 0/2 --manifest $TMP/man.tsv --parts $TMP/p2 scripts/freq.lua --top 4; $BIN --shard 1/2 --manifest $TMP/man.tsv --parts $TMP/p2 scripts/freq.lua --top 4; $BIN --merge $TMP/p2 scripts/freq.lua --top 4"
run "$BIN -e 'print(#require\"corpus\".open(\"corpus\"))' ; $BIN -l corpus -e 'print(type(corpus.open))'"
rm -rf $TMP
