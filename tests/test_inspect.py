"""Inspections: `aidctl inspect sample` draws a reproducible sample of paid students per school from
the ledger and writes sign-off workbooks; `aidctl inspect record` reads a filled one back and lists
every discrepancy."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import SAMPLES
from test_disburse import TERM

RESULT = SAMPLES / "bank" / f"回盘_工商银行_{TERM}.txt"
SAMPLE_FILE = SAMPLES / "inspection" / f"第一职业中学_{TERM}_资助资金抽查核对表_已填.xlsx"
# the checks are signed on the day the tests draw their samples: a date before the draw is no record
TODAY = date.today().isoformat()
SCHOOLS = ["东河县职业高级中学", "城关职业技术学校", "实验中学", "第一中学", "第一职业中学"]


def q(root: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(root / "aidctl.db") as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture(scope="module")
def paid_ws(tmp_path_factory) -> Path:
    """The sample workspace after disburse and reconcile (38 paid, 2 failed), prepared once."""
    from typer.testing import CliRunner

    from aidctl.cli.common import app

    root = tmp_path_factory.mktemp("prepared") / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    runner = CliRunner()
    assert runner.invoke(app, ["disburse", "--term", TERM, "--workspace", str(root)]).exit_code == 1
    assert runner.invoke(app, ["reconcile", str(RESULT), "--term", TERM, "--workspace", str(root)]).exit_code == 1
    return root


@pytest.fixture
def ws(paid_ws, tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(paid_ws, root)
    return root


def sample(run, root: Path, *extra, expect: int = 0) -> dict:
    code, doc, err = run("inspect", "sample", "--term", TERM, "--workspace", root, "--format", "json", *extra,
                         as_json=True)
    assert code == expect, (code, err)
    return doc


def record(run, root: Path, path: Path, expect: int | None = None) -> dict:
    code, doc, err = run("inspect", "record", path, "--workspace", root, "--format", "json", as_json=True)
    assert isinstance(doc, dict), (code, err)
    if expect is not None:
        assert code == expect, (code, err, doc)
    doc["_exit"] = code
    return doc


def drawn(doc: dict) -> list[tuple]:
    return [(s["school"], s["position"], s["reference"]) for s in doc["students"]]


def fill(path: Path, results: dict[int, tuple], *, reverse: bool = False, inspector: str | None = "李明",
         head: str | None = "王建国", day: object = TODAY, target: Path | None = None) -> Path:
    """Fill the result columns by 序号 (present, card held, amount, note); optionally re-sort the rows;
    sign as the inspector and the school head, with the date."""
    wb = openpyxl.load_workbook(path)
    sheet = wb.worksheets[0]
    data = [row for row in sheet.iter_rows(min_row=4) if isinstance(row[0].value, int)]
    values = [[c.value for c in row] for row in data]
    for v in values:
        if v[0] in results:
            v[7:11] = list(results[v[0]])
    if reverse:
        values.reverse()
    for row, v in zip(data, values):
        for cell, value in zip(row, v):
            cell.value = value
    for row in sheet.iter_rows():
        if row[0].value == "检查人签字：":
            sheet.cell(row=row[0].row, column=3).value = inspector
            sheet.cell(row=row[0].row, column=7).value = head
            sheet.cell(row=row[0].row, column=10).value = day
    target = target or path.with_name("已填_" + path.name)
    wb.save(target)
    return target


# --- drawing -----------------------------------------------------------------------------------------

def test_sample_per_school_counts_files_and_record(ws, run):
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    assert doc["version"] == 1 and doc["term"] == TERM and doc["seed"] == 2011 and doc["seed_source"] == "given"
    assert doc["per_school"] == 3 and doc["existing"] is False
    assert re.fullmatch(rf"JC-{TERM}-2011-[0-9A-F]{{6}}", doc["sample"])
    assert [s["school"] for s in doc["schools"]] == SCHOOLS
    # 城关职业技术学校 is 民办 (schools.xlsx): twice as many drawn
    assert [s["drawn"] for s in doc["schools"]] == [3, 6, 3, 3, 3] and all(s["basis"] == "paid" for s in doc["schools"])
    assert [s["ownership"] for s in doc["schools"]] == ["公办", "民办", "公办", "公办", "公办"]
    assert sum(s["population"] for s in doc["schools"]) == 38       # the 2 failed payments are not drawn
    assert doc["totals"] == {"schools": 5, "students": 18}
    for s in doc["schools"]:
        assert s["file"] == f"out/{TERM}/检查/{s['school']}_{TERM}_资助资金抽查核对表_{doc['sample']}.xlsx"
        assert (ws / s["file"]).is_file()
    for st in doc["students"]:
        assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", st["id_number"]) and re.fullmatch(r"\*{4}\d{4}", st["card"])
        assert re.fullmatch(r"\d+\.\d{2}", st["amount"])
    (row,) = q(ws, "SELECT id, term, seed, per_school, method FROM inspection_samples")
    assert row[:4] == (doc["sample"], TERM, 2011, 3) and row[4] == doc["method"]
    assert "default_rng(seed)" in row[4] and "permutation" in row[4]
    assert q(ws, "SELECT count(*) FROM inspection_items WHERE sample_id = ?", doc["sample"]) == [(18,)]
    failed = {r[0] for r in q(ws, "SELECT id FROM payments WHERE status = 'failed'")}
    assert len(failed) == 2
    everyone = sample(run, ws, "--seed", "1", "--per-school", "100")
    assert len(everyone["students"]) == 38
    assert not failed & {int(s["reference"][1:]) for s in everyone["students"]}


def test_same_seed_same_sample_different_seed_different(ws, run):
    first = sample(run, ws, "--seed", "2011", "--per-school", "3")
    again = sample(run, ws, "--seed", "2011", "--per-school", "3")
    assert drawn(again) == drawn(first) and again["sample"] == first["sample"] and again["existing"] is True
    assert q(ws, "SELECT count(*) FROM inspection_samples") == [(1,)]
    assert q(ws, "SELECT count(*) FROM inspection_items") == [(18,)]
    other = sample(run, ws, "--seed", "7", "--per-school", "3")
    assert drawn(other) != drawn(first) and other["sample"] != first["sample"]


def test_the_recorded_seed_and_method_redraw_the_sample(ws, run):
    doc = sample(run, ws, "--seed", "424242", "--per-school", "4")
    ((seed, per_school, method),) = q(ws, "SELECT seed, per_school, method FROM inspection_samples WHERE id = ?",
                                      doc["sample"])
    # the documented algorithm, by hand: per school (in str order) its paid students, ordered by
    # smallest payment id; one default_rng(seed); each student's tickets (2 when older than 25 at
    # 2011-09-01, the 中职 upper bound; 1 else) shuffled with rng.permutation; students in the order of
    # their first ticket; per_school of them, twice as many at the 民办 城关职业技术学校
    assert f"numpy {np.__version__}" in method and "tickets" in method
    payments = q(ws, "SELECT id, school, person FROM payments WHERE term = ? AND status = 'paid' ORDER BY id", TERM)
    rng = np.random.default_rng(seed)
    expected = []
    for school in sorted({p[1] for p in payments}):
        refs, tickets = [], []
        for pid, s, person in payments:
            if s == school and all(person != other for _, o, other in payments if o == school and _ < pid):
                older = school.endswith(("职业高级中学", "职业技术学校", "职业中学")) and \
                    (2011 - int(person[6:10]) - (person[10:14] > "0901")) > 25
                refs.append(pid)
                tickets += [len(refs) - 1] * (2 if older else 1)
        order = []
        for j in np.array(tickets)[rng.permutation(len(tickets))]:
            if j not in order:
                order.append(int(j))
        k = per_school * (2 if school == "城关职业技术学校" else 1)
        expected += [(school, i + 1, refs[j]) for i, j in enumerate(order[:min(k, len(refs))])]
    got = q(ws, "SELECT school, position, payment_id FROM inspection_items WHERE sample_id = ? "
                "ORDER BY school, position", doc["sample"])
    assert sorted(got) == sorted(expected)
    assert drawn(doc) == [(s, p, f"P{r}") for s, p, r in expected]


def test_the_default_seed_is_the_month_printed_and_recorded(ws, run):
    doc = sample(run, ws)
    month = int(date.today().strftime("%Y%m"))
    assert doc["seed"] == month and doc["seed_source"] == "month"
    assert doc["per_school"] == 10                                  # rules/oversight.yaml
    assert q(ws, "SELECT seed FROM inspection_samples") == [(month,)]
    code, out, err = run("inspect", "sample", "--term", TERM, "--workspace", ws)
    assert code == 0 and str(month) in out and "按月份生成" in out


def test_without_a_seed_the_sample_is_the_same_all_month(ws):
    """Drawn on 1 and on 28 March 2025 the sample is the same one (seed 202503), not one a day."""
    from aidctl.core.terms import Term
    from aidctl.oversight import draw_sample
    from aidctl.read import Workspace

    first = draw_sample(Workspace(ws), Term.parse(TERM), per_school=2, today=date(2025, 3, 1))
    later = draw_sample(Workspace(ws), Term.parse(TERM), per_school=2, today=date(2025, 3, 28))
    april = draw_sample(Workspace(ws), Term.parse(TERM), per_school=2, today=date(2025, 4, 1))
    assert (first.seed, later.seed, april.seed) == (202503, 202503, 202504)
    assert later.id == first.id and later.existing
    assert april.id != first.id


def test_before_any_result_file_sent_payments_are_drawn(tmp_path, run):
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    run("disburse", "--term", TERM, "--workspace", root)
    doc = sample(run, root, "--seed", "3", "--per-school", "2")
    # 2 a school, 4 at the 民办 城关职业技术学校
    assert {s["basis"] for s in doc["schools"]} == {"sent"} and len(doc["students"]) == 12
    # a payment the bank returned while none of its school's is confirmed yet is still never drawn
    with sqlite3.connect(root / "aidctl.db") as conn:
        (failed,) = conn.execute("SELECT min(id) FROM payments").fetchone()
        conn.execute("UPDATE payments SET status = 'failed' WHERE id = ?", (failed,))
    everyone = sample(run, root, "--seed", "4", "--per-school", "100")
    assert {s["basis"] for s in everyone["schools"]} == {"sent"}
    assert sum(s["population"] for s in everyone["schools"]) == len(everyone["students"]) == 39
    assert failed not in {int(s["reference"][1:]) for s in everyone["students"]}


def test_sample_needs_a_ledger_with_payments(tmp_path, run):
    (tmp_path / "ws").mkdir()
    code, _, err = run("inspect", "sample", "--term", TERM, "--workspace", tmp_path / "ws")
    assert code == 2 and "aidctl disburse" in err
    assert not (tmp_path / "ws" / "aidctl.db").exists()


def test_sample_of_another_term_is_exit_2(ws, run):
    code, _, err = run("inspect", "sample", "--term", "2012-spring", "--workspace", ws)
    assert code == 2 and "2012-spring" in err


# --- the sign-off workbook -----------------------------------------------------------------------------

def test_the_signoff_workbook(ws, run):
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    school = next(s for s in doc["schools"] if s["school"] == "第一职业中学")
    wb = openpyxl.load_workbook(ws / school["file"])
    sheet = wb.worksheets[0]
    assert wb.sheetnames == ["抽查核对表", "_aidctl"] and wb["_aidctl"].sheet_state == "hidden"
    text = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert "第一职业中学" in text[0][0] and "抽查核对表" in text[0][0]
    assert doc["sample"] in text[1][0] and "随机种子：2011" in text[1][0]
    assert text[2] == ("序号", "核对编号", "姓名", "身份证号码（前6位后4位）", "资助项目", "发放金额（元）",
                       "资助卡（后4位）", "本人在校（是/否）", "资助卡由本人持有（是/否）", "实收金额（元）", "情况说明",
                       "抽样权重")
    mine = [s for s in doc["students"] if s["school"] == "第一职业中学"]
    assert [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in text[3:6]] == \
        [(s["position"], s["reference"], s["name"], s["id_number"], s["programme"], s["card"]) for s in mine]
    assert all(r[5] == 750 and r[7:11] == (None,) * 4 and r[11] == "1" for r in text[3:6])
    flat = " ".join(str(c) for row in text for c in row if c is not None)
    for label in ("检查人签字", "学校负责人签字", "日期"):
        assert label in flat
    # never a full ID or card
    people = q(ws, "SELECT person, card FROM payments")
    for person, card in people:
        assert person not in flat and card not in flat
    assert not re.search(r"\d{15,}", flat)
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert {str(dv.sqref) for dv in lists} == {"H4:H6", "I4:I6"}
    assert all(dv.formula1 == '"是,否"' for dv in lists)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0   # 1 is the default
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_signoff_workbook_shows_no_more_than_the_workspaces_masking(ws, run):
    """A workspace that shows less of an ID and a card (rules/publicity.yaml masking: first 3, last 2;
    card last 2) gets that on the sign-off sheets, their headings and the JSON: they were masked with
    the packaged 6 + 4 and ****1234 whatever the rules said."""
    from test_publish import workspace_publicity

    workspace_publicity(ws, masking={"id_head": 3, "id_tail": 2, "card_tail": 2})
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    school = next(s for s in doc["schools"] if s["school"] == "第一职业中学")
    text = [tuple(row) for row in openpyxl.load_workbook(ws / school["file"]).worksheets[0].iter_rows(values_only=True)]
    assert text[2][3] == "身份证号码（前3位后2位）" and text[2][6] == "资助卡（后2位）"
    people = dict(q(ws, "SELECT person, card FROM payments"))
    mine = [s for s in doc["students"] if s["school"] == "第一职业中学"]
    for s, row in zip(mine, text[3:6]):
        person = next(p for p in people if p[:3] == s["id_number"][:3] and p[-2:] == s["id_number"][-2:])
        assert s["id_number"] == row[3] == person[:3] + "*" * 13 + person[-2:]
        assert s["card"] == row[6] == "****" + people[person][-2:]


# --- reading a filled workbook back --------------------------------------------------------------------

@pytest.fixture
def signoff(ws, run):
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    school = next(s for s in doc["schools"] if s["school"] == "第一职业中学")
    students = {s["position"]: s for s in doc["students"] if s["school"] == "第一职业中学"}
    return ws / school["file"], doc["sample"], students


def test_all_agree_exit_0_even_re_sorted(ws, run, signoff):
    path, sample_id, students = signoff
    filled = fill(path, {1: ("是", "是", 750, None), 2: ("是", "是", "750.00元", None), 3: ("是", "是", 750.0, "")},
                  reverse=True)
    doc = record(run, ws, filled, expect=0)
    assert doc["sample"] == sample_id and doc["school"] == "第一职业中学" and doc["discrepancies"] == []
    assert doc["counts"] == {"students": 3, "rows": 3, "inspected": 3, "not_inspected": 0, "agreed": 3,
                             "with_discrepancies": 0, "discrepancies": 0, "recorded": 3, "updated": 0,
                             "unchanged": 0}
    assert [r["reference"] for r in doc["results"]] == [students[i]["reference"] for i in (1, 2, 3)]
    assert [r["row"] for r in doc["results"]] == [6, 5, 4]     # re-sorted: matched by 核对编号, not position
    assert doc["inspector"] == "李明" and doc["inspected_on"] == TODAY
    stored = q(ws, "SELECT payment_id, present, card_held, amount_received_fen, discrepancy, inspector "
                   "FROM inspection_results ORDER BY payment_id")
    assert sorted(stored) == sorted((int(s["reference"][1:]), "是", "是", 75000, None, "李明")
                                    for s in students.values())


def test_each_discrepancy_kind(ws, run, signoff):
    path, _, students = signoff
    filled = fill(path, {1: ("否", None, None, "转学"), 2: ("是", "否", 749.99, None), 3: (None, None, None, None)})
    doc = record(run, ws, filled, expect=1)
    kinds = [(d["position"], d["kind"]) for d in doc["discrepancies"]]
    assert kinds == [(1, "absent"), (2, "card_not_held"), (2, "amount_differs"), (3, "not_inspected")]
    diff = next(d for d in doc["discrepancies"] if d["kind"] == "amount_differs")
    assert "749.99" in diff["detail"] and "750.00" in diff["detail"] and "-0.01" in diff["detail"]
    assert doc["counts"]["not_inspected"] == 1 and doc["counts"]["inspected"] == 2
    assert doc["counts"]["with_discrepancies"] == 3 and doc["counts"]["agreed"] == 0
    assert set(doc["discrepancies"][0]) == {"reference", "position", "name", "kind", "title", "row", "detail"}
    stored = dict(q(ws, "SELECT payment_id, discrepancy FROM inspection_results"))
    ref = {p: int(s["reference"][1:]) for p, s in students.items()}
    assert stored == {ref[1]: "absent", ref[2]: "card_not_held,amount_differs", ref[3]: "not_inspected"}
    code, out, err = run("inspect", "record", filled, "--workspace", ws)
    assert code == 1 and "学生本人不在校" in out and "未填写检查结果" in out


def test_incomplete_unreadable_missing_and_unknown_rows(ws, run, signoff):
    path, _, students = signoff
    filled = fill(path, {1: ("是", None, 750, None), 2: ("也许", "是", "七百五", None), 3: ("是", "是", 750, None)})
    wb = openpyxl.load_workbook(filled)
    sheet = wb.worksheets[0]
    row3 = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == 3)
    row3[1].value = "P99999"           # a 核对编号 that is not in the sample (and 序号3's row is gone)
    wb.save(filled)
    doc = record(run, ws, filled, expect=1)
    kinds = sorted((d["kind"], d["position"]) for d in doc["discrepancies"] if d["position"] is not None)
    assert kinds == [("incomplete", 1), ("missing_row", 3), ("unreadable", 2), ("unreadable", 2)]
    assert [d["reference"] for d in doc["discrepancies"] if d["kind"] == "unknown_row"] == ["P99999"]


def test_re_recording_is_idempotent_and_a_correction_is_an_update(ws, run, signoff):
    path, _, _ = signoff
    filled = fill(path, {1: ("是", "是", 750, None), 2: ("是", "是", 750, None), 3: (None, None, None, None)})
    first = record(run, ws, filled, expect=1)
    assert first["counts"]["recorded"] == 3
    again = record(run, ws, filled, expect=1)
    assert again["counts"] | {} == first["counts"] | {"recorded": 0, "unchanged": 3}
    assert q(ws, "SELECT count(*) FROM inspection_results") == [(3,)]
    fill(filled, {3: ("是", "是", 750, None)}, target=filled)     # the school is visited again
    third = record(run, ws, filled, expect=0)
    assert (third["counts"]["updated"], third["counts"]["unchanged"], third["counts"]["recorded"]) == (1, 2, 0)
    assert q(ws, "SELECT count(*) FROM inspection_results") == [(4,)]


def test_record_refuses_what_it_cannot_read(ws, run, tmp_path):
    code, _, err = run("inspect", "record", tmp_path / "nope.xlsx", "--workspace", ws)
    assert code == 2 and "nope.xlsx" in err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    code, _, err = run("inspect", "record", bad, "--workspace", ws)
    assert code == 2 and "bad.xlsx" in err
    # a workbook from another workspace's sample
    code, _, err = run("inspect", "record", SAMPLE_FILE, "--workspace", ws)
    assert code == 2 and "不在本工作目录的账本中" in err


def test_the_sample_workbook_in_samples(ws, run):
    """The README example: the sample cycle, inspect sample --seed 2011 --per-school 3, then the
    filled workbook in samples/inspection/: one student absent, one amount differs."""
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    got = record(run, ws, SAMPLE_FILE, expect=1)
    assert got["sample"] == doc["sample"] and got["school"] == "第一职业中学"
    assert [(d["position"], d["kind"]) for d in got["discrepancies"]] == [(2, "absent"), (3, "amount_differs")]
    assert got["counts"]["agreed"] == 1 and got["inspector"] == "李明"


# --- issue 16: signatures, more received, the sample id without the hidden sheet, share, weights --------

def unsigned(doc: dict, *, code: str) -> dict:
    """The one finding `code` of a recording (fails unless there is exactly one)."""
    hits = [f for f in doc["findings"] if f["code"] == code]
    assert len(hits) == 1, doc["findings"]
    return hits[0]


AGREED = {1: ("是", "是", 750, None), 2: ("是", "是", 750, None), 3: ("是", "是", 750, None)}


@pytest.mark.parametrize("missing, says", [
    ({"inspector": None}, "检查人签字"),
    ({"head": None}, "学校负责人签字"),
    ({"day": None}, "日期"),
    ({"day": "下周"}, "“下周”不是日期"),
    # a check cannot precede its draw, nor be made tomorrow: a sheet so dated is no record of one
    ({"day": "2011-11-16"}, "“2011-11-16”早于抽样日期"),
    ({"day": (date.today() + timedelta(days=1)).isoformat()}, "晚于今天"),
])
def test_a_sheet_without_both_signatures_and_a_date_is_unsigned(ws, run, signoff, missing, says):
    path, _, _ = signoff
    doc = record(run, ws, fill(path, AGREED, **missing), expect=1)
    f = unsigned(doc, code="inspect.unsigned")
    assert f["severity"] == "error" and says in f["message"]
    assert doc["discrepancies"] == [] and doc["counts"]["agreed"] == 3      # the results themselves agree


def test_a_signed_and_dated_sheet_is_not_unsigned(ws, run, signoff):
    path, _, _ = signoff
    doc = record(run, ws, fill(path, AGREED, day=date.today()), expect=0)    # a date cell
    assert doc["findings"] == [] and (doc["inspector"], doc["school_head"], doc["inspected_on"]) == \
        ("李明", "王建国", TODAY)


def sign_in_cell(path: Path, cells: dict[str, object]) -> Path:
    """Write the sign-off line as a person would: each name in the label's own cell, after its colon."""
    wb = openpyxl.load_workbook(path)
    sheet = wb.worksheets[0]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "检查人签字：")
    for column, value in cells.items():
        sheet[f"{column}{row}"] = value
    wb.save(path)
    return path


@pytest.mark.parametrize("cells", [
    {"A": "检查人签字：李明", "E": "学校负责人签字：王建国", "I": f"日期：{TODAY}"},
    {"A": "检查人签字:李明", "E": "学校负责人签字:王建国", "I": f"日期:{TODAY}"},
    {"A": "检查人签字 李明", "E": "学校负责人签字（盖章）：王建国", "I": f"日期： {TODAY}"},
    {"A": f"检查人签字：李明　学校负责人签字：王建国　日期：{TODAY}", "E": None, "I": None},   # one cell
])
def test_a_signature_written_after_the_colon_in_its_own_cell_is_read(ws, run, signoff, cells):
    path, _, _ = signoff
    filled = sign_in_cell(fill(path, AGREED, inspector=None, head=None, day=None), cells)
    doc = record(run, ws, filled, expect=0)
    assert (doc["inspector"], doc["school_head"], doc["inspected_on"]) == ("李明", "王建国", TODAY)
    assert doc["findings"] == []
    assert {r[0] for r in q(ws, "SELECT inspector FROM inspection_results")} == {"李明"}


def test_a_blank_signature_line_never_takes_the_next_label_signed_in_its_cell(ws, run, signoff):
    path, _, _ = signoff
    filled = sign_in_cell(fill(path, AGREED, inspector=None, head=None, day=TODAY),
                          {"A": "检查人签字：", "E": "学校负责人签字：王建国", "I": "日期："})
    doc = record(run, ws, filled, expect=1)
    assert (doc["inspector"], doc["school_head"], doc["inspected_on"]) == (None, "王建国", TODAY)
    f = unsigned(doc, code="inspect.unsigned")
    assert "没有检查人签字：" in f["message"] and "学校负责人签字" not in f["message"].split("：")[0]


def test_receiving_more_than_was_paid_is_a_discrepancy_too(ws, run, signoff):
    path, _, _ = signoff
    doc = record(run, ws, fill(path, {**AGREED, 2: ("是", "是", 800, "多发")}), expect=1)
    [d] = doc["discrepancies"]
    assert (d["position"], d["kind"]) == (2, "amount_differs")
    assert "实收 800.00 元" in d["detail"] and "相差 +50.00 元" in d["detail"]


def test_the_sample_id_is_found_when_the_hidden_sheet_was_deleted(ws, run, signoff):
    path, sample_id, _ = signoff
    filled = fill(path, AGREED, target=path.with_name("已填.xlsx"))     # no sample id in the file name either
    wb = openpyxl.load_workbook(filled)
    del wb["_aidctl"]
    wb.save(filled)
    doc = record(run, ws, filled, expect=0)
    assert (doc["sample"], doc["school"]) == (sample_id, "第一职业中学") and doc["counts"]["agreed"] == 3



def _no_present_column(wb) -> None:
    wb.worksheets[0]["H3"] = "在校情况"        # the 本人在校（是/否） header retitled


def _no_sample_id(wb) -> None:
    del wb["_aidctl"]                         # the hidden sheet, the 抽样编号 line and the footer all gone
    sheet = wb.worksheets[0]
    sheet["A2"] = "抽样编号："
    sheet.oddFooter.left.text = None


@pytest.mark.parametrize("change, says", [
    (_no_present_column, ("工作表“抽查核对表”", "第3行", "表头缺少“本人在校”列")),
    (_no_sample_id, ("找不到抽样编号",)),
])
def test_a_signoff_workbook_without_its_columns_or_sample_id_is_exit_2(ws, run, signoff, change, says):
    """A result is stored against a student of a sample: a sheet whose result columns or sample id
    cannot be found is refused, naming the file, and nothing is stored."""
    path, _, _ = signoff
    filled = fill(path, AGREED, target=path.with_name("已填.xlsx"))     # no sample id in the file name
    wb = openpyxl.load_workbook(filled)
    change(wb)
    wb.save(filled)
    code, out, err = run("inspect", "record", filled, "--workspace", ws)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "已填.xlsx" in lines[0], err
    for word in says:
        assert word in lines[0], (word, lines[0])
    assert q(ws, "SELECT count(*) FROM inspection_results") == [(0,)]

def test_the_sample_size_may_be_a_share_of_each_schools_students(ws, run):
    """--share 25: ceil(25% × population) per school, twice that at the 民办 school; populations 5, 8,
    7, 10, 8 → 2, 2 × 2 = 4, 2, 3, 2. With --per-school 3 as well, the larger of the two."""
    doc = sample(run, ws, "--seed", "5", "--share", "25%")
    assert doc["share"] == "25" and doc["per_school"] is None
    assert [(s["population"], s["drawn"]) for s in doc["schools"]] == [(5, 2), (8, 4), (7, 2), (10, 3), (8, 2)]
    both = sample(run, ws, "--seed", "5", "--share", "25", "--per-school", "3")
    assert [s["drawn"] for s in both["schools"]] == [3, 6, 3, 3, 3]
    assert both["sample"] != doc["sample"]
    code, _, err = run("inspect", "sample", "--term", TERM, "--workspace", ws, "--share", "一成")
    assert code == 2 and "--share" in err



@pytest.mark.parametrize("share, both, shown, sample_id", [
    ("12.5", False, "12.5", "JC-2011-autumn-5-089D5E"), ("12.5", True, "12.5", "JC-2011-autumn-5-BE10CD"),
    ("33.3333%", False, "33.3333", "JC-2011-autumn-5-842E4F"), ("10", False, "10", "JC-2011-autumn-5-EE1A60")])
def test_a_share_is_shown_as_typed_and_keeps_its_sample_id(ws, run, share, both, shown, sample_id):
    """--share 12.5 is 12.5 in the JSON, the method and the text, not the fraction 25/2. The sample id
    is the one the same draw had before (pinned: its digest still reads the share as 25/2), so that a
    sample recorded then is found again when drawn again."""
    extra = ("--seed", "5", "--share", share) + (("--per-school", "3") if both else ())
    doc = sample(run, ws, *extra)
    assert doc["share"] == shown and doc["sample"] == sample_id
    size = f"max(3, ceil(population × {shown}%))" if both else f"ceil(population × {shown}%)"
    assert f"per_school = {size}" in doc["method"] and "/" not in doc["method"].split("per_school = ")[1][:30]
    (method,) = q(ws, "SELECT method FROM inspection_samples WHERE id = ?", sample_id)[0]
    assert method == doc["method"]
    again = sample(run, ws, *extra)
    assert again["existing"] is True and again["sample"] == sample_id
    code, out, err = run("inspect", "sample", "--term", TERM, "--workspace", ws, *extra)
    assert code == 0 and f"每校受助学生的 {shown}%（向上取整）" in out, err


@pytest.mark.parametrize("share, shown", [("0", "现为 0"), ("0%", "现为 0"), ("100.01", "现为 100.01"),
                                          ("150%", "现为 150"), ("100", None)])
def test_a_share_of_nothing_or_above_everyone_is_exit_2(ws, run, share, shown):
    """0% would still draw one student a school and 150% everyone: neither is the share asked for.
    100% is everyone, asked for."""
    if shown is None:
        doc = sample(run, ws, "--seed", "5", "--share", share)
        assert [s["drawn"] for s in doc["schools"]] == [s["population"] for s in doc["schools"]]
        return
    code, out, err = run("inspect", "sample", "--term", TERM, "--workspace", ws, "--share", share)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "--share 应为大于 0、不超过 100 的百分比" in lines[0] and shown in lines[0], err
    assert q(ws, "SELECT count(*) FROM inspection_samples") == [(0,)]

def test_older_students_weigh_more_shown_on_the_sheet_and_reproducibly(ws, run):
    """The 27-year-old at 东河县职业高级中学 (above 中职's 25, rules/ages.yaml) holds 2 tickets; over many
    seeds she is drawn more often than a student of one ticket would be, and each seed's draw is
    the same every time."""
    older = "P17"
    hits = 0
    for seed in range(40):
        doc = sample(run, ws, "--seed", str(seed), "--per-school", "1")
        first = [s for s in doc["students"] if s["school"] == "东河县职业高级中学"]
        hits += first[0]["reference"] == older
    # 1 ticket of 5 would be drawn 8 times in 40 on average; 2 tickets of 6, 13.3
    assert hits >= 11
    doc = sample(run, ws, "--seed", "2011", "--per-school", "3")
    mine = {s["reference"]: s for s in doc["students"] if s["school"] == "东河县职业高级中学"}
    assert mine[older]["older"] and mine[older]["tickets"] == 2
    school = next(s for s in doc["schools"] if s["school"] == "东河县职业高级中学")
    sheet = openpyxl.load_workbook(ws / school["file"]).worksheets[0]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] and str(r[1]).startswith("P")}
    assert rows[older][11] == "2（高年龄）"   # never the age beside the masked ID: it narrows the birth year
    assert not any("周岁" in str(c) for r in sheet.iter_rows(min_row=4, values_only=True) for c in r if c)
    flat = " ".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r if c)
    assert "抽样权重：民办学校抽查人数×2" in flat and "高年龄受助学生" in flat
    assert sample(run, ws, "--seed", "2011", "--per-school", "3")["students"] == doc["students"]
