"""`aidctl rules check`: every rule file parsed, the consistency warnings, and every policy case of
rules/tests/*.yaml run by its kind (a roster through validate, a loan register through the loan
checks and 贴息, a list of enlisted students through the compensation)."""

from __future__ import annotations

from aidctl.check import run_case as run_roster_case
from aidctl.enlist import run_enlist_case
from aidctl.loans import run_loan_case
from aidctl.read import Workspace
from aidctl.rulebook import Case, case_files, load_cases


def run_any_case(case: Case, ws: Workspace) -> tuple[bool, list[str], str]:
    """(passed, the codes given, what differs in the bureau's words) for a case of any kind."""
    if case.kind == "roster":
        passed, got = run_roster_case(case, ws)
        figures: dict = {}
    else:
        runner = run_loan_case if case.kind == "loan" else run_enlist_case
        passed, got, figures = runner(case, ws)
    detail = "" if passed else f"期望 {sorted(set(case.expect))}，实际 {got}"
    wrong = {k: (v, figures.get(k)) for k, v in case.expect_figures.items() if figures.get(k) != v}
    if wrong:
        detail += "；" + "；".join(f"{k} 期望 {want}，实际 {have}" for k, (want, have) in wrong.items())
    return passed, got, detail.lstrip("；")


def run_cases(ws: Workspace) -> list[dict]:
    results = []
    for path in case_files(ws.rules):
        for case in load_cases(path):
            passed, got, detail = run_any_case(case, ws)
            results.append({"file": path.name, "name": case.name, "kind": case.kind, "passed": passed,
                            "expected": sorted(set(case.expect)), "got": got, "detail": detail})
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
