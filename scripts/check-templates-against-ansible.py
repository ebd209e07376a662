#!/usr/bin/env python3
"""Run tests/fixtures/template/cases.yaml through the real Ansible and print where it disagrees.

Usage: /path/to/ansible-venv/bin/python scripts/check-templates-against-ansible.py [--show]

Each case is templated the way ansible-core does it for a task argument (`template:`), a `when:`
(`condition:`) or the template module (`file:`), and the result's repr() (or the error message) is compared
with what the case file says. `--show` prints every result, which is how the expectations were written.
The unit tests in src/template/tests.rs check plimsoll against the same file. Run it from any directory.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'tests', 'fixtures', 'template')

# Ansible reads ansible.cfg and group_vars relative to the cwd: run from a neutral place.
os.chdir('/')
os.environ['PLIMSOLL_TEST'] = 'from-env'
os.environ.pop('PLIMSOLL_UNSET', None)

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import Templar, trust_as_template  # noqa: E402


def run_case(loader, case):
    variables = dict(case.get('vars') or {})
    variables['ansible_search_path'] = [FIXTURES]
    templar = Templar(loader=loader, variables=variables)
    if 'template' in case:
        return templar.template(case['template'])
    if 'condition' in case:
        return templar.evaluate_conditional(case['condition'])
    with open(os.path.join(FIXTURES, 'templates', case['file']), encoding='utf-8') as f:
        data = trust_as_template(f.read())
    return templar.template(data, escape_backslashes=False)


def main():
    show = '--show' in sys.argv
    loader = DataLoader()
    loader.set_basedir(FIXTURES)
    cases = loader.load_from_file(os.path.join(FIXTURES, 'cases.yaml'), trusted_as_template=True)
    mismatches = 0
    for index, case in enumerate(cases):
        label = case.get('template', case.get('condition', case.get('file')))
        try:
            got, failed = repr(run_case(loader, case)), False
        except Exception as ex:  # noqa: BLE001 - every error is a result to compare
            got, failed = f'{type(ex).__name__}: {ex}'.replace('\n', ' | '), True
        if show:
            print(f'{index}: {label!r}\n    {"ERROR " if failed else ""}{got}')
            continue
        if 'error' in case:
            ok = failed and case['error'] in got
        else:
            ok = not failed and got == case.get('result')
        if not ok:
            kind = 'known difference' if 'differs' in case else 'MISMATCH'
            mismatches += 0 if 'differs' in case else 1
            expected = f"error containing {case['error']!r}" if 'error' in case else case.get('result')
            print(f'{kind} #{index} {label!r}\n    expected: {expected}\n    ansible:  {got}')
    if not show:
        print(f'{len(cases)} cases, {mismatches} mismatches')
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
