"""The units a finance sheet's money columns are read in, and what is said about them.

A money column's unit is its header's (事业收入（万元）), else the sheet's 单位 line's; where neither
states one it is 元. That default is said aloud (`unit_notes`), and it is not taken at all where another
money column of the same table states a unit other than 元 (事业收入（万元） beside a bare 提取金额):
whether the bare column is in 元 or in that unit cannot be told (`unsaid_units`), and a ratio or a
shortfall reckoned on either would be a guess.
"""

from __future__ import annotations

from aidctl.core.text import column_letters
from aidctl.read import Table

UNSAID_ADVICE = "请在该列表头写明单位（如“提取金额（万元）”），或在表头上方写明“单位：万元”"


def _money(table: Table, spec) -> list:
    return [m for m in table.columns.values() if spec.columns[m.key].kind == "money" and not m.unknown_unit]


def _names(units: dict) -> dict:
    name = {}
    for word, value in units.items():
        name.setdefault(value, word)
    return name


def _bare(table: Table, spec) -> list:
    """The money columns whose unit nothing states: no unit in the header, no 单位 line."""
    return [m for m in _money(table, spec) if not m.unit_stated and m.unit_line is None and m.unit_conflict is None]


def unsaid_units(table: Table, spec, units: dict) -> dict[str, str]:
    """field → why its figures are not read, for each money column of `table` whose unit nothing states
    while another money column of the table states one other than 元 in its header (事业收入（万元）
    beside 提取金额): 元 or that unit, which one is not known."""
    name = _names(units)
    stated = [m for m in _money(table, spec) if m.unit_stated and m.unit != 1 and m.unit_conflict is None]
    if not stated:
        return {}
    said = "、".join(f"“{m.header}”按{name.get(m.unit, m.unit)}" for m in stated)
    return {m.key: (f"“{m.header}”列（第{column_letters(m.index)}列）表头没有写单位，表格上下也没有单位行，而本表的"
                    f"{said}填写：不知该列是按元还是按{name.get(stated[0].unit, stated[0].unit)}填写")
            for m in _bare(table, spec)}


def unit_notes(tables: list[Table], spec, units: dict) -> list[str]:
    """The money columns whose header states no unit, read in the unit a 单位 line of their sheet
    states (above the header or under the table: 单位：万元 under the 合计 row), said aloud: a figure
    ten thousand times what it looks like rests on that line. So are those read as 元 because nothing
    states their unit (a sheet in 万元 that says so nowhere is read ten thousand times too small)."""
    name = _names(units)
    notes = []
    for t in tables:
        money = _money(t, spec)
        own = [m for m in money if m.unit_stated and m.unit_line is None]
        for line in t.unit_lines:  # the header's own unit wins: where a line states another, that is said
            other = [m for m in own if line.unit is not None and m.unit != line.unit]
            if other:
                notes.append(f"{t.place()} {line.shown()}与{'、'.join(f'“{m.header}”' for m in other)}表头写的单位不同："
                             "这些列按表头写的单位读取；如不对，请更正后重新提交")
        unsaid = unsaid_units(t, spec, units)
        bare = [m for m in _bare(t, spec) if m.key not in unsaid]
        if bare:
            notes.append(f"{t.place()} {'、'.join(f'“{m.header}”' for m in bare)}的表头没有写金额单位，表格上下也没有单位行："
                         "按元读取；如不是元，请在表头写明单位（如“事业收入（万元）”）后重新提交")
        taken = [m for m in money if m.unit_line is not None and not m.unit_conflict]
        if not taken:
            continue
        line = next((line for line in t.unit_lines if line.row == taken[0].unit_line), None)
        said = line.shown() if line else f"第{taken[0].unit_line}行"
        notes.append(f"{t.place()} {said}写明了金额单位：表头未写单位的"
                     f"{'、'.join(f'“{m.header}”' for m in taken)}按{name.get(taken[0].unit, taken[0].unit)}读取")
    return notes
