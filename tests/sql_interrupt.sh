#!/usr/bin/env bash
# Ctrl-C (SIGINT) stops a long SQLite query: the host calls
# cr_sqlite_interrupt_all, the step returns SQLITE_INTERRUPT and the script
# ends with "interrupted".  The query would otherwise run for hours.
cd "${CORPUSRUN_ROOT:-.}" || exit 1
CR=${CORPUSRUN:-./corpusrun}
T=$(mktemp -d "${TMPDIR:-/tmp}/sql-int.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

cat > "$T/long.lua" <<'LUA'
local sqlite3 = require "lsqlite3"
local db = sqlite3.open_memory()
local marker = arg[1]
db:create_function("started", 0, function(ctx)
  local f = io.open(marker, "w"); f:write("go"); f:close()
  ctx:result(1)
end)
local forever = "WITH RECURSIVE c(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
for n in db:urows(forever) do print("finished?", n) end
LUA

"$CR" "$T/long.lua" "$T/started" > "$T/out" 2> "$T/err" &
pid=$!
for _ in $(seq 1 600); do [ -f "$T/started" ] && break; sleep 0.1; done
[ -f "$T/started" ]; ok $? "the query started"
kill -INT "$pid"
for _ in $(seq 1 600); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2> /dev/null; then kill -KILL "$pid"; ok 1 "SIGINT ends the query"; else ok 0 "SIGINT ends the query"; fi
wait "$pid"; rc=$?
[ "$rc" -ne 0 ]; ok $? "with a failure status ($rc)"
grep -q "interrupted" "$T/err"; ok $? "and says interrupted: $(head -c 120 "$T/err" | head -n 1)"
! grep -q "finished" "$T/out"; ok $? "the loop did not finish"
echo "1..$n"
[ "$failed" = 0 ]
