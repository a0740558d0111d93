"""Policy cases in rules/tests/*.yaml: a one-row roster and the finding codes it must give.

A bureau can add a case without writing Python; `aidctl rules check` and the test suite run them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aidctl.errors import RuleError
from aidctl.rulebook import _load_yaml
from aidctl.terms import Term
from aidctl.workspace import Workspace


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=5)
    term: str
    title: str | None = None
    record: dict[str, str | int | float]
    expect: list[str]


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = None
    cases: list[Case]


def case_files(ws: Workspace) -> list[Path]:
    folders = [ws.rules.packaged_dir / "tests"]
    if ws.rules.workspace_dir:
        folders.append(ws.rules.workspace_dir / "tests")
    return sorted(p for d in folders if d.is_dir() for p in d.glob("*.yaml"))


def load_cases(path: Path) -> list[Case]:
    try:
        return CaseFile.model_validate(_load_yaml(path)).cases
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RuleError(err["msg"], file=str(path), key=".".join(map(str, err["loc"]))) from None


def run_case(case: Case, ws: Workspace) -> tuple[bool, list[str]]:
    """Write the case's roster, validate it with the workspace's rules, compare the codes."""
    from aidctl.validation import validate

    with tempfile.TemporaryDirectory(prefix="aidctl-case-") as tmp:
        path = Path(tmp) / "case.xlsx"
        wb = openpyxl.Workbook()
        sheet = wb.active
        if case.title:
            sheet.append([case.title])
        sheet.append(list(case.record))
        sheet.append([v for v in case.record.values()])
        wb.save(path)
        scratch = Workspace(Path(tmp))
        scratch.__dict__["rules"] = ws.rules  # the rules under test, without the workspace's schools list
        scratch.__dict__["schools"] = None
        result = validate([path], scratch, term=Term.parse(case.term))
        got = sorted(set(result.findings["code"]))
    return got == sorted(set(case.expect)), got


def run_cases(ws: Workspace) -> list[dict]:
    results = []
    for path in case_files(ws):
        for case in load_cases(path):
            passed, got = run_case(case, ws)
            results.append({"file": path.name, "name": case.name, "passed": passed,
                            "expected": sorted(set(case.expect)), "got": got,
                            "detail": "" if passed else f"期望 {sorted(set(case.expect))}，实际 {got}"})
    return results
