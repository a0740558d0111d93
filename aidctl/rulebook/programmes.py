"""programmes.yaml: each aid programme's periods, conditions and amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict, fen_amount_problem, is_fen_amount, unwritten_said


class Condition(Strict):
    """One eligibility condition: a column's value is one of `in`, or any/all of sub-conditions."""

    field: str | None = None
    in_: list[Any] | None = Field(default=None, alias="in")
    any_of: list[Condition] | None = None
    all_of: list[Condition] | None = None
    label: str | None = None

    @field_validator("in_", mode="before")
    @classmethod
    def _values(cls, values):
        for v in values if isinstance(values, list) else []:
            if isinstance(v, (list, dict, set)):
                raise ValueError(f"“in”的每一项应是单个值（文字或数字），不能是列表或表：{v!r}")
        return values

    @model_validator(mode="after")
    def _one_form(self):
        forms = [self.field is not None, self.any_of is not None, self.all_of is not None]
        if sum(forms) != 1:
            given = "、".join(f for f, on in zip(("field", "any_of", "all_of"), forms) if on) or "三者都没有"
            raise ValueError(f"一个条件只能用一种写法：field 加 in、any_of 或 all_of，这里写的是 {given}；"
                             f"几个条件要同时满足请分开写成几项，或放进 all_of")
        if self.field is not None and not self.in_:
            raise KeyedValueError("in", f"条件“{self.field}”没有写 in（符合条件的取值）：请列出取值，如 in: [1, 2]")
        return self

    def fields(self) -> list[str]:
        """The columns this condition reads, in the order written."""
        if self.field:
            return [self.field]
        return list(dict.fromkeys(f for c in (self.any_of or self.all_of or []) for f in c.fields()))


class Tiers(Strict):
    field: str
    per_term: dict[str, Decimal]


class AmountRule(Strict):
    per_term: Decimal | None = None
    tiers: Tiers | None = None
    from_roster: bool = False
    # from_roster: a record's amount more than `spread` times the median of its table's amounts for the
    # programme (three or more), or less than that median divided by it, is amount.outlier. Not written:
    # no such check (a copy of programmes.yaml made before the key existed is told so: Rulebook.notes)
    spread: Decimal | None = Field(None, json_schema_extra=unwritten_said(
        "异常金额检查 amount.outlier", "按不检查处理",
        "如需检查，请从内置规则复制该键；确不检查，请写 spread: null"))

    @model_validator(mode="after")
    def _one_form(self):
        forms = {"per_term": self.per_term is not None, "tiers": self.tiers is not None,
                 "from_roster: true": self.from_roster}
        if self.spread is not None and self.spread <= 1:
            raise KeyedValueError("spread", f"倍数须大于1（写的是 {self.spread}）")
        if self.spread is not None and not self.from_roster:
            raise ValueError("spread（与本表中位数相差的倍数）只用于 from_roster: true（按花名册填写的金额）；"
                             "定额和按档发放的金额已按标准核对")
        if sum(forms.values()) != 1:
            given = [f for f, on in forms.items() if on]
            said = f"这里同时写了 {'、'.join(given)}，aidctl 不替您选择按哪一个发放" if given else "这里一种也没有写"
            raise ValueError("金额须用且只用一种写法：per_term（每生每学期定额）、tiers（按档）或 from_roster: true"
                             f"（按花名册填写的金额）；{said}")
        values = {"per_term": self.per_term}
        if self.tiers:
            values.update({f"tiers.per_term.{k}": v for k, v in self.tiers.per_term.items()})
        for key, value in values.items():
            if value is not None and not is_fen_amount(value):
                raise KeyedValueError(key, fen_amount_problem(value))
        return self


class Period(Strict):
    from_: date = Field(alias="from")
    until: date | None = None
    amount: AmountRule
    conditions: list[Condition] = []
    source: str

    @model_validator(mode="after")
    def _labels(self):
        for i, c in enumerate(self.conditions):
            if c.label is None and c.field is None:
                raise KeyedValueError(f"conditions.{i}", "由 any_of 或 all_of 组成的条件须写 label：学生不符合时"
                                                         "向学校说明的文字，如 label: 农村户籍或家庭经济困难学生")
        if self.until and self.until < self.from_:
            raise KeyedValueError("until", f"截止日 until {self.until} 早于起始日 from {self.from_}")
        return self


class Programme(Strict):
    aliases: list[str] = []
    school_types: list[str]
    payee: Literal["student", "school"]
    periods: list[Period] = Field(min_length=1)


class ProgrammesFile(Strict):
    description: str
    source: str
    programmes: dict[str, Programme]


def period_id(programme: str, period: Period) -> str:
    """How a period is named wherever a decision cites it: the programme and the day it took effect
    ("中职国家助学金@2007-09-01"); one programme's periods never start on the same day."""
    return f"{programme}@{period.from_.isoformat()}"


def walk_conditions(conditions: list[Condition]):
    for cond in conditions:
        yield cond
        yield from walk_conditions(list(cond.any_of or cond.all_of or []))
