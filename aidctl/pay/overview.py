"""aidctl ledger show: the batches of the ledger (or of one term) and its payments by status."""

from __future__ import annotations

from aidctl.core.errors import UsageError
from aidctl.core.terms import Term
from aidctl.ledger import Ledger, status_totals
from aidctl.read import Workspace


def ledger_overview(ws: Workspace, term: Term | None, db: str | None = None) -> dict:
    """Each batch with its count, amount and the count and amount in each status; the payments by status."""
    if not ws.has_ledger() and not db:
        raise UsageError(f"{ws.root} 还没有账本（aidctl.db）：先运行 aidctl disburse")
    ledger = Ledger(ws.ledger_url(db))
    key = str(term) if term else None
    with ledger.connect() as conn:
        return {"version": 1, "term": key, "batches": ledger.batch_summary(conn, key),
                "payments": status_totals(conn, key)}
