"""The bank card (资助卡) each payment goes to: present, whole, well formed, one student's own."""

from __future__ import annotations

import pandas as pd

from aidctl.findings import build, empty, text
from aidctl.rulebook import Rulebook
from aidctl.roster import Roster


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    card = f["card"]
    out = [build(card.isna() & roster.present("card"), "card.missing", "card",
                 "银行卡号为空：请补填学生本人的资助卡卡号")]
    lost = card.notna() & (f["card_number_cell"] | card.str.fullmatch(r"^\d(?:\.\d+)?E\+?\d+$").fillna(False))
    out.append(build(lost, "card.precision_lost", "card",
                     text("银行卡号以数字格式保存，Excel 只保留15位有效数字，末几位已丢失（现为“{v}”）："
                          "请把该列设为“文本”格式，照卡面重新录入", v=card), card))
    bad = card.notna() & ~lost & ~f["card_shape_ok"]
    out.append(build(bad, "card.format", "card",
                     text("银行卡号“{v}”不是16—19位数字（现为{n}位）：请照卡面核对后更正",
                          v=card, n=card.str.len().astype("string")), card))
    luhn = f["card_shape_ok"] & ~f["card_luhn_ok"]
    out.append(build(luhn, "card.luhn", "card",
                     text("银行卡号“{v}”未通过校验位检查：不少真实借记卡和存折也不通过，请对照卡面核实后再发放",
                          v=card), card))
    out.append(_shared(roster))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _shared(roster: Roster) -> pd.DataFrame:
    """card.shared: one card number given for more than one person (by ID, else by name)."""
    f = roster.frame
    usable = f["card_shape_ok"]
    who = f["person"].fillna(f["name"])
    people = who[usable].groupby(f.loc[usable, "card"]).nunique()
    shared_cards = people[people > 1]
    mask = usable & f["card"].isin(shared_cards.index)
    counts = f["card"].map(shared_cards).astype("Int64").astype("string")
    return build(mask, "card.shared", "card",
                 text("银行卡号“{v}”同时登记给{n}名学生：资助卡应一人一卡，请核实是否为学生本人的卡",
                      v=f["card"], n=counts), f["card"])
