#!/usr/bin/env bash
# Runs the unit tests and a few integration tests on another Node LTS line, fetched as the official
# build from the npm registry (package node-linux-<arch>, what the `node` package installs), without
# touching the machine's own node or the installed node_modules.
#
#   bash scripts/test-on-node.sh 22        (or 24)
#
# The N-API bindings (serialport, node-hid, usb, @node-rs/argon2, @napi-rs/canvas) load on any Node;
# @pokusew/pcsclite (nan) is compiled for one Node ABI, so it is compiled for this line too, offline,
# against the headers the official build carries (include/node), and swapped in for the run only.
set -euo pipefail
major=${1:?usage: test-on-node.sh 22|24}
repo=$(cd "$(dirname "$0")/.." && pwd)
arch=$(node -p process.arch)
dir="$repo/.tmp/node-$major"
if [[ ! -x $dir/bin/node || ! -f $dir/include/node/node.h ]]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack "node-linux-$arch@$major" --prefer-offline --silent | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node package/include
  rm -f "$dir/$tarball"
fi
pcsclite=$repo/node_modules/@pokusew/pcsclite
if [[ -d $pcsclite && ! -f $dir/pcsclite/build/Release/pcsclite.node ]]; then
  rm -rf "$dir/pcsclite" && cp -r "$pcsclite" "$dir/pcsclite" && rm -rf "$dir/pcsclite/build"
  gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  (cd "$dir/pcsclite" && "$dir/bin/node" "$gyp" rebuild --nodedir="$dir" >"$dir/pcsclite-build.log" 2>&1) ||
    { tail -n 20 "$dir/pcsclite-build.log" >&2; echo "test-on-node: cannot build pcsclite for Node $major" >&2; exit 1; }
fi
if [[ -d $pcsclite ]]; then
  cp "$pcsclite/build/Release/pcsclite.node" "$dir/pcsclite.node.machine"
  trap 'cp "$dir/pcsclite.node.machine" "$pcsclite/build/Release/pcsclite.node"' EXIT
  cp "$dir/pcsclite/build/Release/pcsclite.node" "$pcsclite/build/Release/pcsclite.node"
fi
export PATH="$dir/bin:$PATH"
echo "== $(node --version) ($dir/bin/node)"
cd "$repo"
node node_modules/vitest/vitest.mjs run --project unit
node node_modules/vitest/vitest.mjs run --project integration \
  tests/integration/kiosk-launcher.int.test.ts \
  tests/integration/fleetctl.int.test.ts \
  tests/integration/built-bundles.int.test.ts
