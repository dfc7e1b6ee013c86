#!/usr/bin/env bash
# Builds the Node addon (napi build, dev profile, the shared target dir), packs it with
# `npm pack`, installs the tarball into a FRESH folder, type-checks the TypeScript
# example against the generated index.d.ts (tsc --noEmit) and runs the node:test suite,
# the README's Node section and the Node example against the installed package.
# Installs the npm build tools when they are missing (CI machines start fresh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# `napi build` always passes --target; giving every cargo call the same target lets
# maturin, napi and `cargo test` share one target directory.
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
export CARGO_TARGET_DIR=$target_dir
export LEADGEN_SHARED_DIR=${LEADGEN_SHARED_DIR:-$repo/../shared}
export LEADGEN_REPO_DIR=$repo

cd bindings-node
if [ ! -x node_modules/.bin/napi ] || [ ! -x node_modules/.bin/tsc ]; then
  echo "test-node: installing the npm build tools"
  # `npm install` (not `npm ci`): the lock lists platform packages npm versions resolve differently.
  npm install --no-audit --no-fund --loglevel=error
fi
npx napi build --platform
packs=$target_dir/npm
rm -rf "$packs" && mkdir -p "$packs"
tarball=$packs/$(npm pack --pack-destination "$packs" --loglevel=error | tail -n 1)

# A fresh folder, as a user's project: the package comes only from the tarball.
install=$target_dir/node-install
rm -rf "$install" && mkdir -p "$install"
cd "$install"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball"

# The TypeScript example against the installed package's generated types.
cp "$repo/examples/node/quickstart.ts" .
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "es2022",
    "module": "nodenext", "moduleResolution": "nodenext", "types": []
  },
  "files": ["quickstart.ts"]
}
JSON
"$repo/bindings-node/node_modules/.bin/tsc" -p tsconfig.json
echo "test-node: tsc --noEmit examples/node/quickstart.ts: ok"

cp -r "$repo/bindings-node/__test__" .
node --test __test__/ "$@"
