#!/usr/bin/env bash
# The kiosk package's lifecycle on this machine (root): build N and N+1 with dpkg-deb, verify the
# systemd units, install N, run the installed launcher as the `kiosk` user until its agent serves
# the citizen UI from /opt, upgrade to N+1 (an edited conffile and the data directory survive),
# remove (data and config stay), purge (both go). It installs into this machine's real root: no
# chroot, and no systemd runs here, so the maintainer scripts' systemctl/udevadm branches are skipped
# (they check /run/systemd/system and /run/udev) and the units are checked with systemd-analyze verify.
#
#   bash scripts/package/check-deb.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
pkg=kiosk-fleet-kiosk
fail() { echo "check-deb: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root (dpkg -i)"
if dpkg -s "$pkg" >/dev/null 2>&1; then fail "$pkg is already installed here; dpkg -P $pkg first"; fi

work=$(mktemp -d /tmp/check-deb.XXXXXX)
launcher_pid=
cleanup() {
  [[ -n $launcher_pid ]] && kill "$launcher_pid" 2>/dev/null
  dpkg -P "$pkg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build 0.0.1 and 0.0.2"
(cd "$repo" && npx tsx scripts/package/build-deb.ts --version 0.0.1 --version 0.0.2 --out "$work" --compression gzip)
deb1=$(ls "$work"/${pkg}_0.0.1_*.deb)
deb2=$(ls "$work"/${pkg}_0.0.2_*.deb)
installed_kib=$(dpkg-deb -f "$deb1" Installed-Size)
echo "package $(du -h "$deb1" | cut -f1) (gzip -1), installed size $((installed_kib / 1024)) MiB"

echo "== systemd-analyze verify"
# verify resolves ExecStart and the [Install] targets from the real system: checked as installed paths.
dpkg -i "$deb1" >/dev/null
systemd-analyze verify --man=no /lib/systemd/system/kiosk-launcher.service /lib/systemd/system/kiosk-display.service
echo "units verified"

echo "== installed: user, directories, udev rules, conffile"
getent passwd kiosk >/dev/null || fail "no kiosk user"
[[ $(stat -c %U /var/lib/kiosk-fleet) == kiosk ]] || fail "/var/lib/kiosk-fleet is not the kiosk user's"
grep -q 'SUBSYSTEM=="hidraw"' /lib/udev/rules.d/70-kiosk-fleet.rules || fail "no hidraw rule"
id -nG kiosk | grep -qw dialout || fail "kiosk is not in dialout (readers on a built-in UART)"
grep -q 'KERNEL=="lp\[0-9\]\*"' /lib/udev/rules.d/70-kiosk-fleet.rules || fail "no USB printer rule"
if command -v udevadm >/dev/null; then udevadm verify /lib/udev/rules.d/70-kiosk-fleet.rules 2>/dev/null || true; fi
dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q /etc/kiosk-fleet/kiosk.json || fail "kiosk.json is not a conffile"
/usr/bin/kiosk-devices --help >/dev/null || fail "kiosk-devices does not run"

echo "== the installed launcher runs its agent as the kiosk user, plain node, no tsx"
# The shipped config with a broker that is not there: the agent starts, serves its UI and retries MQTT.
sed -i 's|"mqtt://fleet.example.gov.cn:1883"|"mqtt://127.0.0.1:9"|' /etc/kiosk-fleet/kiosk.json
[[ ! -e /opt/kiosk-fleet/node_modules/tsx ]] || fail "tsx is installed in /opt/kiosk-fleet"
runuser -u kiosk -- env -i PATH=/usr/bin:/bin HOME=/var/lib/kiosk-fleet \
  node /opt/kiosk-fleet/bin/kiosk-launcher.mjs --config /etc/kiosk-fleet/kiosk.json >"$work/launcher.log" 2>&1 &
launcher_pid=$!
for _ in $(seq 1 240); do
  [[ -s /var/lib/kiosk-fleet/ui-url ]] && break
  kill -0 "$launcher_pid" 2>/dev/null || { cat "$work/launcher.log" >&2; fail "the launcher exited"; }
  sleep 0.5
done
[[ -s /var/lib/kiosk-fleet/ui-url ]] || { tail -n 20 "$work/launcher.log" >&2; fail "the agent did not write ui-url"; }
curl -fsS "$(cat /var/lib/kiosk-fleet/ui-url)/" | grep -qi '<html' || fail "the agent does not serve the citizen UI"
grep -q '"entry":"/opt/kiosk-fleet/bin/kiosk-agent.mjs"' "$work/launcher.log" || fail "the launcher did not run the built agent"
kill "$launcher_pid"
wait "$launcher_pid" || true
launcher_pid=
echo "the agent served the UI from /opt/kiosk-fleet"

echo "== upgrade to 0.0.2 keeps the data directory and the edited config"
echo marker >/var/lib/kiosk-fleet/upgrade-marker
dpkg -i "$deb2" >/dev/null
[[ $(dpkg-query -W -f='${Version}' "$pkg") == 0.0.2 ]] || fail "not upgraded"
[[ -e /var/lib/kiosk-fleet/upgrade-marker ]] || fail "upgrade lost the data directory"
grep -q 'mqtt://127.0.0.1:9' /etc/kiosk-fleet/kiosk.json || fail "upgrade replaced the edited config"

echo "== remove keeps data and config; purge removes them"
dpkg -r "$pkg" >/dev/null
[[ ! -e /opt/kiosk-fleet/bin/kiosk-launcher.mjs ]] || fail "remove left the program"
[[ ! -e /lib/systemd/system/kiosk-launcher.service ]] || fail "remove left the unit"
[[ -e /var/lib/kiosk-fleet/upgrade-marker ]] || fail "remove lost the data directory"
[[ -e /etc/kiosk-fleet/kiosk.json ]] || fail "remove lost the config"
dpkg -P "$pkg" >/dev/null
[[ ! -e /var/lib/kiosk-fleet ]] || fail "purge left the data directory"
[[ ! -e /etc/kiosk-fleet/kiosk.json ]] || fail "purge left the config"
! getent passwd kiosk >/dev/null || fail "purge left the kiosk user"
echo "kiosk package ok: built, verified, installed, ran, upgraded, removed, purged (installed size $((installed_kib / 1024)) MiB)"
