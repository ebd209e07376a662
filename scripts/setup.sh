#!/usr/bin/env bash
# Installs what plimsoll's build and tests need on a Debian machine, idempotently:
# Debian packages, and ansible-core from PyPI in a virtualenv (the reference the parity tests compare with).
# Prints the environment to use as `export` lines (eval "$(scripts/setup.sh)").
set -euo pipefail

# The reference Ansible and every Python package under it are pinned, so the parity checks compare
# with the same program on every machine; the venv is keyed on the pin file's contents.
requirements="$(dirname "$0")/ansible-requirements.txt"
ANSIBLE_CORE_VERSION=$(sed -n 's/^ansible-core==//p' "$requirements")
pins=$(sha256sum "$requirements" | cut -c1-12)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll"
venv="$cache_root/venv-ansible-core-$ANSIBLE_CORE_VERSION-$pins"

log() { printf 'setup: %s\n' "$*" >&2; }

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v cc >/dev/null || need_apt+=(build-essential)
# The end-to-end tests' container image is FROM scratch + this static busybox (no registry is reachable).
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need_apt+=(busybox-static)
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need_apt[@]}" >&2
fi

if ! command -v cargo >/dev/null; then
  log "cargo is missing: install Rust 1.85 or newer (rustup) and run this again"
  exit 1
fi

if [ ! -x "$venv/bin/ansible-inventory" ]; then
  log "installing ansible-core $ANSIBLE_CORE_VERSION into $venv"
  rm -rf "$venv"
  mkdir -p "$cache_root"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
fi

echo "export PLIMSOLL_ANSIBLE_VENV='$venv'"
