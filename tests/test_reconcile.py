"""`aidctl reconcile`: the bank's result file (回盘) marks payments paid or failed; the school corrects
a failed card and the next `disburse` re-issues exactly those payments. Lines that do not match the
ledger are reported and never applied."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import yaml
from conftest import SAMPLES, VOC_HEADERS, hanzi, make_card, voc_row
from test_disburse import TERM, add_roster, cut_before_files, disburse, ledger_rows, make_ws, workspace_profile

from aidctl.rulebook import packaged_rules_dir

RESULT = "回盘_工商银行_2011-autumn.txt"
CARD_HEADERS = {"资助卡号", "卡号", "银行卡号", "账号"}


def reconcile(run, root: Path, result: Path, *extra, expect: int | None = None) -> dict:
    code, doc, err = run("reconcile", result, "--term", TERM, "--workspace", root, "--format", "json", *extra,
                         as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect is not None:
        assert code == expect, (code, err, doc)
    return doc


def statuses(root: Path) -> dict[str, str]:
    return dict(ledger_rows(root, "SELECT person, status FROM payments"))


def set_card(path: Path, row: int, card: str) -> None:
    """A clerk corrects the card of the record on Excel row `row` (typed as text)."""
    wb = openpyxl.load_workbook(path)
    for sheet in wb:
        for head in sheet.iter_rows(min_row=1, max_row=6):
            col = next((c.column for c in head if c.value in CARD_HEADERS), None)
            if col:
                sheet.cell(row=row, column=col).value = card
                wb.save(path)
                return
    raise AssertionError(f"no card column in {path}")


@pytest.fixture
def sample_ws(tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    return root


# --- the whole cycle on the sample workspace ---------------------------------------------------------

def test_the_full_cycle_disburse_reconcile_correct_reissue(sample_ws, run):
    root = sample_ws
    first = disburse(run, root, expect=1)    # the planted problems are refused
    batch = first["batch"]
    assert first["totals"] == {"payments": 40, "amount": "30000.00"}

    # the bank's answer: 38 paid, 2 failed
    result = root / "bank" / RESULT
    doc = reconcile(run, root, result, expect=1)
    assert doc["bank_profile"] == "icbc-txt"
    assert doc["totals"] == {"paid": 38, "paid_amount": "28500.00", "failed": 2, "failed_amount": "1500.00",
                             "problems": 0}
    assert sorted(f["reason"] for f in doc["failed"]) == ["户名与账号不符", "账户已销户"]
    assert {p["batch"] for p in doc["paid"] + doc["failed"]} == {batch}
    failed_people = {f["id_number"]: f for f in doc["failed"]}
    st = statuses(root)
    assert sorted(st.values()).count("paid") == 38 and sorted(st.values()).count("failed") == 2
    assert {p for p, s in st.items() if s == "failed"} == set(failed_people)
    assert ledger_rows(root, "SELECT status, count(*) FROM attempts GROUP BY status ORDER BY status") == \
        [("failed", 2), ("paid", 38)]
    reasons = dict(ledger_rows(root, "SELECT person, failure_reason FROM payments WHERE status = 'failed'"))
    assert reasons == {p: f["reason"] for p, f in failed_people.items()}

    # the same file again: nothing applied, every line reported as already processed
    snapshot = ledger_rows(root, "SELECT id, status, failure_reason, updated_at FROM payments ORDER BY id")
    again = reconcile(run, root, result, expect=1)
    assert again["paid"] == [] and again["failed"] == []
    assert len(again["problems"]) == 40
    assert all("已在此前的回盘中处理" in p["issue"] for p in again["problems"])
    assert ledger_rows(root, "SELECT id, status, failure_reason, updated_at FROM payments ORDER BY id") == snapshot

    # disburse with the rosters unchanged: nobody is paid, the two failed are listed, not re-sent
    rerun = disburse(run, root, expect=1)
    assert rerun["batch"] is None and rerun["payments"] == []
    assert {f["id_number"]: f["reason"] for f in rerun["failed_unchanged"]} == \
        {p: f["reason"] for p, f in failed_people.items()}
    assert len(rerun["already_paid"]) == 38
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(1,)]

    # the schools correct the two cards; the next run re-issues exactly those two
    new_cards = {}
    for n, f in enumerate(rerun["failed_unchanged"]):
        new_cards[f["id_number"]] = make_card("621700", seed=9000 + n)
        set_card(root / f["file"], f["row"], new_cards[f["id_number"]])  # relative to the workspace
    reissue = disburse(run, root, expect=1)
    assert reissue["batch"] not in (None, batch)
    assert sorted(p["id_number"] for p in reissue["payments"]) == sorted(failed_people)
    assert all(p["reissue"] is True for p in reissue["payments"])
    assert reissue["totals"] == {"payments": 2, "amount": "1500.00"}
    assert reissue["failed_unchanged"] == []
    new_file = [f for f in reissue["files"] if reissue["batch"] in f]
    assert len(new_file) == 1
    text = (root / new_file[0]).read_bytes().decode("gbk")
    for person, card in new_cards.items():
        assert f"|{card}|750.00|{person}|" in text

    # the files a run writes from its plan are, byte for byte, those a recovery renders from the ledger
    from sqlalchemy import select

    from aidctl.ledger import Ledger, batches
    from aidctl.pay import batch as D
    from aidctl.read import Workspace

    ws = Workspace(root)
    with Ledger(ws.ledger_url()).connect() as conn:
        for b in (batch, reissue["batch"]):
            row = conn.execute(select(batches).where(batches.c.id == b)).mappings().one()
            files = D.render_batch(ws, row, D.batch_records(conn, b))
            assert files and {f.name: f.content for f in files} == \
                {f.name: (root / "out" / TERM / f.name).read_bytes() for f in files}
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(40,)]   # the same payments, re-sent
    assert dict(ledger_rows(root, "SELECT person, card FROM payments WHERE status = 'reissued'")) == new_cards
    assert ledger_rows(root, "SELECT count(*) FROM attempts") == [(42,)]

    code, shown, err = run("ledger", "show", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 0, err
    assert shown["payments"] == {"paid": {"count": 38, "amount": "28500.00"},
                                 "reissued": {"count": 2, "amount": "1500.00"}}
    by_batch = {b["id"]: b for b in shown["batches"]}
    assert by_batch[batch]["statuses"] == {"paid": {"count": 38, "amount": "28500.00"},
                                           "failed": {"count": 2, "amount": "1500.00"}}
    assert by_batch[reissue["batch"]]["statuses"] == {"sent": {"count": 2, "amount": "1500.00"}}
    assert by_batch[batch]["total"] == "30000.00" and by_batch[reissue["batch"]]["total"] == "1500.00"

    # and a fourth run pays nobody again
    last = disburse(run, root, expect=1)
    assert last["payments"] == [] and last["failed_unchanged"] == [] and len(last["already_paid"]) == 40


# --- lines that do not match -----------------------------------------------------------------------

def result_file(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(["序号|账号|户名|金额|处理结果|失败原因", *lines]) + "\r\n").encode("gbk"))
    return path


def test_lines_that_do_not_match_are_reported_and_never_applied(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    disburse(run, root, expect=0)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    stranger = make_card("622848", seed=77)
    result = result_file(tmp_path / "回盘.txt", [
        f"1|{card[1]}|学生一|700.00|成功|",          # the amount differs from the ledger's 750.00
        f"2|{stranger}|学生二|750.00|成功|",          # an account the ledger never paid
        f"3|{card[3]}|学生三|750.00|处理中|",         # a status word that is neither success nor failure
        f"4|{card[4]}|学生四|750.00|成功|",           # the one good line
    ])
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生四"] and doc["failed"] == []
    problems = {p["row"]: p for p in doc["problems"]}
    assert sorted(problems) == [2, 3, 4]
    assert "金额 700.00" in problems[2]["issue"] and "750.00" in problems[2]["issue"] and "未入账" in problems[2]["issue"]
    assert problems[3]["card"] == stranger and "账号不在" in problems[3]["issue"]
    assert problems[4]["status"] == "处理中" and "无法识别" in problems[4]["issue"]
    st = statuses(root)
    assert st == {voc_row(1)["身份证号码"]: "sent", voc_row(2)["身份证号码"]: "sent",
                  voc_row(3)["身份证号码"]: "sent", voc_row(4)["身份证号码"]: "paid"}
    assert ledger_rows(root, "SELECT count(*) FROM attempts WHERE settled_at IS NOT NULL") == [(1,)]

    # the corrected result file settles the rest
    fixed = result_file(tmp_path / "回盘2.txt", [
        f"1|{card[1]}|学生一|750.00|成功|", f"2|{card[2]}|学生二|750.00|失败|账户冻结",
        f"3|{card[3]}|学生三|750.00|交易成功|"])
    doc = reconcile(run, root, fixed, expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"], doc["totals"]["problems"]) == (2, 1, 0)
    assert [f["reason"] for f in doc["failed"]] == ["账户冻结"]


def test_a_name_differing_only_by_a_joiner_matches_one_differing_by_a_letter_does_not(tmp_path, run):
    """The 户名 is compared with the payee's name without the joiners of rules/vocabulary.yaml
    (names.joiners), folded as a roster's names are: the list was written in Python (spaces and
    ·•・‧．.-), so an apostrophe (a packaged joiner) held a line, and a workspace's own joiners were
    never asked. A letter that differs holds the line, a footnote mark too (never folded to a digit)."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 6)]})
    disburse(run, root, expect=0)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 6)}
    result = result_file(tmp_path / "回盘.txt", [
        f"1|{card[1]}|学生’一|750.00|成功|",       # an apostrophe between the parts: the same name
        f"2|{card[2]}|学生 · 二|750.00|成功|",     # spaces and a middle dot: the same name
        f"3|{card[3]}|学生五|750.00|成功|",        # another student's name
        f"4|{card[4]}|学生四①|750.00|成功|",       # a footnote mark is no joiner
        f"5|{card[5]}|学生=五|750.00|成功|",       # = is no joiner of the packaged list
    ])
    doc = reconcile(run, root, result, expect=1)
    assert sorted(p["name"] for p in doc["paid"]) == ["学生一", "学生二"], doc
    problems = {p["row"]: p["issue"] for p in doc["problems"]}
    assert sorted(problems) == [4, 5, 6], problems
    assert all("与该笔付款的收款人" in problems[r] and "未入账" in problems[r] for r in (4, 5, 6)), problems
    assert "户名“学生五”与该笔付款的收款人“学生三”不符" in problems[4], problems

    # the joiners are the workspace's: with = among them (and ’ not), 学生=五 is 学生五, 学生’四 is not 学生四
    vocabulary = yaml.safe_load((packaged_rules_dir() / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocabulary["names"]["joiners"] = ["·", "="]
    (root / "rules").mkdir(exist_ok=True)
    (root / "rules" / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, allow_unicode=True), encoding="utf-8")
    again = result_file(tmp_path / "回盘2.txt", [f"4|{card[4]}|学生’四|750.00|成功|",
                                                 f"5|{card[5]}|学生=五|750.00|成功|"])
    doc = reconcile(run, root, again, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生五"], doc
    assert [p["row"] for p in doc["problems"]] == [2] and "户名“学生’四”" in doc["problems"][0]["issue"], doc


def test_a_clean_result_file_exits_0(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘.txt", [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)])
    doc = reconcile(run, root, result, expect=0)
    assert doc["totals"]["paid"] == 2 and doc["totals"]["paid_amount"] == "1500.00"
    assert set(statuses(root).values()) == {"paid"}


# --- ISO 20022 status report ---------------------------------------------------------------------------

PAYER = 'payer_name = "某市学生资助管理中心"\npayer_account = "9558800000000000001"\n'


def pain002(batch: str, txs: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>'
            f'<GrpHdr><MsgId>STS-{batch}</MsgId><CreDtTm>2011-09-21T10:00:00</CreDtTm></GrpHdr>'
            f'<OrgnlGrpInfAndSts><OrgnlMsgId>{batch}-01</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>'
            f'</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>{batch}-01</OrgnlPmtInfId>'
            + "".join(txs) + "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n")


def tx(e2e: str, status: str, reason: str | None = None, amount: str | None = None, card: str | None = None) -> str:
    why = f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>" if reason else ""
    ref = ""
    if amount or card:
        ref = ("<OrgnlTxRef>" + (f'<Amt><InstdAmt Ccy="CNY">{amount}</InstdAmt></Amt>' if amount else "")
               + (f"<CdtrAcct><Id><Othr><Id>{card}</Id></Othr></Id></CdtrAcct>" if card else "") + "</OrgnlTxRef>")
    return f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>{status}</TxSts>{why}{ref}</TxInfAndSts>"


def test_a_pain002_status_report_marks_iso20022_payments_paid_or_failed(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, toml=PAYER)
    paid_out = disburse(run, root, "--bank", "iso20022", expect=0)
    batch = paid_out["batch"]
    by_seq = dict(enumerate(paid_out["payments"], start=1))
    report = tmp_path / "pain002.xml"
    report.write_text(pain002(batch, [
        tx(f"{batch}-1", "ACSC"),                                         # the bare minimum a bank sends
        tx(f"{batch}-2", "RJCT", reason="AC04"),
        tx(f"{batch}-3", "ACSC", amount="750.00", card=voc_row(3)["银行卡号"]),   # with the original reference
        tx(f"{batch}-4", "ACSC", amount="700.00", card=voc_row(4)["银行卡号"]),   # … whose amount differs
    ]), encoding="utf-8")
    doc = reconcile(run, root, report, expect=1)
    assert doc["bank_profile"] == "iso20022"
    assert sorted(p["id_number"] for p in doc["paid"]) == sorted(by_seq[i]["id_number"] for i in (1, 3))
    assert [(f["id_number"], f["reason"]) for f in doc["failed"]] == [(by_seq[2]["id_number"], "AC04")]
    assert len(doc["problems"]) == 1 and doc["problems"][0]["row"] == 4 and "700.00" in doc["problems"][0]["issue"]
    st = statuses(root)
    assert [st[by_seq[i]["id_number"]] for i in (1, 2, 3, 4)] == ["paid", "failed", "paid", "sent"]
    assert ledger_rows(root, "SELECT failure_reason FROM payments WHERE status = 'failed'") == [("AC04",)]

    # a status report for a batch the ledger never sent is refused as a whole, naming what it answers
    other = tmp_path / "other.xml"
    other.write_text(pain002("B0000", [tx("B0000-4", "ACSC")]), encoding="utf-8")
    code, out, err = run("reconcile", other, "--term", TERM, "--workspace", root, "--format", "json")
    assert (code, out) == (2, "") and "B0000" in err and "不在账本中" in err and len(err.strip().splitlines()) == 1
    assert statuses(root)[by_seq[4]["id_number"]] == "sent"


def test_a_pain002_amount_that_cannot_be_read_holds_its_line(tmp_path, run):
    """An InstdAmt that is no amount is not taken for an absent one (the EndToEndId alone would then
    settle the payment): the line is held, naming what it says."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]}, toml=PAYER)
    batch = disburse(run, root, "--bank", "iso20022", expect=0)["batch"]
    report = tmp_path / "pain002.xml"
    report.write_text(pain002(batch, [tx(f"{batch}-1", "ACSC", amount="750.00"),
                                      tx(f"{batch}-2", "ACSC", amount="750,00 CNY")]), encoding="utf-8")
    doc = reconcile(run, root, report, expect=1)
    assert len(doc["paid"]) == 1
    assert [p["issue"] for p in doc["problems"]] == ["金额“750,00 CNY”无法读取，未入账：请与银行核对"]
    assert sorted(statuses(root).values()) == ["paid", "sent"]


def test_an_unreadable_status_report_exits_2(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, toml=PAYER)
    disburse(run, root, "--bank", "iso20022", expect=0)
    bad = tmp_path / "bad.xml"
    bad.write_text("<Document><unclosed>", encoding="utf-8")
    code, out, err = run("reconcile", bad, "--term", TERM, "--workspace", root)
    assert code == 2 and "bad.xml" in err and len(err.strip().splitlines()) == 1
    assert set(statuses(root).values()) == {"sent"}


def test_the_payment_file_given_for_its_status_report_is_refused(tmp_path, run):
    """The pain.001 aidctl wrote (the payments sent), given where the bank's pain.002 is expected: said
    to be no status report, nothing applied."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, toml=PAYER)
    doc = disburse(run, root, "--bank", "iso20022", expect=0)
    [sent] = [root / f for f in doc["files"] if f.endswith(".xml")]
    code, out, err = run("reconcile", sent, "--term", TERM, "--workspace", root)
    assert code == 2 and "不是 pain.002 状态报告" in err and len(err.strip().splitlines()) == 1
    assert set(statuses(root).values()) == {"sent"}


def test_a_result_file_with_no_result_in_it_is_refused(tmp_path, run):
    """A result file of titles only (an export cut before its lines): said so, never taken for a
    reconciliation that found nothing to do."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    disburse(run, root, expect=0)
    code, out, err = run("reconcile", result_file(tmp_path / f"回盘_{TERM}.txt", []), "--term", TERM,
                         "--workspace", root, "--format", "json")
    assert (code, out) == (2, "") and "没有任何付款结果" in err
    assert set(statuses(root).values()) == {"sent"}


def test_without_bank_a_term_sent_through_two_banks_asks_which(tmp_path, run):
    """Payments of the term wait for the results of two banks: reconcile does not pick one of them for
    a file it was not told the bank of."""
    rows = [voc_row(1, 开户银行="建设银行"), voc_row(2)]
    root = make_ws(tmp_path, {"a.xlsx": rows}, headers=VOC_HEADERS + ["开户银行"])
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘.txt", [f"2|{voc_row(2)['银行卡号']}|学生二|750.00|成功|"])   # 序号 of the batch
    code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root)
    assert code == 2 and "2 个银行格式" in err and "--bank" in err
    assert set(statuses(root).values()) == {"sent"}
    doc = reconcile(run, root, result, "--bank", "icbc-txt", expect=0)
    assert [p["name"] for p in doc["paid"]] == ["学生二"]


def test_reconcile_without_a_ledger_payment_in_the_ledger_reports_everything(tmp_path, run):
    """A result file for another workspace: every line unknown, nothing applied, the ledger untouched."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    disburse(run, root, expect=0)
    before = sqlite3.connect(root / "aidctl.db").execute("SELECT * FROM payments").fetchall()
    result = result_file(tmp_path / "回盘.txt", [f"1|{make_card(seed=4242)}|某人|750.00|成功|"])
    doc = reconcile(run, root, result, expect=1)
    assert doc["paid"] == [] and len(doc["problems"]) == 1
    assert sqlite3.connect(root / "aidctl.db").execute("SELECT * FROM payments").fetchall() == before


def test_a_reissue_interrupted_before_its_files_is_completed_as_reissued(sample_ws, run, monkeypatch):
    """A run that re-issues two failed payments is cut off after the ledger and before the files;
    the next run completes it from the ledger alone: the two are reissued, the others stay paid."""
    root = sample_ws
    disburse(run, root, expect=1)
    reconcile(run, root, root / "bank" / RESULT, expect=1)
    new_cards = {}
    for n, f in enumerate(disburse(run, root, expect=1)["failed_unchanged"]):
        new_cards[f["id_number"]] = make_card("621700", seed=9000 + n)
        set_card(root / f["file"], f["row"], new_cards[f["id_number"]])

    cut_before_files(root, monkeypatch)
    assert sorted(statuses(root).values()).count("pending") == 2

    doc = disburse(run, root, expect=1)
    assert len(doc["recovered_batches"]) == 1 and doc["payments"] == []
    st = statuses(root)
    assert {p for p, s in st.items() if s == "reissued"} == set(new_cards)
    assert sorted(st.values()).count("paid") == 38
    assert dict(ledger_rows(root, "SELECT person, card FROM payments WHERE status = 'reissued'")) == new_cards


# --- a result applies only to the batch it answers -------------------------------------------------

def two_terms(tmp_path, ledger_db=None) -> tuple[Path, str, str]:
    """A workspace that paid the same four students, in the same order, in 2011-autumn and 2012-spring:
    the two batches' 序号, cards and amounts are alike line for line."""
    from conftest import VOC_HEADERS, write_roster

    root = make_ws(tmp_path, db=ledger_db)
    write_roster(root / "intake" / TERM / "a.xlsx", [voc_row(i) for i in range(1, 5)], VOC_HEADERS,
                 above=[["第一职业中学2011年秋季学期受助学生名单"]])
    write_roster(root / "intake" / "2012-spring" / "a.xlsx", [voc_row(i) for i in range(1, 5)], VOC_HEADERS,
                 above=[["第一职业中学2012年春季学期受助学生名单"]])
    autumn = disburse(run_cli(root), root, expect=0)["batch"]
    code, spring, err = run_cli(root)("disburse", "--term", "2012-spring", "--workspace", root, "--format", "json",
                                      as_json=True)
    assert code == 0, err
    return root, autumn, spring["batch"]


def run_cli(root):
    from typer.testing import CliRunner

    from aidctl.cli.common import app

    def invoke(*args, as_json=False):
        import json

        r = CliRunner().invoke(app, [str(a) for a in args])
        return r.exit_code, (json.loads(r.stdout) if as_json and r.stdout.strip() else r.stdout), r.stderr
    return invoke


def autumn_lines() -> list[str]:
    return [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|{'失败|账户冻结' if i == 2 else '成功|'}" for i in range(1, 5)]


def all_statuses(root: Path) -> list[tuple]:
    return ledger_rows(root, "SELECT term, person, status FROM payments ORDER BY term, person")


def test_a_result_file_for_another_term_is_refused_as_a_whole(tmp_path, run, ledger_db):
    """The issue's case: 2011-autumn's result file given with --term 2012-spring, whose batch has the
    same 序号, cards and amounts. Named after its term, or renamed, or naming its batch: refused as a
    whole (exit 2), saying which term and batch it answers; nothing is applied. With --term
    2011-autumn it settles 2011-autumn."""
    root, autumn, spring = two_terms(tmp_path, ledger_db)
    before = all_statuses(root)
    cases = {"回盘_工商银行_2011-autumn.txt": ["2011-autumn"],                      # the file name names the term
             "result.txt": ["2011-autumn", autumn],                                # only the lines: they agree with it
             f"回盘_{autumn}.txt": ["2011-autumn", autumn, "文件名"]}               # the bank echoes the batch id
    for name, said in cases.items():
        result = result_file(tmp_path / name, autumn_lines())
        code, out, err = run("reconcile", result, "--term", "2012-spring", "--workspace", root, "--format", "json")
        assert (code, out) == (2, ""), (name, code, out, err)
        [line] = err.strip().splitlines()
        assert "整份文件未入账" in line and all(s in line for s in said), (name, line)
        assert all_statuses(root) == before
    # the lines naming 2012-spring's batch above the table: bound to it, and the same file applies
    spring_file = tmp_path / "spring.txt"
    spring_file.write_bytes(("\r\n".join([f"批次号|{spring}", "序号|账号|户名|金额|处理结果|失败原因", *autumn_lines()])
                             + "\r\n").encode("gbk"))
    doc = reconcile_term(run, root, spring_file, "2012-spring", expect=1)
    assert doc["batches"] == [spring] and doc["bound_by"] == "表头上方的文字"
    assert (doc["totals"]["paid"], doc["totals"]["failed"]) == (3, 1)
    assert {b for p in doc["paid"] for b in [p["batch"]]} == {spring}
    # and 2011-autumn's file with its own term settles 2011-autumn only
    doc = reconcile(run, root, tmp_path / "回盘_工商银行_2011-autumn.txt", expect=1)
    assert doc["batches"] == [autumn] and doc["bound_by"] == "序号" and doc["totals"]["paid"] == 3
    assert sorted(set(ledger_rows(root, "SELECT status FROM payments WHERE term = '2012-spring'"))) == \
        [("failed",), ("paid",)]


def reconcile_term(run, root, result, term, *extra, expect=None) -> dict:
    code, doc, err = run("reconcile", result, "--term", term, "--workspace", root, "--format", "json", *extra,
                         as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect is not None:
        assert code == expect, (code, err, doc)
    return doc


def test_batch_given_on_the_command_line_binds_an_ambiguous_file(tmp_path, run):
    """A renamed file that agrees with both terms' batches is refused; --batch says which it answers,
    and --batch of another term is refused too."""
    root, autumn, spring = two_terms(tmp_path)
    result = result_file(tmp_path / "result.txt", autumn_lines())
    code, out, err = run("reconcile", result, "--term", "2012-spring", "--workspace", root, "--batch", autumn)
    assert code == 2 and autumn in err and "2011-autumn" in err
    doc = reconcile_term(run, root, result, "2012-spring", "--batch", spring, expect=1)
    assert doc["batches"] == [spring] and doc["bound_by"] == "--batch" and doc["totals"]["paid"] == 3
    assert set(ledger_rows(root, "SELECT status FROM payments WHERE term = ?", TERM)) == {("sent",)}


def test_a_sequence_number_that_contradicts_card_and_amount_is_never_applied(tmp_path, run, ledger_db):
    """Within the batch it answers (named in the file name), a line's 序号 picks the payment: a line
    whose card or amount is another payment's is a problem, even where card and amount alone would
    match a payment of the batch."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, db=ledger_db)
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    result = result_file(tmp_path / f"代发_工商银行_{TERM}_{batch}_01_回盘.txt", [
        f"1|{card[1]}|学生一|750.00|成功|",
        f"2|{card[3]}|学生三|750.00|成功|",      # 序号 2 is 学生二's payment: 学生三's card under it
        f"3|{card[2]}|学生二|750.00|失败|账户冻结",  # and the other way round
        f"9|{card[4]}|学生四|750.00|成功|",      # the batch has no 序号 9
    ])
    doc = reconcile(run, root, result, expect=1)
    assert doc["batches"] == [batch] and doc["bound_by"] == "文件名"
    assert [p["name"] for p in doc["paid"]] == ["学生一"] and doc["failed"] == []
    issues = {p["row"]: p["issue"] for p in doc["problems"]}
    assert sorted(issues) == [3, 4, 5]
    assert "序号 2" in issues[3] and card[2] in issues[3] and "不符" in issues[3]
    assert "序号 3" in issues[4] and "不符" in issues[4]
    assert "没有序号 9" in issues[5]
    assert sorted(s for _, s in ledger_rows(root, "SELECT person, status FROM payments")) == ["paid"] + ["sent"] * 3


def test_a_sequence_or_amount_that_cannot_be_read_is_named_and_never_applied(tmp_path, run):
    """A 序号 or 金额 that is not a number is never read as another number, nor as blank (which would
    bind the line by card and amount alone): the line is held, naming the cell's text."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 6)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 6)}
    result = result_file(tmp_path / f"代发_工商银行_{TERM}_{batch}_01_回盘.txt", [
        f"1|{card[1]}|学生一|750.00|成功|",
        f"2a|{card[2]}|学生二|750.00|成功|",       # card and amount alone are 学生二's payment
        f"2.5|{card[3]}|学生三|750.00|成功|",
        f"1e3|{card[4]}|学生四|750.00|成功|",      # not 序号 1000
        f"5|{card[5]}|学生五|七百五十元|成功|",
    ])
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生一"] and doc["failed"] == []
    issues = {p["row"]: p["issue"] for p in doc["problems"]}
    assert issues == {3: "序号“2a”无法读取，未入账：请与银行核对", 4: "序号“2.5”无法读取，未入账：请与银行核对",
                      5: "序号“1e3”无法读取，未入账：请与银行核对", 6: "金额“七百五十元”无法读取，未入账：请与银行核对"}
    assert sorted(s for _, s in ledger_rows(root, "SELECT person, status FROM payments")) == ["paid"] + ["sent"] * 4


def test_a_line_whose_result_is_blank_is_named_and_never_applied(tmp_path, run):
    """A line whose 处理结果 is blank (an empty field, or a line that stops before it) was dropped
    without a word, exit 0: the blank's text, NA, joined to the message left no message. It is a
    problem now, named as blank, and the payment stays sent."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    result = result_file(tmp_path / f"代发_工商银行_{TERM}_{batch}_01_回盘.txt", [
        f"1|{card[1]}|学生一|750.00|成功|",
        f"2|{card[2]}|学生二|750.00||",          # the 处理结果 field empty
        f"3|{card[3]}|学生三|750.00",            # the line stops before 处理结果
        f"4|{card[4]}|学生四|750.00| |",         # a space
    ])
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生一"] and doc["failed"] == []
    issues = {p["row"]: p["issue"] for p in doc["problems"]}
    assert issues == dict.fromkeys((3, 4, 5), "处理结果为空，无法识别为成功、失败或处理中，未入账：请与银行核对")
    assert sorted(s for _, s in ledger_rows(root, "SELECT person, status FROM payments")) == ["paid"] + ["sent"] * 3


def test_a_file_without_batch_or_sequence_is_refused_unless_batch_is_given(tmp_path, run, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]}, db=ledger_db)
    batch = disburse(run, root, expect=0)["batch"]
    result = tmp_path / "result.txt"
    result.write_bytes(("\r\n".join(["账号|户名|金额|处理结果|失败原因"] + [
        f"{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)]) + "\r\n").encode("gbk"))
    code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root)
    assert code == 2 and "--batch" in err and "整份文件未入账" in err
    assert set(ledger_rows(root, "SELECT status FROM payments")) == {("sent",)}
    doc = reconcile(run, root, result, "--batch", batch, expect=0)
    assert doc["totals"]["paid"] == 2 and doc["bound_by"] == "--batch"


def test_a_line_whose_card_and_amount_stand_for_two_payments_of_its_batch_is_held(tmp_path, run):
    """Two students paid to one card (card.shared is a warning: both are paid) with the same amount: a
    result file without 序号 cannot tell which payment each of its lines answers. Both lines are held
    for a person to check, neither payment is settled; the other student's line applies."""
    card = voc_row(1)["银行卡号"]
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2, 银行卡号=card), voc_row(3)]})
    batch = disburse(run, root)["batch"]
    result = tmp_path / "result.txt"
    result.write_bytes(("\r\n".join(["账号|户名|金额|处理结果|失败原因", f"{card}|学生一|750.00|成功|",
                                     f"{card}|学生二|750.00|失败|账户冻结",
                                     f"{voc_row(3)['银行卡号']}|学生三|750.00|成功|"]) + "\r\n").encode("gbk"))
    doc = reconcile(run, root, result, "--batch", batch, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生三"] and doc["failed"] == []
    issues = {p["row"]: p["issue"] for p in doc["problems"]}
    assert sorted(issues) == [2, 3] and all("无法确定是哪一笔" in i for i in issues.values())
    assert dict(ledger_rows(root, "SELECT name, status FROM payments")) == {
        "学生一": "sent", "学生二": "sent", "学生三": "paid"}


def test_a_batch_the_ledger_does_not_hold_given_on_the_command_line_is_refused(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘.txt", [f"1|{voc_row(1)['银行卡号']}|学生一|750.00|成功|"])
    code, out, err = run("reconcile", result, "--term", TERM, "--batch", "B20110901000000FFFF", "--workspace", root)
    assert code == 2 and "B20110901000000FFFF" in err and "不在账本中" in err
    assert set(statuses(root).values()) == {"sent"}


def test_a_file_named_for_a_term_this_ledger_never_paid_is_refused(tmp_path, run):
    """The bank's result file for the spring term (paid from another ledger, or not yet at all) whose
    序号, cards and amounts happen to fit the autumn batch: its name says spring, so it is not applied
    to autumn, though no spring batch is here to compare it with."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]})
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘_2012-spring.txt",
                         [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)])
    code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root)
    assert code == 2 and "文件名写的是 2012-spring 学期" in err and "整份文件未入账" in err
    assert set(statuses(root).values()) == {"sent"}


def test_a_file_naming_two_batches_whose_lines_do_not_say_which_is_refused(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    first = disburse(run, root)["batch"]
    add_roster(root, "b.xlsx", [voc_row(2, 序号=1)])
    second = disburse(run, root)["batch"]
    result = result_file(tmp_path / f"回盘_{first}_{second}.txt", [f"1|{voc_row(2)['银行卡号']}|学生二|750.00|成功|"])
    code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root)
    assert code == 2 and "多个批次" in err and first in err and second in err
    assert set(statuses(root).values()) == {"sent"}


def test_a_line_naming_no_batch_that_fits_a_payment_of_two_batches_is_held(tmp_path, run):
    """Two batches of the term each hold a 序号 1 to the same card for the same amount (two students
    sharing a card, the second sent in a later roster): a result file naming no batch cannot tell which
    one its line answers. It is held, and --batch settles it."""
    card = voc_row(1)["银行卡号"]
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    first = disburse(run, root)["batch"]
    add_roster(root, "b.xlsx", [voc_row(2, 序号=1, 银行卡号=card)])
    second = disburse(run, root)["batch"]
    assert first != second
    result = result_file(tmp_path / f"回盘_{TERM}.txt", [f"1|{card}|学生二|750.00|成功|"])
    doc = reconcile(run, root, result, expect=1)
    assert doc["paid"] == [] and len(doc["problems"]) == 1
    assert "无法确定是哪一笔" in doc["problems"][0]["issue"] and "--batch" in doc["problems"][0]["issue"]
    assert set(ledger_rows(root, "SELECT status FROM payments")) == {("sent",)}
    doc = reconcile(run, root, result, "--batch", second, expect=0)
    assert [p["name"] for p in doc["paid"]] == ["学生二"]


def test_repeated_lines_conflicting_are_held_agreeing_apply_once(tmp_path, run, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)
    disburse(run, root, expect=0)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    result = result_file(tmp_path / f"回盘_{TERM}.txt", [
        f"1|{card[1]}|学生一|750.00|成功|", f"1|{card[1]}|学生一|750.00|失败|账户冻结",   # conflicting
        f"2|{card[2]}|学生二|750.00|成功|", f"2|{card[2]}|学生二|750.00|成功|",          # the same twice
        f"3|{card[3]}|学生三|750.00|成功|"])
    doc = reconcile(run, root, result, expect=1)
    assert sorted(p["name"] for p in doc["paid"]) == sorted(["学生二", "学生三"]) and doc["failed"] == []
    issues = {p["row"]: p["issue"] for p in doc["problems"]}
    assert sorted(issues) == [2, 3, 5]
    assert "相互矛盾" in issues[2] and "成功、失败" in issues[2] and "待人工核对" in issues[2] and issues[3] == issues[2]
    assert "不止一次" in issues[5]
    st = dict(ledger_rows(root, "SELECT name, status FROM payments"))
    assert st == {"学生一": "sent", "学生二": "paid", "学生三": "paid"}


@pytest.mark.parametrize("cut", [30, 0])
def test_a_truncated_text_result_is_said_to_be_truncated(tmp_path, run, cut):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    disburse(run, root, expect=0)
    whole = result_file(tmp_path / f"回盘_{TERM}.txt", [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|"
                                                       for i in range(1, 4)]).read_bytes()
    short = tmp_path / f"回盘短_{TERM}.txt"
    short.write_bytes(whole[:len(whole) - 2 - cut] if cut else whole[:-2])  # cut in a line / only the last CRLF
    code, out, err = run("reconcile", short, "--term", TERM, "--workspace", root, "--format", "json")
    if cut:
        assert code == 2 and "截断" in err and len(err.strip().splitlines()) == 1, err
        assert set(ledger_rows(root, "SELECT status FROM payments")) == {("sent",)}
    else:  # every field of the last line there, only its line break missing: read as it is
        assert code == 0, err


def test_truncated_xml_and_xlsx_results_are_said_to_be_truncated(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]}, toml=PAYER)
    batch = disburse(run, root, "--bank", "iso20022", expect=0)["batch"]
    whole = pain002(batch, [tx(f"{batch}-1", "ACSC"), tx(f"{batch}-2", "ACSC")])
    xml = tmp_path / "pain002.xml"
    xml.write_text(whole[: len(whole) // 2 + 40], encoding="utf-8")
    code, out, err = run("reconcile", xml, "--term", TERM, "--workspace", root)
    assert code == 2 and "截断" in err, err
    other = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]}, name="ccb",
                    headers=["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目",
                             "资助金额（元）", "银行卡号", "开户银行"])
    disburse(run, other, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", "750.00", "成功", None])
    wb.save(book)
    book.write_bytes(book.read_bytes()[:-300])
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", other)
    assert code == 2 and "不完整" in err and "截断" in err, err


def test_an_xlsx_result_whose_amount_is_a_formula_without_its_value_is_refused(tmp_path, run):
    """A 回盘 a bank's program wrote with 金额 as a formula never calculated: read as blank, the line
    was held as "no amount"; the file is refused, naming the cell, and nothing is settled."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]},
                   headers=["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目",
                            "资助金额（元）", "银行卡号", "开户银行"])
    disburse(run, root, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因", "单价"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", "=G2*1", "成功", None, 750])
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "第2行" in err and "“金额”" in err and "单元格是公式“=G2*1”" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT status FROM payments").fetchall() == [("sent",)]


def test_an_xlsx_result_with_a_struck_out_line_is_refused(tmp_path, run):
    """A 回盘 line struck through (删除线): whether it stands is not known; nothing is settled."""
    from openpyxl.styles import Font

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]},
                   headers=["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目",
                            "资助金额（元）", "银行卡号", "开户银行"])
    disburse(run, root, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", 750, "成功", None])
    for cell in wb.active[2]:
        cell.font = Font(strike=True)
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "第2行" in err and "删除线" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT status FROM payments").fetchall() == [("sent",)]


def test_an_xlsx_result_whose_amount_shows_another_number_is_refused(tmp_path, run):
    """A 回盘 whose 金额 750 is shown as 7.5 by 0!.00 (or as thousands by #,##0,): which the bank means
    is not known; the file is refused, naming the cell and the format, and nothing is settled."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]},
                   headers=["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目",
                            "资助金额（元）", "银行卡号", "开户银行"])
    disburse(run, root, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", 750, "成功", None])
    wb.active["D2"].number_format = "0!.00"
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "第2行" in err and "“0!.00”" in err and "金额" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT status FROM payments").fetchall() == [("sent",)]


def test_an_xlsx_result_whose_amount_is_an_error_value_is_refused(tmp_path, run):
    """A 回盘 whose 金额 is #N/A (a lookup that found nothing) was read as blank, the line held as
    "no amount"; the file is refused, naming the cell and the error, and nothing is settled."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]},
                   headers=["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目",
                            "资助金额（元）", "银行卡号", "开户银行"])
    disburse(run, root, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", "#N/A", "成功", None])
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "第2行" in err and "“金额”" in err and "单元格是错误值“#N/A”" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT status FROM payments").fetchall() == [("sent",)]


CCB_HEADERS = ["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目", "资助金额（元）", "银行卡号",
               "开户银行"]
CCB_RESULT = ["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"]


def ccb_paid(tmp_path, run, n: int) -> Path:
    """A workspace whose n students are paid through the 建设银行 Excel profile."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i, 开户银行="建设银行") for i in range(1, n + 1)]}, headers=CCB_HEADERS)
    disburse(run, root, expect=0)
    return root


def ccb_result(path: Path, rows: list[list], *, head=CCB_RESULT, above=()) -> Path:
    wb = openpyxl.Workbook()
    for line in [*above, head, *rows]:
        wb.active.append(line)
    wb.save(path)
    return path


def test_an_amount_under_a_unit_the_result_states_is_read_in_that_unit(tmp_path, run):
    """金额（万元）, or 单位：万元 above the table: 750.00 there is 7,500,000 元. The unit was ignored,
    750.00 read as 750 元 and the payment marked paid; now it is an amount that differs, never
    applied, while 0.075 万元 is 750 元. A unit the rules do not know (美元) refuses the file."""
    root = ccb_paid(tmp_path, run, 3)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    under = ["序号", "收款人账号", "收款人姓名", "金额（万元）", "交易状态", "失败原因"]
    doc = reconcile(run, root, ccb_result(tmp_path / "a.xlsx", [[1, card[1], "学生一", "750.00", "成功", None],
                                                               [2, card[2], "学生二", "0.075", "成功", None]],
                                        head=under), expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生二"]
    assert [(p["row"], p["amount"]) for p in doc["problems"]] == [(2, "7500000.00")]
    assert "750.00" in doc["problems"][0]["issue"] and "未入账" in doc["problems"][0]["issue"]
    doc = reconcile(run, root, ccb_result(tmp_path / "b.xlsx", [[3, card[3], "学生三", "750.00", "成功", None]],
                                        above=[["单位：万元"]]), expect=1)
    assert doc["paid"] == [] and [(p["row"], p["amount"]) for p in doc["problems"]] == [(3, "7500000.00")]
    dollars = ["序号", "收款人账号", "收款人姓名", "金额（美元）", "交易状态", "失败原因"]
    code, out, err = run("reconcile", ccb_result(tmp_path / "c.xlsx", [[3, card[3], "学生三", "750.00", "成功", None]],
                                                 head=dollars), "--term", TERM, "--workspace", root)
    assert code == 2 and "“金额（美元）”列（第D列）" in err and "美元" in err and "未入账" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert sorted(s for (s,) in conn.execute("SELECT status FROM payments")) == ["paid", "sent", "sent"]


def test_a_total_line_that_disagrees_with_the_lines_refuses_the_file(tmp_path, run):
    """The bank's 合计 line was dropped as a roster's is and never compared: a result file one line
    short, or with an amount altered, applied what it held, exit 0. A 合计 that is neither the sum
    of the lines nor that of the successful ones now refuses the file, naming its row and column."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    name = f"代发_工商银行_{TERM}_{batch}_01_回盘.txt"
    lines = [f"1|{card[1]}|学生一|750.00|成功|", f"2|{card[2]}|学生二|750.00|成功|"]   # the third line lost
    code, out, err = run("reconcile", result_file(tmp_path / name, [*lines, "合计|||2250.00||"]), "--term", TERM,
                         "--workspace", root)
    assert code == 2 and f"{name}，第4行，“金额”列" in err and "合计金额为 2250.00 元" in err, err
    assert "2 笔逐笔结果金额合计为 1500.00 元" in err and "整份回盘未入账" in err, err
    assert set(statuses(root).values()) == {"sent"}
    # a total of every line, or of the successful ones only, agrees: the lines apply
    whole = [*lines, f"3|{card[3]}|学生三|750.00|失败|账户冻结"]
    doc = reconcile(run, root, result_file(tmp_path / name, [*whole, "合计|||1,500.00||"]), expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"], doc["totals"]["problems"]) == (2, 1, 0)


def test_a_result_workbook_answering_in_two_sheets_is_read_whole(tmp_path, run):
    """成功明细 and 失败明细: only the first sheet holding the header was read, the failures on the
    second dropped without a word, exit 0. Every sheet with the result's header is read now, and a
    line is named with its sheet."""
    root = ccb_paid(tmp_path, run, 3)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "成功明细"
    for line in [CCB_RESULT, [1, card[1], "学生一", "750.00", "成功", None], [2, card[2], "学生二", "750.00", "成功", None]]:
        wb.active.append(line)
    failures = wb.create_sheet("失败明细")
    for line in [CCB_RESULT, [3, card[3], "学生三", "750.00", "失败", "账户冻结"], [2, card[2], "学生二", "750.00", "失败", "户名不符"]]:
        failures.append(line)
    wb.save(book)
    doc = reconcile(run, root, book, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生一"]
    assert [(f["name"], f["sheet"], f["row"], f["reason"]) for f in doc["failed"]] == [("学生三", "失败明细", 2, "账户冻结")]
    assert [(p["sheet"], p["row"]) for p in doc["problems"]] == [("成功明细", 3), ("失败明细", 3)]
    assert "工作表“成功明细”第 3 行、工作表“失败明细”第 3 行" in doc["problems"][0]["issue"]
    assert sorted(statuses(root).values()) == ["failed", "paid", "sent"]


def _two_sheet_result(tmp_path: Path, run):
    """Two students paid by ccb-xlsx, and the bank's workbook begun: its 成功明细 sheet with the first."""
    root = ccb_paid(tmp_path, run, 2)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 3)}
    wb = openpyxl.Workbook()
    wb.active.title = "成功明细"
    for line in [CCB_RESULT, [1, card[1], "学生一", "750.00", "成功", None]]:
        wb.active.append(line)
    return root, card, tmp_path / "ccb.xlsx", wb


def test_a_result_workbook_with_a_hidden_sheet_is_refused(tmp_path, run):
    """Every sheet holding the result's header is read, and a hidden one is not opened: a 失败明细
    sheet hidden by whoever exported it was never read, its failures lost, exit 0. Now the file is
    refused, naming the hidden sheet, and nothing is applied."""
    root, card, book, wb = _two_sheet_result(tmp_path, run)
    failures = wb.create_sheet("失败明细")
    for line in [CCB_RESULT, [2, card[2], "学生二", "750.00", "失败", "账户冻结"]]:
        failures.append(line)
    failures.sheet_state = "hidden"
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "隐藏的工作表“失败明细”" in err and "整份回盘未入账" in err, (code, err)
    assert sorted(statuses(root).values()) == ["sent", "sent"]


def test_a_result_with_two_status_columns_that_differ_is_refused(tmp_path, run):
    """交易状态 twice, the hidden one saying 失败: the visible one (成功) was read and the payment marked
    paid with no word. Which column the bank meant is not guessed: the file is refused, naming both."""
    root = ccb_paid(tmp_path, run, 1)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*CCB_RESULT, "交易状态"])
    ws.append([1, voc_row(1)["银行卡号"], "学生一", "750.00", "失败", "账户冻结", "成功"])
    ws.column_dimensions["E"].hidden = True
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "有多列可作为“交易状态”" in err and "已隐藏" in err and "整份回盘未入账" in err, (code, err)
    assert list(statuses(root).values()) == ["sent"]


# --- pain.002 statuses as the standard means them ---------------------------------------------------

def test_pain002_statuses_only_acsc_settles_rjct_fails_the_rest_stay_sent(tmp_path, run, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 7)]}, toml=PAYER, db=ledger_db)
    out = disburse(run, root, "--bank", "iso20022", expect=0)
    batch = out["batch"]
    person = {i: p["id_number"] for i, p in enumerate(out["payments"], start=1)}
    codes = {1: "ACSC", 2: "ACCP", 3: "ACSP", 4: "ACWC", 5: "PDNG", 6: "RJCT"}
    report = tmp_path / "status1.xml"
    report.write_text(pain002(batch, [tx(f"{batch}-{i}", c, reason="AC04" if c == "RJCT" else None)
                                      for i, c in codes.items()]), encoding="utf-8")
    doc = reconcile(run, root, report, expect=1)   # one failed payment: exit 1
    assert [p["id_number"] for p in doc["paid"]] == [person[1]]
    assert [p["id_number"] for p in doc["failed"]] == [person[6]]
    assert sorted((p["id_number"], p["status"]) for p in doc["pending"]) == \
        sorted((person[i], codes[i]) for i in (2, 3, 4, 5))
    assert doc["problems"] == []
    st = statuses(root)
    assert [st[person[i]] for i in range(1, 7)] == ["paid", "sent", "sent", "sent", "sent", "failed"]
    # only pending left and the bank's later report: a later status applies
    later = tmp_path / "status2.xml"
    later.write_text(pain002(batch, [tx(f"{batch}-2", "ACSC"), tx(f"{batch}-3", "ACSP"),
                                     tx(f"{batch}-4", "RJCT", reason="AM04"), tx(f"{batch}-5", "ACSC")]),
                     encoding="utf-8")
    doc = reconcile(run, root, later, expect=1)
    st = statuses(root)
    assert [st[person[i]] for i in range(1, 7)] == ["paid", "paid", "sent", "failed", "paid", "failed"]
    only_pending = tmp_path / "status3.xml"
    only_pending.write_text(pain002(batch, [tx(f"{batch}-3", "ACSP")]), encoding="utf-8")
    doc = reconcile(run, root, only_pending, expect=0)   # nothing failed, nothing wrong: exit 0, said as pending
    assert doc["paid"] == [] and [p["status"] for p in doc["pending"]] == ["ACSP"]


def group_status(batch: str, msg: str, status: str, *, count: int | None = None, total: str | None = None) -> str:
    extra = (f"<OrgnlNbOfTxs>{count}</OrgnlNbOfTxs>" if count is not None else "") + \
        (f"<OrgnlCtrlSum>{total}</OrgnlCtrlSum>" if total else "")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>'
            f'<GrpHdr><MsgId>STS-{batch}</MsgId><CreDtTm>2011-09-21T10:00:00</CreDtTm></GrpHdr>'
            f'<OrgnlGrpInfAndSts><OrgnlMsgId>{msg}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>'
            f'{extra}<GrpSts>{status}</GrpSts><StsRsnInf><Rsn><Cd>AM05</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>'
            '</CstmrPmtStsRpt></Document>\n')


def test_a_group_rejection_fails_every_payment_of_its_message(tmp_path, run, ledger_db):
    """GrpSts RJCT without entries per payment: every payment of the message (its MsgId,
    <batch>-<first>-<last>, says which) fails, with the group's reason; never 0 / 0 / 0 and exit 0.
    A message id the ledger cannot resolve, or a count that disagrees, is reported with exit 1."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, toml=PAYER, db=ledger_db)
    workspace_profile(root, "iso20022", max_records=3)
    batch = disburse(run, root, "--bank", "iso20022", expect=0)["batch"]
    files = sorted((root / "out" / TERM).glob("pain001_*.xml"))
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    msg_ids = [ElementTree.parse(f).getroot().find(".//p:GrpHdr/p:MsgId", ns).text for f in files]
    assert msg_ids == [f"{batch}-1-3", f"{batch}-4-4"]

    legacy = tmp_path / "legacy.xml"
    legacy.write_text(group_status(batch, f"{batch}-01", "RJCT"), encoding="utf-8")
    doc = reconcile(run, root, legacy, expect=1)
    assert doc["paid"] == doc["failed"] == [] and len(doc["problems"]) == 1 and "整组" in doc["problems"][0]["issue"]
    wrong = tmp_path / "wrong.xml"
    wrong.write_text(group_status(batch, msg_ids[0], "RJCT", count=2), encoding="utf-8")
    doc = reconcile(run, root, wrong, expect=1)
    assert doc["failed"] == [] and "不符" in doc["problems"][0]["issue"]
    assert set(statuses(root).values()) == {"sent"}

    rejected = tmp_path / "rejected.xml"
    rejected.write_text(group_status(batch, msg_ids[0], "RJCT", count=3, total="2250.00"), encoding="utf-8")
    doc = reconcile(run, root, rejected, expect=1)
    assert len(doc["failed"]) == 3 and {f["reason"] for f in doc["failed"]} == {"AM05"} and doc["problems"] == []
    assert sorted(statuses(root).values()) == ["failed"] * 3 + ["sent"]
    assert ledger_rows(root, "SELECT DISTINCT failure_reason FROM payments WHERE status = 'failed'") == [("AM05",)]


# --- the count and amount a result file declares above its table ----------------------------------

def ccb_lines(outcomes: dict[int, str]) -> list[list]:
    """The 建设银行 result lines of students `outcomes` names (750.00 each), 成功 or 失败."""
    return [[i, voc_row(i)["银行卡号"], f"学生{hanzi(i)}", "750.00", word, None if word == "成功" else "账户冻结"]
            for i, word in outcomes.items()]


def refused(run, root: Path, result: Path, *extra) -> str:
    """reconcile of a file refused as a whole: exit 2, one message, nothing settled."""
    def ledger() -> list:
        return [ledger_rows(root, "SELECT id, status, failure_reason, updated_at FROM payments ORDER BY id"),
                ledger_rows(root, "SELECT id, status, reason, settled_at FROM attempts ORDER BY id")]

    before = ledger()
    code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root, *extra)
    assert code == 2 and "整份回盘未入账" in err, (code, out, err)
    assert ledger() == before
    return err


SEPARATE = [["建设银行批量代发结果"], ["总笔数", 3, "总金额", "2,250.00"]]   # label and value, a cell each
ONE_CELL = [["建设银行批量代发结果"], ["总笔数：3  总金额：2,250.00"]]      # both in one cell


@pytest.mark.parametrize("above", [SEPARATE, ONE_CELL], ids=["cells", "one cell"])
def test_a_result_declaring_more_lines_above_than_it_holds_is_refused(tmp_path, run, above):
    """总笔数 above the table was never read: a 回盘 cut short after its second line applied those two,
    exit 0, the third payment left 已发送 without a word. A declared count the lines do not reach
    refuses the file now, naming the row and both counts, and nothing is applied."""
    root = ccb_paid(tmp_path, run, 3)
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功"}), above=above)
    err = refused(run, root, book)
    assert "回盘.xlsx，工作表“Sheet”，第2行" in err and "“总笔数”为 3 笔" in err and "读取的逐笔结果为 2 笔，少 1 笔" in err, err
    assert "可能有结果行缺失" in err, err
    # the whole file applies as before, the figures said to agree
    doc = reconcile(run, root, ccb_result(tmp_path / "全.xlsx", ccb_lines({1: "成功", 2: "成功", 3: "失败"}),
                                         above=above), expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"], doc["totals"]["problems"]) == (2, 1, 0)
    assert [(f["figure"], f["label"], f["value"], f["row"]) for f in doc["declared"]] == \
        [("count", "总笔数", "3", 2), ("amount", "总金额", "2250.00", 2)]
    assert sorted(statuses(root).values()) == ["failed", "paid", "paid"]


@pytest.mark.parametrize("footer", [[["总笔数：3  总金额：2,250.00"]], [["总笔数", 3, "总金额", "2,250.00"]],
                                    [["成功笔数：3"], ["失败笔数：0"]]],
                         ids=["one cell", "cells", "split on two rows"])
def test_a_result_declaring_its_figures_under_its_lines_is_checked_as_above(tmp_path, run, footer):
    """A 回盘 whose 总笔数 or 成功笔数 stands under its lines, cut short after its second line: the footer
    was not read (a one-cell footer was dropped as blank, one in cells read as a line whose 序号 could
    not be read), those two lines applied and the third payment left 已发送 without a word. The
    footer is now checked as figures above the table are, and is no line: the file is refused,
    naming the footer's row; the whole file applies, the figures said to agree."""
    root = ccb_paid(tmp_path, run, 3)
    book = ccb_result(tmp_path / "回盘.xlsx", [*ccb_lines({1: "成功", 2: "成功"}), *footer])
    err = refused(run, root, book)
    assert "回盘.xlsx，工作表“Sheet”，第4行" in err and "回盘在表格下方写" in err, err
    assert "读取的逐笔结果为 2 笔，少 1 笔" in err or "处理结果为成功的有 2 笔" in err, err
    whole = ccb_result(tmp_path / "全.xlsx", [*ccb_lines({1: "成功", 2: "成功", 3: "成功"}), *footer])
    doc = reconcile(run, root, whole, expect=0)
    assert (doc["totals"]["paid"], doc["totals"]["problems"]) == (3, 0), doc
    assert {(f["label"], f["row"]) for f in doc["declared"]} == {(r[0].split("：")[0], 5 + k) for k, r in enumerate(footer)} \
        | ({("总金额", 5)} if len(footer) == 1 else set()), doc["declared"]
    assert sorted(statuses(root).values()) == ["paid"] * 3


def test_a_text_result_with_a_footer_declaring_more_lines_is_refused(tmp_path, run):
    """The icbc-txt 回盘 with 总笔数|3|总金额|2250.00 under its lines, a line lost: refused."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    path = tmp_path / f"回盘_{batch}.txt"
    lines = ["序号|账号|户名|金额|处理结果|失败原因", *[f"{i}|{card[i]}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)],
             "总笔数|3|总金额|2250.00"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    err = refused(run, root, path)
    assert f"回盘_{batch}.txt，第4行" in err and "回盘在表格下方写的“总笔数”为 3 笔" in err and "少 1 笔" in err, err


def test_a_declared_figure_agreeing_with_the_lines_is_said_to_agree(tmp_path, run):
    """Every figure a file declares, in cells or in one cell, agreeing: the lines apply as before and
    the terminal says which figures were checked."""
    root = ccb_paid(tmp_path, run, 3)
    above = [["学生资助资金代发回盘", None, None, "批次号：B1"], ["记录数", 3, "总金额（元）", 2250],
             ["成功笔数：2；成功金额：1,500.00元；失败笔数：1；失败金额：750.00元"]]
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功", 3: "失败"}), above=above)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 1, err
    assert "已与逐笔结果核对一致：记录数 3 笔；总金额 2250.00 元；成功笔数 2 笔；成功金额 1500.00 元；失败笔数 1 笔；" \
           "失败金额 750.00 元" in out.replace("\n", ""), out
    assert sorted(statuses(root).values()) == ["failed", "paid", "paid"]


@pytest.mark.parametrize(("declared", "said"), [
    ("总笔数：3 总金额：2,249.99", "“总金额”为 2249.99 元，而读取的 3 笔逐笔结果金额合计为 2250.00 元（其中成功 1500.00 元），多 0.01 元"),
    ("总笔数：3 总金额：2,250.01", "“总金额”为 2250.01 元，而读取的 3 笔逐笔结果金额合计为 2250.00 元（其中成功 1500.00 元），少 0.01 元"),
    ("成功笔数：3 失败笔数：0", "“成功笔数”为 3 笔，而读取的逐笔结果中处理结果为成功的有 2 笔"),
    ("成功笔数：2 失败笔数：0", "“失败笔数”为 0 笔，而读取的逐笔结果中处理结果为失败的有 1 笔"),
    ("成功金额：2,250.00 失败金额：0.00", "“成功金额”为 2250.00 元，而读取的逐笔结果中处理结果为成功的金额合计为 1500.00 元"),
    ("成功金额：1,500.00 失败金额：750.01", "“失败金额”为 750.01 元，而读取的逐笔结果中处理结果为失败的金额合计为 750.00 元"),
], ids=["amount 0.01 short", "amount 0.01 over", "success count", "failure count", "success amount",
        "failure amount"])
def test_a_declared_amount_or_split_that_disagrees_refuses_the_file(tmp_path, run, declared, said):
    """A 总金额 off by one fen, or a 成功/失败 split that is not that of the lines (a 失败 line read as 成功
    by a status word, a line lost): the file is refused, naming the figure and what the lines say."""
    root = ccb_paid(tmp_path, run, 3)
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功", 3: "失败"}), above=[[declared]])
    err = refused(run, root, book)
    assert "第1行" in err and said in err, err


@pytest.mark.parametrize(("above", "said"), [
    ([["总笔数：见附件"]], "写有“总笔数”，其后的“见附件”无法读取为笔数"),
    ([["总笔数", None, "总金额", "2250.00"]], "写有“总笔数”，但同一行中其后没有笔数"),
    ([["总笔数："]], "写有“总笔数”，但同一行中其后没有笔数"),
    ([["总笔数：3", "总金额：贰仟贰佰伍拾元"]], "写有“总金额”，其后的“贰仟贰佰伍拾元”无法读取为金额"),
    ([["总笔数：2.5"]], "其后的“2.5”无法读取为笔数"),
    ([["总金额：0.23万"]], "其后的“0.23万”无法读取为金额"),
    ([["总金额：2,25.00"]], "其后的“2,25.00”无法读取为金额"),
    ([["总金额：2250.001"]], "其后的“2250.001”无法读取为金额"),
    ([["总金额：2250美元"]], "“总金额”的金额单位写作“美元”，不是可识别的单位"),
    ([["总金额（含手续费）：2250.00"]], "写有“总金额”，其后的“2250.00”（注明“含手续费”）无法读取为金额"),
    ([["总笔数：3元"]], "写有“总笔数”，其后的“3元”无法读取为笔数"),
    ([["总笔数：3"], ["记录数：2"]], "两处写的笔数不同：表头上方第1行“总笔数”为 3 笔，表头上方第2行“记录数”为 2 笔"),
    # a footnote mark is no digit: NFKC read 1500¹ as 15001 (the file then refused for lines said to be
    # missing), and ③ as 3, which agreed with the lines and applied the file
    ([["总笔数：3", "总金额：1500¹"]], "其后的“1500¹”（其中的“¹”不是数字"),
    ([["总笔数：③"]], "其后的“③”（其中的“③”不是数字"),
], ids=["words", "blank cell", "nothing after", "in words", "not whole", "ten thousand", "bad grouping",
        "below a fen", "unknown unit", "a remark", "count in yuan", "two counts", "superscript mark",
        "circled mark"])
def test_a_declared_figure_that_cannot_be_read_refuses_the_file(tmp_path, run, above, said):
    """A figure the bank declares is checked or the file is refused: one that cannot be read (words, a
    blank, 0.23万, a unit not known) or two of one kind that differ is never passed over."""
    root = ccb_paid(tmp_path, run, 3)
    book = ccb_result(tmp_path / "回盘.xlsx", ccb_lines({1: "成功", 2: "成功", 3: "成功"}), above=above)
    err = refused(run, root, book)
    assert said in err and "回盘.xlsx，工作表“Sheet”，第" in err, err


def test_a_declared_amount_is_read_in_the_unit_stated(tmp_path, run):
    """总金额（万元）：0.225 is 2,250.00 元; under 单位：万元 a bare 0.225 is too, as the lines' 0.075 are.
    Read as 元, 0.225 would disagree with every file: 2250 (元) then disagrees under 万元."""
    root = ccb_paid(tmp_path, run, 3)
    lines = ccb_lines({1: "成功", 2: "成功", 3: "成功"})
    err = refused(run, root, ccb_result(tmp_path / "a.xlsx", lines, above=[["总金额（万元）：0.2249"]]))
    assert "“总金额”为 “0.2249万元”（即 2249.00 元）" in err, err
    in_wan = [[*line[:3], "0.075", *line[4:]] for line in lines]
    err = refused(run, root, ccb_result(tmp_path / "b.xlsx", in_wan, above=[["单位：万元"], ["总金额：2250"]]))
    assert "“总金额”为 “2250”（即 22500000.00 元）" in err, err
    doc = reconcile(run, root, ccb_result(tmp_path / "c.xlsx", in_wan, above=[["单位：万元"], ["总金额：0.225"]]),
                    expect=0)
    assert doc["totals"]["paid"] == 3 and doc["declared"][0]["value"] == "2250.00"


def test_a_text_result_declaring_more_lines_than_it_holds_is_refused(tmp_path, run):
    """The icbc-txt 回盘 echoing its 报盘's first line (总笔数|3|总金额|2250.00|批次号|…) with a line lost."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    lines = [f"{i}|{card[i]}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)]

    def text(head: str, rows: list[str]) -> Path:
        path = tmp_path / f"回盘_{len(rows)}.txt"
        path.write_bytes(("\r\n".join([head, "序号|账号|户名|金额|处理结果|失败原因", *rows]) + "\r\n").encode("gbk"))
        return path

    err = refused(run, root, text(f"总笔数|3|总金额|2250.00|批次号|{batch}|第1/1个文件", lines))
    assert "回盘_2.txt，第1行" in err and "“总笔数”为 3 笔" in err and "少 1 笔" in err, err
    doc = reconcile(run, root, text(f"总笔数|3|总金额|2250.00|批次号|{batch}|第1/1个文件",
                                    [*lines, f"3|{card[3]}|学生三|750.00|成功|"]), expect=0)
    assert doc["totals"]["paid"] == 3 and doc["bound_by"] == "表头上方的文字"


def test_figures_above_and_a_total_below_that_disagree_refuse_the_file(tmp_path, run):
    """Where a line's amount cannot be read, neither 总金额 above nor 合计 below is compared with the
    lines; they are compared with each other, and a file whose two totals differ is refused. Two
    that agree leave the file as before: the unread line a problem, the others applied."""
    root = ccb_paid(tmp_path, run, 3)
    lines = ccb_lines({1: "成功", 2: "成功", 3: "成功"})
    lines[2][3] = "柒佰伍拾"
    err = refused(run, root, ccb_result(tmp_path / "a.xlsx", [*lines, ["合计", None, None, "1,500.00", None, None]],
                                        above=[["总笔数：3  总金额：2,250.00"]]))
    assert "a.xlsx，工作表“Sheet”，第6行，“金额”列" in err and "合计金额为 1500.00 元，而表头上方第1行写的“总金额”为 2250.00 元" in err, err
    doc = reconcile(run, root, ccb_result(tmp_path / "b.xlsx", [*lines, ["合计", None, None, "2,250.00", None, None]],
                                          above=[["总笔数：3  总金额：2,250.00"]]), expect=1)
    assert doc["totals"]["paid"] == 2 and [p["row"] for p in doc["problems"]] == [5]


def test_a_total_below_whose_amount_cannot_be_read_refuses_the_file(tmp_path, run):
    """A 合计 whose 金额 cannot be read was taken for one without an amount and never compared; it
    refuses the file now. A 合计 with its 金额 blank states none, as before."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]})
    disburse(run, root, expect=0)
    lines = [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)]
    err = refused(run, root, result_file(tmp_path / "a.txt", [*lines, "合计|||壹仟伍佰元||"]))
    assert "a.txt，第4行，“金额”列" in err and "合计金额“壹仟伍佰元”无法读取为金额" in err, err
    doc = reconcile(run, root, result_file(tmp_path / "b.txt", [*lines, "合计|||||"]), expect=0)
    assert doc["totals"]["paid"] == 2


def test_a_workbook_in_two_sheets_declares_for_its_sheet_or_for_the_file(tmp_path, run):
    """成功明细 and 失败明细: a title on the first sheet may speak for the whole file, each sheet's for
    itself; figures agreeing with neither refuse the file."""
    root = ccb_paid(tmp_path, run, 3)

    def book(name: str, first: list[list], second: list[list]) -> Path:
        wb = openpyxl.Workbook()
        wb.active.title = "成功明细"
        for line in [*first, CCB_RESULT, *ccb_lines({1: "成功", 2: "成功"})]:
            wb.active.append(line)
        failures = wb.create_sheet("失败明细")
        for line in [*second, CCB_RESULT, *ccb_lines({3: "失败"})]:
            failures.append(line)
        wb.save(tmp_path / name)
        return tmp_path / name

    err = refused(run, root, book("a.xlsx", [["总笔数：4"]], []))
    assert "工作表“成功明细”，第1行" in err and "“总笔数”为 4 笔" in err, err
    assert "而本工作表读取的逐笔结果为 2 笔（全部工作表共 3 笔），少 2 笔" in err, err
    err = refused(run, root, book("b.xlsx", [["成功笔数：2"]], [["失败笔数：2"]]))
    assert "工作表“失败明细”，第1行" in err and "“失败笔数”为 2 笔" in err, err
    doc = reconcile(run, root, book("c.xlsx", [["总笔数：3 成功笔数：2 失败笔数：1"]], [["失败笔数：1"]]), expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"]) == (2, 1)
    assert [(f["sheet"], f["label"]) for f in doc["declared"]] == \
        [("成功明细", "总笔数"), ("成功明细", "成功笔数"), ("成功明细", "失败笔数"), ("失败明细", "失败笔数")]


def test_a_line_whose_result_is_unknown_may_be_either_in_a_declared_split(tmp_path, run):
    """A line whose 交易状态 is no known word (处理中) is a problem, never applied; the 成功笔数 declared
    may count it or not, but never fewer than the lines known to be paid."""
    root = ccb_paid(tmp_path, run, 3)
    lines = ccb_lines({1: "成功", 2: "成功", 3: "成功"})
    lines[2][4] = "处理中"
    doc = reconcile(run, root, ccb_result(tmp_path / "a.xlsx", lines, above=[["成功笔数：3"]]), expect=1)
    assert doc["totals"]["paid"] == 2 and [p["row"] for p in doc["problems"]] == [5]
    err = refused(run, root, ccb_result(tmp_path / "b.xlsx", lines, above=[["成功笔数：1"]]))
    assert "处理结果为成功的有 2 笔，另有 1 笔处理结果无法识别" in err, err


def test_a_merged_label_and_equal_figures_are_each_read(tmp_path, run):
    """A label merged over two cells is one cell; 成功笔数 3 after 总笔数 3 is read although the reader's
    text of the row writes a value once."""
    root = ccb_paid(tmp_path, run, 3)
    path = tmp_path / "回盘.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["总笔数", None, 3, "成功笔数", 3, "失败笔数", 0])
    ws.merge_cells("A1:B1")
    for line in [CCB_RESULT, *ccb_lines({1: "成功", 2: "成功", 3: "成功"})]:
        ws.append(line)
    wb.save(path)
    doc = reconcile(run, root, path, expect=0)
    assert [(f["label"], f["value"]) for f in doc["declared"]] == [("总笔数", "3"), ("成功笔数", "3"), ("失败笔数", "0")]
    ws.cell(row=1, column=5).value = 2
    wb.save(path)
    assert "“成功笔数”为 2 笔" in refused(run, root, path, "--bank", "ccb-xlsx")


def test_a_profile_names_its_own_declared_words(tmp_path, run):
    """A bank writing 本批笔数 gives its words in its profile's result.declared, replacing the shared
    ones of rules/bank_results.yaml; a word standing for two figures is refused by the rules."""
    root = ccb_paid(tmp_path, run, 2)
    data = yaml.safe_load((packaged_rules_dir() / "banks" / "ccb-xlsx.yaml").read_text(encoding="utf-8"))
    data["result"]["declared"] = {"count": ["本批笔数"]}
    workspace_profile(root, "ccb-xlsx", result=data["result"])
    lines = ccb_lines({1: "成功"})
    assert "“本批笔数”为 2 笔" in refused(run, root, ccb_result(tmp_path / "a.xlsx", lines, above=[["本批笔数：2"]]))
    doc = reconcile(run, root, ccb_result(tmp_path / "b.xlsx", lines, above=[["总笔数：2"]]), expect=0)
    assert doc["declared"] == []   # 总笔数 is not this bank's word
    data["result"]["declared"] = {"count": ["笔数"], "paid_count": ["笔数"]}
    workspace_profile(root, "ccb-xlsx", result=data["result"])
    code, out, err = run("reconcile", tmp_path / "a.xlsx", "--term", TERM, "--workspace", root)
    assert code == 2 and "ccb-xlsx.yaml" in err and "“笔数”同时写在 count 和 paid_count 中" in err, err


@pytest.mark.parametrize(("cells", "read"), [
    (["总笔数：1250  总金额：1,875,000.00"], [("count", 1250), ("amount", 187500000)]),
    (["总笔数", "1250", "总金额", "1,875,000.00"], [("count", 1250), ("amount", 187500000)]),
    (["批次号：B20110901 记录数：3"], [("count", 3)]),
    (["总笔数:3，总金额:2250.00元"], [("count", 3), ("amount", 225000)]),
    (["总笔数：１２５０笔；总金额：￥1,875,000.00"], [("count", 1250), ("amount", 187500000)]),
    (["总笔数（笔）", "3", "总金额（万元）", "0.225"], [("count", 3), ("amount", 225000)]),
    (["总金额：187.5 万元"], [("amount", 187500000)]),
    (["总金额", "187.5（万元）"], [("amount", 187500000)]),
    (["总笔数：3（其中成功2笔）"], [("count", 3)]),
    (["成功记录数：3 失败记录数：0 总记录数：3"], [("paid_count", 3), ("failed_count", 0), ("count", 3)]),
    (["合计笔数", "2", "合计金额", "1500", "失败金额", "0"], [("count", 2), ("amount", 150000), ("failed_amount", 0)]),
    (["学生资助资金代发回盘", "付款单位：某市学生资助管理中心"], []),
])
def test_declared_figures_are_read_as_written(cells, read):
    """What follows a word, in its cell or the next: separators, units (元, 万元, 笔), ¥, full-width
    digits and thousands separators read; the longest word wins (成功记录数 is not 记录数)."""
    from types import SimpleNamespace

    from aidctl.pay.declared import declared_figures, read_figures, words_of
    from aidctl.pay.results import _amounts
    from aidctl.rulebook import Rulebook

    rules = Rulebook()
    profile = rules.bank("ccb-xlsx")
    words = words_of(profile, rules)
    table = SimpleNamespace(columns={}, header_row=2, above_cells=[(1, list(enumerate(cells)))], below_cells=[])
    figures = declared_figures(table, None, words, [*rules.columns.units, *words.count_units],
                               rules.columns.header_words.money_unit_suffix)
    read_figures(figures, profile, table, rules, words, "回盘.xlsx", _amounts)
    assert [(f.key, f.value) for f in figures] == read


def test_the_longest_declared_word_wins():
    """A word that begins another (笔数, 笔数成功) never takes the longer one's figure."""
    from types import SimpleNamespace

    from aidctl.pay.declared import declared_figures, read_figures
    from aidctl.pay.results import _amounts
    from aidctl.rulebook import DeclaredWords, Rulebook

    rules = Rulebook()
    words = DeclaredWords(count=["笔数"], paid_count=["笔数成功"])
    table = SimpleNamespace(columns={}, header_row=2, above_cells=[(1, [(0, "笔数成功：2 笔数：3")])], below_cells=[])
    figures = declared_figures(table, None, words, list(rules.columns.units), ["元"])
    read_figures(figures, rules.bank("ccb-xlsx"), table, rules, words, "回盘.xlsx", _amounts)
    assert [(f.key, f.value) for f in figures] == [("paid_count", 2), ("count", 3)]


# --- never silently wrong: a line is read with confidence or reported --------------------------------

def pain002_report(batch: str, ids: str, blocks: list[tuple[str | None, list[str]]], grp: str | None = None) -> str:
    """A pain.002 whose message and blocks carry aidctl's ids (<batch>-<first>-<last>), with a GrpSts
    and each block's PmtInfSts where given."""
    body = "".join(f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{ids}</OrgnlPmtInfId>"
                   + (f"<PmtInfSts>{status}</PmtInfSts>" if status else "") + "".join(txs) + "</OrgnlPmtInfAndSts>"
                   for status, txs in blocks)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>'
            f'<GrpHdr><MsgId>STS-{batch}</MsgId><CreDtTm>2011-09-21T10:00:00</CreDtTm></GrpHdr>'
            f'<OrgnlGrpInfAndSts><OrgnlMsgId>{ids}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>'
            + (f"<GrpSts>{grp}</GrpSts>" if grp else "") + f"</OrgnlGrpInfAndSts>{body}</CstmrPmtStsRpt></Document>\n")


def test_a_group_status_that_contradicts_its_entries_settles_nothing_of_the_group(tmp_path, run):
    """GrpSts or PmtInfSts RJCT over entries saying ACSC marked every payment paid, exit 0; a block
    ACSC listing two RJCT failed those and left the rest sent without a word. As ISO 20022 defines
    it a group's status is each of its transactions' (a group whose transactions differ is PART):
    a final group status its entries or blocks contradict is a problem and nothing of the group is
    settled. A block's payments it does not list take its status where final, else are pending."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, toml=PAYER)
    batch = disburse(run, root, "--bank", "iso20022", expect=0)["batch"]
    ids = f"{batch}-1-4"
    acsc = [tx(f"{batch}-{i}", "ACSC") for i in range(1, 5)]
    contradicting = {"GrpSts RJCT": pain002_report(batch, ids, [(None, acsc)], grp="RJCT"),
                     "PmtInfSts RJCT": pain002_report(batch, ids, [("RJCT", acsc)]),
                     "PmtInfSts ACSC": pain002_report(batch, ids, [("ACSC", [tx(f"{batch}-1", "RJCT", reason="AC04"),
                                                                             tx(f"{batch}-2", "RJCT", reason="AC04")])]),
                     "GrpSts RJCT over a block ACSC": pain002_report(batch, ids, [("ACSC", [])], grp="RJCT")}
    for n, (case, xml) in enumerate(contradicting.items()):
        report = tmp_path / f"status{n}.xml"
        report.write_text(xml, encoding="utf-8")
        doc = reconcile(run, root, report, expect=1)
        assert doc["paid"] == doc["failed"] == doc["pending"] == [], case
        summary = [p["issue"] for p in doc["problems"] if p["row"] is None]
        assert len(summary) == 1 and "相互矛盾" in summary[0] and "PART" in summary[0] and "4 笔付款均未入账" in summary[0], case
        assert set(statuses(root).values()) == {"sent"}, case
    # PART: the two rejections listed fail, the two payments not listed stay sent and are said to
    part = tmp_path / "part.xml"
    part.write_text(pain002_report(batch, ids, [("PART", [tx(f"{batch}-1", "RJCT", reason="AC04")])]), encoding="utf-8")
    doc = reconcile(run, root, part, expect=1)
    assert len(doc["failed"]) == 1 and doc["problems"] == []
    assert sorted(p["status"] for p in doc["pending"]) == ["PART（整组状态，本笔未逐笔列出）"] * 3
    assert sorted(statuses(root).values()) == ["failed", "sent", "sent", "sent"]
    # a block ACSC listing some of its payments ACSC: the block's status is each of its payments'
    settled = tmp_path / "settled.xml"
    settled.write_text(pain002_report(batch, ids, [("ACSC", [tx(f"{batch}-2", "ACSC")])]), encoding="utf-8")
    doc = reconcile(run, root, settled, expect=0)
    assert len(doc["paid"]) == 3 and doc["problems"] == []
    assert sorted(statuses(root).values()) == ["failed", "paid", "paid", "paid"]


def test_a_batch_id_the_ledger_never_held_refuses_the_file(tmp_path, run):
    """A 回盘 whose name and title line name B20261205000000DEAD, a batch this ledger never held, was
    bound by 序号 to the term's batch and applied, exit 0. A batch id is known by its form, not only
    among the ledger's: the file is refused, naming it."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, expect=0)
    ghost = "B20261205000000DEAD"
    lines = [f"{i}|{voc_row(i)['银行卡号']}|学生{hanzi(i)}|750.00|成功|" for i in (1, 2)]
    named = result_file(tmp_path / f"代发_工商银行_{TERM}_{ghost}_01_回盘.txt", lines)
    above = tmp_path / "回盘.txt"
    above.write_bytes(("\r\n".join([f"总笔数|2|总金额|1500.00|批次号|{ghost}", "序号|账号|户名|金额|处理结果|失败原因",
                                    *lines]) + "\r\n").encode("gbk"))
    for result, where in ((named, "文件名"), (above, "表头上方的文字")):
        code, out, err = run("reconcile", result, "--term", TERM, "--workspace", root)
        assert code == 2 and f"“{ghost}”（{where}）不在账本中" in err and "整份文件未入账" in err, (code, err)
    assert set(statuses(root).values()) == {"sent"}


def test_a_line_with_a_blank_card_or_amount_is_held(tmp_path, run):
    """A line with its 序号 and 成功 but a blank 账号 or 金额 was marked paid, the JSON showing the
    ledger's card and amount as the bank's. The line's card and amount bind it: a blank one is a
    problem, shown blank. A result table without a 金额 column at all is refused (it was an
    internal error); a pain.002 entry without OrgnlTxRef is bound by its EndToEndId (tested above)."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    result = result_file(tmp_path / f"回盘_{batch}.txt", [
        "1||学生一|750.00|成功|", f"2|{card[2]}|学生二||成功|", "3||||成功|", f"4|{card[4]}|学生四|750.00|成功|"])
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生四"]
    assert [(p["row"], p["card"], p["amount"]) for p in doc["problems"]] == \
        [(2, None, "750.00"), (3, card[2], None), (4, None, None)]
    assert [p["issue"].split("：")[0] for p in doc["problems"]] == ["本行的账号为空", "本行的金额为空", "本行的账号和金额为空"]
    assert sorted(statuses(root).values()) == ["paid", "sent", "sent", "sent"]
    no_amount = tmp_path / f"回盘2_{batch}.txt"
    no_amount.write_bytes(("序号|账号|户名|处理结果|失败原因\r\n" + f"1|{card[1]}|学生一|成功|\r\n").encode("gbk"))
    assert "回盘没有“金额”列" in refused(run, root, no_amount)


def test_a_result_row_taken_for_a_footer_is_named(tmp_path, run):
    """A 回盘 whose 失败原因 comes first: a line whose reason begins with a signature word (审核未通过…)
    was dropped as a footer row without a word. A row taken for a footer that holds a 序号 and a
    result is a problem now, named with its row, and its payment stays sent."""
    root = ccb_paid(tmp_path, run, 3)
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 4)}
    head = ["交易状态", "失败原因", "序号", "收款人账号", "收款人姓名", "金额"]
    rows = [["成功", None, 1, card[1], "学生一", "750.00"], ["失败", "审核未通过：户名与账号不符", 2, card[2], "学生二", "750.00"],
            ["成功", None, 3, card[3], "学生三", "750.00"]]
    doc = reconcile(run, root, ccb_result(tmp_path / "ccb.xlsx", rows, head=head), expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生一", "学生三"] and doc["failed"] == []
    assert [(p["row"], p["card"], p["status"]) for p in doc["problems"]] == [(3, card[2], "失败")]
    assert "没有作为结果行读取" in doc["problems"][0]["issue"] and "序号 2、处理结果“失败”" in doc["problems"][0]["issue"]
    assert sorted(statuses(root).values()) == ["paid", "paid", "sent"]


def test_a_sheet_not_read_beside_the_result_refuses_the_workbook(tmp_path, run):
    """A 失败明细 sheet without a 交易状态 column was skipped, its failures lost, exit 0. A sheet of the
    workbook that holds text and is not read is named and the file refused, as a hidden one is; a
    blank sheet is no such sheet."""
    root, card, book, wb = _two_sheet_result(tmp_path, run)
    wb.create_sheet("Sheet2")   # blank, as a new workbook has
    failures = wb.create_sheet("失败明细")
    for line in [["序号", "收款人账号", "收款人姓名", "金额", "失败原因"], [2, card[2], "学生二", "750.00", "账户冻结"]]:
        failures.append(line)
    wb.save(book)
    err = refused(run, root, book)
    assert "工作表“失败明细”没有读取" in err and "没有“交易状态”列" in err and "Sheet2" not in err, err
    del wb["失败明细"]
    wb.save(book)
    doc = reconcile(run, root, book, expect=0)
    assert [p["name"] for p in doc["paid"]] == ["学生一"]


def test_a_success_line_its_own_row_contradicts_is_held(tmp_path, run):
    """成功 beside a 失败原因 (账户已销户), or beside a column aidctl does not read saying 退票标志 是, was
    marked paid. Such a line contradicts itself: a problem naming the column, never settled. A
    blank, a no (否, 无) or a success word there agrees."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    result = tmp_path / f"回盘_{batch}.txt"
    result.write_bytes(("\r\n".join([
        "序号|账号|户名|金额|处理结果|失败原因|退票标志|备注",
        f"1|{card[1]}|学生一|750.00|成功|账户已销户||", f"2|{card[2]}|学生二|750.00|成功||是|已退票",
        f"3|{card[3]}|学生三|750.00|成功|无|否|", f"4|{card[4]}|学生四|750.00|交易成功|交易成功||"]) + "\r\n").encode("gbk"))
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生三", "学生四"]
    assert [(p["row"], p["issue"]) for p in doc["problems"]] == [
        (2, "处理结果为“成功”，但“失败原因”列写有“账户已销户”：结果相互矛盾，未入账：请与银行核对"),
        (3, "处理结果为“成功”，但“退票标志”列写有“是”：结果相互矛盾，未入账：请与银行核对")]
    assert sorted(statuses(root).values()) == ["paid", "paid", "sent", "sent"]


def test_a_name_that_is_not_the_payees_is_held(tmp_path, run):
    """The bank's 户名 was never compared: another person's name on a line whose 序号, card and
    amount agree was marked paid. It must be the payee's name or its beginning (a bank cuts a long
    name); a blank one says nothing against it, and spaces and middle dots are not compared."""
    rows = [voc_row(1), voc_row(2, 姓名="买买提·艾力江"), voc_row(3), voc_row(4)]
    root = make_ws(tmp_path, {"a.xlsx": rows})
    batch = disburse(run, root, expect=0)["batch"]
    card = {i: voc_row(i)["银行卡号"] for i in range(1, 5)}
    doc = reconcile(run, root, result_file(tmp_path / f"回盘_{batch}.txt", [
        f"1|{card[1]}|王小明|750.00|成功|", f"2|{card[2]}|买买提艾力|750.00|成功|",
        f"3|{card[3]}||750.00|成功|", f"4|{card[4]}|学生 四|750.00|失败|账户冻结"]), expect=1)
    assert sorted(p["id_number"] for p in doc["paid"]) == sorted(voc_row(i)["身份证号码"] for i in (2, 3))
    assert len(doc["failed"]) == 1
    assert [(p["row"], p["issue"]) for p in doc["problems"]] == [
        (2, "户名“王小明”与该笔付款的收款人“学生一”不符（银行截短的户名须是收款人姓名的开头部分），未入账：请与银行核对")]
    assert sorted(statuses(root).values()) == ["failed", "paid", "paid", "sent"]
