#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: set-up, formatting, lints, Ansible parity of the
# committed expectations, then every test (unit, fixture and end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/setup.sh)"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

echo "== expected outputs are the real ansible-inventory's"
"$PLIMSOLL_ANSIBLE_VENV/bin/python" scripts/regen-inventory-fixtures --check \
  --ansible-inventory "$PLIMSOLL_ANSIBLE_VENV/bin/ansible-inventory"

echo "== test hosts: Docker engine and host image"
bash scripts/testbed/testbed.sh engine
bash scripts/testbed/testbed.sh image >/dev/null
bash scripts/testbed/testbed.sh testimage >/dev/null

echo "== cargo test"
cargo test --locked --all-targets
