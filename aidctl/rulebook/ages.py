"""ages.yaml: the plausible age range of students by school type."""

from __future__ import annotations

from pydantic import Field

from aidctl.rulebook.base import Strict


class AgeRange(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    note: str | None = None


class AgesFile(Strict):
    description: str
    source: str
    by_school_type: dict[str, AgeRange]
