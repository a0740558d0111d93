"""School terms such as "2011-autumn": parsing, ordering and recognising them in Chinese text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

from aidctl.core.errors import UsageError

FIRST_YEAR, LAST_YEAR = 2_000, 2_100  # a year outside these is a typing slip, not a school year
SEASONS = ("spring", "autumn")  # order within a calendar year
_CHINESE_SEASON = {"春": "spring", "秋": "autumn"}
_TERM_RE = re.compile(r"^\s*(\d{4})[-_ ]?(spring|autumn)\s*$", re.IGNORECASE)
_CHINESE_RE = re.compile(r"(\d{4})\s*年?\s*(春|秋)\s*季?")


@total_ordering
@dataclass(frozen=True)
class Term:
    """A school term: the calendar year it starts in and its season."""

    year: int
    season: str

    def __post_init__(self):
        if self.season not in SEASONS:
            raise UsageError(f"学期“{self.season}”无法识别：应为 spring 或 autumn")

    @classmethod
    def parse(cls, text: str) -> Term:
        """Parse "2011-autumn" (also "2011秋", "2011年秋季学期")."""
        m = _TERM_RE.match(text)
        if m:
            return cls(int(m.group(1)), m.group(2).lower())
        found = find_term(text)
        if found and re.fullmatch(r"\s*\d{4}\s*年?\s*[春秋]\s*季?\s*(学期)?\s*", text):
            return found
        raise UsageError(f"学期“{text}”无法识别：请写成 2011-autumn 或 2012-spring 的形式")

    def __str__(self) -> str:
        return f"{self.year}-{self.season}"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.year, SEASONS.index(self.season))

    def __lt__(self, other: Term) -> bool:  # type: ignore[override]
        return self.sort_key < other.sort_key

    def start_date(self, month_day: str) -> date:
        month, day = (int(p) for p in month_day.split("-"))
        return date(self.year, month, day)

    @classmethod
    def from_date(cls, today: date) -> Term:
        """The term a date falls in: February–July spring, August–January autumn."""
        if 2 <= today.month <= 7:
            return cls(today.year, "spring")
        if today.month == 1:
            return cls(today.year - 1, "autumn")
        return cls(today.year, "autumn")


def find_term(text: str) -> Term | None:
    """The first term named in free Chinese text ("2011年秋季学期…"), or None."""
    m = _CHINESE_RE.search(text or "")
    if not m:
        m2 = re.search(r"(\d{4})[-_](spring|autumn)", text or "", re.IGNORECASE)
        return Term(int(m2.group(1)), m2.group(2).lower()) if m2 else None
    return Term(int(m.group(1)), _CHINESE_SEASON[m.group(2)])
