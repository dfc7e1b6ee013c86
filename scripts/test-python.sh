#!/usr/bin/env bash
# Builds the Python wheel (maturin, dev profile, the shared target dir), installs it
# into a FRESH venv, checks the stubs against it (mypy.stubtest) and runs the pytest
# suite, the Python example and the notebook against the installed package.
# Creates the tools venv when it is missing (CI machines start fresh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
export CARGO_TARGET_DIR=$target_dir
export LEADGEN_SHARED_DIR=${LEADGEN_SHARED_DIR:-$repo/../shared}
python=${PYTHON:-python3}

tools=$repo/.venv/tools
if [ ! -x "$tools/bin/maturin" ] || ! "$tools/bin/python" -c "import pytest, mypy" 2>/dev/null; then
  echo "test-python: creating tools venv in $tools"
  "$python" -m venv "$tools"
  "$tools/bin/pip" install -q --upgrade pip
  "$tools/bin/pip" install -q "maturin>=1.16,<2" pytest mypy pandas
fi

wheels=$target_dir/wheels
rm -f "$wheels"/leadgen-*.whl
"$tools/bin/maturin" build -m bindings-python/Cargo.toml --profile dev --out "$wheels" --quiet
wheel=$(ls "$wheels"/leadgen-*.whl)

# A fresh venv, as a user's: the package comes only from the wheel. Test tools are
# installed from pip's cache, so this costs seconds after the first run.
venv=$target_dir/venv-test-python
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q "$wheel" pytest mypy pandas

# Run from outside the source tree so `import leadgen` cannot pick up python/leadgen.
cd "$target_dir"
"$venv/bin/python" -m mypy.stubtest leadgen
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/bindings-python/tests" "$@"
