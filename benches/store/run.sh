#!/usr/bin/env bash
# Store benchmark: builds leadgen-store's bench in release, runs it and the Python
# anchor on the same rows, and prints one table.
#
#   benches/store/run.sh [ROWS]        (default 100000)
#
# Needs PostgreSQL at LEADGEN_TEST_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/test). The anchor's venv is
# $LEADGEN_BENCH_VENV (default /work/venv-bench if it exists, else
# target/venv-bench), created with psycopg[binary] when missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rows="${1:-100000}"
export LEADGEN_TEST_DATABASE_URL="${LEADGEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

if [[ -z "${LEADGEN_BENCH_VENV:-}" ]]; then
    if [[ -d /work/venv-bench ]]; then
        LEADGEN_BENCH_VENV=/work/venv-bench
    else
        LEADGEN_BENCH_VENV="$root/target/venv-bench"
    fi
fi
if [[ ! -x "$LEADGEN_BENCH_VENV/bin/python" ]]; then
    python3 -m venv "$LEADGEN_BENCH_VENV"
fi
if ! "$LEADGEN_BENCH_VENV/bin/python" -c "import psycopg" 2>/dev/null; then
    "$LEADGEN_BENCH_VENV/bin/pip" install --quiet "psycopg[binary]"
fi

out="$(mktemp -d "${TMPDIR:-/tmp}/leadgen-bench-store.XXXXXX")"
trap 'rm -rf "$out"' EXIT

cd "$root"
cargo bench -p leadgen-store --features postgres --bench store -- --rows "$rows" --out "$out"
"$LEADGEN_BENCH_VENV/bin/python" "$here/anchor.py" --out "$out"
