"""The ledger's tables and their recorded migrations.

One row per student × programme × term in `payments` (unique), its history in `attempts`, each
disbursement run in `batches` with the SHA-256 of its inputs and the fingerprint of the rules.
Money is stored as integer fen in 64-bit columns (exact on every backend; a term of 30,000
students is more than the 21,474,836.47 yuan a 32-bit column holds).
Status of a payment: pending (recorded, bank file not yet in place) → sent → paid | failed;
a failed payment re-sent to a corrected card becomes reissued → paid | failed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from aidctl.core.money import yuan  # noqa: F401  (the ledger hands out yuan)

SCHEMA_VERSION = 4
# the words people read for the statuses of batches, payments and attempts
STATUS_WORDS = {"pending": "待发", "sent": "已发送", "paid": "已入账", "failed": "失败", "reissued": "已重发",
                "recorded": "已登记（文件未写出）", "complete": "完成"}


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
    Column("total_fen", BigInteger, nullable=False),
    Column("workspace", String),                     # the folder whose run recorded it (its files are there)
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
    Column("amount_fen", BigInteger, nullable=False),
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
    Column("amount_fen", BigInteger, nullable=False),
    Column("status", String, nullable=False),        # sent → paid | failed
    Column("reason", String),
    Column("created_at", String, nullable=False),
    Column("settled_at", String),
)


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
    Column("amount_received_fen", BigInteger),
    Column("discrepancy", String),                   # None when everything agreed
    Column("inspector", String),
    Column("inspected_on", String),
    Column("recorded_at", String, nullable=False),
    Column("file", String, nullable=False),
)


receipts = Table(
    "receipts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", String, nullable=False, index=True),
    Column("sha256", String, nullable=False),        # the file's content: a submission's sha256
    Column("file", String, nullable=False),          # its name when received (relative to the workspace)
    Column("received_at", String, nullable=False),   # when the school sent it (local ISO time to the second)
    Column("source", String, nullable=False),        # receive (intake receive --at) / file_time (its mtime) / now (intake receive without --at, a new file)
    Column("recorded_at", String, nullable=False),
    UniqueConstraint("term", "sha256", name="one_receipt_per_content"),
)


MONEY_COLUMNS = [(batches, "total_fen"), (payments, "amount_fen"), (attempts, "amount_fen"),
                 (inspection_results, "amount_received_fen")]


def _money_64_bit(conn) -> None:
    """Version 3: money columns 64-bit, and each batch names the workspace that recorded it.

    SQLite's INTEGER is already 64-bit: there only the column is added. Elsewhere (PostgreSQL) the
    32-bit money columns of a ledger made by an older aidctl become BIGINT in place."""
    dialect = conn.dialect
    if dialect.name != "sqlite":
        for table, column in MONEY_COLUMNS:
            conn.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN {column} TYPE BIGINT"))
    names = {c["name"] for c in _inspect(conn).get_columns("batches")}
    if "workspace" not in names:
        conn.execute(text("ALTER TABLE batches ADD COLUMN workspace VARCHAR"))


def _inspect(conn):
    from sqlalchemy import inspect

    return inspect(conn)


# Each version: tables to create (as defined above, created only where missing) or steps to run.
MIGRATIONS: dict[int, list] = {
    1: [schema_version, batches, batch_inputs, payments, attempts],
    2: [submissions, inspection_samples, inspection_items, inspection_results],
    3: [_money_64_bit],
    4: [receipts],
}
