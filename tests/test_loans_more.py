"""aidctl loans: two more ways the register contradicts itself, and its export date.

- 逾期天数 above 0 on a contract owing nothing (应还本金 + 应还利息 − 实还金额 ≤ 0) whose 还款状态 does
  not claim arrears (还款期, 宽限期, 正常 …) was counted 按期还款 without a word: loan.invalid on 逾期天数.
- 正常 (status_claims current) on a contract owing money, 逾期天数 0, whose 应还日期 is before the
  export date the register writes above its header (数据截至：2025年1月10日): loan.invalid on 还款状态.
  Without that date it is judged by its 应还日期 at --as-of, as before, and a note says so.

Registers here: a title row, then (where the test gives one) a line with the export date, then the
header; the helpers are tests/test_loans.py's.
"""

from __future__ import annotations

from pathlib import Path

from conftest import write_roster
from test_loans import HEAD, _workspace_rules, check, codes, collect, finding, repaying, summary

from aidctl.rulebook import packaged_rules_dir

EXPORT_LINE = ["经办银行：国家开发银行湖北省分行", None, None, None, None, None, None, None, None, "数据截至：2025年1月10日"]


def register(tmp_path: Path, rows: list[dict], *lines: list) -> Path:
    return write_roster(tmp_path / "台账.xlsx", rows, HEAD, above=[["国家开发银行生源地信用助学贷款台账"], *lines])


def test_days_overdue_on_a_contract_owing_nothing_is_invalid_and_unjudged(run, tmp_path):
    """The bank's own 逾期天数 says the borrower is overdue, its money says nothing is owed: either the
    figures are stale (overdue) or the days record a past default (repaid late): never 按期还款 on a
    guess. loan.invalid on 逾期天数 naming the word, the figures and the days; out of the repayment
    figures and the 催收 list, listed; the loan figures stand. A 结清 contract with days overdue was
    settled late or its days are wrong: flagged as well, never 按期还款. A contract owing nothing with
    0 days is not flagged (the negative control)."""
    rows = [repaying(1),                                                   # owes 0, 0 days: on time
            repaying(2, 逾期天数=30),                                        # 还款期, owes 0, 30 days
            repaying(3, 还款状态="正常", 实还金额=1500, 逾期天数="12天"),       # overpaid 180, 12 days
            repaying(4, 还款状态=None, 逾期天数=5, 所属县区="东河县"),         # blank word, owes 0, 5 days
            repaying(5, 还款状态="已结清", 逾期天数=30)]                      # settled late, or days wrong
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(r, "loan.invalid") for r in (4, 5, 6, 7)}, doc["findings"]
    assert "已结清的合同现在不会逾期" in finding(doc, 7, code="loan.invalid")["message"]
    f = finding(doc, 4, code="loan.invalid")
    assert (f["column"], f["value"]) == ("逾期天数", "30")
    assert ("逾期天数为“30”，还款状态为“还款期”，但应还本金＋应还利息1320.00元，实还金额1320.00元，尚欠0.00元："
            "没有欠款不会逾期") in f["message"] and "不计入到期应还、履约率、逾期和催收名单" in f["message"], f["message"]
    assert "逾期天数为“12天”，还款状态为“正常”" in finding(doc, 5, code="loan.invalid")["message"]
    assert "多还180.00元" in finding(doc, 5, code="loan.invalid")["message"]
    assert "还款状态为空" in finding(doc, 6, code="loan.invalid")["message"]

    t = summary(run, path, 2019, "--as-of", "2025-01-10", expect_exit=1)
    # (row 7, 结清 with 30 days, is excluded for its own reason: 已结清的合同现在不会逾期)
    assert [e["row"] for e in t["excluded"] if any("没有欠款不会逾期" in r for r in e["reasons"])] == [4, 5, 6]
    totals = t["totals"]
    assert (totals["due"], totals["repaid_on_time"], totals["overdue"], totals["unjudged"]) == (1, 1, 0, 4), totals
    assert totals["new_loans"] == 5                       # the loan figures do not rest on 逾期天数
    code, got, _ = collect(run, path)
    assert got["borrowers"] == [] and [e["row"] for e in got["excluded"]] == [4, 5, 6, 7]


def test_a_word_saying_in_order_against_the_export_date_is_invalid(run, tmp_path):
    """正常 with 逾期天数 0 on a contract owing money whose 应还日期 (2024-12-20) is before the export
    date written above the header (数据截至：2025年1月10日): at the export the arrears had fallen due
    unpaid, yet the word and the days say it was in order. loan.invalid on 还款状态, naming both dates
    and the figures; out of the repayment figures and the 催收 list. Its 应还日期 after the export
    (2025-02-20) is no contradiction: overdue by the date at --as-of. A neutral word (还款期) with 0
    days before the export contradicts the date too: loan.invalid on 逾期天数 (test_loans_export_date)."""
    rows = [repaying(1, unpaid=100, 还款状态="正常"),                                   # due before the export
            repaying(2, unpaid=100, 还款状态="正常", 应还日期="2025-02-20"),            # due after it
            repaying(3, unpaid=100, 还款状态="正常", 逾期天数=None),                     # days blank: the same
            repaying(4, unpaid=100)]                                                    # 还款期, 0 days: the same
    path = register(tmp_path, rows, EXPORT_LINE)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(4, "loan.invalid"), (6, "loan.invalid"), (7, "loan.invalid")}, doc["findings"]
    f = finding(doc, 4, code="loan.invalid")
    assert (f["column"], f["value"]) == ("还款状态", "正常")
    assert ("还款状态为“正常”（正常还款），逾期天数为“0”，但应还本金＋应还利息1320.00元，实还金额1220.00元，尚欠100.00元，"
            "应还日期2024-12-20早于台账注明的数据截至日期2025-01-10") in f["message"], f["message"]
    assert "逾期天数为空" in finding(doc, 6, code="loan.invalid")["message"]
    code, got, _ = collect(run, path, "2025-03-01")
    assert sorted((b["rows"], b["days_overdue"]) for b in got["borrowers"]) == [([5], 9)]
    assert [e["row"] for e in got["excluded"]] == [4, 6, 7] and got["notes"] == []
    t = summary(run, path, 2019, "--as-of", "2025-03-01", expect_exit=1)
    assert (t["totals"]["overdue"], t["totals"]["unjudged"]) == (1, 3)
    assert not any("数据截至（导出）日期不明" in n for n in t["notes"])


def test_without_an_export_date_the_due_date_rule_is_said_aloud(run, tmp_path):
    """No export date above the header, or two different ones: 正常 with 0 days owing past its
    应还日期 is overdue by the date at --as-of, as before, and a note says once that whether the word
    and the days contradict the date at the export could not be checked, naming the sheet. Which
    labels are read is a rule (export_date_labels): a workspace that lists none reads no date."""
    rows = [repaying(1, unpaid=100, 还款状态="正常"), repaying(2, unpaid=100, 还款状态="正常还款")]
    path = register(tmp_path, rows)
    assert check(run, path, expect_exit=0)["findings"] == []
    code, got, _ = collect(run, path)
    assert sorted(b["rows"] for b in got["borrowers"]) == [[3], [4]]
    [note] = got["notes"]
    assert "台账的数据截至（导出）日期不明" in note and "Sheet1（表头上方没有注明）" in note and "其中2份合同" in note, note
    t = summary(run, path, 2019, "--as-of", "2025-01-10", expect_exit=0)
    assert t["totals"]["overdue"] == 2 and sum("数据截至（导出）日期不明" in n for n in t["notes"]) == 1, t["notes"]

    path = register(tmp_path, rows, ["数据截至：2025年1月10日", None, "导出日期：2025-01-12"])
    assert check(run, path, expect_exit=0)["findings"] == []
    code, got, _ = collect(run, path)
    [note] = got["notes"]
    assert "写有数据截至：2025年1月10日、导出日期：2025-01-12，无法确定是哪一天" in note, note

    packaged = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8").splitlines()
    _workspace_rules(tmp_path, next(x for x in packaged if x.startswith("export_date_labels:")),
                     "export_date_labels: [导出日期]")
    path = register(tmp_path, rows, EXPORT_LINE)
    assert check(run, path, expect_exit=0)["findings"] == []  # 数据截至 is not a label of this workspace
    path = register(tmp_path, rows, ["导出日期：2025-01-10"])
    assert {f["row"] for f in check(run, path, expect_exit=1)["findings"]} == {4, 5}
