"""loans.yaml: 生源地信用助学贷款 caps, pricing, risk compensation and the words of the bank's register."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from aidctl.rulebook.base import (
    KeyedValueError,
    MonthDay,
    Strict,
    day_twice,
    fen_amount_problem,
    is_fen_amount,
    unwritten_said,
)


class LoanCapPeriod(Strict):
    """The most a student may borrow in one school year (yuan), per level of study, from a date."""

    from_: date = Field(alias="from")
    per_year: dict[str, Decimal]
    source: str

    @model_validator(mode="after")
    def _amounts(self):
        for level, value in self.per_year.items():
            if not is_fen_amount(value):
                raise KeyedValueError(f"per_year.{level}", f"额度{fen_amount_problem(value)}")
        return self


class GraduationBounds(Strict):
    """预计毕业年份 − 贷款年度 must lie in [min_years, max_years] for the level."""

    min_years: int = Field(ge=0, le=10)
    max_years: int = Field(ge=0, le=12)

    @model_validator(mode="after")
    def _order(self):
        if self.max_years < self.min_years:
            raise KeyedValueError("max_years", f"最多年数 max_years {self.max_years} 小于最少年数 min_years {self.min_years}")
        return self


class DatedRate(Strict):
    """An annual rate in per cent (4.90 = 4.90%), from the day it takes effect."""

    from_: date = Field(alias="from")
    rate: Decimal = Field(gt=0, lt=100)
    source: str | None = None

    @model_validator(mode="after")
    def _exact(self):
        if self.rate != self.rate.quantize(Decimal("0.0001")):
            raise KeyedValueError("rate", f"利率“{self.rate}”的小数超过 4 位：利率按年利率百分数写，如 \"4.90\" 即 4.90%")
        return self


class Pricing(Strict):
    """From a date, the 贴息 rate is a base rate (benchmark or LPR) plus a spread in basis points."""

    from_: date = Field(alias="from")
    base: Literal["benchmark", "lpr"]
    spread_bp: int = Field(default=0, ge=-500, le=500)
    source: str


class LoanInterest(Strict):
    day_count: Literal["ACT/360", "ACT/365"]
    study_ends: MonthDay
    repricing: Literal["on_change", "annual"]
    pricing_date: Literal["loan_year", "signed"] = "loan_year"
    reprice_existing: bool = False
    benchmark: list[DatedRate]
    lpr: list[DatedRate]
    pricing: list[Pricing] = Field(min_length=1)

    @model_validator(mode="after")
    def _covered(self):
        month, day = (int(x) for x in self.study_ends.split("-"))
        date(2001, month, day)  # a ValueError names a day that does not exist
        for name in ("benchmark", "lpr", "pricing"):
            starts = [p.from_ for p in getattr(self, name)]
            if (twice := day_twice(starts)) is not None:
                raise KeyedValueError(name, f"两项同从 {twice} 起生效：同一天只能有一个值")
        for i, p in enumerate(self.pricing):
            table = self.benchmark if p.base == "benchmark" else self.lpr
            if not any(r.from_ <= p.from_ for r in table):
                first = min((r.from_ for r in table), default=None)
                raise KeyedValueError(f"pricing.{i}", f"{p.from_} 起按 {p.base} 定价，但 {p.base} 在 {p.from_} 还没有利率"
                                      f"（{p.base} 最早一项从 {first or '（无）'} 起）：请在 interest.{p.base} 中补上该日"
                                      f"适用的利率")
        return self

    @property
    def base_days(self) -> int:
        return 360 if self.day_count == "ACT/360" else 365


class RatioPeriod(Strict):
    from_: date = Field(alias="from")
    ratio: Decimal = Field(ge=0, le=1)
    source: str


class LoanStatusWords(Strict):
    """还款状态 as the bank writes it, by what it means for 贴息 and repayment."""

    in_study: list[str]
    grace: list[str]
    repayment: list[str]
    settled: list[str]
    settled_early: list[str] = []
    compensated: list[str]


class StatusClaims(Strict):
    """Among the `repayment` words of 还款状态, those that also say something of the money, at the
    export as the register's amounts and 逾期天数 are: in arrears (逾期, 违约, 欠款), or in order (正常,
    正常还款). Overdue is never taken from them; where one says the opposite of the register's money
    and days, the contract is loan.invalid on 还款状态 (aidctl/loans/checks.py)."""

    in_arrears: list[str] = []
    current: list[str] = []


class ApplicationWords(Strict):
    """审核结果 as the county offices write it."""

    approved: list[str]
    rejected: list[str]
    pending: list[str]


class LoansFile(Strict):
    description: str
    unit: str
    source: str
    levels: dict[str, list[str]] = Field(min_length=1)      # level → spellings
    caps: list[LoanCapPeriod] = Field(min_length=1)
    graduation: dict[str, GraduationBounds]
    interest: LoanInterest
    risk_compensation: list[RatioPeriod] = Field(min_length=1)
    statuses: LoanStatusWords
    # a copy of loans.yaml made before the key existed takes the packaged words, and is told so
    status_claims: StatusClaims = Field(StatusClaims(), json_schema_extra=unwritten_said(
        "还款状态中表示欠款逾期或正常还款、须与还款金额和逾期天数相符的用语", inherit=True))
    # a copy of loans.yaml made before the key existed takes the packaged labels, and is told so
    export_date_labels: list[str] = Field([], json_schema_extra=unwritten_said(
        "台账表头上方注明数据截至（导出）日期的用语", inherit=True))
    applications: ApplicationWords
    collection_results: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        levels = set(self.levels)
        for i, period in enumerate(self.caps):
            missing = sorted(levels - set(period.per_year))
            unknown = sorted(set(period.per_year) - levels)
            if missing or unknown:
                raise KeyedValueError(f"caps.{i}.per_year", f"{period.from_} 起的额度" + (
                    f"缺少 {'、'.join(missing)}" if missing else f"中 {'、'.join(unknown)} 不是 levels 中的学历层次"))
        if set(self.graduation) != levels:
            missing, unknown = sorted(levels - set(self.graduation)), sorted(set(self.graduation) - levels)
            raise KeyedValueError("graduation", (f"缺少 {'、'.join(missing)} 的毕业年限" if missing else
                                                 f"{'、'.join(unknown)} 不是 levels 中的学历层次")
                                  + f"：graduation 须为 levels 的每个学历层次（{'、'.join(sorted(levels))}）各写一项")
        self._claims()
        for name in ("caps", "risk_compensation"):
            starts = [p.from_ for p in getattr(self, name)]
            if (twice := day_twice(starts)) is not None:
                raise KeyedValueError(name, f"两个时段同从 {twice} 起执行：同一天只能有一个值")
        return self

    def _claims(self) -> None:
        """Each status_claims word is a `repayment` word of statuses (compared folded, as the register
        is read), and none says both in arrears and in order."""
        from aidctl.core.text import fold_one

        def folded(word: str) -> str:
            return fold_one(word).upper()

        repayment = {folded(w) for w in self.statuses.repayment}
        said: dict[str, str] = {}
        for kind in ("in_arrears", "current"):
            for word in getattr(self.status_claims, kind):
                if folded(word) not in repayment:
                    raise KeyedValueError(f"status_claims.{kind}", f"“{word}”不是 statuses.repayment 中的还款状态用语："
                                          f"只有还款期的用语才能说明是否欠款（statuses.repayment："
                                          f"{'、'.join(self.statuses.repayment)}）")
                if said.setdefault(folded(word), kind) != kind:
                    raise KeyedValueError("status_claims", f"“{word}”同时列在 in_arrears 和 current 中：一个用语不能"
                                          "既表示欠款逾期又表示正常还款")

    @staticmethod
    def _in_force(periods, day: date):
        current = None
        for p in sorted(periods, key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current

    def cap(self, day: date) -> LoanCapPeriod | None:
        """The caps in force for a loan year that starts on `day` (None before the first period)."""
        return self._in_force(self.caps, day)

    def risk_ratio(self, day: date) -> RatioPeriod | None:
        return self._in_force(self.risk_compensation, day)
