"""The 催收 list: every borrower overdue at a date, by county, for the county offices to call.

Overdue is decided per contract by register.repayment (see OVERDUE_RULE); a borrower with several
overdue contracts (one per loan year) is one line: the largest days overdue, the arrears summed, the
contracts listed. Each county gets a sheet, most overdue first, with columns to record each call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.core import money
from aidctl.core.errors import UsageError
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.loans.exported import unread_notes
from aidctl.loans.register import OVERDUE_RULE, REPAYMENT, Register, read_register, repayment
from aidctl.read import Workspace


@dataclass
class Collection:
    as_of: date
    register: Register
    borrowers: pd.DataFrame      # one row a borrower, sorted by county, days (desc), arrears (desc)
    out: Path | None = None
    # contracts (by position) fallen due that could be judged neither on time nor overdue, yet no
    # check said so (none expected: checks._arrears_unjudged): listed, never left off without a word
    left_out: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # said once: a default the figures took (exported.unread_notes)

    def counties(self) -> pd.DataFrame:
        b = self.borrowers
        if not len(b):
            return pd.DataFrame(columns=["county", "borrowers", "arrears_fen", "max_days"])
        g = b.groupby("county", sort=True)
        return pd.DataFrame({"borrowers": g.size(), "arrears_fen": g["arrears_fen"].sum(),
                             "max_days": g["days"].max()}).reset_index()

    def to_json(self, root: Path | None = None) -> dict:
        b = self.borrowers
        people = []
        for r in b.itertuples(index=False):   # overdue borrowers: hundreds, not hundreds of thousands
            people.append({"county": r.county, "name": r.name, "id_number": r.id_masked, "contracts": r.contracts,
                           "loan_years": r.loan_years, "days_overdue": int(r.days), "days_source": r.days_source,
                           "amount_due": str(money.yuan(r.arrears_fen)), "due_date": r.due_date,
                           "phone": r.phone, "co_borrower": r.co_borrower, "co_phone": r.co_phone,
                           "address": r.address, "school": r.school, "file": r.file, "rows": r.rows})
        counties = [{"county": r.county, "borrowers": int(r.borrowers), "amount_due": str(money.yuan(r.arrears_fen)),
                     "max_days_overdue": int(r.max_days)} for r in self.counties().itertuples(index=False)]
        out = None
        if self.out is not None:
            out = str(self.out.relative_to(root)) if root and self.out.is_absolute() and self.out.is_relative_to(root) \
                else str(self.out)
        return {"version": 1, "as_of": str(self.as_of), "rule": OVERDUE_RULE,
                "files": self.register.file_info(), "counties": counties, "borrowers": people,
                "excluded": self.register.excluded(REPAYMENT, also=self.left_out),
                "totals": {"borrowers": len(b), "amount_due": str(money.yuan(money.exact_total(b["arrears_fen"])))},
                "notes": list(self.notes), "out": out}


NEEDED = (("principal_due", "repaid"), ("due_date", "days_overdue"))
# the overdue contracts' amounts summed by borrower and county, and the register's columns they come from
SUMMED = (("arrears_fen", "逾期", ("principal_due", "interest_due", "repaid")),
          ("principal_due_fen", "应还本金", ("principal_due",)), ("interest_due_fen", "应还利息", ("interest_due",)),
          ("repaid_fen", "实还", ("repaid",)))


def collect(path: Path, ws: Workspace, as_of: date, *, display: str | None = None,
            out: Path | None = None) -> Collection:
    """Read and check the register, list the borrowers overdue at `as_of`, and write the 催收 workbook
    to `out` (default out/loans/生源地贷款逾期催收名单_<date>.xlsx; a path that would replace the
    register or a file the workspace keeps is refused before anything is read)."""
    target = ws.output(out or default_out(ws, as_of), [path])
    register = read_register(path, ws, display)
    spec = ws.rules.columns.tables["loan_register"].columns
    for t in register.tables:
        missing = [spec[k].title for k in NEEDED[0] if k not in t.columns]
        if not any(k in t.columns for k in NEEDED[1]):
            missing.append(f"{spec['due_date'].title}或{spec['days_overdue'].title}")
        if missing:
            raise UsageError(f"台账缺少“{'”“'.join(missing)}”列，无法认定逾期：请从经办银行系统导出含还款情况的台账",
                             file=t.file, sheet=t.sheet)
    f = register.frame
    rep = repayment(f, as_of, ws.rules)
    judged = ~register.invalid(REPAYMENT).to_numpy()
    overdue = rep["overdue"].to_numpy() & judged
    limbo = np.flatnonzero(judged & rep["unjudged"].to_numpy(dtype=bool)).tolist()
    left_out = dict.fromkeys(limbo, "有欠款，既不能认定按期还款也不能认定逾期：是否逾期无法判断，未列入催收名单")
    rows = f[overdue].assign(arrears_fen=rep.loc[overdue, "arrears_fen"], days=rep.loc[overdue, "days"],
                             days_source=rep.loc[overdue, "days_source"])
    # exact, and refused beyond 64 bits: then no sum by borrower or county, nor the 合计, wraps round
    for column, what, cells in SUMMED:
        register.held_total(rows[column], what, cells)
    result = Collection(as_of, register, _borrowers(rows, register, ws.rules.publicity.masking.masking()),
                        left_out=left_out,
                        notes=unread_notes(f, register.tables, ws.rules.loans.export_date_labels, judged, as_of))
    from aidctl.loans.workbooks import write_collection

    result.out = write_collection(result, target, ws.rules)
    return result


def _borrowers(rows: pd.DataFrame, register: Register, masking) -> pd.DataFrame:
    """One line per borrower (by the valid ID, else the ID as typed, else the contract), aggregated
    with grouped kernels: the most days overdue, the sums, the contracts and rows in loan-year order."""
    cols = ["county", "name", "id_number", "id_masked", "contracts", "loan_years", "days", "days_source",
            "arrears_fen", "principal_due_fen", "interest_due_fen", "repaid_fen", "due_date", "phone",
            "co_borrower", "co_phone", "address", "school", "file", "rows"]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    rows = rows.sort_values(["year", "excel_row"], kind="stable")
    files = pd.Series([t.file for t in register.tables])
    work = pd.DataFrame({
        "who": rows["person"].astype(object).where(rows["person"].notna(), "合同" + rows["contract"].astype(str)),
        "contract": rows["contract"].astype(object).fillna("（编号空）"),
        "year": rows["year"].astype("string").fillna("?").astype(object),
        "by_date": rows["days_source"] == "due_date",
        "file": files.reindex(rows["table"].to_numpy()).to_numpy(),
        **{c: rows[c] for c in ("county", "name", "id_number", "days", "arrears_fen", "due", "excel_row", "phone",
                                "co_borrower", "co_phone", "address", "school")},
        **{c: rows[c].fillna(0) for c in ("principal_due_fen", "interest_due_fen", "repaid_fen")},
    })
    g = work.groupby("who", sort=False)
    due = g["due"].min()
    b = pd.DataFrame({
        "county": g["county"].last().fillna(UNKNOWN_COUNTY),            # as the latest contract has it
        "name": g["name"].first(), "id_number": g["id_number"].first(),
        "contracts": g["contract"].agg("、".join), "loan_years": g["year"].agg("、".join),
        "days": g["days"].max().astype("int64"),
        "days_source": g["by_date"].all().map({True: "due_date", False: "register"}),
        **{c: g[c].sum().astype("int64") for c in ("arrears_fen", "principal_due_fen", "interest_due_fen",
                                                   "repaid_fen")},
        "due_date": due.dt.strftime("%Y-%m-%d").astype(object).where(due.notna(), None),
        **{c: g[c].first() for c in ("phone", "co_borrower", "co_phone", "address", "school")},
        "file": g["file"].agg(lambda s: "、".join(dict.fromkeys(s))),
        "rows": g["excel_row"].agg(lambda s: [int(r) for r in s]),
    }).reset_index(drop=True)
    b = b.astype(dict.fromkeys(("name", "id_number", "phone", "co_borrower", "co_phone", "address", "school"), object))
    b = b.where(b.notna(), None)
    masked = masking.ids(b["id_number"].astype("string")).astype(object)   # the rules' widths
    b["id_masked"] = masked.where(masked.notna(), None)
    b = b.sort_values(["county", "days", "arrears_fen", "name"], ascending=[True, False, False, True],
                      kind="stable").reset_index(drop=True)
    return b[cols]


def default_out(ws: Workspace, as_of: date) -> Path:
    return ws.root / "out" / "loans" / f"生源地贷款逾期催收名单_{as_of}.xlsx"


def sheet_names(counties: list[str]) -> dict[str, str]:
    """An Excel sheet name per county: ≤ 31 characters, none of []:*?/\\, unique as Excel compares
    them (case ignored: 'Xiangzhou' and 'XIANGZHOU' are one name to Excel), not 汇总 or History."""
    names: dict[str, str] = {}
    used = {"汇总", "history"}   # History is reserved by Excel
    for c in counties:
        base = "".join(ch for ch in str(c) if ch not in "[]:*?/\\").strip("'")[:31] or "县区"
        name, n = base, 2
        while name.casefold() in used:
            suffix = f"({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(name.casefold())
        names[c] = name
    return names

