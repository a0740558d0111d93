"""Intake history: every roster file a validate or disburse run saw, per school and term.

A file is known by its SHA-256: the same content seen again is the same submission (its first
sighting is kept); new content from the same school for the same term is its next version.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, insert, select

from aidctl import ledger as L
from aidctl.files import sha256

UNKNOWN_SCHOOL = "（学校不明）"


def record(ledger: L.Ledger, validation, command: str) -> int:
    """Record the validation's files (one row per file and school); returns how many were new."""
    frame = validation.roster.frame
    f = validation.findings
    term = str(validation.term)
    school = frame["school"].astype(object).where(frame["school"].notna(), UNKNOWN_SCHOOL)
    per_table = pd.DataFrame({"table": frame["table"], "school": school})
    counts = per_table.groupby(["table", "school"]).size().rename("records").reset_index()
    sev = f.assign(school=f["school"].astype(object).where(f["school"].notna(), UNKNOWN_SCHOOL))
    rows = []
    digests: dict[str, str] = {}
    files = {}
    for i, t in enumerate(validation.roster.tables):
        files.setdefault(t.file, []).append(i)
        digests.setdefault(t.file, sha256(t.path))
    for file, tables in files.items():
        mine = counts[counts["table"].isin(tables)].groupby("school")["records"].sum()
        found = sev[sev["table"].isin(tables)]
        for school_name, records in mine.items():
            here = found[(found["school"] == school_name) | (found["rec"] < 0)]
            rows.append({"school": school_name, "file": file, "sha256": digests[file], "records": int(records),
                         "errors": int((here["severity"] == "error").sum()),
                         "warnings": int((here["severity"] == "warning").sum())})
    new = 0
    with ledger.transaction() as conn:
        for r in rows:  # one row per file and school: a few dozen a term
            seen = conn.execute(select(L.submissions.c.id).where(
                L.submissions.c.term == term, L.submissions.c.school == r["school"],
                L.submissions.c.sha256 == r["sha256"])).first()
            if seen:
                continue
            version = (conn.execute(select(func.count()).where(
                L.submissions.c.term == term, L.submissions.c.school == r["school"])).scalar() or 0) + 1
            conn.execute(insert(L.submissions).values(term=term, version=version, first_seen=L.now(),
                                                      command=command, **r))
            new += 1
    return new


def history(ledger: L.Ledger, term: str | None = None) -> pd.DataFrame:
    """The submissions, oldest first: term, school, file, sha256, version, first_seen, records,
    errors, warnings, command."""
    q = select(L.submissions).order_by(L.submissions.c.term, L.submissions.c.school, L.submissions.c.version)
    if term:
        q = q.where(L.submissions.c.term == term)
    with ledger.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(list(map(tuple, rows)), columns=[c.name for c in L.submissions.columns])
