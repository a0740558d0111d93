"""aidctl loans: 逾期天数 against 应还日期 at the register's export date, and settled contracts that
were overdue once.

- 还款期 (a word that says nothing of the money), owing money, 逾期天数 0, 应还日期 before the export
  date written above the header (数据截至：2025年1月10日): at the export the arrears had fallen due
  unpaid, yet the bank counted no day overdue. It was judged overdue by the date and put on the 催收
  list without a word: now loan.invalid on 逾期天数, out of the repayment figures and the list.
- 逾期天数 above 0 with an 应还日期 on or after the export date: the bank counts the borrower overdue,
  the date says nothing had fallen due. It was left off the 催收 list and out of 到期应还 without a
  word: now loan.invalid on 应还日期.
- Without an export date both are judged by the 应还日期 at --as-of, and a note says so, naming rows.
- 结清 with 逾期天数 above 0 (overdue once, then settled, or the days are wrong) was counted 按期还款:
  now loan.invalid on 逾期天数, out of 到期应还 and 履约率 (a 代偿 contract is out of 履约率 anyway).

Registers: a title row, then (where given) the export-date line, then the header (tests/test_loans.py's).
"""

from __future__ import annotations

from pathlib import Path

from conftest import write_roster
from test_loans import HEAD, check, codes, collect, finding, repaying, summary

EXPORT_LINE = ["经办银行：国家开发银行湖北省分行", None, None, None, None, None, None, None, None, "数据截至：2025年1月10日"]


def register(tmp_path: Path, rows: list[dict], *lines: list) -> Path:
    return write_roster(tmp_path / "台账.xlsx", rows, HEAD, above=[["国家开发银行生源地信用助学贷款台账"], *lines])


def test_zero_days_under_a_neutral_word_before_the_export_date_is_invalid(run, tmp_path):
    """Rows 4–6 (还款期, 宽限期, blank word; 0 days; due 2024-12-20 < 2025-01-10) contradict themselves.
    Not flagged: days blank under 还款期 (row 7: nothing said against the date), 逾期 with 0 days (row 8:
    the word agrees with the date), a due date after the export (row 9), nothing owed (row 10)."""
    rows = [repaying(1, unpaid=100), repaying(2, unpaid=100, 还款状态="宽限期"),
            repaying(3, unpaid=100, 还款状态=None),
            repaying(4, unpaid=100, 逾期天数=None), repaying(5, unpaid=100, 还款状态="逾期"),
            repaying(6, unpaid=100, 应还日期="2025-02-20"), repaying(7)]
    path = register(tmp_path, rows, EXPORT_LINE)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(4, "loan.invalid"), (5, "loan.invalid"), (6, "loan.invalid")}, doc["findings"]
    f = finding(doc, 4, code="loan.invalid")
    assert (f["column"], f["value"]) == ("逾期天数", "0")
    assert ("逾期天数为“0”，还款状态为“还款期”，但应还本金＋应还利息1320.00元，实还金额1220.00元，尚欠100.00元，"
            "应还日期2024-12-20早于台账注明的数据截至日期2025-01-10") in f["message"], f["message"]
    assert "不计入到期应还、履约率、逾期和催收名单" in f["message"]
    assert "还款状态为空" in finding(doc, 6, code="loan.invalid")["message"]

    code, got, _ = collect(run, path, "2025-03-01")
    assert code == 1
    assert sorted((b["rows"], b["days_overdue"]) for b in got["borrowers"]) == [([7], 71), ([8], 71), ([9], 9)]
    assert [e["row"] for e in got["excluded"]] == [4, 5, 6] and got["notes"] == []
    t = summary(run, path, 2019, "--as-of", "2025-03-01", expect_exit=1)
    totals = t["totals"]
    assert (totals["due"], totals["repaid_on_time"], totals["overdue"], totals["unjudged"]) == (4, 1, 3, 3), totals
    assert totals["new_loans"] == 7                      # the loan figures do not rest on 逾期天数


def test_days_overdue_before_the_due_date_at_the_export_is_invalid(run, tmp_path):
    """The bank says 30 days overdue at 2025-01-10, the 应还日期 is 2025-02-20: at --as-of 2025-01-15 the
    borrower was off the 催收 list and out of 到期应还 without a word, even under the word 逾期."""
    rows = [repaying(1, unpaid=100, 应还日期="2025-02-20", 逾期天数=30),
            repaying(2, unpaid=100, 应还日期="2025-02-20", 逾期天数=30, 还款状态="逾期"),
            repaying(3, unpaid=100, 应还日期="2025-02-20"),                     # 0 days: not yet due, agreed
            repaying(4, unpaid=100, 逾期天数=21)]                               # due before: agreed
    path = register(tmp_path, rows, EXPORT_LINE)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(4, "loan.invalid"), (5, "loan.invalid")}, doc["findings"]
    f = finding(doc, 4, code="loan.invalid")
    assert (f["column"], f["value"]) == ("应还日期", "2025-02-20")
    assert ("应还日期为2025-02-20，不早于台账注明的数据截至日期2025-01-10，但逾期天数为“30”，还款状态为“还款期”"
            in f["message"]), f["message"]
    code, got, _ = collect(run, path, "2025-01-15")
    assert code == 1 and [b["rows"] for b in got["borrowers"]] == [[7]]
    assert [e["row"] for e in got["excluded"]] == [4, 5]
    t = summary(run, path, 2019, "--as-of", "2025-01-15", expect_exit=1)
    assert (t["totals"]["due"], t["totals"]["overdue"], t["totals"]["unjudged"]) == (1, 1, 2)


def test_without_an_export_date_the_date_rule_is_said_naming_the_rows(run, tmp_path):
    """No export date: a 还款期 contract with 0 days past its 应还日期 is overdue by the date, and a
    contract with days overdue before its 应还日期 is not yet due: each said in a note naming its row."""
    rows = [repaying(1, unpaid=100), repaying(2, unpaid=100, 应还日期="2025-02-20", 逾期天数=30),
            repaying(3, unpaid=100, 逾期天数=None)]                                # blank days: no note
    path = register(tmp_path, rows)
    assert check(run, path, expect_exit=0)["findings"] == []
    code, got, _ = collect(run, path, "2025-01-15")
    assert sorted(b["rows"] for b in got["borrowers"]) == [[3], [5]]
    past, ahead = got["notes"]
    assert "台账的数据截至（导出）日期不明" in past and "其中1份合同" in past and "第3行合同HT20230001" in past, past
    assert "按应还日期认定逾期" in past and "第5行" not in past
    assert "其中1份合同有欠款、逾期天数＞0，而应还日期不早于截止日2025-01-15" in ahead and "第4行合同HT20230002" in ahead
    assert "未列入催收名单" in ahead
    t = summary(run, path, 2019, "--as-of", "2025-01-15", expect_exit=0)
    assert sum("数据截至（导出）日期不明" in n for n in t["notes"]) == 2, t["notes"]


def test_a_settled_contract_with_days_overdue_is_not_counted_on_time(run, tmp_path):
    """结清 (and 已结清) owing nothing with 逾期天数 above 0: overdue once and settled late, or the days
    are wrong: not 按期还款 on a guess. loan.invalid on 逾期天数, out of 到期应还 and 履约率, never on
    the 催收 list. Settled with 0 days, and 代偿 with days (nobody's default), are not flagged."""
    rows = [repaying(1), repaying(2, 还款状态="结清", 逾期天数=45), repaying(3, 还款状态="已结清", 逾期天数="12天"),
            repaying(4, 还款状态="结清"), repaying(5, 还款状态="代偿", 逾期天数=90), repaying(6, unpaid=100, 逾期天数=71)]
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(4, "loan.invalid"), (5, "loan.invalid")}, doc["findings"]
    f = finding(doc, 4, code="loan.invalid")
    assert (f["column"], f["value"]) == ("逾期天数", "45")
    assert "逾期天数为“45”，还款状态为“结清”" in f["message"] and "不是按期还款" in f["message"], f["message"]
    t = summary(run, path, 2019, "--as-of", "2025-03-01", expect_exit=1)
    totals = t["totals"]
    assert (totals["due"], totals["repaid_on_time"], totals["overdue"], totals["unjudged"]) == (3, 2, 1, 2), totals
    assert totals["performance_rate"] == "66.67%"
    assert sorted(e["row"] for e in t["excluded"] if any("已结清的合同现在不会逾期" in r for r in e["reasons"])) == [4, 5]
    code, got, _ = collect(run, path, "2025-03-01")
    assert [b["rows"] for b in got["borrowers"]] == [[8]] and [e["row"] for e in got["excluded"]] == [4, 5]
