#!/usr/bin/env bash
# Ctrl-C: one real SIGINT sent to a running job stops it at the next safe
# point, whatever it is doing (Lua code, a pcall that catches errors, a read
# that blocks, SQLite, the C counting loop, a -j 2 fold), with the one line
# "corpusrun: interrupted" (no traceback) and exit status 130.  No second
# Ctrl-C is sent: a job still running after ~20 s fails the test.
cd "${CORPUSRUN_ROOT:-.}" || exit 1
CR=${CORPUSRUN:-./corpusrun}
case "$CR" in /*) ;; *) CR="$PWD/$CR" ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/interrupt.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

# interrupt NAME GROUP CMD...: runs CMD in the background (in its own
# process group), waits for $T/NAME.ready, sends one SIGINT (to the process,
# or with GROUP=group to its whole group, as a terminal does), then checks.
interrupt() {
    local name=$1 group=$2
    shift 2
    rm -f "$T/$name.ready"
    setsid "$@" > "$T/$name.out" 2> "$T/$name.err" &
    local pid=$!
    for _ in $(seq 1 300); do [ -e "$T/$name.ready" ] && break; sleep 0.1; done
    [ -e "$T/$name.ready" ]; ok $? "$name: the job started"
    sleep 0.3 # into the loop that follows the marker
    if [ "$group" = group ]; then kill -INT -- "-$pid" 2> /dev/null; else kill -INT "$pid" 2> /dev/null; fi
    for _ in $(seq 1 200); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2> /dev/null; then
        kill -KILL -- "-$pid" 2> /dev/null
        ok 1 "$name: one SIGINT stops it"
    else
        ok 0 "$name: one SIGINT stops it"
    fi
    wait "$pid"; local rc=$?
    [ "$rc" = 130 ]; ok $? "$name: exit status 130 (got $rc)"
    [ "$(cat "$T/$name.err")" = "corpusrun: interrupted" ]
    ok $? "$name: says 'interrupted', no traceback (got: $(head -c 200 "$T/$name.err" | tr '\n' '|'))"
    # no worker left behind
    for _ in $(seq 1 50); do pgrep -g "$pid" > /dev/null || break; sleep 0.1; done
    ! pgrep -g "$pid" > /dev/null; ok $? "$name: no process of the job is left"
}

ready() { printf 'local f = assert(io.open("%s", "w")); f:close()\n' "$T/$1.ready"; }

{ ready lua; echo 'while true do end'; } > "$T/lua.lua"
interrupt lua pid "$CR" "$T/lua.lua"

{ ready pcall; echo 'while true do pcall(function() while true do end end) end'; } > "$T/pcall.lua"
interrupt pcall pid "$CR" "$T/pcall.lua"

# a read that blocks: stdin is a pipe nobody writes to
mkfifo "$T/never"
{ ready read; echo 'local s = io.read("a"); print("read returned", s and #s)'; } > "$T/read.lua"
interrupt read pid sh -c "exec 3<>'$T/never'; exec '$CR' '$T/read.lua' <&3"

{ ready sql; cat <<'LUA'; } > "$T/sql.lua"
local db = require("lsqlite3").open_memory()
for n in db:urows("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c") do print(n) end
LUA
interrupt sql pid "$CR" "$T/sql.lua"

# the C counting loop, fed one large text at a time
{ ready count; cat <<'LUA'; } > "$T/count.lua"
local text = ("alpha beta gamma delta "):rep(1 << 18)
local f = require("count").freq()
while true do f:add_text(text) end
LUA
interrupt count pid "$CR" "$T/count.lua"

# C loops that run for seconds without returning to Lua stop at their own
# safe points, inside the call (interrupt.h): the rows of a counter's top()
# (a million types, about 2 s), a pass over a corpus of a million JSON Lines
# documents (c:ids(), about 1 s).  The error they raise from C is reported
# as the interruption, as the Lua hook's is; the call never returns.
{ cat <<'LUA'; ready top; echo 'local rows = words:top() print("top returned", #rows)'; } > "$T/top.lua"
local parts = {} for i = 1, 1000000 do parts[i] = "w" .. i end
local words = require("count").freq()
words:add_text(table.concat(parts, " ")); parts = nil
LUA
interrupt top pid "$CR" "$T/top.lua"
! grep -q returned "$T/top.out"; ok $? "top: words:top() did not return"

"$CR" -e "local f = assert(io.open('$T/big.jsonl', 'w'))
for i = 1, 1000000 do f:write(('{\"id\":\"d%d\",\"text\":\"alpha beta\"}\n'):format(i)) end f:close()"
{ cat <<LUA; ready ids; echo 'local ids = c:ids() print("ids returned", #ids)'; } > "$T/ids.lua"
local c = assert(require("corpus").open("$T/big.jsonl"))
LUA
interrupt ids pid "$CR" "$T/ids.lua"
! grep -q returned "$T/ids.out"; ok $? "ids: c:ids() did not return"

# c:fold at -j 1 and -j 2 over the sample corpus, again and again: the
# SIGINT to the parent only, and to the whole group as a terminal sends it
cat > "$T/fold.lua" <<LUA
local corpus, count = require "corpus", require "count"
local c = assert(corpus.open("corpus"))
local marker = ...
while true do
  c:fold(function() return count.freq() end, function(acc, doc)
    local f = io.open(marker, "w"); if f then f:close() end
    for _ = 1, 20 do acc:add_text(doc.text) end
  end, { quiet = true })
end
LUA
interrupt fold1 pid "$CR" -j 1 "$T/fold.lua" "$T/fold1.ready"
interrupt fold2 pid "$CR" -j 2 "$T/fold.lua" "$T/fold2.ready"
interrupt fold2g group "$CR" -j 2 "$T/fold.lua" "$T/fold2g.ready"

# -e runs under the same rules
interrupt e pid "$CR" -e "$(ready e) while true do end"

echo "1..$n"
[ "$failed" = 0 ]
