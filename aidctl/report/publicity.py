"""publish: the 公示 lists. One public list per school, ready to post, in out/<term>/公示/; one internal
check list per school in out/<term>/内部/, so that the 公示 folder holds only what may be posted.

Who is listed: the term's roster records that validation does not refuse (an error finding on the
record or its file), grouped by school; a student aided by two programmes at one school stands once,
with both programmes. A student the ledger already paid is still listed: the list is of the term's
aided students, whether or not the money has gone out yet.

What a public list shows is what rules/publicity.yaml names, and the rule model lets it name only
name, school, department, grade, major, class and programme (教财厅函〔2017〕28号). Whatever the
roster holds, three more defences stand between it and a public file:
1. only those columns are ever copied out of the roster frame (never id_number, card, phone …);
2. every cell of that public frame is scanned, vectorised, for a run of 7 or more digits (with single
   spaces or dashes between them), which is what an ID, a card or a phone number typed into a name,
   class or school cell looks like; the run is replaced by ＊ and the cell reported. The list stays
   postable, and the school is told which roster cell to correct;
3. before a public file is written, every text on it (title, 公示期 line, footer, file name) is
   checked once more for a run of 15 or more digits, the shape of an ID or a card; one found stops
   the command (exit 2) rather than write the file.
The internal check list shows the ID masked to the widths of rules/publicity.yaml `masking` (first 6
+ last 4 at most) and is scrubbed the same way; its file name never contains 公示.

A school is listed under the name schools.xlsx registers for it (by name or 别名, read.registered_schools,
as the report groups it), names that differ only in spaces or full-width forms are one school: one
school's rosters written 第一职业中学 and 一职中 make one list, never two half lists; a name taken for
another is said aloud. Before anything is written, the ledger (when the workspace has one) is read
for the term's payments the bank has not returned (paid, sent, reissued, pending): one whose student
and programme is on no list (its roster record now refused, or gone) is said aloud, with its school,
name, roster file and row (JSON `paid_not_listed`): a student paid must not be missing from the 公示.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.check import validate
from aidctl.core.dates import CALENDAR_STATUTORY, CALENDAR_WEEKENDS, nth_working_day  # noqa: F401
from aidctl.core.errors import AidctlError
from aidctl.core.files import atomic_path, file_stems
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.masking import Masking
from aidctl.core.terms import Term
from aidctl.core.text import fold_one, text_series
from aidctl.core.xlsx import Book
from aidctl.pay import plan_validation
from aidctl.read import Workspace
from aidctl.rulebook import PublicityFile

PHONE_NOT_SET = "（未设置，请在 aidctl.toml 中设置 complaint_phone）"
FOLDER = "公示"        # only what may be posted: whoever sends "the 公示 folder" sends nothing internal
INTERNAL_FOLDER = "内部"  # the internal check lists (masked IDs, roster rows): never posted
MASK = "＊＊＊＊＊＊"  # a fixed width: the mask does not tell how long the hidden number was

_DIGIT = "[0-9０-９]"
_SEP = "[ \t\u3000\\-－—–_.·/]"  # space, tab, ideographic space, dashes, dot, slash
# 7+ digits, a single separator allowed between two of them, an ID's X after the last (RE2 syntax)
LONG_NUMBER = rf"{_DIGIT}(?:{_SEP}?{_DIGIT}){{6,}}(?:{_SEP}?[XxＸｘ])?"
ID_OR_CARD = re.compile(r"[0-9]{15,}")  # the last check on every text of a public file (after NFKC)

BANK_REFUSALS = {"bank.unknown", "bank.unwritable"}  # the plan's own refusals, beyond validation's
SOURCE_COLUMN = {"programme": "programme_name"}  # the programme as the rules name it, not as typed


@dataclass
class SchoolList:
    school: str
    students: int
    public_file: Path
    internal_file: Path


@dataclass
class Publication:
    """What publish wrote: the lists, the 公示期, and the cells it had to mask."""

    term: Term
    start: date
    until: date
    working_days: int
    calendar: str
    complaint_phone: str | None
    schools: list[SchoolList] = field(default_factory=list)
    masked_cells: list[dict] = field(default_factory=list)  # school, file, row, column
    not_listed: int = 0                                     # records refused by validation
    paid_not_listed: list[dict] = field(default_factory=list)  # the ledger's payments on no list
    warnings: list[str] = field(default_factory=list)             # on stderr, and the JSON's notes

    def to_json(self, root: Path) -> dict:
        def rel(path: Path) -> str:
            return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

        return {"version": 1, "term": str(self.term), "from": self.start.isoformat(),
                "until": self.until.isoformat(), "working_days": self.working_days, "calendar": self.calendar,
                "schools": [{"school": s.school, "students": s.students, "public_file": rel(s.public_file),
                             "internal_file": rel(s.internal_file)} for s in self.schools],
                "masked_cells": self.masked_cells, "not_listed": self.not_listed,
                "paid_not_listed": self.paid_not_listed,
                "complaint_phone": self.complaint_phone, "notes": list(self.warnings)}


# --- 公示期 ----------------------------------------------------------------------------------------

def publicity_period(start: date, working_days: int) -> tuple[date, str]:
    """The last day of a 公示 posted on `start` that stays up `working_days` working days.

    The first day counts when it is a working day (a list posted on Monday for five working days
    comes down after Friday). Working days skip weekends and statutory holidays and include the
    weekend days made working days (调休), from the chinese_calendar package. A day outside the
    years the package knows is counted by weekends alone, and the calendar is then "weekends-only".
    """
    return nth_working_day(start, working_days, count_start=True)


# --- masking -------------------------------------------------------------------------------------

def scrub(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace every long digit run (see LONG_NUMBER) in the given text columns by ＊.

    Returns the scrubbed frame and a frame of booleans, True where a cell was masked. One regex pass
    per column over the Arrow array: no Python per cell.
    """
    out = frame.copy()
    hits = pd.DataFrame(False, index=frame.index, columns=columns)
    for col in columns:
        arr = pa.array(frame[col].astype("string[pyarrow]"), type=pa.large_string())
        found = pc.fill_null(pc.match_substring_regex(arr, LONG_NUMBER), False)
        if pc.any(found).as_py():
            hits[col] = found.to_numpy(zero_copy_only=False)
            arr = pc.replace_substring_regex(arr, LONG_NUMBER, MASK)
        out[col] = text_series(arr, frame.index)
    return out, hits


def _guard(texts: dict[str, str], target: Path) -> None:
    """Stop before a public file would carry a number shaped like an ID or a card."""
    for where, text in texts.items():
        if ID_OR_CARD.search(unicodedata.normalize("NFKC", text or "")):
            raise AidctlError(f"{where}中有一串15位以上的数字（像身份证号码或银行卡号），公示名单不能写出；"
                              f"请修改 aidctl.toml 或 rules/publicity.yaml 中相应的文字", file=str(target))


# --- the lists -----------------------------------------------------------------------------------

def publish(ws: Workspace, term: Term, rosters: list[Path] | None = None, *, start: date | None = None,
            displays: list[str] | None = None) -> Publication:
    """Write the term's 公示 lists and internal check lists to out/<term>/公示/, one pair per school."""
    rules = ws.rules
    pub = rules.publicity
    settings = ws.settings
    chosen_rosters = bool(rosters)  # only the rosters named: the ledger's other schools are not compared
    if not rosters:
        rosters = ws.intake(term)
        displays = [ws.display(p) for p in rosters]
    chosen = start is not None
    start = start or date.today()
    until, calendar = publicity_period(start, pub.min_working_days)
    result = Publication(term, start, until, pub.min_working_days, calendar, settings.complaint_phone)
    if not chosen:  # a default the user did not choose: the 公示期 printed on every list
        result.warnings.append(f"未用 --from 指定公示开始日期：按今天（{start:%Y-%m-%d}）起算，公示期至 {until:%Y-%m-%d}；"
                               "名单张贴日不是今天时，请用 --from 指定后重新生成")

    v = validate(list(rosters), ws, term=term, displays=displays, check_ledger=False)
    result.warnings[:0] = ws.unread_notes()   # a roster not read is on no list
    frame = v.roster.frame
    # the records disburse would pay (the ledger aside: a student paid already is listed too): those
    # validation refuses, and those no bank file can carry (a bank no profile serves, a name the
    # bank's encoding lacks)
    plan = plan_validation(v, ws, None)
    listed = np.ones(len(frame), dtype=bool)
    listed[plan.refused["rec"].to_numpy(dtype=np.int64)] = False
    result.not_listed = int((~listed).sum())
    unpayable = plan.refused[[not set(c).isdisjoint(BANK_REFUSALS) for c in plan.refused["codes"]]]
    if len(unpayable):
        result.warnings.append(
            f"{len(unpayable)} 名学生审核无误，但银行文件无法发放（开户银行没有对应的银行格式，或姓名含银行文件不能写入的字符，"
            f"如 {unpayable['file'].iat[0]} 第{int(unpayable['row'].iat[0])}行），没有列入公示名单：原因见 aidctl disburse "
            "--dry-run，更正后重新生成")
    recs = np.flatnonzero(listed)

    shown = list(pub.public_fields)
    tables = v.roster.tables
    table = frame["table"].to_numpy()[recs]
    data, hits = _listed(frame, recs, shown, table, tables, pub.masking.masking())
    result.masked_cells = _masked_report(data, hits, table, tables, rules)
    data["school"], renamed = _registered(ws, data["school"])
    result.warnings += renamed
    result.paid_not_listed = _paid_not_listed(ws, term, data, frame if chosen_rosters else None)
    result.warnings += _paid_not_listed_note(result.paid_not_listed)
    students = _students(data, rules)
    programmes_of = data.groupby("school", sort=False)["programme"].agg(
        lambda s: "、".join(_in_rule_order(s, rules)))  # once a school

    out = ws.out_dir(term)
    phone = settings.complaint_phone or PHONE_NOT_SET
    stems = file_stems(sorted(students["school"].unique()), UNKNOWN_SCHOOL)
    for school, group in students.groupby("school", sort=True):
        group = group.sort_values("order", kind="stable")
        ctx = {"school": school, "term": str(term), "term_label": rules.term_label(term),
               "programmes": programmes_of[school],
               "students": len(group), "from": _day(start), "until": _day(until),
               "working_days": pub.min_working_days, "issuer": settings.publicity_issuer or school,
               "complaint_phone": phone, "date": _day(start)}
        result.schools.append(_write_school(out, term, school, stems[school], group, ctx, shown, pub, calendar))

    result.warnings += _remove_old_lists(out, term, result.schools, ws)
    result.warnings += _warnings(settings.complaint_phone, calendar, start, until, result.masked_cells)
    return result


def _listed(frame: pd.DataFrame, recs: np.ndarray, shown: list[str], table: np.ndarray,
            tables, masking: Masking) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the listed records' public columns scrubbed, with source, ID masked to the rules' widths and
    person; the cells masked)."""
    text_cols = list(dict.fromkeys([*shown, "school", "programme"]))
    data = pd.DataFrame({k: _column(frame, SOURCE_COLUMN.get(k, k)).to_numpy()[recs] for k in text_cols})
    data = data.astype("string[pyarrow]")
    data, hits = scrub(data, text_cols)
    data["school"] = data["school"].fillna(UNKNOWN_SCHOOL)

    data["source_file"] = pd.Series([t.file for t in tables], dtype=object).reindex(table).to_numpy()
    data["source_row"] = frame["excel_row"].to_numpy()[recs].astype("int64")
    person = pd.Series(frame["person"].astype("string").to_numpy()[recs], dtype="string")
    data["id_masked"] = masking.ids(person).fillna("")
    data["person"] = person.fillna("#" + pd.Series(recs).astype(str).astype("string"))  # never NA once listed
    return data, hits


def _write_school(out: Path, term: Term, school: str, base: str, group: pd.DataFrame, ctx: dict, shown: list[str],
                  pub: PublicityFile, calendar: str) -> SchoolList:
    """Write the school's public list and internal check list; returns the SchoolList naming both files."""
    columns = [k for k in shown if k in pub.always_shown or group[k].notna().any()]
    headers = ["序号", *(pub.public_fields[k] for k in columns)]
    footer = [line.format_map(ctx) for line in pub.footer]
    if calendar == CALENDAR_WEEKENDS:
        footer.append(pub.weekends_only_note)
    public_file = out / FOLDER / f"{base}_{term}_受助学生名单公示.xlsx"
    title, period = pub.title.format_map(ctx), pub.period_line.format_map(ctx)
    _guard({"标题": title, "公示期一行": period, "文件名": public_file.name}
           | {f"落款第{i}行": line for i, line in enumerate(footer, 1)}, public_file)
    rows = group[columns]
    masking = pub.masking.masking()
    _write_list(public_file, "公示名单", title, period, headers, rows, footer, masking)

    internal_file = out / INTERNAL_FOLDER / f"{base}_{term}_受助学生内部核对名单.xlsx"
    extra = list(pub.internal_fields)
    _write_list(internal_file, "内部核对名单", pub.internal_title.format_map(ctx), period,
                headers + [pub.internal_fields[k] for k in extra], group[columns + extra],
                [f"内部核对名单：身份证号码只显示前{masking.id_head}位和后{masking.id_tail}位；"
                 "本表供学校和资助中心核对，不得张贴或外传。"], masking)
    return SchoolList(school, len(group), public_file, internal_file)


def _remove_old_lists(out: Path, term: Term, schools: list[SchoolList], ws: Workspace) -> list[str]:
    """The warnings on the lists deleted: those of the term left from last time that were not written
    now, and any internal list standing in the 公示 folder (where earlier versions wrote them)."""
    # a school that had a list last time and has none now must not keep a list that could be posted
    warnings = []
    written = {p for s in schools for p in (s.public_file, s.internal_file)}
    for folder in (out / FOLDER, out / INTERNAL_FOLDER):
        for old in sorted(folder.glob(f"*_{term}_受助学生*.xlsx")) if folder.is_dir() else []:
            if old not in written:
                old.unlink()
                warnings.append(f"已删除上次生成、本次已无受助学生或不应放在此处的名单：{ws.display(old)}")
    return warnings


def _warnings(complaint_phone: str | None, calendar: str, start: date, until: date,
              masked_cells: list[dict]) -> list[str]:
    """The warnings on the lists: no 监督电话 set, a 公示期 counted by weekends alone, cells masked."""
    warnings = []
    if not complaint_phone:
        warnings.append("aidctl.toml 没有设置 complaint_phone（监督电话）：公示名单上已写“" + PHONE_NOT_SET
                        + "”，设置后请重新运行 aidctl publish")
    if calendar == CALENDAR_WEEKENDS:
        warnings.append(f"{start}起的公示期超出节假日数据的年份，只按周末推算到 {until}；"
                        "请按当年节假日安排核对（升级 chinesecalendar 包可获得新年份）")
    if masked_cells:
        warnings.append(f"{len(masked_cells)} 个单元格含有一长串数字（疑似身份证号、卡号或电话），"
                        "已在名单中用＊遮盖：请学校更正花名册中这些单元格")
    return warnings


def _registered(ws: Workspace, written: pd.Series) -> tuple[pd.Series, list[str]]:
    """Each school as it is listed: the name schools.xlsx registers for it (by name or 别名), else the
    name written; names that fold alike (spaces, full-width forms) under the first one written. With
    the notes naming each name taken for another (one per distinct name: few)."""
    from aidctl.read import registered_schools

    names = pd.Series(written.dropna().unique(), dtype="string")
    if names.empty:
        return written, []
    resolved = registered_schools(ws, names)["school"].astype("string").fillna(names)
    folded = resolved.map(fold_one)
    first = pd.Series(resolved.to_numpy(), index=folded.to_numpy()).groupby(level=0, sort=False).first()
    listed = pd.Series(folded.map(first).to_numpy(), index=names.to_numpy(), dtype="string")
    taken = names[(names != listed.to_numpy()).to_numpy()]
    notes = [f"花名册中的学校名称“{n}”按 schools.xlsx（学校名称或别名）或去除空格、全角后，列入“{listed[n]}”的公示名单"
             for n in taken.head(10)]
    if len(taken) > 10:
        notes.append(f"另有 {len(taken) - 10} 个学校名称同样列入已登记的学校名称下")
    out = written.map(listed).astype("string")
    return out.where(written.notna(), written).astype("string[pyarrow]"), notes


def _paid_not_listed(ws: Workspace, term: Term, data: pd.DataFrame, frame: pd.DataFrame | None) -> list[dict]:
    """The ledger's payments of the term the bank has not returned whose student and programme is on no
    list: school, name, programme, status, batch, roster file and row (never the ID). `frame` given
    (the rosters named on the command line): only the payments of the schools those rosters hold."""
    if not ws.has_ledger():
        return []
    from sqlalchemy import select

    from aidctl.ledger import Ledger, payments
    from aidctl.report.term import GROUP_OF_STATUS

    returned = [s for s, g in GROUP_OF_STATUS.items() if g == "failed"]  # no money went out
    columns = ["person", "name", "school", "programme", "status", "batch_id", "source_file", "source_row"]
    ledger = Ledger(ws.ledger_url())
    with ledger.connect() as conn:
        rows = conn.execute(select(*(payments.c[c] for c in columns)).where(
            payments.c.term == str(term), payments.c.status.notin_(returned)).order_by(payments.c.id)).all()
    if not rows:
        return []
    paid = pd.DataFrame(list(map(tuple, rows)), columns=columns).astype(object)
    listed = pd.MultiIndex.from_arrays([data["person"].astype(object), data["programme"].astype(object)])
    gone = paid[~pd.MultiIndex.from_frame(paid[["person", "programme"]]).isin(listed)]
    if frame is not None and len(gone):
        school = gone["school"].astype("string")
        resolved, _ = _registered(ws, school)
        mine, _ = _registered(ws, frame["school"].astype("string"))
        keep = resolved.map(fold_one).isin(set(mine.dropna().map(fold_one)))
        gone = gone[keep.to_numpy(dtype=bool)]
    if gone.empty:
        return []
    gone = gone.assign(school=_registered(ws, gone["school"].astype("string"))[0].astype(object))
    gone = gone.sort_values(["school", "source_file", "source_row"], kind="stable", na_position="last")
    school = gone["school"]
    return [{"school": s if isinstance(s, str) else UNKNOWN_SCHOOL, "name": n, "programme": p, "status": st,
             "batch": b, "file": f, "row": None if r is None else int(r)}
            for s, n, p, st, b, f, r in zip(school.astype(object).where(school.notna(), None), gone["name"],
                                            gone["programme"], gone["status"], gone["batch_id"],
                                            gone["source_file"], gone["source_row"])]


def _paid_not_listed_note(gone: list[dict]) -> list[str]:
    if not gone:
        return []
    shown = "、".join(f"{g['school']} {g['name']}（{g['programme']}，批次 {g['batch']}"
                     + (f"，{g['file']} 第{g['row']}行" if g["file"] else "") + "）" for g in gone[:10])
    students = len({(g["school"], g["name"]) for g in gone})
    return [f"账本中本学期已发放或正在发放的 {len(gone)} 笔付款（{students} 名学生）不在本次公示名单中：{shown}"
            f"{'等' if len(gone) > 10 else ''}。这些学生的花名册记录本次未通过审核或已不在花名册中，"
            "已发放的学生没有公示：请用 aidctl validate 核对花名册，更正后重新生成公示名单"]


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame.columns:
        return frame[key].astype("string[pyarrow]")
    return pd.Series(pd.NA, index=frame.index, dtype="string[pyarrow]")


def _students(data: pd.DataFrame, rules) -> pd.DataFrame:
    """One row a student and school, in roster order; a student's programmes joined with 、 in the
    order of programmes.yaml."""
    data = data.assign(order=np.arange(len(data)))
    twice = data.duplicated(["school", "person"], keep=False).to_numpy()
    if not twice.any():
        return data
    joined = (data[twice].groupby(["school", "person"], sort=False)["programme"]
              .agg(lambda s: "、".join(_in_rule_order(s, rules))))  # the few students with two programmes
    first = data[~data.duplicated(["school", "person"], keep="first")].copy()
    keys = pd.MultiIndex.from_frame(first[["school", "person"]])
    first["programme"] = pd.Series(joined.reindex(keys).to_numpy(), index=first.index, dtype="string") \
        .fillna(first["programme"])
    return first


def _in_rule_order(programmes: pd.Series, rules) -> list[str]:
    order = {name: i for i, name in enumerate(rules.programmes.programmes)}
    return sorted(programmes.dropna().unique(), key=lambda p: (order.get(p, len(order)), p))


def _masked_report(data: pd.DataFrame, hits: pd.DataFrame, table: np.ndarray, tables, rules) -> list[dict]:
    titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
    report = []
    for col in hits.columns:
        for i in np.flatnonzero(hits[col].to_numpy()):  # the cells masked: few
            spec = tables[int(table[i])].columns.get(col)  # the roster's own header for that column
            report.append({"school": str(data["school"].iat[i]), "file": data["source_file"].iat[i],
                           "row": int(data["source_row"].iat[i]),
                           "column": spec.header if spec else titles.get(col, col)})
    report.sort(key=lambda r: (r["school"], r["file"], r["row"], r["column"]))
    return report


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _width(values: pd.Series, header: str) -> float:
    """A column width in Excel units for mostly-Chinese text (a CJK character is two units)."""
    lengths = values.astype("string").str.len()
    longest = int(lengths.max()) if lengths.notna().any() else 0
    return min(max(longest, len(header)) * 2 + 2, 40)


def _write_list(target: Path, sheet_name: str, title: str, period: str, headers: list[str],
                rows: pd.DataFrame, footer: list[str], masking) -> Path:
    """A list that prints: title merged across, the 公示期 line, headings repeated on every page,
    landscape A4 fitted to the page width, the footer lines below the table."""
    ncols = len(headers)
    with atomic_path(target) as tmp:
        wb = Book(tmp, masking, title=title)
        title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                                   "text_wrap": True})
        line_fmt = wb.add_format({"font_size": 11, "align": "left", "valign": "vcenter", "text_wrap": True})
        head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                  "bg_color": "#F2F2F2", "text_wrap": True})
        head_fmt.aidctl_head = True
        cell_fmt = wb.add_format({"border": 1, "align": "center", "valign": "vcenter", "num_format": "@"})
        seq_fmt = wb.add_format({"border": 1, "align": "center", "valign": "vcenter"})
        right_fmt = wb.add_format({"font_size": 11, "align": "right", "valign": "vcenter"})
        sheet = wb.add_worksheet(sheet_name)

        sheet.set_column(0, 0, 6)
        for j, col in enumerate(rows.columns, start=1):
            sheet.set_column(j, j, _width(rows[col], headers[j]))
        last = max(ncols - 1, 1)
        sheet.set_row(0, 36)
        sheet.merge_range(0, 0, 0, last, title, title_fmt)
        sheet.set_row(1, 22)
        sheet.merge_range(1, 0, 1, last, period, line_fmt)
        for j, h in enumerate(headers):
            sheet.write_string(2, j, h, head_fmt)
        values = rows.astype(object).where(rows.notna(), None).itertuples(index=False, name=None)
        r = 2
        for r, row in enumerate(values, start=3):
            sheet.write_number(r, 0, r - 2, seq_fmt)
            for j, value in enumerate(row, start=1):
                if value is None:
                    sheet.write_blank(r, j, None, cell_fmt)
                elif isinstance(value, (int, np.integer)):  # the roster row on the internal list
                    sheet.write_number(r, j, int(value), seq_fmt)
                else:
                    sheet.write_string(r, j, str(value), cell_fmt)
        r += 2
        for i, line in enumerate(footer):
            fmt = line_fmt if i == 0 or len(line) > 30 else right_fmt
            sheet.set_row(r, 48 if "盖章" in line else 30 if fmt is line_fmt else 20)  # room for the stamp
            sheet.merge_range(r, 0, r, last, line, fmt)
            r += 1

        sheet.freeze_panes(3, 0)
        sheet.repeat_rows(2)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.center_horizontally()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.set_footer("&C第 &P 页，共 &N 页")
        sheet.print_area(0, 0, max(r - 1, 2), last)
        wb.close()
    return target
