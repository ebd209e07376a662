#!/bin/sh
# Regenerate tests/fixtures/vault/ with the real ansible-vault, so tests/vault.rs checks plimsoll against
# Ansible's own output. Needs ansible-core (2.19.14 was used); set ANSIBLE_VAULT to its ansible-vault.
#
# The passwords and plaintexts are fixed; the *.vault files get fresh random salts on every run, except
# the *-fixed-salt.vault ones, which use ANSIBLE_VAULT_ENCRYPT_SALT and so must come out byte-identical
# to plimsoll's own encrypt() with the same salt.
set -eu

ANSIBLE_VAULT="${ANSIBLE_VAULT:-/tmp/ansvenv/bin/ansible-vault}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$here/tests/fixtures/vault"
mkdir -p "$dir"

# A neutral cwd and no user configuration: Ansible reads ansible.cfg and vault settings from both.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
: > "$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg"
unset ANSIBLE_VAULT_PASSWORD_FILE ANSIBLE_VAULT_IDENTITY_LIST ANSIBLE_VAULT_IDENTITY ANSIBLE_VAULT_ID_MATCH \
    ANSIBLE_VAULT_ENCRYPT_SALT ANSIBLE_ASK_VAULT_PASS 2>/dev/null || true

printf 'plimsoll fixture password\n' > "$dir/default.pass"
printf 'prod-secret\n' > "$dir/prod.pass"
printf 'db_password: s3cr3t\nnote: "ünïcode and a long line %s"\n' \
    "$(printf 'x%.0s' $(seq 1 120))" > "$dir/plaintext.yml"
# Not UTF-8: vault plaintexts are bytes.
printf '\377\376\000\001binary\200\n' > "$dir/binary.bin"

vault() {
    "$ANSIBLE_VAULT" "$@"
}

# Format 1.1: --vault-password-file (label "default").
vault encrypt --vault-password-file "$dir/default.pass" --output "$dir/v11-file.vault" "$dir/plaintext.yml"
vault encrypt --vault-password-file "$dir/default.pass" --output "$dir/v11-binary.vault" "$dir/binary.bin"
# Format 1.2: --vault-id label@file puts the label in the header.
vault encrypt --vault-id "prod@$dir/prod.pass" --output "$dir/v12-prod-file.vault" "$dir/plaintext.yml"

# encrypt_string: the inline `!vault |` form found in YAML variables.
vault encrypt_string --vault-password-file "$dir/default.pass" --name secret 'hunter2 ünïcode' \
    > "$dir/v11-string.yml"
vault encrypt_string --vault-id "prod@$dir/prod.pass" --name secret 'prod value' \
    > "$dir/v12-prod-string.yml"

# Deterministic output for a fixed salt.
ANSIBLE_VAULT_ENCRYPT_SALT=plimsoll-fixed-salt \
    vault encrypt --vault-id "prod@$dir/prod.pass" --output "$dir/v12-prod-fixed-salt.vault" "$dir/plaintext.yml"
ANSIBLE_VAULT_ENCRYPT_SALT=plimsoll-fixed-salt \
    vault encrypt --vault-password-file "$dir/default.pass" --output "$dir/v11-binary-fixed-salt.vault" \
    "$dir/binary.bin"

"$ANSIBLE_VAULT" --version > "$work/version"
echo "regenerated $dir with $(head -n 1 "$work/version")"
