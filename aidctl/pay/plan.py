"""The payment plan: checked rosters → one payment per eligible student and programme, routed to a bank profile, against what the ledger already holds. Nothing here touches the ledger or the disk."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl import ledger as L
from aidctl.check import Validation, ledger_match, validate
from aidctl.core import money
from aidctl.core.errors import AidctlError
from aidctl.core.files import digests, sha256
from aidctl.core.findings import ERROR
from aidctl.core.terms import Term
from aidctl.core.text import fold_one, per_distinct, text_series
from aidctl.pay.bankfiles import unwritable
from aidctl.read import Workspace, shown


@dataclass
class Plan:
    """What a disbursement run would do; nothing in it has touched the ledger or the disk."""

    term: Term
    validation: Validation
    pay: pd.DataFrame              # one row a payment to send (new, or re-issue of a failed one)
    refused: pd.DataFrame          # rec, codes, reasons
    already: pd.DataFrame          # records the ledger already holds (paid or under way)
    failed_unchanged: pd.DataFrame  # failed before and the roster still has the same card
    school_funded: pd.DataFrame    # programmes paid to the school (免学费): not in student bank files
    inputs: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said aloud: a default the user did not choose

    @property
    def total_fen(self) -> int:
        return money.exact_total(self.pay["amount_fen"])  # within 64 bits: make_plan checked it


def make_plan(ws: Workspace, term: Term, rosters: list[Path], ledger: L.Ledger | None,
              bank: str | None = None, displays: list[str] | None = None) -> Plan:
    """Validate the rosters and plan the term's payments against the ledger (None: an empty one).
    The ledger's payments of the term are read on a thread once the rosters are read, the files
    hashed, and the records matched with the payments while they are checked."""
    with ThreadPoolExecutor(max_workers=1) as beside:
        known: list[Future] = []
        hashed: list[Future] = []
        matched: list[Future] = []

        def once_read() -> None:
            if ledger is not None:
                from aidctl.ledger import paid_keys

                known.append(beside.submit(paid_keys, ledger, str(term)))
            hashed.append(beside.submit(digests, rosters))  # the batch's inputs, and the intake history

        def match(roster) -> None:
            if known:
                matched.append(beside.submit(ledger_match, roster, known[0]))

        v = validate(rosters, ws, term=term, displays=displays, check_ledger=False, meanwhile=once_read,
                     built=match)
        paid, at = matched[0].result() if matched and v.term == term else (None, None)  # (same term: settle_term)
        return plan_validation(v, ws, ledger, bank, inputs=rosters, known=paid, at=at,
                               hashed=hashed[0].result() if hashed else None)


def plan_validation(v: Validation, ws: Workspace, ledger: L.Ledger | None, bank: str | None = None,
                    inputs: list[Path] | None = None, known: pd.DataFrame | None = None,
                    at: np.ndarray | None = None, hashed: dict[Path, str] | None = None) -> Plan:
    """The plan of a validation already made (rules diff plans one for each version of the rules):
    every record without an error is compared with the ledger (`known`: its paid_keys of the term,
    and `at` each record's position there, where the caller read and matched them), and each one it
    does not hold as paid is paid its decision record's amount, routed to a bank profile. `inputs`
    are the roster files to record with a batch (their SHA-256: from `hashed` where the caller made
    them)."""
    rules = ws.rules
    term = v.term
    f = v.roster.frame
    tables = v.roster.tables
    table_of = f["table"].to_numpy()
    names = pa.array([t.file for t in tables], pa.large_string())

    def files_at(recs: np.ndarray, index: pd.Index) -> pd.Series:
        # each record's file as Arrow text taken from the few file names: a term's 500,000 records
        # as Python objects would cost a tenth of a second to turn into text again
        return text_series(pc.take(names, table_of[recs]), index)

    excel_row = f["excel_row"].to_numpy()
    refused = v.refused().to_numpy()
    extra_codes: dict[int, list[str]] = {}

    programmes = rules.programmes.programmes
    payee = per_distinct(f["programme_name"], lambda n: programmes[n].payee if n in programmes else None)
    school_funded = ~refused & (payee == "school").fillna(False).to_numpy(dtype=bool)
    candidate = ~refused & (payee == "student").fillna(False).to_numpy(dtype=bool)

    amount = v.decisions.frame["amount_fen"].array  # the standard, else the roster's (Int64)
    amount_missing = candidate & amount.isna()  # cannot happen after validation; never guess
    if amount_missing.any():
        raise AidctlError(f"{int(amount_missing.sum())} 条记录无法确定发放金额：这是 aidctl 的缺陷，请报告")

    # the ledger first: a payment it holds is not sent again, whatever its bank (a cron retry pays nobody)
    already, failed_unchanged, reissue = _against_ledger(f, np.flatnonzero(candidate), ledger, term, known, at)
    candidate[already["rec"].to_numpy(dtype=np.int64)] = False
    candidate[failed_unchanged["rec"].to_numpy(dtype=np.int64)] = False

    # only the payments still to send are routed: a retry that pays nobody routes no one
    at_hand = np.flatnonzero(candidate)
    written_bank = pd.Series(f["bank"].array[at_hand], index=at_hand)
    routed = _route(written_bank, rules, ws, bank)
    unknown_bank = routed.isna().to_numpy()
    for rec in routed.index[unknown_bank]:
        extra_codes.setdefault(int(rec), []).append("bank.unknown")
    candidate[routed.index[unknown_bank]] = False
    profile = routed.array[~unknown_bank]

    memo_label = rules.term_label(term)

    def of_candidates(column: pd.Series):
        # filtered in the column's own storage (Arrow for text): turning 500,000 values into Python
        # objects here only to have them turned back into Arrow costs ~0.2 s
        return column.array[candidate]

    person = of_candidates(f["person"])
    recs = np.flatnonzero(candidate)
    pay = pd.DataFrame({
        "rec": recs,
        "person": person,
        "name": of_candidates(f["name"]),
        "school": of_candidates(f["school"]),
        "county": of_candidates(f["v_county"]),
        "programme": of_candidates(f["programme_name"]),
        "amount_fen": amount[candidate].to_numpy(dtype="int64"),
        "card": of_candidates(f["card"]),
        "id_number": person,
        "bank_profile": profile,
        "source_file": files_at(recs, pd.RangeIndex(len(recs))),
        "source_row": excel_row[candidate],
        "payment_id": reissue.reindex(recs).astype("Int64").array,  # a re-issue: the failed payment's id
    })
    pay["memo"] = memo_label + pay["programme"]
    for pid, group in pay.groupby("bank_profile"):
        reasons = unwritable(rules.bank(pid), group)
        for rec in group["rec"][reasons.notna().to_numpy()]:  # a rare name the bank's encoding lacks
            extra_codes.setdefault(int(rec), []).append("bank.unwritable")
    pay = pay[~pay["rec"].isin(list(extra_codes))]
    pay = pay.sort_values(["bank_profile", "school", "programme", "source_file", "source_row"],
                          na_position="last", kind="stable").reset_index(drop=True)
    if len(pay):  # the total and the batch's check-sums, exact: beyond 64 bits they would wrap round
        top = pay.iloc[int(np.argmax(pay["amount_fen"].to_numpy()))]
        money.check_sums(pay["amount_fen"], "本次发放", seq=np.arange(1, len(pay) + 1),
                         hint=f"（金额最大的一笔：{top['source_file']} 第{int(top['source_row'])}行，"
                              f"{money.yuan(top['amount_fen'])} 元）")

    refused_df = _refusals(v, refused, extra_codes)
    notes = list(v.notes)  # what the validation said aloud (a school schools.xlsx cannot tell …)
    default = rules.default_bank
    if not bank and not ws.settings.bank_profile and rules.origin(f"banks/{default}.yaml") == "packaged":
        blank = pay["rec"].isin(written_bank.index[written_bank.isna().to_numpy()])  # nobody chose their bank
        if blank.any():
            notes.append(f"{int(blank.sum())} 笔付款的花名册没有填写开户银行，本次也没有用 --bank 指定、工作目录的 aidctl.toml "
                         f"没有设 bank_profile：按默认的银行格式“{rules.bank(default).name}”（{default}）发放")

    def placed(part: pd.DataFrame) -> pd.DataFrame:
        recs = part["rec"].to_numpy(dtype=np.int64)
        return part.assign(file=files_at(recs, part.index), row=excel_row[recs])

    already, failed_unchanged = placed(already), placed(failed_unchanged)
    records: dict[Path, int] = {}
    for t in tables:  # once over the tables, not once a file: a term is a thousand files
        records[t.path] = records.get(t.path, 0) + t.records
    inputs = [{"file": shown(p), "sha256": (hashed or {}).get(Path(p)) or sha256(p), "records": records.get(p, 0)}
              for p in dict.fromkeys(inputs or [])]
    return Plan(term, v, pay, refused_df, already, failed_unchanged,
                pd.DataFrame({"rec": np.flatnonzero(school_funded)}), inputs, notes)


def _route(written: pd.Series, rules, ws: Workspace, bank: str | None) -> pd.Series:
    """The bank profile of each record by its 开户银行 `written`: --bank; else the profile naming the
    bank; else, with no 开户银行 written, the workspace's agent bank; a bank named but without a
    profile, or naming the banks of two profiles → None."""
    if bank:
        rules.bank(bank)
        return pd.Series(bank, index=written.index, dtype=object)
    default = ws.settings.bank_profile or rules.default_bank
    rules.bank(default)
    by_name = {fold_one(n): pid for pid, p in rules.banks.items() for n in p.bank_names}

    def pick(name):
        key = fold_one(name)
        if key in by_name:
            return by_name[key]
        inside = {pid for n, pid in by_name.items() if n and n in key}  # 中国建设银行某某支行 → ccb
        return inside.pop() if len(inside) == 1 else None  # two banks named: a finding, not a guess

    return per_distinct(written, pick).astype(object).where(written.notna(), default)


def _against_ledger(f: pd.DataFrame, recs: np.ndarray, ledger: L.Ledger | None, term: Term,
                    known: pd.DataFrame | None = None, at: np.ndarray | None = None):
    """Split the records `recs` of the roster frame by what the ledger holds: standing payments (not
    paid again), failed ones whose card is unchanged (not sent again), and failed ones now on another
    card (rec → payment id to re-issue). `at`: each record's position in `known` (paid_rows)."""
    cols = ["rec", "person", "programme", "batch", "status", "card", "payment_id", "failure_reason"]
    if ledger is None or not len(recs):
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=cols), pd.Series(dtype="Int64")
    from aidctl.ledger import PAID_OR_UNDER_WAY, paid_keys, paid_rows  # SQLAlchemy: only with a ledger

    if known is None:
        known, at = paid_keys(ledger, str(term)), None
    if at is None:
        at = paid_rows(f["person"], f["programme_name"], known)  # an inner join on (person, programme)
    status = known["status"]
    standing_at = status.isin(PAID_OR_UNDER_WAY).to_numpy(dtype=bool)
    failed_at = (status == "failed").fillna(False).to_numpy(dtype=bool)
    at = at[recs]
    hit = at >= 0
    recs, at = recs[hit], at[hit]
    standing, failed = standing_at[at], failed_at[at]
    fr, fa = recs[failed], at[failed]
    paid_card = pd.array(known["card"].to_numpy(dtype=object)[fa], dtype="string")
    # a card missing on either side is not the same card
    same = (f["card"].array[fr] == paid_card).fillna(False).to_numpy(dtype=bool)

    def part(r: np.ndarray, k: np.ndarray, card) -> pd.DataFrame:
        return pd.DataFrame({
            "rec": r, "person": f["person"].array[r], "programme": f["programme_name"].array[r],
            "batch": known["batch"].array[k], "status": status.array[k], "card": card,
            "payment_id": known["payment_id"].to_numpy(dtype=object)[k],
            "failure_reason": known["failure_reason"].to_numpy(dtype=object)[k]}, columns=cols)

    sr = recs[standing]
    reissue = pd.Series(known["payment_id"].to_numpy(dtype=object)[fa[~same]], index=fr[~same], dtype="Int64")
    return part(sr, at[standing], f["card"].array[sr]), part(fr[same], fa[same], paid_card[same]), reissue


def _refusals(v: Validation, refused: np.ndarray, extra: dict[int, list[str]]) -> pd.DataFrame:
    f = v.findings
    errors = f[f["severity"] == ERROR]
    frame = v.roster.frame
    codes: dict[int, list[str]] = {}
    for rec, code in errors.loc[errors["rec"] >= 0, ["rec", "code"]].itertuples(index=False, name=None):
        codes.setdefault(int(rec), []).append(code)
    whole_file = errors.loc[errors["rec"] < 0].groupby("table")["code"].agg(list).to_dict()
    recs = sorted(set(np.flatnonzero(refused)) | set(extra))
    out = []
    tables = frame["table"].to_numpy()
    excel_rows = frame["excel_row"].to_numpy()
    for rec in recs:  # refused records are few; each keeps its codes in order of the catalogue
        table = int(tables[rec])
        all_codes = list(dict.fromkeys(whole_file.get(table, []) + codes.get(rec, []) + extra.get(rec, [])))
        out.append({"rec": rec, "file": v.roster.tables[table].file, "row": int(excel_rows[rec]),
                    "codes": all_codes})
    return pd.DataFrame(out, columns=["rec", "file", "row", "codes"])
