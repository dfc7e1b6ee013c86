#!/usr/bin/env bash
# Benchmark of leadgen's importer with its anchors, in one run:
#   - the 100k-row CSV parsed + mapped (leadgen) vs polars.read_csv and pandas.read_csv
#   - the same CSV imported end to end into a fresh SQLite file (goal ≥ 100k rows/s)
#   - the XLSX sample parsed (leadgen) vs openpyxl in read-only mode
# Usage: benches/import/run.sh [REPEATS]   (env: LEADGEN_SHARED_DIR, VENV)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${LEADGEN_SHARED_DIR:-$root/../shared}/data"
repeats="${1:-5}"
venv="${VENV:-/work/venv-bench}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import polars, pandas, openpyxl" 2>/dev/null \
    || "$venv/bin/pip" install -q polars pandas openpyxl

(cd "$root" && cargo build --release -q -p leadgen-bench-import)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}release/bench-import"

load_before="$(cut -d" " -f1-3 /proc/loadavg)"
rust_json="$("$bin" "$data" "$repeats")"
py_json="$("$venv/bin/python" "$here/anchors.py" "$data" "$repeats")"

load_after="$(cut -d" " -f1-3 /proc/loadavg)"
"$venv/bin/python" - "$rust_json" "$py_json" "$load_before" "$load_after" "$(nproc)" <<'PY'
import json, sys
r, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def row(name, secs, note=""):
    print(f"  {name:<44} {secs*1000:9.1f} ms  {note}")
print(f"leadgen import benchmark (best of N, wall time); load average {sys.argv[3]} before, {sys.argv[4]} after, {sys.argv[5]} cores")
row("leadgen parse+map 100k CSV", r["csv_parse_map_s"], f'{r["csv_rows"]} rows')
if "csv_parse_map_drafts_s" in r:
    row("  the same, and every row's drafts built", r["csv_parse_map_drafts_s"])
row("polars.read_csv", p["polars_read_csv_s"])
row("pandas.read_csv", p["pandas_read_csv_s"])
row("leadgen import 100k CSV into SQLite", r["csv_end_to_end_s"],
    f'{r["csv_end_to_end_rows_per_s"]:,.0f} rows/s')
if "csv_end_to_end_closed_s" in r:
    row("  the same, until its checkpoint is done", r["csv_end_to_end_closed_s"],
        f'{r["csv_end_to_end_rows"] / r["csv_end_to_end_closed_s"]:,.0f} rows/s (store closed)')
row("leadgen parse XLSX (Kontakty)", r["xlsx_parse_s"], f'{r["xlsx_rows"]} rows')
if "xlsx_parse_drafts_s" in r:
    row("  the same, and every row's drafts built", r["xlsx_parse_drafts_s"])
row("openpyxl read-only (Kontakty)", p["openpyxl_read_only_s"])
vs_polars = p["polars_read_csv_s"] / r["csv_parse_map_s"]
vs_pandas = p["pandas_read_csv_s"] / r["csv_parse_map_s"]
vs_openpyxl = p["openpyxl_read_only_s"] / r["xlsx_parse_s"]
e2e = r["csv_end_to_end_rows_per_s"]
ph = r.get("phases", {})
if ph:
    print("  where leadgen's time goes: "
          f'read {ph["csv_read_table_s"]*1000:.1f} ms, map {ph["csv_infer_mapping_s"]*1000:.1f} ms, '
          f'drafts {ph["csv_build_drafts_s"]*1000:.1f} ms; SQLite upsert of '
          f'{ph["sqlite_upsert_contacts"]} contacts {ph["sqlite_upsert_contacts_s"]*1000:.1f} ms')
print("ratios (speed of leadgen relative to the anchor; goal in brackets)")
print(f"  parse+map vs polars   {vs_polars:6.2f}x  [>= 0.5x]  {'ok' if vs_polars >= 0.5 else 'MISSED'}")
print(f"  parse+map vs pandas   {vs_pandas:6.2f}x  [>= 3x]    {'ok' if vs_pandas >= 3 else 'MISSED'}")
print(f"  end to end            {e2e:,.0f} rows/s [>= 100,000] {'ok' if e2e >= 100_000 else 'MISSED'}")
print(f"  XLSX vs openpyxl      {vs_openpyxl:6.2f}x  [>= 10x]   {'ok' if vs_openpyxl >= 10 else 'MISSED'}")
if "csv_parse_map_drafts_s" in r:
    print("  with every draft built (informative): parse+map "
          f'{p["polars_read_csv_s"] / r["csv_parse_map_drafts_s"]:.2f}x polars, '
          f'{p["pandas_read_csv_s"] / r["csv_parse_map_drafts_s"]:.2f}x pandas; XLSX '
          f'{p["openpyxl_read_only_s"] / r["xlsx_parse_drafts_s"]:.2f}x openpyxl')
print(json.dumps({"leadgen": r, "anchors": p, "ratios": {"parse_map_vs_polars": vs_polars,
      "parse_map_vs_pandas": vs_pandas, "xlsx_vs_openpyxl": vs_openpyxl, "end_to_end_rows_per_s": e2e}}))
PY
