"""`aidctl reconcile`, what a 回盘 says of itself that was passed over: the 小计 rows under its lines
(a subtotal per bank branch or per page), and the date written above its table (交易日期, 批次日期).
A 小计 that the lines above it did not make, or a date before the batch answered was generated,
applied the file without a word."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from conftest import voc_row
from test_disburse import disburse, ledger_rows, make_ws
from test_reconcile import ccb_lines, ccb_paid, ccb_result, reconcile, refused, result_file, statuses


def icbc_paid(tmp_path, run, n: int) -> tuple[Path, str, dict[int, str]]:
    """A workspace whose n students are paid through the 工商银行 text profile: root, batch, cards."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, n + 1)]})
    batch = disburse(run, root, expect=0)["batch"]
    return root, batch, {i: voc_row(i)["银行卡号"] for i in range(1, n + 1)}


def line(i: int, card: dict[int, str], word: str = "成功") -> str:
    return f"{i}|{card[i]}|学生{'一二三四五六'[i - 1]}|750.00|{word}|{'' if word == '成功' else '账户冻结'}"


@pytest.mark.parametrize("subtotal, said", [
    ("小计|||1500.00||", "小计金额为 1500.00 元，不是其上第5至5行的 1 笔逐笔结果"),         # its 金额
    ("小计 2笔 1500.00|||||", "“小计 2笔 1500.00”，其中的“2笔”，不是其上第5至5行的 1 笔逐笔结果"),  # all in one cell
    ("江汉支行小计|2笔||||", "“2笔”，不是其上第5至5行的 1 笔逐笔结果"),                  # a count beside it
], ids=["amount", "one cell", "count"])
def test_a_subtotal_the_lines_above_it_do_not_make_refuses_the_file(tmp_path, run, subtotal, said):
    """A 回盘 in two branches, each under its 小计, one line of the second lost: the 小计 rows were
    dropped as a roster's are and never compared, the three lines applied and the fourth payment
    taken for one the bank had not answered yet. The 小计 is now compared with the lines between the
    row above it (the header, or the 小计 before) and itself: the file is refused, naming its row.
    Subtotals the lines make (their own, those paid only, a running 累计) apply the file as before."""
    root, batch, card = icbc_paid(tmp_path, run, 4)
    path = result_file(tmp_path / f"回盘_{batch}.txt", [
        line(1, card), line(2, card), "小计|||1500.00||", line(3, card), subtotal])   # 学生四 lost
    err = refused(run, root, path)
    assert f"回盘_{batch}.txt，第6行" in err and said in err, err
    assert "可能有结果行缺失" in err, err
    assert set(statuses(root).values()) == {"sent"}
    # subtotals of their own lines, of those paid only, or running (累计 of all the lines above), and a
    # 合计 of all: the lines apply as before
    path = result_file(tmp_path / f"回盘_{batch}.txt", [
        line(1, card), line(2, card, "失败"), "小计（第1页）|||750.00||", line(3, card), line(4, card),
        "本页合计|2笔||1500.00||", "累计 4笔 3000.00|||||", "合计|||3000.00||"])
    doc = reconcile(run, root, path, expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"], doc["totals"]["problems"]) == (3, 1, 0), doc
    assert sorted(statuses(root).values()) == ["failed", "paid", "paid", "paid"]


def test_a_subtotal_in_an_xlsx_result_is_compared_with_its_lines(tmp_path, run):
    """建设银行's xlsx 回盘: a branch's 小计 written under 收款人姓名 (江汉支行小计), its 金额 2250.00 above two
    lines: refused, naming the sheet, the row and the 金额 column. One whose 金额 cannot be read refuses
    the file too."""
    root = ccb_paid(tmp_path, run, 3)
    book = ccb_result(tmp_path / "回盘.xlsx", [*ccb_lines({1: "成功", 2: "成功"}),
                                              [None, None, "江汉支行小计", "2250.00", None, None]])
    err = refused(run, root, book)
    assert "回盘.xlsx，工作表“Sheet”，第4行，“金额”列" in err and "小计金额为 2250.00 元" in err, err
    assert "其上第2至3行的 2 笔逐笔结果" in err, err
    unread = ccb_result(tmp_path / "壹.xlsx", [*ccb_lines({1: "成功", 2: "成功", 3: "成功"}),
                                              [None, None, "小计", "贰仟贰佰伍拾元", None, None]])
    err = refused(run, root, unread)
    assert "小计金额“贰仟贰佰伍拾元”无法读取为金额" in err, err
    whole = ccb_result(tmp_path / "全.xlsx", [*ccb_lines({1: "成功", 2: "成功", 3: "成功"}),
                                             [None, None, "江汉支行小计", "2250.00", None, None]])
    doc = reconcile(run, root, whole, expect=0)
    assert (doc["totals"]["paid"], doc["totals"]["problems"]) == (3, 0), doc


def batch_day(root: Path) -> datetime.date:
    (created,), = ledger_rows(root, "SELECT created_at FROM batches")
    return datetime.date.fromisoformat(str(created)[:10])


@pytest.mark.parametrize("named", [True, False], ids=["batch in its name", "bound by 序号"])
def test_a_result_dated_before_its_batch_was_generated_is_refused(tmp_path, run, named):
    """交易日期 2011-03-20 above the lines of a batch generated later: the date was never read, and a
    回盘 of an earlier batch (last term's, paid by another system: same students, same order, same
    amounts) was bound by its 序号, card and amount, or by a batch id in its name, and applied. A
    date before the day the batch was generated now refuses the whole file, naming it; one on or
    after that day applies it."""
    root, batch, card = icbc_paid(tmp_path, run, 2)
    name = f"回盘_{batch}.txt" if named else "回盘.txt"
    path = tmp_path / name
    rows = ["序号|账号|户名|金额|处理结果|失败原因", line(1, card), line(2, card)]
    path.write_bytes(("\r\n".join(["交易日期：2011-03-20", *rows]) + "\r\n").encode("gbk"))
    err = refused(run, root, path)
    day = batch_day(root)
    assert f"{name}，第1行" in err and "“交易日期”为 2011-03-20" in err, err
    assert f"早于它所答复的批次 {batch} 的生成日期 {day}" in err, err
    later = day + datetime.timedelta(days=1)
    path.write_bytes(("\r\n".join([f"批次日期|{later.year}年{later.month}月{later.day}日", *rows]) + "\r\n").encode("gbk"))
    doc = reconcile(run, root, path, expect=0)
    assert doc["totals"]["paid"] == 2 and not any("日期" in n for n in doc["notes"]), doc


def test_a_date_cell_of_an_xlsx_result_is_compared_and_one_not_read_is_said(tmp_path, run):
    """An Excel date cell under 交易日期 (the next cell of its row), before the batch: refused. A 处理日期
    that is no date (见附件) is not compared, and said aloud in the notes."""
    root = ccb_paid(tmp_path, run, 2)
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功"}),
                      above=[["交易日期", datetime.datetime(2011, 9, 20)]])
    err = refused(run, root, book)
    assert "回盘.xlsx，工作表“Sheet”，第1行" in err and "“交易日期”为 2011-09-20" in err, err
    other = ccb_result(tmp_path / "附.xlsx", ccb_lines({1: "成功", 2: "成功"}), above=[["处理日期：见附件"]])
    doc = reconcile(run, root, other, expect=0)
    assert any("附.xlsx 工作表“Sheet”在表头上方第1行写有“处理日期”，其后的“见附件”无法读取为日期，未与所答复批次的生成日期核对"
               in n for n in doc["notes"]), doc
