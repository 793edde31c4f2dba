# Content hashes: receipts hash every input file and corpus databases every
# document with SHA-256 (host.sha256, host.sha256_file, Nettle's code).
# Reference: coreutils' sha256sum over the same JSONL file.
. "$(dirname "$0")/lib/bench.sh"
jsonl=$(bench_data jsonl) || exit 1
q() { printf '%q' "$1"; }

bench_table hash "SHA-256 of a file" "$jsonl" \
  "One file, the whole corpus as JSON Lines; the digest is checked against sha256sum's first."
bench_ref "sha256sum" "sha256sum $(q "$jsonl") > /dev/null"
label="corpusrun sha256.lua"
if bench_probe "$label" "$(q "$CORPUSRUN") bench/scripts/sha256.lua $(q "$jsonl")" "^$(sha256sum "$jsonl" | cut -c1-64) "; then
  bench_run "$label" "$(q "$CORPUSRUN") bench/scripts/sha256.lua $(q "$jsonl")"
fi
