"""extraction.yaml: the share of 事业收入 each school type sets aside for aid, by period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict, day_twice


class RatePeriod(Strict):
    from_: date = Field(alias="from")
    min_rate: Decimal = Field(ge=0, le=1)
    max_rate: Decimal = Field(ge=0, le=1)
    source: str

    @model_validator(mode="after")
    def _order(self):
        if self.max_rate < self.min_rate:
            raise KeyedValueError("max_rate", f"最高比例 max_rate {self.max_rate} 低于最低比例 min_rate {self.min_rate}")
        return self


class ExtractionFile(Strict):
    description: str
    source: str
    by_school_type: dict[str, list[RatePeriod]]
    unspent_warning_share: Decimal = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _dates(self):
        for st, periods in self.by_school_type.items():
            dates = [p.from_ for p in periods]
            if (twice := day_twice(dates)) is not None:
                raise KeyedValueError(f"by_school_type.{st}", f"两个时段同从 {twice} 起执行：同一天只能有一个提取比例")
        return self

    def rates(self, school_type: str, year: int) -> RatePeriod | None:
        """The rates that hold for a school type during a calendar year (from its 1 January)."""
        day = date(year, 12, 31)
        current = None
        for p in sorted(self.by_school_type.get(school_type, []), key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current
