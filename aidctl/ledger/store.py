"""The ledger's connection: SQLAlchemy Core over SQLite by default (another database by URL), migrations applied on open, one transaction for everything a step records, and fast bulk rows in and out."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from aidctl.core.errors import AidctlError
from aidctl.core.money import yuan  # noqa: F401  (the ledger hands out yuan)
from aidctl.ledger.schema import MIGRATIONS, SCHEMA_VERSION, attempts, batches, metadata, payments, schema_version


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


RESTORE = "请从备份恢复账本，或用 --db 指定正确的账本；恢复之前不要发放"
# SQLite's own words for a file that cannot be the ledger, and what to tell the user
_DAMAGE = (("not a database", "不是 SQLite 数据库：已损坏，或不是 aidctl 的账本"),
           ("malformed", "已损坏"),
           ("no such table", "缺少 aidctl 的表：不是 aidctl 的账本，或已被改动"),
           ("no such column", "缺少 aidctl 的列：不是 aidctl 的账本，或已被改动"))


def database_problem(exc: BaseException, where: str) -> AidctlError | None:
    """The clear error for a ledger file SQLite cannot use as aidctl's (corrupt, truncated, foreign,
    tables missing), or None for any other database error."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return None
    text = str(exc)
    for words, what in _DAMAGE:
        if words in text:
            return AidctlError(f"账本数据库{what}（{text}）；{RESTORE}", file=where)
    return None


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
        database = self.engine.url.database
        self.where = database if self.engine.dialect.name == "sqlite" and database else url
        if self.engine.dialect.name == "sqlite":
            _sqlite_begin_immediate(self.engine)
            where = self.where

            @event.listens_for(self.engine, "handle_error")
            def _damaged(context):  # every statement: a damaged file is a clear exit 2, not a traceback
                problem = database_problem(context.original_exception, where)
                if problem is not None:
                    raise problem from None
        self.migrate()

    @classmethod
    def for_workspace(cls, root: Path, url: str | None = None) -> Ledger:
        return cls(url or f"sqlite:///{root / 'aidctl.db'}")

    def migrate(self) -> None:
        """Apply the recorded schema migrations that this database has not had yet, then check that
        every table and column is there. A SQLite file holding other tables and no aidctl schema is
        not a ledger: it is refused, never written into."""
        try:
            with self.engine.begin() as conn:
                found = set(inspect(conn).get_table_names())
                if self.engine.dialect.name == "sqlite" and found and schema_version.name not in found:
                    raise AidctlError(f"数据库中没有 aidctl 账本的版本表 schema_version（已有表："
                                      f"{'、'.join(sorted(found)[:5])}{'等' if len(found) > 5 else ''}）：不是 aidctl 的账本，"
                                      f"或已被改动，aidctl 不会往里写；{RESTORE}", file=self.where)
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
                self._check_schema(conn)
        except OperationalError as exc:
            raise AidctlError(f"无法打开账本数据库（{exc.orig}）；请检查文件权限或是否有其他程序占用",
                              file=self.url) from None

    def _check_schema(self, conn) -> None:
        """Every table and column of the schema is in the database (a table dropped or altered by hand
        would otherwise fail later, in the middle of a command)."""
        inspector = inspect(conn)
        tables = set(inspector.get_table_names())
        for table in metadata.sorted_tables:
            if table.name not in tables:
                raise AidctlError(f"账本数据库缺少表 {table.name}：不是 aidctl 的账本，或已被改动；{RESTORE}",
                                  file=self.where)
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            lost = [c.name for c in table.columns if c.name not in columns]
            if lost:
                raise AidctlError(f"账本数据库的表 {table.name} 缺少列 {'、'.join(lost)}：不是 aidctl 的账本，"
                                  f"或已被改动；{RESTORE}", file=self.where)

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
        problem = database_problem(exc, conn.engine.url.database or str(conn.engine.url))
        if problem is not None:
            raise problem from None
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
        try:
            rows = conn.connection.dbapi_connection.execute(
                str(compiled), [params[name] for name in compiled.positiontup]).fetchall()
        except sqlite3.DatabaseError as exc:  # past SQLAlchemy: its handle_error hook does not see this
            problem = database_problem(exc, conn.engine.url.database or str(conn.engine.url))
            if problem is None:
                raise
            raise problem from None
    else:
        rows = [tuple(r) for r in conn.execute(query)]
    return pd.DataFrame.from_records(rows, columns=columns, nrows=len(rows)) if rows else pd.DataFrame(columns=columns)


def status_totals(conn, term: str | None = None) -> dict:
    """Payments by status: count and amount."""
    q = select(payments.c.status, func.count(), func.sum(payments.c.amount_fen)).group_by(payments.c.status)
    if term:
        q = q.where(payments.c.term == term)
    return {status: {"count": n, "amount": str(yuan(total or 0))} for status, n, total in conn.execute(q)}


PAID_OR_UNDER_WAY = ("pending", "sent", "paid", "reissued")


def paid_keys(ledger: Ledger, term: str) -> pd.DataFrame:
    """(person, programme) → batch, status of the term's payments that stand (not failed)."""
    with ledger.connect() as conn:
        return fetch_frame(conn, select(payments.c.person, payments.c.programme, payments.c.batch_id,
                                        payments.c.status, payments.c.card, payments.c.id,
                                        payments.c.failure_reason).where(payments.c.term == term),
                           ["person", "programme", "batch", "status", "card", "payment_id", "failure_reason"])
