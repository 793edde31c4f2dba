#!/usr/bin/env bash
# examples/embed.c, a C program embedding corpusrun's Lua (host/corpusrun.h),
# built against the build tree's library (make examples) and against an
# installed one (make install, pkg-config corpusrun): it prints what the
# corpusrun binary prints for the same Lua.  docs/embedding.md.
set -u
root=${CORPUSRUN_ROOT:?}
build=$(basename "${CORPUSRUN_BUILD:?}")
bin=${CORPUSRUN:?}
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
tmp=$(mktemp -d /tmp/corpusrun-embed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

make_() {
  BUILD=$build OPT=${CORPUSRUN_MAKE_OPT:--O2} SAN_FLAGS=${CORPUSRUN_MAKE_SAN:-} \
    make -s -C "$root" "$@" >"$tmp/make.log" 2>&1
  local rc=$?
  [ $rc = 0 ] || sed 's/^/# /' "$tmp/make.log"
  return $rc
}

# The same Lua through the binary: the example's chunk (its C string
# lines, which hold no escapes but \n), then what its C side prints.
sed -n '/^static const char count_words\[\] =/,/;$/p' "$root/examples/embed.c" |
  sed '1d; s/^ *"//; s/\\n" *;\{0,1\}$//' > "$tmp/chunk.lua"
echo "print(('the: %d, iran: %d'):format(words:get('the'), words:get('iran')))" >> "$tmp/chunk.lua"
cd "$root" || exit 1
expected=$("$bin" -c corpus "$tmp/chunk.lua" 2>&1)
case "$expected" in "the	216"*"the: 216, iran: 35") r=0 ;; *) r=1; echo "# $expected" ;; esac
ok $r "the binary runs the example's Lua (the sample corpus's counts)"

make_ examples
ok $? "make examples builds it against $build/libcorpusrun.a"
got=$("$root/$build/examples/embed" corpus lib/lua 2>&1)
[ "$got" = "$expected" ]; r=$?
[ $r = 0 ] || echo "$got" | sed 's/^/#   /'
ok $r "the example prints what the binary prints"
out=$("$root/$build/examples/embed" no-such-corpus lib/lua 2>"$tmp/err"); rc=$?
[ $rc = 1 ] && [ -z "$out" ] && grep -q "no-such-corpus" "$tmp/err" && grep -q "stack traceback" "$tmp/err"
ok $? "an error in the Lua comes back to the program as a message with its traceback (exit $rc)"
"$root/$build/examples/embed" corpus no/such/dir 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "no/such/dir" "$tmp/err"; ok $? "a missing library directory: cr_host_new says NULL"

# Installed: the header, the library and corpusrun.pc under PREFIX.
prefix=$tmp/prefix
make_ install PREFIX="$prefix"
ok $? "make install PREFIX=... succeeds"
[ -f "$prefix/include/corpusrun.h" ] && [ -f "$prefix/lib/libcorpusrun.a" ] && [ -f "$prefix/lib/pkgconfig/corpusrun.pc" ]
ok $? "corpusrun.h, libcorpusrun.a and corpusrun.pc are installed"
flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs corpusrun 2>&1)
ok $? "pkg-config --libs corpusrun ($flags)"
# shellcheck disable=SC2086 # the flags are words
${CC:-cc} -std=c11 -Wall -Wextra -Werror ${CORPUSRUN_MAKE_SAN:-} -o "$prefix/bin/embed" "$root/examples/embed.c" $flags \
  > "$tmp/cc.log" 2>&1
r=$?; [ $r = 0 ] || sed 's/^/# /' "$tmp/cc.log"
ok $r "examples/embed.c compiles against the installed header and library alone"
got=$(cd /tmp && "$prefix/bin/embed" "$root/corpus" 2>&1)
[ "$got" = "$expected" ]; r=$?
[ $r = 0 ] || echo "$got" | sed 's/^/#   /'
ok $r "installed in PREFIX/bin, it finds the Lua library from its own location and prints what the binary prints"

echo "1..$n"
exit $((failed > 0))
