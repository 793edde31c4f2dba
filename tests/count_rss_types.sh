#!/bin/bash
# Memory follows the vocabulary compactly: count.freq's add_text over 700 000
# distinct words costs, in peak RSS that GNU time measures, under 42 bytes a
# type more than the same number of tokens over 1 000 types.  (An entry of 16
# bytes, an 8-byte slot at load factor 2/3 and the key's 8 bytes after a
# length byte come to about 38; 8-byte aligned keys and a 24-byte entry with
# its own length and hash came to 46.)  No timing is asserted.
set -u
if [ -n "${CORPUSRUN_SANITIZED:-}" ]; then
  echo "1..0 # SKIP sanitizer builds have their own memory overhead"
  exit 0
fi
GNU_TIME=$(type -P time)   # GNU time, found on PATH
if [ -z "$GNU_TIME" ]; then
  if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - GNU time is installed (CI installs the package time)"; exit 1; fi
  echo "1..0 # SKIP GNU time (Debian package time) is not installed"
  exit 0
fi
BOUND=42       # bytes of peak RSS per type
N=700000       # tokens, and types in the growing run
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..3"
cat > "$dir/types.lua" <<'EOF2'
-- arg[1] tokens, arg[2] distinct words among them: 7-letter words, 10 000 a text
local count = require "count"
local n, v = tonumber(arg[1]), tonumber(arg[2])
local f = count.freq()
local letters, words = {}, {}
local function word(i)
  for k = 7, 1, -1 do letters[k] = string.char(97 + i % 26); i = i // 26 end
  return table.concat(letters)
end
for i = 0, n - 1, 10000 do
  for j = 1, math.min(10000, n - i) do words[j] = word((i + j - 1) % v) end
  f:add_text(table.concat(words, " ", 1, math.min(10000, n - i)))
end
print(#f)
EOF2
run() {   # tokens, types: prints "types rss_kb"
  local out
  out=$("$GNU_TIME" -f '%M' -o "$dir/rss" "$CORPUSRUN" "$dir/types.lua" "$1" "$2" 2>"$dir/err")
  echo "$out $(tail -n 1 "$dir/rss")"
}
read -r t0 r0 <<<"$(run "$N" 1000)"
read -r t1 r1 <<<"$(run "$N" "$N")"
if [ "$t0" = 1000 ]; then echo "ok 1 - $N tokens over 1000 types"; else echo "not ok 1 - got '$t0' types, stderr: $(head -c 300 "$dir/err")"; fi
if [ "$t1" = "$N" ]; then echo "ok 2 - $N tokens over $N types"; else echo "not ok 2 - got '$t1' types, stderr: $(head -c 300 "$dir/err")"; fi
per=$(( (${r1:-0} - ${r0:-0}) * 1024 / (N - 1000) ))
if [ -n "$r0" ] && [ -n "$r1" ] && [ "$per" -lt "$BOUND" ]; then
  echo "ok 3 - peak RSS $r0 KB over 1000 types, $r1 KB over $N: $per bytes per type < $BOUND"
else
  echo "not ok 3 - peak RSS $r0 KB over 1000 types, $r1 KB over $N: $per bytes per type >= $BOUND"
fi
