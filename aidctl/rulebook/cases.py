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
from aidctl.rulebook.base import KeyedValueError, load_yaml, validation_error


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
            raise KeyedValueError("term", f"案例“{self.name}”是花名册案例（kind: roster），须写 term：按哪个学期的规则审核，"
                                          f"如 term: 2011-autumn")
        if self.kind == "enlist" and not self.year:
            raise KeyedValueError("year", f"案例“{self.name}”是应征入伍案例（kind: enlist），须写 year：补偿的年度，"
                                          f"如 year: 2013")
        allowed = {"roster": [], "loan": ["interest"], "enlist": ["total", "loan_repayment", "to_student"]}
        unknown = sorted(set(self.expect_figures) - set(allowed[self.kind]))
        if unknown:
            can = f"只能写 {'、'.join(allowed[self.kind])}" if allowed[self.kind] else "花名册案例不核对金额，不写 expect_figures"
            raise KeyedValueError(f"expect_figures.{unknown[0]}", f"案例“{self.name}”（kind: {self.kind}）的 "
                                  f"expect_figures 不能有 {'、'.join(unknown)}：{can}")
        if "interest" in self.expect_figures and not self.year:
            raise KeyedValueError("year", f"案例“{self.name}”要核对贴息（expect_figures.interest），须写 year："
                                          f"贴息的日历年度，如 year: 2020")
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
        key, message = validation_error(exc)
        raise RuleError(message, file=str(path), key=key) from None
