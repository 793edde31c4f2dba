#!/bin/bash
# Memory follows the documents read, not the number of files: a corpus of
# 60 000 small files (a directory per 500) is read through c:docs() and
# c:fold(), and the peak RSS that GNU time measures stays within a few bytes
# per file of the same run on 600 of them.  The list of files a corpus holds
# is packed (a directory index, a size and the file's name per file), so the
# files add well under 40 bytes each; a list of C strings or Lua tables per
# file would cost 100 and more.  No timing is asserted.
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
PER_FILE_BOUND=40   # bytes of peak RSS per added file
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..5"

"$CORPUSRUN" - "$dir" <<'EOF2'
local dir = arg[1]
local function make(root, ndirs)
  for d = 1, ndirs do
    local sub = string.format("%s/%s/collection-%03d", dir, root, d)
    os.execute("mkdir -p " .. sub)
    for i = 1, 500 do
      local f = assert(io.open(string.format("%s/document-%05d.txt", sub, i), "wb"))
      f:write("The quick brown fox ", d, " jumps over the lazy dog ", i, ".\n")
      f:close()
    end
  end
end
make("few", 1)
make("many", 120)
EOF2
n=$(find "$dir/many" -type f | wc -l)
if [ "$n" = 60000 ]; then echo "ok 1 - generated $n files"; else echo "not ok 1 - generated $n files, not 60000"; fi

cat > "$dir/pass_docs.lua" <<'EOF2'
local corpus = require "corpus"
local c = assert(corpus.open(arg[1]))
local n, bytes = 0, 0
for doc in c:docs() do n = n + 1; bytes = bytes + #doc.text end
print(n)
EOF2
cat > "$dir/pass_fold.lua" <<'EOF2'
local corpus, count = require "corpus", require "count"
local c = assert(corpus.open(arg[1]))
local acc = c:fold(function() return { n = 0, words = count.freq() } end,
                   function(acc, doc) acc.n = acc.n + 1; acc.words:add_text(doc.text) end)
print(acc.n)
EOF2
rss() {   # script, source: prints "documents rss_kb"
  local out
  out=$("$GNU_TIME" -f '%M' -o "$dir/rss" "$CORPUSRUN" -j 1 "$dir/$1" "$2" 2>"$dir/err")
  echo "$out $(tail -n 1 "$dir/rss")"
}
t=2
for script in pass_docs.lua pass_fold.lua; do
  read -r n0 r0 <<<"$(rss "$script" "$dir/few")"
  read -r n1 r1 <<<"$(rss "$script" "$dir/many")"
  if [ "$n0" = 500 ] && [ "$n1" = 60000 ]; then echo "ok $t - $script: $n0 and $n1 documents"
  else echo "not ok $t - $script: got '$n0' and '$n1' documents, stderr: $(head -c 300 "$dir/err")"; fi
  t=$((t + 1))
  per=$(( (${r1:-0} - ${r0:-0}) * 1024 / (60000 - 500) ))
  if [ -n "$r0" ] && [ -n "$r1" ] && [ "$per" -lt "$PER_FILE_BOUND" ]; then
    echo "ok $t - $script: peak RSS $r0 KB on 500 files, $r1 KB on 60000: $per bytes per file < $PER_FILE_BOUND"
  else
    echo "not ok $t - $script: peak RSS $r0 KB on 500 files, $r1 KB on 60000: $per bytes per file >= $PER_FILE_BOUND"
  fi
  t=$((t + 1))
done
