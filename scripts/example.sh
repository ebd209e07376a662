#!/usr/bin/env bash
# Installs what is needed, builds plimsoll and shows the shipped example inventory.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/setup.sh)"
cargo build --release --locked
plimsoll=target/release/plimsoll

"$plimsoll" inventory -i inventory.example --graph
"$plimsoll" inventory -i inventory.example --host wf-node-1
