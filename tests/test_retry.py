"""The cron retry: `aidctl disburse` run again on a term already paid. It pays nobody twice, reports
refusals and findings as the first run did, writes no new payment audit workbook (it says so, and
where the last one is), and keeps the correction workbooks made from unchanged files. A changed
roster, or a failed payment whose card was corrected, is paid and gets its workbook as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
from conftest import make_card, voc_row
from test_disburse import (
    BAD_ID,
    RARE,
    TERM,
    VOC_HEADERS,
    add_roster,
    disburse,
    ledger_rows,
    make_ws,
    out_dir,
    verify_manifest,
)

NOTE = "本次没有新的发放，没有写出新的发放审核表"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: its size and the time it was last written (a rewrite changes it)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def two_schools(tmp_path: Path) -> Path:
    a = [voc_row(i) for i in range(1, 5)] + [voc_row(5, 身份证号码=BAD_ID)]   # 学生五 refused: id.checksum
    b = [voc_row(i) for i in range(11, 14)]
    root = make_ws(tmp_path, {"a.xlsx": a})
    add_roster(root, "b.xlsx", b, school="第二职业中学")
    return root


def test_a_retry_with_nothing_new_writes_no_workbook_and_says_where_the_last_one_is(tmp_path, run):
    root = two_schools(tmp_path)
    first = disburse(run, root, expect=1)
    assert first["totals"] == {"payments": 7, "amount": "5250.00"} and first["report"]
    before = snapshot(out_dir(root))
    payments = ledger_rows(root, "SELECT id, person, status, batch_id FROM payments ORDER BY id")

    code, doc, err = run("disburse", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 1, err                                   # the refusal still stands: exit 1 as before
    assert doc["batch"] is None and doc["payments"] == [] and doc["files"] == []
    assert doc["refused"] == first["refused"] and [r["codes"] for r in doc["refused"]] == [["id.checksum"]]
    assert len(doc["already_paid"]) == 7 and {a["batch"] for a in doc["already_paid"]} == {first["batch"]}
    assert doc["report"] is None and doc["last_report"] == first["report"]
    assert any(NOTE in n and first["report"].split("/")[-1] in n for n in doc["notes"])
    assert NOTE in err and first["report"].split("/")[-1] in err
    assert doc["returns"] == first["returns"] and len(doc["returns"]) == 1
    # nothing in out/<term>/ was written again: no workbook, the same correction workbook, SHA256SUMS as it was
    assert snapshot(out_dir(root)) == before
    verify_manifest(out_dir(root))
    assert ledger_rows(root, "SELECT id, person, status, batch_id FROM payments ORDER BY id") == payments
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(1,)]

    code, text, err = run("disburse", "--term", TERM, "--workspace", root)   # the table says it too
    assert code == 1 and NOTE in err and snapshot(out_dir(root)) == before


def test_a_changed_roster_is_never_skipped(tmp_path, run):
    root = two_schools(tmp_path)
    first = disburse(run, root, expect=1)
    returns = out_dir(root) / "退回修改"
    kept = snapshot(returns)

    # the school corrects 学生五's ID: a new file's content, a new payment, a new workbook
    add_roster(root, "a.xlsx", [voc_row(i) for i in range(1, 6)])
    doc = disburse(run, root, expect=0)
    assert [p["name"] for p in doc["payments"]] == ["学生五"] and doc["batch"] not in (None, first["batch"])
    assert doc["report"] and doc["report"] != first["report"] and doc["last_report"] is None
    assert not any("没有写出新的发放审核表" in n for n in doc["notes"])
    wb = openpyxl.load_workbook(root / doc["report"])
    assert [r[2] for r in wb["本次发放"].iter_rows(min_row=2, values_only=True)] == ["学生五"]
    assert doc["returns"] == [] and not any(returns.glob("*.xlsx")) and kept   # a.xlsx is clean now
    verify_manifest(out_dir(root))


def test_a_changed_roster_that_pays_nobody_gets_its_correction_workbook_made_again(tmp_path, run):
    root = two_schools(tmp_path)
    first = disburse(run, root, expect=1)
    target = root / first["returns"][0]
    # the school sends the file again with a second problem: still nobody new to pay
    add_roster(root, "a.xlsx", [voc_row(i) for i in range(1, 5)] + [voc_row(5, 身份证号码=BAD_ID),
                                                                   voc_row(6, 银行卡号="")])
    doc = disburse(run, root, expect=1)
    assert doc["payments"] == [] and doc["report"] is None and doc["last_report"] == first["report"]
    assert sorted(r["codes"][0] for r in doc["refused"]) == ["card.missing", "id.checksum"]
    listed = list(openpyxl.load_workbook(target)["退回修改说明"].iter_rows(min_row=4, values_only=True))
    assert len(listed) == 2   # made again from the new file, not kept from the old one


def test_a_failed_payment_on_a_corrected_card_is_reissued_by_the_retry(tmp_path, run):
    root = two_schools(tmp_path)
    first = disburse(run, root, expect=1)
    person = next(p["id_number"] for p in first["payments"] if p["name"] == "学生一二")
    with sqlite3.connect(root / "aidctl.db") as conn:   # the bank returned it: 账户已销户
        conn.execute("UPDATE payments SET status = 'failed', failure_reason = '账户已销户' WHERE person = ?",
                     (person,))
    unchanged = disburse(run, root, expect=1)        # the card is not corrected yet: not sent again
    assert unchanged["payments"] == [] and [f["id_number"] for f in unchanged["failed_unchanged"]] == [person]
    assert unchanged["report"] is None

    card = make_card(seed=912)
    add_roster(root, "b.xlsx", [voc_row(11), voc_row(12, 银行卡号=card), voc_row(13)], school="第二职业中学")
    doc = disburse(run, root, expect=1)
    assert [(p["id_number"], p["reissue"]) for p in doc["payments"]] == [(person, True)]
    assert doc["report"] and doc["last_report"] is None
    assert ledger_rows(root, "SELECT status, card FROM payments WHERE person = ?", person) == [("reissued", card)]
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(7,)]


def test_a_paid_record_is_reported_as_paid_whatever_its_bank_now_says(tmp_path, run):
    """The ledger is asked before the bank: a student paid already is listed as paid, not refused
    because the school has since written a bank with no profile, or a name the bank cannot carry;
    a student not paid yet with either is refused as before."""
    headers = VOC_HEADERS + ["开户银行"]
    banks = {1: "建设银行", 2: "农业银行", 3: "建设银行"}
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i, 开户银行=banks[i]) for i in range(1, 4)]}, headers=headers)
    first = disburse(run, root, expect=0)
    assert first["totals"]["payments"] == 3
    # 学生一's bank has no profile now, and 学生二's name is one the 农业银行 file (GBK) cannot carry
    rows = [voc_row(1, 开户银行="某某村镇银行"), voc_row(2, 开户银行="农业银行", 姓名=RARE),
            voc_row(3, 开户银行="建设银行"), voc_row(4, 开户银行="某某村镇银行"), voc_row(5, 开户银行="农业银行", 姓名=RARE)]
    add_roster(root, "a.xlsx", rows, headers=headers)
    doc = disburse(run, root, expect=1)
    assert sorted(a["id_number"] for a in doc["already_paid"]) == sorted(p["id_number"] for p in first["payments"])
    # 学生四 and 学生五 are not paid yet: refused as before
    assert [(r["row"], r["codes"]) for r in doc["refused"]] == [(7, ["bank.unknown"]), (8, ["bank.unwritable"])]
    assert doc["payments"] == [] and ledger_rows(root, "SELECT count(*) FROM payments") == [(3,)]


def test_a_first_run_that_pays_nobody_still_writes_its_workbook(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 身份证号码=BAD_ID)]})
    doc = disburse(run, root, expect=1)
    assert doc["payments"] == [] and doc["report"] and doc["last_report"] is None
    rows = list(openpyxl.load_workbook(root / doc["report"])["不予发放"].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in rows] == ["id.checksum"]


def test_correction_workbooks_beyond_the_budget_are_left_to_validate_returns(tmp_path, run, monkeypatch):
    import aidctl.pay.disbursement as D

    root = two_schools(tmp_path)
    add_roster(root, "b.xlsx", [voc_row(11), voc_row(12, 银行卡号=""), voc_row(13)], school="第二职业中学")
    monkeypatch.setattr(D, "RETURNS_BUDGET_RECORDS", 6)   # a.xlsx has 5 records, b.xlsx 3: 8 to copy
    doc = disburse(run, root, expect=1)
    assert doc["returns"] == [] and not any((out_dir(root) / "退回修改").glob("*.xlsx"))
    note = [n for n in doc["notes"] if "退回修改工作簿" in n]
    assert len(note) == 1 and note[0].startswith("2 个") and "--returns" in note[0] and "8 条" in note[0]

    monkeypatch.setattr(D, "RETURNS_BUDGET_RECORDS", 5)   # a.xlsx fits alone once b.xlsx's is made
    shown = next(r["file"] for r in doc["refused"] if r["file"].endswith("b.xlsx"))   # as disburse names it
    code, _, err = run("validate", shown, "--term", TERM, "--returns", out_dir(root) / "退回修改", cwd=root)
    assert code == 1, err
    made = snapshot(out_dir(root) / "退回修改")
    assert len(made) == 1
    again = disburse(run, root, expect=1)
    assert len(again["returns"]) == 2 and not any("退回修改工作簿" in n for n in again["notes"])
    assert {k: v for k, v in snapshot(out_dir(root) / "退回修改").items() if k in made} == made   # kept as made


def test_a_long_disburse_says_what_it_is_doing(tmp_path, monkeypatch):
    from aidctl.core import progress
    from aidctl.core.terms import Term
    from aidctl.pay import disburse as pay
    from aidctl.read import Workspace

    root = two_schools(tmp_path)
    monkeypatch.setattr(progress, "SHOW_AFTER", 3600)  # counted, never drawn
    monkeypatch.setattr(progress, "_enabled", True)
    stages, stage = [], progress.Tracker.stage
    monkeypatch.setattr(progress.Tracker, "stage", lambda self, text, **k: stages.append(text) or stage(self, text, **k))
    pay(Workspace(root), Term.parse(TERM))
    expected = ["读取花名册", "审核", "记录收件", "写入账本", "写出银行报盘文件", "写出发放审核表", "写出退回修改工作簿"]
    seen = list(dict.fromkeys(s.split("（")[0] for s in stages))
    assert [s for s in seen if s in expected] == expected, seen
    assert "写入账本（7 笔）" in stages and progress.current() is None
