#!/usr/bin/env python3
"""Print the hosts the real Ansible selects for a host pattern, as JSON.

Usage: ansible-pattern-hosts.py INVENTORY PATTERN [LIMIT] [--details]

Loads INVENTORY with Ansible's InventoryManager, applies `subset(LIMIT)` when LIMIT is given, and prints
`[h.name for h in inv.get_hosts(PATTERN)]`. With --details it prints an object instead:
{"hosts": [...], "implicit": [names of implicit hosts], "warnings": [...], "error": null | "message"}.
Run it with the ansible-core venv's python (e.g. /tmp/ansvenv/bin/python) from a neutral cwd; a relative
`@file` in LIMIT is resolved against the cwd, as Ansible does.
"""
from __future__ import annotations

import json
import sys

from ansible.errors import AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.utils.display import Display


def main(argv: list[str]) -> int:
    details = "--details" in argv
    args = [a for a in argv if a != "--details"]
    if len(args) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    source, pattern = args[0], args[1]
    limit = args[2] if len(args) == 3 else None

    warnings: list[str] = []
    display = Display()
    original_warning = display.warning

    def capture(msg, *a, **kw):
        warnings.append(msg)
        if not details:
            original_warning(msg, *a, **kw)

    display.warning = capture

    inventory = InventoryManager(loader=DataLoader(), sources=[source])
    warnings.clear()  # only the warnings of pattern evaluation, not of parsing
    hosts: list = []
    error = None
    try:
        if limit is not None:
            inventory.subset(limit)
        hosts = inventory.get_hosts(pattern)
    except AnsibleError as ex:
        error = ex.message
    except Exception as ex:  # Ansible itself crashes on some patterns; report how
        error = f"{type(ex).__name__}: {ex}"

    if details:
        print(json.dumps({
            "hosts": [h.name for h in hosts],
            "implicit": [h.name for h in hosts if h.implicit],
            "warnings": warnings,
            "error": error,
        }))
        return 0
    if error is not None:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    print(json.dumps([h.name for h in hosts]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
