#!/usr/bin/env bash
# Bindings overhead: normalize 100k company names and validate 100k emails through the
# Python wheel and the Node addon (both release builds), batched and one call per
# input, beside the same work in pure Rust — in one run — and print the ratios.
# Inputs: the Company and Email columns of ../shared/data/contacts_large_100k.csv
# (repeated up to 100 000 non-empty values each).
# Usage: bash benches/bindings/run.sh   (venv in $LEADGEN_BENCH_VENV, default
# /work/venvs/bindings; needs bindings-node/node_modules from scripts/test-node.sh).
# LEADGEN_BENCH_BINDINGS="node" (or "python") runs one binding; default both.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
SHARED="${LEADGEN_SHARED_DIR:-$(cd .. && pwd)/shared}"
VENV="${LEADGEN_BENCH_VENV:-/work/venvs/bindings}"
BINDINGS=" ${LEADGEN_BENCH_BINDINGS:-python node} "
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

python3 - "$SHARED/data/contacts_large_100k.csv" "$OUT" <<'PY'
import csv, itertools, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
for column, name in (("Company", "names.txt"), ("Email", "emails.txt")):
    values = [r[column].strip() for r in rows if r[column].strip()]
    values = list(itertools.islice(itertools.cycle(values), 100_000))
    with open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8") as out:
        out.write("\n".join(values) + "\n")
PY

echo "bench: building the pure-Rust side, the wheel and the addon (release)" >&2
cargo build --release -q --example bindings_pure_rust
if [[ $BINDINGS == *" python "* ]]; then
  if [ ! -x "$VENV/bin/maturin" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "maturin>=1.16,<2"
  fi
  rm -rf "$OUT/wheels"
  "$VENV/bin/maturin" build -q --release -m bindings-python/Cargo.toml --out "$OUT/wheels" >&2
  "$VENV/bin/pip" install -q --force-reinstall --no-deps "$OUT"/wheels/leadgen-*.whl
fi
if [[ $BINDINGS == *" node "* ]]; then
  (cd bindings-node && npx napi build --release --platform --output-dir "$OUT/node" >&2)
fi

uptime >&2
"$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release/examples/bindings_pure_rust" "$OUT" > "$OUT/all.tsv"
if [[ $BINDINGS == *" python "* ]]; then
  (cd "$OUT" && "$VENV/bin/python" "$repo/benches/bindings/bench.py" "$OUT") >> "$OUT/all.tsv"
fi
if [[ $BINDINGS == *" node "* ]]; then
  node benches/bindings/bench.mjs "$(ls "$OUT"/node/*.node)" "$OUT" >> "$OUT/all.tsv"
fi
uptime >&2

echo "operation               mode        binding   inputs   seconds   ns/input   x pure Rust"
awk -F'\t' '$1 == "rust" { rust[$2 "/" $3] = $5 }
  { rows[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, "\t"); r = rust[f[2] "/" f[3]]
      printf "%-23s %-11s %-8s %7d %9.3f %10.0f %12s\n", f[2], f[3], f[1], f[4], f[5], f[5] * 1e9 / f[4],
        (r > 0 ? sprintf("%.2fx", f[5] / r) : "-")
    }
  }' "$OUT/all.tsv"
echo "(goal: batched within 1.5x of pure Rust; one_by_one shows the per-call overhead)"
