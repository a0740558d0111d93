"""The ledger on both databases (SQLite and PostgreSQL, the ledger_db fixture): 64-bit money and its
migration for ledgers made by the old schema, three runs at once on one ledger from three
workspaces, a 30,000-student batch, and the batch's one transaction."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, voc_row
from sqlalchemy import BigInteger, Integer, MetaData, create_engine, insert, inspect, select, text
from sqlalchemy.pool import NullPool
from test_disburse import (
    TERM,
    add_roster,
    bank_files,
    disburse,
    ledger_rows,
    make_ws,
    out_dir,
    read_icbc,
    verify_manifest,
)

from aidctl import ledger as L

FIXTURES = Path(__file__).parent / "fixtures"
BIG = 3_000_000_000   # fen: 30,000,000.00 yuan, more than a 32-bit column holds (21,474,836.47)


def engine_for(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)


def old_metadata() -> MetaData:
    """The schema as aidctl wrote it before migration 3: money columns Integer, no batches.workspace."""
    old = MetaData()
    for table in L.metadata.sorted_tables:
        copy = table.to_metadata(old)
        if table.name == "batches":
            copy._columns.remove(copy.c.workspace)
        for column in copy.columns:
            if isinstance(column.type, BigInteger):
                column.type = Integer()
    return old


# --- 64-bit money and the migration ----------------------------------------------------------------

def test_a_sqlite_ledger_made_by_the_old_schema_is_migrated_and_keeps_its_payments(tmp_path, run):
    """tests/fixtures/ledger-v2.sql is the dump of a ledger aidctl 0.1.0 wrote before migration 3
    (three students paid). Opened by this aidctl: migration 3 is recorded, the batch keeps its
    rows, nobody is paid twice, and a batch over 21,474,836.47 yuan is stored exactly."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    with sqlite3.connect(root / "aidctl.db") as conn:
        conn.executescript((FIXTURES / "ledger-v2.sql").read_text(encoding="utf-8"))
    assert ledger_rows(root, "SELECT version FROM schema_version ORDER BY version") == [(1,), (2,)]
    [(old_batch, old_total)] = ledger_rows(root, "SELECT id, total_fen FROM batches")
    doc = disburse(run, root, expect=0)
    assert [p["name"] for p in doc["payments"]] == ["学生四"]          # 学生一–3 were paid by the old ledger
    assert {a["batch"] for a in doc["already_paid"]} == {old_batch}
    assert ledger_rows(root, "SELECT version FROM schema_version ORDER BY version") == [(1,), (2,), (3,), (4,)]
    assert ledger_rows(root, "SELECT id, total_fen, workspace FROM batches ORDER BY created_at") == [
        (old_batch, old_total, None), (doc["batch"], 75000, str(root))]
    with sqlite3.connect(root / "aidctl.db") as conn:
        conn.execute("UPDATE batches SET total_fen = ? WHERE id = ?", (BIG * 3, old_batch))
    assert ledger_rows(root, "SELECT total_fen FROM batches WHERE id = ?", old_batch) == [(BIG * 3,)]


def test_a_ledger_a_newer_aidctl_made_is_not_written_by_this_one(tmp_path, run):
    """A ledger whose schema is newer than this aidctl knows (a colleague upgraded): disburse and
    ledger show stop before they read or write a row, and the ledger keeps what it had."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]})
    disburse(run, root, expect=0)
    with sqlite3.connect(root / "aidctl.db") as conn:
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01T00:00:00')")
    add_roster(root, "b.xlsx", [voc_row(3)])
    before = ledger_rows(root, "SELECT id, status FROM payments ORDER BY id")
    for args in (["disburse", "--term", TERM], ["ledger", "show", "--term", TERM]):
        code, out, err = run(*args, "--workspace", root)
        assert code == 2 and "比本程序新" in err and "升级 aidctl" in err, (args, err)
    assert ledger_rows(root, "SELECT id, status FROM payments ORDER BY id") == before and len(before) == 2


def test_a_postgresql_ledger_made_by_the_old_schema_gets_64_bit_money(ledger_db):
    """On PostgreSQL the old schema's money columns are 32-bit: 30,000,000.00 yuan is refused. The
    migration makes them BIGINT in place, keeping the rows, and records version 3."""
    if ledger_db is None:
        pytest.skip("PostgreSQL only: SQLite's INTEGER is 64-bit already (the test above)")
    engine = engine_for(ledger_db)
    old = old_metadata()
    with engine.begin() as conn:
        old.create_all(conn)
        conn.execute(insert(old.tables["schema_version"]), [{"version": 1, "applied_at": "2011-09-01T00:00:00"},
                                                            {"version": 2, "applied_at": "2011-09-01T00:00:00"}])
        conn.execute(insert(old.tables["batches"]).values(
            id="B1", term=TERM, created_at="2011-09-01T00:00:00", rules_fingerprint="f", status="complete",
            payments=1, total_fen=75000))
    with pytest.raises(Exception, match="out of range"), engine.begin() as conn:
        conn.execute(text("UPDATE batches SET total_fen = :v"), {"v": BIG})
    L.Ledger(ledger_db)
    with engine.begin() as conn:
        types = {(r[0], r[1]): r[2] for r in conn.execute(text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name LIKE '%fen'"))}
        assert types == {("batches", "total_fen"): "bigint", ("payments", "amount_fen"): "bigint",
                         ("attempts", "amount_fen"): "bigint", ("inspection_results", "amount_received_fen"): "bigint"}
        assert conn.execute(text("SELECT id, total_fen, workspace FROM batches")).all() == [("B1", 75000, None)]
        conn.execute(text("UPDATE batches SET total_fen = :v"), {"v": BIG})
        assert conn.execute(text("SELECT total_fen FROM batches")).scalar() == BIG
        assert [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY version"))] == [1, 2, 3, 4]
    engine.dispose()
    L.Ledger(ledger_db)  # opening it again migrates nothing


def test_a_30000_student_batch_is_recorded_exactly(tmp_path, ledger_db):
    """A term of 30,000 students at 750.00 yuan: 22,500,000.00 yuan, more than a 32-bit column holds.
    The batch, its payments and its bank files agree to the fen."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import make_roster

    root = make_ws(tmp_path, db=ledger_db)
    info = make_roster.make_roster(30_000, str(root / "intake" / TERM / "roster.xlsx"), seed=13)
    from aidctl.core.terms import Term
    from aidctl.pay import disburse as pay
    from aidctl.read import Workspace

    outcome = pay(Workspace(root), Term.parse(TERM), operator="测试")
    doc = outcome.to_json(root)
    n, total = doc["totals"]["payments"], Decimal(doc["totals"]["amount"])
    assert n == 30_000 - len(doc["refused"]) and n > 29_000, info
    assert total == Decimal(750) * n and total > Decimal("21474836.47")
    [(payments, total_fen, status)] = ledger_rows(root, "SELECT payments, total_fen, status FROM batches")
    assert (payments, Decimal(total_fen) / 100, status) == (n, total, "complete")
    [(count, fen)] = ledger_rows(root, "SELECT count(*), sum(amount_fen) FROM attempts WHERE status = 'sent'")
    assert (count, Decimal(fen) / 100) == (n, total)
    heads = [read_icbc(f)[0] for f in bank_files(root, "代发_*.txt")]
    assert sum(h["count"] for h in heads) == n and sum(h["total"] for h in heads) == total
    verify_manifest(out_dir(root))


def held_at_once(work, monkeypatch, module, table):
    """`work()` in two threads at once, "first" and "second". The first is held where it builds its
    INSERT into `table` (through `module.insert`: between its read and its write) while the second
    runs, 3 s at most: a second that waits for the first's lock cannot end meanwhile. The results by
    thread, and what either raised."""
    import threading

    first_read, second_done = threading.Event(), threading.Event()
    real = module.insert

    def insert(into, *args, **kwargs):
        if into is table and threading.current_thread().name == "first":
            first_read.set()
            second_done.wait(timeout=3)
        return real(into, *args, **kwargs)

    monkeypatch.setattr(module, "insert", insert)
    got, errors = {}, []

    def run(then=None):
        try:
            got[threading.current_thread().name] = work()
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)
        if then is not None:
            then.set()

    first = threading.Thread(target=run, name="first")
    first.start()
    assert first_read.wait(timeout=30)
    second = threading.Thread(target=run, args=(second_done,), name="second")
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    return got, errors


def test_two_runs_recording_the_same_files_at_once_record_them_once(tmp_path, ledger_db, monkeypatch):
    """Two runs record the intake history of the same file at once (a validate beside a disburse, or
    two validates: neither holds the paying lock). The first reads what the ledger holds and is held
    there while the second runs: the second waits for the first's transaction, then finds the file
    recorded. One receipt and one submission, never a duplicate key (PostgreSQL read both as new
    before the intake history took the ledger's lock)."""
    import sqlalchemy

    from aidctl.check.validation import validate
    from aidctl.core.terms import Term
    from aidctl.read import Workspace

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, db=ledger_db)
    ws = Workspace(root)
    term = Term.parse(TERM)
    v = validate(ws.intake(term), ws, term=term, check_ledger=False)
    ledger = L.Ledger(ws.ledger_url())
    _, errors = held_at_once(lambda: L.record_intake(ledger, v, "validate"), monkeypatch, sqlalchemy, L.receipts)
    assert errors == []
    assert ledger_rows(root, "SELECT count(*) FROM receipts") == [(1,)]
    assert ledger_rows(root, "SELECT count(*), max(version) FROM submissions") == [(1, 1)]


def test_two_draws_of_one_inspection_sample_at_once_record_it_once(tmp_path, run, ledger_db, monkeypatch):
    """Two `inspect sample` runs with the same seed at once: the first looks for the sample, finds none
    and is held before recording it; the second waits for the first's transaction, then finds the
    sample and returns it as drawn before. One sample, never a duplicate key."""
    import aidctl.oversight.inspection as I
    from aidctl.core.terms import Term
    from aidctl.read import Workspace

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, db=ledger_db)
    disburse(run, root, expect=0)
    ws = Workspace(root)
    got, errors = held_at_once(lambda: I.sample(ws, Term.parse(TERM), seed=5, per_school=2, operator="测试"),
                               monkeypatch, I, L.inspection_samples)
    assert errors == []
    assert (got["first"].existing, got["second"].existing) == (False, True)
    assert got["first"].id == got["second"].id
    assert ledger_rows(root, "SELECT count(*) FROM inspection_samples") == [(1,)]


# --- what the ledger stores is what it was given --------------------------------------------------

# A file's or a school's name may hold what COPY's text format (PostgreSQL) and a literal in a SQL
# statement (SQLite's constants) would read otherwise: quotes, backslashes, tabs, line breaks, \N, \.
ODD_TEXTS = ["a\\b", "一\t二", "行\n行", "回\r车", "\\N", "\\.", "\\\\N", "尾\\", "\t", "", "引号\"与'",
             "\u2028分隔\u2029", "\x0b\x0c", "é\u0301", "𠀀"]


def test_text_is_stored_exactly_as_given_whatever_it_holds(tmp_path, ledger_db):
    """bulk_insert (COPY on PostgreSQL, several rows a statement with the constants written into it on
    SQLite) stores every text as given: an empty text stays empty, not NULL, and no escape is read."""
    url = ledger_db or f"sqlite:///{tmp_path / 'aidctl.db'}"
    ledger = L.Ledger(url)
    n = len(ODD_TEXTS)
    rows = pd.DataFrame({"id": range(1, n + 1), "programme": ["中职国家助学金"] * n,
                         "person": [f"11010120000101{i:04d}" for i in range(n)], "name": ODD_TEXTS,
                         "school": ODD_TEXTS[::-1], "card": [f"62220{i}" for i in range(n)],
                         "bank_profile": ["icbc-txt"] * n, "amount_fen": [75000] * n, "source_file": ODD_TEXTS})
    with ledger.transaction() as conn:
        conn.execute(insert(L.batches).values(id="B1", term="2011-autumn", created_at="c", rules_fingerprint="f",
                                              status="recorded", payments=n, total_fen=75000 * n))
        L.bulk_insert(conn, L.payments, rows, {"term": "2011-autumn", "status": "pending", "batch_id": "B1",
                                               "updated_at": "时'刻\\\t\n"})
    p = L.payments.c
    with ledger.connect() as conn:
        got = [tuple(r) for r in conn.execute(select(p.name, p.school, p.source_file, p.updated_at).order_by(p.id))]
    assert got == [(t, s, t, "时'刻\\\t\n") for t, s in zip(ODD_TEXTS, ODD_TEXTS[::-1])]


# --- three runs at once on one ledger --------------------------------------------------------------

RACER = r"""
import os, sys, time
import aidctl.pay.plan as P
import aidctl.pay.disbursement as D
real = P.make_plan

def slow_plan(*args, **kwargs):   # every run plans while the others start
    plan = real(*args, **kwargs)
    time.sleep(float(sys.argv[3]))
    return plan

D.make_plan = slow_plan
if sys.argv[2] == "no_ledger_lock":   # the database's own guard alone: the batch transaction and the unique key
    import contextlib
    from aidctl.ledger import Ledger
    Ledger.paying_lock = lambda self, *a, **k: contextlib.nullcontext()
from aidctl.cli import app
app(["disburse", "--term", "2011-autumn", "--workspace", sys.argv[1], "--format", "json"])
"""


@pytest.mark.parametrize("guard", ["ledger_lock", "no_ledger_lock"])
def test_three_runs_at_once_on_one_ledger_from_three_workspaces_pay_once(tmp_path, ledger_db, guard):
    """Three workspaces share one ledger (database_url) and hold the same roster; three disburse
    runs start together. Exactly one pays; each other one exits 2 with one clear line (the ledger
    is in use, or its batch was refused because the students were recorded meanwhile), never
    内部错误 / IntegrityError; or, arriving after the first finished, pays nobody. Every payment is in
    exactly one bank file."""
    shared = ledger_db or f"sqlite:///{tmp_path / 'shared.db'}"
    rows = [voc_row(i) for i in range(1, 21)]
    roots = [make_ws(tmp_path, {"a.xlsx": rows}, name=f"ws{k}", db=shared) for k in range(3)]
    script = tmp_path / "racer.py"
    script.write_text(RACER, encoding="utf-8")
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, str(script), str(r), guard, "1.5"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for r in roots]
    results = [(p.wait(timeout=180), p.stdout.read(), p.stderr.read()) for p in procs]
    paid = [(r, json.loads(out)) for r, (code, out, err) in zip(roots, results) if code == 0 and out.strip()
            and json.loads(out)["payments"]]
    assert len(paid) == 1, results
    for code, _out, err in results:
        assert "内部错误" not in err and "IntegrityError" not in err and "Traceback" not in err, err
        if code == 2:
            [line] = err.strip().splitlines()
            assert ("另一个 aidctl 发放或对账任务正在使用同一账本" in line
                    or "账本拒绝了本批次" in line and "本次没有记录任何内容" in line), line
        else:
            assert code == 0, (code, err)
    winner, doc = paid[0]
    [(batch, status, payments)] = ledger_rows(winner, "SELECT id, status, payments FROM batches")
    assert (batch, status, payments) == (doc["batch"], "complete", 20)
    assert ledger_rows(winner, "SELECT count(*), count(DISTINCT person) FROM payments") == [(20, 20)]
    files = [f for r in roots for f in bank_files(r)]
    assert len(files) == 1 and files[0].parent == out_dir(winner)
    assert sorted(rec["身份证号"] for rec in read_icbc(files[0])[1]) == sorted(r["身份证号码"] for r in rows)


def test_one_paying_run_per_ledger_and_the_message_names_who_holds_it(tmp_path, run, ledger_db):
    shared = ledger_db or f"sqlite:///{tmp_path / 'shared.db'}"
    a = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, name="a", db=shared)
    b = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, name="b", db=shared)
    ledger = L.Ledger(shared)
    with ledger.paying_lock(0, f"aidctl pid=1 {a}"):
        code, out, err = run("disburse", "--term", TERM, "--workspace", b)
        assert code == 2 and "正在使用同一账本" in err and "aidctl pid=1 " in err and "--wait" in err
        assert f"{a.parent.name[-8:]}/a）" in err   # the holder's workspace (its end, within PostgreSQL's 63 bytes)
        code, out, err = run("reconcile", REPO / "samples" / "bank" / "回盘_工商银行_2011-autumn.txt",
                             "--term", TERM, "--workspace", b)
        assert code == 2 and "正在使用同一账本" in err
    assert disburse(run, b, expect=0)["totals"]["payments"] == 1
    assert disburse(run, a, expect=0)["payments"] == []   # paid from b: already paid for a too


# --- the batch is one transaction ------------------------------------------------------------------

def test_a_batch_is_recorded_whole_or_not_at_all(tmp_path, run, monkeypatch, ledger_db):
    """A failure while the batch's attempts go in (the last statement of its transaction) leaves no
    trace: no batch row, no payment, no attempt; the next run pays everyone in one batch. A batch
    row committed on its own (a split transaction) would stay behind as a recorded batch with no
    payments, and the next run would 'recover' it."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)
    real = L.bulk_insert

    def failing(conn, table, frame, constants=None):
        if table is L.attempts:
            raise RuntimeError("断电")
        return real(conn, table, frame, constants)

    monkeypatch.setattr(L, "bulk_insert", failing)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 2 and "断电" in err
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(0,)]
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(0,)]
    assert ledger_rows(root, "SELECT count(*) FROM attempts") == [(0,)]
    assert bank_files(root) == []
    monkeypatch.undo()
    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [] and doc["totals"]["payments"] == 3
    assert ledger_rows(root, "SELECT count(*), sum(payments) FROM batches") == [(1, 3)]
    # the invariant, whatever happened: every batch holds as many attempts as it says
    frame = pd.DataFrame(ledger_rows(root, "SELECT b.id, b.payments, count(a.id) FROM batches b "
                                           "LEFT JOIN attempts a ON a.batch_id = b.id GROUP BY b.id, b.payments"))
    assert (frame[1] == frame[2]).all()


def test_the_money_columns_are_64_bit_on_the_database_in_use(ledger_db, tmp_path):
    """The ledger's own tables on the database in use have 64-bit money columns."""
    url = ledger_db or f"sqlite:///{tmp_path / 'aidctl.db'}"
    L.Ledger(url)
    engine = engine_for(url)
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("payments")}
    engine.dispose()
    assert isinstance(columns["amount_fen"], BigInteger) or str(columns["amount_fen"]) in ("BIGINT", "INTEGER")
    if ledger_db:
        assert str(columns["amount_fen"]) == "BIGINT"


def test_a_batch_another_workspace_left_unfinished_is_its_to_complete(tmp_path, run, monkeypatch, ledger_db):
    """Workspace a's run is cut off after the ledger; workspace b, sharing the ledger, lists a's batch
    as unfinished elsewhere, writes none of its files and pays none of its students again; a's next
    run completes it in a's out/."""
    from test_disburse import cut_before_files

    shared = ledger_db or f"sqlite:///{tmp_path / 'shared.db'}"
    rows = [voc_row(i) for i in range(1, 4)]
    a = make_ws(tmp_path, {"a.xlsx": rows}, name="a", db=shared)
    b = make_ws(tmp_path, {"a.xlsx": rows + [voc_row(4)]}, name="b", db=shared)
    batch = cut_before_files(a, monkeypatch)
    doc = disburse(run, b, expect=0)
    assert doc["unfinished_elsewhere"] == [{"batch": batch, "workspace": str(a)}] and doc["recovered_batches"] == []
    assert [p["name"] for p in doc["payments"]] == ["学生四"] and {x["batch"] for x in doc["already_paid"]} == {batch}
    assert all(batch not in f.name for f in bank_files(b))
    again = disburse(run, a, expect=0)
    assert again["recovered_batches"] == [batch] and len(again["recovered_reports"]) == 1
    assert len(bank_files(a)) == 1 and batch in bank_files(a)[0].name
    assert ledger_rows(a, "SELECT id, status FROM batches WHERE id = ?", batch) == [(batch, "complete")]
