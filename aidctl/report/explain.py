"""explain: one student of a term, every decision made about them, and where each came from.

The student is found among the term's rosters and the ledger: by resident ID (a masked one such as
420113********8173 where it matches one student only), by name where it names one student, or by a
roster file and its Excel row. Nothing is decided here: the rosters go through validate and the
payment plan as disburse --dry-run runs them (the ledger read, never written), and this module reads
what they decided (the findings, the decision record of check.eligibility, the plan) for the few
records of the student, and the ledger's history of their payments. It only assembles the text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.check import describe_decision, validate
from aidctl.core import identity
from aidctl.core.errors import UsageError
from aidctl.core.findings import CATALOGUE, ERROR, WARNING
from aidctl.core.masking import Masking
from aidctl.core.money import yuan_text_or_none
from aidctl.core.terms import Term
from aidctl.core.text import column_letters, fold_one, text_or_none
from aidctl.pay import Plan, foreseen_notes, plan_validation
from aidctl.read import Workspace, open_sheets, shown

# Every check a roster record goes through: (key, title, the field it reads, its codes). A check whose
# field the record's table lacks was not run on it; tests hold every roster code to one check here.
CHECKS = [
    ("file", "表格与学期", None, ["schema.missing_column", "schema.ambiguous_column", "schema.unknown_unit", "term.mismatch",
                               "cell.formula_uncalculated", "cell.error_value", "cell.struck_out", "cell.invisible"]),
    ("name", "姓名", "name", ["name.missing", "name.invalid"]),
    ("id", "身份证号码", "id_number", ["id.missing", "id.format", "id.legacy", "id.checksum", "id.birthdate",
                                   "id.precision_lost"]),
    ("gender", "性别与身份证号码", "gender", ["gender.mismatch", "gender.unread"]),
    ("birth", "出生日期与身份证号码", "date_of_birth", ["birthdate.mismatch"]),
    ("age", "开学时年龄", "id_number", ["age.out_of_range"]),
    ("card", "银行卡号", "card", ["card.missing", "card.format", "card.precision_lost", "card.luhn", "card.shared"]),
    ("status", "学籍状态", "status", ["status.not_enrolled"]),
    ("remarks", "备注", "remarks", ["remark.withdrawn", "remark.unsettled", "remark.unread"]),
    ("pay", "是否发放", "pay", ["pay.declined"]),
    ("listed", "工作表名与表中说明", None, ["sheet.withdrawn", "section.withdrawn", "note.colour"]),
    ("grade", "年级", "grade", ["grade.ambiguous"]),
    ("eligibility", "资助项目与资格条件", "programme", ["eligibility.unknown_program", "eligibility.not_eligible"]),
    ("amount", "资助金额", "amount", ["amount.invalid", "amount.mismatch", "amount.merged", "amount.outlier", "amount.blank",
                                        "total.mismatch",
                                        "cell.number_format"]),
    ("duplicate", "重复申报", "id_number", ["id.duplicate", "roster.two_versions"]),
    ("registry", "学籍库核对", None, ["registry.not_found", "registry.mismatch"]),
    ("ledger", "本学期发放账本", None, ["ledger.already_paid"]),
    ("bank", "银行报盘", None, ["bank.unknown", "bank.unwritable"]),
]
NEEDS_VALID_ID = {"gender", "birth", "age"}   # compared with the ID: not run where the ID is not valid
# a check that compares a cell: not run where the cell is blank, or where it could not be read (the
# code that says so; its finding is listed, the verdict is 未检查, never 通过)
COMPARES = {"gender": ("性别", "与身份证号码比对", "gender.unread"),
            "birth": ("出生日期", "与身份证号码比对", None),
            "grade": ("年级", "读出学年", None)}
NORMALISED = {"gender": "v_gender", "household": "v_household", "difficulty": "v_difficulty",
              "agricultural": "v_agricultural", "school_type": "v_school_type", "ownership": "v_ownership",
              "county": "v_county", "programme": "programme_name"}
STATUS_VALUES = {"enrolled": "在籍", "not_enrolled": "不在籍"}
SCHOOL_FACTS = [("v_school_type", "学校类型"), ("v_county", "所属县区"), ("v_ownership", "办学性质")]
NEAREST = 5


@dataclass
class Explanation:
    """What explain found and shows; `verdict` is paid, payable, refused or failed."""

    term: Term
    query: dict
    found_by: str
    student: dict
    records: list[dict]
    ledger: list[dict]
    related: dict
    verdict: str
    notes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.verdict in ("refused", "failed")

    def to_json(self) -> dict:
        return {"version": 1, "term": str(self.term), "query": self.query, "found_by": self.found_by,
                "student": self.student, "verdict": self.verdict, "records": self.records, "ledger": self.ledger,
                "related": self.related, "notes": list(self.notes)}


def explain_student(ws: Workspace, term: Term, student: str | None = None, *, file: Path | None = None,
                    row: int | None = None, sheet: str | None = None, rosters: list[Path] | None = None,
                    registry: Path | None = None, db: str | None = None) -> Explanation:
    """Find the student (see the module docstring) and explain every decision about them."""
    if (student is None) == (file is None):
        raise UsageError("请指定一名学生：身份证号码（可脱敏，如 420113********8173）或姓名；"
                         "或用 --file 和 --row 指定花名册文件及行号")
    if file is not None and row is None:
        raise UsageError("用 --file 指定花名册时还需要 --row（Excel 显示的行号）")
    notes: list[str] = []
    paths, displays = _rosters(ws, term, rosters, file, notes)
    ledger = _ledger(ws, db)
    if ledger is not None:   # a batch the real run would complete first, or could not: its students show as pending
        notes += foreseen_notes(ws, ledger, term)
    plan = None
    if paths:
        v = validate(paths, ws, term=term, displays=displays, check_ledger=False, registry=registry)
        plan = plan_validation(v, ws, ledger)
        notes.extend(v.notes)
    query = {"student": student, "file": shown(file) if file else None, "sheet": sheet, "row": row}
    if file is not None:
        recs, found_by = _by_place(plan, file, row, sheet), "file_row"
        persons = _persons_of(plan, recs)
    else:
        persons, found_by, recs = _by_query(plan, ledger, term, student, ws.rules.publicity.masking.masking())
        recs = recs if recs is not None else _records_of(plan, persons)
    history = _history(ledger, term, persons) if ledger is not None and persons else []
    records = [_record(plan, ws.rules, rec, registry is not None, ledger is not None) for rec in recs]
    related = _related(plan, recs, persons)
    f = plan.validation.roster.frame if plan is not None else None
    name = next((text_or_none(f["name"].iloc[r]) for r in recs if text_or_none(f["name"].iloc[r])), None) \
        if f is not None else None
    if name is None and history:
        name = history[0]["name"]
    id_number = persons[0] if persons else (text_or_none(f["id_number"].iloc[recs[0]]) if recs else None)
    return Explanation(term, query, found_by, {"id_number": id_number, "name": name}, records, history, related,
                       _verdict(records, history), notes)


def _rosters(ws: Workspace, term: Term, given: list[Path] | None, file: Path | None,
             notes: list[str]) -> tuple[list[Path], list[str]]:
    """The rosters read: those given, else the term's intake folder; the file named by --file is
    read with them when it is not among them. No roster at all leaves the ledger to search."""
    if given:
        paths, displays = ws.inputs(given, Path("intake") / str(term), "")
    else:
        paths = ws.spreadsheets(Path("intake") / str(term))
        displays = [ws.display(p) for p in paths]
    if file is not None and not any(_same_file(file, p) for p in paths):
        paths, displays = [*paths, file], [*displays, shown(file)]
        if given or paths[:-1]:
            notes.append(f"{shown(file)} 不在本学期的花名册中，已与它们一起审核")
    if not paths:
        notes.append(f"intake/{term}/ 下没有花名册：只在账本中查找")
    return paths, displays


def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve() or Path(a).samefile(b)
    except OSError:
        return False


def _ledger(ws: Workspace, db: str | None):
    if not (db or ws.has_ledger()):
        return None
    from aidctl.ledger import Ledger

    return Ledger(ws.ledger_url(db))


# --- finding the student ---------------------------------------------------------------------------

def _place(plan: Plan, rec: int) -> str:
    f = plan.validation.roster.frame
    t = plan.validation.roster.tables[int(f["table"].iloc[rec])]
    return t.place(int(f["excel_row"].iloc[rec]))


def _by_place(plan: Plan | None, file: Path, row: int, sheet: str | None) -> list[int]:
    """The record on that Excel row of that file (and sheet)."""
    f = plan.validation.roster.frame
    tables = [i for i, t in enumerate(plan.validation.roster.tables)
              if _same_file(file, t.path) and (sheet is None or t.sheet == sheet)]
    if not tables:
        where = f"工作表“{sheet}”" if sheet else "任何工作表"
        raise UsageError(f"{where}中没有找到花名册（表头）：请核对文件和 --sheet", file=shown(file))
    hit = np.flatnonzero(f["table"].isin(tables).to_numpy() & (f["excel_row"].to_numpy() == row))
    if len(hit) == 0:
        raise UsageError(f"第{row}行不是花名册中的学生记录（可能是表头、标题、合计、签字、说明或空行）："
                         "请核对 Excel 显示的行号", file=shown(file))
    if len(hit) > 1:
        sheets = "、".join(f"“{plan.validation.roster.tables[int(f['table'].iloc[r])].sheet}”" for r in hit)
        raise UsageError(f"工作表 {sheets} 的第{row}行都是学生记录：请用 --sheet 指定工作表", file=shown(file))
    return [int(hit[0])]


def _persons_of(plan: Plan, recs: list[int]) -> list[str]:
    person = plan.validation.roster.frame["person"]
    return list(dict.fromkeys(p for p in (text_or_none(person.iloc[r]) for r in recs) if p))


def _records_of(plan: Plan | None, persons: list[str]) -> list[int]:
    """Every record of the term's rosters that stands for one of `persons`: by the person, or by the
    ID as written where it could not be read as a person (digits lost)."""
    if plan is None or not persons:
        return []
    f = plan.validation.roster.frame
    hit = f["person"].isin(persons).to_numpy() | (f["person"].isna() & f["id_number"].isin(persons)).to_numpy()
    return [int(r) for r in np.flatnonzero(hit)]


def _clean(text: str) -> str:
    folded = fold_one(text).upper()
    cleaned = identity.clean_id(pd.Series([folded], dtype="string")).iloc[0]
    return folded if pd.isna(cleaned) else str(cleaned)


def _ledger_people(ledger, term: Term) -> pd.DataFrame:
    if ledger is None:
        return pd.DataFrame(columns=["person", "name"])
    from sqlalchemy import select

    from aidctl.ledger import fetch_frame, payments

    with ledger.connect() as conn:
        return fetch_frame(conn, select(payments.c.person, payments.c.name).where(payments.c.term == str(term))
                           .distinct(), ["person", "name"])


def _by_query(plan: Plan | None, ledger, term: Term, query: str,
              masking: Masking) -> tuple[list[str], str, list[int] | None]:
    """The person a query names: an ID (15 or 18 characters; masked with * where it matches one
    student only), else a name that one student bears; and the records, when the name is that of a
    roster record without any ID (no person to find them by). UsageError (exit 2) when none or
    several, the IDs it lists masked to the workspace's widths: a record without an ID is a student
    of its own for a name query."""
    f = plan.validation.roster.frame if plan is not None else pd.DataFrame(columns=["person", "id_number", "name"])
    known = pd.concat([
        pd.DataFrame({"person": f["person"].astype(object).fillna(f["id_number"].astype(object)),
                      "name": f["name"].astype(object)}),
        _ledger_people(ledger, term)], ignore_index=True)
    known = known[known["person"].notna()].drop_duplicates()
    q = _clean(query)
    if "*" in q:
        head, tail = q[:q.index("*")], q[q.rindex("*") + 1:]
        ids = known["person"].astype(str)
        hit = known[(ids.str.len() == len(q)) & ids.str.startswith(head) & ids.str.endswith(tail)]
        return (*_one(hit, query, "身份证号码", known, "masked_id", True, masking), None)
    if any(ch.isdigit() for ch in q):
        wanted = {q}
        if len(q) == 15 and q.isdigit():
            wanted.add(str(identity.upgrade_15(pd.Series([q], dtype="string")).iloc[0]))
        hit = known[known["person"].isin(wanted)]
        return (*_one(hit, query, "身份证号码", known, "id", True, masking), None)
    hit = known[known["name"].map(fold_one) == fold_one(query)]
    no_id = _named_without_id(f, query)
    if len(no_id) and len(hit) + len(no_id) > 1:
        names = hit.drop_duplicates("person").set_index("person")["name"]
        listed = [f"{masking.id(p)} {names.get(p) or query}" for p in names.index] \
            + [f"{_place(plan, r)}（没有身份证号码）" for r in no_id]
        raise UsageError(f"姓名“{query}”对应多名学生：{'；'.join(listed[:10])}"
                         f"{f' 等 {len(listed)} 名' if len(listed) > 10 else ''}：请输入完整的身份证号码，"
                         "或用 --file 和 --row 指定花名册中的行")
    if len(no_id):
        return [], "name", [int(no_id[0])]
    return (*_one(hit, query, "姓名", known, "name", False, masking), None)


def _named_without_id(f: pd.DataFrame, query: str) -> np.ndarray:
    """The roster records bearing the name whose ID cell is blank: each is a student no ID tells apart."""
    if f.empty:
        return np.array([], dtype="int64")
    bare = (f["person"].isna() & f["id_number"].isna()).to_numpy()
    if not bare.any():
        return np.array([], dtype="int64")
    return np.flatnonzero(bare & (f["name"].astype(object).map(fold_one) == fold_one(query)).to_numpy())


def _one(hit: pd.DataFrame, query: str, what: str, known: pd.DataFrame, found_by: str,
         by_id: bool, masking: Masking) -> tuple[list[str], str]:
    people = list(dict.fromkeys(hit["person"]))
    if len(people) == 1:
        return people, found_by
    if len(people) > 1:
        names = hit.drop_duplicates("person").set_index("person")["name"]
        listed = "；".join(f"{masking.id(p)} {names.get(p) or '（无姓名）'}" for p in people[:10])
        more = f" 等 {len(people)} 名" if len(people) > 10 else ""
        raise UsageError(f"{what}“{query}”对应多名学生：{listed}{more}：请输入完整的身份证号码，"
                         "或用 --file 和 --row 指定花名册中的行")
    pool = known["person"].astype(str).tolist() if by_id else list(known["name"].dropna().astype(str))
    close = difflib.get_close_matches(_clean(query) if by_id else fold_one(query), list(dict.fromkeys(pool)),
                                      n=NEAREST, cutoff=0.6)
    if by_id:
        names = known.drop_duplicates("person").set_index("person")["name"]
        nearest = "；".join(f"{masking.id(p)} {names.get(p) or '（无姓名）'}" for p in close)
    else:
        ids = known.drop_duplicates("name").set_index("name")["person"]
        nearest = "；".join(f"{n}（{masking.id(str(ids.get(n)))}）" for n in close)
    raise UsageError(f"本学期的花名册和账本中没有{what}为“{query}”的学生"
                     + (f"；相近的有：{nearest}" if nearest else "；也没有相近的") + "。请核对后重试")


# --- one record --------------------------------------------------------------------------------------

def _record(plan: Plan, rules, rec: int, with_registry: bool, with_ledger: bool) -> dict:
    v = plan.validation
    f = v.roster.frame
    table = v.roster.tables[int(f["table"].iloc[rec])]
    row = int(f["excel_row"].iloc[rec])
    return {"file": table.file, "sheet": table.sheet, "row": row, "school": text_or_none(f["school"].iloc[rec]),
            "programme": text_or_none(f["programme_name"].iloc[rec]) or text_or_none(f["programme"].iloc[rec]),
            "cells": _cells(v, rules, rec, table, row),
            "checks": _checks(plan, rec, table, with_registry, with_ledger),
            "decision": describe_decision(v.decisions, v.roster, rules, rec),
            "outcome": _outcome(plan, rec)}


def _raw_cells(table, row: int) -> dict[int, str | None]:
    """The cells of the record's row as the reader saw them (merged ranges filled), by column index."""
    for sheet in open_sheets(table.path, table.file):
        if sheet.name == table.sheet and row in sheet.grid.index:
            return {int(c): text_or_none(v) for c, v in sheet.grid.loc[row].items()}
    return {}


def _cells(v, rules, rec: int, table, row: int) -> list[dict]:
    """Where each value was read: the header as written, the column, the cell, the value read
    (folded) and the value the checks compare (normalised)."""
    f = v.roster.frame
    titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
    raw = _raw_cells(table, row)
    out = []
    for key, match in sorted(table.columns.items(), key=lambda kv: kv[1].index):
        out.append({"field": key, "title": titles.get(key, key), "column": match.header,
                    "letter": column_letters(match.index), "cell": raw.get(match.index),
                    "value": text_or_none(f[key].iloc[rec]) if key in f.columns else None,
                    "normalised": _normalised(f, rec, key), "note": _cell_note(f, rec, key, match)})
    for key in ("programme", "school"):   # taken from the title or 填报单位 line when no column holds it
        if key not in table.columns and text_or_none(f[key].iloc[rec]):
            out.append({"field": key, "title": titles.get(key, key), "column": None, "letter": None, "cell": None,
                        "value": text_or_none(f[key].iloc[rec]), "normalised": _normalised(f, rec, key),
                        "note": "表中没有该列，取自表头上方的标题或填报单位行"})
    for column, title in SCHOOL_FACTS:
        if not any(c["field"] == column[2:] for c in out):
            out.append({"field": column[2:], "title": title, "column": None, "letter": None, "cell": None,
                        "value": None, "normalised": text_or_none(f[column].iloc[rec]),
                        "note": "按 schools.xlsx（学校名单）、花名册或学校名称确定"})
    return out


def _normalised(f: pd.DataFrame, rec: int, key: str) -> str | None:
    if key == "id_number":
        return text_or_none(f["id18"].iloc[rec]) if bool(f["id_valid"].iloc[rec]) else None
    if key == "card":
        return text_or_none(f["card"].iloc[rec])
    if key == "status":
        status = text_or_none(f["v_status"].iloc[rec])
        return STATUS_VALUES.get(status, status) if status else None
    if key == "grade":
        grade = f["v_grade"].iloc[rec]
        return None if pd.isna(grade) else f"第{int(grade)}学年"
    if key == "amount":
        fen = f["amount_fen"].iloc[rec]
        return None if pd.isna(fen) or not bool(f["amount_ok"].iloc[rec]) else f"{yuan_text_or_none(fen)} 元"
    if key in NORMALISED:
        return text_or_none(f[NORMALISED[key]].iloc[rec])
    return text_or_none(f[key].iloc[rec]) if key in f.columns else None


def _cell_note(f: pd.DataFrame, rec: int, key: str, match) -> str | None:
    if key == "id_number":
        if bool(f["id_digits_lost"].iloc[rec]):
            return "以数字格式保存，末位已丢失"
        if bool(f["id_legacy"].iloc[rec]):
            return "15位旧号码，已按国标升为18位"
    if key == "card" and bool(f["card_digits_lost"].iloc[rec]):
        return "以数字格式保存，末位已丢失"
    if key == "amount" and match.unit != 1:
        return f"按表头的单位换算（× {match.unit}）"
    if key in ("grade", "household", "difficulty", "status", "gender", "agricultural", "pay"):
        return "按 rules/vocabulary.yaml 的写法换算" if key != "grade" else "按 rules/vocabulary.yaml 的年级写法或入学年级换算"
    if match.hidden:
        return "该列已隐藏（仍读取）"
    return None


def _checks(plan: Plan, rec: int, table, with_registry: bool, with_ledger: bool) -> list[dict]:
    """Every check of the record and its verdict: error or warning with the findings, passed, or
    not run (and why)."""
    v = plan.validation
    f = v.roster.frame
    table_index = int(f["table"].iloc[rec])
    found = v.findings[(v.findings["rec"] == rec)
                       | ((v.findings["rec"] < 0) & (v.findings["table"] == table_index))]
    out = []
    for key, title, column, codes in CHECKS:
        mine = found[found["code"].isin(codes)]
        items = [{"code": c, "severity": s, "message": m}
                 for c, s, m in mine[["code", "severity", "message"]].itertuples(index=False, name=None)]
        verdict, detail = _verdict_of(items)
        if verdict == "passed":
            verdict, detail = _not_run(key, column, f, rec, table, with_registry, with_ledger) or (verdict, detail)
        if key in COMPARES and column in table.columns and (verdict == "passed" or items):
            verdict, detail = _not_compared(key, column, items, f, rec) or (verdict, detail)
        if key == "bank" or (key == "ledger" and with_ledger):
            verdict, detail, items = _from_plan(key, plan, rec, items)
        out.append({"check": key, "title": title, "verdict": verdict, "detail": detail, "findings": items})
    return out


def _verdict_of(items: list[dict]) -> tuple[str, str | None]:
    if any(i["severity"] == ERROR for i in items):
        return "error", None
    if any(i["severity"] == WARNING for i in items):
        return "warning", None
    return "passed", None


def _not_run(key: str, column: str | None, f: pd.DataFrame, rec: int, table, with_registry: bool,
             with_ledger: bool) -> tuple[str, str] | None:
    if key == "registry" and not with_registry:
        return "not_checked", "未指定 --registry（学籍系统导出），没有核对"
    if key == "ledger" and not with_ledger:
        return "passed", "工作目录还没有发放账本：本学期没有付款"
    if column is not None and column not in table.columns and not (key == "eligibility" and text_or_none(f[column].iloc[rec])):
        return "not_checked", "表中没有该列"
    if key in NEEDS_VALID_ID and not bool(f["id_valid"].iloc[rec]):
        return "not_checked", "身份证号码无效，无法比对"
    if key == "duplicate" and pd.isna(f["person"].iloc[rec]):
        return "not_checked", "身份证号码末位已丢失，无法查重"
    return None


def _not_compared(key: str, column: str, items: list[dict], f: pd.DataFrame, rec: int) -> tuple[str, str] | None:
    """未检查 for a check of COMPARES whose cell is blank or was not read; for the grade, the year of
    study read (or that none was)."""
    title, compare, unread = COMPARES[key]
    codes = {i["code"] for i in items}
    written = text_or_none(f[column].iloc[rec])
    if unread is not None and codes == {unread}:
        return "not_checked", f"{title}“{written}”无法识别（rules/vocabulary.yaml），没有{compare}"
    if codes:
        return None
    if written is None:
        return "not_checked", f"{title}为空，没有{compare}"
    if key == "grade":
        grade = f["v_grade"].iloc[rec]
        if pd.isna(grade):
            return "not_checked", (f"年级“{written}”不是 rules/vocabulary.yaml 的年级写法，读不出学年"
                                   "（按年级的资格条件按不符合处理）")
        return "passed", f"读作第{int(grade)}学年"
    return None


def _from_plan(key: str, plan: Plan, rec: int, items: list[dict]) -> tuple[str, str | None, list[dict]]:
    """The ledger and bank checks are the plan's: what the ledger holds, which bank file would carry it."""
    if key == "ledger":
        already = plan.already[plan.already["rec"] == rec]
        if len(already):
            a = already.iloc[0]
            return "info", f"账本中已有本学期该项目的付款（批次 {a['batch']}，状态 {a['status']}）：不再发放", items
        failed = plan.failed_unchanged[plan.failed_unchanged["rec"] == rec]
        if len(failed):
            x = failed.iloc[0]
            return "error", f"银行退回（{x['failure_reason']}），花名册上的卡号未更正：不重发", items
        reissue = plan.pay.loc[plan.pay["rec"] == rec, "payment_id"]
        if len(reissue) and pd.notna(reissue.iloc[0]):
            return "info", f"此前的付款被银行退回，卡号已更正：将重发（付款 {int(reissue.iloc[0])}）", items
        return "passed", "账本中没有本学期该项目的付款", items
    codes = plan.refused.loc[plan.refused["rec"] == rec, "codes"]
    bank = [c for c in (codes.iloc[0] if len(codes) else []) if c.startswith("bank.")]
    if bank:
        return "error", None, items + [{"code": c, "severity": ERROR, "message": CATALOGUE[c].title} for c in bank]
    profile = plan.pay.loc[plan.pay["rec"] == rec, "bank_profile"]
    if len(profile):
        return "passed", f"银行报盘格式 {profile.iloc[0]}", items
    if (plan.school_funded["rec"] == rec).any():
        return "not_checked", "资金拨付学校，不进学生银行文件", items
    return "not_checked", "记录不予发放或已发放，不排入报盘", items


def _outcome(plan: Plan, rec: int) -> dict:
    """What disburse would do with the record now."""
    amount = yuan_text_or_none(plan.validation.decisions.frame["amount_fen"].iloc[rec])
    pay = plan.pay[plan.pay["rec"] == rec]
    if len(pay):
        p = pay.iloc[0]
        reissue = pd.notna(p["payment_id"])
        return {"status": "reissue" if reissue else "payable", "amount": yuan_text_or_none(p["amount_fen"]),
                "bank_profile": p["bank_profile"], "codes": []}
    if (plan.school_funded["rec"] == rec).any():
        return {"status": "school_funded", "amount": amount, "bank_profile": None, "codes": []}
    already = plan.already[plan.already["rec"] == rec]
    if len(already):
        return {"status": "already_paid", "amount": None, "bank_profile": None, "codes": [],
                "batch": already.iloc[0]["batch"], "ledger_status": already.iloc[0]["status"]}
    failed = plan.failed_unchanged[plan.failed_unchanged["rec"] == rec]
    if len(failed):
        return {"status": "failed_unchanged", "amount": None, "bank_profile": None, "codes": [],
                "reason": failed.iloc[0]["failure_reason"]}
    refused = plan.refused[plan.refused["rec"] == rec]
    return {"status": "refused", "amount": None, "bank_profile": None,
            "codes": list(refused.iloc[0]["codes"]) if len(refused) else []}


# --- the ledger, the other rows, the verdict ----------------------------------------------------------

def _history(ledger, term: Term, persons: list[str]) -> list[dict]:
    """The student's payments of the term, each with its attempts (batch, 序号, card, status, reason)."""
    from sqlalchemy import select

    from aidctl.ledger import attempts, batches, payments

    with ledger.connect() as conn:
        rows = conn.execute(select(payments).where(payments.c.term == str(term), payments.c.person.in_(persons))
                            .order_by(payments.c.programme, payments.c.id)).mappings().all()
        out = []
        for p in rows:
            tries = conn.execute(
                select(attempts, batches.c.created_at.label("batch_created"), batches.c.operator,
                       batches.c.status.label("batch_status"))
                .join(batches, batches.c.id == attempts.c.batch_id)
                .where(attempts.c.payment_id == p["id"]).order_by(attempts.c.id)).mappings().all()
            out.append({
                "payment_id": p["id"], "programme": p["programme"], "name": p["name"], "person": p["person"],
                "school": p["school"], "status": p["status"], "amount": yuan_text_or_none(p["amount_fen"]),
                "card": p["card"], "bank_profile": p["bank_profile"], "batch": p["batch_id"],
                "file": p["source_file"], "row": p["source_row"], "failure_reason": p["failure_reason"],
                "updated_at": p["updated_at"], "reissued": len(tries) > 1 or p["status"] == "reissued",
                "attempts": [{"batch": t["batch_id"], "batch_created": t["batch_created"], "operator": t["operator"],
                              "seq": t["file_seq"], "card": t["card"], "amount": yuan_text_or_none(t["amount_fen"]),
                              "status": t["status"], "reason": t["reason"], "created_at": t["created_at"],
                              "settled_at": t["settled_at"]} for t in tries]})
    return out


def _related(plan: Plan | None, recs: list[int], persons: list[str]) -> dict:
    """The rows the student's records share an ID (id.duplicate) or a card (card.shared) with."""
    if plan is None or not recs:
        return {"duplicates": [], "shared_cards": []}
    v = plan.validation
    f = v.roster.frame
    flagged = v.findings[v.findings["rec"].isin(recs)]
    duplicates = []
    if (flagged["code"] == "id.duplicate").any():
        duplicates = [{"file": r["file"], "sheet": r["sheet"], "row": r["row"], "school": r["school"],
                       "programme": r["programme"], "name": text_or_none(f["name"].iloc[rec])}
                      for rec, r in ((rec, _where(v, rec)) for rec in recs)]
    shared = []
    for rec in sorted(set(flagged.loc[flagged["code"] == "card.shared", "rec"].astype(int))):
        card = f["card"].iloc[rec]
        others = np.flatnonzero((f["card"] == card).fillna(False).to_numpy() & ~np.isin(np.arange(len(f)), recs))
        shared.append({"card": text_or_none(card), "file": _where(v, rec)["file"], "row": _where(v, rec)["row"],
                       "others": [{**_where(v, int(o)), "name": text_or_none(f["name"].iloc[o])} for o in others]})
    return {"duplicates": duplicates, "shared_cards": shared}


def _where(v, rec: int) -> dict:
    f = v.roster.frame
    t = v.roster.tables[int(f["table"].iloc[rec])]
    return {"file": t.file, "sheet": t.sheet, "row": int(f["excel_row"].iloc[rec]),
            "school": text_or_none(f["school"].iloc[rec]),
            "programme": text_or_none(f["programme_name"].iloc[rec]) or text_or_none(f["programme"].iloc[rec])}


def _verdict(records: list[dict], history: list[dict]) -> str:
    """refused when a record is refused; failed when a payment was returned and is not sent again;
    payable when a record would be paid now; else paid (every record, or the ledger, holds a payment)."""
    statuses = [r["outcome"]["status"] for r in records]
    if "refused" in statuses:
        return "refused"
    if "failed_unchanged" in statuses or (not records and any(h["status"] == "failed" for h in history)):
        return "failed"
    if any(s in ("payable", "reissue", "school_funded") for s in statuses):
        return "payable"
    return "paid"
