#!/usr/bin/env bash
# The fleet-server's packaging, checked as far as this machine allows:
#  1. static: compose.yaml parses and has fleet-server, postgres and mosquitto; the Containerfile's
#     entry point exists in the built context; systemd-analyze verify passes on fleet-server.service;
#  2. the image's contents without a container engine: the context's own Node LTS build runs the
#     context's fleet-server bundle against PostgreSQL (127.0.0.1:5432) and Debian's Mosquitto with
#     the password/ACL files its `mosquitto-config` wrote — the compose topology, as processes;
#  3. the image itself: a Debian base made from Debian's packages (mmdebstrap, no registry needed),
#     `podman import`, `podman build`, `podman run`, /readyz. Where podman cannot run here, this step
#     says exactly which command failed and why; with --allow-no-container that is reported as
#     NOT RUN (exit 0), otherwise it fails.
#
#   bash scripts/package/check-fleet-image.sh [--allow-no-container]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
allow_no_container=${1:-}
fail() { echo "check-fleet-image: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/check-fleet-image.XXXXXX)
pids=()
schema="fleet_image_$$"
pg=${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/test}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  podman rm -f kiosk-fleet-image-check >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_ready() { # url log pid
  for _ in $(seq 1 360); do
    curl -fsS "$1/readyz" 2>/dev/null | grep -q '"database":true' && return 0
    kill -0 "$3" 2>/dev/null || { tail -n 30 "$2" >&2; return 1; }
    sleep 0.5
  done
  tail -n 30 "$2" >&2
  return 1
}

echo "== build the image context"
ctx=$work/ctx
(cd "$repo" && npx tsx scripts/package/build-fleet-image.ts --out "$ctx")
[[ -x $ctx/node/bin/node && -f $ctx/app/bin/fleet-server.mjs ]] || fail "the context lacks node or the bundle"

echo "== static checks"
python3 - "$repo/packaging/fleet-server/compose.yaml" <<'EOF'
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
for name in ("fleet-server", "postgres", "mosquitto", "mosquitto-auth"):
    assert name in services, f"compose.yaml has no service {name}"
env = services["fleet-server"]["environment"]
assert env["FLEET_MQTT__URL"] == "mqtt://mosquitto:1883", env
assert env["FLEET_DATABASE__URL"].startswith("postgres://"), env
assert services["mosquitto-auth"]["build"]["dockerfile"] == "Containerfile"
# Mosquitto runs the mosquitto.conf that `mosquitto-config` generates, not a hand-written one.
auth_out = services["mosquitto-auth"]["command"]
conf = services["mosquitto"]["command"][-1]
assert conf == auth_out[auth_out.index("--out") + 1] + "/mosquitto.conf", (auth_out, conf)
print("compose.yaml: services", ", ".join(sorted(services)))
EOF
grep -q 'ENTRYPOINT \["node", "/opt/fleet-server/bin/fleet-server.mjs"\]' "$ctx/Containerfile" || fail "Containerfile entry point"
systemd-analyze verify --man=no "$repo/packaging/fleet-server/fleet-server.service"
echo "fleet-server.service verified"

echo "== the context's fleet-server on its own Node ($("$ctx/node/bin/node" --version)) with PostgreSQL and Mosquitto"
command -v mosquitto >/dev/null || fail "mosquitto is not installed (scripts/ensure-system.sh installs it)"
mqtt_password=$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")
export FLEET_DATABASE__URL=$pg FLEET_DATABASE__SCHEMA=$schema FLEET_MQTT__USERNAME=fleet-server FLEET_MQTT__PASSWORD=$mqtt_password
mkdir -p "$work/auth" "$work/run" "$work/mqdata"
mqtt_port=$(free_port)
# The migrations run first (mosquitto-config reads the kiosks' credentials from the database); the
# broker runs the mosquitto.conf it generates, as the compose topology does.
"$ctx/node/bin/node" "$ctx/app/bin/fleet-server.mjs" mosquitto-config --out "$work/auth" \
  --listener "$mqtt_port 127.0.0.1" --persistence-dir "$work/mqdata/" >"$work/auth.log" 2>&1 ||
  { cat "$work/auth.log" >&2; fail "mosquitto-config failed"; }
# Mosquitto started as root drops to its own user: it reads the files and writes its persistence.
chmod 755 "$work" "$work/auth" && chmod 644 "$work/auth/passwd" "$work/auth/acl" "$work/auth/mosquitto.conf"
chown mosquitto "$work/mqdata" 2>/dev/null || chmod 777 "$work/mqdata"
mosquitto -c "$work/auth/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
http_port=$(free_port)
FLEET_HTTP__PORT=$http_port FLEET_MQTT__URL=mqtt://127.0.0.1:$mqtt_port FLEET_AUTH__INITIAL_ADMIN_PASSWORD=image-check-password \
  "$ctx/node/bin/node" "$ctx/app/bin/fleet-server.mjs" >"$work/fleet.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$http_port" "$work/fleet.log" "${pids[-1]}" || fail "the context's fleet-server did not become ready"
curl -fsS "http://127.0.0.1:$http_port/readyz" | grep -q '"broker":true' || fail "not connected to Mosquitto"
curl -fsS "http://127.0.0.1:$http_port/" | grep -qi '<html' || fail "no dashboard"
# The chart and map libraries come from npm packages the image must carry (no CDN).
for asset in /vendor/uplot/uPlot.iife.min.js /vendor/leaflet/leaflet.js /vendor/leaflet/leaflet.css \
  /vendor/leaflet.markercluster/leaflet.markercluster.js; do
  curl -fsS -o /dev/null "http://127.0.0.1:$http_port$asset" || fail "the dashboard's $asset is not served"
done
echo "ready on PostgreSQL (schema $schema) and Mosquitto, dashboard and its map and chart libraries served"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
unset FLEET_DATABASE__URL FLEET_DATABASE__SCHEMA FLEET_MQTT__USERNAME FLEET_MQTT__PASSWORD

echo "== the image: mmdebstrap base, podman import, build, run"
not_run() {
  echo "container smoke test NOT RUN here: $1" >&2
  [[ -f $2 ]] && tail -n 8 "$2" | sed 's/^/    /' >&2
  if [[ $allow_no_container == --allow-no-container ]]; then exit 0; fi
  exit 3
}
command -v podman >/dev/null || not_run "podman is not installed (apt-get install podman)" /dev/null
command -v mmdebstrap >/dev/null || not_run "mmdebstrap is not installed (apt-get install mmdebstrap)" /dev/null
base_tar=$repo/.tmp/debian-bookworm-base.tar
if [[ ! -f $base_tar || ! -s $base_tar ]]; then
  mkdir -p "$repo/.tmp"
  rm -rf "$base_tar" "$base_tar.part"
  # --format=tar: mmdebstrap picks the format from the name otherwise, and `.part` made a directory.
  mmdebstrap --variant=minbase --format=tar --include=ca-certificates,passwd bookworm "$base_tar.part" \
    >"$work/mmdebstrap.log" 2>&1 ||
    not_run "mmdebstrap could not make the Debian base" "$work/mmdebstrap.log"
  mv "$base_tar.part" "$base_tar"
fi
podman import "$base_tar" localhost/kiosk-fleet/debian-base:bookworm >"$work/import.log" 2>&1 ||
  not_run "podman import failed" "$work/import.log"
podman build --isolation chroot --build-arg BASE=localhost/kiosk-fleet/debian-base:bookworm \
  -t localhost/kiosk-fleet/fleet-server:check "$ctx" >"$work/build.log" 2>&1 ||
  not_run "podman build failed" "$work/build.log"
image_port=$(free_port)
# The image listens on 0.0.0.0 and so refuses clear text without certificates (ERR_FLEET_TLS_CONFIG);
# this smoke test has none and binds both listeners to loopback instead.
# Inside this CI container: crun refuses cgroups in hybrid mode ("drop all controllers from cgroupv2"),
# so runc runs it; and podman's default ulimits are above this container's hard limits (setrlimit
# RLIMIT_NOFILE/RLIMIT_NPROC: Operation not permitted), so lower ones are asked for.
runtime=()
if command -v runc >/dev/null; then runtime=(--runtime runc); fi
podman "${runtime[@]}" run -d --name kiosk-fleet-image-check --network host \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -e FLEET_HTTP__PORT="$image_port" -e FLEET_HTTP__HOST=127.0.0.1 \
  -e FLEET_MQTT__EMBEDDED__PORT="$(free_port)" -e FLEET_MQTT__EMBEDDED__HOST=127.0.0.1 \
  -e FLEET_AUTH__INITIAL_ADMIN_PASSWORD=image-check-password \
  localhost/kiosk-fleet/fleet-server:check >"$work/run.log" 2>&1 || not_run "podman run failed" "$work/run.log"
for _ in $(seq 1 360); do
  curl -fsS "http://127.0.0.1:$image_port/readyz" 2>/dev/null | grep -q '"database":true' && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$image_port/readyz" | grep -q ready || {
  podman logs kiosk-fleet-image-check >"$work/container.log" 2>&1 || true
  fail "the container did not become ready: $(tail -n 5 "$work/container.log")"
}
echo "image localhost/kiosk-fleet/fleet-server:check built from Debian packages and ready in podman"
