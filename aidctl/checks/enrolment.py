"""status.not_enrolled: only students enrolled this term (在籍) may be paid."""

from __future__ import annotations

import pandas as pd

from aidctl.findings import build, text
from aidctl.rulebook import Rulebook
from aidctl.roster import Roster


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    written = f["status"].notna()
    left = written & (f["v_status"] == "not_enrolled")
    unknown = written & f["v_status"].isna()
    enrolled_words = "、".join(rules.vocabulary.status.enrolled[:3])
    message = text("学籍状态为“{s}”，不是在籍学生：不得发放，请从名单中删除或说明情况", s=f["status"])
    message = message.where(~unknown.to_numpy(),
                            text("学籍状态“{s}”无法识别为在籍（" + enrolled_words + "等）：请核实后按规范填写",
                                 s=f["status"]))
    return build((left | unknown).fillna(False), "status.not_enrolled", "status", message, f["status"])
