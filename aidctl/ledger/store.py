"""The ledger's connection: SQLAlchemy Core over SQLite by default (another database by URL), migrations applied on open, one transaction for everything a step records, and fast bulk rows in and out."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    LargeBinary,
    Table,
    cast,
    create_engine,
    event,
    func,
    insert,
    inspect,
    literal,
    make_url,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from aidctl.core.errors import AidctlError
from aidctl.core.files import file_lock
from aidctl.core.money import yuan
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


_PAYING_KEY = 0x61696431   # advisory lock class ids ("aid1", "aid2" …), the schema's hash the second key
_MIGRATION_KEY = 0x61696432
INTAKE_KEY = 0x61696434     # the intake history's transactions (0x61696433: a batch's, pay.batch)
INSPECTION_KEY = 0x61696435  # an inspection sample's, and its results'


def exclusive(conn, key: int) -> None:
    """Hold the ledger's write lock `key` until the transaction ends: on PostgreSQL an advisory
    transaction lock, per schema, so that a transaction that reads before it writes (numbering, or
    "is it recorded yet?") sees what another one committed before it. SQLite's BEGIN IMMEDIATE holds
    the database's own lock already."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": key})


POSTGRES_DRIVER = "psycopg"  # psycopg 3: the aidctl[postgres] extra


def _driver_url(url: str) -> tuple[str, str]:
    """The URL to connect with (postgresql:// → psycopg 3, the driver aidctl[postgres] installs) and
    the URL as shown in messages (no password)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise AidctlError(f"账本数据库 URL 无法识别：{url}；格式如 sqlite:///aidctl.db 或 "
                          "postgresql://用户@主机:5432/数据库") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername=f"postgresql+{POSTGRES_DRIVER}")
    return parsed.render_as_string(hide_password=False), parsed.render_as_string(hide_password=True)


def _missing_driver(url: str, exc: ImportError) -> str:
    if url.startswith("postgresql"):
        return ('PostgreSQL 账本需要数据库驱动：请安装 pip install "aidctl[postgres]"'
                f"（{exc.name or exc}）")
    return f"账本数据库的驱动没有安装（{exc.name or exc}）；请检查 --db 或 aidctl.toml 的 database_url"


def _name_tail(holder: str, limit: int = 63) -> str:
    """`holder` within PostgreSQL's application_name (63 bytes): its start, and the end of the path."""
    if len(holder.encode()) <= limit:
        return holder
    head, _, path = holder.partition("/")
    while path and len((head + "…" + path).encode()) > limit:
        path = path[1:]
    return head + "…" + path


def first_line(exc) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__




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
    """The ledger of one workspace, or of several sharing one database (see paying_lock)."""

    def __init__(self, url: str):
        self.url, self.shown = _driver_url(url)
        try:
            # one command, one process: a pool would only keep connections open (SQLite's stays)
            self.engine = create_engine(self.url, **({} if self.url.startswith("sqlite") else {"poolclass": NullPool}))
        except (SQLAlchemyError, ValueError) as exc:
            raise AidctlError(f"无法连接账本数据库（{exc}）；请检查 --db 或 aidctl.toml 的 database_url",
                              file=self.shown) from None
        except ImportError as exc:
            raise AidctlError(_missing_driver(self.url, exc), file=self.shown) from None
        database = self.engine.url.database
        self.where = database if self.engine.dialect.name == "sqlite" and database else self.shown
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

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Apply the recorded schema migrations that this database has not had yet, then check that
        every table and column is there. A SQLite file holding other tables and no aidctl schema is
        not a ledger: it is refused, never written into."""
        try:
            with self.engine.begin() as conn:
                exclusive(conn, _MIGRATION_KEY)  # two first runs on one new PostgreSQL database: one migrates
                found = set(inspect(conn).get_table_names())
                if self.engine.dialect.name == "sqlite" and found and schema_version.name not in found:
                    raise AidctlError(f"数据库中没有 aidctl 账本的版本表 schema_version（已有表："
                                      f"{'、'.join(sorted(found)[:5])}{'等' if len(found) > 5 else ''}）：不是 aidctl 的账本，"
                                      f"或已被改动，aidctl 不会往里写；{RESTORE}", file=self.where)
                schema_version.create(conn, checkfirst=True)
                done = {r[0] for r in conn.execute(select(schema_version.c.version))}
                newest = max(done | set(MIGRATIONS))
                if newest > SCHEMA_VERSION:
                    raise AidctlError(f"账本数据库的结构版本（{newest}）比本程序新；请升级 aidctl", file=self.shown)
                for version in sorted(MIGRATIONS):
                    if version in done:
                        continue
                    for step in MIGRATIONS[version]:
                        if isinstance(step, Table):
                            step.create(conn, checkfirst=True)
                        else:
                            step(conn)
                    conn.execute(insert(schema_version).values(version=version, applied_at=now()))
                self._check_schema(conn)
        except OperationalError as exc:
            raise AidctlError(f"无法打开账本数据库（{first_line(exc.orig)}）；请检查文件权限、连接参数或是否有其他程序占用",
                              file=self.shown) from None

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
            raise AidctlError(f"账本数据库写入失败，本次没有记录任何内容（{first_line(exc.orig)}）",
                              file=self.shown) from None

    @contextlib.contextmanager
    def paying_lock(self, wait_seconds: float = 0, holder: str = ""):
        """One paying or reconciling run per ledger at a time, whichever workspace it runs from.

        The workspace lock (pay.lock) keeps one run per folder; several workspaces may share one
        database (database_url). On PostgreSQL this is a session advisory lock keyed by the ledger's
        schema; on a SQLite file, a hidden lock file beside it (.aidctl.db.lock). The others stop with a clear message, or
        wait up to `wait_seconds`."""
        if self.backend == "postgresql":
            with self._advisory_lock(wait_seconds, holder):
                yield
        elif self.backend == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            database = Path(self.engine.url.database)
            with file_lock(database.with_name(f".{database.name}.lock"), wait_seconds, holder,
                           "另一个 aidctl 发放或对账任务正在使用同一账本"):
                yield
        else:
            yield

    @contextlib.contextmanager
    def _advisory_lock(self, wait_seconds: float, holder: str):
        key = {"k": _PAYING_KEY}
        deadline = time.monotonic() + wait_seconds
        with self.engine.connect() as conn:
            if holder:  # shown to the others while this run holds the lock
                conn.execute(text("SELECT set_config('application_name', :h, false)"), {"h": _name_tail(holder)})
            conn.commit()
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"), key).scalar():
                conn.commit()
                if time.monotonic() >= deadline:
                    who = conn.execute(text(
                        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.classid = :k AND l.granted "
                        "AND l.objid = hashtext(current_schema())::oid LIMIT 1"), key).scalar()
                    raise AidctlError(f"另一个 aidctl 发放或对账任务正在使用同一账本（{who or '未知'}）；"
                                      "请等它结束后再试，或加 --wait 秒数 等待", file=self.shown)
                time.sleep(0.2)
            conn.commit()
            try:
                yield
            finally:
                with contextlib.suppress(SQLAlchemyError):
                    conn.execute(text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"), key)
                    conn.commit()

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
SLAB_STATEMENTS = 100   # statements' rows turned into Python values at a time (50,000 rows)


def bulk_insert(conn, table: Table, frame, constants: dict | None = None) -> None:
    """Insert a frame's rows into `table`; `constants` are the same in every row.

    On SQLite the values go to the driver as they are, several hundred rows to an INSERT: the
    per-statement and per-row work of the driver and of SQLAlchemy's parameter processing costs more
    than SQLite itself for a batch of 500,000 payments. The constants are written into the statement
    as literals (rendered by SQLAlchemy), so the driver binds only what differs by row. On
    PostgreSQL (psycopg 3) the rows go in by COPY, as text made for the whole frame at once. Other
    databases take the Core path.
    """
    if frame.empty:
        return
    constants = constants or {}
    names = list(frame.columns)
    unknown = [n for n in [*names, *constants] if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {unknown}")
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_rows(conn, table, frame, constants)
        return
    def columns(part):
        return [part[c].astype(object).where(part[c].notna(), None).tolist() for c in names]

    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, values)) | constants for values in zip(*columns(frame))])
        return
    dbapi = conn.connection.dbapi_connection
    literals = [str(literal(v).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                for v in constants.values()]
    row = f"({', '.join(['?'] * len(names) + literals)})"
    head = f"INSERT INTO {table.name} ({', '.join([*names, *constants])}) VALUES "
    per = max(1, min(ROWS_PER_STATEMENT, dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(names)))
    width = per * len(names)
    whole = len(frame) // per
    rest = len(frame) - whole * per
    slab = per * SLAB_STATEMENTS

    def statements():
        # the rows become Python values a slab at a time: all of a term's at once (500,000 rows of
        # eleven columns) would hold some 400 MB more at the run's peak
        for start in range(0, whole * per, slab):
            values = list(itertools.chain.from_iterable(zip(*columns(frame.iloc[start:min(start + slab, whole * per)]))))
            for i in range(len(values) // width):
                yield values[i * width:(i + 1) * width]

    cursor = dbapi.cursor()
    sql = head + ", ".join([row] * per)
    try:
        cursor.executemany(sql, statements())
        if rest:
            sql = head + ", ".join([row] * rest)
            cursor.execute(sql, list(itertools.chain.from_iterable(zip(*columns(frame.iloc[whole * per:])))))
    except conn.dialect.dbapi.Error as exc:  # as SQLAlchemy would have raised it (IntegrityError …)
        problem = database_problem(exc, conn.engine.url.database or str(conn.engine.url))
        if problem is not None:
            raise problem from None
        # named by one row's statement: the one that failed holds hundreds
        raise DBAPIError.instance(head + row, None, exc, conn.dialect.dbapi.Error) from None
    finally:
        cursor.close()


_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_COPY_CHUNK = 1 << 16  # rows a write


def _copy_text(values: pd.Series) -> pa.Array:
    """A column as COPY's text format: escapes for backslash, tab and line breaks, \\N for NULL."""
    if pd.api.types.is_integer_dtype(values.dtype):
        out = pa.array(values.astype("Int64").astype("string"), type=pa.large_string())
    else:
        out = pa.array(values.astype("string"), type=pa.large_string())
        for a, b in _COPY_ESCAPES:
            out = pc.replace_substring(out, a, b)
    return pc.fill_null(out, "\\N")


def _copy_constant(value, n: int) -> pa.Array:
    text = "\\N" if value is None else str(value)
    if value is not None:
        for a, b in _COPY_ESCAPES:
            text = text.replace(a, b)
    return pa.array([text] * n, type=pa.large_string())


def _copy_rows(conn, table: Table, frame: pd.DataFrame, constants: dict) -> None:
    """COPY the frame's rows (and the constants, the same in every row) into `table`."""
    names = [*frame.columns, *constants]
    columns = [_copy_text(frame[c]) for c in frame.columns]
    columns += [_copy_constant(v, len(frame)) for v in constants.values()]
    lines = pc.binary_join_element_wise(*columns, pa.scalar("\t", pa.large_string()))
    cursor = conn.connection.dbapi_connection.cursor()
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    try:
        with cursor.copy(sql) as copy:
            for start in range(0, len(lines), _COPY_CHUNK):
                part = lines.slice(start, _COPY_CHUNK).to_pylist()
                copy.write(("\n".join(part) + "\n").encode("utf-8"))
    except conn.dialect.dbapi.Error as exc:  # as SQLAlchemy would have raised it (IntegrityError …)
        raise DBAPIError.instance(sql, None, exc, conn.dialect.dbapi.Error) from None
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
    """(person, programme) → batch, status of the term's payments; the failed ones with their card,
    id and failure reason (what a re-issue needs), the others without (NA): a term holds 500,000
    payments, and these three columns of every one cost a third of the read."""
    columns = ["person", "programme", "batch", "status", "card", "payment_id", "failure_reason"]
    p = payments.c
    with ledger.connect() as conn:
        every = _joined_keys(conn, term) if conn.dialect.name == "sqlite" else None
        if every is None:
            standing = fetch_frame(conn, select(p.person, p.programme, p.batch_id, p.status)
                                   .where(p.term == term, p.status != "failed"), columns[:4])
            any_failed = True
        else:  # the failed ones are asked for again, with their details, only when there are some
            is_failed = (every["status"] == "failed").to_numpy(dtype=bool)
            any_failed = bool(is_failed.any())
            standing = every[~is_failed].reset_index(drop=True) if any_failed else every
        failed = fetch_frame(conn, select(p.person, p.programme, p.batch_id, p.status, p.card, p.id,
                                          p.failure_reason).where(p.term == term, p.status == "failed"), columns) \
            if any_failed else pd.DataFrame(columns=columns)
    if failed.empty:
        return standing.assign(card=None, payment_id=pd.NA, failure_reason=None)[columns] if len(standing) \
            else pd.DataFrame(columns=columns)
    if standing.empty:
        return failed
    return pd.concat([standing, failed], ignore_index=True)[columns]


def paid_rows(person: pd.Series, programme: pd.Series, known: pd.DataFrame) -> np.ndarray:
    """For each (person, programme), the position of its row in `known` (paid_keys: the ledger holds
    a term's key once), or -1; a blank person or programme matches nothing. Matched one programme
    at a time, the rows of each taken together by sorting their codes: within a programme the
    ledger holds a person once, so each person is hashed once (Arrow's index_in) and no text joined
    from the two columns can stand for another pair."""
    from aidctl.core.text import arrow_text

    programmes = pc.dictionary_encode(arrow_text(known["programme"]))
    theirs = programmes.indices.to_numpy(zero_copy_only=False)
    ours = pc.fill_null(pc.index_in(arrow_text(programme), value_set=programmes.dictionary, skip_nulls=True), -1)
    ours = ours.to_numpy(zero_copy_only=False)
    people, wanted = arrow_text(known["person"]), arrow_text(person)
    out = np.full(len(wanted), -1, dtype=np.int64)
    rows_by, recs_by = np.argsort(theirs, kind="stable"), np.argsort(ours, kind="stable")
    codes = np.arange(len(programmes.dictionary) + 1)
    row_bounds = np.searchsorted(theirs[rows_by], codes)
    rec_bounds = np.searchsorted(ours[recs_by], codes)
    for code in codes[:-1]:
        rows = rows_by[row_bounds[code]:row_bounds[code + 1]]
        recs = recs_by[rec_bounds[code]:rec_bounds[code + 1]]
        if len(rows) and len(recs):
            at = pc.index_in(wanted.take(recs), value_set=people.take(rows), skip_nulls=True)
            at = pc.fill_null(at, -1).to_numpy(zero_copy_only=False)
            out[recs[at >= 0]] = rows[at[at >= 0]]
    return out


_RECORD = "\x1e"   # the record separator: in no ID, programme name, batch id or status


def _joined_keys(conn, term: str) -> pd.DataFrame | None:
    """The term's payments (person, programme, batch, status) from SQLite as one text a
    column, cut apart by Arrow: a sixth of the time of 500,000 rows as Python tuples (grouped by
    batch, SQLite would sort them first: twice the time). One query feeds the four texts the same rows
    in the same order. The texts come as bytes: as Python text they would be decoded and encoded
    again. None when a column holds a NULL (group_concat leaves it out) or a text does not cut into
    exactly the count of rows (a separator inside a value), or is too long for SQLite to make (its
    limit is a billion bytes, some 40 million payments): the caller then reads the rows one by one."""
    p = payments.c
    columns = {"person": p.person, "programme": p.programme, "batch": p.batch_id, "status": p.status}
    query = select(func.count(), *[func.count(c) for c in columns.values()],
                   *[cast(func.group_concat(c, literal(_RECORD)), LargeBinary) for c in columns.values()]) \
        .where(p.term == term)
    try:
        count, *figures = conn.execute(query).one()
    except DBAPIError as exc:
        if isinstance(exc.orig, sqlite3.DataError):  # "string or blob too big"
            return None
        raise
    if not count:
        return pd.DataFrame(columns=list(columns))
    present, texts = figures[:len(columns)], figures[len(columns):]
    if any(n != count for n in present):
        return None
    out = {}
    for name, data in zip(columns, texts):
        try:
            values = pa.array([data], pa.large_binary()).cast(pa.large_string())
        except pa.ArrowInvalid:  # not UTF-8: the row path reads it as the driver does
            return None
        values = pc.list_flatten(pc.split_pattern(values, _RECORD))
        if len(values) != count:
            return None
        out[name] = pd.arrays.ArrowStringArray(values)
    return pd.DataFrame(out)
