"""The ledger: what has been paid, to whom, in which batch, and what schools sent.

It is the memory every stage after reading shares: the checks ask it what is already paid, a
validate or disburse run records the files it saw (submissions), disburse records batches,
payments and attempts, reconcile settles them, and the reports and oversight read it.

schema       the tables and their recorded migrations
store        the connection (SQLite by default, another database by URL), transactions, bulk rows
history      the intake history: every roster file a run saw, per school and term
"""

from aidctl.ledger.schema import (
                                  MIGRATIONS,
                                  SCHEMA_VERSION,
                                  attempts,
                                  batch_inputs,
                                  batches,
                                  inspection_items,
                                  inspection_results,
                                  inspection_samples,
                                  metadata,
                                  payments,
                                  schema_version,
                                  submissions,
)
from aidctl.ledger.store import PAID_OR_UNDER_WAY, Ledger, bulk_insert, fetch_frame, now, paid_keys, status_totals

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "attempts", "batch_inputs", "batches", "inspection_items",
           "inspection_results", "inspection_samples", "metadata", "payments", "schema_version", "submissions",
           "PAID_OR_UNDER_WAY", "Ledger", "bulk_insert", "fetch_frame", "now", "paid_keys", "status_totals"]
