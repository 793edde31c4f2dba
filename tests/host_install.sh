#!/usr/bin/env bash
# `make install PREFIX=...`: the installed corpusrun finds its Lua library,
# its documentation (help) and its man page from its own location.
set -u
root=${CORPUSRUN_ROOT:?}
build=$(basename "${CORPUSRUN_BUILD:?}")
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
prefix=$(mktemp -d /tmp/corpusrun-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT

# Same build directory and flags as the binary under test: nothing rebuilds.
BUILD=$build OPT=${CORPUSRUN_MAKE_OPT:--O2} SAN_FLAGS=${CORPUSRUN_MAKE_SAN:-} \
  make -s -C "$root" install PREFIX="$prefix" >"$prefix.log" 2>&1
ok $? "make install PREFIX=... succeeds"
rm -f "$prefix.log"
bin=$prefix/bin/corpusrun
[ -x "$bin" ]; ok $? "the binary is installed"
[ -f "$prefix/share/corpusrun/lua/fold.lua" ]; ok $? "the Lua library is installed"
[ -f "$prefix/share/man/man1/corpusrun.1" ]; ok $? "the man page is installed"
if command -v man > /dev/null || [ "${CI:-}" = true ]; then
  man -l "$prefix/share/man/man1/corpusrun.1" 2>/dev/null | grep -q "corpusrun - count, compare and report"
  ok $? "the man page renders"
else
  n=$((n+1)); echo "ok $n # skip man is not installed (Debian package man-db)"
fi

cd /tmp || exit 1
out=$("$bin" -e 'print(require("corpusrun").libdir)')
[ "$out" = "$prefix/share/corpusrun/lua" ]; ok $? "the installed binary finds its library from its own location ($out)"
out=$("$bin" -e 'print(package.path:match("^[^;]+"))')
[ "$out" = "$prefix/share/corpusrun/lua/?.lua" ]; ok $? "package.path begins with the installed library"
out=$("$bin" -e 'local f = require "fold" print(type(f.run))')
[ "$out" = "function" ]; ok $? "library modules load from the installed tree"
real=$(cd "$prefix" && pwd -P)
out=$("$bin" -e 'local f, p = package.searchers[2]("fold"); print(#package.searchers, type(f), p)')
[ "$out" = "5	function	$real/share/corpusrun/lua/fold.lua" ]; ok $? "the installed library loads from its bytecode ($out)"
out=$("$bin" -c "$root/corpus" -e 'print(#require("corpus").open())')
[ "$out" = 5 ]; ok $? "the installed binary reads a corpus"
[ -f "$prefix/share/corpusrun/docs/api/fold.md" ]; ok $? "the API documentation is installed"
out=$("$bin" -e 'print(require("help").text("fold.merge"))' 2>&1)
case "$out" in *"Merges two accumulators"*) r=0 ;; *) r=1; echo "# $out" ;; esac
ok $r "help() finds the installed documentation"
out=$("$bin" --list 2>&1)
case "$out" in *"mentions "*"Who and what a corpus mentions"*) r=0 ;; *) r=1; echo "# $out" ;; esac
ok $r "the installed corpusrun lists its scripts"
out=$("$bin" -c "$root/corpus" freq --top 1 --quiet 2>&1)
case "$out" in *" the "*) r=0 ;; *) r=1; echo "# $out" ;; esac
ok $r "'corpusrun freq' runs the installed script from another directory"
echo "1..$n"
exit $((failed > 0))
