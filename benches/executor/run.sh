#!/usr/bin/env bash
# The executor benchmark: leadgen's executor (10 no-op stages in a chain over N
# companies) on SQLite — and on PostgreSQL when LEADGEN_BENCH_PG_URL is set —
# beside the Python anchor (a thread per stage polling a completions table in
# sqlite3), in the same run. Prints one JSON line per measurement and the ratios.
#
#   benches/executor/run.sh [ENTITIES] [ANCHOR_ENTITIES]
#
# ANCHOR_ENTITIES defaults to ENTITIES (compare on the same data). The anchor
# needs ~3 minutes for 100k on a 2-core machine; a smaller table flatters it a lot
# (its polls rescan what is done: 40k pairs/s at 5k entities, 5.5k at 100k).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
entities="${1:-100000}"
anchor_entities="${2:-$entities}"
venv="${LEADGEN_BENCH_VENV:-$root/../venv-bench}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cargo build --release -q -p leadgen-bench-executor --manifest-path "$root/Cargo.toml" \
    ${LEADGEN_BENCH_PG_URL:+--features postgres}
bin="${CARGO_TARGET_DIR:-$root/target}/release/leadgen-bench-executor"

"$venv/bin/python" "$here/anchor.py" --entities "$anchor_entities" --stages 10 | tee "$out/anchor.json"
"$bin" --store "$out/bench.db" --entities "$entities" --stages 10 | tee "$out/sqlite.json"
"$bin" --store "$out/notable.db" --entities "$entities" --stages 10 --notable-attempts-only | tee "$out/notable.json"
"$bin" --store memory --entities "$entities" --stages 10 | tee "$out/memory.json"
if [ -n "${LEADGEN_BENCH_PG_URL:-}" ]; then
    "$bin" --store "$LEADGEN_BENCH_PG_URL" --entities "$entities" --stages 10 | tee "$out/pg.json"
fi

"$venv/bin/python" - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
anchor = json.loads((out / "anchor.json").read_text())["pairs_per_sec"]
for name in ("sqlite", "notable", "memory", "pg"):
    f = out / f"{name}.json"
    if f.exists():
        r = json.loads(f.read_text())
        print(f"{name:7s} {r['pairs_per_sec']:>12,.0f} pairs/s  = {r['pairs_per_sec'] / anchor:6.1f}x the Python anchor ({anchor:,.0f} pairs/s)")
PY
