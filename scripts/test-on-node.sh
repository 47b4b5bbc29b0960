#!/usr/bin/env bash
# Runs the unit tests and a few integration tests on another Node LTS line, fetched as the official
# build from the npm registry (package node-linux-<arch>, what the `node` package installs), without
# touching the machine's own node or the installed node_modules.
#
#   bash scripts/test-on-node.sh 22        (or 24)
#
# The native bindings stay as `npm ci` built them: the N-API ones (serialport, node-hid, usb,
# @node-rs/argon2, @napi-rs/canvas) load on any Node; @pokusew/pcsclite is compiled for the machine's
# Node ABI, so the PC/SC integration tests are not in this subset (its loader then throws
# ERR_DRV_PCSC_UNAVAILABLE, as on a kiosk without libpcsclite-dev).
set -euo pipefail
major=${1:?usage: test-on-node.sh 22|24}
repo=$(cd "$(dirname "$0")/.." && pwd)
arch=$(node -p process.arch)
dir="$repo/.tmp/node-$major"
if [[ ! -x $dir/bin/node ]]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack "node-linux-$arch@$major" --prefer-offline --silent | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
  rm -f "$dir/$tarball"
fi
export PATH="$dir/bin:$PATH"
echo "== $(node --version) ($dir/bin/node)"
cd "$repo"
node node_modules/vitest/vitest.mjs run --project unit
node node_modules/vitest/vitest.mjs run --project integration \
  tests/integration/kiosk-launcher.int.test.ts \
  tests/integration/fleetctl.int.test.ts \
  tests/integration/built-bundles.int.test.ts
