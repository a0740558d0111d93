"""schema.missing_column: a required column, or one the programme's conditions need, is absent;
schema.ambiguous_column: two columns stood for one field (the reader's choice, or none);
schema.unknown_unit: a money column states a unit the rules do not know (百万元, 美元)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.core.findings import ERROR, WARNING, build, empty, file_finding
from aidctl.core.text import column_letters
from aidctl.read import Contest, Roster, Table, missing_columns, set_aside, unrecognised_columns
from aidctl.rulebook import Condition, Rulebook, TableSpec

# columns that the roster may lack because schools.xlsx or the school's name supplies them
SUPPLIED_ELSEWHERE = {"ownership", "school_type", "county"}


def _unmet(cond: Condition, present: set[str]) -> list[str]:
    """Fields to add so that `cond` can be evaluated at all (any_of: one of its fields suffices)."""
    if cond.field:
        return [] if cond.field in present | SUPPLIED_ELSEWHERE else [cond.field]
    subs = [_unmet(c, present) for c in (cond.any_of or cond.all_of or [])]
    if cond.any_of is not None:
        return [] if any(not s for s in subs) else sorted({f for s in subs for f in s})
    return sorted({f for s in subs for f in s})


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    spec = rules.columns.tables["roster"]
    frame = roster.frame

    def title(key: str) -> str:
        return spec.columns[key].title

    out = missing_columns(roster.tables, spec) + unrecognised_columns(roster.tables, spec, rules.columns.units, "roster")
    # what each table holds, found once over the whole frame (a term is a thousand small tables)
    n = len(roster.tables)
    table_of = frame["table"].to_numpy()
    records = np.bincount(table_of, minlength=n)
    with_programme = np.bincount(table_of, weights=frame["programme"].notna().to_numpy(), minlength=n)
    codes, uniques = pd.factorize(frame["programme_name"])   # a handful of names
    named = codes >= 0
    pair = table_of[named].astype(np.int64) * (len(uniques) + 1) + codes[named]
    found, first, counts = np.unique(pair, return_index=True, return_counts=True)
    names: dict[int, list[tuple[str, int]]] = {}
    for k in np.argsort(first, kind="stable"):   # in the order the names first appear in each table
        i, code = divmod(int(found[k]), len(uniques) + 1)
        names.setdefault(i, []).append((uniques[code], int(counts[k])))
    required = {k for k, c in spec.columns.items() if c.required}
    for i, table in enumerate(roster.tables):
        present = set(table.columns)
        # the fields each programme of the table needs and the table lacks (schema.missing_column)
        lacking = {name: _needs(period, present) for name, period in
                   ((name, rules.period_in_force(name, roster.term)) for name, _ in names.get(i, []))
                   if period is not None}
        out += contest_findings(i, table.contests, title, hidden_unknown=not table.hidden_known,
                                named_elsewhere=required.union(*lacking.values()))
        out += [file_finding(i, "schema.unknown_unit", key, f"{message}：本表暂不发放，{advice}后重新提交")
                for key, message, advice in unknown_units(table, rules.columns.units)]
        if "programme" not in present and with_programme[i] == 0:
            out.append(file_finding(i, "schema.missing_column", "programme",
                                    f"缺少“{title('programme')}”列，标题中也没有写明资助项目："
                                    f"请补上该列或在标题中写明项目名称"))
        for name, count in names.get(i, []):
            needs = lacking.get(name)
            if not needs:
                continue
            whole_file = count == records[i]
            for key in needs:
                why = set_aside(table, key, title(key))
                message = (f"“{name}”的资格条件或资助标准需要“{title(key)}”列，表中没有"
                           f"{f'（{why}）' if why else ''}：请补上该列后重新提交")
                if whole_file:
                    out.append(file_finding(i, "schema.missing_column", key, message))
                else:  # only this programme's records wait for the column; the others are judged
                    of_programme = (table_of == i) & (frame["programme_name"] == name).fillna(False).to_numpy(dtype=bool)
                    out.append(build(of_programme, "schema.missing_column", key,
                                     message + "（本表其他资助项目的记录不受影响）"))
    out = [p for p in out if len(p)]
    return pd.concat(out, ignore_index=True) if out else empty()


def _needs(period, present: set[str]) -> list[str]:
    """The fields a rule period needs (its conditions, its tier, an amount from the roster) that a
    table holding `present` lacks, each once."""
    needs = [c for cond in period.conditions for c in _unmet(cond, present)]
    if period.amount.tiers and period.amount.tiers.field not in present:
        needs.append(period.amount.tiers.field)
    if period.amount.from_roster and "amount" not in present:
        needs.append("amount")
    return list(dict.fromkeys(needs))


UNKNOWN_UNIT_ADVICE = "请改用可识别的单位"
UNIT_CONFLICT_ADVICE = "请只保留一处单位说明，或在该列表头写明单位"
UNCLEAR_UNIT_ADVICE = "请在该列表头写明单位（如“事业收入（万元）”），或把说明写成“单位：万元”"


def unknown_units(table: Table, units: dict[str, Decimal], conflicts: bool = True) -> list[tuple[str, str, str]]:
    """(field, message, advice) for each money column of `table` whose stated unit is not in the rules'
    `units`, and (with `conflicts`) each whose unit the sheet's 单位： lines state two ways (单位：元
    above the header, 单位：万元 under the table): its figures cannot be turned into 元, and are never
    read as 元 or as either unit."""
    known = "、".join(units)
    out = []
    unclear = {(line.row, line.text): line for line in table.unit_lines if line.unclear}
    for key, m in table.columns.items():
        line = unclear.get((m.unit_line, m.unknown_unit))
        if line is not None:
            out.append((key, f"“{m.header}”列（第{column_letters(m.index)}列）表头没有写单位，而{table.place()} 的"
                             f"{line.shown()}提到了金额单位，却没有写明是哪些列的单位，金额无法确定按元还是按该单位折算",
                        UNCLEAR_UNIT_ADVICE))
        elif m.unknown_unit:
            out.append((key, f"“{m.header}”列（第{column_letters(m.index)}列）的金额单位写作“{m.unknown_unit}”，不是可识别的"
                             f"单位（{known}），金额无法折算为元", UNKNOWN_UNIT_ADVICE))
        elif m.unit_conflict and conflicts:
            out.append((key, unit_conflict_words(table, m), UNIT_CONFLICT_ADVICE))
    return out


def unit_conflict_words(table: Table, m) -> str:
    """How a message names a money column whose unit the sheet states two ways."""
    return (f"“{m.header}”列（第{column_letters(m.index)}列）表头没有写单位，而{table.place()} 的{m.unit_conflict}"
            f"写的金额单位不一致，不知该列按哪一个单位折算为元")


RULES = {
    "specific": "列名更具体的一列优先（如“资助卡号”优先于“银行卡号”，列名本身优先于括号说明或上方的合并表头）",
    "visible": "显示的列优先于隐藏的列",
    "specific+visible": "列名更具体、且未隐藏的一列优先",
    "same_values": "几列内容完全相同",
}


def _named(m) -> str:
    hidden = "，已隐藏" if m.hidden else ""
    return f"“{m.header}”（第{column_letters(m.index)}列{hidden}）"


# said where the visibility rule could not be applied: the file does not say which columns are hidden
HIDDEN_UNKNOWN = "（该 .xls 文件的格式记录无法读取，看不出哪一列被隐藏）"


def contest_findings(table: int, contests: list[Contest], title, hidden_unknown: bool = False,
                     unread: bool = False, named_elsewhere: set[str] = frozenset()) -> list[pd.DataFrame]:
    """schema.ambiguous_column for each field that several columns stood for in a table: a warning
    naming the column not read when the rule chose, an error when it could not (`unread`: the table
    is then not read at all, see settle_headers). A field whose only columns were set aside (another
    person's, an old value, a yearly figure) is a warning too, unless it is in `named_elsewhere`
    (a required field or one a programme needs: schema.missing_column names them)."""
    out = []
    for c in contests:
        field = title(c.key)
        others = "、".join(_named(m) for m in c.others)
        if c.rule == "qualified" and c.chosen is None:
            if c.key not in named_elsewhere:
                out.append(file_finding(table, "schema.ambiguous_column", c.key,
                                        f"{others}标明是{c.others[0].qualifier}的，未作为“{field}”读取；"
                                        f"本表没有其他“{field}”列，按没有该列处理", WARNING))
            continue
        if c.rule == "qualified":
            message = (f"读取{_named(c.chosen)}作为“{field}”；{others}标明是"
                       f"{c.others[0].qualifier}的，未读取")
            severity = WARNING
        elif c.rule == "unresolved" and unread:
            message = (f"有多列可作为“{field}”：{_named(c.chosen)}、{others}，无法判断应读取哪一列，"
                       f"本表无法使用：请只保留一列后重新提交"
                       + (HIDDEN_UNKNOWN if hidden_unknown else ""))
            severity = ERROR
        elif c.rule == "unresolved":
            message = (f"有多列可作为“{field}”：{_named(c.chosen)}、{others}，无法判断哪一列是学生本人当前的"
                       f"“{field}”：请只保留一列后重新提交，本表的记录在此之前不予发放"
                       + (HIDDEN_UNKNOWN if hidden_unknown else ""))
            severity = ERROR
        elif c.rule == "first":
            message = f"有多列可作为“{field}”：读取{_named(c.chosen)}，未读取{others}"
            severity = WARNING
        else:
            message = (f"有多列可作为“{field}”：读取{_named(c.chosen)}，未读取{others}"
                       f"（规则：{RULES.get(c.rule, c.rule)}）。请核实后删除不用的列")
            severity = WARNING
        out.append(file_finding(table, "schema.ambiguous_column", c.key, message, severity))
    return out


def settle_headers(tables: list[Table], spec: TableSpec, units: dict[str, Decimal], kind: str,
                   unit_conflicts_by_row: bool = False) -> list[pd.DataFrame]:
    """The whole-file findings about the header of a table that is not a roster (a finance sheet, an
    enlistment list, a loan register or application list, a complaint register, the 学籍 export):
    schema.unrecognised_column for a header read as nothing, schema.ambiguous_column (a warning) for
    a field whose column a rule chose. A field that no rule can settle stops the command (ReadError,
    exit 2, naming the columns): what such a sheet holds has no records to refuse one by one, and a
    column left out would read as a blank figure (a loan of 0.00, no loan at all), never as a guess.
    So does a money column whose unit is not known or stated two ways, unless `unit_conflicts_by_row`
    (the caller reads none of the figures of a column stated two ways and says so on each row)."""
    out = unrecognised_columns(tables, spec, units, kind)
    for i, t in enumerate(tables):
        for _, message, advice in unknown_units(t, units, conflicts=not unit_conflicts_by_row):
            raise ReadError(f"{message}：{advice}后重新提交", file=t.file, sheet=t.sheet, row=t.header_row)
        for part in contest_findings(i, t.contests, lambda key: spec.columns[key].title,
                                     hidden_unknown=not t.hidden_known, unread=True,
                                     named_elsewhere={k for k, c in spec.columns.items() if c.required}):
            if part["severity"].iat[0] == ERROR:
                raise ReadError(part["message"].iat[0], file=t.file, sheet=t.sheet, row=t.header_row)
            out.append(part)
    return [p for p in out if len(p)]
