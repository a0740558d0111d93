"""An enlistment policy case of rules/tests/*.yaml: a one-row list of enlisted students, the finding codes
it must give and the figures (the compensation, the loan repaid, what goes to the student)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aidctl.core.money import yuan_text_or_none
from aidctl.read import Workspace
from aidctl.rulebook import Case, write_case_file


def run_enlist_case(case: Case, ws: Workspace) -> tuple[bool, list[str], dict[str, str | None]]:
    """(passed, the codes given, the figures computed) for the case, with the workspace's rules."""
    from aidctl.enlist.compensation import compute

    with tempfile.TemporaryDirectory(prefix="aidctl-case-") as tmp:
        path = write_case_file(case, Path(tmp) / "入伍名单.xlsx")
        result = compute([path], Workspace(Path(tmp), rules=ws.rules, schools=False), year=int(case.year))
    got = sorted(set(result.findings["code"]))
    student = result.students.iloc[0]
    figures = {key: yuan_text_or_none(student[col]) for key, col in
               (("total", "total_fen"), ("loan_repayment", "loan_fen_repaid"), ("to_student", "to_student_fen"))
               if key in case.expect_figures}
    passed = got == sorted(set(case.expect)) and all(figures.get(k) == v for k, v in case.expect_figures.items())
    return passed, got, figures
