"""assessment.yaml: the 量化考核 indicators, targets, weights and scoring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from aidctl.core.terms import Term
from aidctl.rulebook.base import KeyedValueError, Strict, unwritten_said
from aidctl.rulebook.oversight import OversightFile

# The indicators aidctl computes, with their unit and direction; any other indicator of the file
# is listed in the scorecard as not computed.
COMPUTED_INDICATORS: dict[str, tuple[str, str]] = {
    "timely_payment": ("share", "higher"),
    "data_accuracy": ("share", "higher"),
    "on_time_submission": ("share", "higher"),
    "extraction": ("share", "higher"),
    "complaint_rate": ("per_thousand", "lower"),
    "complaint_closure": ("share", "higher"),
    "loan_performance": ("share", "higher"),
}

UNIT_WORDS = {"share": "比例（0.95 即 95%）", "per_thousand": "每千名受助学生"}
BETTER_WORDS = {"higher": "越高越好", "lower": "越低越好"}

ScoringMethod = Literal["proportional", "pass_fail"]


class Scoring(Strict):
    method: ScoringMethod
    review: str | None = None


class Indicator(Strict):
    name: str
    target: Decimal = Field(ge=0)
    weight: Decimal = Field(gt=0)
    better: Literal["higher", "lower"] = "higher"
    unit: Literal["share", "per_thousand"] = "share"
    method: ScoringMethod | None = None
    source: str

    @model_validator(mode="after")
    def _share(self):
        if self.unit == "share" and self.target > 1:
            raise KeyedValueError("target", f"“{self.name}”的目标 target {self.target} 大于 1：unit: share 的目标是比例，"
                                            f"95% 应写成 \"0.95\"")
        return self


class ComplaintRules(Strict):
    closing_working_days: int = Field(ge=1)
    source: str
    # 办理结果 words saying a complaint is not closed: beside a 办结日期, complaint.invalid
    not_closed_results: list[str] = Field([], json_schema_extra=unwritten_said(
        "办理结果中表示尚未办结的用词", inherit=True))
    # 办理结果 words saying a complaint is closed (read after not_closed_results): beside a blank
    # 办结日期, complaint.invalid
    closed_results: list[str] = Field([], json_schema_extra=unwritten_said(
        "办理结果中表示已经办结的用词", inherit=True))


class AssessmentFile(Strict):
    description: str
    source: str
    scoring: Scoring
    indicators: dict[str, Indicator] = Field(min_length=1)
    complaints: ComplaintRules
    payment_deadlines: dict[Literal["spring", "autumn"], str]
    payment_deadlines_source: str

    @field_validator("payment_deadlines")
    @classmethod
    def _month_days(cls, v):
        if set(v) != {"spring", "autumn"}:
            missing = "、".join(s for s in ("spring", "autumn") if s not in v)
            raise ValueError(f"缺少 {missing} 的发放期限：春季学期（spring）和秋季学期（autumn）都须写月-日，"
                             f"如 autumn: \"11-30\"")
        return OversightFile._month_days(v)

    @model_validator(mode="after")
    def _weights_make_100(self):
        total = sum((i.weight for i in self.indicators.values()), Decimal(0))
        if total != 100:
            weights = "、".join(f"{key} {ind.weight:f}" for key, ind in self.indicators.items())
            raise KeyedValueError("indicators", f"各指标的权重 weight 合计为 {total:f}，不是 100：量化考核按百分制计分，"
                                                f"请调整各指标的 weight 使合计为 100（现为 {weights}）")
        return self

    @model_validator(mode="after")
    def _known_units(self):
        for key, ind in self.indicators.items():
            if key in COMPUTED_INDICATORS and (ind.unit, ind.better) != COMPUTED_INDICATORS[key]:
                unit, better = COMPUTED_INDICATORS[key]
                raise KeyedValueError(f"indicators.{key}", f"“{ind.name}”由 aidctl 计算，须为 unit: {unit}"
                                      f"（{UNIT_WORDS[unit]}）、better: {better}（{BETTER_WORDS[better]}），"
                                      f"本文件写的是 unit: {ind.unit}、better: {ind.better}")
        return self

    @model_validator(mode="after")
    def _no_misspelt_keys(self):
        """A key aidctl does not compute, spelt nearly as one it does that the file leaves out
        (timely_paymnet), is a slip: taken as written, the indicator would be 未计算 for want of data,
        its weight left out of every total, without a word."""
        import difflib

        absent = [k for k in COMPUTED_INDICATORS if k not in self.indicators]
        for key, ind in self.indicators.items():
            near = [] if key in COMPUTED_INDICATORS else difflib.get_close_matches(key, absent, n=1, cutoff=0.8)
            if near:
                raise KeyedValueError(f"indicators.{key}", f"“{ind.name}”的键 {key} 不是 aidctl 计算的指标，与 aidctl "
                                      f"计算的 {near[0]} 只差几个字母，而本文件没有 {near[0]}：是否写错？写错时该指标会"
                                      f"列为未计算、不计入总分。请改为 {near[0]}；如确是另一个指标，请换一个不易混淆的键名")
        return self

    def payment_deadline(self, term: Term) -> date:
        """The last day on which a term's aid counts as sent on time."""
        month, day = map(int, self.payment_deadlines[term.season].split("-"))
        return date(term.year, month, day)

    def method(self, key: str) -> str:
        return self.indicators[key].method or self.scoring.method
