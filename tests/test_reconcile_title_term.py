"""`aidctl reconcile`, the term a 回盘 writes in its title rows (2012年春季学期国家助学金代发结果, 学期：2012-spring)
above its table. Only a term in the file's NAME was compared with --term: a 回盘 of the same students
paid in another term (same 序号, cards and amounts) applied under a title naming that term, without a
word. A title naming another term now refuses the file (exit 2, nothing applied), naming its row and
both terms; one naming this term is silent; one whose term cannot be read is said in the notes."""

from __future__ import annotations

import pytest
from test_reconcile import (
    all_statuses,
    autumn_lines,
    ccb_lines,
    ccb_paid,
    ccb_result,
    reconcile,
    reconcile_term,
    refused,
    statuses,
    two_terms,
)
from test_reconcile_subtotals import icbc_paid, line

HEAD = "序号|账号|户名|金额|处理结果|失败原因"


def titled(path, above: list[str], lines: list[str]):
    """A 工商银行 text 回盘 with `above` rows over its header."""
    path.write_bytes(("\r\n".join([*above, HEAD, *lines]) + "\r\n").encode("gbk"))
    return path


@pytest.mark.parametrize("title", ["2012年春季学期国家助学金代发结果", "学期：2012-spring",
                                   "二〇一二年春季学期  中职国家助学金代发", "2012-2013学年国家助学金代发结果"],
                         ids=["title", "学期 line", "hanzi digits", "other school year"])
@pytest.mark.parametrize("how", ["by 序号", "batch in its name", "--batch"])
def test_a_title_naming_another_term_refuses_the_file(tmp_path, run, title, how):
    """The lines bind (序号, cards, amounts are the batch's), and the batch is named or not: the title
    above the table says 2012 spring under --term 2011-autumn. The file was applied; now it is
    refused as a whole, naming the file, the row and the two terms, the ledger untouched."""
    root, batch, card = icbc_paid(tmp_path, run, 2)
    name = f"回盘_{batch}.txt" if how == "batch in its name" else "回盘.txt"
    path = titled(tmp_path / name, ["中国工商银行批量代发结果", title], [line(1, card), line(2, card)])
    err = refused(run, root, path, *(["--batch", batch] if how == "--batch" else []))
    assert f"{name}，第2行" in err, err
    assert f"“{title.strip()[:60]}”" in err and "2011-autumn（2011年秋季学期）" in err, err
    assert "2012-spring" in err or "2013-spring" in err, err
    # the batch named (its name, --batch) is this term's: no --term to try, the bank is asked
    assert (f"回盘所指的批次 {batch} 也属于 2011-autumn" in err) == (how != "by 序号"), err
    assert ("或用 --term" in err) == (how == "by 序号"), err
    assert set(statuses(root).values()) == {"sent"}


def test_a_title_in_an_xlsx_result_names_its_sheet_and_row(tmp_path, run):
    """建设银行's xlsx 回盘 titled 2012年春季学期 on its second row: refused, naming the sheet and row."""
    root = ccb_paid(tmp_path, run, 2)
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功"}),
                      above=[["建设银行批量代发结果"], [None, "2012年春季学期中职国家助学金"]])
    err = refused(run, root, book)
    assert "回盘.xlsx，工作表“Sheet”，第2行" in err and "写的是2012年春季学期（2012-spring）" in err, err
    assert "--term 2012-spring" in err, err


def test_a_title_naming_this_term_binds_a_file_two_terms_agree_with(tmp_path, run):
    """Autumn's lines, which spring's batch has alike: renamed (result.txt), the file was refused as
    agreeing with two terms, saying it 没有写明批次号或学期 while its title wrote 2011年秋季学期. A title
    naming the term reconciled names it as a file name does: it applies, silently; under --term
    2012-spring the same file is refused by its title."""
    root, autumn, spring = two_terms(tmp_path)
    path = titled(tmp_path / "result.txt", ["2011年秋季学期国家助学金代发结果"], autumn_lines())
    before = all_statuses(root)
    code, out, err = run("reconcile", path, "--term", "2012-spring", "--workspace", root)
    assert code == 2 and "标题“2011年秋季学期国家助学金代发结果”写的是2011年秋季学期（2011-autumn）" in err, err
    assert "2012-spring（2012年春季学期）" in err and "result.txt，第1行" in err, err
    assert all_statuses(root) == before
    doc = reconcile_term(run, root, path, "2011-autumn", expect=1)
    assert doc["batches"] == [autumn] and (doc["totals"]["paid"], doc["totals"]["failed"]) == (3, 1), doc
    assert not any("学期" in n for n in doc["notes"]), doc["notes"]
    assert {s for t, _, s in all_statuses(root) if t == "2012-spring"} == {"sent"}


@pytest.mark.parametrize("title, said", [
    ("2012年第二学期代发结果", "其中的学期无法读取，未与本次对账的学期 2011-autumn（2011年秋季学期）核对"),
    ("学期：2O11-autumn", "其中的学期无法读取"),
    ("2011-2012学年国家助学金代发结果", "写的是2011年秋季学期（2011-autumn）或2012年春季学期（2012-spring），是整个学年，没有写明是哪一学期"),
], ids=["which school year", "letter O", "a school year"])
def test_a_title_term_that_cannot_be_read_is_said(tmp_path, run, title, said):
    """A title whose term cannot be read (第二学期 of which year; a letter O for a zero) or that names a
    whole school year (both terms): not a contradiction, the lines apply, and the notes say which
    row was not compared. A title naming no term (the bank's name, 春城支行) says nothing."""
    root, batch, card = icbc_paid(tmp_path, run, 2)
    path = titled(tmp_path / "回盘.txt", ["中国工商银行春城支行", title], [line(1, card), line(2, card)])
    doc = reconcile(run, root, path, expect=0)
    assert doc["totals"]["paid"] == 2, doc
    [note] = [n for n in doc["notes"] if "学期" in n]
    assert f"回盘 {path}" in note or "回盘.txt" in note, note
    assert "表头上方第2行" in note and said in note, note
