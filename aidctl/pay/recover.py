"""Complete the batches a killed or interrupted run recorded but never put in place."""

from __future__ import annotations

from pathlib import Path

from aidctl import ledger as L
from aidctl.core.terms import Term
from aidctl.pay.execute import mark_sent, put_in_place
from aidctl.read import Workspace


def complete_batch(ws: Workspace, ledger: L.Ledger, batch_id: str) -> list[Path]:
    """Complete a recorded batch: its files put in place from the ledger's records, then marked sent."""
    written = put_in_place(ws, ledger, batch_id)
    mark_sent(ledger, batch_id)
    return written


def recover(ws: Workspace, ledger: L.Ledger, term: Term) -> list[str]:
    """Complete every batch of the term that was recorded but whose files were never put in place."""
    with ledger.connect() as conn:
        pending = [b["id"] for b in ledger.unfinished_batches(conn, str(term))]
    for batch_id in pending:
        complete_batch(ws, ledger, batch_id)
    return pending
