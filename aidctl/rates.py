"""Rates as exact fractions, rounded half up only for display: "95.00%", "1.25" (per 1,000)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

NO_DATA = "无数据"


def ratio(part: int, whole: int | None) -> Fraction | None:
    """part ÷ whole, or None when there is no denominator (never 0 for "no data")."""
    if whole is None or whole <= 0:
        return None
    return Fraction(int(part), int(whole))


def half_up(value: Fraction, places: int = 2) -> Decimal:
    """An exact fraction rounded half up (away from zero at .5) to `places` decimals."""
    scale = 10 ** places
    scaled = abs(value) * scale
    rounded = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    out = Decimal(rounded).scaleb(-places).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return -out if value < 0 else out


def percent(value: Fraction | None, places: int = 2) -> str | None:
    """0.955 → "95.50%"; None stays None."""
    return None if value is None else f"{half_up(value * 100, places)}%"


def number(value: Fraction | None, places: int = 2) -> str | None:
    """1.255 → "1.26"; None stays None."""
    return None if value is None else str(half_up(value, places))


def shown(text: str | None) -> str:
    """What a table or workbook shows: the figure, or 无数据."""
    return NO_DATA if text is None else text
