"""`aidctl reconcile`, more of what a bank or a clerk really sends back: a result that contradicts an
earlier 回盘, a 合计 row whose figures stand outside the 金额 column, a 回盘 answering part of its
batch, hidden rows in an xlsx 回盘. Each was applied or passed over without a word."""

from __future__ import annotations

import sqlite3

from conftest import make_card, voc_row
from test_disburse import add_roster, disburse, ledger_rows, make_ws
from test_reconcile import reconcile, result_file, statuses


def test_a_later_result_contradicting_an_earlier_one_is_named_as_a_contradiction(tmp_path, run):
    """A 退票 after 成功, or a 成功 after 失败 once the payment was re-sent to a corrected card, was
    reported as "该笔已在此前的回盘中处理（paid），未重复入账": a repeat a clerk passes over, while the
    bank says the money came back, or that the student may now be paid twice. The ledger is still
    not changed, and the line says what contradicts what, naming the batch that re-sent it."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    first = result_file(tmp_path / f"回盘_{batch}_1.txt", [
        f"1|{card[1]}|学生一|750.00|成功|", f"2|{card[2]}|学生二|750.00|失败|账户已销户",
        f"3|{card[3]}|学生三|750.00|成功|"])
    reconcile(run, root, first, expect=1)
    # the school corrects 学生二's card: the payment is re-sent in a batch of its own
    add_roster(root, "a.xlsx", [voc_row(1), voc_row(2, 银行卡号=make_card(seed=902)), voc_row(3)])
    resend = disburse(run, root, expect=0)["batch"]
    assert resend not in (None, batch)
    before = ledger_rows(root, "SELECT id, status, failure_reason, updated_at FROM payments ORDER BY id")

    later = result_file(tmp_path / f"回盘_{batch}_2.txt", [
        f"1|{card[1]}|学生一|750.00|失败|退票",     # the bank returned the money it said was paid
        f"2|{card[2]}|学生二|750.00|成功|",         # the bank paid the card it said had failed
        f"3|{card[3]}|学生三|750.00|成功|"])        # a repeat
    doc = reconcile(run, root, later, expect=1)
    assert doc["paid"] == [] and doc["failed"] == []
    problems = {p["row"]: p["issue"] for p in doc["problems"]}
    assert "此前的回盘已将该笔记为已入账，本回盘为“失败”（退票）" in problems[2], problems
    assert "相互矛盾" in problems[2] and "账本未改动" in problems[2] and "退回" in problems[2], problems
    assert "此前的回盘已将该笔记为失败（账户已销户），本回盘为“成功”" in problems[3], problems
    assert f"已在批次 {resend} 重发" in problems[3] and "可能收到两笔" in problems[3], problems
    assert problems[4] == "该笔已在此前的回盘中处理（已入账），未重复入账", problems
    assert "已在此前的回盘中处理" not in problems[2] + problems[3]
    assert ledger_rows(root, "SELECT id, status, failure_reason, updated_at FROM payments ORDER BY id") == before


def test_a_total_row_whose_figures_stand_outside_the_amount_column_is_checked(tmp_path, run):
    """A 合计 row was compared by its 金额 cell alone: a count beside it (合计 | 4笔 | | 2250.00 under three
    lines), or the whole total in one cell (总计：4笔，3000.00元), was passed over without a word and the
    lines applied. Each figure of the row must now be what the lines say, or the file is refused."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    lines = [f"{i}|{card[i]}|学生{n}|750.00|成功|" for i, n in zip(range(1, 4), "一二三")]   # one line short
    name = f"代发_工商银行_2011-autumn_{batch}_01_回盘.txt"
    for n, total, said in [(1, "合计|4笔||2250.00||", "“4笔”"),                   # the count beside the 金额
                           (2, "总计：4笔，3000.00元", "“4笔”"),                   # all in one cell
                           (3, "合计：3笔，3000.00元", "“3000.00元”"),             # the amount in one cell
                           (4, "合计：3.5千", "“3.5千”")]:                          # a figure not read
        (tmp_path / str(n)).mkdir()
        code, out, err = run("reconcile", result_file(tmp_path / str(n) / name, [*lines, total]), "--term",
                             "2011-autumn", "--workspace", root)
        assert code == 2 and "合计行" in err and said in err and "整份回盘未入账" in err, (total, err)
        assert "第5行" in err, err
        assert set(statuses(root).values()) == {"sent"}

    # figures that agree with the lines: applied
    (tmp_path / "ok").mkdir()
    doc = reconcile(run, root, result_file(tmp_path / "ok" / name, [*lines, "合计：3笔|||2250.00||"]), expect=0)
    assert len(doc["paid"]) == 3


def test_a_result_answering_part_of_its_batch_says_what_is_left(tmp_path, run):
    """A 回盘 for half a batch (one part file of several, or a bank's partial answer) settled its lines,
    printed "答复的批次：B…" and nothing of the rest: the batch looked answered. What is left still
    sent is said aloud (`unanswered`, and a note on stderr), batch by batch; a file settling the
    rest says nothing more."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    one = result_file(tmp_path / "回盘1.txt", [f"1|{card[1]}|学生一|750.00|成功|"])
    code, out, err = run("reconcile", one, "--term", "2011-autumn", "--workspace", root)
    assert code == 0 and f"批次 {batch}" in err and "还有 3 笔（2250.00 元）" in err, err   # said in the terminal
    two = result_file(tmp_path / "回盘2.txt", [f"2|{card[2]}|学生二|750.00|成功|"])
    doc = reconcile(run, root, two, expect=0)
    assert len(doc["paid"]) == 1
    assert doc["unanswered"] == [{"batch": batch, "count": 2, "amount": "1500.00"}], doc
    note = next(n for n in doc["notes"] if batch in n)
    assert "还有 2 笔（1500.00 元）" in note and "仍为已发送" in note, note

    rest = result_file(tmp_path / "回盘3.txt", [f"3|{card[3]}|学生三|750.00|成功|", f"4|{card[4]}|学生四|750.00|成功|"])
    doc = reconcile(run, root, rest, expect=0)
    assert doc["unanswered"] == [] and not any(batch in n for n in doc["notes"]), doc
    assert set(statuses(root).values()) == {"paid"}


def test_lines_read_from_hidden_rows_of_an_xlsx_result_are_named(tmp_path, run):
    """A row of an xlsx 回盘 hidden (by a filter, or by a clerk) was read and applied without a word,
    while a roster's hidden rows are named: hiding is no withdrawing, and nobody could tell. They are
    still read, and named on stderr and in `notes`, with their rows."""
    import openpyxl
    from test_reconcile import ccb_paid, ccb_result

    root = ccb_paid(tmp_path, run, 3)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    book = ccb_result(tmp_path / "ccb.xlsx", [[i, card[i], f"学生{n}", "750.00", "成功", None]
                                              for i, n in zip(range(1, 4), "一二三")])
    wb = openpyxl.load_workbook(book)
    wb.active.row_dimensions[3].hidden = True
    wb.save(book)
    doc = reconcile(run, root, book, expect=0)
    assert len(doc["paid"]) == 3
    note = next((n for n in doc["notes"] if "隐藏" in n), None)
    assert note is not None and "第 3 行（共 1 行）是隐藏的行" in note, doc["notes"]
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT DISTINCT status FROM payments").fetchall() == [("paid",)]


def test_a_text_result_read_whole_says_nothing_of_hidden_rows_or_what_is_left(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘.txt", [f"{i}|{voc_row(i)['银行卡号']}|学生{n}|750.00|成功|"
                                                 for i, n in ((1, "一"), (2, "二"))])
    doc = reconcile(run, root, result, expect=0)
    assert doc["unanswered"] == [] and doc["notes"] == []
