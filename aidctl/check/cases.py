"""Run the policy cases of rules/tests/*.yaml through validate: each case's one-row roster must give exactly its finding codes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl

from aidctl.core.terms import Term
from aidctl.core.xlsx import append_text_row
from aidctl.read import Workspace
from aidctl.rulebook import Case, case_files, load_cases


def run_case(case: Case, ws: Workspace) -> tuple[bool, list[str]]:
    """Write the case's roster, validate it with the workspace's rules, compare the codes."""
    from aidctl.check.validation import validate

    with tempfile.TemporaryDirectory(prefix="aidctl-case-") as tmp:
        path = Path(tmp) / "case.xlsx"
        wb = openpyxl.Workbook()
        sheet = wb.active
        if case.title:
            append_text_row(sheet, [case.title])
        append_text_row(sheet, list(case.record))
        append_text_row(sheet, list(case.record.values()))
        wb.save(path)
        scratch = Workspace(Path(tmp), rules=ws.rules, schools=False)  # the rules under test, no schools list
        result = validate([path], scratch, term=Term.parse(case.term))
        got = sorted(set(result.findings["code"]))
    return got == sorted(set(case.expect)), got


def run_cases(ws: Workspace) -> list[dict]:
    results = []
    for path in case_files(ws.rules):
        for case in load_cases(path):
            passed, got = run_case(case, ws)
            results.append({"file": path.name, "name": case.name, "passed": passed,
                            "expected": sorted(set(case.expect)), "got": got,
                            "detail": "" if passed else f"期望 {sorted(set(case.expect))}，实际 {got}"})
    return results


def rules_check(ws: Workspace) -> dict:
    """The `rules check` document: every rule file parsed (the bank profiles included, which other
    commands parse only when they pay), the consistency warnings, and every policy case run."""
    from aidctl.rulebook import rule_files as files

    rules = ws.rules
    profiles = rules.banks
    results = run_cases(ws)
    return {"version": 1, "ok": all(r["passed"] for r in results), "fingerprint": rules.fingerprint,
            "files": files(rules), "bank_profiles": sorted(profiles), "warnings": [str(w) for w in rules.warnings],
            "cases": results}
