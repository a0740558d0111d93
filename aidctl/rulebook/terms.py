"""terms.yaml: the seasons of the school year, their labels and start dates."""

from __future__ import annotations

from typing import Literal

from aidctl.rulebook.base import MonthDay, Strict


class SeasonSpec(Strict):
    label: str
    starts: MonthDay
    school_year_offset: int
    order: int


class TermsFile(Strict):
    description: str
    source: str
    seasons: dict[Literal["spring", "autumn"], SeasonSpec]
