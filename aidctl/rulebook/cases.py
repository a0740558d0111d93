"""Policy cases in rules/tests/*.yaml: a one-row roster and the finding codes it must give.

A bureau can add a case without writing Python; `aidctl rules check` and the test suite run them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aidctl.core.errors import RuleError
from aidctl.rulebook.base import load_yaml


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
