"""ledger.already_paid: the ledger already holds a payment for this student, programme and term."""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import build, empty
from aidctl.ledger import PAID_OR_UNDER_WAY, Ledger, paid_keys, paid_rows
from aidctl.read import Roster


def check(roster: Roster, ledger: Ledger, paid: pd.DataFrame | None = None) -> pd.DataFrame:
    """ledger.already_paid for each record the ledger holds a standing payment of; `paid` is the
    ledger's paid_keys for the roster's term where the caller read them already."""
    paid = paid_keys(ledger, str(roster.term)) if paid is None else paid
    paid = paid[paid["status"].isin(PAID_OR_UNDER_WAY)]
    if paid.empty:
        return empty()
    f = roster.frame
    at = paid_rows(f["person"], f["programme_name"], paid)
    batch = pd.Series(paid["batch"].to_numpy(dtype=object)[at], index=f.index).where(at >= 0)
    return build(batch.notna(), "ledger.already_paid", "id_number",
                 "该生本学期的“{p}”已在批次 {b} 中发放（或正在发放）：不得重复发放",
                 f["id_number"], p=f["programme_name"], b=batch)
