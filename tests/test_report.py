"""aidctl report: the term overview, checked against the ledger, the dry run and the workbook as read back."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import SAMPLES, voc_row, write_roster
from typer.testing import CliRunner

from aidctl.cli.common import app
from aidctl.core.errors import AidctlError
from aidctl.core.findings import CATALOGUE
from aidctl.rulebook import Rulebook, packaged_rules_dir

TERM = "2011-autumn"
REPORT = Path("out") / TERM / f"资助情况报告_{TERM}.xlsx"
SHEETS = ["汇总", "按县区", "按学校", "按项目", "不予发放原因"]
TOP_KEYS = {"version", "term", "ledger", "students_rule", "totals", "by_county", "by_school", "by_programme",
            "refused_by_code", "over_quota", "quota", "rosters", "notes", "report"}
MONEY_KEYS = {"amount", "paid", "sent", "failed"}


def aidctl(ws: Path, *args: str, as_json: bool = False):
    result = CliRunner().invoke(app, [*map(str, args), "--workspace", str(ws)])
    out = json.loads(result.stdout) if as_json and result.stdout.strip() else result.stdout
    return result.exit_code, out, result.stderr


def copy_samples(dest: Path) -> Path:
    ws = dest / "ws"
    shutil.copytree(SAMPLES, ws, ignore=shutil.ignore_patterns("aidctl.db", "out", ".aidctl.lock"))
    return ws


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """The sample payment cycle, once: dry run, disburse, the bank's result file; then the report."""
    ws = copy_samples(tmp_path_factory.mktemp("cycle"))
    code, dry, err = aidctl(ws, "disburse", "--term", TERM, "--dry-run", "--format", "json", as_json=True)
    assert code == 1, err
    code, _, err = aidctl(ws, "disburse", "--term", TERM)
    assert code == 1, err
    code, _, err = aidctl(ws, "reconcile", ws / "bank" / f"回盘_工商银行_{TERM}.txt", "--term", TERM)
    assert code == 1, err  # two payments fail
    code, doc, err = aidctl(ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    return ws, doc, dry


@pytest.fixture
def paid_ws(cycle, tmp_path):
    """A private copy of the workspace after the cycle, for tests that change it."""
    ws = tmp_path / "paid"
    shutil.copytree(cycle[0], ws)
    (ws / REPORT).unlink()
    return ws


def ledger_sums(ws: Path) -> dict:
    with sqlite3.connect(ws / "aidctl.db") as conn:
        rows = conn.execute("SELECT status, count(*), sum(amount_fen) FROM payments WHERE term = ? GROUP BY status",
                            (TERM,)).fetchall()
    return {status: (n, fen) for status, n, fen in rows}


def yuan_fen(text: str) -> int:
    return int(Decimal(text) * 100)


def cell_fen(value) -> int:
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def total_row(sheet, label: str = "合计") -> tuple:
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == label]
    assert len(rows) == 1, f"{sheet.title}: {len(rows)} rows labelled {label}"
    return rows[0]


def header(sheet) -> list:
    return list(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True)))


def data_rows(sheet) -> list[dict]:
    names = header(sheet)
    out = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] is None or row[0] == "合计":
            break
        out.append(dict(zip(names, row)))
    return out


# --- the sample cycle -----------------------------------------------------------------------------

def test_paid_and_failed_amounts_after_the_sample_cycle(cycle):
    ws, doc, _ = cycle
    t = doc["totals"]
    assert doc["ledger"] is True and doc["term"] == TERM and doc["version"] == 1
    assert t["paid"] == {"count": 38, "amount": "28500.00"}
    assert t["failed"] == {"count": 2, "amount": "1500.00"}
    assert t["sent"] == {"count": 0, "amount": "0.00"}
    assert t["payments"] == {"count": 40, "amount": "30000.00"}
    assert (t["students"], t["students_all_failed"]) == (38, 2)     # the two failed are no aided students
    assert t["statuses"]["paid"]["count"] == 38 and t["statuses"]["reissued"] == {"count": 0, "amount": "0.00"}
    assert doc["report"] == str(REPORT)
    assert (ws / REPORT).is_file()


def test_json_shape(cycle):
    _, doc, _ = cycle
    assert set(doc) == TOP_KEYS
    assert set(doc["totals"]) == {"students", "students_all_failed", "payments", "paid", "sent", "failed", "statuses"}
    assert set(doc["totals"]["statuses"]) == {"paid", "sent", "reissued", "failed", "pending"}
    students = {"students", "students_all_failed"}
    assert set(doc["by_county"][0]) == {"county", "roster_records", "refused", "payments"} | students | MONEY_KEYS
    assert set(doc["by_school"][0]) == {"county", "school", "school_type", "roster_records", "refused", "payments",
                                        "enrolment", "share", "quota", "over_quota"} | students | MONEY_KEYS
    assert set(doc["by_programme"][0]) == {"programme", "payments", "amount_share"} | students | MONEY_KEYS
    assert "至少有一笔付款未被银行退回" in doc["students_rule"] and "付款全部失败" in doc["students_rule"]
    assert set(doc["refused_by_code"][0]) == {"code", "title", "count"}
    assert doc["quota"] == {"region": "centre", "tolerance": "2.0"}
    assert set(doc["rosters"]) == {"files", "records", "refused", "school_funded"}
    for row in doc["by_county"] + doc["by_school"] + doc["by_programme"]:  # money: text with two decimals
        assert all(re.fullmatch(r"\d+\.\d\d", row[k]) for k in MONEY_KEYS), row


def test_sums_by_county_school_and_programme_are_the_ledgers(cycle):
    ws, doc, _ = cycle
    sums = ledger_sums(ws)
    ledger_fen = sum(fen for _, fen in sums.values())
    paid_fen = sums["paid"][1]
    failed_fen = sums["failed"][1]
    for part in ("by_county", "by_school", "by_programme"):
        rows = doc[part]
        assert sum(yuan_fen(r["amount"]) for r in rows) == ledger_fen, part
        assert sum(yuan_fen(r["paid"]) for r in rows) == paid_fen, part
        assert sum(yuan_fen(r["failed"]) for r in rows) == failed_fen, part
        assert sum(r["payments"] for r in rows) == 40, part
    counties = {r["county"]: r for r in doc["by_county"]}
    assert set(counties) == {"城关区", "东河县", "西山县"}  # 西山县 sent no roster and still shows, with zeros
    assert counties["西山县"]["amount"] == "0.00" and counties["西山县"]["roster_records"] == 0
    with sqlite3.connect(ws / "aidctl.db") as conn:
        by_county = dict(conn.execute("SELECT county, sum(amount_fen) FROM payments WHERE term = ? GROUP BY county",
                                      (TERM,)).fetchall())
    assert {c: yuan_fen(r["amount"]) for c, r in counties.items() if r["payments"]} == by_county


def test_refused_by_code_counts_are_the_dry_runs_refusals(cycle):
    _, doc, dry = cycle
    expected = Counter(code for r in dry["refused"] for code in r["codes"])
    assert {r["code"]: r["count"] for r in doc["refused_by_code"]} == dict(expected)
    assert all(r["title"] == CATALOGUE[r["code"]].title for r in doc["refused_by_code"])
    assert doc["rosters"]["refused"] == len(dry["refused"]) == 22
    assert doc["rosters"]["records"] == sum(r["roster_records"] for r in doc["by_school"])
    assert sum(r["refused"] for r in doc["by_county"]) == len(dry["refused"])


def test_roster_and_ledger_sides_agree_per_school(cycle):
    _, doc, dry = cycle
    schools = {r["school"]: r for r in doc["by_school"]}
    assert schools["西山县第二中学"]["roster_records"] == 0 and schools["西山县第二中学"]["enrolment"] == 1300
    for name in ("第一职业中学", "城关职业技术学校", "第一中学", "实验中学", "东河县职业高级中学"):
        r = schools[name]
        # everyone else was paid once: aided, or returned by the bank
        assert r["roster_records"] == r["refused"] + r["students"] + r["students_all_failed"], name
    assert schools["第一中学"]["school_type"] == "普高" and schools["第一中学"]["quota"] == "20.0"
    assert schools["第一职业中学"]["quota"] is None  # 中职: no quota
    assert schools["第一中学"]["share"] == "0.4"      # 10 of 2400
    assert doc["over_quota"] == []


def test_table_output(cycle):
    ws = cycle[0]
    code, out, err = aidctl(ws, "report", "--term", TERM)
    assert code == 0, err
    assert "已入账 38 笔 28500.00 元" in out and "失败 2 笔 1500.00 元" in out
    for title in ("按县区", "按资助项目", "不予发放原因", "合计", "id.duplicate"):
        assert title in out
    assert f"报告已写入：{REPORT}" in out


# --- the workbook ---------------------------------------------------------------------------------

def test_workbook_sheets_charts_and_totals(cycle):
    ws, doc, _ = cycle
    path = ws / REPORT
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS
    sums = ledger_sums(ws)
    ledger_fen = sum(fen for _, fen in sums.values())

    county = wb["按县区"]
    names = header(county)
    total = total_row(county)
    assert cell_fen(total[names.index("金额合计（元）")]) == ledger_fen
    assert cell_fen(total[names.index("已入账（元）")]) == sums["paid"][1] == 2_850_000
    assert cell_fen(total[names.index("失败（元）")]) == sums["failed"][1] == 150_000
    assert sum(cell_fen(r["金额合计（元）"]) for r in data_rows(county)) == ledger_fen
    charts = county._charts
    assert len(charts) == 1 and charts[0].tagname == "barChart" and charts[0].type == "col"

    school = wb["按学校"]
    names = header(school)
    assert names[:3] == ["县区", "学校", "学校类型"]
    assert {"受助学生", "在校生人数", "受助比例", "核定比例", "超出比例"} <= set(names)
    total = total_row(school)
    assert cell_fen(total[names.index("金额合计（元）")]) == ledger_fen
    assert (total[names.index("受助学生")], total[names.index("付款全部失败学生")]) == (38, 2)
    assert sum(cell_fen(r["金额合计（元）"]) for r in data_rows(school)) == ledger_fen
    first = {r["学校"]: r for r in data_rows(school)}["第一中学"]
    assert first["在校生人数"] == 2400 and first["核定比例"] == pytest.approx(0.2) and first["超出比例"] == ""

    programme = wb["按项目"]
    names = header(programme)
    total = total_row(programme)
    assert cell_fen(total[names.index("金额合计（元）")]) == ledger_fen
    assert {r["资助项目"]: cell_fen(r["金额合计（元）"]) for r in data_rows(programme)} == {
        "中职国家助学金": 1_725_000, "普高国家助学金": 1_275_000}
    charts = programme._charts
    assert len(charts) == 1 and charts[0].tagname in ("pieChart", "doughnutChart")

    refused = wb["不予发放原因"]
    assert header(refused) == ["问题代码", "问题", "不予发放记录数"]
    assert {r["问题代码"]: r["不予发放记录数"] for r in data_rows(refused)} == {
        r["code"]: r["count"] for r in doc["refused_by_code"]}
    assert total_row(refused)[2] == 22

    summary = wb["汇总"]
    values = [v for row in summary.iter_rows(values_only=True) for v in row if v is not None]
    assert values[0] == "2011年秋季学期学生资助情况报告"
    assert any(isinstance(v, str) and TERM in v and "规则指纹" in v for v in values)
    assert any(isinstance(v, str) and "受助学生 38 人（本学期账本中至少有一笔付款未被银行退回" in v
               and "另有 2 名学生的付款全部失败" in v for v in values)
    rows = {r[0]: r for r in summary.iter_rows(values_only=True) if r[0]}
    assert rows["已入账（银行确认）"][1:3] == (38, 28500)
    assert rows["失败（银行退回，待更正卡号后重发）"][1:3] == (2, 1500)
    assert "同一学生重复申报" in rows


def test_charts_are_native_and_referenced_from_the_drawings(cycle):
    with zipfile.ZipFile(cycle[0] / REPORT) as z:
        names = set(z.namelist())
        charts = sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        drawing_rels = "".join(z.read(n).decode() for n in names if n.startswith("xl/drawings/_rels/"))
        for chart in charts:
            assert f"../charts/{Path(chart).name}" in drawing_rels
        kinds = {Path(c).name: z.read(c).decode() for c in charts}
        assert any("<c:barChart>" in x and '<c:barDir val="col"/>' in x for x in kinds.values())
        assert any("<c:pieChart>" in x or "<c:doughnutChart>" in x for x in kinds.values())
        sheet_rels = "".join(z.read(n).decode() for n in names if n.startswith("xl/worksheets/_rels/"))
        assert sheet_rels.count("../drawings/drawing") == 2


def test_summary_sheet_prints_on_one_a4_landscape_page(cycle):
    with zipfile.ZipFile(cycle[0] / REPORT) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()   # 汇总 is the first sheet
        workbook = z.read("xl/workbook.xml").decode()
    assert '<pageSetUpPr fitToPage="1"/>' in sheet
    setup = re.search(r"<pageSetup [^>]*/>", sheet).group(0)
    assert 'paperSize="9"' in setup and 'orientation="landscape"' in setup
    assert 'fitToHeight="1"' in setup or "fitToHeight" not in setup  # 1 is the default and may be omitted
    assert 'fitToWidth="1"' in setup or "fitToWidth" not in setup
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="0">([^<]+)</definedName>', workbook)
    assert area and area.group(1).startswith("汇总!$A$1:$F$")


# --- states of the term ---------------------------------------------------------------------------

def test_sent_reissued_and_pending_are_not_yet_confirmed(paid_ws):
    with sqlite3.connect(paid_ws / "aidctl.db") as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM payments WHERE status = 'paid' ORDER BY id LIMIT 3")]
        for pid, status in zip(ids, ("sent", "reissued", "pending")):
            conn.execute("UPDATE payments SET status = ? WHERE id = ?", (status, pid))
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    t = doc["totals"]
    assert t["paid"] == {"count": 35, "amount": "26250.00"}
    assert t["sent"]["count"] == 3 and yuan_fen(t["sent"]["amount"]) == 225_000
    assert t["statuses"]["reissued"]["count"] == 1 and t["statuses"]["pending"]["count"] == 1
    assert sum(yuan_fen(r["sent"]) for r in doc["by_county"]) == 225_000



def test_a_batch_an_interrupted_disburse_left_is_said_aloud(tmp_path, monkeypatch):
    """A disburse cut off after the ledger and before its bank files leaves its payments pending:
    the bank was never sent them. The report still counts them under 待银行确认 (they are the
    ledger's), and says, in the notes, the terminal and the 汇总 sheet, which batch is unfinished and
    that disburse completes it; it no longer reads as money waiting on the bank."""
    import aidctl.pay.batch as E

    root = tmp_path / "ws"
    write_roster(root / "intake" / TERM / "a.xlsx", [voc_row(i) for i in range(1, 4)],
                 above=[["填报单位：第一职业中学"]])

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(E, "put_in_place", interrupted)
    code, _, err = aidctl(root, "disburse", "--term", TERM)
    assert code == 130, err
    monkeypatch.undo()
    with sqlite3.connect(root / "aidctl.db") as conn:
        [(batch, status)] = conn.execute("SELECT id, status FROM batches").fetchall()
    assert status == "recorded"
    code, doc, err = aidctl(root, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["totals"]["statuses"]["pending"] == {"count": 3, "amount": "2250.00"}
    [note] = [n for n in doc["notes"] if batch in n]
    assert "尚未完成" in note and "3 笔 2250.00 元" in note and "还没有发给银行" in note and "disburse" in note
    code, out, err = aidctl(root, "report", "--term", TERM)
    assert code == 0 and f"尚未完成：{batch}" in out, err
    summary = [v for row in openpyxl.load_workbook(root / REPORT)["汇总"].iter_rows(values_only=True)
               for v in row if isinstance(v, str)]
    assert note in summary
    code, _, err = aidctl(root, "disburse", "--term", TERM)   # the batch completed: nothing more to say
    assert code == 0, err
    code, doc, err = aidctl(root, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0 and not any("尚未完成" in n for n in doc["notes"]), err


def test_a_payment_status_this_version_does_not_know_stops_the_report(tmp_path, ledger_db):
    """A status written by a later aidctl (or by hand) is in no group of the report's: it would be
    counted nowhere, so the report stops, naming the status and the ledger (never its password),
    and writes nothing."""
    from sqlalchemy import func, select, update
    from test_disburse import make_ws

    from aidctl.ledger import Ledger, payments
    from aidctl.read import Workspace

    ws = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]}, db=ledger_db)
    code, _, err = aidctl(ws, "disburse", "--term", TERM)
    assert code == 0, err
    url = Workspace(ws).ledger_url()
    with Ledger(url).engine.begin() as conn:
        first = conn.execute(select(func.min(payments.c.id))).scalar_one()
        conn.execute(update(payments).where(payments.c.id == first).values(status="cancelled"))
    if ledger_db:   # the same database, reached with a password (the test server trusts any)
        url = url.replace("postgresql://aidctl@", "postgresql://aidctl:s3cret@", 1)
        assert "s3cret" in url
    code, out, err = aidctl(ws, "report", "--term", TERM, "--db", url)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "未知的付款状态 ['cancelled']" in lines[0], err
    assert ("aidctl.db" if ledger_db is None else "aidctl:***@") in lines[0] and "s3cret" not in err
    assert not (ws / REPORT).exists()


def test_rosters_without_ledger_payments_still_report_the_roster_side(tmp_path):
    ws = copy_samples(tmp_path)
    _, dry, _ = aidctl(ws, "disburse", "--term", TERM, "--dry-run", "--format", "json", as_json=True)
    code, doc, err = aidctl(ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["ledger"] is False
    assert not (ws / "aidctl.db").exists()  # the report creates no ledger
    assert doc["totals"]["payments"] == {"count": 0, "amount": "0.00"} and doc["by_programme"] == []
    assert doc["rosters"]["records"] == 62 and doc["rosters"]["refused"] == 22
    assert {r["code"]: r["count"] for r in doc["refused_by_code"]} == dict(
        Counter(c for r in dry["refused"] for c in r["codes"]))
    assert any("还没有付款" in n for n in doc["notes"])
    assert sum(r["roster_records"] for r in doc["by_county"]) == 62
    wb = openpyxl.load_workbook(ws / REPORT)
    assert wb.sheetnames == SHEETS
    assert total_row(wb["不予发放原因"])[2] == 22
    assert total_row(wb["按县区"])[1] == 62
    summary = [v for row in wb["汇总"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("还没有付款" in v for v in summary)


def test_ledger_without_rosters_reports_the_ledger_side(paid_ws):
    shutil.rmtree(paid_ws / "intake" / TERM)
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["rosters"] is None and doc["refused_by_code"] == []
    assert doc["totals"]["paid"]["amount"] == "28500.00"
    assert any("没有花名册" in n for n in doc["notes"])


def test_a_roster_in_intake_that_is_not_read_is_said_aloud(paid_ws):
    """A school's roster saved as .xlsm in intake/<term>/ is not read: its records were missing from
    报送记录 and 不予发放 with no word, where disburse, validate and publish name the file. The
    report now says so too (JSON, terminal, 汇总), and so does a report whose only roster is such a file."""
    school = write_roster(paid_ws / "intake" / TERM / "城关二中.xlsm", [voc_row(i) for i in range(1, 4)],
                          above=[["填报单位：城关二中"]])
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["rosters"]["records"] == 62   # the file's 3 records are not among them ...
    [note] = [n for n in doc["notes"] if "城关二中.xlsm" in n]
    assert "未读取" in note                   # ... and the report says why
    summary = [v for row in openpyxl.load_workbook(paid_ws / REPORT)["汇总"].iter_rows(values_only=True)
               for v in row if isinstance(v, str)]
    assert note in summary
    code, out, err = aidctl(paid_ws, "report", "--term", TERM)
    assert code == 0 and "城关二中.xlsm" in out, err
    for roster in (paid_ws / "intake" / TERM).glob("*.xlsx"):
        roster.unlink()
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0 and doc["rosters"] is None, err
    assert any("城关二中.xlsm" in n and "未读取" in n for n in doc["notes"]), doc["notes"]
    assert school.exists()


def test_nothing_to_report_is_exit_2_with_one_line(tmp_path):
    (tmp_path / "intake").mkdir()
    code, out, err = aidctl(tmp_path, "report", "--term", TERM)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and TERM in lines[0] and "Traceback" not in err


def test_out_option_writes_where_asked(paid_ws, tmp_path):
    target = tmp_path / "给财务" / "资助情况.xlsx"
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--out", target, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["report"] == str(target) and target.is_file()
    assert not (paid_ws / REPORT).exists()
    code, _, err = aidctl(paid_ws, "report", "--term", TERM, "--out", tmp_path / "x.csv")
    assert code == 2 and ".xlsx" in err


def test_totals_that_disagree_stop_the_report_before_writing(paid_ws, monkeypatch):
    from aidctl.core.terms import Term
    from aidctl.read import Workspace
    from aidctl.report import term as tr

    real = tr._by_programme
    monkeypatch.setattr(tr, "_by_programme", lambda pay: real(pay).iloc[1:])  # one programme lost
    with pytest.raises(AidctlError, match="合计不符"):
        tr.term_report(Workspace(paid_ws), Term.parse(TERM))
    assert not (paid_ws / REPORT).exists()


# --- the share aided against the quota ------------------------------------------------------------

def set_enrolment(ws: Path, enrolment: dict[str, int]) -> None:
    wb = openpyxl.load_workbook(ws / "schools.xlsx")
    sheet = wb.worksheets[0]
    names = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        school = row[names.index("学校名称")].value
        if school in enrolment:
            row[names.index("在校生人数")].value = enrolment[school]
    wb.save(ws / "schools.xlsx")


def fail_payments(ws: Path, school: str, n: int) -> list[int]:
    """The bank returned `n` of the school's paid payments (the ledger's status, as reconcile sets it)."""
    with sqlite3.connect(ws / "aidctl.db") as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM payments WHERE school = ? AND status = 'paid' "
                                          "ORDER BY id LIMIT ?", (school, n))]
        conn.executemany("UPDATE payments SET status = 'failed' WHERE id = ?", [(i,) for i in ids])
    assert len(ids) == n
    return ids


def test_a_student_whose_only_payment_failed_is_no_aided_student_anywhere(paid_ws):
    """The sample cycle leaves two payments failed (东河县职业高级中学, 城关职业技术学校): 38 students
    aided, not 40. By county, school and programme, and on every sheet of the workbook and the
    terminal, 受助学生 counts a payment the bank has not returned; 付款全部失败学生 counts the rest."""
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    t = doc["totals"]
    assert (t["students"], t["students_all_failed"], t["failed"]["count"]) == (38, 2, 2)
    schools = {r["school"]: r for r in doc["by_school"]}
    assert [(schools[s]["students"], schools[s]["students_all_failed"]) for s in ("东河县职业高级中学", "城关职业技术学校")] \
        == [(5, 1), (8, 1)]
    assert schools["城关职业技术学校"]["share"] == "0.9"            # 8 of 920, not 9 of 920 (1.0)
    counties = {r["county"]: r for r in doc["by_county"]}
    assert [(counties[c]["students"], counties[c]["students_all_failed"]) for c in ("东河县", "城关区", "西山县")] == \
        [(12, 1), (26, 1), (0, 0)]
    programmes = {r["programme"]: r for r in doc["by_programme"]}
    assert (programmes["中职国家助学金"]["students"], programmes["中职国家助学金"]["students_all_failed"]) == (21, 2)

    wb = openpyxl.load_workbook(paid_ws / REPORT)
    for sheet, key, part in (("按县区", "县区", "by_county"), ("按学校", "学校", "by_school"),
                             ("按项目", "资助项目", "by_programme")):
        rows = {r[key]: r for r in data_rows(wb[sheet])}
        json_key = {"县区": "county", "学校": "school", "资助项目": "programme"}[key]
        assert {k: (r["受助学生"], r["付款全部失败学生"]) for k, r in rows.items()} == \
            {r[json_key]: (r["students"], r["students_all_failed"]) for r in doc[part]}, sheet
        names = header(wb[sheet])
        total = total_row(wb[sheet])
        assert (total[names.index("受助学生")], total[names.index("付款全部失败学生")]) == (38, 2), sheet
        said = [c for r in wb[sheet].iter_rows(values_only=True) for c in r if isinstance(c, str)]
        assert any(doc["students_rule"] in c for c in said), sheet
    share = {r["学校"]: r["受助比例"] for r in data_rows(wb["按学校"])}
    assert share["城关职业技术学校"] == pytest.approx(0.009)
    summary = {r[0]: r for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert [summary[c][1] for c in ("东河县", "城关区", "西山县")] == [12, 26, 0]

    code, out, err = aidctl(paid_ws, "report", "--term", TERM)
    assert code == 0, err
    assert "受助学生 38 人，付款全部失败 2 人" in out and "付款全部失败学生" in out
    assert "至少有一笔付款未被银行退回" in re.sub(r"\s+", "", out)


def test_a_student_with_one_payment_not_failed_is_aided(paid_ws):
    """A student with a failed payment and one the bank paid is aided, once; counted apart only by
    the programme whose payment failed."""
    with sqlite3.connect(paid_ws / "aidctl.db") as conn:
        failed = conn.execute("SELECT id, school FROM payments WHERE status = 'failed' ORDER BY id LIMIT 1").fetchone()
        person = conn.execute("SELECT person FROM payments WHERE school = ? AND status = 'paid' ORDER BY id LIMIT 1",
                              (failed[1],)).fetchone()[0]
        # the same student's 中职免学费 (one payment a student, programme and term), returned by the bank
        conn.execute("UPDATE payments SET person = ?, programme = '中职免学费' WHERE id = ?", (person, failed[0]))
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert (doc["totals"]["students"], doc["totals"]["students_all_failed"]) == (38, 1)
    school = {r["school"]: r for r in doc["by_school"]}[failed[1]]
    assert school["students_all_failed"] == 0
    programmes = {r["programme"]: r for r in doc["by_programme"]}
    assert (programmes["中职免学费"]["students"], programmes["中职免学费"]["students_all_failed"]) == (0, 1)


def test_the_share_counts_aided_students_and_says_who_the_failed_would_take_over(paid_ws):
    """第一中学 (普高, quota 20% + 2): 10 students of 45. One payment returned: 9 aided = 20.0%, not over
    its quota, and not silently so: with the returned student (to be paid again) it would be 22.2%,
    and the report says so in its notes, the terminal and the 汇总 sheet."""
    set_enrolment(paid_ws, {"第一中学": 45})
    fail_payments(paid_ws, "第一中学", 1)
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    school = {r["school"]: r for r in doc["by_school"]}["第一中学"]
    assert (school["students"], school["students_all_failed"], school["share"], school["over_quota"]) == \
        (9, 1, "20.0", False)
    assert doc["over_quota"] == []
    [said] = [n for n in doc["notes"] if "付款全部失败的学生" in n]
    assert "第一中学（受助 9 人，另有付款全部失败 1 人，计入后 22.2%，核定比例 20.0%）" in said
    summary = [c for r in openpyxl.load_workbook(paid_ws / REPORT)["汇总"].iter_rows(values_only=True) for c in r]
    assert said in summary
    fail_payments(paid_ws, "第一中学", 1)                       # two returned: 8 of 45, 17.8%; with them 22.2%
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert [n for n in doc["notes"] if "第一中学（受助 8 人，另有付款全部失败 2 人" in n]


def test_a_school_above_its_quota_is_flagged(paid_ws):
    # 第一中学: 10 aided of 40 = 25.0% > 20% + 2; 实验中学: 7 of 35 = 20.0%, within; 中职 has no quota
    set_enrolment(paid_ws, {"第一中学": 40, "实验中学": 35, "第一职业中学": 10})
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["over_quota"] == [{"school": "第一中学", "county": "城关区", "school_type": "普高", "students": 10,
                                  "enrolment": 40, "share": "25.0", "quota": "20.0", "excess": "5.0"}]
    schools = {r["school"]: r for r in doc["by_school"]}
    assert schools["实验中学"]["share"] == "20.0" and not schools["实验中学"]["over_quota"]
    assert schools["第一职业中学"]["share"] == "80.0" and not schools["第一职业中学"]["over_quota"]

    wb = openpyxl.load_workbook(paid_ws / REPORT)
    flags = {r["学校"]: r["超出比例"] for r in data_rows(wb["按学校"])}
    assert flags["第一中学"] == "是" and flags["实验中学"] == "" and flags["第一职业中学"] == ""
    summary = list(wb["汇总"].iter_rows(values_only=True))
    listed = [r for r in summary if r[0] == "第一中学"]
    assert listed and listed[0][4] == pytest.approx(0.25) and listed[0][5] == pytest.approx(0.2)


@pytest.mark.parametrize("written", ["约40人", -40, 40.5, 0, "四十"])
def test_an_enrolment_that_is_not_a_count_is_named_never_truncated_or_guessed(paid_ws, written):
    """第一中学 has 10 aided: 40.5 read as 40 would put it at 25% and over its quota; -40 or 0 would
    pass as "no enrolment". Each is named (file, row, column, value) and no share is computed."""
    set_enrolment(paid_ws, {"第一中学": written, "实验中学": "1,400"})
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    schools = {r["school"]: r for r in doc["by_school"]}
    assert schools["第一中学"]["enrolment"] is None and schools["第一中学"]["share"] is None
    assert doc["over_quota"] == []
    assert schools["实验中学"]["enrolment"] == 1400  # a count written with thousands separators is read …
    assert "1,400" not in " ".join(doc["notes"])  # … and not called unread
    said = [n for n in doc["notes"] if "不是正整数" in n]
    assert len(said) == 1 and f"schools.xlsx第4行“在校生人数”为“{written}”" in said[0], doc["notes"]
    assert not any("没有在校生人数" in n and "第一中学" in n for n in doc["notes"])
    summary = [c for r in openpyxl.load_workbook(paid_ws / REPORT)["汇总"].iter_rows(values_only=True) for c in r]
    assert said[0] in summary  # and on the workbook's summary sheet


def test_a_school_name_schools_xlsx_gives_two_schools_takes_neither_ones_enrolment(paid_ws):
    """A second 第一中学 (西山县, 9,000 students) in schools.xlsx: the report used the first one's 40
    students and flagged 第一中学 over its quota; the name tells neither school, and it says so."""
    set_enrolment(paid_ws, {"第一中学": 40})
    wb = openpyxl.load_workbook(paid_ws / "schools.xlsx")
    wb.worksheets[0].append(["3999", "第一中学", "普通高中", "西山县", "公办", 9000])
    wb.save(paid_ws / "schools.xlsx")
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    first = [r for r in doc["by_school"] if r["school"] == "第一中学"]
    assert first and all((r["enrolment"], r["share"]) == (None, None) for r in first), first
    assert doc["over_quota"] == []
    assert any("第一中学是不止一所学校的名称" in n for n in doc["notes"]), doc["notes"]


def test_a_school_paid_under_its_alias_is_one_line_of_the_report(paid_ws):
    """schools.xlsx gives 第一中学 the 别名 一中, and half its payments are recorded under 一中: the report
    made two lines, 一中 "not in schools.xlsx" and 第一中学 with half its students aided; it is one
    line, its share counted on all ten (10 of 40: over its quota)."""
    set_enrolment(paid_ws, {"第一中学": 40})
    wb = openpyxl.load_workbook(paid_ws / "schools.xlsx")
    sheet = wb.worksheets[0]
    sheet.cell(1, sheet.max_column + 1, "别名")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "第一中学")
    sheet.cell(row[0].row, sheet.max_column, "一中")
    wb.save(paid_ws / "schools.xlsx")
    with sqlite3.connect(paid_ws / "aidctl.db") as conn:
        moved = conn.execute("UPDATE payments SET school = '一中' WHERE id IN (SELECT id FROM payments "
                             "WHERE school = '第一中学' ORDER BY id LIMIT 5)").rowcount
    assert moved == 5
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    lines = [r for r in doc["by_school"] if r["school"] in ("第一中学", "一中")]
    assert [(r["school"], r["students"], r["enrolment"], r["share"]) for r in lines] == \
        [("第一中学", 10, 40, "25.0")], lines
    assert [q["school"] for q in doc["over_quota"]] == ["第一中学"]
    assert not any("一中" in n for n in doc["notes"]), doc["notes"]


def test_a_workspace_quota_file_overrides_the_packaged_one(paid_ws):
    set_enrolment(paid_ws, {"第一中学": 40})
    rules = yaml.safe_load((packaged_rules_dir() / "quotas.yaml").read_text(encoding="utf-8"))
    rules["region"] = "west"  # 30%: 25% is within
    (paid_ws / "rules").mkdir(exist_ok=True)
    (paid_ws / "rules" / "quotas.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["over_quota"] == [] and doc["quota"]["region"] == "west"
    assert {r["school"]: r["quota"] for r in doc["by_school"]}["第一中学"] == "30.0"
    code, checked, err = aidctl(paid_ws, "rules", "check", "--format", "json", as_json=True)
    assert {f["file"]: f["origin"] for f in checked["files"]}["quotas.yaml"] == "workspace"


@pytest.mark.parametrize("tolerance, enrolment, over", [
    ("5", 40, False),      # 10 of 40 = 25.0% = 20% + 5: at the boundary, within (“>” not “>=”)
    ("4.9", 40, True),     # 25.0% > 24.9%: over, by 5.0 points above the quota
    ("0", 50, False),      # 10 of 50 = 20.0% = the quota itself, tolerance 0: within
    ("2", 45, True),       # 10 of 45 = 22.22% > 22%: over (the tolerance is read, not assumed)
    ("3", 45, False),      # … and within 20% + 3
])
def test_the_tolerance_decides_the_over_quota_verdict_at_its_boundary(paid_ws, tolerance, enrolment, over):
    set_enrolment(paid_ws, {"第一中学": enrolment})
    rules = yaml.safe_load((packaged_rules_dir() / "quotas.yaml").read_text(encoding="utf-8"))
    rules["tolerance"] = tolerance
    (paid_ws / "rules").mkdir(exist_ok=True)
    (paid_ws / "rules" / "quotas.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, doc, err = aidctl(paid_ws, "report", "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, err
    school = {r["school"]: r for r in doc["by_school"]}["第一中学"]
    assert school["over_quota"] is over and school["students"] == 10
    assert [r["school"] for r in doc["over_quota"]] == (["第一中学"] if over else [])


def test_quota_boundary_rule():
    quotas = Rulebook().quotas                                           # tolerance 2 points
    assert not quotas.over(Decimal("22"), Decimal("20")) and quotas.over(Decimal("22.0001"), Decimal("20"))
    assert not quotas.over(None, Decimal("20")) and not quotas.over(Decimal("90"), None)


@pytest.mark.parametrize("change, key", [
    ({"region": "north"}, "region"),
    ({"tolerance": "-1"}, "tolerance"),
    ({"by_school_type": {"普高": {"periods": [{"from": "2010-09-01", "share": {"east": "10", "centre": "120",
                                                                              "west": "30"}, "source": "x"}]}}},
     "by_school_type"),
    ({"by_school_type": {"大学": {"periods": []}}}, "by_school_type.大学"),
    ({"by_school_type": {"普高": {"programmes": ["不存在的项目"], "periods": []}}}, "programmes"),
])
def test_rules_check_refuses_a_bad_quota_file(tmp_path, change, key):
    rules = yaml.safe_load((packaged_rules_dir() / "quotas.yaml").read_text(encoding="utf-8")) | change
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "quotas.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, out, err = aidctl(tmp_path, "rules", "check")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "quotas.yaml" in lines[0] and key in lines[0], err


def test_packaged_quotas_by_school_type_and_date():
    quotas = Rulebook().quotas
    assert quotas.region == "centre" and quotas.tolerance == Decimal("2")
    assert quotas.quota("普高", date(2011, 9, 1)) == Decimal("20")
    assert quotas.quota("普高", date(2010, 2, 1)) is None   # before 普高国家助学金 existed
    assert quotas.quota("中职", date(2011, 9, 1)) is None   # no quota
    assert quotas.quota(None, date(2011, 9, 1)) is None
    assert quotas.by_school_type["普高"].programmes == ["普高国家助学金"]
