"""A figure of an enlistment list in a unit larger than 元 (第1学年学费（万元）) that the cap would hide.

5000 under 学费（万元） is read, as the header says, as 50000000.00元, and was paid at the cap with the
figure only in the reason: a list of 元 figures under a 万元 header paid every student the cap. Capped,
no figure tells 5000 元 from 5000 万元; so a year's tuition or loan whose column states a unit other
than 元 and that, in 元, is above the year's cap is not read: whether the column is in that unit or in
元 is not known. The student is refused (enlist.invalid) naming the column, the figure as written, what
it is in 元 and the cap, never paid at the cap. A figure under the cap in that unit (0.585 万元) is what
its header says, and is read. The loan's totals (贷款本金, 贷款本息) are not bounded so: a loan beyond
what the years counted compensate is a case of its own (enlist.loan_exceeds), and their 万元 against
the years' loans is checked where both are given (they must agree).
"""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import build
from aidctl.core.money import yuan_text_or_none
from aidctl.read import Table

DOUBT = "{key}_unit_doubt"


def unit_doubts(f: pd.DataFrame, tables: list[Table], keys: list[str], units: dict) -> None:
    """None: adds `<key>_unit_doubt` for each key (each year's tuition and loan): why its figure is not
    read (NA elsewhere), and leaves the figure unread (`<key>_ok` false, `<key>_fen` NA)."""
    name = {}
    for word, value in units.items():
        name.setdefault(value, word)
    cap = f["cap_fen"]
    said = "每学年补偿上限" + cap.map(yuan_text_or_none).astype("string") + "元"
    for key in keys:
        where = {i: t.columns[key] for i, t in enumerate(tables) if key in t.columns and t.columns[key].unit != 1}
        doubt = pd.Series(pd.NA, index=f.index, dtype="string")
        if where:
            unit = f["table"].map({i: m.unit for i, m in where.items()})
            big = (unit.notna() & f[f"{key}_ok"] & (f[f"{key}_fen"] > cap)).fillna(False).astype(bool)
            header = f["table"].map({i: m.header for i, m in where.items()}).astype("string")
            unit_name = unit.map(lambda u: name.get(u, str(u)), na_action="ignore").astype("string")
            written = f[key].astype("string")
            doubt = doubt.mask(big, "“" + header + "”“" + written + "”按" + unit_name + "计为"
                               + f[f"{key}_fen"].map(yuan_text_or_none).astype("string") + "元，高于"
                               + said + "：不知该列是按" + unit_name + "还是按元填写")
            f[f"{key}_ok"] = f[f"{key}_ok"] & ~big
            f[f"{key}_fen"] = f[f"{key}_fen"].mask(big)
        f[DOUBT.format(key=key)] = doubt


def unit_findings(f: pd.DataFrame, keys: list[str]) -> list[pd.DataFrame]:
    """enlist.invalid for each figure `unit_doubts` left unread: the student is not paid."""
    keys = [k for k in keys if DOUBT.format(key=k) in f]
    return [build(f[DOUBT.format(key=key)].notna(), "enlist.invalid", key,
                  "{why}，不按任何一种计算，不予发放：请核对金额单位，在表头写明实际单位（如“第1学年学费（元）”）后重新提交",
                  f[key].astype("string"), why=f[DOUBT.format(key=key)]) for key in keys]
