"""aidctl complaints: working days across holidays and 调休, rates per 1,000 aided students,
on-time closure, overdue open complaints, 无数据 without a ledger, exit codes and the JSON."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES
from sqlalchemy import insert

from aidctl import ledger as L
from aidctl.core.dates import CALENDAR_STATUTORY, CALENDAR_WEEKENDS, nth_working_day, working_days_after
from aidctl.oversight import default_as_of

D = dt.date
HEADERS = ["序号", "受理编号", "受理时间", "涉及县区", "被投诉学校", "投诉类别", "投诉人", "办结时间"]


def write_register(path: Path, rows: list[list], headers: list[str] = HEADERS) -> Path:
    """A register as a clerk keeps it: title and 填报单位 rows above the header, a signature row below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度学生资助投诉登记台账"])
    ws.append(["填报单位：市学生资助管理中心"])
    ws.append(headers)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    ws.append(["制表人：刘芳"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def seed_ledger(root: Path, payments: list[tuple], attempts: dict | None = None) -> None:
    """Payments (term, person, school, county) in one batch; `attempts` maps a payment's index to
    (status, created_at) of its attempts."""
    ledger = L.Ledger.for_workspace(root)
    with ledger.transaction() as conn:
        conn.execute(insert(L.batches).values(id="B1", term="2011-autumn", created_at="2011-11-01T09:00:00",
                                              rules_fingerprint="x", status="complete", payments=len(payments),
                                              total_fen=75000 * len(payments)))
        for i, (term, person, school, county) in enumerate(payments):
            pid = conn.execute(insert(L.payments).values(
                term=term, programme="中职国家助学金", person=person, name=f"学生{i}", school=school, county=county,
                card="6222020000000000000", bank_profile="icbc-txt", amount_fen=75000, status="paid", batch_id="B1",
                updated_at="2011-11-01T09:00:00")).inserted_primary_key[0]
            for _j, (status, created) in enumerate((attempts or {}).get(i, [("sent", "2011-11-01T09:00:00")])):
                conn.execute(insert(L.attempts).values(payment_id=pid, batch_id="B1", file_seq=i + 1,
                                                       card="6222020000000000000", amount_fen=75000, status=status,
                                                       created_at=created))


# --- working days ----------------------------------------------------------------------------------

def test_deadline_across_national_day_and_its_adjusted_weekend():
    # 2011-09-28 (Wed): working days 1–2 are 29–30 Sep; 1–7 Oct are 国庆; Sat 8 and Sun 9 Oct are
    # 调休 working days 3 and 4; working day 5 is Mon 10 Oct
    assert nth_working_day(D(2011, 9, 28), 5, count_start=False) == (D(2011, 10, 10), CALENDAR_STATUTORY)
    assert nth_working_day(D(2011, 9, 28), 3, count_start=False)[0] == D(2011, 10, 8)   # a Saturday
    assert working_days_after(D(2011, 9, 28), D(2011, 10, 10)) == (5, CALENDAR_STATUTORY)
    assert working_days_after(D(2011, 9, 28), D(2011, 10, 7)) == (2, CALENDAR_STATUTORY)
    # weekends alone would give 5 October
    assert nth_working_day(D(2099, 9, 28), 5, count_start=False) == (D(2099, 10, 5), CALENDAR_WEEKENDS)


def test_accepted_day_is_day_zero_and_an_adjusted_saturday_counts():
    # 清明 2011: Saturday 2 April was a working day (调休), 3–5 April off
    assert nth_working_day(D(2011, 4, 1), 1, count_start=False)[0] == D(2011, 4, 2)
    assert nth_working_day(D(2011, 4, 1), 2, count_start=False)[0] == D(2011, 4, 6)
    # a complaint accepted on a holiday: the first working day after it is day 1
    assert nth_working_day(D(2011, 10, 3), 1, count_start=False)[0] == D(2011, 10, 8)
    assert working_days_after(D(2011, 9, 28), D(2011, 9, 28))[0] == 0


def test_the_publicity_period_still_counts_its_first_day():
    from aidctl.report import publicity_period

    assert publicity_period(D(2011, 9, 26), 5)[0] == D(2011, 9, 30)        # Mon–Fri
    assert publicity_period(D(2011, 9, 29), 5)[0] == D(2011, 10, 10)       # 29, 30, 8, 9, 10 Oct


def test_default_as_of_is_today_or_the_year_end():
    assert default_as_of(2011, D(2026, 3, 1)) == D(2011, 12, 31)
    assert default_as_of(2026, D(2026, 3, 1)) == D(2026, 3, 1)


# --- the command -----------------------------------------------------------------------------------

@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    write_register(root / "complaints" / "台账.xlsx", [
        # on time across 国庆: deadline (15 working days) 2011-10-14; weekends alone would say 10-11
        ["T1", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", D(2011, 10, 14)],
        ["T2", D(2011, 9, 20), "东区", "甲校", "资格认定", "李某", "2011年10月17日"],      # late, by one working day
        ["T3", "2011/11/21", "东区", "甲校", "公示", "赵某", None],                        # open, deadline 12-12
        ["T4", D(2011, 12, 22), "西区", "乙校", "资金发放", "钱某", None],                  # open, deadline 2012-01-13
        ["T5", D(2011, 6, 13), "西区", None, "政策咨询", "孙某", D(2011, 6, 24)],           # county only
        ["T6", D(2010, 12, 6), "西区", "乙校", "资格认定", "周某", D(2010, 12, 15)],        # another year
    ])
    return root


def _students(school: str, county: str, n: int, start: int = 0, term: str = "2011-autumn") -> list[tuple]:
    return [(term, f"P{school}{i}", school, county) for i in range(start, start + n)]


def test_counts_rates_and_closure_as_of_the_year_end(ws, run):
    # 甲校: 4 students, one paid in both terms (counted once); 乙校: 2 students
    seed_ledger(ws, _students("甲校", "东区", 4) + [("2011-spring", "P甲校0", "甲校", "东区")]
                + _students("乙校", "西区", 2))
    code, doc, err = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["as_of"] == "2011-12-31" and doc["closing_working_days"] == 15
    said = "未指定 --as-of：按 2011-12-31 判断办结与超期（今天，或2011年12月31日如更早）"  # nobody chose it
    assert doc["notes"][0] == said
    status = {c["number"]: (c["status"], c["deadline"]) for c in doc["complaints"]}
    assert status == {"T1": ("on_time", "2011-10-14"), "T2": ("late", "2011-10-14"),
                      "T3": ("overdue", "2011-12-12"), "T4": ("open", "2012-01-13"),
                      "T5": ("on_time", "2011-07-04")}
    schools = {s["school"]: s for s in doc["schools"]}
    a = schools["甲校"]
    assert (a["complaints"], a["aided_students"], a["closed_on_time"], a["closed_late"], a["overdue_open"]) == \
        (3, 4, 1, 1, 1)
    assert a["rate_per_thousand"] == "750.00"       # 3 × 1000 ÷ 4
    assert a["on_time_rate"] == "33.33%"            # 1 ÷ (2 closed + 1 overdue)
    b = schools["乙校"]
    assert (b["complaints"], b["aided_students"], b["rate_per_thousand"], b["due"], b["on_time_rate"]) == \
        (1, 2, "500.00", 0, None)                   # still within its deadline: not judged yet
    counties = {c["county"]: c for c in doc["counties"]}
    assert counties["西区"]["complaints"] == 2 and counties["西区"]["rate_per_thousand"] == "1000.00"
    assert counties["西区"]["on_time_rate"] == "100.00%"
    t = doc["totals"]
    assert (t["complaints"], t["aided_students"], t["rate_per_thousand"], t["on_time_rate"]) == \
        (5, 6, "833.33", "50.00%")                  # 5000 ÷ 6 = 833.333…; 2 on time ÷ 4 due
    assert any("不在2011年内" in n for n in doc["notes"])


def test_a_school_without_complaints_has_a_real_zero_rate(ws, run):
    seed_ledger(ws, _students("甲校", "东区", 4) + _students("乙校", "西区", 2) + _students("丙校", "西区", 5))
    code, doc, _ = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    c = {s["school"]: s for s in doc["schools"]}["丙校"]
    assert (c["complaints"], c["aided_students"], c["rate_per_thousand"], c["on_time_rate"]) == (0, 5, "0.00", None)


def test_overdue_open_as_of_a_date(ws, run):
    seed_ledger(ws, _students("甲校", "东区", 4))
    _, doc, _ = run("complaints", "--year", "2011", "--as-of", "2011-12-12", "--workspace", ws, "--format", "json",
                    as_json=True)
    assert {c["number"]: c["status"] for c in doc["complaints"]}["T3"] == "open"     # the deadline day itself
    assert not [n for n in doc["notes"] if "--as-of" in n]
    _, doc, _ = run("complaints", "--year", "2011", "--as-of", "2011-12-13", "--workspace", ws, "--format", "json",
                    as_json=True)
    assert {c["number"]: c["status"] for c in doc["complaints"]}["T3"] == "overdue"
    assert doc["totals"]["overdue_open"] == 1
    # closed after the as-of date: not known yet, so open
    _, doc, _ = run("complaints", "--year", "2011", "--as-of", "2011-10-15", "--workspace", ws, "--format", "json",
                    as_json=True)
    assert {c["number"]: c["status"] for c in doc["complaints"]}["T2"] == "overdue"
    assert "T3" not in {c["number"] for c in doc["complaints"]}                       # accepted later


def test_without_a_ledger_the_rate_is_no_data_never_zero(ws, run):
    code, doc, _ = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert code == 0
    assert doc["aided"]["known"] is False
    assert all(r["rate_per_thousand"] is None and r["aided_students"] is None
               for r in doc["schools"] + doc["counties"] + [doc["totals"]])
    assert any("账本中没有2011年" in n for n in doc["notes"])
    assert not (ws / "aidctl.db").exists()          # no ledger made just to find it empty
    code, out, _ = run("complaints", "--year", "2011", "--workspace", ws)
    assert "无数据" in out and "0.00\n" not in out


def test_table_output_and_workbook(ws, run, tmp_path):
    seed_ledger(ws, _students("甲校", "东区", 4))
    target = tmp_path / "投诉.xlsx"
    code, out, _ = run("complaints", "--year", "2011", "--workspace", ws, "--report", target)
    assert code == 0
    assert "超期未办结的投诉（1 件）" in out and "T3" in out
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["县区汇总", "学校汇总", "投诉明细", "说明"]
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(target).namelist()
    rows = list(wb["投诉明细"].iter_rows(min_row=2, values_only=True))
    assert {r[0]: r[8] for r in rows}["T3"] == "超期未办结"


def test_json_shape(ws, run):
    _, doc, _ = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert set(doc) == {"version", "year", "as_of", "closing_working_days", "day_rule", "calendar", "files", "aided",
                        "counties", "schools", "totals", "by_category", "complaints", "findings", "notes"}
    figures = {"complaints", "closed", "closed_on_time", "closed_late", "open", "overdue_open", "aided_students",
               "rate_per_thousand", "due", "on_time_rate"}
    assert set(doc["counties"][0]) == {"county"} | figures
    assert set(doc["schools"][0]) == {"county", "school"} | figures
    assert set(doc["complaints"][0]) == {"file", "row", "number", "accepted_on", "county", "school", "category",
                                         "closed_on", "deadline", "working_days", "status"}
    assert doc["files"][0]["header_row"] == 3 and doc["files"][0]["file"] == "complaints/台账.xlsx"
    assert doc["by_category"][0] == {"category": "资金发放", "complaints": 2}


def test_an_unreadable_row_is_reported_and_exit_1(tmp_path, run):
    reg = write_register(tmp_path / "r.xlsx", [
        ["T1", "不详", "东区", "甲校", "资金发放", "王某", None],
        ["T2", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", D(2011, 9, 1)],
        ["T3", D(2011, 9, 20), None, None, "资金发放", "王某", None],
        ["T4", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", D(2011, 9, 23)],
    ])
    code, doc, _ = run("complaints", reg, "--year", "2011", "--format", "json", as_json=True)
    assert code == 1
    assert [(f["row"], f["code"], f["column"]) for f in doc["findings"]] == [
        (4, "complaint.invalid", "受理时间"), (5, "complaint.invalid", "办结时间"), (6, "complaint.invalid", "被投诉学校")]
    assert doc["totals"]["complaints"] == 1
    assert "早于受理日期" in finding(doc, 5, code="complaint.invalid")["message"]


def finding(doc: dict, row: int, *, code: str) -> dict:
    return next(f for f in doc["findings"] if f["row"] == row and f["code"] == code)


@pytest.mark.parametrize("rows, headers", [
    ([["甲", "乙"]], ["姓名", "金额"]),                                            # no header at all
    ([["T1", D(2011, 9, 20), "资金发放", "王某"]], ["序号", "受理编号", "受理日期", "类别", "投诉人"]),  # no school/county
])
def test_a_bad_register_is_exit_2_naming_the_file(tmp_path, run, rows, headers):
    reg = write_register(tmp_path / "坏台账.xlsx", [r[: len(headers) - 1] for r in rows], headers)
    code, out, err = run("complaints", reg, "--year", "2011")
    assert code == 2
    assert "坏台账.xlsx" in err and "Traceback" not in err


def test_no_register_and_no_folder_is_exit_2(tmp_path, run):
    code, _, err = run("complaints", "--year", "2011", "--workspace", tmp_path)
    assert code == 2 and "complaints" in err


def test_the_sample_register(tmp_path, run):
    import shutil

    ws = tmp_path / "s"
    shutil.copytree(SAMPLES, ws, ignore=shutil.ignore_patterns("aidctl.db", "out"))
    code, doc, err = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert code == 0, err
    status = {c["number"]: c["status"] for c in doc["complaints"]}
    assert status == {"TS2011-001": "on_time", "TS2011-002": "on_time", "TS2011-003": "on_time",
                      "TS2011-004": "late", "TS2011-005": "overdue", "TS2011-006": "on_time", "TS2011-007": "open"}
    assert doc["totals"]["rate_per_thousand"] is None          # no payments yet in a fresh sample workspace


# --- issue 16: a 12345 hotline export ----------------------------------------------------------------

def test_a_12345_export_is_read_by_its_call_time_and_no_date_column_is_dropped_silently(run, tmp_path):
    """A 12345 export names the day a complaint came in 来电时间 (a date and time): it is the 受理日期.
    Accepted 2011-09-28 14:33: with 15 working days (29, 30 September; 调休 Saturday 8 and Sunday 9
    October after 国庆; 10–14 and 17–21 October; 24 October) the deadline is 2011-10-24, and closing
    on 2011-10-10 is on time. A second
    date header that is no alias (受理时间 beside 来电时间 is one; 回访时间 holds no watched word) is
    reported as schema.unrecognised_column, a warning: the exit code stays 0."""
    headers = ["序号", "工单编号", "来电时间", "所属区县", "被投诉学校", "诉求类型", "诉求人", "办结时间", "回访时间",
               "结案意见时间"]
    rows = [["GD001", "2011-09-28 14:33:05", "城关区", "第一职业中学", "资金发放", "王某", "2011-10-10 09:00:00",
             "2011-10-12", "2011-10-10"]]
    path = write_register(tmp_path / "complaints" / "12345工单.xlsx", rows, headers)
    code, doc, err = run("complaints", path, "--year", "2011", "--as-of", "2011-12-31", "--workspace", tmp_path,
                         "--format", "json", as_json=True)
    assert code == 0, err
    [c] = doc["complaints"]
    assert (c["accepted_on"], c["closed_on"], c["deadline"], c["status"]) == ("2011-09-28", "2011-10-10",
                                                                              "2011-10-24", "on_time")
    [f] = doc["findings"]
    assert (f["code"], f["severity"], f["column"], f["row"]) == ("schema.unrecognised_column", "warning",
                                                                "结案意见时间", None)
    assert "没有读取" in f["message"]
    code, out, err = run("complaints", path, "--year", "2011", "--as-of", "2011-12-31", "--workspace", tmp_path)
    assert code == 0 and "结案意见时间" in out


def test_two_school_columns_no_rule_decides_is_exit_2_naming_both(tmp_path, run):
    """被投诉学校 beside 涉及学校, holding different schools, and no 县区 column: the register cannot be
    counted by school; the message names both columns, not "no school column"."""
    headers = ["序号", "受理编号", "受理时间", "被投诉学校", "涉及学校", "投诉类别", "投诉人", "办结时间"]
    reg = write_register(tmp_path / "台账.xlsx", [["T1", D(2011, 9, 20), "甲校", "乙校", "资金发放", "王某", None]],
                         headers)
    code, out, err = run("complaints", reg, "--year", "2011")
    assert code == 2, err
    assert "“被投诉学校”" in err and "“涉及学校”" in err and "既没有学校列" not in err


# --- a school read one way: schools.xlsx by 学校代码, name or 别名 ------------------------------------

SCHOOLS = [("1001", "甲校", "中职", "东区", "甲职"), ("1002", "乙校", "中职", "西区", None),
           ("1003", "丙校", "中职", "西区", None)]


def write_schools(root: Path, rows: list[tuple] = SCHOOLS) -> Path:
    """schools.xlsx: 学校代码, 学校名称, 学校类型, 所属县区, 别名."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学校代码", "学校名称", "学校类型", "所属县区", "别名"])
    for row in rows:
        ws.append(list(row))
    wb.save(root / "schools.xlsx")
    return root / "schools.xlsx"


def test_a_complaint_naming_a_registered_alias_counts_for_its_school(tmp_path, run):
    """甲职 is the 别名 of 甲校 in schools.xlsx: the complaint about 甲职 is 甲校's, as are the payments
    the ledger records under 甲职. 甲校: 2 complaints over 6 + 2 = 8 aided students = 250.00 per 1,000
    (not a school 甲职 with no aided student and no rate). A complaint about 戊校, which schools.xlsx
    does not register, is counted under its name as written and said aloud in the notes."""
    write_schools(tmp_path)
    write_register(tmp_path / "complaints" / "台账.xlsx", [
        ["T1", D(2011, 9, 5), "东区", "甲校", "资金发放", "王某", D(2011, 9, 16)],
        ["T2", D(2011, 10, 9), "东区", "甲职", "资金发放", "李某", None],
        ["T3", D(2011, 10, 9), "西区", "戊校", "资金发放", "张某", None]])
    seed_ledger(tmp_path, _students("甲校", "东区", 6) + _students("甲职", "东区", 2, start=6))
    code, doc, err = run("complaints", "--year", "2011", "--as-of", "2011-12-31", "--workspace", tmp_path,
                         "--format", "json", as_json=True)
    assert code == 0, err
    schools = {s["school"]: s for s in doc["schools"]}
    assert "甲职" not in schools
    a = schools["甲校"]
    assert (a["county"], a["complaints"], a["aided_students"], a["rate_per_thousand"]) == ("东区", 2, 8, "250.00")
    assert {c["number"]: c["school"] for c in doc["complaints"]} == {"T1": "甲校", "T2": "甲校", "T3": "戊校"}
    [said] = [n for n in doc["notes"] if "戊校" in n]
    assert "不在 schools.xlsx 中" in said and "台账.xlsx 第6行" in said
    (tmp_path / "schools.xlsx").unlink()                 # without the register, the names stand as written
    code, doc, err = run("complaints", "--year", "2011", "--as-of", "2011-12-31", "--workspace", tmp_path,
                         "--format", "json", as_json=True)
    assert "甲职" in {s["school"] for s in doc["schools"]}
    assert any("没有 schools.xlsx" in n for n in doc["notes"])


# --- 办理结果: a 办结日期 beside a result saying the complaint is not closed -----------------------------

RESULT_HEADERS = [*HEADERS, "办理结果"]


def complaints_2011(run, reg: Path, workspace: Path) -> tuple[int, dict, str]:
    """`complaints` on `reg` for 2011 as of its last day, JSON parsed: (exit code, document, stderr)."""
    return run("complaints", reg, "--year", "2011", "--as-of", "2011-12-31", "--workspace", workspace,
               "--format", "json", as_json=True)


def test_a_closing_date_beside_a_result_saying_not_closed_is_invalid_never_closed(tmp_path, run):
    """办结日期 written, yet 办理结果 says 未办结，退回学校重新核查 or 办理中: the register contradicts itself.
    The complaint is complaint.invalid (the 办理结果 cell named, the word found said) and not counted,
    never counted as closed on time; a result saying it is closed, or an open one saying 办理中, stands."""
    reg = write_register(tmp_path / "complaints" / "台账.xlsx", [
        ["T1", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", D(2011, 9, 26), "未办结，退回学校重新核查"],
        ["T2", D(2011, 9, 20), "东区", "甲校", "资金发放", "李某", D(2011, 9, 26), "办理 中"],
        ["T3", D(2011, 9, 20), "西区", "乙校", "资金发放", "赵某", D(2011, 9, 26), "已办结，已补发"],
        ["T4", D(2011, 12, 22), "西区", "乙校", "资金发放", "钱某", None, "办理中"],
    ], RESULT_HEADERS)
    code, doc, err = complaints_2011(run, reg, tmp_path)
    assert code == 1, err
    assert [(f["row"], f["code"], f["column"], f["severity"]) for f in doc["findings"]] == [
        (4, "complaint.invalid", "办理结果", "error"), (5, "complaint.invalid", "办理结果", "error")]
    assert "“未办结”" in finding(doc, 4, code="complaint.invalid")["message"]
    assert "“办理中”" in finding(doc, 5, code="complaint.invalid")["message"]     # spaces folded
    assert {c["number"]: c["status"] for c in doc["complaints"]} == {"T3": "on_time", "T4": "open"}
    t = doc["totals"]
    assert (t["complaints"], t["closed"], t["closed_on_time"], t["open"], t["on_time_rate"]) == (2, 1, 1, 1, "100.00%")
    # assess counts from the same reading: the two rows are problems, not closed complaints
    code, doc, err = run("assess", "--year", "2011", "--as-of", "2011-12-31", "--complaints", reg,
                         "--workspace", tmp_path, "--format", "json", as_json=True)
    assert sorted(p["row"] for p in doc["problems"] if p["source"] == "complaints") == [4, 5], (code, err)


def test_a_result_saying_closed_beside_a_blank_closing_date_is_invalid_never_open(tmp_path, run):
    """办结日期 blank, yet 办理结果 says 已答复并办结 or 已 办结: the register contradicts itself. The
    complaint is complaint.invalid on the 办结日期 cell (the word found said), counted neither as open
    (it would be 超期未办结 by now) nor as closed. Not-closed words are read first: 未办结 and 没办结
    are never read as 办结, and beside a blank 办结日期 the complaint is open, no finding."""
    reg = write_register(tmp_path / "complaints" / "台账.xlsx", [
        ["T1", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", None, "已答复并办结"],
        ["T2", D(2011, 9, 20), "东区", "甲校", "资金发放", "李某", None, "已 办结，已补发"],
        ["T3", D(2011, 9, 20), "西区", "乙校", "资金发放", "赵某", None, "未办结，正在核查"],
        ["T4", D(2011, 9, 20), "西区", "乙校", "资金发放", "钱某", D(2011, 9, 26), "已办结"],
        ["T5", D(2011, 12, 22), "西区", "乙校", "资金发放", "孙某", None, "没办结"],
    ], RESULT_HEADERS)
    code, doc, err = complaints_2011(run, reg, tmp_path)
    assert code == 1, err
    assert [(f["row"], f["code"], f["column"], f["severity"], f["value"]) for f in doc["findings"]] == [
        (4, "complaint.invalid", "办结时间", "error", None), (5, "complaint.invalid", "办结时间", "error", None)]
    assert "“办结”" in finding(doc, 4, code="complaint.invalid")["message"]
    assert "“已办结”" in finding(doc, 5, code="complaint.invalid")["message"]     # spaces folded
    assert "办结日期为空" in finding(doc, 5, code="complaint.invalid")["message"]
    assert {c["number"]: c["status"] for c in doc["complaints"]} == {"T3": "overdue", "T4": "on_time", "T5": "open"}
    t = doc["totals"]
    assert (t["complaints"], t["closed"], t["open"], t["overdue_open"], t["on_time_rate"]) == (3, 1, 2, 1, "50.00%")
    assert not any("不在2011年内" in n for n in doc["notes"]), doc["notes"]   # left out as invalid, not as out of year
    # assess counts from the same reading: the two rows are problems, not overdue open complaints
    code, doc, err = run("assess", "--year", "2011", "--as-of", "2011-12-31", "--complaints", reg,
                         "--workspace", tmp_path, "--format", "json", as_json=True)
    assert sorted(p["row"] for p in doc["problems"] if p["source"] == "complaints") == [4, 5], (code, err)
    closure = {s["school"]: s["indicators"]["complaint_closure"]["value"] for s in doc["schools"]}
    assert closure == {"乙校": "50.00%"}                      # T3 overdue, T4 on time; 甲校 nothing counted


def test_a_register_without_a_closing_date_column_cannot_say_closed(tmp_path, run):
    """A register with 办理结果 but no 办结日期 column: a complaint it says is 已办结 cannot be judged on
    time; it is complaint.invalid (the message says the column is missing), never 超期未办结."""
    headers = [h for h in RESULT_HEADERS if h != "办结时间"]
    reg = write_register(tmp_path / "r.xlsx", [
        ["T1", D(2011, 9, 20), "东区", "甲校", "资金发放", "王某", "已结案"],
        ["T2", D(2011, 9, 20), "东区", "甲校", "资金发放", "李某", "办理中"],
    ], headers)
    code, doc, err = complaints_2011(run, reg, tmp_path)
    assert code == 1, err
    [f] = doc["findings"]
    assert (f["row"], f["column"]) == (4, "办结日期") and "台账没有办结日期列" in f["message"] and "“已结案”" in f["message"]
    assert {c["number"]: c["status"] for c in doc["complaints"]} == {"T2": "overdue"}


@pytest.mark.parametrize("key, received, closed, unknown, own, packaged_word, counted, what", [
    ("not_closed_results", D(2011, 9, 20), D(2011, 9, 26), "挂起待复查", "挂起", "未办结", "closed", "尚未办结"),
    ("closed_results", D(2011, 12, 20), None, "已归档", "归档", "已办结", "open", "已经办结"),
])
def test_the_result_words_are_rules(tmp_path, run, key, received, closed, unknown, own, packaged_word, counted, what):
    """The words live in rules/assessment.yaml complaints.not_closed_results / closed_results: a word
    the packaged rules do not know is not read; a workspace copy naming its own word is obeyed; a copy
    made before the key existed takes the packaged words, said aloud."""
    import yaml

    from aidctl.rulebook import Rulebook, packaged_rules_dir

    packaged = yaml.safe_load((packaged_rules_dir() / "assessment.yaml").read_text(encoding="utf-8"))
    assert packaged_word in packaged["complaints"][key]

    def register(result: str) -> Path:
        return write_register(tmp_path / "complaints" / "台账.xlsx", [
            ["T1", received, "东区", "甲校", "资金发放", "王某", closed, result]], RESULT_HEADERS)

    reg = register(unknown)
    code, doc, _ = complaints_2011(run, reg, tmp_path)
    assert code == 0 and doc["totals"][counted] == 1            # not a word the packaged rules know
    mine = dict(packaged, complaints={**packaged["complaints"], key: [own]})
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "assessment.yaml").write_text(yaml.safe_dump(mine, allow_unicode=True), encoding="utf-8")
    code, doc, _ = complaints_2011(run, reg, tmp_path)
    assert code == 1 and doc["totals"]["complaints"] == 0 and f"“{own}”" in doc["findings"][0]["message"]
    old = dict(packaged, complaints={k: v for k, v in packaged["complaints"].items() if k != key})
    (tmp_path / "rules" / "assessment.yaml").write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")
    rules = Rulebook(tmp_path / "rules")
    assert getattr(rules.assessment.complaints, key) == packaged["complaints"][key]
    assert any(key in n and f"办理结果中表示{what}的用词" in n for n in rules.notes), rules.notes
    register(packaged_word)
    code, doc, _ = complaints_2011(run, reg, tmp_path)
    assert code == 1 and f"“{packaged_word}”" in doc["findings"][0]["message"]   # the packaged words apply

def test_a_student_whose_every_payment_failed_is_no_aided_student(ws, run):
    """As `report` counts them: a student whose payments of the year the bank all returned is not in
    the rate's denominator, and the notes say how many were left out. 甲校: 4 paid, one of them
    returned → 3 aided, 3 complaints → 1000.00 per 1,000 (not 750.00)."""
    import sqlite3

    seed_ledger(ws, _students("甲校", "东区", 4) + _students("乙校", "西区", 2))
    with sqlite3.connect(ws / "aidctl.db") as conn:
        conn.execute("UPDATE payments SET status = 'failed' WHERE person = 'P甲校0'")
    code, doc, err = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert code == 0, err
    a = {s["school"]: s for s in doc["schools"]}["甲校"]
    assert (a["aided_students"], a["rate_per_thousand"]) == (3, "1000.00")
    assert doc["totals"]["aided_students"] == 5
    assert any(n.startswith("1 名学生2011年的付款全部失败") for n in doc["notes"]), doc["notes"]
