#!/usr/bin/env python3
"""Regenerates tests/fixtures/yaml/*.expected.json from the real Ansible loader.

Run it with the interpreter of a venv that has ansible-core 2.19 installed, e.g.

    /tmp/ansvenv/bin/python scripts/regen-yaml-fixtures.py

Each `<case>.yaml` is read as bytes and decoded as UTF-8 (as Ansible's DataLoader does, so CRLF and a
BOM reach the parser untouched), then loaded with `ansible.parsing.utils.yaml.from_yaml` -- the function
Ansible uses for inventory, group_vars/host_vars and playbooks (JSON first, then `AnsibleLoader`).

The expected file is either

    {"value": <data>, "warnings": [{"kind": "warning"|"deprecated", "message": ..., "line": N}]}

or, when Ansible fails,

    {"error": true, "line": N, "column": N, "message": ...}

<data> is plain JSON with these encodings for what JSON cannot hold:
  - vaulted strings:         {"__ansible_vault": "<ciphertext>"}
  - inf / -inf / nan:        {"__float": "inf" | "-inf" | "nan"}
  - ints outside 64 bits:    {"__int": "<decimal digits>"}
  - sets (order is hash order in Python): {"__set": [<items sorted by their JSON text>]}
  - bytes (!!binary):        the bytes decoded as UTF-8 (plimsoll has no bytes type)
  - dates and datetimes:     isoformat(), as ansible-inventory prints them
  - dict keys:               the text json.dumps makes of them (true, null, 1, 1.5, Infinity)
"""

import datetime
import json
import math
import os
import pathlib
import sys

# Ansible reads ansible.cfg from the current directory; use a neutral one.
os.makedirs('/tmp/runcwd', exist_ok=True)
os.chdir('/tmp/runcwd')

from ansible._internal._datatag._tags import Origin  # noqa: E402
from ansible._internal._yaml import _constructor  # noqa: E402
from ansible.parsing.utils.yaml import from_yaml  # noqa: E402
from ansible.parsing.vault import EncryptedString, VaultHelper  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'fixtures' / 'yaml'


class Recorder:
    """Stands in for the constructor module's Display to capture warnings and deprecations."""

    def __init__(self):
        self.items = []

    def _record(self, kind, msg, obj):
        origin = Origin.get_tag(obj) if obj is not None else None
        if origin is None and isinstance(obj, Origin):
            origin = obj
        self.items.append({'kind': kind, 'message': msg, 'line': origin.line_num if origin else None})

    def warning(self, msg, obj=None, help_text=None, **_):
        self._record('warning', msg, obj)

    def deprecated(self, msg, version=None, obj=None, help_text=None, **_):
        self._record('deprecated', msg, obj)


def key_text(key):
    if isinstance(key, str):
        return str(key)
    if key is True:
        return 'true'
    if key is False:
        return 'false'
    if key is None:
        return 'null'
    if isinstance(key, int):
        return str(int(key))
    if isinstance(key, float):
        if math.isnan(key):
            return 'NaN'
        if math.isinf(key):
            return 'Infinity' if key > 0 else '-Infinity'
        return float.__repr__(float(key))
    return repr(key)


def encode(value, seen=()):
    if id(value) in seen:
        raise ValueError('circular reference')
    if isinstance(value, EncryptedString):
        return {'__ansible_vault': VaultHelper.get_ciphertext(value, with_tags=False)}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        value = int(value)
        return value if -2**63 <= value < 2**63 else {'__int': str(value)}
    if isinstance(value, float):
        value = float(value)
        if math.isnan(value):
            return {'__float': 'nan'}
        if math.isinf(value):
            return {'__float': 'inf' if value > 0 else '-inf'}
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    seen = seen + (id(value),)
    if isinstance(value, dict):
        return {key_text(k): encode(v, seen) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [encode(v, seen) for v in value]
        return {'__set': sorted(items, key=lambda i: json.dumps(i, sort_keys=True))}
    if isinstance(value, (list, tuple)):
        return [encode(v, seen) for v in value]
    raise TypeError(f'cannot encode {type(value).__name__}')


def expected_for(path):
    text = path.read_bytes().decode('utf-8')
    recorder = Recorder()
    saved = _constructor.display
    _constructor.display = recorder
    try:
        value = from_yaml(text, file_name=str(path))
        return {'value': encode(value), 'warnings': recorder.items}
    except Exception as ex:  # noqa: BLE001 - any failure is an expected error
        origin = getattr(ex, 'obj', None)
        origin = origin if isinstance(origin, Origin) else None
        return {
            'error': True,
            'line': origin.line_num if origin else None,
            'column': origin.col_num if origin else None,
            'message': getattr(ex, 'message', None) or str(ex),
        }
    finally:
        _constructor.display = saved


def main():
    cases = sorted(FIXTURES.glob('*.yaml'))
    for path in cases:
        expected = expected_for(path)
        out = path.with_name(path.name[: -len('.yaml')] + '.expected.json')
        out.write_text(json.dumps(expected, indent=2, ensure_ascii=False, allow_nan=False) + '\n', encoding='utf-8')
    print(f'{len(cases)} cases written to {FIXTURES}', file=sys.stderr)


if __name__ == '__main__':
    main()
