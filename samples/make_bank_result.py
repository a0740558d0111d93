"""Write the bank's result file (回盘) that the sample workspace's first disbursement would get back.

The agent bank returns one line per payment of the file it was sent: 序号, 账号, 户名, 金额, 处理结果,
失败原因. Two payments fail here (a closed account, a name that does not match the card), so that the
README can show the whole cycle: disburse → bank → reconcile → the school corrects → re-issue.
Deterministic: the plan orders payments by bank, school, programme, file and row.
"""

from __future__ import annotations

from pathlib import Path

from aidctl.core.terms import Term
from aidctl.pay import make_plan
from aidctl.read import Workspace

HERE = Path(__file__).resolve().parent
FAILURES = {5: "账户已销户", 12: "户名与账号不符"}  # 序号 → the bank's reason


def main() -> Path:
    ws = Workspace(HERE)
    term = Term.parse("2011-autumn")
    plan = make_plan(ws, term, ws.intake(term), ledger=None)
    lines = ["序号|账号|户名|金额|处理结果|失败原因"]
    for seq, r in enumerate(plan.pay.itertuples(), start=1):
        amount = f"{r.amount_fen // 100}.{r.amount_fen % 100:02d}"
        status, reason = ("失败", FAILURES[seq]) if seq in FAILURES else ("成功", "")
        lines.append(f"{seq}|{r.card}|{r.name}|{amount}|{status}|{reason}")
    target = HERE / "bank" / "回盘_工商银行_2011-autumn.txt"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return target


if __name__ == "__main__":
    print(main())
