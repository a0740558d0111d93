"""Intake history: every roster file a validate or disburse run saw, per school and term, and when the
school sent it.

A file is known by its SHA-256: the same content seen again is the same submission (its first
sighting is kept); new content from the same school for the same term is its next version (the new
files of one run numbered in the order they were received, ties by name). When it was received is a
receipt per term and content: recorded by `aidctl intake receive` (the time given with --at; without
it the file's time in intake/, or now for a file it files there), else, the first time a run sees the
file, the file's modification time in intake/ (when it was saved there). Lateness is judged by the
receipt, never by when aidctl first read the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aidctl.core.files import sha256
from aidctl.core.findings import school_errors
from aidctl.core.labels import UNKNOWN_SCHOOL

if TYPE_CHECKING:
    from aidctl import ledger as L


# how a receipt's time was told: by the user (intake receive --at), by the file's modification time in
# intake/ (a validate or disburse run, or intake receive without --at of a file already there), or by
# the time intake receive ran without --at (a new file: it came no later than then)
STATED, FILE_TIME, NOW = "receive", "file_time", "now"


def record(ledger: L.Ledger, validation, command: str, display=None, digests: dict | None = None) -> int:
    """Record the validation's files (one row per file and school); returns how many were new.
    `display` (paths → their names) names each file in the history; by default the name it was read
    under.
    `digests` (path → SHA-256) are the files' digests where the caller has them already.

    A term of a thousand files is one read of what the ledger holds for the term and one INSERT of
    the new rows (receipts and submissions each), in one transaction."""
    from sqlalchemy import insert, select

    from aidctl import ledger as L

    frame = validation.roster.frame
    f = validation.findings
    term = str(validation.term)
    tables = validation.roster.tables
    file_of = pd.Series([t.file for t in tables])
    per_table = pd.DataFrame({"table": frame["table"], "school": frame["school"].fillna(UNKNOWN_SCHOOL)})
    counts = per_table.groupby(["table", "school"], sort=False).size().reset_index(name="n")
    counts = counts.assign(file=file_of.reindex(counts["table"].to_numpy()).to_numpy(),
                           school=counts["school"].astype(object))
    counts = counts.groupby(["file", "school"], sort=False)["n"].sum().reset_index()
    # a finding of a record counts for its school; a finding of a whole table for every school in it
    found = pd.DataFrame({"file": file_of.reindex(f["table"].to_numpy()).to_numpy(),
                          "school": f["school"].astype(object).fillna(UNKNOWN_SCHOOL).where(f["rec"] >= 0).to_numpy(),
                          "error": school_errors(f).to_numpy().astype("int64"),
                          "warning": (f["severity"] == "warning").to_numpy().astype("int64")})
    own = found.dropna(subset=["school"]).groupby(["file", "school"])[["error", "warning"]].sum().reset_index()
    whole = found[found["school"].isna()].groupby("file")[["error", "warning"]].sum().reset_index()
    rows = (counts.merge(own, on=["file", "school"], how="left")
            .merge(whole, on="file", how="left", suffixes=("", "_file")))
    for col in ("error", "warning", "error_file", "warning_file"):
        rows[col] = rows[col].fillna(0).astype("int64")
    hashes: dict[str, str] = {}
    first_path = {}
    for t in tables:
        if t.file not in hashes:  # once a file, however many sheets it holds
            hashes[t.file] = (digests or {}).get(t.path) or sha256(t.path)
            first_path[t.file] = t.path
    if display:
        names = dict(zip(first_path, display(list(first_path.values()))))
    shown = {name: (names[name] if display else name) for name in first_path}
    times: dict[str, tuple[str, str]] = {}   # a receipt per content: (file, time) of its first file
    for name, path in first_path.items():
        times.setdefault(hashes[name], (shown[name], file_time(path)))
    now = L.now()
    s, r = L.submissions, L.receipts
    with ledger.transaction() as conn:
        # read, then written: two runs recording at once (two validates, or a validate beside a
        # disburse) would both find a file new and both insert it, or number two versions alike
        L.exclusive(conn, L.INTAKE_KEY)
        received = dict(conn.execute(select(r.c.sha256, r.c.received_at).where(r.c.term == term)).all())
        new_receipts = [{"term": term, "sha256": digest, "file": name, "received_at": when, "source": FILE_TIME,
                         "recorded_at": now}
                        for digest, (name, when) in times.items() if digest not in received]
        for receipt in new_receipts:
            received[receipt["sha256"]] = receipt["received_at"]
        known = conn.execute(select(s.c.school, s.c.sha256).where(s.c.term == term)).all()
        seen = {(school, digest) for school, digest in known}
        versions: dict[str, int] = {}
        for school, _ in known:
            versions[school] = versions.get(school, 0) + 1
        new_rows = []
        # the files of one run are numbered in the order the school sent them (their receipts, ties by
        # name), never in the order they were read (file-name order): 初报 before 修改版
        table = rows[["file", "school", "n", "error", "warning", "error_file", "warning_file"]]
        order = sorted(table.itertuples(index=False, name=None),  # one row per file and school: a few per file
                       key=lambda row: (received[hashes[row[0]]], shown[row[0]]))
        for file, school, n, err, warn, err_file, warn_file in order:
            digest = hashes[file]
            if (school, digest) in seen:
                continue
            seen.add((school, digest))
            versions[school] = versions.get(school, 0) + 1
            new_rows.append({"term": term, "school": school, "file": shown[file], "sha256": digest,
                             "version": versions[school], "first_seen": now, "records": int(n),
                             "errors": int(err + err_file), "warnings": int(warn + warn_file),
                             "command": command})
        if new_receipts:
            conn.execute(insert(r), new_receipts)
        if new_rows:
            conn.execute(insert(s), new_rows)
    return len(new_rows)


def file_time(path) -> str:
    """The file's modification time (local, ISO to the second): when it was saved into intake/."""
    from datetime import datetime
    from pathlib import Path

    return datetime.fromtimestamp(Path(path).stat().st_mtime).isoformat(timespec="seconds")


def _receipt(conn, term: str, digest: str, file: str, when: str,
             source: str) -> tuple[str, str, bool, tuple | None]:
    """Record that the content was received at `when`, unless a receipt stands already. Only a time the
    user stated (STATED) replaces one, and only one nobody stated (FILE_TIME, NOW): a default never
    replaces a receipt, the first stated one stands. (received_at, source, new, replaced: the
    (received_at, source) it replaced, or None)."""
    from sqlalchemy import delete, insert, select

    from aidctl import ledger as L

    r = L.receipts
    known = conn.execute(select(r.c.received_at, r.c.source).where(r.c.term == term, r.c.sha256 == digest)).first()
    if known and not (source == STATED and known[1] in (FILE_TIME, NOW)):
        return known[0], known[1], False, None
    if known:
        conn.execute(delete(r).where(r.c.term == term, r.c.sha256 == digest))
    conn.execute(insert(r).values(term=term, sha256=digest, file=file, received_at=when, source=source,
                                  recorded_at=L.now()))
    return when, source, True, (tuple(known) if known else None)


def record_receipt(ledger: L.Ledger, term: str, digest: str, file: str, when: str,
                   source: str = STATED) -> tuple[str, str, bool, tuple | None]:
    """`aidctl intake receive`: the school sent this content at `when`, told by `source` (_receipt:
    received_at, source, new, replaced)."""
    from aidctl import ledger as L

    with ledger.transaction() as conn:
        L.exclusive(conn, L.INTAKE_KEY)
        return _receipt(conn, term, digest, file, when, source)


def history(ledger: L.Ledger, term: str | None = None) -> pd.DataFrame:
    """The submissions, oldest first: term, school, file, sha256, version, first_seen, records,
    errors, warnings, command, and received_at / received_source: when the school sent it (the
    receipt; first_seen where none was recorded, from before receipts were kept)."""
    from sqlalchemy import select

    from aidctl import ledger as L

    s, r = L.submissions, L.receipts
    q = (select(s, r.c.received_at, r.c.source.label("received_source"))
         .join(r, (r.c.term == s.c.term) & (r.c.sha256 == s.c.sha256), isouter=True)
         .order_by(s.c.term, s.c.school, s.c.version))
    if term:
        q = q.where(s.c.term == term)
    with ledger.connect() as conn:
        rows = conn.execute(q).all()
    frame = pd.DataFrame(list(map(tuple, rows)), columns=[*(c.name for c in s.columns), "received_at",
                                                          "received_source"])
    none = frame["received_at"].isna()
    frame["received_source"] = frame["received_source"].where(~none, "first_seen")
    frame["received_at"] = frame["received_at"].where(~none, frame["first_seen"])
    return frame


def workspace_names(ws):
    """paths → their names in the history: relative to the workspace root where they lie inside it."""
    from aidctl.core.files import real_paths

    return lambda paths: [ws.display(path) for path in real_paths(paths)]


def is_workspace_intake(ws, paths, term) -> bool:
    """Whether a `validate` of `paths` is a check of the workspace's own intake, to be recorded.

    Every file must lie inside the workspace root; and either the workspace already has a ledger,
    or every file lies in its intake/<term>/ folder for the term validated (read by default or listed).
    Loose files elsewhere, or files inside a workspace that has no ledger yet outside intake/<term>/,
    are not recorded, and no ledger is created for them."""
    from aidctl.core.files import real_paths

    root = ws.root
    resolved = real_paths(paths)
    if not resolved or not all(p.is_relative_to(root) for p in resolved):
        return False
    if ws.has_ledger():
        return True
    folder = (root / "intake" / str(term)).resolve()
    return all(p.parent == folder for p in resolved)


def record_validation(ws, validation, paths, own: bool | None = None, digests: dict | None = None) -> str | None:
    """Record a validate run's files when they are the workspace's own (see is_workspace_intake;
    `own`: its answer for the validation's term, when the caller has it; `digests`: the files'
    SHA-256 where the caller made them). Returns a note for the user when the history could not be
    written (the check itself stands)."""
    from aidctl.core.errors import AidctlError

    if not (is_workspace_intake(ws, paths, validation.term) if own is None else own):
        return None
    from aidctl import ledger as L

    try:
        record(L.Ledger(ws.ledger_url()), validation, "validate", display=workspace_names(ws), digests=digests)
    except AidctlError as exc:
        return f"报送记录未能写入账本（{exc}）；审核结果不受影响"
    return None

