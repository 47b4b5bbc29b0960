#!/usr/bin/env bash
# Proves the README's first command on a machine without the Debian development packages:
# a fresh copy of the tracked files, `npm ci` with the PC/SC and libusb headers hidden, then
# `npm start` until the fleet-server answers and all five demo kiosks are online.
#
# How "clean" is made here: a private mount namespace (`unshare --mount`, needs root) binds an empty
# directory over /usr/include/PCSC (libpcsclite-dev) and /usr/include/libusb-1.0 (libusb-1.0-0-dev),
# so node-gyp cannot build @pokusew/pcsclite exactly as on a fresh Debian/Ubuntu; HOME is a new empty
# directory (a fresh user environment) and only the npm cache is shared (`--prefer-offline`), so the
# install does not download what is already cached. The rest of the machine is as it is.
#
# It then checks that the smart-card binding really is absent and that loading it fails loudly with
# ERR_DRV_PCSC_UNAVAILABLE naming the Debian packages, i.e. only a configured PC/SC device needs them.
#
#   bash scripts/check-clean-install.sh [--keep]     (--keep leaves the copy in /tmp for a look)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [[ ${CLEAN_INSTALL_INSIDE:-} != 1 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "check-clean-install: needs root for a private mount namespace (unshare --mount)" >&2
    exit 1
  fi
  CLEAN_INSTALL_INSIDE=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

keep=${1:-}
empty=$(mktemp -d)
for dir in /usr/include/PCSC /usr/include/libusb-1.0; do
  [[ -d $dir ]] && mount --bind "$empty" "$dir"
done
if [[ -e /usr/include/PCSC/winscard.h ]]; then
  echo "check-clean-install: could not hide /usr/include/PCSC" >&2
  exit 1
fi

work=$(mktemp -d /tmp/clean-install.XXXXXX)
cleanup() {
  # The demo runs in its own process group (setsid): npm does not pass SIGINT on to the demo under
  # it, so the whole group is interrupted, and killed if it is not gone within 30 s.
  if [[ -n ${demo_pid:-} ]]; then
    kill -INT -- "-$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 -- "-$demo_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$demo_pid" 2>/dev/null || true
  fi
  if [[ $keep == --keep ]]; then echo "left in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A fresh copy of what git tracks (the working tree's state, so uncommitted edits are checked too).
mkdir -p "$work/repo" "$work/home"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$work/repo"
cache=$(npm config get cache)
# node-gyp's Node headers: this machine has no route to nodejs.org, so keep its local headers (a fresh
# machine with internet downloads them); then the only thing the pcsclite build can miss is winscard.h.
nodedir=$(npm config get nodedir)
[[ $nodedir != undefined && -n $nodedir ]] || nodedir=$(dirname "$(dirname "$(command -v node)")")
export HOME=$work/home npm_config_cache=$cache npm_config_nodedir=$nodedir npm_config_update_notifier=false \
  ELECTRON_SKIP_BINARY_DOWNLOAD=1
cd "$work/repo"

echo "== npm ci (PC/SC and libusb headers hidden)"
# --foreground-scripts: the build output lands in the log, so the check can see why pcsclite failed.
npm ci --prefer-offline --no-audit --no-fund --foreground-scripts >"$work/npm-ci.log" 2>&1 ||
  { tail -n 40 "$work/npm-ci.log" >&2; echo "check-clean-install: npm ci failed" >&2; exit 1; }
tail -n 3 "$work/npm-ci.log"
if [[ -e node_modules/@pokusew/pcsclite ]]; then
  echo "check-clean-install: @pokusew/pcsclite is installed although winscard.h was hidden; the check proves nothing" >&2
  exit 1
fi
if ! grep -q 'winscard.h' "$work/npm-ci.log"; then
  echo "check-clean-install: the optional PC/SC build did not fail on the missing winscard.h; see $work/npm-ci.log" >&2
  exit 1
fi
echo "the optional @pokusew/pcsclite build failed on the missing winscard.h and npm ci went on"

echo "== a configured PC/SC reader fails loudly, naming the packages"
npx tsx -e "
import { loadPcscLite } from '@drivers/smartcard-pcsc'
try { loadPcscLite(); console.error('pcsclite loaded'); process.exit(1) }
catch (e) {
  if (e.code !== 'ERR_DRV_PCSC_UNAVAILABLE' || !/libpcsclite-dev/.test(e.message)) { console.error(e); process.exit(1) }
  console.log(e.code + ': ' + e.message.slice(0, 160) + '…')
}"

echo "== npm start (the demo) until five kiosks are online"
setsid npm start -- --http-port 0 --panel-port 0 --data-dir "$work/demo" >"$work/demo.log" 2>&1 &
demo_pid=$!
dashboard=
for _ in $(seq 1 600); do
  dashboard=$(grep -oE 'dashboard +https?://[0-9.:]+' "$work/demo.log" | awk '{print $2}' || true)
  [[ -n $dashboard ]] && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.5
done
if [[ -z $dashboard ]]; then
  cat "$work/demo.log" >&2
  echo "check-clean-install: the demo did not come up" >&2
  exit 1
fi
# The demo's dashboard is HTTPS, signed by the demo CA it made in its data directory.
ca=(--cacert "$work/demo/tls/ca.crt")
curl -fsS "${ca[@]}" "$dashboard/healthz" >/dev/null
curl -fsS "${ca[@]}" -c "$work/cookies" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"kiosk-fleet-demo"}' "$dashboard/api/login" >/dev/null
online=0
# Five agents starting from TypeScript on a busy shared machine can take minutes; no timing is judged.
for _ in $(seq 1 300); do
  online=$(curl -fsS "${ca[@]}" -b "$work/cookies" "$dashboard/api/kiosks?state=online" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log((j.items??j.kiosks??j).length)})')
  [[ $online -ge 5 ]] && break
  sleep 1
done
if [[ $online -lt 5 ]]; then
  cat "$work/demo.log" >&2
  echo "check-clean-install: only $online of 5 demo kiosks came online" >&2
  exit 1
fi
echo "clean install ok: npm ci without libpcsclite-dev/libusb headers, demo up at $dashboard with $online kiosks online"
