"""columns.yaml: the tables aidctl reads (roster, finance sheet, registers …), their columns, header aliases and units."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from aidctl.rulebook.base import KeyedValueError, Strict, unwritten_said


class ColumnSpec(Strict):
    title: str
    aliases: list[str]
    kind: Literal["text", "id", "card", "money", "number"] = "text"
    required: bool = False
    preferred: list[str] = []      # aliases naming the field more specifically (资助卡号 beats 银行卡号)
    informational: bool = False    # shown to people only (序号, 备注): two such columns are no error

    @model_validator(mode="after")
    def _preferred_are_aliases(self):
        unknown = [p for p in self.preferred if p not in self.aliases and p != self.title]
        if unknown:
            raise KeyedValueError("preferred", f"preferred 中的 {'、'.join(unknown)} 不在本列的 aliases 中：优先的写法须是"
                                               f"本列的别名之一")
        return self


class TableSpec(Strict):
    description: str
    min_header_matches: int = Field(ge=1)
    header_must_have: list[str]
    columns: dict[str, ColumnSpec]
    # words that, in a header matching no alias, mark a column aidctl would read: it is reported
    # (schema.unrecognised_column), never dropped silently
    watch: list[str] = []
    # a money column whose remark or group header holds one of these states a period other than the
    # table's own (a roster's term: 元/年, 每学年): never read as that figure; `other_period_shown` is
    # how a message names such a column's period
    other_period: list[str] = []
    # … unless the remark names the table's own period as well (2011-2012学年第一学期: a term of a year)
    this_period: list[str] = []
    other_period_shown: str = ""

    @model_validator(mode="after")
    def _must_have_known(self):
        unknown = [c for c in self.header_must_have if c not in self.columns]
        if unknown:
            raise KeyedValueError("header_must_have", f"header_must_have 中的 {'、'.join(unknown)} 不是本表 columns 中的"
                                                      f"列：应写列的键（如 name），不是表头文字")
        return self


class HeaderWords(Strict):
    """Words in a header's bracketed remark or in the merged group header above it that say the
    column is not the student's own current value."""

    other_person: list[str] = []   # 监护人, 家长 … (for the fields in person_fields)
    person_fields: list[str] = []
    old_value: list[str] = []      # 旧, 作废, 原卡 …
    money_unit_suffix: list[str] = []   # 元: a remark ending so states a unit of money
    unit_line: list[str] = []      # 单位, 金额单位 …: "单位：万元" above the header
    unit_line_joiners: list[str] = []   # 为, 是: 单位为万元
    unit_phrases: list[str] = []        # 以{}为单位
    currency_words: list[str] = []      # 人民币: 人民币万元
    unit_figures: list[str] = []        # 十, 百, 千, 万, 亿: （万）, 单位：百万 state a figure, not a unit

    @model_validator(mode="after")
    def _phrases_hold_the_unit(self):
        wrong = [p for p in self.unit_phrases if p.count("{}") != 1]
        if wrong:
            raise KeyedValueError("unit_phrases", f"unit_phrases 中的 {'、'.join(wrong)} 须含且只含一个 {{}}（单位所在之处），"
                                                  "如 以{}为单位")
        return self


class Look(Strict):
    """What nobody reading a sheet sees though the file holds it, in points (1/72 inch): a row lower
    than `row_height_below` is hidden, as a row of no height is, and so is a column narrower than
    `column_width_below` (characters); text smaller than `font_size_below` is not seen, as text
    coloured as its fill is not (cell.invisible)."""

    row_height_below: float = Field(gt=0, allow_inf_nan=False)
    font_size_below: float = Field(gt=0, allow_inf_nan=False)
    # text whose colour's WCAG 2.1 contrast ratio with its fill is below this is not seen either; a copy
    # of `look` written before the key takes the packaged value, said aloud
    contrast_below: float | None = Field(None, gt=1, allow_inf_nan=False, json_schema_extra=unwritten_said(
        "与底色几乎相同的字色 cell.invisible", inherit=True))
    # a column narrower than this (Excel's width unit, as the file stores it) is hidden, as one of no
    # width is; a copy of `look` written before the key takes the packaged value, said aloud
    column_width_below: float | None = Field(None, gt=0, allow_inf_nan=False, json_schema_extra=unwritten_said(
        "窄到看不见的列", inherit=True))


class ColumnsFile(Strict):
    description: str
    source: str
    units: dict[str, Decimal]
    header_words: HeaderWords = HeaderWords()
    # a copy of the file made before `look` takes the packaged sizes, said aloud; `look: null` looks for nothing
    look: Look | None = Field(None, json_schema_extra=unwritten_said("看不见的行和文字 cell.invisible", inherit=True))
    tables: dict[str, TableSpec]
