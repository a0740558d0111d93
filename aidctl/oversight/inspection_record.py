"""aidctl inspect record: a filled-in sign-off workbook read back by 核对编号, its results stored once, and every discrepancy listed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select

from aidctl import ledger as L
from aidctl.core.errors import ReadError, UsageError
from aidctl.core.money import yuan
from aidctl.core.text import fold_one
from aidctl.oversight.inspection import KINDS, META_SHEET, REF, mask_person, open_ledger
from aidctl.read import Workspace, check_input, shown

# JC-<term>-<seed>-<6 hex>, as _sample_id makes it (the text around it may have lost its spaces)
SAMPLE_ID = re.compile(r"JC-\d{4}-(?:spring|autumn)-\d+-[0-9A-F]{6}")


@dataclass
class Recording:
    sample: str
    term: str
    school: str | None
    file: str
    results: list[dict]
    discrepancies: list[dict]
    counts: dict
    inspector: str | None = None
    inspected_on: str | None = None
    school_head: str | None = None
    findings: list[dict] = field(default_factory=list)   # inspect.unsigned: the sheet is not signed off

    def to_json(self) -> dict:
        return {"version": 1, "sample": self.sample, "term": self.term, "school": self.school, "file": self.file,
                "inspector": self.inspector, "school_head": self.school_head, "inspected_on": self.inspected_on,
                "counts": self.counts, "results": self.results, "discrepancies": self.discrepancies,
                "findings": self.findings}

    @property
    def errors(self) -> int:
        return sum(f["severity"] == "error" for f in self.findings)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = fold_one(value)
    return text or None


def _note(value) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


def _amount_fen(value) -> tuple[int | None, bool]:
    """(fen, readable) of a 实收金额 cell: a number, or text such as 860、860.50元、￥860."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = re.sub(r"[,，¥￥元\s]", "", fold_one(value))
        if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", text):
            return None, False
        amount = Decimal(text)
    try:
        fen = amount * 100
    except InvalidOperation:
        return None, False
    if fen != fen.to_integral_value() or fen < 0:
        return None, False
    return int(fen), True


# the sign-off line inspect sample writes (inspection.py): each label, then what was written for it
SIGN_LABELS = (("检查人签字", "inspector"), ("学校负责人签字", "head"), ("日期", "date"))
SIGN_LABEL = re.compile("|".join(label for label, _ in SIGN_LABELS))


def _signatures(text: str) -> list[tuple[str, str | None]]:
    """(key, what was written after it) of each label in a cell that starts with one: after its colon
    (full-width or not: _text folds ： to :), else the rest (检查人签字 李明), up to the next label
    (检查人签字：李明 日期：2011-11-20 in one cell); None when nothing was."""
    found = list(SIGN_LABEL.finditer(text))
    keys = dict(SIGN_LABELS)
    out = []
    for i, m in enumerate(found):
        rest = text[m.end():found[i + 1].start() if i + 1 < len(found) else len(text)]
        rest = re.split(r"[:：]", rest, maxsplit=1)[1] if re.search(r"[:：]", rest) else rest
        out.append((keys[m.group(0)], rest.strip() or None))
    return out


def _next_signature(cells: dict, j: int) -> str | None:
    """The first non-blank cell right of column j, when the label's own cell holds nothing after it;
    never another label (its line left blank, or signed in its own cell), nor a cell ending in a colon."""
    nxt = next((_text(v) for k, v in sorted(cells.items()) if k > j and _text(v)), None)
    if nxt is None or nxt.endswith((":", "：")) or any(nxt.startswith(label) for label, _ in SIGN_LABELS):
        return None
    return nxt


def _read(path: Path, display: str):
    import openpyxl

    check_input(path, display)  # a regular file within the limits (read/limits.py) before openpyxl parses it
    if not path.is_file():
        raise ReadError("文件不存在；请检查路径", file=display)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # not a workbook, corrupt, encrypted
        raise ReadError(f"无法作为 Excel 工作簿读取（{type(exc).__name__}）；请提交 aidctl inspect sample 生成的核对表",
                        file=display) from None
    meta = {}
    if META_SHEET in wb.sheetnames:
        for row in wb[META_SHEET].iter_rows(values_only=True):
            if row and row[0] and len(row) > 1:
                meta[str(row[0])] = None if row[1] is None else str(row[1])
    for sheet in wb.worksheets:
        if sheet.title == META_SHEET:
            continue
        header_row, cols = None, {}
        for row in sheet.iter_rows(min_row=1, max_row=30):
            texts = {c.column - 1: _text(c.value) or "" for c in row}
            if "核对编号" in texts.values():
                header_row = row[0].row
                for j, t in texts.items():
                    for key, head in (("ref", "核对编号"), ("name", "姓名"), ("present", "本人在校"),
                                      ("card_held", "资助卡由本人持有"), ("received", "实收金额"), ("note", "情况说明")):
                        if t.startswith(head) and key not in cols:
                            cols[key] = j
                break
        if header_row is None:
            continue
        missing = [h for k, h in (("present", "本人在校"), ("card_held", "资助卡由本人持有"), ("received", "实收金额"))
                   if k not in cols]
        if missing:
            raise ReadError(f"表头缺少“{'”“'.join(missing)}”列；请使用 aidctl inspect sample 生成的核对表",
                            file=display, sheet=sheet.title, row=header_row)
        rows, labels = [], {}
        for row in sheet.iter_rows(min_row=header_row + 1):
            cells = {c.column - 1: c.value for c in row}
            ref = _text(cells.get(cols["ref"]))
            match = REF.match(ref.upper()) if ref else None
            if match:
                rows.append({"excel_row": row[0].row, "payment_id": int(match.group(1)),
                             **{k: cells.get(j) for k, j in cols.items() if k != "ref"}})
                continue
            for j, value in sorted(cells.items()):
                t = _text(value) or ""
                if not SIGN_LABEL.match(t):
                    continue
                said = _signatures(t)
                for i, (key, written) in enumerate(said):
                    if key not in labels:  # the last label of the cell may be signed in the next cell
                        labels[key] = written or (_next_signature(cells, j) if i == len(said) - 1 else None)
        if not meta.get("sample_id"):  # the hidden sheet was deleted: the 抽样编号 line, the footer, the file name
            texts = [_text(v) or "" for row in sheet.iter_rows(min_row=1, max_row=header_row, values_only=True)
                     for v in row]
            texts += [str(sheet.oddFooter.left.text or ""), path.name]
            for text in texts:
                m = SAMPLE_ID.search(text)
                if m:
                    meta["sample_id"] = m.group(0)
                    break
        return meta, rows, labels, sheet.title
    raise ReadError("没有找到含“核对编号”列的工作表；请提交 aidctl inspect sample 生成的核对表", file=display)


def record(ws: Workspace, path: Path, *, db: str | None = None, display: str | None = None) -> Recording:
    """Read a filled-in sign-off workbook, store each student's result against the sample (one
    transaction; a result identical to the one stored is not stored again), list the discrepancies."""
    display = display or shown(path)
    meta, rows, labels, sheet_name = _read(Path(path), display)
    sample_id = meta.get("sample_id")
    if not sample_id:
        raise ReadError("找不到抽样编号；请提交 aidctl inspect sample 生成的核对表", file=display)
    ledger = open_ledger(ws, db)
    yes_no = {fold_one(w).upper(): k for k, words in ws.rules.vocabulary.yes_no.items() for w in [k, *words]}
    file_name = ws.display(Path(path).resolve())
    with ledger.transaction() as conn:
        L.exclusive(conn, L.INSPECTION_KEY)  # a result compared with the one stored, then stored: one at a time
        known = conn.execute(select(L.inspection_samples).where(L.inspection_samples.c.id == sample_id)) \
            .mappings().first()
        if not known:
            raise UsageError(f"抽样编号 {sample_id} 不在本工作目录的账本中；这份核对表是否来自另一个工作目录？"
                             "请用 --workspace 指定抽样时的工作目录", file=display)
        students = _sampled_students(conn, sample_id)
        by_ref = students.set_index("ref")
        school, expected = _expected(students, by_ref, meta.get("school"), rows)

        results, discrepancies, seen = [], [], set()
        stored = {"recorded": 0, "updated": 0, "unchanged": 0}
        recorded_at = L.now()
        for r in sorted(rows, key=lambda x: x["excel_row"]):
            ref = r["payment_id"]
            if ref not in set(expected["ref"]) or ref in seen:
                discrepancies.append({"reference": f"P{ref}", "position": None, "name": _text(r.get("name")),
                                      "kind": "unknown_row", "title": KINDS["unknown_row"], "row": r["excel_row"],
                                      "detail": "同一核对编号出现两次" if ref in seen else
                                      f"P{ref} 不是抽样 {sample_id}（{school or ''}）的学生"})
                continue
            seen.add(ref)
            student = by_ref.loc[ref]
            outcome = _judge(r, int(student["amount_fen"]), yes_no)
            kinds = [k for k, _ in outcome["problems"]]
            for kind, detail in outcome["problems"]:
                discrepancies.append({"reference": f"P{ref}", "position": int(student["position"]),
                                      "name": student["name"], "kind": kind, "title": KINDS[kind],
                                      "row": r["excel_row"], "detail": detail})
            values = {"present": outcome["present"], "card_held": outcome["card_held"],
                      "amount_received_fen": outcome["received"], "discrepancy": ",".join(kinds) or None,
                      "inspector": labels.get("inspector"), "inspected_on": labels.get("date")}
            stored[_store(conn, sample_id, ref, values, recorded_at, file_name)] += 1
            results.append(_result(r, student, outcome, kinds, ws.rules.publicity.masking.masking()))
        discrepancies += _missing_rows(expected, seen)
    results.sort(key=lambda x: x["position"])
    discrepancies.sort(key=lambda d: (d["position"] is None, d["position"] or 0, d["reference"]))
    counts = _counts(expected, rows, results, discrepancies, stored)
    return Recording(sample_id, known["term"], school, display, results, discrepancies, counts,
                     labels.get("inspector"), labels.get("date"), labels.get("head"),
                     _unsigned(labels, ws, display, sheet_name, known["created_at"]))


def _unsigned(labels: dict, ws: Workspace, display: str, sheet: str, drawn: str) -> list[dict]:
    """inspect.unsigned when the sheet lacks the inspector's or the school head's signature, or a
    date that can be read (检查情况签字确认并存档备查: an unsigned sheet is no record), or its date is
    one the check cannot have been made on: before the sample was drawn (`drawn`, the ledger's
    time), or after today."""
    import datetime

    import pandas as pd

    from aidctl.core.dates import cell_dates
    from aidctl.core.findings import CATALOGUE

    missing = [label for key, label in (("inspector", "检查人签字"), ("head", "学校负责人签字")) if not labels.get(key)]
    day = labels.get("date")
    if not day:
        missing.append("日期")
    elif pd.isna(read := cell_dates(pd.Series([day], dtype="string")).iat[0]):
        missing.append(f"日期（“{day}”不是日期）")
    elif read.date() < datetime.date.fromisoformat(drawn[:10]):
        missing.append(f"可信的日期（“{day}”早于抽样日期 {drawn[:10]}：抽查只能在抽样之后进行）")
    elif read.date() > datetime.date.today():
        missing.append(f"可信的日期（“{day}”晚于今天 {datetime.date.today().isoformat()}）")
    if not missing:
        return []
    code = "inspect.unsigned"
    return [{"file": display, "sheet": sheet, "code": code, "severity": ws.rules.severity(code, CATALOGUE[code].severity),
             "message": f"核对表没有{'、'.join(missing)}：检查结果须经检查人和学校负责人签字并注明日期后存档，"
                        "请补签后重新记录（本次结果已记入账本，标明未签字）"}]


def _sampled_students(conn, sample_id: str) -> pd.DataFrame:
    """One row a sampled student (school, position): the lowest payment id as ref, name, person, amount in fen."""
    items = pd.DataFrame(list(map(tuple, conn.execute(
        select(L.inspection_items.c.payment_id, L.inspection_items.c.school, L.inspection_items.c.position,
               L.payments.c.name, L.payments.c.person, L.payments.c.amount_fen)
        .join(L.payments, L.payments.c.id == L.inspection_items.c.payment_id)
        .where(L.inspection_items.c.sample_id == sample_id)).all())),
        columns=["payment_id", "school", "position", "name", "person", "amount_fen"])
    return (items.groupby(["school", "position"], as_index=False)
            .agg(ref=("payment_id", "min"), name=("name", "first"), person=("person", "first"),
                 amount_fen=("amount_fen", "sum")))


def _expected(students: pd.DataFrame, by_ref: pd.DataFrame, school: str | None,
              rows: list[dict]) -> tuple[str | None, pd.DataFrame]:
    """(the school checked, the students expected on the sheet): the workbook's school, else the one its rows hold."""
    if school is None:
        found_refs = {r["payment_id"] for r in rows} & set(by_ref.index)
        schools = set(by_ref.loc[list(found_refs), "school"]) if found_refs else set()
        school = next(iter(schools)) if len(schools) == 1 else None
    expected = students[students["school"] == school] if school else students[students["ref"].isin(
        [r["payment_id"] for r in rows])]
    return school, expected


def _store(conn, sample_id: str, ref: int, values: dict, recorded_at, file_name: str) -> str:
    """What became of the result: recorded, updated, or unchanged when identical to the last one stored."""
    last = conn.execute(select(*(L.inspection_results.c[k] for k in values))
                        .where(L.inspection_results.c.sample_id == sample_id,
                               L.inspection_results.c.payment_id == ref)
                        .order_by(L.inspection_results.c.id.desc()).limit(1)).mappings().first()
    if last is not None and dict(last) == values:
        return "unchanged"
    conn.execute(insert(L.inspection_results).values(
        sample_id=sample_id, payment_id=ref, recorded_at=recorded_at, file=file_name, **values))
    return "updated" if last is not None else "recorded"


def _result(row: dict, student: pd.Series, outcome: dict, kinds: list[str], masking) -> dict:
    """The result of one student on the sheet, as JSON values."""
    return {"reference": f"P{row['payment_id']}", "position": int(student["position"]), "name": student["name"],
            "id_number": mask_person(student["person"], masking), "amount": str(yuan(student["amount_fen"])),
            "present": outcome["present"], "card_held": outcome["card_held"],
            "amount_received": None if outcome["received"] is None else str(yuan(outcome["received"])),
            "note": _note(row.get("note")), "discrepancies": kinds, "row": row["excel_row"]}


def _missing_rows(expected: pd.DataFrame, seen: set[int]) -> list[dict]:
    """A missing_row discrepancy for each expected student not on the sheet."""
    return [{"reference": f"P{s.ref}", "position": int(s.position), "name": s.name,
             "kind": "missing_row", "title": KINDS["missing_row"], "row": None,
             "detail": f"第{int(s.position)}号 {s.name} 不在表中"}
            for s in expected[~expected["ref"].isin(seen)].itertuples()]


def _counts(expected: pd.DataFrame, rows: list[dict], results: list[dict], discrepancies: list[dict],
            stored: dict) -> dict:
    """The figures of the recording: students, rows, inspected or not, agreed, discrepancies, stored."""
    blank = sum(1 for x in results if x["discrepancies"] == ["not_inspected"])
    return {"students": len(expected), "rows": len(rows), "inspected": len(results) - blank,
            "not_inspected": blank,
            "agreed": sum(1 for x in results if not x["discrepancies"]),
            "with_discrepancies": len({d["reference"] for d in discrepancies}),
            "discrepancies": len(discrepancies), **stored}


def _judge(row: dict, amount_fen: int, yes_no: dict) -> dict:
    """The student's result and its problems (kind, detail)."""
    problems: list[tuple[str, str]] = []
    answers = {}
    for key, label in (("present", "本人在校"), ("card_held", "资助卡由本人持有")):
        text = _text(row.get(key))
        answers[key] = yes_no.get(text.upper()) if text else None
        if text and answers[key] is None:
            problems.append(("unreadable", f"“{label}”填写为“{text}”，应为“是”或“否”"))
            answers[key] = text
    received, readable = _amount_fen(row.get("received"))
    if not readable:
        problems.append(("unreadable", f"“实收金额”填写为“{_text(row.get('received'))}”，不是金额"))
    filled = [answers["present"] is not None, answers["card_held"] is not None, received is not None or not readable]
    if not any(filled) and not _text(row.get("note")):
        return {"present": None, "card_held": None, "received": None,
                "problems": [("not_inspected", "三项检查结果都是空白")]}
    if answers["present"] == "否":
        problems.append(("absent", "本人在校填写为“否”"))
    if answers["card_held"] == "否":
        problems.append(("card_not_held", "资助卡由本人持有填写为“否”"))
    if received is not None and received != amount_fen:
        diff = received - amount_fen
        problems.append(("amount_differs", f"实收 {yuan(received)} 元，账本发放 {yuan(amount_fen)} 元，"
                                           f"相差 {'+' if diff > 0 else '-'}{yuan(abs(diff))} 元"))
    if answers["present"] != "否":  # an absent student cannot be asked about the card or the money
        blanks = [label for ok, label in zip(filled, ("本人在校", "资助卡由本人持有", "实收金额")) if not ok]
        if blanks:
            problems.append(("incomplete", f"“{'”“'.join(blanks)}”未填写"))
    return {"present": answers["present"], "card_held": answers["card_held"], "received": received,
            "problems": problems}
