#!/bin/bash
# Streaming in bounded memory: a generated 200 MB corpus (a directory of
# 100 KB text files, a 100 MB JSON Lines file and a .tar.gz) is read through
# c:docs(), and the peak RSS that GNU time measures for the whole process
# stays under a bound far below the corpus size.  No timing is asserted.
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
BOUND_KB=32768
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..5"

# 1000 files of 100 KB and one 100 MB JSONL file (1000 lines of 100 KB)
"$CORPUSRUN" - "$dir" <<'EOF'
local dir = arg[1]
os.execute("mkdir -p " .. dir .. "/big/files")
local para = ("The quick brown fox jumps over the lazy dog near the river bank. "):rep(16) .. "\n"
local body = para:rep(math.floor(102400 / #para))
local j = assert(io.open(dir .. "/big/lines.jsonl", "wb"))
for i = 1, 1000 do
  local f = assert(io.open(string.format("%s/big/files/%04d.txt", dir, i), "wb"))
  f:write(i, "\n", body)
  f:close()
  j:write('{"id":"l', i, '","text":"', body:gsub("\n", "\\n"), '"}\n')
end
j:close()
EOF
size=$(du -sm "$dir/big" | cut -f1)
if [ "$size" -ge 190 ]; then echo "ok 1 - generated a ${size} MB corpus"; else echo "not ok 1 - generated only ${size} MB"; fi
tar -C "$dir/big" -czf "$dir/files.tar.gz" files

cat > "$dir/stream.lua" <<'EOF'
local corpus = require "corpus"
local c = assert(corpus.open(arg[1]))
local n, bytes = 0, 0
for doc in c:docs() do n = n + 1; bytes = bytes + #doc.text end
print(n, bytes)
EOF
check() {   # number, label, source, expected docs
  local out rss
  out=$("$GNU_TIME" -f '%M' -o "$dir/rss" "$CORPUSRUN" "$dir/stream.lua" "$3" 2>"$dir/err")
  rss=$(tail -n 1 "$dir/rss")
  if [ "${out%%	*}" = "$4" ]; then echo "ok $1 - $2: $4 documents streamed"
  else echo "not ok $1 - $2: got '$out', stderr: $(head -c 300 "$dir/err")"; fi
  if [ "$rss" -lt "$BOUND_KB" ]; then echo "ok $(( $1 + 1 )) - $2: peak RSS ${rss} KB < ${BOUND_KB} KB"
  else echo "not ok $(( $1 + 1 )) - $2: peak RSS ${rss} KB >= ${BOUND_KB} KB"; fi
}
check 2 "directory + JSONL (200 MB)" "$dir/big" 2000
check 4 ".tar.gz of 100 MB" "$dir/files.tar.gz" 1000
