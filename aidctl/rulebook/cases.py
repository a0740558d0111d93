"""Policy cases in rules/tests/*.yaml: one record and what the rules must decide for it.

A case is a one-row roster (kind roster, for a term), a one-row loan register (kind loan) or a
one-row list of enlisted students (kind enlist, for the year compensated), with the finding codes it
must give and, for loans and enlistment, the figures (贴息 of a calendar year; the compensation, the
loan repaid, what goes to the student). A bureau can add a case without writing Python;
`aidctl rules check` and the test suite run them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aidctl.core.errors import RuleError
from aidctl.rulebook.base import load_yaml


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=5)
    kind: Literal["roster", "loan", "enlist"] = "roster"
    term: str | None = None          # roster: the term whose rules apply
    year: int | None = None          # loan: the calendar year of 贴息; enlist: the year compensated
    title: str | None = None
    record: dict[str, str | int | float]
    expect: list[str]
    # loan: interest; enlist: total, loan_repayment, to_student (yuan, two decimals)
    expect_figures: dict[str, str] = {}

    @model_validator(mode="after")
    def _needs(self):
        if self.kind == "roster" and not self.term:
            raise ValueError("a roster case needs a term")
        if self.kind == "enlist" and not self.year:
            raise ValueError("an enlist case needs the year compensated (year)")
        allowed = {"roster": set(), "loan": {"interest"}, "enlist": {"total", "loan_repayment", "to_student"}}
        unknown = set(self.expect_figures) - allowed[self.kind]
        if unknown:
            raise ValueError(f"expect_figures of a {self.kind} case cannot hold {sorted(unknown)}")
        if "interest" in self.expect_figures and not self.year:
            raise ValueError("a loan case that expects interest needs the calendar year (year)")
        return self


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = None
    cases: list[Case]


def write_case_file(case: Case, path: Path) -> Path:
    """The case's record as a one-row workbook: the title (where the case gives one), the headers as
    written, the values (text that begins with = stays text: append_text_row)."""
    import openpyxl

    from aidctl.core.xlsx import append_text_row

    wb = openpyxl.Workbook()
    sheet = wb.active
    if case.title:
        append_text_row(sheet, [case.title])
    append_text_row(sheet, list(case.record))
    append_text_row(sheet, list(case.record.values()))
    wb.save(path)
    return path


def case_files(rules) -> list[Path]:
    """The case files of a rulebook: the packaged rules/tests/ and the workspace's own."""
    folders = [rules.packaged_dir / "tests"]
    if rules.workspace_dir:
        folders.append(rules.workspace_dir / "tests")
    return sorted(p for d in folders if d.is_dir() for p in d.glob("*.yaml"))


def load_cases(path: Path) -> list[Case]:
    try:
        return CaseFile.model_validate(load_yaml(path)).cases
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RuleError(err["msg"], file=str(path), key=".".join(map(str, err["loc"]))) from None
