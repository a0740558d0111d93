"""在校期间贴息: the interest 财政 pays on a loan while the student studies, for one calendar year.

A contract is priced by the pricing period of rules/loans.yaml in force on its pricing date (the first
day of its loan year, or its 合同签订日期, by `pricing_date`): the PBOC benchmark for contracts before
2020, the LPR − 30 BP from 2020 (教财〔2020〕4号), − 60 BP from 2023 autumn (教财〔2023〕4号), − 70 BP
from 2024 autumn (财教〔2024〕188号). It keeps that base and spread; the base floats with its dated
table (each LPR or benchmark value from its day). With `reprice_existing: true` an LPR-linked contract
moves to each later LPR spread from that period's start; by default it does not (the notices let the
bank reprice an earlier contract only by agreement with the student).

A loan accrues from its disbursement date (inclusive) to the last day of study (`study_ends` of the
expected graduation year, inclusive), or to the day before it was repaid early, clipped to the year.
With `repricing: on_change` each day bears the rate in force that day; with `annual` the whole year
bears the rate in force on 1 January (on the disbursement date in the loan's first year).

For one loan and year: interest = Σ principal × rate × days ÷ base (360 or 365), computed exactly
in integers (fen × Σ rate in millionths × days) and rounded half up to the fen once, at the end. The
arithmetic is the same as Decimal's ROUND_HALF_UP on the exact quotient; no float is involved. The
rate-days (Σ millionths × days, under 10^9) are summed in int64; their product with the principal
(up to 10^17 fen, the largest amount read) is taken in Python ints by money.times_half_up, so a
large principal is never a wrapped 64-bit number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pandas as pd

from aidctl.core.errors import RuleError
from aidctl.core.money import times_half_up
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


def pricings(interest: LoanInterest) -> list:
    """The pricing periods, oldest first (the index rate_steps and pricing_index speak of)."""
    return sorted(interest.pricing, key=lambda p: p.from_)


def pricing_index(interest: LoanInterest, days: np.ndarray) -> np.ndarray:
    """The pricing period (index into `pricings`) in force on each pricing date; −1 before the first
    period or where the date is NaT."""
    starts = np.array([np.datetime64(p.from_, "D") for p in pricings(interest)], dtype="datetime64[D]")
    days = np.asarray(days, dtype="datetime64[D]")
    idx = np.searchsorted(starts, days, side="right") - 1
    return np.where(np.isnat(days), -1, idx)


def rate_steps(interest: LoanInterest, index: int = -1) -> list[RateStep]:
    """The rate of a contract priced in pricing period `index` (the latest by default), as a step
    function over every day of its base table: that period's spread, or with `reprice_existing` the
    spread of each later LPR period from its start."""
    periods = pricings(interest)
    own = periods[index]
    later = [q for q in periods[periods.index(own) + 1:] if q.base == "lpr"] \
        if interest.reprice_existing and own.base == "lpr" else []
    table = sorted(interest.benchmark if own.base == "benchmark" else interest.lpr, key=lambda r: r.from_)
    name = "基准利率" if own.base == "benchmark" else "LPR"
    steps: list[RateStep] = []
    for day in sorted({r.from_ for r in table} | {q.from_ for q in later}):
        base = [r for r in table if r.from_ <= day]
        if not base:
            continue
        applied = ([q for q in later if q.from_ <= day] or [own])[-1]
        rate = base[-1].rate + Decimal(applied.spread_bp) / 100
        spread = "" if applied.spread_bp == 0 else f"{'−' if applied.spread_bp < 0 else '+'}{abs(applied.spread_bp)}BP"
        if rate <= 0:
            raise RuleError(f"{applied.from_} 起的定价（{name}{spread}）在 {day} 起的贴息利率为 "
                            f"{name}{base[-1].rate}%{spread} = {rate}%，不是正数", file="loans.yaml", key="interest.pricing")
        step = RateStep(day, rate, f"{name}{base[-1].rate}%{spread}", applied.source)
        if steps and (steps[-1].rate, steps[-1].basis) == (step.rate, step.basis):
            continue
        steps.append(step)
    return steps


def contracts_label(interest: LoanInterest, index: int) -> str:
    """Which contracts a pricing period prices, in the bureau's words."""
    periods = pricings(interest)
    p = periods[index]
    until = periods[index + 1].from_ if index + 1 < len(periods) else None
    basis = "贷款年度开学日" if interest.pricing_date == "loan_year" else "合同签订日期"
    span = f"{p.from_}起" + (f"、{until}前" if until else "")
    return f"{basis}在{span}的合同"


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
    rate_days = np.zeros(len(principal), dtype=np.int64)    # Σ rate in millionths × days: < 10^9
    if interest.repricing == "on_change":
        bounds = [y0, *[np.datetime64(s.start, "D") for s in steps if date(year, 1, 1) < s.start <= date(year, 12, 31)], y1]
        for lo, hi in pairwise(bounds):
            step = rate_on(steps, lo.astype(object))
            d = _days(np.maximum(a, lo), np.minimum(b, hi))
            if step is None:
                _no_rate(d, np.maximum(a, lo))
                continue
            rate_days += step.millionths * d
    else:  # annual: one rate a year, fixed on 1 January (or on the disbursement date in the first year)
        starts = np.array([np.datetime64(s.start, "D") for s in steps], dtype="datetime64[D]")
        fixing = np.where(start >= y0, start, y0) if len(start) else start
        idx = np.searchsorted(starts, np.where(usable, fixing, y0), side="right") - 1
        if (idx < 0).any():
            _no_rate(np.where(idx < 0, days, 0), fixing)
        rates = np.array([s.millionths for s in steps], dtype=np.int64)[np.clip(idx, 0, None)]
        rate_days = np.where(idx >= 0, rates, 0) * days
    # principal × rate-days in Python ints: 10^17 fen × 10^8 would wrap round in int64. The interest
    # itself (at most a little over the principal: a rate under 100%, 366 days ÷ 360) fits int64.
    fen = times_half_up(pd.Series(principal), pd.Series(rate_days), 1_000_000 * interest.base_days)
    return fen.to_numpy(dtype=np.int64), days


class NoRate(RuleError):
    """Days to count that have no rate: `loans` are the positions, in the arrays given, of the loans
    that have such days (for the caller to name one)."""

    def __init__(self, message: str, loans: np.ndarray, **where):
        super().__init__(message, **where)
        self.loans = loans


def _no_rate(days: np.ndarray, first: np.ndarray) -> None:
    """Refuse days to count that have no rate; `first` is each loan's first such day."""
    if (days > 0).any():
        day = first[days > 0].min().astype(object)
        raise NoRate(f"rules/loans.yaml 没有 {day} 的贴息利率（interest.benchmark/lpr 最早的值晚于此日）：请补上",
                     np.flatnonzero(days > 0), file="loans.yaml", key="interest")


def contracts_interest(principal_fen: np.ndarray, start: np.ndarray, last_day: np.ndarray, index: np.ndarray,
                       year: int, interest: LoanInterest) -> tuple[np.ndarray, np.ndarray]:
    """(interest in fen, days counted) per loan for a calendar year, each loan at the rate of the
    pricing period `index` gives it (see pricing_index). A day to count without a pricing period is a
    RuleError, as a day without a rate is."""
    principal = np.asarray(principal_fen, dtype=np.int64)
    start = np.asarray(start, dtype="datetime64[D]")
    last_day = np.asarray(last_day, dtype="datetime64[D]")
    index = np.asarray(index, dtype=np.int64)
    fen = np.zeros(len(principal), dtype=np.int64)
    days = np.zeros(len(principal), dtype=np.int64)
    for i in np.unique(index):
        mask = index == i
        if i < 0:  # no pricing period: count the days (at no rate) only to refuse them
            _, d = year_interest(np.zeros(int(mask.sum()), dtype=np.int64), start[mask], last_day[mask], year,
                                 interest, [RateStep(date.min, Decimal(0), "", "")])
            if (d > 0).any():
                basis = "贷款年度开学日" if interest.pricing_date == "loan_year" else "合同签订日期"
                raise NoRate(f"{int((d > 0).sum())} 份{year}年在校的合同，定价日（{basis}）早于 interest.pricing "
                             f"最早的时段（{pricings(interest)[0].from_} 起），没有贴息利率：请在 rules/loans.yaml 补上更早的定价时段",
                             np.flatnonzero(mask)[d > 0], file="loans.yaml", key="interest.pricing")
            continue
        try:
            fen[mask], days[mask] = year_interest(principal[mask], start[mask], last_day[mask], year, interest,
                                                  rate_steps(interest, int(i)))
        except NoRate as exc:  # its positions among all the loans given here
            exc.loans = np.flatnonzero(mask)[exc.loans]
            raise
    return fen, days
