#!/usr/bin/env bash
# The alternative kiosk shell: Debian's Chromium in --kiosk mode on the agent's citizen UI, for
# machines where Electron's binary cannot be installed. Restarts Chromium when it exits or crashes;
# after 3 crashes in 10 minutes it shows the out-of-service page for a minute first.
#
#   scripts/kiosk-chromium.sh /var/lib/kiosk        (the agent's dataDir: ui-url and ui-token live there)
#
# Printing never happens in the browser: receipts and A4 go through the agent's drivers, and the
# print preview is disabled, so there is no silent-printing path (--kiosk-printing is NOT used).
set -euo pipefail

data_dir="${1:-${KIOSK_DATA_DIR:-}}"
if [[ -z "$data_dir" ]]; then
  echo "usage: $0 AGENT_DATA_DIR" >&2
  exit 2
fi
chromium="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$chromium" ]]; then
  echo "kiosk-chromium: no Chromium found: apt-get install chromium" >&2
  exit 3
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_of_service="file://$here/../kiosk/shell/public/out-of-service.html"
profile="$(mktemp -d -t kiosk-chromium-XXXXXX)"
trap 'rm -rf "$profile"' EXIT

target() {
  local url token
  url="$(cat "$data_dir/ui-url" 2>/dev/null || true)"
  token="$(cat "$data_dir/ui-token" 2>/dev/null || true)"
  if [[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+$ && "$token" =~ ^[0-9a-f]{64}$ ]]; then
    echo "$url/#token=$token"
  else
    echo "$out_of_service"
  fi
}

extra=()
if [[ -n "${KIOSK_CHROMIUM_FLAGS:-}" ]]; then read -r -a extra <<<"$KIOSK_CHROMIUM_FLAGS"; fi

crashes=()
while true; do
  # A fresh profile each run: nothing a citizen typed survives a restart.
  rm -rf "${profile:?}"/*
  "$chromium" --kiosk --app="$(target)" --user-data-dir="$profile" --incognito \
    --no-first-run --noerrdialogs --disable-session-crashed-bubble --disable-infobars \
    --disable-translate --disable-features=TranslateUI,OverscrollHistoryNavigation \
    --disable-pinch --disable-print-preview --disable-dev-tools \
    --autoplay-policy=no-user-gesture-required --check-for-update-interval=31536000 \
    "${extra[@]}" || true
  now=$(date +%s)
  recent=()
  for t in "${crashes[@]:-}"; do
    [[ -n "$t" && $((now - t)) -lt 600 ]] && recent+=("$t")
  done
  crashes=("${recent[@]:-}" "$now")
  if [[ ${#crashes[@]} -gt 3 ]]; then
    echo "kiosk-chromium: Chromium exited ${#crashes[@]} times in 10 minutes; out of service for 60 s" >&2
    timeout 60 "$chromium" --kiosk --app="$out_of_service" --user-data-dir="$profile" --no-first-run || true
    crashes=()
  fi
  sleep 1
done
