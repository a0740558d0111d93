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


def show(ws, term, db: str | None = None, today=None) -> dict:
    """The term's intake: per school its versions, first and latest submission, on time or late
    against rules/oversight.yaml's deadline (judged by the first version), the first and latest
    version's records/errors/warnings; then the schools in schools.xlsx that sent nothing."""
    from datetime import date

    from aidctl import ledger as L

    deadline = ws.rules.oversight.deadline(term)
    today = today or date.today()
    if db or ws.has_ledger():
        frame = history(L.Ledger(ws.ledger_url(db)), str(term))
    else:  # nothing was ever recorded here; never create a ledger just to say so
        frame = pd.DataFrame(columns=[c.name for c in L.submissions.columns])
    submissions = [
        {"school": r.school, "version": int(r.version), "file": r.file, "sha256": r.sha256,
         "first_seen": r.first_seen, "received_at": r.received_at, "received_source": r.received_source,
         "records": int(r.records), "errors": int(r.errors), "warnings": int(r.warnings), "command": r.command}
        for r in frame.sort_values(["school", "version"], kind="stable").itertuples()]

    def counts(item: dict) -> dict:
        return {k: item[k] for k in ("file", "first_seen", "received_at", "received_source", "records", "errors",
                                     "warnings")}

    schools = []
    by_school: dict[str, list[dict]] = {}
    for s in submissions:
        by_school.setdefault(s["school"], []).append(s)
    for school, items in by_school.items():
        first, latest = items[0], items[-1]
        # judged by when the school sent its first version, not by when aidctl first read it
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
    notes = []
    guessed = sorted({s["school"] for s in submissions if s["received_source"] == "first_seen"})
    if guessed:
        notes.append(f"{'、'.join(guessed)} 的花名册没有接收时间记录（在记录接收时间之前读入）：按 aidctl 第一次读到的时间计")
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
    `at`, or now. The first receipt of a content stands; it replaces one taken from the file's time.
    A different file of the same name already in intake/<term>/ is refused (exit 2), never replaced."""
    import shutil
    from pathlib import Path

    from aidctl import ledger as L
    from aidctl.core.errors import ReadError, UsageError
    from aidctl.core.files import atomic_path, sha256
    from aidctl.ledger import record_receipt

    folder = ws.root / "intake" / str(term)
    when = (at or datetime.now()).isoformat(timespec="seconds")
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
        received_at, source, new = record_receipt(ledger, str(term), digest, ws.display(target.resolve()), when)
        out.append({"file": ws.display(target.resolve()), "from": str(path), "sha256": digest, "copied": copied,
                    "received_at": received_at, "source": source, "new": new})
    return {"version": 1, "term": str(term), "received": out}
