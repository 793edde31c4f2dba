#!/bin/bash
# pictures.sh BIN OUTDIR [JOBS]: draws every script's --svg picture from the
# sample corpus (corpus/) into OUTDIR, the pictures docs/pictures/ shows
# (`make pictures` writes them there; tests/scripts_svg.lua checks that
# this reproduces them byte for byte).  The pictures over a metadata field
# read a copy of the corpus with docs/pictures/metadata.csv as its sidecar
# (dates and outlets made up for the example, not the articles' own: the
# sample corpus has no metadata; docs/pictures/README.md).  The
# receipts the scripts write beside each picture are left out.  JOBS
# (default 1) is corpusrun's -j.
set -e
BIN=$1; OUT=$2; JOBS=${3:-1}
[ -n "$BIN" ] && [ -n "$OUT" ] || { echo "usage: tools/pictures.sh BIN OUTDIR [JOBS]" >&2; exit 2; }
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd); cd "$ROOT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pictures.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cp -r corpus "$TMP/corpus"
cp docs/pictures/metadata.csv "$TMP/corpus/metadata.csv"
run() { "$BIN" -j "$JOBS" "$@" -q > /dev/null; }
run scripts/kwic.lua -c corpus --entity Zakani --svg "$OUT/kwic-zakani.svg"
run scripts/mentions.lua -c corpus --svg "$OUT/mentions.svg" --svg-network "$OUT/mentions-network.svg"
run scripts/mentions.lua -c corpus --svg "$OUT/mentions-zakani.svg" --svg-entity Zakani
run scripts/mentions.lua -c "$TMP/corpus" --by date --svg-by "$OUT/mentions-by-date.svg"
run scripts/freq.lua -c corpus --stopwords en --top 20 --svg "$OUT/freq.svg"
run scripts/freq.lua -c "$TMP/corpus" --stopwords en --by date --svg "$OUT/freq-by-date.svg"
run scripts/freq.lua -c "$TMP/corpus" --stopwords en --by outlet --svg "$OUT/freq-by-outlet.svg"
run scripts/keyness.lua -c corpus --target '000*' --direction both --svg "$OUT/keyness.svg"
run scripts/collocates.lua -c corpus regime --sort logdice --svg "$OUT/collocates-regime.svg"
run scripts/cooccur.lua -c corpus --stopwords en --top 25 --svg "$OUT/cooccur-words.svg"
run scripts/cooccur.lua -c corpus --of entities --top 25 --svg "$OUT/cooccur-entities.svg"
rm -f "$OUT"/*.receipt.json
