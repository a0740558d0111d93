"""The policy cases in rules/tests/*.yaml, one pytest case each (a bureau adds cases without Python)."""

from __future__ import annotations

import pytest
from conftest import REPO

from aidctl.check import run_case
from aidctl.read import Workspace
from aidctl.rulebook import case_files, load_cases

WS = Workspace(REPO)
CASES = [(path.name, case) for path in case_files(WS.rules) for case in load_cases(path)]


def test_there_are_policy_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[c.name for _, c in CASES])
def test_policy_case(case):
    passed, got = run_case(case, WS)
    assert passed, f"expected {sorted(case.expect)}, got {got}"
