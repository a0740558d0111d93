"""Run a roster policy case of rules/tests/*.yaml through validate: its one-row roster must give exactly its
finding codes (loan and enlist cases run in their own packages; oversight.rulecases runs them all)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aidctl.core.terms import Term
from aidctl.read import Workspace
from aidctl.rulebook import Case, write_case_file


def run_case(case: Case, ws: Workspace) -> tuple[bool, list[str]]:
    """Write the case's roster, validate it with the workspace's rules, compare the codes."""
    from aidctl.check.validation import validate

    with tempfile.TemporaryDirectory(prefix="aidctl-case-") as tmp:
        path = write_case_file(case, Path(tmp) / "case.xlsx")
        scratch = Workspace(Path(tmp), rules=ws.rules, schools=False)  # the rules under test, no schools list
        result = validate([path], scratch, term=Term.parse(case.term))
        got = sorted(set(result.findings["code"]))
    return got == sorted(set(case.expect)), got
