"""A loan policy case of rules/tests/*.yaml: a one-row register, the finding codes it must give and,
where the case asks, its 在校期间贴息 for a calendar year."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aidctl.read import Workspace
from aidctl.rulebook import Case, write_case_file


def run_loan_case(case: Case, ws: Workspace) -> tuple[bool, list[str], dict[str, str]]:
    """(passed, the codes given, the figures computed) for the case, with the workspace's rules."""
    from aidctl.loans.register import read_register
    from aidctl.loans.summary import summarise

    with tempfile.TemporaryDirectory(prefix="aidctl-case-") as tmp:
        path = write_case_file(case, Path(tmp) / "贷款台账.xlsx")
        scratch = Workspace(Path(tmp), rules=ws.rules, schools=False)
        got = sorted(set(read_register(path, scratch).findings["code"]))
        figures = {}
        if "interest" in case.expect_figures:
            figures["interest"] = summarise(path, scratch, int(case.year)).rows()[-1]["interest"]
    passed = got == sorted(set(case.expect)) and all(figures.get(k) == v for k, v in case.expect_figures.items())
    return passed, got, figures
