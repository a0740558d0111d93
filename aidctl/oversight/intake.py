"""aidctl intake show: per school, the versions of its roster for a term, on time or late against rules/oversight.yaml, and the schools that sent nothing."""

from __future__ import annotations

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
         "first_seen": r.first_seen, "records": int(r.records), "errors": int(r.errors),
         "warnings": int(r.warnings), "command": r.command}
        for r in frame.sort_values(["school", "version"], kind="stable").itertuples()]

    def counts(item: dict) -> dict:
        return {k: item[k] for k in ("file", "first_seen", "records", "errors", "warnings")}

    schools = []
    by_school: dict[str, list[dict]] = {}
    for s in submissions:
        by_school.setdefault(s["school"], []).append(s)
    for school, items in by_school.items():
        first, latest = items[0], items[-1]
        on_time = date.fromisoformat(first["first_seen"][:10]) <= deadline
        schools.append({"school": school, "status": ON_TIME if on_time else LATE, "on_time": on_time,
                        "versions": len(items), "first_submitted": first["first_seen"],
                        "latest_submitted": latest["first_seen"], "first": counts(first),
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
    return {"version": 1, "term": str(term), "deadline": deadline.isoformat(), "deadline_passed": overdue,
            "schools": schools, "submissions": submissions,
            "totals": {"schools": len(schools), "on_time": sum(s["status"] == ON_TIME for s in schools),
                       "late": sum(s["status"] == LATE for s in schools),
                       "nothing": sum(s["status"] == NOTHING for s in schools),
                       "submissions": len(submissions)}}


def non_compliant(doc: dict) -> bool:
    """A school sent late, or sent nothing once the deadline has passed."""
    return bool(doc["totals"]["late"] or (doc["deadline_passed"] and doc["totals"]["nothing"]))
