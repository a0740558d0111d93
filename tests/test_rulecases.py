"""The policy cases in rules/tests/*.yaml, one pytest case each (a bureau adds cases without Python)."""

from __future__ import annotations

import pytest

from aidctl.rulecases import case_files, load_cases, run_case
from aidctl.workspace import Workspace

from conftest import REPO

WS = Workspace(REPO)
CASES = [(path.name, case) for path in case_files(WS) for case in load_cases(path)]


def test_there_are_policy_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[c.name for _, c in CASES])
def test_policy_case(case):
    passed, got = run_case(case, WS)
    assert passed, f"expected {sorted(case.expect)}, got {got}"
