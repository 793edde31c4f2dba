#!/usr/bin/env bash
# c:fold's progress line: on a terminal (a pty from util-linux's `script`)
# it shows documents, MB/s and the final count, at -j 1 and -j 2; never when
# stderr is a file, never under --quiet (corpusrun's or a script's own), and
# never on stdout.
set -u
CORPUSRUN=${CORPUSRUN:-./corpusrun}
case "$CORPUSRUN" in /*) ;; *) CORPUSRUN="$PWD/$CORPUSRUN" ;; esac

if ! command -v script >/dev/null 2>&1; then
    echo "1..0 # SKIP script is not installed (Debian package bsdutils)"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# A fold slow enough for the line to show (0.15 s a document, 5 documents).
cat > "$tmp/slow.lua" <<'LUA'
local spec = { name = "slow", options = {
  { name = "quiet", short = "q", type = "boolean", help = "no progress" },
  { name = "off", type = "boolean", help = "c:fold with progress = false" } } }
local opts = require("cli").parse(spec, arg)
local host = require "corpusrun"
local c = require("corpus").open(host.cwd() .. "/corpus")
local acc = c:fold(function() return { docs = 0 } end, function(acc)
  local t = host.clock()
  while host.clock() - t < 0.15 do end
  acc.docs = acc.docs + 1
end, { progress = not opts.off and "slow" or false })
print("documents", acc.docs)
LUA

# Runs a command line on a pty; the terminal's output goes to $tmp/tty.
on_tty() { script -qec "$1" /dev/null > "$tmp/tty" 2>&1 < /dev/null; }
has() { tr '\r' '\n' < "$tmp/tty" | grep -Eq -- "$1"; }

# kwic.lines over something with :docs() that yields slowly.
cat > "$tmp/slowkwic.lua" <<'LUA'
local host = require "corpusrun"
local src = { docs = function()
  local i = 0
  return function()
    i = i + 1
    if i > 4 then return nil end
    local t = host.clock()
    while host.clock() - t < 0.15 do end
    return { id = i, text = "the regime said " .. i }
  end
end }
setmetatable(src, { __len = function() return 4 end })
print(#require("kwic").lines(src, "regime"))
LUA

echo "1..14"
on_tty "'$CORPUSRUN' '$tmp/slow.lua' > '$tmp/out'"
has '^slow  [1-4]/5 docs +[0-9]+%  [0-9.]+ MB  [0-9.]+ MB/s  ETA [0-9]+:[0-9]{2}' ; ok $? "-j 1 on a terminal: documents done, MB/s and ETA"
has '^slow  5/5 docs  100%  [0-9.]+ MB  [0-9.]+ MB/s  in 0:0[0-9]' ; ok $? "-j 1: the last line counts every document"
printf 'documents\t5\n' | cmp -s - "$tmp/out"; ok $? "-j 1: stdout holds the script's output only"

on_tty "'$CORPUSRUN' -j 2 '$tmp/slow.lua' > '$tmp/out'"
has '^slow  [1-4]/5 docs' ; ok $? "-j 2 on a terminal: the parent reports the workers' running totals"
has '^slow  5/5 docs  100%' ; ok $? "-j 2: the last line counts every worker's documents"
[ "$(grep -c . "$tmp/tty")" -le 1 ] ; ok $? "-j 2: one progress line, redrawn in place (no line per worker)"
printf 'documents\t5\n' | cmp -s - "$tmp/out"; ok $? "-j 2: stdout holds the script's output only"

on_tty "'$CORPUSRUN' -j 2 '$tmp/slow.lua' 2> '$tmp/err'"
[ ! -s "$tmp/err" ] ; ok $? "stderr to a file: no progress line"
has '^documents	5' ; ok $? "stderr to a file: the output still on the terminal"

on_tty "'$CORPUSRUN' --quiet -j 2 '$tmp/slow.lua'"
! has 'docs' ; ok $? "corpusrun --quiet: no progress line"
on_tty "'$CORPUSRUN' '$tmp/slow.lua' --quiet"
! has 'docs' ; ok $? "the script's own --quiet: no progress line"
on_tty "'$CORPUSRUN' '$tmp/slow.lua' --off"
! has 'docs' ; ok $? "c:fold{progress = false}: no progress line"

on_tty "'$CORPUSRUN' '$tmp/slowkwic.lua' > '$tmp/out'"
has '^kwic  4/4 docs  100%' ; ok $? "kwic.lines over a corpus: the progress line on a terminal"
printf '4\n' | cmp -s - "$tmp/out"; ok $? "kwic.lines: stdout holds the script's output only"
