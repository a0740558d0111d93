"""oversight.yaml: submission deadlines and inspection defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from aidctl.core.terms import Term
from aidctl.rulebook.base import KeyedValueError, Strict, unwritten_said


class InspectionWeights(Strict):
    """How much more a 民办 school and a student above the age range weigh in the draw (whole numbers)."""

    private_school: int = Field(default=1, ge=1, le=10)
    older_student: int = Field(default=1, ge=1, le=10)


class InspectionDefaults(Strict):
    per_school_default: int = Field(ge=1)
    weights: InspectionWeights = InspectionWeights()


class VersionRules(Strict):
    """When two files of one school read together are two versions of one roster (check.versions)."""

    shared_share: Decimal = Field(gt=0, le=1)


class OversightFile(Strict):
    description: str
    source: str
    submission_deadlines: dict[Literal["spring", "autumn"], str]
    inspection: InspectionDefaults
    # a copy of the file made before `versions` takes the packaged share, said aloud
    versions: VersionRules | None = Field(None, json_schema_extra=unwritten_said(
        "同一学校两个文件相同学生达到多少比例即为同一花名册的两个版本 roster.two_versions", inherit=True))

    @field_validator("submission_deadlines")
    @classmethod
    def _month_days(cls, v):
        for season, md in v.items():
            try:
                date(2001, *map(int, md.split("-")))
            except (ValueError, TypeError):
                raise KeyedValueError(season, f"“{md}”不是每年都有的月-日（应写成 MM-DD，如 10-15）") from None
        return v

    def deadline(self, term: Term) -> date:
        month, day = map(int, self.submission_deadlines[term.season].split("-"))
        return date(term.year, month, day)
