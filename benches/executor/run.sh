#!/usr/bin/env bash
# The executor benchmark: leadgen's executor (10 no-op stages in a chain over N
# companies) on SQLite — and on PostgreSQL when LEADGEN_BENCH_PG_URL is set —
# beside the Python anchor (a thread per stage polling a completions table in
# sqlite3), in the same run. Prints one JSON line per measurement and the ratios.
#
#   benches/executor/run.sh [ENTITIES] [ANCHOR_ENTITIES]
#
# With LEADGEN_BENCH_PG_URL set, PostgreSQL is measured in one process and with
# 1 and 4 worker processes sharing one run (Executor::work), on
# LEADGEN_BENCH_PG_ENTITIES companies (default 20000), each in a schema of its
# own dropped afterwards.
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
bin="${CARGO_TARGET_DIR:-$root/target}/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/leadgen-bench-executor"

"$venv/bin/python" "$here/anchor.py" --entities "$anchor_entities" --stages 10 | tee "$out/anchor.json"
"$bin" --store "$out/bench.db" --entities "$entities" --stages 10 | tee "$out/sqlite.json"
"$bin" --store "$out/notable.db" --entities "$entities" --stages 10 --notable-attempts-only | tee "$out/notable.json"
"$bin" --store memory --entities "$entities" --stages 10 | tee "$out/memory.json"
if [ -n "${LEADGEN_BENCH_PG_URL:-}" ]; then
    pg_entities="${LEADGEN_BENCH_PG_ENTITIES:-20000}"
    "$bin" --store "$LEADGEN_BENCH_PG_URL" --schema "bench_exec_$$_p" --drop-schema \
        --entities "$pg_entities" --stages 10 | tee "$out/pg.json"
    for w in 1 4; do
        "$bin" --store "$LEADGEN_BENCH_PG_URL" --schema "bench_exec_$$_w$w" --drop-schema \
            --workers "$w" --entities "$pg_entities" --stages 10 | tee "$out/pg_w$w.json"
    done
fi
uptime

"$venv/bin/python" - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
anchor = json.loads((out / "anchor.json").read_text())["pairs_per_sec"]
for name in ("sqlite", "notable", "memory", "pg", "pg_w1", "pg_w4"):
    f = out / f"{name}.json"
    if f.exists():
        r = json.loads(f.read_text())
        print(f"{name:7s} {r['pairs_per_sec']:>12,.0f} pairs/s  = {r['pairs_per_sec'] / anchor:6.1f}x the Python anchor ({anchor:,.0f} pairs/s)")
w1, w4 = out / "pg_w1.json", out / "pg_w4.json"
if w1.exists() and w4.exists():
    a = json.loads(w1.read_text())["pairs_per_sec"]
    b = json.loads(w4.read_text())["pairs_per_sec"]
    print(f"postgres workers: 4 workers = {b / a:.2f}x 1 worker ({b:,.0f} vs {a:,.0f} pairs/s)")
PY
