"""status.not_enrolled: only students enrolled this term (在籍) may be paid."""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import build, empty
from aidctl.read import Roster
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    written = f["status"].notna()
    left = written & (f["v_status"] == "not_enrolled")
    unknown = written & f["v_status"].isna()
    enrolled_words = "、".join(rules.vocabulary.status.enrolled[:3])
    parts = [
        build(left, "status.not_enrolled", "status",
              "学籍状态为“{s}”，不是在籍学生：不得发放，请从名单中删除或说明情况", f["status"], s=f["status"]),
        build(unknown, "status.not_enrolled", "status",
              "学籍状态“{s}”无法识别为在籍（{words}等）：请核实后按规范填写", f["status"], s=f["status"],
              words=enrolled_words),
    ]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
