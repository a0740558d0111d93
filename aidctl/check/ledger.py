"""ledger.already_paid: the ledger already holds a payment for this student, programme and term."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from aidctl.core.findings import build, empty
from aidctl.core.text import arrow_text, text_series
from aidctl.ledger import PAID_OR_UNDER_WAY, Ledger, paid_keys, paid_rows
from aidctl.read import Roster


def check(roster: Roster, ledger: Ledger, paid: pd.DataFrame | None = None,
          at: np.ndarray | None = None) -> pd.DataFrame:
    """ledger.already_paid for each record the ledger holds a standing payment of; `paid` is the
    ledger's paid_keys for the roster's term where the caller read them already, and `at` each
    record's position there (paid_rows) where the caller matched them."""
    f = roster.frame
    if paid is None:
        paid, at = paid_keys(ledger, str(roster.term)), None
    standing = paid["status"].isin(PAID_OR_UNDER_WAY).to_numpy(dtype=bool)
    if not standing.any():
        return empty()
    if at is None:
        at = paid_rows(f["person"], f["programme_name"], paid)
    # each record's batch where the ledger holds a standing payment of it, else none
    held = at >= 0
    held[held] = standing[at[held]]
    batch = text_series(arrow_text(paid["batch"]).take(pa.array(at, mask=~held)), f.index)
    return build(batch.notna(), "ledger.already_paid", "id_number",
                 "该生本学期的“{p}”已在批次 {b} 中发放（或正在发放）：不得重复发放",
                 f["id_number"], p=f["programme_name"], b=batch)
