"""Read a bank's result file (回盘) into one row a payment line, as its profile describes it."""

from __future__ import annotations

from xml.etree import ElementTree

import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.core.money import fen_from_text
from aidctl.rulebook import BankProfile, ColumnSpec, TableSpec


def result_spec_table(profile: BankProfile) -> TableSpec:
    """A table spec for reading the bank's result file through the roster reader."""
    cols = {k: ColumnSpec(title=t, aliases=[t], kind="card" if k == "card" else "text")
            for k, t in profile.result.columns.items()}
    return TableSpec(description=f"“{profile.name}”回盘文件", min_header_matches=3,
                     header_must_have=["card", "status"], columns=cols)


def read_result(profile: BankProfile, path, display: str, rules) -> pd.DataFrame:
    """The bank's result file as rows: seq, card, name, amount_fen, outcome (paid/failed/None),
    status (as written), reason, row (line or Excel row)."""
    if profile.result.format == "pain.002.001.03":
        return _read_pain002(profile, path, display)
    from aidctl.read import extract, locate, open_sheets

    spec = result_spec_table(profile)
    for sheet in open_sheets(path, display):
        hit = locate(sheet, spec, rules.columns.units)
        if hit:
            table = extract(path, display, sheet, hit[0], hit[1], spec, rules)
            break
    else:
        titles = "、".join(profile.result.columns.values())
        raise ReadError(f"没有找到回盘文件的表头（应含 {titles}）：这是“{profile.name}”的回盘吗？", file=display)
    data = table.data
    out = pd.DataFrame({"row": data.index.astype("int64")})
    for key in ("seq", "card", "name", "status", "reason"):
        out[key] = data[key].to_numpy() if key in data.columns else None
    amount = data["amount"].reset_index(drop=True)
    out["amount_fen"] = (fen_from_text(amount) if profile.result.amount == "yuan"
                         else pd.to_numeric(amount, errors="coerce").astype("Int64")).to_numpy()
    out["seq"] = pd.to_numeric(out["seq"], errors="coerce").astype("Int64")
    return _outcomes(profile, out)


def _outcomes(profile: BankProfile, out: pd.DataFrame) -> pd.DataFrame:
    status = out["status"].astype("string").str.strip()
    outcome = pd.Series(None, index=out.index, dtype=object)
    outcome[status.isin(profile.result.success).fillna(False).to_numpy()] = "paid"
    outcome[status.isin(profile.result.failure).fillna(False).to_numpy()] = "failed"
    out["outcome"] = outcome
    return out


def _read_pain002(profile: BankProfile, path, display: str) -> pd.DataFrame:
    from aidctl.read import check_text_file

    check_text_file(path, display)  # a regular file within the limits: a FIFO would block the parser
    try:
        tree = ElementTree.parse(path)
    except (ElementTree.ParseError, OSError) as exc:
        raise ReadError(f"无法解析 pain.002 状态报告（{exc}）", file=display) from None
    rows = []
    for _i, tx in enumerate(tree.getroot().iter(), start=1):
        if not tx.tag.endswith("TxInfAndSts"):
            continue
        def find(name, node=tx):
            for el in node.iter():
                if el.tag.endswith(name):
                    return el
            return None
        e2e = (find("OrgnlEndToEndId").text or "") if find("OrgnlEndToEndId") is not None else ""
        amount = find("InstdAmt")
        account = find("CdtrAcct")
        reason = find("StsRsnInf")
        rows.append({"row": len(rows) + 1, "e2e": e2e,
                     "seq": int(e2e.rsplit("-", 1)[1]) if "-" in e2e and e2e.rsplit("-", 1)[1].isdigit() else None,
                     "card": "".join(account.itertext()).strip() if account is not None else None,
                     "name": None, "status": (find("TxSts").text or "").strip() if find("TxSts") is not None else None,
                     "reason": " ".join(t.strip() for t in reason.itertext() if t.strip()) if reason is not None else None,
                     "amount_text": amount.text if amount is not None else None})
    out = pd.DataFrame(rows, columns=["row", "e2e", "seq", "card", "name", "status", "reason", "amount_text"])
    out["amount_fen"] = fen_from_text(out["amount_text"]) if len(out) else pd.Series(dtype="Int64")
    out["seq"] = out["seq"].astype("Int64")
    return _outcomes(profile, out.drop(columns="amount_text"))
