"""aidctl intake show | receive: per school, the versions of its roster for a term, on time or late
against rules/oversight.yaml by when the school sent it (the receipt), and the schools that sent
nothing; `receive` files a roster into intake/<term>/ and records when it came in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from aidctl.ledger import intake_history as history

if TYPE_CHECKING:
    pass


ON_TIME, LATE, NOTHING = "按时", "逾期", "未报送"
# how a receipt's time was told, as a note says it (ledger.intake: STATED, FILE_TIME, NOW)
TOLD = {"receive": "--at 登记", "file_time": "文件放入 intake 时的修改时间", "now": "未指定 --at 时按登记当时的时间",
        "first_seen": "无接收记录，按 aidctl 第一次读到的时间"}


def _listed(items: list[str]) -> str:
    return "、".join(items[:10]) + ("等" if len(items) > 10 else "")


def _shown(stamp: str) -> str:
    return stamp.replace("T", " ")


def _schools(ws, frame: pd.DataFrame) -> tuple[pd.Series, str | None]:
    """Each submission's school as every command reads it (registered_schools: schools.xlsx by name
    or 别名, else the name as written), and a note on those schools.xlsx cannot place: no school it
    registers, or a name it gives two schools that differ."""
    from aidctl.core.labels import NO_SCHOOL_NAMED, UNKNOWN_SCHOOL
    from aidctl.read import registered_schools, unregistered_note

    written = frame["school"].astype(object).reset_index(drop=True)
    resolved = registered_schools(ws, written)
    placed = ~written.isin([UNKNOWN_SCHOOL, NO_SCHOOL_NAMED]).to_numpy()   # （学校不明） is no school's name
    school = resolved["school"].astype(object).where(placed, written)
    resolved = resolved.assign(by=resolved["by"].where(placed))
    note = unregistered_note(resolved, frame["file"].astype(object).reset_index(drop=True), "报送记录", "个版本",
                             "按所写的名称单独列出，不算 schools.xlsx 中任何一所学校的报送（该校可能因此显示为未报送）")
    return school.set_axis(frame.index), note


def show(ws, term, db: str | None = None, today=None) -> dict:
    """The term's intake: per school (as schools.xlsx registers it, a 别名 read as its school) its
    versions in the order it sent them (by receipt, ties by first reading and file name), first and
    latest submission by receipt, on time or late against rules/oversight.yaml's deadline (judged by
    the earliest receipt), the first and latest version's records/errors/warnings; then the schools
    in schools.xlsx that sent nothing."""
    from datetime import date

    from aidctl import ledger as L

    deadline = ws.rules.oversight.deadline(term)
    today = today or date.today()
    if db or ws.has_ledger():
        frame = history(L.Ledger(ws.ledger_url(db)), str(term))
    else:  # nothing was ever recorded here; never create a ledger just to say so
        frame = pd.DataFrame(columns=[c.name for c in L.submissions.columns])
    notes = []
    school_of = pd.Series(dtype=object)
    if not frame.empty:
        school_of, unplaced = _schools(ws, frame)
        if unplaced:
            notes.append(unplaced)
    submissions = [
        {"school": school_of[i], "school_written": r.school, "version": 0, "file": r.file, "sha256": r.sha256,
         "first_seen": r.first_seen, "received_at": r.received_at, "received_source": r.received_source,
         "records": int(r.records), "errors": int(r.errors), "warnings": int(r.warnings), "command": r.command}
        for i, r in zip(frame.index, frame.itertuples())]
    # the order a school sent its versions is that of their receipts, never that of aidctl's reading
    submissions.sort(key=lambda v: (v["school"], v["received_at"], v["first_seen"], v["file"]))

    def counts(item: dict) -> dict:
        return {k: item[k] for k in ("file", "first_seen", "received_at", "received_source", "records", "errors",
                                     "warnings")}

    schools = []
    by_school: dict[str, list[dict]] = {}
    for s in submissions:
        by_school.setdefault(s["school"], []).append(s)
    tied = []
    for school, items in by_school.items():
        for n, item in enumerate(items, 1):
            item["version"] = n
        first, latest = items[0], items[-1]
        stamps = [item["received_at"] for item in items]
        if len(set(stamps)) < len(stamps):
            tied.append(school)
        # judged by when the school first sent a version (the earliest receipt), not by when aidctl read it
        on_time = date.fromisoformat(first["received_at"][:10]) <= deadline
        schools.append({"school": school, "status": ON_TIME if on_time else LATE, "on_time": on_time,
                        "versions": len(items), "first_submitted": first["received_at"],
                        "latest_submitted": latest["received_at"], "first": counts(first),
                        "latest": counts(latest)})
    if ws.schools is not None:
        from aidctl.core.text import fold_one

        sent = {fold_one(s) for s in by_school}
        for name in ws.schools["school"].astype(object):
            if fold_one(name) not in sent:
                schools.append({"school": str(name), "status": NOTHING, "on_time": None, "versions": 0,
                                "first_submitted": None, "latest_submitted": None, "first": None,
                                "latest": None})
    overdue = today > deadline
    guessed = sorted({s["school"] for s in submissions if s["received_source"] == "first_seen"})
    if guessed:
        notes.append(f"{'、'.join(guessed)} 的花名册没有接收时间记录（在记录接收时间之前读入）：按 aidctl 第一次读到的时间计")
    by_default = sorted(s["school"] for s in schools if s["first"] and s["first"]["received_source"] == "now")
    if by_default:
        notes.append(f"{_listed(by_default)} 的首次报送时间是 intake receive 未指定 --at 时按登记当时的时间记的，"
                     "可能晚于学校实际发出的时间，按时或逾期据此判断；请用 intake receive --at 登记实际接收时间")
    if tied:
        notes.append(f"{_listed(tied)} 有接收时间相同的几个版本：其先后（哪一版是首版、最新版）按 aidctl 第一次读到的时间和文件名排，"
                     "不是学校发出的先后；请用 intake receive --at 登记各版本的实际接收时间")
    return {"version": 1, "term": str(term), "deadline": deadline.isoformat(), "deadline_passed": overdue,
            "notes": notes,
            "schools": schools, "submissions": submissions,
            "totals": {"schools": len(schools), "on_time": sum(s["status"] == ON_TIME for s in schools),
                       "late": sum(s["status"] == LATE for s in schools),
                       "nothing": sum(s["status"] == NOTHING for s in schools),
                       "submissions": len(submissions)}}


def non_compliant(doc: dict) -> bool:
    """A school sent late, or sent nothing once the deadline has passed."""
    return bool(doc["totals"]["late"] or (doc["deadline_passed"] and doc["totals"]["nothing"]))


def receive(ws, term, paths: list, *, at: datetime | None = None, db: str | None = None) -> dict:
    """File each roster into intake/<term>/ (unless it is there) and record when the school sent it:
    `at`; without it, a file already in intake/<term>/ at its modification time there (as validate
    would), a file filed now at now, said aloud in `notes` either way. The first receipt of a content
    stands; one the user stated (`at`) replaces one nobody stated (a file's time, or now by default);
    a default never replaces a receipt. A different file of the same name already in intake/<term>/
    is refused (exit 2), never replaced."""
    import shutil
    from pathlib import Path

    from aidctl import ledger as L
    from aidctl.core.errors import ReadError, UsageError
    from aidctl.core.files import atomic_path, sha256
    from aidctl.ledger import FILE_TIME, NOW, STATED, file_time, record_receipt

    folder = ws.root / "intake" / str(term)
    now = L.now()
    stated = at.isoformat(timespec="seconds") if at is not None else None
    plan = []
    for given in paths:
        path = Path(given)
        if not path.is_file():
            raise ReadError("是一个文件夹，不是花名册文件：请指定其中的文件" if path.is_dir() else "文件不存在；请检查路径",
                            file=str(given))
        if path.suffix.lower() not in (".xlsx", ".xls", ".csv"):
            raise ReadError("不是 .xlsx、.xls 或 .csv 花名册", file=str(given))
        digest = sha256(path)
        target = folder / path.name
        if path.resolve() != target.resolve() and target.exists() and sha256(target) != digest:
            raise UsageError(f"{ws.display(target)} 已有同名、内容不同的文件：请改名后再接收", file=str(given))
        plan.append((path, target, digest))
    ledger = L.Ledger(ws.ledger_url(db))
    out = []
    for path, target, digest in plan:
        copied = not target.exists()
        if copied:
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as tmp:
                shutil.copyfile(path, tmp)
        # without --at: a file already in intake/ came no later than it was saved there (validate's
        # receipt); one filed now came no later than now: the earlier bound, never a later one
        when, told = (stated, STATED) if stated else (now, NOW) if copied else (file_time(target), FILE_TIME)
        name = ws.display(target.resolve())
        received_at, source, new, replaced = record_receipt(ledger, str(term), digest, name, when, told)
        out.append({"file": name, "from": str(path), "sha256": digest, "copied": copied,
                    "received_at": received_at, "source": source, "new": new, "asked": when, "asked_source": told,
                    "replaced": {"received_at": replaced[0], "source": replaced[1]} if replaced else None})
    return {"version": 1, "term": str(term), "at": stated, "notes": _receipt_notes(out, term, now),
            "received": [{k: v for k, v in r.items() if not k.startswith("asked")} for r in out]}


def _receipt_notes(out: list[dict], term, now: str) -> list[str]:
    """What intake receive decided that the user did not say: a time by default, a receipt kept or replaced."""
    notes = []
    defaulted = [r for r in out if r["asked_source"] != "receive"]
    now_new = [r["file"] for r in defaulted if r["new"] and r["source"] == "now"]
    if now_new:
        notes.append(f"未用 --at 指定接收时间：{len(now_new)} 个文件按现在（{_shown(now)}）登记为接收时间：{_listed(now_new)}；"
                     "学校不是现在发来的，请用 --at 指定实际接收时间再登记一次（会替换本次登记）")
    mtime_new = [f"{r['file']}（{_shown(r['received_at'])}）" for r in defaulted if r["new"] and r["source"] == "file_time"]
    if mtime_new:
        notes.append(f"未用 --at 指定接收时间：{len(mtime_new)} 个文件已在 intake/{term}/ 中，按其修改时间（放入时，与 validate 相同）"
                     f"登记为接收时间：{_listed(mtime_new)}；实际接收时间不同时，请用 --at 指定再登记一次（会替换本次登记）")
    kept = [f"{r['file']}（{_shown(r['received_at'])}，{TOLD.get(r['source'], r['source'])}）" for r in defaulted
            if not r["new"]]
    if kept:
        notes.append(f"未用 --at 指定接收时间，默认的时间不替换已有的接收时间：{len(kept)} 个文件沿用原有的接收时间：{_listed(kept)}；"
                     "实际接收时间不同时，请用 --at 指定（替换按文件时间或未指定 --at 登记的接收时间）")
    replaced = [f"{r['file']}（{_shown(r['replaced']['received_at'])}，{TOLD.get(r['replaced']['source'], '')} → "
                f"{_shown(r['received_at'])}）" for r in out if r["replaced"]]
    if replaced:
        notes.append(f"{len(replaced)} 个文件原有的接收时间已替换为 --at 指定的时间：{_listed(replaced)}")
    ignored = [f"{r['file']}（沿用 {_shown(r['received_at'])}，未采用 {_shown(r['asked'])}）" for r in out
               if r["asked_source"] == "receive" and not r["new"] and r["received_at"] != r["asked"]]
    if ignored:
        notes.append(f"{len(ignored)} 个文件此前已用 --at 登记过接收时间，第一次登记的接收时间不变，本次 --at 的时间未采用："
                     f"{_listed(ignored)}")
    return notes
