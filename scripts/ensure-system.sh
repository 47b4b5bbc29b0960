#!/usr/bin/env bash
# Makes sure the Debian packages and services the tests use are present and running.
# As root it installs what is missing (apt-get) and starts PostgreSQL; otherwise it names what to
# install and fails. Idempotent: on a prepared machine it only checks.
# `ensure-system.sh demo` checks only what `npm start` needs (device emulators on ptys, A4 printers);
# `ensure-system.sh packaging` what the packaging checks in .ci/run need.
set -euo pipefail
profile=${1:-test}

packages=(
  socat            # pty pairs for serial emulators
  mosquitto        # the external-broker half of the integration matrix (tests start their own)
  nats-server      # the clustered engine: a 3-node NATS JetStream cluster with its MQTT listener (delivery tests)
  postgresql       # the PostgreSQL half of the database matrix
  chromium         # UI and dashboard tests (playwright-core drives Debian's Chromium)
  fonts-noto-cjk   # Chinese text in screenshots, receipts and PDFs
  cups-ipp-utils   # ippeveprinter: a real IPP Everywhere printer for A4 printing tests
  poppler-utils    # pdftotext/pdftoppm: read back and look at printed PDFs
  dbus-daemon      # ippeveprinter needs a D-Bus bus for DNS-SD even with -r off (tests start a private one)
  sane-utils       # scanimage: document scanning tests with SANE's test backend (private SANE_CONFIG_DIR)
  pcscd            # PC/SC daemon: social-security card tests run it in the foreground
  vsmartcard-vpcd  # virtual smart-card reader for pcscd; the project's card emulator connects to it
  libpcsclite-dev  # headers and libpcsclite for node-gyp to build @pokusew/pcsclite
  build-essential  # node-gyp's compiler and make for that build
  libusb-1.0-0     # node-hid's runtime (loaded lazily by transport-hid)
  libudev1
  espeak-ng        # offline voice prompts (Mandarin cmn, English) rendered by the kiosk agent
  ffmpeg           # face-check tests: camera videos (.mjpeg) and card photos cut from packaged face images
  openssl          # test and demo CA (scripts/tls/dev-ca.ts): TLS on MQTT and HTTPS
)

# `ensure-system.sh packaging`: what .ci/run's packaging checks need on top (scripts/package/).
packaging=(
  systemd          # systemd-analyze verify on the kiosk's and the fleet-server's units
  cage             # the kiosk display unit's compositor (verify resolves its ExecStart)
  chromium         # … and the browser it runs
  logrotate        # the kiosk package depends on it
  adduser          # the kiosk package's maintainer scripts create the kiosk user
  curl             # the checks probe the installed agent's UI and the fleet-server's /readyz
  python3-yaml     # compose.yaml is parsed
  mmdebstrap       # a Debian base image from Debian's packages (no image registry is reachable)
  podman           # builds and runs the fleet-server image
  uidmap           # podman's user namespaces
  runc             # podman's runtime here: crun refuses this machine's hybrid cgroups
)

if [[ $profile == demo ]]; then
  packages=(socat cups-ipp-utils dbus-daemon fonts-noto-cjk espeak-ng openssl)
elif [[ $profile == packaging ]]; then
  packages=("${packaging[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${missing[*]} — run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ $profile == demo || $profile == packaging ]]; then
  echo "$profile prerequisites ok"
  exit 0
fi

# PostgreSQL on 127.0.0.1:5432 with a `test` database the tests can reach as postgres/postgres.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "PostgreSQL is not running on 127.0.0.1:5432 — start it (pg_ctlcluster <version> main start)" >&2
    exit 1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
url=${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/test}
if ! psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "cannot connect to $url — create the database and user, or set TEST_POSTGRES_URL" >&2
    exit 1
  fi
  echo "preparing PostgreSQL for the tests (user postgres/postgres, database test)"
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  su postgres -c "psql -Atqc \"SELECT 1 FROM pg_database WHERE datname = 'test'\"" | grep -q 1 ||
    su postgres -c "createdb test"
  psql "$url" -Atqc 'select 1' >/dev/null
fi
echo "system prerequisites ok"
