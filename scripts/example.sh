#!/usr/bin/env bash
# Installs what is needed, builds plimsoll, shows the shipped example inventory, checks the example
# playbooks, then plans and applies them on three real test hosts (containers with their own sshd and
# Docker engine, removed at the end) and plans again to show that nothing is left to do. The Docker
# example delivers its image from this machine's engine to the hosts over SSH (no registry).
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/setup.sh)"
cargo build --release --locked
plimsoll=$PWD/target/release/plimsoll

"$plimsoll" inventory -i inventory.example --graph
"$plimsoll" inventory -i inventory.example --host wf-node-1
"$plimsoll" validate -i inventory.example playbooks/site.yml
"$plimsoll" validate -i inventory.example playbooks/docker.yml
"$plimsoll" graph -i inventory.example playbooks/site.yml --limit dock-1

prefix="plexample-$$"
work=$(mktemp -d)
trap 'bash scripts/testbed/testbed.sh down "$prefix"; rm -rf "$work"' EXIT
bash scripts/testbed/testbed.sh up "$prefix" 3 "10.$((100 + $$ % 40)).$(( ($$ / 40) % 250 )).0/24" >"$work/hosts.ini"
printf "[all:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=%s'\n[docker_hosts]\nh1\nh2\nh3\n" \
  "${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll/testbed/$prefix/known_hosts" >>"$work/hosts.ini"

echo "== plan on three fresh test hosts"
"$plimsoll" plan -i "$work/hosts.ini" playbooks/site.yml --limit h1 --stats
echo "== apply"
"$plimsoll" apply -i "$work/hosts.ini" playbooks/site.yml
echo "== plan again: nothing to do"
"$plimsoll" plan -i "$work/hosts.ini" playbooks/site.yml --detailed-exitcode

echo "== the Docker example: an image from this machine, a network, a service container"
image=$(bash scripts/testbed/testbed.sh testimage)
docker_vars=(-e "docker_host_image=$image" -e docker_host_image_source=controller)
"$plimsoll" plan -i "$work/hosts.ini" playbooks/docker.yml "${docker_vars[@]}" --limit h1
"$plimsoll" apply -i "$work/hosts.ini" playbooks/docker.yml "${docker_vars[@]}"
echo "== a new message restarts the service through its handler"
"$plimsoll" apply -i "$work/hosts.ini" playbooks/docker.yml "${docker_vars[@]}" -e docker_host_message=updated
echo "== plan again: nothing to do"
"$plimsoll" plan -i "$work/hosts.ini" playbooks/docker.yml "${docker_vars[@]}" -e docker_host_message=updated --detailed-exitcode
