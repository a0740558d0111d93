"""`aidctl reconcile`: the bank's result file (回盘) marks payments paid or failed; the school corrects
a failed card and the next `disburse` re-issues exactly those payments. Lines that do not match the
ledger are reported and never applied."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, make_card, voc_row
from test_disburse import TERM, cut_before_files, disburse, ledger_rows, make_ws

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
        f"1|{card[1]}|学生1|700.00|成功|",          # the amount differs from the ledger's 750.00
        f"2|{stranger}|学生2|750.00|成功|",          # an account the ledger never paid
        f"3|{card[3]}|学生3|750.00|处理中|",         # a status word that is neither success nor failure
        f"4|{card[4]}|学生4|750.00|成功|",           # the one good line
    ])
    doc = reconcile(run, root, result, expect=1)
    assert [p["name"] for p in doc["paid"]] == ["学生4"] and doc["failed"] == []
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
        f"1|{card[1]}|学生1|750.00|成功|", f"2|{card[2]}|学生2|750.00|失败|账户冻结",
        f"3|{card[3]}|学生3|750.00|交易成功|"])
    doc = reconcile(run, root, fixed, expect=1)
    assert (doc["totals"]["paid"], doc["totals"]["failed"], doc["totals"]["problems"]) == (2, 1, 0)
    assert [f["reason"] for f in doc["failed"]] == ["账户冻结"]


def test_a_clean_result_file_exits_0(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, expect=0)
    result = result_file(tmp_path / "回盘.txt", [f"{i}|{voc_row(i)['银行卡号']}|学生{i}|750.00|成功|" for i in (1, 2)])
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

    # a status report for another batch's EndToEndId matches nothing
    other = tmp_path / "other.xml"
    other.write_text(pain002("B0000", [tx("B0000-4", "ACSC")]), encoding="utf-8")
    doc = reconcile(run, root, other, expect=1)
    assert doc["paid"] == [] and len(doc["problems"]) == 1
    assert statuses(root)[by_seq[4]["id_number"]] == "sent"


def test_an_unreadable_status_report_exits_2(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, toml=PAYER)
    disburse(run, root, "--bank", "iso20022", expect=0)
    bad = tmp_path / "bad.xml"
    bad.write_text("<Document><unclosed>", encoding="utf-8")
    code, out, err = run("reconcile", bad, "--term", TERM, "--workspace", root)
    assert code == 2 and "bad.xml" in err and len(err.strip().splitlines()) == 1
    assert set(statuses(root).values()) == {"sent"}


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
