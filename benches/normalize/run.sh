#!/usr/bin/env bash
# Normalizer throughput: leadgen's normalizers against cleanco, nameparser and
# phonenumbers (Python libphonenumber) on the same inputs, in the same run.
# Usage: bash benches/normalize/run.sh   (needs ../shared/data beside the clone,
# or LEADGEN_SHARED_DIR; creates a venv for the anchors when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED="${LEADGEN_SHARED_DIR:-$(cd .. && pwd)/shared}"
VENV="${LEADGEN_BENCH_VENV:-/work/venv-bench}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install -q cleanco nameparser phonenumbers

cargo build --release -q -p leadgen-core --example normalize_bench
BIN="${CARGO_TARGET_DIR:-target}/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/examples/normalize_bench"

"$BIN" "$SHARED/data" "$OUT" > "$OUT/rust.tsv"
"$VENV/bin/python" benches/normalize/anchor.py "$OUT" > "$OUT/python.tsv"

echo "normalizer          inputs  leadgen ns/call  anchor ns/call  speed-up"
awk -F'\t' 'NR==FNR { anchor[$1] = $4; next }
  { a = ($1 in anchor) ? anchor[$1] : "";
    printf "%-18s %7d %16d %15s %9s\n", $1, $2, $4, a, (a == "" ? "-" : sprintf("%.1fx", a / $4)) }' \
  "$OUT/python.tsv" "$OUT/rust.tsv"
echo "(anchors: company_name = cleanco.basename, person_name = nameparser.HumanName,"
echo " phone = phonenumbers.parse + is_valid_number + format E164)"
