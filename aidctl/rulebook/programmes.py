"""programmes.yaml: each aid programme's periods, conditions and amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from aidctl.rulebook.base import Strict


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
            raise ValueError("a condition has exactly one of field/in, any_of, all_of")
        if self.field is not None and not self.in_:
            raise ValueError(f"condition on {self.field!r} needs a non-empty 'in' list")
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

    @model_validator(mode="after")
    def _one_form(self):
        if sum([self.per_term is not None, self.tiers is not None, self.from_roster]) != 1:
            raise ValueError("an amount has exactly one of per_term, tiers, from_roster: true")
        for value in [self.per_term, *(self.tiers.per_term.values() if self.tiers else [])]:
            if value is not None and (value <= 0 or value != value.quantize(Decimal("0.01"))):
                raise ValueError(f"amount {value} is not a positive amount in yuan and fen")
        return self


class Period(Strict):
    from_: date = Field(alias="from")
    until: date | None = None
    amount: AmountRule
    conditions: list[Condition] = []
    source: str

    @model_validator(mode="after")
    def _labels(self):
        for c in self.conditions:
            if c.label is None and c.field is None:
                raise ValueError("a top-level any_of/all_of condition needs a label")
        if self.until and self.until < self.from_:
            raise ValueError(f"until {self.until} is before from {self.from_}")
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
