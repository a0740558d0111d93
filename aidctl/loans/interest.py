"""在校期间贴息: the interest 财政 pays on a loan while the student studies, for one calendar year.

The rate is a step function of the day built from rules/loans.yaml: each pricing period takes its base
table (the PBOC benchmark, or the LPR) and adds its spread (−70 BP from 2024 autumn). A loan accrues
from its disbursement date (inclusive) to the last day of study (`study_ends` of the expected
graduation year, inclusive), clipped to the year. With `repricing: on_change` each day bears the
rate in force that day; with `annual` the whole year bears the rate in force on 1 January (on the
disbursement date in the loan's first year).

For one loan and year: interest = Σ principal × rate × days ÷ base (360 or 365), computed exactly
in integers (fen × rate in millionths × days) and rounded half up to the fen once, at the end. The
arithmetic is the same as Decimal's ROUND_HALF_UP on the exact quotient; no float is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

import numpy as np

from aidctl.core.errors import RuleError
from aidctl.core.money import divide_half_up
from aidctl.rulebook import LoanInterest

RATE_SCALE = 10_000   # per cent × 10,000 = the rate in millionths (4.90% → 49,000)


@dataclass(frozen=True)
class RateStep:
    """From `start` (inclusive) until the next step, the 贴息 rate is `rate` per cent a year."""

    start: date
    rate: Decimal
    basis: str
    source: str

    @property
    def millionths(self) -> int:
        return int(self.rate * RATE_SCALE)


def rate_steps(interest: LoanInterest) -> list[RateStep]:
    """The rate as a step function: every pricing period's base values with its spread applied."""
    pricing = sorted(interest.pricing, key=lambda p: p.from_)
    steps: list[RateStep] = []
    for i, p in enumerate(pricing):
        end = pricing[i + 1].from_ if i + 1 < len(pricing) else None
        table = sorted(interest.benchmark if p.base == "benchmark" else interest.lpr, key=lambda r: r.from_)
        in_force = [r for r in table if r.from_ <= p.from_][-1]
        points = [(p.from_, in_force)] + [(r.from_, r) for r in table
                                          if r.from_ > p.from_ and (end is None or r.from_ < end)]
        for day, r in points:
            rate = r.rate + Decimal(p.spread_bp) / 100
            if rate <= 0:
                raise RuleError(f"{day} 起的贴息利率为 {rate}%，不是正数", file="loans.yaml", key="interest.pricing")
            name = "基准利率" if p.base == "benchmark" else "LPR"
            spread = "" if p.spread_bp == 0 else f"{'−' if p.spread_bp < 0 else '+'}{abs(p.spread_bp)}BP"
            steps.append(RateStep(day, rate, f"{name}{r.rate}%{spread}", p.source))
    return steps


def rate_on(steps: list[RateStep], day: date) -> RateStep | None:
    current = None
    for s in steps:
        if s.start <= day:
            current = s
    return current


def steps_in_year(steps: list[RateStep], year: int) -> list[RateStep]:
    """The steps in force at some day of the year (the one in force on 1 January first)."""
    first = rate_on(steps, date(year, 1, 1))
    return ([first] if first else []) + [s for s in steps if date(year, 1, 1) < s.start <= date(year, 12, 31)]


def _days(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.clip((b - a).astype("timedelta64[D]").astype(np.int64), 0, None)


def year_interest(principal_fen: np.ndarray, start: np.ndarray, last_day: np.ndarray, year: int,
                  interest: LoanInterest, steps: list[RateStep] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(interest in fen, days counted) per loan for a calendar year.

    `start` and `last_day` are datetime64[D] arrays (disbursement, last day of study: both inclusive);
    a NaT in either counts no day. Raises RuleError when a day to count has no rate in the rules.
    """
    steps = steps if steps is not None else rate_steps(interest)
    principal = np.asarray(principal_fen, dtype=np.int64)
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(last_day, dtype="datetime64[D]") + np.timedelta64(1, "D")   # exclusive
    usable = ~(np.isnat(start) | np.isnat(end))
    y0, y1 = np.datetime64(f"{year}-01-01", "D"), np.datetime64(f"{year + 1}-01-01", "D")
    a = np.where(usable, np.maximum(start, y0), y0)
    b = np.where(usable, np.minimum(end, y1), y0)
    days = _days(a, b)
    numerator = np.zeros(len(principal), dtype=np.int64)
    if interest.repricing == "on_change":
        bounds = [y0, *[np.datetime64(s.start, "D") for s in steps if date(year, 1, 1) < s.start <= date(year, 12, 31)], y1]
        for lo, hi in pairwise(bounds):
            step = rate_on(steps, lo.astype(object))
            d = _days(np.maximum(a, lo), np.minimum(b, hi))
            if step is None:
                _no_rate(d, lo.astype(object))
                continue
            numerator += principal * step.millionths * d
    else:  # annual: one rate a year, fixed on 1 January (or on the disbursement date in the first year)
        starts = np.array([np.datetime64(s.start, "D") for s in steps], dtype="datetime64[D]")
        fixing = np.where(start >= y0, start, y0) if len(start) else start
        idx = np.searchsorted(starts, np.where(usable, fixing, y0), side="right") - 1
        if (idx < 0).any():
            _no_rate(np.where(idx < 0, days, 0), date(year, 1, 1))
        rates = np.array([s.millionths for s in steps], dtype=np.int64)[np.clip(idx, 0, None)]
        numerator = principal * np.where(idx >= 0, rates, 0) * days
    denominator = 1_000_000 * interest.base_days
    fen = divide_half_up(numerator, denominator)
    return fen, days


def _no_rate(days: np.ndarray, day: date) -> None:
    if (days > 0).any():
        raise RuleError(f"rules/loans.yaml 没有 {day} 的贴息利率（interest.benchmark/lpr 最早的值晚于此日）：请补上",
                        file="loans.yaml", key="interest")

