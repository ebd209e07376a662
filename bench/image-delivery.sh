#!/usr/bin/env bash
# Bytes plimsoll sends to deliver an image from this machine's Docker engine to a host without a
# registry (`docker_image` with `source: controller`): a first delivery, a run with nothing to do,
# and a new version that differs by one small layer. Measured where it lands: the bytes the host's
# network interface received during each `plimsoll apply` (SSH framing, encryption and the plan's
# own API calls included), next to what `docker save | ssh host docker load` would send.
#
#   bash bench/image-delivery.sh          # a 20 MB base layer
#   bash bench/image-delivery.sh 100      # a 100 MB base layer
set -euo pipefail
cd "$(dirname "$0")/.."
base_mb=${1:-20}
prefix="plbench-img-$$"
subnet="10.$((200 + $$ % 50)).$(( ($$ / 50) % 250 )).0/24"
work=$(mktemp -d)
cleanup() {
  docker image rm "$prefix-app:v1" "$prefix-app:v2" "$prefix-app:current" "$prefix-base:1" >/dev/null 2>&1 || true
  TESTBED_LIGHT=0 bash scripts/testbed/testbed.sh down "$prefix"
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --locked -q
plimsoll="$PWD/target/release/plimsoll"
busybox=$(bash scripts/testbed/testbed.sh testimage)
TESTBED_LIGHT=0 bash scripts/testbed/testbed.sh up "$prefix" 1 "$subnet" >"$work/hosts.ini"
printf "[all:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=%s'\n" \
  "${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll/testbed/$prefix/known_hosts" >>"$work/hosts.ini"
host="$prefix-h1"
for _ in $(seq 1 240); do
  docker exec "$host" docker info >/dev/null 2>&1 && break
  sleep 0.5
done

# The base: busybox plus a layer of random (incompressible) bytes. Two versions on top of it that
# differ in one small layer.
mkdir -p "$work/base" "$work/v1" "$work/v2"
head -c $((base_mb * 1024 * 1024)) /dev/urandom >"$work/base/data.bin"
printf 'FROM %s\nCOPY data.bin /data/data.bin\n' "$busybox" >"$work/base/Dockerfile"
docker build -q -t "$prefix-base:1" "$work/base" >/dev/null 2>&1
for v in v1 v2; do
  printf 'release %s\n' "$v" >"$work/$v/release"
  printf 'FROM %s\nCOPY release /etc/release\n' "$prefix-base:1" >"$work/$v/Dockerfile"
  docker build -q -t "$prefix-app:$v" "$work/$v" >/dev/null 2>&1
done

cat >"$work/site.yml" <<EOF
- hosts: all
  gather_facts: false
  tasks:
    - name: the app's image
      community.docker.docker_image:
        name: $prefix-app:current
        source: controller
EOF

received() { docker exec "$host" cat /sys/class/net/eth0/statistics/rx_bytes; }
apply() {
  local before after
  before=$(received)
  "$plimsoll" apply -i "$work/hosts.ini" "$work/site.yml" >"$work/apply.log" 2>&1 || {
    cat "$work/apply.log" >&2; exit 1; }
  after=$(received)
  echo $((after - before))
}
saved() { docker save "$1" | wc -c; }
layer_of() { docker image inspect --format '{{json .RootFS.Layers}}' "$1"; }

docker tag "$prefix-app:v1" "$prefix-app:current"
first=$(apply)
noop=$(apply)
docker tag "$prefix-app:v2" "$prefix-app:current"
change=$(apply)

on_host=$(docker exec "$host" docker image inspect --format '{{.Id}}' "$prefix-app:current")
wanted=$(docker image inspect --format '{{.Id}}' "$prefix-app:v2")
[ "$on_host" = "$wanted" ] || { echo "the host has $on_host, not $wanted" >&2; exit 1; }
[ "$(docker exec "$host" docker image inspect --format '{{json .RootFS.Layers}}' "$prefix-app:current")" = \
  "$(layer_of "$prefix-app:v2")" ] || { echo "the host's layers differ from the controller's" >&2; exit 1; }

full=$(saved "$prefix-app:v2")
echo "image: busybox + a ${base_mb} MB layer of random bytes + one small layer"
printf '%-50s %12s\n' "docker save of a version (what save | load sends)" "$full"
printf '%-50s %12s\n' "first delivery, bytes the host received" "$first"
printf '%-50s %12s\n' "apply with nothing to do" "$noop"
printf '%-50s %12s\n' "new version, one small layer changed" "$change"
