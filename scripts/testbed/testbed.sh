#!/usr/bin/env bash
# Real test hosts for plimsoll's end-to-end tests: a Docker engine on this machine, a Debian image with
# sshd (and its own dockerd), and N containers on their own network, each with its own IP and SSH.
#
#   testbed.sh engine                 start a Docker engine if none answers (prints nothing)
#   testbed.sh image                  build the host image unless it exists (cached on the package list)
#   testbed.sh up PREFIX N [SUBNET]   start hosts PREFIX-h1..hN; prints an INI inventory on stdout
#   testbed.sh down PREFIX            remove everything named PREFIX-* (containers, network, images, key dir)
#   testbed.sh testimage              build the busybox test image on this engine unless it exists
#                                     (FROM scratch + Debian's static busybox; cached on its inputs)
#
# With TESTBED_LIGHT=1, `up` starts sshd only (no inner Docker engine, no extra capabilities): a few MB
# per host, so benchmarks can run 50 of them.
#
# Everything is named with PREFIX and only PREFIX-* objects are ever removed.
set -euo pipefail

# python3 (and python3-requests, which community.docker's Docker modules use on the host) are there only
# so the real Ansible can run against the same hosts for parity checks; plimsoll itself needs nothing but
# sh and coreutils on a target (and sudo for `become`).
PACKAGES="openssh-server,docker.io,iproute2,procps,ca-certificates,passwd,coreutils,findutils,python3,sudo,python3-requests"
state_root="${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll/testbed"
image_tag() { printf 'plimsoll-testhost:%s' "$(printf '%s' "$PACKAGES" | sha256sum | cut -c1-12)"; }
log() { printf 'testbed: %s\n' "$*" >&2; }

engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if ! command -v dockerd >/dev/null; then
    log "installing docker.io and debootstrap from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq docker.io debootstrap openssh-client >&2
  fi
  mkdir -p "$state_root"
  log "starting dockerd (log: $state_root/dockerd.log)"
  setsid dockerd >"$state_root/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state_root/dockerd.pid"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "dockerd did not answer within 60 s; last lines of its log:"
  tail -20 "$state_root/dockerd.log" >&2
  return 1
}

image() {
  engine
  local tag; tag=$(image_tag)
  if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; return 0; fi
  command -v debootstrap >/dev/null || { apt-get update -qq >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2; }
  local mirror rootfs
  # The machine's own Debian mirror, read at run time.
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
  rootfs=$(mktemp -d /tmp/plimsoll-rootfs.XXXXXX)
  log "debootstrap bookworm into $rootfs ($PACKAGES)"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2; rm -rf "$rootfs" "$rootfs.log"; return 1; }
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  echo "$tag"
}

up() {
  local prefix=$1 count=$2 subnet=${3:-10.77.0.0/24}
  local tag; tag=$(image)
  local dir="$state_root/$prefix"
  mkdir -p "$dir"
  [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "$prefix" -f "$dir/id_ed25519"
  docker network inspect "$prefix-net" >/dev/null 2>&1 || docker network create --subnet "$subnet" "$prefix-net" >/dev/null
  local base=${subnet%.*}
  : >"$dir/known_hosts"
  echo "[testbed]"
  for i in $(seq 1 "$count"); do
    local name="$prefix-h$i" ip="$base.$((10 + i))"
    if [ "${TESTBED_LIGHT:-0}" = 1 ] && ! docker container inspect "$name" >/dev/null 2>&1; then
      docker run -d --name "$name" --hostname "h$i" --network "$prefix-net" --ip "$ip" \
        --label "plimsoll-testbed=$prefix" \
        -v "$dir/id_ed25519.pub:/root/.ssh/authorized_keys:ro" \
        "$tag" bash -c 'mkdir -p /run/sshd && ssh-keygen -A >/dev/null && exec /usr/sbin/sshd -D' >/dev/null
    elif ! docker container inspect "$name" >/dev/null 2>&1; then
      docker run -d --name "$name" --hostname "h$i" --network "$prefix-net" --ip "$ip" \
        --label "plimsoll-testbed=$prefix" \
        --cap-add=ALL --cap-drop=SYS_RESOURCE \
        --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
        --device-cgroup-rule='a *:* rwm' -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /var/lib/docker:exec \
        -v "$dir/id_ed25519.pub:/root/.ssh/authorized_keys:ro" \
        "$tag" bash -c 'mkdir -p /run/sshd && ssh-keygen -A >/dev/null && /usr/sbin/sshd && (dockerd >/var/log/dockerd.log 2>&1 &) && exec sleep infinity' >/dev/null
    fi
    echo "h$i ansible_host=$ip ansible_user=root ansible_ssh_private_key_file=$dir/id_ed25519"
  done
  for i in $(seq 1 "$count"); do
    local ip="$base.$((10 + i))"
    for _ in $(seq 1 50); do
      ssh-keyscan -T 2 -t ed25519 "$ip" 2>/dev/null >>"$dir/known_hosts" && break
      sleep 0.2
    done
  done
  log "hosts up; known_hosts: $dir/known_hosts"
}

# No registry is reachable: containers in the tests run this image, built from a static busybox and
# its applets as symbolic links, in one layer. Keyed on the binary and the build recipe, so every run
# on a machine gets the same image ID.
testimage() {
  engine
  if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
    log "installing busybox-static from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq busybox-static >&2
  fi
  local recipe='FROM scratch
COPY bin /bin
CMD ["/bin/sh"]'
  local tag
  tag="plimsoll-testimage:$( { sha256sum /bin/busybox; printf '%s' "$recipe"; } | sha256sum | cut -c1-12)"
  mkdir -p "$state_root"
  (
    # Concurrent test runs build it once.
    flock 9
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
      local context; context=$(mktemp -d /tmp/plimsoll-testimage.XXXXXX)
      mkdir "$context/bin"
      cp /bin/busybox "$context/bin/busybox"
      for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -s busybox "$context/bin/$applet"
      done
      printf '%s\n' "$recipe" >"$context/Dockerfile"
      docker build -q -t "$tag" "$context" >/dev/null 2>"$context.log" || {
        cat "$context.log" >&2; rm -rf "$context" "$context.log"; exit 1; }
      rm -rf "$context" "$context.log"
    fi
  ) 9>"$state_root/testimage.lock"
  echo "$tag"
}

down() {
  local prefix=$1
  docker ps -aq --filter "label=plimsoll-testbed=$prefix" | xargs -r docker rm -f >/dev/null
  docker image ls --format '{{.Repository}}:{{.Tag}}' | awk -v p="$prefix-" 'index($0, p) == 1' |
    xargs -r docker image rm >/dev/null 2>&1 || true
  # The engine may still be releasing the removed containers' endpoints: try for a while, then say so.
  if docker network inspect "$prefix-net" >/dev/null 2>&1; then
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
      docker network rm "$prefix-net" >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker network inspect "$prefix-net" >/dev/null 2>&1 && log "could not remove network $prefix-net (the engine still lists endpoints on it)"
  fi
  rm -rf "${state_root:?}/$prefix"
}

case "${1:-}" in
  engine) engine ;;
  image) image ;;
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  testimage) testimage ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
