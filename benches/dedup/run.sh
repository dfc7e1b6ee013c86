#!/usr/bin/env bash
# Dedup benchmark: leadgen vs Splink (DuckDB) and recordlinkage on the 100k-contact
# file, our similarity kernels vs rapidfuzz, and leadgen on a generated 1M set.
# Everything runs in this one invocation; results go to $OUT (JSON lines) and a
# summary with ratios is printed at the end.
#
#   benches/dedup/run.sh            # all
#   SKIP_1M=1 benches/dedup/run.sh  # without the 1M run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${LEADGEN_SHARED_DIR:-$root/../shared}"
venv="${VENV:-/work/venvs/dedup}"
out="${OUT:-${TMPDIR:-/tmp}/dedup-bench-$(date +%Y%m%d-%H%M%S).jsonl}"
million="${MILLION_CSV:-${TMPDIR:-/tmp}/dedup_1m.csv}"
: > "$out"
echo "== load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Python anchors: their own venv, created if missing (CI machines start fresh).
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import splink, recordlinkage, rapidfuzz, pandas, duckdb" 2>/dev/null; then
  "$venv/bin/pip" install -q splink recordlinkage rapidfuzz pandas duckdb || echo "warning: some anchors could not be installed" >&2
fi

echo "== building (release)" >&2
bin="$(cd "$root" && cargo bench -p leadgen-core --bench dedup --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import sys, json; [print(j["executable"]) for j in map(json.loads, sys.stdin) if j.get("executable")]' | tail -1)"
echo "== leadgen: accuracy (samples, companies, 100k)" >&2
LEADGEN_SHARED_DIR="$shared" "$bin" accuracy | tee -a "$out"
echo "== leadgen: kernels" >&2
LEADGEN_SHARED_DIR="$shared" "$bin" kernels | tee -a "$out"
echo "== leadgen: 100k, 2 threads" >&2
LEADGEN_SHARED_DIR="$shared" RAYON_NUM_THREADS=2 "$bin" large | tee -a "$out"

for anchor in rapidfuzz recordlinkage splink; do
  echo "== anchor: $anchor" >&2
  if "$venv/bin/python" -c "import $anchor" 2>/dev/null; then
    timeout 3600 "$venv/bin/python" "$here/anchors.py" "$anchor" "$shared" | tee -a "$out" || echo "{\"tool\":\"$anchor\",\"error\":\"failed\"}" | tee -a "$out"
  else
    echo "{\"tool\":\"$anchor\",\"error\":\"not installed\"}" | tee -a "$out"
  fi
done

if [ -z "${SKIP_1M:-}" ]; then
  echo "== leadgen: generate 1M synthetic contacts" >&2
  [ -f "$million" ] || "$bin" generate 1000000 "$million"
  echo "== leadgen: 1M, 2 threads" >&2
  RAYON_NUM_THREADS=2 "$bin" synthetic "$million" | tee -a "$out"
fi

"$venv/bin/python" "$here/summarize.py" "$out"
echo "results: $out" >&2
