# bench/lib/bench.sh: the benchmark harness, sourced by the jobs bench/*.sh.
#
#   . bench/lib/bench.sh
#   dir=$(bench_data dir)                    # the corpus as a directory (BENCH_SIZE)
#   bench_table freq "Word frequency" "$dir"   # a new table; bytes and tokens from the data
#   bench_ref  "wc -w" "find $dir -type f -print0 | xargs -0 wc -w"
#   bench_run  "python3 re + Counter" "..."
#   bench_na   "corpusrun scripts/bigrams.lua" "not yet available"
#
# Every command runs from the project root under bash, BENCH_REPS times (the
# first run that takes longer than BENCH_SLOW seconds ends the repetitions),
# each within BENCH_TIMEOUT seconds.  A row records the median wall time, the
# median CPU time (user + system), the peak RSS (the largest single process of
# the command, from /usr/bin/time's %M) and the lines of output of the first
# run; the report divides each time by the table's reference (bench_ref).
# Rows go to the TSV file BENCH_RESULTS; bench/lib/report.lua prints them.
#
# Environment: BENCH_SIZE (100M), BENCH_REPS (3), BENCH_SLOW (60),
# BENCH_TIMEOUT (900), BENCH_WARM (1: read a table's data once before it), BENCH_DATA (bench/data), BENCH_RESULTS
# ($BENCH_DATA/results.tsv), CORPUSRUN (./corpusrun).

BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$BENCH_ROOT" || exit 1
BENCH_SIZE=${BENCH_SIZE:-100M}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_SLOW=${BENCH_SLOW:-60}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
BENCH_DATA=${BENCH_DATA:-$BENCH_ROOT/bench/data}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DATA/results.tsv}
CORPUSRUN=${CORPUSRUN:-$BENCH_ROOT/corpusrun}
BENCH_PYTHON=${BENCH_PYTHON:-/usr/bin/python3}
export BENCH_ROOT BENCH_SIZE BENCH_REPS BENCH_DATA BENCH_RESULTS CORPUSRUN BENCH_PYTHON
export LC_ALL=C

BENCH_TMP=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/corpusrun-bench.XXXXXX")}
export BENCH_TMP
trap 'rm -rf "$BENCH_TMP"' EXIT
mkdir -p "$(dirname "$BENCH_RESULTS")"

_bench_table=${BENCH_TABLE:-}

# bench_data KIND [SIZE]: the path of a data set, built if needed (see data.lua).
bench_data() {
  local kind=$1 size=${2:-$BENCH_SIZE}
  case $kind in tagged|plain) size="" ;; esac
  BENCH_DATA=$BENCH_DATA lua5.4 "$BENCH_ROOT/bench/lib/data.lua" ensure "$kind" $size
}

# bench_meta PATH KEY: one fact about a data set (bytes, tokens, docs, types, ...).
bench_meta() {
  BENCH_DATA=$BENCH_DATA lua5.4 "$BENCH_ROOT/bench/lib/data.lua" meta "$1" "$2"
}

# bench_files PATH: a NUL-separated, sorted list of the files under PATH, in a
# file whose name it prints (for xargs -0 and friends).
bench_files() {
  local list
  list=$(mktemp "$BENCH_TMP/files.XXXXXX")
  find "$1" -type f -print0 | sort -z > "$list"
  echo "$list"
}

_bench_tsv() { local IFS=$'\t'; printf '%s\n' "$*" >> "$BENCH_RESULTS"; }
_bench_clean() { printf '%s' "$1" | tr '\t\n' '  '; }

# bench_table ID TITLE DATA [NOTE]: start a table measured on data set DATA.
bench_table() {
  local id=$1 title=$2 data=$3 note=${4:-}
  local bytes tokens name
  bytes=$(bench_meta "$data" bytes) tokens=$(bench_meta "$data" tokens)
  name=${data##*/}
  _bench_table=$id
  # read the data once, untimed, so that no row pays for a cold page cache
  [ "${BENCH_WARM:-1}" = 0 ] || find "$data" -type f -print0 | xargs -0 cat > /dev/null
  _bench_tsv T "$id" "$(_bench_clean "$title")" "$name" "${bytes:-0}" "${tokens:-0}" "$(_bench_clean "$note")"
  printf '\n== %s (%s, %s bytes, %s tokens)\n' "$title" "$name" "${bytes:-?}" "${tokens:-?}" >&2
}

# _bench_measure ROLE LABEL COMMAND
_bench_measure() {
  local role=$1 label=$2 cmd=$3
  [ -n "$_bench_table" ] || { echo "bench: $label: no bench_table before it" >&2; return 1; }
  local walls=() cpus=() rss=0 rc=0 lines="" status=ok note="" r t0 t1
  for ((r = 1; r <= BENCH_REPS; r++)); do
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M %U %S' -o "$BENCH_TMP/time" \
      timeout "$BENCH_TIMEOUT" bash -c "set -o pipefail; $cmd" > "$BENCH_TMP/out" 2> "$BENCH_TMP/err"
    rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" -ne 0 ]; then
      status=failed
      if [ "$rc" -eq 124 ]; then note="timed out after ${BENCH_TIMEOUT}s"
      else note="exit $rc: $(grep -v '^Command exited with' "$BENCH_TMP/err" | head -c 300 | head -n 3)"; fi
      break
    fi
    local m u s
    read -r m u s < <(tail -n 1 "$BENCH_TMP/time")
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
    [ "${m:-0}" -gt "$rss" ] && rss=$m
    [ -z "$lines" ] && lines=$(wc -l < "$BENCH_TMP/out")
    awk -v w="${walls[-1]}" -v lim="$BENCH_SLOW" 'BEGIN { exit !(w > lim) }' && break
  done
  local wall="" cpu=""
  if [ "$status" = ok ]; then
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  fi
  _bench_tsv R "$_bench_table" "$(_bench_clean "$label")" "$role" "$status" "$wall" "$cpu" "$rss" \
    "${#walls[@]}" "$lines" "$(_bench_clean "$note")"
  printf '  %-40s %s %ss %sKB %s\n' "$label" "$status" "${wall:--}" "$rss" "$note" >&2
  [ "$status" = ok ]
}

# bench_rounds REF_LABEL REF_COMMAND [LABEL COMMAND]...: the reference and
# the rows measured in rounds: each round runs every command once, in order,
# so that a machine whose speed drifts (a shared one) moves every row alike;
# BENCH_REPS rounds, the medians reported as bench_ref and bench_run report
# theirs.  A command that fails leaves the later rounds.
bench_rounds() {
  [ -n "$_bench_table" ] || { echo "bench: bench_rounds: no bench_table before it" >&2; return 1; }
  local labels=() cmds=() n i r
  while [ $# -ge 2 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
  n=${#labels[@]}
  local -a walls cpus rss lines status notes
  for ((i = 0; i < n; i++)); do walls[i]=""; cpus[i]=""; rss[i]=0; lines[i]=""; status[i]=ok; notes[i]=""; done
  for ((r = 1; r <= BENCH_REPS; r++)); do
    for ((i = 0; i < n; i++)); do
      [ "${status[i]}" = ok ] || continue
      local t0 t1 rc m u s
      t0=$EPOCHREALTIME
      /usr/bin/time -f '%M %U %S' -o "$BENCH_TMP/time" \
        timeout "$BENCH_TIMEOUT" bash -c "set -o pipefail; ${cmds[i]}" > "$BENCH_TMP/out" 2> "$BENCH_TMP/err"
      rc=$?
      t1=$EPOCHREALTIME
      if [ "$rc" -ne 0 ]; then
        status[i]=failed
        if [ "$rc" -eq 124 ]; then notes[i]="timed out after ${BENCH_TIMEOUT}s"
        else notes[i]="exit $rc: $(grep -v '^Command exited with' "$BENCH_TMP/err" | head -c 300 | head -n 3)"; fi
        continue
      fi
      read -r m u s < <(tail -n 1 "$BENCH_TMP/time")
      walls[i]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }') "
      cpus[i]+="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') "
      [ "${m:-0}" -gt "${rss[i]}" ] && rss[i]=$m
      [ -z "${lines[i]}" ] && lines[i]=$(wc -l < "$BENCH_TMP/out")
    done
  done
  local median='{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
  for ((i = 0; i < n; i++)); do
    local wall="" cpu="" runs=0 role=run
    [ "$i" -eq 0 ] && role=ref
    if [ "${status[i]}" = ok ]; then
      wall=$(printf '%s\n' ${walls[i]} | sort -g | awk "$median")
      cpu=$(printf '%s\n' ${cpus[i]} | sort -g | awk "$median")
    fi
    runs=$(printf '%s\n' ${walls[i]} | grep -c .)
    _bench_tsv R "$_bench_table" "$(_bench_clean "${labels[i]}")" "$role" "${status[i]}" "$wall" "$cpu" "${rss[i]}" \
      "$runs" "${lines[i]}" "$(_bench_clean "${notes[i]}")"
    printf '  %-40s %s %ss %sKB %s\n' "${labels[i]}" "${status[i]}" "${wall:--}" "${rss[i]}" "${notes[i]}" >&2
  done
}

# bench_ref LABEL COMMAND: the table's reference (one per table).
bench_ref() { _bench_measure ref "$1" "$2"; }

# bench_run LABEL COMMAND: a measured row.
bench_run() { _bench_measure run "$1" "$2"; }

# bench_na LABEL REASON: a row that could not be measured, and why.
bench_na() {
  _bench_tsv R "$_bench_table" "$(_bench_clean "$1")" run na "" "" "" 0 "" "$(_bench_clean "$2")"
  printf '  %-40s %s\n' "$1" "$2" >&2
}

# bench_note TEXT: a line printed under the current table (a derived figure).
bench_note() {
  _bench_tsv N "$_bench_table" "$(_bench_clean "$1")"
  printf '  note: %s\n' "$1" >&2
}

# bench_result TABLE LABEL FIELD: a measured value of a row already run
# (FIELD: wall, cpu, rss_kb, lines); empty when the row is missing or failed.
bench_result() {
  awk -F'\t' -v t="$1" -v l="$2" -v f="$3" '
    BEGIN { col = (f == "wall") ? 6 : (f == "cpu") ? 7 : (f == "rss_kb") ? 8 : (f == "lines") ? 10 : 0 }
    $1 == "R" && $2 == t && $3 == l && $5 == "ok" && col { v = $col }
    END { print v }' "$BENCH_RESULTS"
}

# bench_corpusrun_ready: true when ./corpusrun is built (else says why on stdout).
bench_corpusrun_ready() {
  if [ ! -x "$CORPUSRUN" ]; then echo "not yet available (no corpusrun binary)"; return 1; fi
  return 0
}

# bench_probe LABEL COMMAND [PATTERN]: run COMMAND once (on small data, such as
# the 500-file base corpus); when it fails, or its output has no line matching
# the extended regular expression PATTERN (a sign that the script is a stub),
# add a "not yet available" row saying why and return false.
bench_probe() {
  local label=$1 cmd=$2 pattern=${3:-}
  if ! bench_corpusrun_ready > "$BENCH_TMP/why"; then bench_na "$label" "$(cat "$BENCH_TMP/why")"; return 1; fi
  if ! timeout 300 bash -c "set -o pipefail; $cmd" > "$BENCH_TMP/probe.out" 2> "$BENCH_TMP/probe"; then
    bench_na "$label" "not yet available: $(head -c 200 "$BENCH_TMP/probe" | head -n 2)"
    return 1
  fi
  if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$BENCH_TMP/probe.out"; then
    bench_na "$label" "not yet available: its output on the base corpus has no line matching /$pattern/"
    return 1
  fi
  return 0
}
