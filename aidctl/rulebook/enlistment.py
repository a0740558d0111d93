"""enlistment.yaml: 应征入伍 学费补偿 / 国家助学贷款代偿 caps by level and period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, model_validator

from aidctl.rulebook.base import KeyedValueError, MonthDay, Strict, day_twice, fen_amount_problem, is_fen_amount


class EnlistLevel(Strict):
    """A level of study as schools write it: the cap group it falls in and its normal length."""

    group: str
    normal_years: int = Field(ge=1, le=8)
    aliases: list[str] = []


class EnlistCapPeriod(Strict):
    """The cap per year of study (yuan) for each cap group, or for a level where the period names it
    (2013: 硕士 and 博士 apart), for enlistments from a date."""

    from_: date = Field(alias="from")
    per_year: dict[str, Decimal]
    source: str
    review: str | None = None

    @model_validator(mode="after")
    def _amounts(self):
        for group, value in self.per_year.items():
            if not is_fen_amount(value):
                raise KeyedValueError(f"per_year.{group}", f"上限{fen_amount_problem(value)}")
        return self


class EnlistmentFile(Strict):
    description: str
    unit: str
    source: str
    year_only_date: MonthDay
    # an 入伍时间 written with a season (2024年春): the first and last month it enlists in
    season_months: dict[str, list[int]] = {}
    loan_first: bool = True
    levels: dict[str, EnlistLevel] = Field(min_length=1)
    caps: list[EnlistCapPeriod] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        groups = {lv.group for lv in self.levels.values()}
        for i, period in enumerate(self.caps):
            unknown = sorted(set(period.per_year) - groups - set(self.levels))
            if unknown:
                raise KeyedValueError(f"caps.{i}.per_year.{unknown[0]}", f"{period.from_} 起的上限中，"
                                      f"{'、'.join(unknown)} 既不是 levels 中的学历层次，也不是其类别（group："
                                      f"{'、'.join(sorted(groups))}）")
            missing = sorted(g for g in groups if g not in period.per_year and not any(
                lv.group == g and k in period.per_year for k, lv in self.levels.items()))
            if missing:
                raise KeyedValueError(f"caps.{i}.per_year", f"{period.from_} 起的上限缺少 {'、'.join(missing)}")
        starts = [p.from_ for p in self.caps]
        if (twice := day_twice(starts)) is not None:
            raise KeyedValueError("caps", f"两个上限时段同从 {twice} 起执行：同一天只能有一个上限")
        month, day = (int(x) for x in self.year_only_date.split("-"))
        date(2000, month, day)  # a ValueError names a day that does not exist
        for word, months in self.season_months.items():
            if len(months) != 2 or not 1 <= months[0] <= months[1] <= 12:
                raise KeyedValueError(f"season_months.{word}", "应写成 [起始月, 结束月]，如 [2, 3]，月份为1—12且起始不晚于结束")
        return self

    def cap(self, day: date) -> EnlistCapPeriod | None:
        """The cap period in force on a day of enlistment (None before the first)."""
        current = None
        for p in sorted(self.caps, key=lambda p: p.from_):
            if p.from_ <= day:
                current = p
        return current

    def cap_for(self, period: EnlistCapPeriod, level: str) -> Decimal | None:
        """The cap of a level in a period: the level's own where the period names it, else its group's;
        None when the period names neither (研究生 not said 硕士 or 博士, in a period that tells them apart)."""
        if level in period.per_year:
            return period.per_year[level]
        return period.per_year.get(self.levels[level].group)
