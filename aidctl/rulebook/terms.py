"""terms.yaml: the seasons of the school year, their labels and start dates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aidctl.rulebook.base import Strict


class SeasonSpec(Strict):
    label: str
    starts: str = Field(pattern=r"^\d{2}-\d{2}$")
    school_year_offset: int
    order: int


class TermsFile(Strict):
    description: str
    source: str
    seasons: dict[Literal["spring", "autumn"], SeasonSpec]
