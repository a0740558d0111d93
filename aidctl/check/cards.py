"""The bank card (资助卡) each payment goes to: present, whole, well formed, one student's own."""

from __future__ import annotations

import pandas as pd

from aidctl.check.duplicates import places
from aidctl.core.findings import build, empty, group_places, malformed_number
from aidctl.read import Roster
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    card = f["card"]
    out = [build(card.isna() & roster.present("card"), "card.missing", "card",
                 "银行卡号为空：请补填学生本人的资助卡卡号")]
    lost = f["card_digits_lost"]
    out.append(build(lost, "card.precision_lost", "card",
                     "银行卡号以数字格式保存，Excel 只保留15位有效数字，末几位已丢失（现为“{v}”）："
                     "请把该列设为“文本”格式，照卡面重新录入", card, v=card))
    malformed = (card.notna() & ~lost & ~f["card_shape_ok"]).to_numpy(dtype=bool)
    out += malformed_number(malformed, "card.format", "card", card,
                            "银行卡号", "“{v}”不是16—19位数字（现为{n}位）：请照卡面核对后更正",
                            "卡号只填卡面上的16—19位数字，说明请写在“备注”列", n=card.str.len())
    out.append(build(f["card_shape_ok"] & ~f["card_luhn_ok"], "card.luhn", "card",
                     "银行卡号“{v}”未通过校验位检查：不少真实借记卡和存折也不通过，请对照卡面核实后再发放",
                     card, v=card))
    out.append(_shared(roster))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _shared(roster: Roster) -> pd.DataFrame:
    """card.shared: one card number given for more than one person (by ID, else by name). Each record
    names the card's people once: how many, and where the first of them stand (their first record)."""
    f = roster.frame
    usable = f["card_shape_ok"].to_numpy() & f["card"].duplicated(keep=False).to_numpy()
    if not usable.any():
        return empty()
    sub = f[usable]
    pairs = pd.DataFrame({"card": sub["card"], "who": sub["person"].fillna(sub["name"])}).drop_duplicates()
    people = pairs.groupby("card").size()
    shared = people[people > 1]
    mask = usable & f["card"].isin(shared.index).to_numpy()
    firsts = f.loc[pairs.index[pairs["card"].isin(shared.index).to_numpy()]]  # each person's first record
    place = places(roster, firsts) + "（" + firsts["name"].astype("string").fillna("姓名空") + "）"
    group = group_places(firsts["card"], place)
    return build(mask, "card.shared", "card",
                 "银行卡号“{v}”同时登记给{n}名学生：{places}。资助卡应一人一卡，请核实是否为学生本人的卡",
                 f["card"], v=f["card"], n=f["card"][mask].map(shared),
                 places=f["card"][mask].map(group["places"]))
