"""The payment ledger: SQLAlchemy Core over SQLite by default, with recorded schema migrations.

One row per student × programme × term in `payments` (unique), its history in `attempts`, each
disbursement run in `batches` with the SHA-256 of its inputs and the fingerprint of the rules.
Money is stored as integer fen (exact on every backend) and handed out as Decimal yuan.
Status of a payment: pending (recorded, bank file not yet in place) → sent → paid | failed;
a failed payment re-sent to a corrected card becomes reissued → paid | failed.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import (Column, ForeignKey, Index, Integer, MetaData, String, Table, UniqueConstraint,
                        create_engine, event, func, insert, literal, select)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from aidctl.errors import AidctlError
from aidctl.money import yuan  # noqa: F401  (the ledger hands out yuan)

SCHEMA_VERSION = 2
metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String, nullable=False),
)

batches = Table(
    "batches", metadata,
    Column("id", String, primary_key=True),
    Column("term", String, nullable=False, index=True),
    Column("created_at", String, nullable=False),
    Column("operator", String),
    Column("rules_fingerprint", String, nullable=False),
    Column("status", String, nullable=False),        # recorded → complete
    Column("payments", Integer, nullable=False),
    Column("total_fen", Integer, nullable=False),
)

batch_inputs = Table(
    "batch_inputs", metadata,
    Column("batch_id", String, ForeignKey("batches.id"), primary_key=True),
    Column("file", String, primary_key=True),
    Column("sha256", String, nullable=False),
    Column("records", Integer, nullable=False),
)

payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", String, nullable=False),
    Column("programme", String, nullable=False),
    Column("person", String, nullable=False),        # the 18-character resident ID
    Column("name", String, nullable=False),
    Column("school", String),
    Column("county", String),
    Column("card", String, nullable=False),
    Column("bank_profile", String, nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("batch_id", String, ForeignKey("batches.id"), nullable=False),   # the latest attempt's batch
    Column("source_file", String),
    Column("source_row", Integer),
    Column("failure_reason", String),
    Column("updated_at", String, nullable=False),
    UniqueConstraint("term", "programme", "person", name="one_payment_per_student_programme_term"),
)
Index("payments_batch", payments.c.batch_id)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=False, index=True),
    Column("batch_id", String, ForeignKey("batches.id"), nullable=False, index=True),
    Column("file_seq", Integer, nullable=False),     # the record's 序号 in the batch's bank files
    Column("card", String, nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("status", String, nullable=False),        # sent → paid | failed
    Column("reason", String),
    Column("created_at", String, nullable=False),
    Column("settled_at", String),
)

# --- oversight (migration 2): what schools sent and when, and inspections of paid students -------

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", String, nullable=False, index=True),
    Column("school", String, nullable=False),        # （学校不明） when the file names no school
    Column("file", String, nullable=False),          # the name as given (relative to the workspace)
    Column("sha256", String, nullable=False),
    Column("version", Integer, nullable=False),      # 1 for a school's first file of the term, then 2 …
    Column("first_seen", String, nullable=False),
    Column("records", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("command", String, nullable=False),       # validate / disburse: which run first saw it
    UniqueConstraint("term", "school", "sha256", name="one_version_per_content"),
)

inspection_samples = Table(
    "inspection_samples", metadata,
    Column("id", String, primary_key=True),
    Column("term", String, nullable=False, index=True),
    Column("created_at", String, nullable=False),
    Column("operator", String),
    Column("seed", Integer, nullable=False),
    Column("per_school", Integer, nullable=False),
    Column("method", String, nullable=False),        # how the draw was made, to draw it again
)

inspection_items = Table(
    "inspection_items", metadata,
    Column("sample_id", String, ForeignKey("inspection_samples.id"), primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), primary_key=True),
    Column("school", String),
    Column("position", Integer, nullable=False),     # the student's 序号 on the school's sign-off sheet
)

inspection_results = Table(
    "inspection_results", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample_id", String, ForeignKey("inspection_samples.id"), nullable=False, index=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=False),
    Column("present", String),                       # 是 / 否 as recorded
    Column("card_held", String),
    Column("amount_received_fen", Integer),
    Column("discrepancy", String),                   # None when everything agreed
    Column("inspector", String),
    Column("inspected_on", String),
    Column("recorded_at", String, nullable=False),
    Column("file", String, nullable=False),
)

MIGRATIONS: dict[int, list] = {
    1: [schema_version, batches, batch_inputs, payments, attempts],
    2: [submissions, inspection_samples, inspection_items, inspection_results],
}




def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _sqlite_begin_immediate(engine: Engine) -> None:
    """pysqlite's own transaction handling is off; every transaction takes the write lock at BEGIN."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Ledger:
    """The ledger of one workspace."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = create_engine(url)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise AidctlError(f"无法连接账本数据库（{exc}）；请检查 --db 或 aidctl.toml 的 database_url") from None
        if self.engine.dialect.name == "sqlite":
            _sqlite_begin_immediate(self.engine)
        self.migrate()

    @classmethod
    def for_workspace(cls, root: Path, url: str | None = None) -> "Ledger":
        return cls(url or f"sqlite:///{root / 'aidctl.db'}")

    def migrate(self) -> None:
        """Apply the recorded schema migrations that this database has not had yet."""
        try:
            with self.engine.begin() as conn:
                schema_version.create(conn, checkfirst=True)
                done = {r[0] for r in conn.execute(select(schema_version.c.version))}
                for version in sorted(MIGRATIONS):
                    if version in done:
                        continue
                    for table in MIGRATIONS[version]:
                        table.create(conn, checkfirst=True)
                    conn.execute(insert(schema_version).values(version=version, applied_at=now()))
                newest = max(done | set(MIGRATIONS))
                if newest > SCHEMA_VERSION:
                    raise AidctlError(f"账本数据库的结构版本（{newest}）比本程序新；请升级 aidctl")
        except OperationalError as exc:
            raise AidctlError(f"无法打开账本数据库（{exc.orig}）；请检查文件权限或是否有其他程序占用",
                              file=self.url) from None

    @contextlib.contextmanager
    def transaction(self):
        """One transaction: everything in the block is recorded, or nothing is."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise AidctlError(f"账本数据库写入失败，本次没有记录任何内容（{exc.orig}）", file=self.url) from None

    def connect(self):
        return self.engine.connect()

    # -- queries used by several commands -----------------------------------------------------------

    def term_payments(self, conn, term: str):
        return conn.execute(select(payments).where(payments.c.term == term)).mappings().all()

    def unfinished_batches(self, conn, term: str):
        return conn.execute(select(batches).where(batches.c.term == term, batches.c.status != "complete")
                            .order_by(batches.c.created_at)).mappings().all()

    def batch_summary(self, conn, term: str | None = None):
        q = select(batches).order_by(batches.c.created_at)
        if term:
            q = q.where(batches.c.term == term)
        rows = conn.execute(q).mappings().all()
        counts = conn.execute(
            select(attempts.c.batch_id, attempts.c.status, func.count(), func.sum(attempts.c.amount_fen))
            .group_by(attempts.c.batch_id, attempts.c.status)).all()
        by_batch: dict[str, dict] = {}
        for batch_id, status, n, total in counts:
            by_batch.setdefault(batch_id, {})[status] = {"count": n, "amount": str(yuan(total or 0))}
        return [{k: v for k, v in dict(r).items() if k != "total_fen"}
                | {"total": str(yuan(r["total_fen"])), "statuses": by_batch.get(r["id"], {})} for r in rows]


ROWS_PER_STATEMENT = 500


def bulk_insert(conn, table: Table, frame, constants: dict | None = None) -> None:
    """Insert a frame's rows into `table`; `constants` are the same in every row.

    On SQLite the values go to the driver as they are, several hundred rows to an INSERT: the
    per-statement and per-row work of the driver and of SQLAlchemy's parameter processing costs more
    than SQLite itself for a batch of 500,000 payments. The constants are written into the statement
    as literals (rendered by SQLAlchemy), so the driver binds only what differs by row. Other
    databases take the Core path.
    """
    if frame.empty:
        return
    constants = constants or {}
    names = list(frame.columns)
    unknown = [n for n in [*names, *constants] if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {unknown}")
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in names]
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, values)) | constants for values in zip(*columns)])
        return
    dbapi = conn.connection.dbapi_connection
    literals = [str(literal(v).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                for v in constants.values()]
    row = f"({', '.join(['?'] * len(names) + literals)})"
    head = f"INSERT INTO {table.name} ({', '.join([*names, *constants])}) VALUES "
    per = max(1, min(ROWS_PER_STATEMENT, dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(names)))
    values = list(itertools.chain.from_iterable(zip(*columns)))
    width = per * len(names)
    whole = len(frame) // per
    rest = len(frame) - whole * per
    cursor = dbapi.cursor()
    sql = head + ", ".join([row] * per)
    try:
        cursor.executemany(sql, (values[i * width:(i + 1) * width] for i in range(whole)))
        if rest:
            sql = head + ", ".join([row] * rest)
            cursor.execute(sql, values[whole * width:])
    except conn.dialect.dbapi.Error as exc:  # as SQLAlchemy would have raised it (IntegrityError …)
        # named by one row's statement: the one that failed holds hundreds
        raise DBAPIError.instance(head + row, None, exc, conn.dialect.dbapi.Error) from None
    finally:
        cursor.close()


def fetch_frame(conn, query, columns: list[str]):
    """The rows of a Core `query` as a DataFrame with `columns`.

    On SQLite the rows come from the driver as plain tuples: SQLAlchemy's Row objects cost more than
    SQLite itself for the 500,000 payments of a term. Parameters are bound as given, and values come
    back as the driver gives them: right for the ledger's text and integer columns, not for types
    SQLAlchemy converts (dates, decimals). Other databases take the Core path.
    """
    import pandas as pd

    if conn.dialect.name == "sqlite":
        compiled = query.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        rows = conn.connection.dbapi_connection.execute(
            str(compiled), [params[name] for name in compiled.positiontup]).fetchall()
    else:
        rows = [tuple(r) for r in conn.execute(query)]
    return pd.DataFrame.from_records(rows, columns=columns, nrows=len(rows)) if rows else pd.DataFrame(columns=columns)


def status_totals(conn, term: str | None = None) -> dict:
    """Payments by status: count and amount."""
    q = select(payments.c.status, func.count(), func.sum(payments.c.amount_fen)).group_by(payments.c.status)
    if term:
        q = q.where(payments.c.term == term)
    return {status: {"count": n, "amount": str(yuan(total or 0))} for status, n, total in conn.execute(q)}


@contextlib.contextmanager
def workspace_lock(root: Path, wait_seconds: float = 0):
    """Only one paying run per workspace at a time: the others wait or stop with a clear message."""
    path = root / ".aidctl.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "未知"
                    raise AidctlError(f"另一个 aidctl 发放任务正在运行（{holder}）；请等它结束后再试，"
                                      f"或加 --wait 秒数 等待", file=str(root)) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"进程 {os.getpid()}，开始于 {now()}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
