"""The ledger: what has been paid, to whom, in which batch, and what schools sent.

It is the memory every stage after reading shares: the checks ask it what is already paid, a
validate or disburse run records the files it saw (the intake history), disburse records batches,
payments and attempts, reconcile settles them, and the reports and oversight read it.

schema  the tables and their recorded migrations
store   the connection (SQLite by default, another database by URL), transactions, bulk rows
intake  the intake history: every roster file a run saw, per school and term, and when it was received
"""

from aidctl.core.exports import lazy

EXPORTS = {"SCHEMA_VERSION": "schema", "STATUS_WORDS": "schema", "MIGRATIONS": "schema", "metadata": "schema",
           "schema_version": "schema", "batches": "schema", "batch_inputs": "schema", "payments": "schema",
           "attempts": "schema", "submissions": "schema", "inspection_samples": "schema",
           "inspection_items": "schema", "inspection_results": "schema", "receipts": "schema", "Ledger": "store", "now": "store",
           "bulk_insert": "store", "fetch_frame": "store", "status_totals": "store", "paid_keys": "store", "paid_rows": "store",
           "PAID_OR_UNDER_WAY": "store", "first_line": "store", "exclusive": "store", "INTAKE_KEY": "store",
           "INSPECTION_KEY": "store", "record_intake": "intake:record", "FILE_TIME": "intake", "NOW": "intake", "STATED": "intake",
           "intake_history": "intake:history", "record_validation": "intake", "is_workspace_intake": "intake",
           "intake_names": "intake:workspace_names",
           "record_receipt": "intake", "file_time": "intake"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
