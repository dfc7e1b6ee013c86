#!/usr/bin/env bash
# Runs every test of leadgen on a fresh machine: installs/starts what the tests need
# (PostgreSQL), then formatting and lint checks, then the Rust test suite of the whole
# workspace (unit, integration, conformance on SQLite and PostgreSQL, doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export LEADGEN_TEST_DATABASE_URL="${LEADGEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
# sccache, when the machine has it, makes repeated runs on the same machine faster.
if [ -z "${RUSTC_WRAPPER:-}" ] && command -v sccache >/dev/null 2>&1; then
  export RUSTC_WRAPPER=sccache
fi

step() { printf '\n=== %s (%ss)\n' "$1" "$SECONDS"; }

# One target triple for every cargo call: `napi build` always passes --target, so the
# bindings' builds reuse what `cargo test` compiled instead of building it a second time.
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"

step "PostgreSQL"
bash scripts/ensure-postgres.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test --workspace"
cargo test --workspace --locked

step "Python binding (wheel in a fresh venv, stubtest, pytest)"
bash scripts/test-python.sh

step "Node binding (npm pack in a fresh folder, tsc, node --test)"
bash scripts/test-node.sh

step "done"
