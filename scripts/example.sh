#!/usr/bin/env bash
# Installs what is needed, builds plimsoll, shows the shipped example inventory and checks the example
# playbook.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/setup.sh)"
cargo build --release --locked
plimsoll=target/release/plimsoll

"$plimsoll" inventory -i inventory.example --graph
"$plimsoll" inventory -i inventory.example --host wf-node-1
"$plimsoll" validate -i inventory.example playbooks/site.yml
"$plimsoll" graph -i inventory.example playbooks/site.yml --limit dock-1
