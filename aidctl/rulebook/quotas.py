"""quotas.yaml: the share of students a school may aid, by school type and period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict

Region = Literal["east", "centre", "west"]


class QuotaPeriod(Strict):
    """The share of enrolment (per cent) that may be aided, by region band, from a date."""

    from_: date = Field(alias="from")
    until: date | None = None
    share: dict[Region, Decimal]
    source: str

    @model_validator(mode="after")
    def _check(self):
        missing = [r for r in ("east", "centre", "west") if r not in self.share]
        if missing:
            raise KeyedValueError("share", f"缺少 {'、'.join(missing)} 的比例：share 须为东部（east）、中部（centre）、"
                                           f"西部（west）各写一个百分比")
        bad = {r: str(v) for r, v in self.share.items() if not Decimal(0) <= v <= Decimal(100)}
        if bad:
            region = next(iter(bad))
            raise KeyedValueError(f"share.{region}", f"比例“{bad[region]}”不是 0 到 100 之间的百分比")
        if self.until and self.until < self.from_:
            raise KeyedValueError("until", f"截止日 until {self.until} 早于起始日 from {self.from_}")
        return self


class SchoolTypeQuota(Strict):
    programmes: list[str] = []          # the students counted for the share; empty: every programme
    periods: list[QuotaPeriod] = []     # empty: no quota for this school type
    note: str | None = None


class QuotasFile(Strict):
    description: str
    unit: str
    source: str
    region: Region = "centre"
    tolerance: Decimal = Field(ge=0, le=100)   # percentage points above the quota that pass unflagged
    by_school_type: dict[str, SchoolTypeQuota] = {}

    def quota(self, school_type: str | None, day: date) -> Decimal | None:
        """The quota (per cent) for a school type on a day in the file's region, or None."""
        entry = self.by_school_type.get(school_type or "")
        current = None
        for p in sorted(entry.periods if entry else [], key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        if current is None or (current.until and current.until < day):
            return None
        return current.share[self.region]

    def over(self, share: Decimal | None, quota: Decimal | None) -> bool:
        """Whether a school's share (per cent) is above its quota by more than the tolerance: a share at
        exactly quota + tolerance passes. False where either is unknown."""
        return share is not None and quota is not None and share > quota + self.tolerance
