"""aidctl assess: the scorecard's arithmetic against figures worked out by hand, 无数据 never scored
as zero, normalisation, rank order, the chart, the JSON and exit codes."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, voc_row, write_roster
from sqlalchemy import insert
from test_complaints import seed_ledger, write_register, write_schools

from aidctl import ledger as L
from aidctl.oversight import rank, score

D = dt.date


def submit(root: Path, rows: list[tuple]) -> None:
    """Intake history rows: (term, school, version, first_seen, records, errors)."""
    ledger = L.Ledger.for_workspace(root)
    with ledger.transaction() as conn:
        for term, school, version, seen, records, errors in rows:
            conn.execute(insert(L.submissions).values(
                term=term, school=school, file=f"intake/{term}/{school}_{version}.xlsx", sha256=f"{school}{version}",
                version=version, first_seen=seen, records=records, errors=errors, warnings=0, command="validate"))


@pytest.fixture
def ws(tmp_path) -> Path:
    """Two schools in two counties, 2011 autumn.
    甲校 (东区): 4 payments, 3 sent 2011-11-20 and 1 on 2011-12-05 (deadline 11-30) → 3/4;
      first submission 2011-10-10 (deadline 10-15), 10 records with 2 errors → 8/10, on time;
      one complaint, closed on time; 4 aided students → 250 per 1,000.
    乙校 (西区): 2 payments sent 2011-11-01 → 2/2; first submission 2011-10-20, late, 5 records, no
      error (a corrected version 2 later does not count); no complaint → 0 per 1,000, closure 无数据.
    No finance sheet and no loan register: 提取达标 and 履约率 are 无数据."""
    root = tmp_path / "ws"
    root.mkdir()
    pays = [("2011-autumn", f"P甲{i}", "甲校", "东区") for i in range(4)] + \
           [("2011-autumn", f"P乙{i}", "乙校", "西区") for i in range(2)]
    seed_ledger(root, pays, {0: [("sent", "2011-11-20T10:00:00")], 1: [("paid", "2011-11-20T10:00:00")],
                             2: [("failed", "2011-11-10T10:00:00"), ("paid", "2011-11-20T10:00:00")],
                             3: [("sent", "2011-12-05T10:00:00")]})
    submit(root, [("2011-autumn", "甲校", 1, "2011-10-10T09:00:00", 10, 2),
                  ("2011-autumn", "乙校", 1, "2011-10-20T09:00:00", 5, 0),
                  ("2011-autumn", "乙校", 2, "2011-10-25T09:00:00", 5, 0)])
    write_register(root / "complaints" / "台账.xlsx", [["T1", D(2011, 9, 5), "东区", "甲校", "资金发放", "王某",
                                                         D(2011, 9, 16)]])
    return root


def _json(run, ws, *extra):
    code, doc, err = run("assess", "--year", "2011", "--workspace", ws, "--format", "json", *extra, as_json=True)
    return code, doc, err


def test_scorecard_arithmetic_by_hand(ws, run):
    code, doc, err = _json(run, ws)
    assert code == 0, err
    schools = {s["school"]: s for s in doc["schools"]}
    a, b = schools["甲校"], schools["乙校"]
    ia = a["indicators"]
    assert (ia["timely_payment"]["value"], ia["timely_payment"]["score"]) == ("75.00%", "11.25")   # 15 × 3/4
    assert (ia["data_accuracy"]["value"], ia["data_accuracy"]["score"]) == ("80.00%", "8.00")      # 10 × 8/10
    assert (ia["on_time_submission"]["value"], ia["on_time_submission"]["score"]) == ("100.00%", "5.00")
    assert (ia["complaint_rate"]["value"], ia["complaint_rate"]["score"]) == ("250.00", "0.02")    # 5 × 1/250
    assert (ia["complaint_closure"]["value"], ia["complaint_closure"]["score"]) == ("100.00%", "5.00")
    # Σ 29.27 over weights 40 with data → 73.175 → 73.18 (exact, half up)
    assert (a["total"], a["weight_with_data"], a["weight_computed"]) == ("73.18", "40.00", "55.00")
    ib = b["indicators"]
    assert ib["on_time_submission"]["value"] == "0.00%" and ib["on_time_submission"]["score"] == "0.00"
    assert ib["complaint_rate"]["value"] == "0.00" and ib["complaint_rate"]["score"] == "5.00"
    # 15 + 10 + 0 + 5 = 30 over 35 → 85.714… → 85.71
    assert (b["total"], b["weight_with_data"]) == ("85.71", "35.00")
    assert [s["school"] for s in doc["schools"]] == ["乙校", "甲校"] and [b["rank"], a["rank"]] == [1, 2]
    counties = {c["county"]: c for c in doc["counties"]}
    assert (counties["西区"]["total"], counties["西区"]["rank"]) == ("85.71", 1)
    assert (counties["东区"]["total"], counties["东区"]["rank"]) == ("73.18", 2)


def test_missing_indicators_are_no_data_not_zero(ws, run):
    _, doc, _ = _json(run, ws)
    b = {s["school"]: s for s in doc["schools"]}["乙校"]
    for key in ("complaint_closure", "extraction", "loan_performance"):
        assert b["indicators"][key] == {"value": None, "numerator": None if key != "complaint_closure" else 0,
                                        "denominator": None if key != "complaint_closure" else 0,
                                        "score": None, "meets": None}
    assert b["total"] != "40.00"          # what counting them as 0 would give: 30 ÷ 75
    code, out, _ = run("assess", "--year", "2011", "--workspace", ws)
    assert "无数据" in out
    assert any("没有财务报表" in n for n in doc["notes"]) and any("没有生源地贷款台账" in n for n in doc["notes"])
    assert [i["key"] for i in doc["not_computed"]] == ["fund_spending", "standard_compliance", "poverty_coverage",
                                                      "satisfaction"]


def test_without_any_data_there_is_no_total_and_no_rank(tmp_path, run):
    code, doc, _ = _json(run, tmp_path)
    assert code == 0
    assert doc["counties"] == [] and doc["schools"] == []
    assert doc["sources"] == {"ledger": False, "intake_history": False, "finance": None, "complaints": None,
                              "loans": None}
    assert not (tmp_path / "aidctl.db").exists()


def test_score_rules():
    w = Fraction(10)
    assert score(Fraction(9, 10), Fraction(95, 100), w, "higher", "proportional") == Fraction(900, 95)
    assert score(Fraction(1), Fraction(95, 100), w, "higher", "proportional") == w          # capped at the weight
    assert score(Fraction(9, 10), Fraction(95, 100), w, "higher", "pass_fail") == 0
    assert score(Fraction(1, 2), Fraction(1), w, "lower", "proportional") == w
    assert score(Fraction(4), Fraction(1), w, "lower", "proportional") == Fraction(5, 2)
    assert score(Fraction(4), Fraction(1), w, "lower", "pass_fail") == 0


def test_rank_ties_share_a_rank_and_no_total_is_unranked():
    assert rank([Fraction(80), None, Fraction(90), Fraction(80), Fraction(70)]) == [2, None, 1, 2, 4]


def test_weights_and_method_come_from_the_rule_file(ws, run):
    import yaml

    from aidctl.rulebook import packaged_rules_dir

    data = yaml.safe_load((packaged_rules_dir() / "assessment.yaml").read_text(encoding="utf-8"))
    data["scoring"]["method"] = "pass_fail"
    data["indicators"]["timely_payment"]["weight"] = "30"
    # the weights must still add up to 100 (issue 16): take the 15 from two indicators aidctl does not compute
    data["indicators"]["fund_spending"]["weight"] = "5"
    data["indicators"]["standard_compliance"]["weight"] = "5"
    (ws / "rules").mkdir()
    (ws / "rules" / "assessment.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, doc, _ = _json(run, ws)
    a = {s["school"]: s for s in doc["schools"]}["甲校"]
    # pass_fail: timely 0 (75%), accuracy 0 (80%), on time 5, complaint rate 0, closure 5 → 10 over 55
    assert a["indicators"]["timely_payment"]["score"] == "0.00"
    assert (a["total"], a["weight_with_data"]) == ("18.18", "55.00")


def test_a_bad_rule_file_is_exit_2(ws, run):
    (ws / "rules").mkdir()
    (ws / "rules" / "assessment.yaml").write_text(
        (Path(SAMPLES).parent / "rules" / "assessment.yaml").read_text(encoding="utf-8").replace(
            'target: "0.95"', 'target: "95"', 1), encoding="utf-8")
    code, _, err = run("assess", "--year", "2011", "--workspace", ws)
    assert code == 2 and "assessment.yaml" in err


def test_workbook_with_the_chart(ws, run, tmp_path):
    target = tmp_path / "考核.xlsx"
    code, out, _ = run("assess", "--year", "2011", "--workspace", ws, "--report", target)
    assert code == 0 and "考核工作簿已写入" in out
    names = zipfile.ZipFile(target).namelist()
    assert "xl/charts/chart1.xml" in names
    chart = zipfile.ZipFile(target).read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and '<c:barDir val="bar"/>' in chart and "县区得分" in chart
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["县区得分", "学校得分", "指标与权重", "说明"]
    rows = list(wb["县区得分"].iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(1, "西区"), (2, "东区")]
    assert rows[0][-2] == pytest.approx(85.71) and "无数据" in rows[0]


def test_json_shape(ws, run):
    _, doc, _ = _json(run, ws)
    assert set(doc) == {"version", "year", "as_of", "sources", "indicators", "not_computed", "total_rule",
                        "counties", "schools", "notes", "problems"}
    coverage = {"weight_applicable", "coverage", "not_due", "missing"}      # issue 16: coverage is shown
    assert set(doc["counties"][0]) == {"county", "rank", "total", "weight_with_data", "weight_computed",
                                       "indicators"} | coverage
    assert set(doc["schools"][0]) == {"school", "county", "rank", "total", "weight_with_data", "weight_computed",
                                      "indicators"} | coverage
    assert set(doc["indicators"][0]) == {"key", "name", "target", "weight", "better", "unit", "method", "computed",
                                         "has_source", "source"}
    assert [i["key"] for i in doc["indicators"]] == ["timely_payment", "data_accuracy", "on_time_submission",
                                                    "extraction", "complaint_rate", "complaint_closure",
                                                    "loan_performance"]


def test_an_unreadable_complaint_row_is_exit_1(ws, run):
    write_register(ws / "complaints" / "台账.xlsx", [["T1", "不详", "东区", "甲校", "资金发放", "王某", None]])
    code, doc, _ = _json(run, ws)
    assert code == 1 and doc["problems"][0]["source"] == "complaints"


def test_a_bad_complaint_register_is_exit_2(ws, run, tmp_path):
    bad = tmp_path / "坏.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(bad)
    code, _, err = run("assess", "--year", "2011", "--workspace", ws, "--complaints", bad)
    assert code == 2 and "坏.xlsx" in err


def test_the_sample_workspace_after_the_payment_cycle(tmp_path, run):
    ws = tmp_path / "s"
    shutil.copytree(SAMPLES, ws, ignore=shutil.ignore_patterns("aidctl.db", "out"))
    run("disburse", "--term", "2011-autumn", "--workspace", ws)
    code, doc, err = _json(run, ws)
    assert code in (0, 1), err           # 1: the sample loan register has planted faulty contracts
    assert {c["county"] for c in doc["counties"]} == {"城关区", "东河县", "西山县"}
    assert doc["sources"]["finance"] and doc["sources"]["complaints"] and doc["sources"]["loans"]
    ranks = [c["rank"] for c in doc["counties"]]
    assert ranks == sorted(ranks)
    target = tmp_path / "a.xlsx"
    code, _, _ = run("assess", "--year", "2011", "--workspace", ws, "--report", target)
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(target).namelist()


def test_as_of_is_the_day_complaints_are_judged_by(ws, run):
    """--as-of: the complaint received 2011-09-05 and closed 2011-09-16 is, on 2011-09-10, neither
    closed nor overdue (15 working days): 办结率 has no complaint due, 无数据, not 0; by default
    the day is 31 December of the year, and a note says so."""
    _, doc, err = _json(run, ws)
    assert doc["as_of"] == "2011-12-31"
    said = "未指定 --as-of：按 2011-12-31 判断投诉办结、贷款履约，以及发放和报送期限是否已过（今天，或2011年12月31日如更早）"
    assert said in doc["notes"]   # a day nobody chose is said aloud
    closure = {s["school"]: s for s in doc["schools"]}["甲校"]["indicators"]["complaint_closure"]
    assert closure["value"] == "100.00%"
    code, doc, err = _json(run, ws, "--as-of", "2011-09-10")
    assert code == 0, err
    assert doc["as_of"] == "2011-09-10" and not [n for n in doc["notes"] if "--as-of" in n]
    closure = {s["school"]: s for s in doc["schools"]}["甲校"]["indicators"]["complaint_closure"]
    assert closure == {"value": None, "numerator": 0, "denominator": 0, "score": None, "meets": None}
    code, _, err = run("assess", "--year", "2011", "--workspace", ws, "--as-of", "2011/09/10")
    assert code == 2 and "--as-of" in err


# --- issue 16: unknown schools, coverage and the ranking, weights that do not make 100 ------------------

FINANCE = ["学校名称", "学校类型", "所属县区", "事业收入（元）", "提取金额（元）", "划入专户金额（元）", "发放金额（元）"]


def write_finance(path: Path, rows: list[list], headers: list[str] = FINANCE) -> Path:
    """A finance sheet under a title row (headers: 学校名称, 学校类型, 所属县区, 事业收入（元）, 提取金额,
    划入专户金额, 发放金额 unless given)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度校内资助资金提取情况"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_schools_unknown_to_the_ledger_and_schools_xlsx_do_not_crash_and_do_not_lead(ws, run):
    """A finance row for 丙校 and a complaint about 丁校, both with no county and unknown to the ledger
    (this was 内部错误 TypeError). 丙校 complies (income 1,000,000, 5% = 50,000 extracted, deposited,
    40,000 spent), so its only scored indicator is 提取达标 100%: total 100, but its coverage is 15 of
    the 50 points that apply (提取 10; 办结率 5, nothing due) = 30%, so it ranks below:
    甲校 11.25 + 8 + 5 + 10 + 0.02 + 5 = 39.27 over 50 → 78.54, coverage 100%, rank 1;
    乙校 15 + 10 + 0 + 5 = 30 over 35 → 85.71, coverage 40/50 = 80% (not in the finance sheet), rank 2."""
    write_finance(ws / "finance" / "财务.xlsx", [["甲校", "中职", "东区", 1000000, 50000, 50000, 40000],
                                              ["丙校", "中职", None, 1000000, 50000, 50000, 40000]])
    write_register(ws / "complaints" / "台账.xlsx", [["T1", D(2011, 9, 5), "东区", "甲校", "资金发放", "王某", D(2011, 9, 16)],
                                                   ["T2", D(2011, 10, 9), None, "丁校", "资金发放", "李某", None]])
    code, doc, err = _json(run, ws)
    assert code == 0, err
    schools = {s["school"]: s for s in doc["schools"]}
    assert (schools["甲校"]["total"], schools["甲校"]["coverage"], schools["甲校"]["rank"]) == ("78.54", "100.00%", 1)
    assert (schools["乙校"]["total"], schools["乙校"]["coverage"], schools["乙校"]["rank"]) == ("85.71", "80.00%", 2)
    assert schools["乙校"]["missing"] == ["extraction"] and schools["乙校"]["not_due"] == ["complaint_closure"]
    c = schools["丙校"]
    assert (c["total"], c["coverage"], c["weight_with_data"], c["weight_applicable"]) == ("100.00", "30.00%", "10.00",
                                                                                          "50.00")
    assert c["rank"] > 2 and c["county"] == "（县区不明）"
    assert [s["school"] for s in doc["schools"]][:2] == ["甲校", "乙校"]
    assert "丁校" in schools
    counties = {c["county"]: c for c in doc["counties"]}
    assert counties["（县区不明）"]["rank"] is None


def test_missing_data_never_lifts_a_county_to_the_top():
    """Coverage first, then the total: 80 with everything beats 100 on a quarter of the weights; equal
    coverage and total share a rank."""
    totals = [Fraction(100), Fraction(80), Fraction(80), None]
    coverage = [Fraction(1, 4), Fraction(1), Fraction(1), Fraction(0)]
    assert rank(totals, coverage) == [3, 1, 1, None]


def test_weights_that_do_not_make_100_are_refused(run, tmp_path):
    import yaml

    from aidctl.rulebook import packaged_rules_dir

    data = yaml.safe_load((packaged_rules_dir() / "assessment.yaml").read_text(encoding="utf-8"))
    data["indicators"]["timely_payment"]["weight"] = "30"              # 115 in all
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "assessment.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = run("rules", "check", "--workspace", tmp_path)
    assert code == 2 and "assessment.yaml" in err and "115" in err and "100" in err
    code, _, err = run("assess", "--year", "2011", "--workspace", tmp_path)
    assert code == 2 and "assessment.yaml" in err


# --- a school read one way (schools.xlsx by 学校代码, name or 别名); finance rows that cannot be counted ---

CODED = ["学校代码", "学校名称", "年度", *FINANCE[1:]]


def test_a_finance_row_is_its_school_by_code_or_alias_and_an_unregistered_one_is_said(ws, run):
    """schools.xlsx registers 甲校 (1001, 别名 甲职) and 乙校 (1002). The row written 1001 / 甲职 is
    甲校's and the row 乙校 (no code) is 乙校's: each complies, so 甲校 and 乙校 score 提取 100% and
    no school 甲职 appears with 甲校 shown as missing. 丁校 (code 9009) is in no register: it is scored
    under its name as written, and a note says so, naming its row."""
    write_schools(ws, [("1001", "甲校", "中职", "东区", "甲职"), ("1002", "乙校", "中职", "西区", None)])
    write_finance(ws / "finance" / "财务.xlsx", [["1001", "甲职", "2011", "中职", "东区", 1000000, 50000, 50000, 40000],
                                              [None, "乙校", "2011", "中职", "西区", 1000000, 50000, 50000, 40000],
                                              ["9009", "丁校", "2011", "中职", "西区", 1000000, 50000, 50000, 40000]],
                  CODED)
    code, doc, err = _json(run, ws)
    assert code == 0, err
    schools = {s["school"]: s for s in doc["schools"]}
    assert "甲职" not in schools
    for name in ("甲校", "乙校"):
        e = schools[name]["indicators"]["extraction"]
        assert (e["value"], e["numerator"], e["denominator"]) == ("100.00%", 1, 1)
        assert "extraction" not in schools[name]["missing"]
    assert schools["甲校"]["county"] == "东区"
    assert schools["丁校"]["indicators"]["extraction"]["value"] == "100.00%"
    [said] = [n for n in doc["notes"] if "丁校" in n]
    assert "不在 schools.xlsx 中" in said and "财务.xlsx第5行" in said


def test_finance_rows_audit_extraction_could_not_count_are_problems_and_their_schools_no_data(ws, run):
    """Rows audit-extraction does not count are problems (file, sheet, row, why) and exit 1: 甲校's
    年度 “11年” (row 3), and 1003 written with the name 乙校 (1003 is 丙校: row 5). 甲校 also has a
    readable, compliant 2011 row: its 提取达标率 is 无数据 (missing), not 100% as if the row 11年 were
    not there; so are 乙校's and 丙校's, either of which row 5 may be. Nothing is scored for 东区."""
    write_schools(ws)
    write_finance(ws / "finance" / "财务.xlsx", [["1001", "甲校", "11年", "中职", "东区", 1000000, 10000, 10000, 9000],
                                              ["1001", "甲校", "2011", "中职", "东区", 1000000, 50000, 50000, 40000],
                                              ["1003", "乙校", "2011", "中职", "西区", 1000000, 50000, 50000, 40000]],
                  CODED)
    code, doc, err = _json(run, ws)
    assert code == 1, err
    finance = [p for p in doc["problems"] if p["source"] == "finance"]
    assert [(p["file"], p["sheet"], p["row"]) for p in finance] == [("finance/财务.xlsx", "Sheet", 3),
                                                                     ("finance/财务.xlsx", "Sheet", 5)]
    assert "年度“11年”" in finance[0]["message"] and "学校代码" in finance[1]["message"]
    schools = {s["school"]: s for s in doc["schools"]}
    for name in ("甲校", "乙校", "丙校"):
        e = schools[name]["indicators"]["extraction"]
        assert e["value"] is None and "extraction" in schools[name]["missing"], name
    counties = {c["county"]: c for c in doc["counties"]}
    assert counties["东区"]["indicators"]["extraction"]["value"] is None
    assert any("财务报表有无法计入的行" in n and "东区" in n for n in doc["notes"])


def receipts(root: Path, rows: list[tuple]) -> None:
    """Receipts (term, sha256 as submit makes it: school + version, received_at, source)."""
    ledger = L.Ledger.for_workspace(root)
    with ledger.transaction() as conn:
        for term, digest, when, source in rows:
            conn.execute(insert(L.receipts).values(term=term, sha256=digest, file=f"intake/{term}/{digest}.xlsx",
                                                   received_at=when, source=source, recorded_at=when))


def test_on_time_submission_is_the_earliest_receipt_not_version_one(ws, run):
    """乙校's version 1 (as a ledger numbered by reading order has it) was received 10-20, its version
    2 on 10-12, before the deadline: on time. 甲校's only receipt is intake receive's time without --at:
    counted, and said."""
    receipts(ws, [("2011-autumn", "乙校1", "2011-10-20T09:00:00", "receive"),
                  ("2011-autumn", "乙校2", "2011-10-12T09:00:00", "receive"),
                  ("2011-autumn", "甲校1", "2011-10-10T09:00:00", "now")])
    code, doc, err = _json(run, ws)
    assert code == 0, err
    on_time = {s["school"]: s["indicators"]["on_time_submission"]["value"] for s in doc["schools"]}
    assert on_time == {"甲校": "100.00%", "乙校": "100.00%"}
    assert any(n.startswith("1 份首次报送的接收时间是 intake receive 未指定 --at") for n in doc["notes"]), doc["notes"]


def two_versions(tmp_path: Path, run, first_at: str, fixed_at: str) -> Path:
    """第一职业中学 sent a 初报 (4 records, one ID wrong) and a 修改版 (4 clean records), received at
    `first_at` and `fixed_at` (intake receive --at), then both checked by one validate run: the
    history has them with the same first_seen, as versions 1 and 2."""
    from test_disburse import BAD_ID

    root = tmp_path / "ws"
    root.mkdir()
    above = [["第一职业中学2011年秋季学期受助学生名单"], ["填报单位：第一职业中学"]]
    first = write_roster(tmp_path / "mail" / "第一职业中学_初报.xlsx",
                         [voc_row(1), voc_row(2, 身份证号码=BAD_ID), voc_row(3), voc_row(4)], above=above)
    fixed = write_roster(tmp_path / "mail" / "第一职业中学_修改版.xlsx", [voc_row(i) for i in range(5, 9)], above=above)
    for path, at in ((first, first_at), (fixed, fixed_at)):
        code, _, err = run("intake", "receive", path, "--term", "2011-autumn", "--at", at, "--workspace", root)
        assert code == 0, err
    run("validate", "--term", "2011-autumn", "--workspace", root)
    return root


def test_data_accuracy_is_the_first_receipt_alone_not_the_first_run(tmp_path, run):
    """The 初报 (received 10-10) and the 修改版 (10-14) were first read by the same run: 数据准确率 is
    the 初报's alone, 3/4 = 75.00% (not 7/8 = 87.50%, which the 修改版 would flatter it to)."""
    root = two_versions(tmp_path, run, "2011-10-10 09:00", "2011-10-14 09:00")
    code, doc, err = _json(run, root)
    assert code == 0, err
    [school] = doc["schools"]
    a = school["indicators"]["data_accuracy"]
    assert (a["value"], a["numerator"], a["denominator"]) == ("75.00%", 3, 4)
    assert not any("接收时间相同" in n for n in doc["notes"]), doc["notes"]


def test_data_accuracy_on_versions_received_at_the_same_time_is_said(tmp_path, run):
    """Both versions received at the same time: which was first is not known. The one intake show
    takes as first (same first reading, then file name: the 修改版) is counted, and a note names the
    school and both files."""
    root = two_versions(tmp_path, run, "2011-10-10 09:00", "2011-10-10 09:00")
    code, doc, err = _json(run, root)
    assert code == 0, err
    a = doc["schools"][0]["indicators"]["data_accuracy"]
    code, shown, _ = run("intake", "show", "--term", "2011-autumn", "--workspace", root, "--format", "json",
                         as_json=True)
    assert shown["schools"][0]["first"]["file"] == "intake/2011-autumn/第一职业中学_修改版.xlsx"
    assert (a["numerator"], a["denominator"]) == (4, 4)                     # the same version, alone
    [note] = [n for n in doc["notes"] if "接收时间相同" in n]
    assert note.startswith("2011-autumn 第一职业中学（按 intake/2011-autumn/第一职业中学_修改版.xlsx 计，同时接收的还有 "
                           "intake/2011-autumn/第一职业中学_初报.xlsx）"), note
