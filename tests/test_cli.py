"""The command contract (README, Output contract): exit codes, the JSON document, the Excel report, help, init, rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import typer.main
import yaml
from conftest import SAMPLES, VOC_HEADERS, make_card, make_id, voc_row, write_roster
from typer.testing import CliRunner

from aidctl.cli.common import app
from aidctl.core.findings import CATALOGUE
from aidctl.rulebook import load_cases, packaged_rules_dir

PYTHON = Path(sys.executable)
TOP_KEYS = {"version", "term", "files", "summary", "findings", "notes"}
FINDING_KEYS = {"file", "sheet", "row", "column", "code", "severity", "message", "value"}
TITLE = [["第一职业中学2011年秋季学期中职国家助学金发放花名册"], ["填报单位：第一职业中学"]]


def clean(path: Path, n: int = 3) -> Path:
    return write_roster(path, [voc_row(i) for i in range(1, n + 1)], VOC_HEADERS, above=TITLE)


def with_errors(path: Path) -> Path:
    """One id.checksum (error), one card.luhn (warning) and one missing column (row null) elsewhere."""
    good = make_id(seq=140)
    card = make_card(seed=3)
    rows = [voc_row(1), voc_row(2, 身份证号码=good[:-1] + ("0" if good[-1] != "0" else "1")),
            voc_row(3, 银行卡号=card[:-1] + str((int(card[-1]) + 1) % 10))]
    return write_roster(path, rows, VOC_HEADERS, above=TITLE)


# --- exit codes ------------------------------------------------------------------------------------

def test_exit_0_on_clean_roster(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", "--term", "2011-autumn")
    assert code == 0, err
    assert "没有错误" in out


def test_exit_0_with_warnings_only(tmp_path, run):
    card = make_card(seed=3)
    write_roster(tmp_path / "a.xlsx", [voc_row(1, 银行卡号=card[:-1] + str((int(card[-1]) + 1) % 10))],
                 VOC_HEADERS, above=TITLE)
    code, doc, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--format", "json", as_json=True)
    assert code == 0
    assert doc["summary"]["warnings"] == 1 and doc["summary"]["errors"] == 0


def test_exit_1_on_data_errors(tmp_path, run):
    with_errors(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", "--term", "2011-autumn")
    assert code == 1
    assert "id.checksum" in out


@pytest.mark.parametrize("args, names", [
    (["validate", "missing.xlsx", "--term", "2011-autumn"], "missing.xlsx"),
    (["validate", "a.xlsx", "--term", "2011-fall"], "2011-fall"),
    (["validate", "notes.xlsx", "--term", "2011-autumn"], "notes.xlsx"),
    (["validate", "broken.xlsx", "--term", "2011-autumn"], "broken.xlsx"),
    (["validate"], "--term"),
])
def test_exit_2_when_the_command_cannot_run(tmp_path, run, args, names):
    clean(tmp_path / "a.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["这个文件没有花名册"])
    wb.save(tmp_path / "notes.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip at all")
    code, out, err = run(*args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert names in lines[0]
    assert "Traceback" not in err and out == ""



@pytest.mark.parametrize("season", ["fall", "Autumn", "秋", ""])
def test_a_term_of_a_season_not_known_is_never_made(season):
    """--term, file names and titles reach a Term only as spring or autumn (Term.parse, find_term,
    terms.yaml's words): a Term made of any other season is refused, naming it, before it could sort
    or start on no date."""
    from aidctl.core.errors import UsageError
    from aidctl.core.terms import Term

    with pytest.raises(UsageError, match=f"学期“{season}”无法识别：应为 spring 或 autumn"):
        Term(2011, season)

def test_exit_2_on_bad_option(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", "--format", "xml")
    assert code == 2


def test_exit_2_on_bad_rule_file(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ages.yaml").write_text("description: x\nsource: y\nby_school_type: {中职: {min: a}}\n",
                                                  encoding="utf-8")
    code, out, err = run("validate", "a.xlsx", "--term", "2011-autumn")
    assert code == 2
    assert "ages.yaml" in err and "Traceback" not in err


# --- the JSON document -----------------------------------------------------------------------------

def test_json_shape_exactly_as_documented(tmp_path, run):
    (tmp_path / "intake").mkdir()
    with_errors(tmp_path / "intake" / "a.xlsx")
    no_card = [h for h in VOC_HEADERS if h != "银行卡号"]
    write_roster(tmp_path / "b.xlsx", [voc_row(9)], no_card, above=[["填报单位：城关职业技术学校"]])
    code, doc, err = run("validate", "intake/a.xlsx", "b.xlsx", "--term", "2011-autumn", "--format", "json",
                         as_json=True)
    assert code == 1
    assert set(doc) == TOP_KEYS
    assert doc["version"] == 1
    assert doc["term"] == "2011-autumn"
    assert doc["files"] == [
        {"file": "intake/a.xlsx", "sheet": "Sheet1", "header_row": 3, "records": 3, "dropped": {}, "hidden_rows": 0,
         "hidden_sheets": [], "struck_rows": 0},
        {"file": "b.xlsx", "sheet": "Sheet1", "header_row": 2, "records": 1, "dropped": {}, "hidden_rows": 0,
         "hidden_sheets": [], "struck_rows": 0},
    ]
    assert doc["notes"] == []
    assert doc["summary"] == {"records": 4, "errors": 2, "warnings": 1}
    assert doc["findings"]
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["file"] in ("intake/a.xlsx", "b.xlsx")   # exactly as given on the command line
        assert f["row"] is None or type(f["row"]) is int
        assert f["severity"] in ("error", "warning")
        assert f["code"] in CATALOGUE
        assert isinstance(f["message"], str) and f["message"]
    by_code = {f["code"]: f for f in doc["findings"]}
    assert by_code["id.checksum"]["row"] == 5 and by_code["id.checksum"]["file"] == "intake/a.xlsx"
    assert by_code["card.luhn"]["row"] == 6
    assert by_code["schema.missing_column"]["row"] is None
    assert by_code["schema.missing_column"]["file"] == "b.xlsx"
    assert by_code["schema.missing_column"]["column"] == "银行卡号"


def test_json_of_many_findings_is_the_same_document(tmp_path, run, monkeypatch):
    """Beyond a few thousand findings (a term paid already has one a record) the findings go to the
    JSON as a frame, encoded with Arrow: the document is the same, whole-file findings' null row,
    numbers as numbers and missing values as null included."""
    from aidctl.core import jsonout

    (tmp_path / "intake").mkdir()
    with_errors(tmp_path / "intake" / "a.xlsx")
    no_card = [h for h in VOC_HEADERS if h != "银行卡号"]
    write_roster(tmp_path / "b.xlsx", [voc_row(9), voc_row(10, 年级=3)], no_card, above=[["填报单位：城关职业技术学校"]])
    args = ("validate", "intake/a.xlsx", "b.xlsx", "--term", "2011-autumn", "--format", "json")
    code, few, err = run(*args)
    monkeypatch.setattr(jsonout, "INDENT_MAX_ITEMS", 0)   # as if there were thousands of findings
    code_many, many, err = run(*args)
    assert code == code_many == 1
    assert "\n" in few.strip() and "\n" not in many.strip()   # indented, then one line through the frame
    assert json.loads(many) == json.loads(few)
    codes = {f["code"]: f for f in json.loads(many)["findings"]}
    assert codes["schema.missing_column"]["row"] is None and type(codes["id.checksum"]["row"]) is int
    assert any(f["value"] is None for f in codes.values()) and any(isinstance(f["value"], str) for f in codes.values())


def test_json_values_are_text_or_null(tmp_path, run):
    """`value` is what the clerk sees in the cell: a string (or null), never a bare number."""
    rows = [voc_row(1, 身份证号码=make_id(birth="19800101", seq=5)),      # age.out_of_range
            voc_row(2, **{"资助金额（元）": 800}),                          # amount.mismatch (number cell)
            voc_row(3, 年级=3, 银行卡号=None)]                             # not_eligible (number), card.missing
    write_roster(tmp_path / "a.xlsx", rows, VOC_HEADERS, above=TITLE)
    code, doc, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--format", "json", as_json=True)
    assert {f["code"] for f in doc["findings"]} >= {"age.out_of_range", "amount.mismatch",
                                                    "eligibility.not_eligible", "card.missing"}
    for f in doc["findings"]:
        assert f["value"] is None or isinstance(f["value"], str), f


def test_json_file_is_the_path_as_given_even_absolute(tmp_path, run):
    path = clean(tmp_path / "a.xlsx")
    code, doc, err = run("validate", str(path), "--term", "2011-autumn", "--format", "json", as_json=True)
    assert doc["files"][0]["file"] == str(path)


def test_json_stdout_is_one_document_and_nothing_else(tmp_path):
    """As a cron job sees it: a real process, stdout and stderr apart."""
    with_errors(tmp_path / "a.xlsx")
    proc = subprocess.run([str(PYTHON), "-m", "aidctl", "validate", "a.xlsx", "--term", "2011-autumn",
                           "--format", "json"], cwd=tmp_path, capture_output=True, text=True,
                          encoding="utf-8", env={**os.environ, "AIDCTL_WORKSPACE": str(tmp_path)})
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)   # the whole of stdout parses: no progress or log lines mixed in
    assert set(doc) == TOP_KEYS
    assert len(doc["findings"]) == 2


def test_json_for_clean_roster_has_empty_findings(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    code, doc, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--format", "json", as_json=True)
    assert code == 0
    assert doc["findings"] == [] and doc["summary"] == {"records": 3, "errors": 0, "warnings": 0}


# --- the Excel report ------------------------------------------------------------------------------

def test_report_workbook(tmp_path, run):
    with_errors(tmp_path / "a.xlsx")
    code, doc, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--format", "json",
                         "--report", "out/审核结果.xlsx", as_json=True)
    assert code == 1
    target = tmp_path / "out" / "审核结果.xlsx"
    assert target.is_file()
    assert not list(tmp_path.rglob("*.part"))
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["汇总", "问题清单"]
    sheet = wb["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    for word in ("文件", "工作表", "行号", "列", "问题代码", "严重程度", "说明"):
        assert word in header
    body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    assert len(body) == len(doc["findings"])
    col = {h: i for i, h in enumerate(header)}
    got = {(r[col["文件"]], r[col["行号"]], r[col["问题代码"]]) for r in body}
    assert got == {(f["file"], f["row"], f["code"]) for f in doc["findings"]}
    assert sheet.auto_filter.ref, "the findings sheet has no autofilter"
    assert sheet.auto_filter.ref.startswith("A1:")
    summary_text = " ".join(str(v) for r in wb["汇总"].iter_rows(values_only=True) for v in r if v is not None)
    assert "2011-autumn" in summary_text and "a.xlsx" in summary_text


def test_report_on_clean_roster_and_table_output(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--report", "r.xlsx")
    assert code == 0
    assert "r.xlsx" in out
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["问题清单"].max_row == 1 or not any(
        any(v not in (None, "") for v in r) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert not list(tmp_path.rglob("*.part"))


def test_report_that_cannot_be_written_is_exit_2(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    (tmp_path / "taken").mkdir()
    code, out, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--report", "taken")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "taken" in lines[0] and "内部错误" not in lines[0], err
    assert not list(tmp_path.rglob("*.part"))


# --- the term --------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, term", [("第一职业中学2011年秋季学期中职国家助学金发放花名册", "2011-autumn"),
                                         ("第一职业中学2012年春季学期中职国家助学金发放花名册", "2012-spring")])
def test_term_inferred_from_title_row(tmp_path, run, title, term):
    write_roster(tmp_path / "a.xlsx", [voc_row(1)], VOC_HEADERS, above=[[title], ["填报单位：第一职业中学"]])
    code, doc, err = run("validate", "a.xlsx", "--format", "json", as_json=True)
    assert doc["term"] == term


def test_term_from_option_wins(tmp_path, run):
    clean(tmp_path / "a.xlsx")
    code, doc, err = run("validate", "a.xlsx", "--term", "2012-spring", "--format", "json", as_json=True)
    assert doc["term"] == "2012-spring"


def test_validate_without_files_reads_the_intake_folder(tmp_path, run):
    # on a copy: validating a workspace's own intake records it in the workspace's ledger
    shutil.copytree(SAMPLES, tmp_path / "samples",
                    ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    code, doc, err = run("validate", "--term", "2011-autumn", "--workspace", str(tmp_path / "samples"),
                         "--format", "json", as_json=True)
    assert code == 1, err
    expected = sorted(p.name for p in (SAMPLES / "intake" / "2011-autumn").glob("*.xlsx"))
    assert sorted(Path(f["file"]).name for f in doc["files"]) == expected
    # no command-line name to echo: files the workspace supplied are named relative to it
    assert sorted(f["file"] for f in doc["files"]) == [f"intake/2011-autumn/{n}" for n in expected]
    assert {f["file"] for f in doc["findings"]} <= {f["file"] for f in doc["files"]}
    assert doc["term"] == "2011-autumn"


def test_validate_without_files_in_empty_intake_is_exit_2(tmp_path, run):
    (tmp_path / "intake" / "2011-autumn").mkdir(parents=True)
    code, out, err = run("validate", "--term", "2011-autumn")
    assert code == 2
    assert "intake" in err


# --- rules show / rules check / codes --------------------------------------------------------------

def rules_show(run, term: str) -> dict:
    code, doc, err = run("rules", "show", "--term", term, "--format", "json", as_json=True)
    assert code == 0, err
    return {p["programme"]: p for p in doc["programmes"]} | {"_doc": doc}


def test_rules_show_2011_autumn(run):
    progs = rules_show(run, "2011-autumn")
    assert progs["_doc"]["version"] == 1 and progs["_doc"]["term"] == "2011-autumn"
    assert progs["_doc"]["term_start"] == "2011-09-01"
    voc = progs["中职国家助学金"]
    assert voc["in_force"] is True
    assert voc["amount"] == {"per_term": "750.00"}
    assert "国发〔2007〕13号" in voc["source"]
    assert voc["file"].endswith("programmes.yaml")
    assert "一、二年级" in voc["conditions"]
    hs = progs["普高国家助学金"]
    assert hs["amount"]["tiers"] == {"一档": "1000.00", "二档": "750.00", "三档": "500.00"}
    assert hs["source"]
    assert progs["学前教育资助"]["in_force"] is True


def test_rules_show_2015_spring_and_not_in_force(run):
    assert rules_show(run, "2015-spring")["中职国家助学金"]["amount"] == {"per_term": "1000.00"}
    assert rules_show(run, "2010-autumn")["学前教育资助"]["in_force"] is False


@pytest.mark.parametrize("term, loan_caps, spread, enlist_caps, source", [
    ("2022-autumn", {"本专科": "12000.00", "研究生": "16000.00"}, -30, {"本专科": "12000.00", "研究生": "16000.00"},
     "财教〔2021〕310号"),
    ("2023-autumn", {"本专科": "16000.00", "研究生": "20000.00"}, -60, {"本专科": "16000.00", "研究生": "20000.00"},
     "教财〔2023〕4号"),
    ("2024-autumn", {"本专科": "20000.00", "研究生": "25000.00"}, -70, {"本专科": "20000.00", "研究生": "25000.00"},
     "财教〔2024〕188号"),
    ("2013-autumn", {"本专科": "6000.00", "研究生": "6000.00"}, 0,
     {"本专科": "6000.00", "硕士研究生": "8000.00", "博士研究生": "10000.00"}, "财教〔2013〕236号"),
])
def test_rules_show_the_loan_and_enlistment_periods_with_their_sources(run, term, loan_caps, spread, enlist_caps,
                                                                      source):
    doc = rules_show(run, term)["_doc"]
    loans, enlist = doc["loans"], doc["enlistment"]
    assert loans["loan_year"] == int(term[:4]) and loans["caps"] == loan_caps and loans["caps_source"]
    assert loans["pricing"]["spread_bp"] == spread and loans["pricing"]["source"]
    assert enlist["per_year"] == enlist_caps and source in enlist["source"]
    code, out, _ = run("rules", "show", "--term", term)
    assert code == 0 and "生源地信用助学贷款" in out and "应征入伍" in out and next(iter(enlist_caps.values())) in out


def test_rules_show_the_third_year_internship_period(run):
    fee = rules_show(run, "2010-autumn")["中职免学费"]
    assert fee["from"] == "2009-09-01" and fee["until"] == "2012-08-31"
    assert any("顶岗实习困难专业" in c for c in fee["conditions"]) and "工作要点" in fee["source"]
    assert not any("顶岗实习" in c for c in rules_show(run, "2012-autumn")["中职免学费"]["conditions"])


def test_rules_show_table(run):
    code, out, err = run("rules", "show", "--term", "2011-autumn")
    assert code == 0
    assert "中职国家助学金" in out and "750.00" in out


def test_rules_show_names_workspace_override(tmp_path, run):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ages.yaml").write_text((packaged_rules_dir() / "ages.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    doc = rules_show(run, "2011-autumn")["_doc"]
    origins = {f["file"]: f["origin"] for f in doc["files"]}
    assert origins["ages.yaml"] == "workspace" and origins["programmes.yaml"] == "packaged"


def test_rules_check_packaged(run):
    code, doc, err = run("rules", "check", "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["version"] == 1 and doc["ok"] is True
    assert {f["file"] for f in doc["files"]} >= {"programmes.yaml", "columns.yaml", "vocabulary.yaml"}
    packaged_cases = sum(len(load_cases(p)) for p in (packaged_rules_dir() / "tests").glob("*.yaml"))
    assert len(doc["cases"]) == packaged_cases
    assert all(c["passed"] for c in doc["cases"])


def _case_file(tmp_path: Path, expect: list[str]) -> None:
    record = dict(voc_row(1, 年级="三年级").items())
    cases = {"description": "本地案例", "cases": [{"name": "三年级学生不符合中职国家助学金", "term": "2011-autumn",
                                                "title": "填报单位：第一职业中学", "record": record,
                                                "expect": expect}]}
    folder = tmp_path / "rules" / "tests"
    folder.mkdir(parents=True)
    (folder / "local.yaml").write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")


def test_rules_check_runs_workspace_cases(tmp_path, run):
    _case_file(tmp_path, ["eligibility.not_eligible"])
    code, doc, err = run("rules", "check", "--format", "json", as_json=True)
    assert code == 0, err
    mine = [c for c in doc["cases"] if c["file"] == "local.yaml"]
    assert len(mine) == 1 and mine[0]["passed"]
    assert mine[0]["got"] == ["eligibility.not_eligible"]


def test_rules_check_fails_on_a_failing_case(tmp_path, run):
    _case_file(tmp_path, [])
    code, doc, err = run("rules", "check", "--format", "json", as_json=True)
    assert code == 1
    assert doc["ok"] is False
    code, out, err = run("rules", "check")
    assert code == 1 and "未通过" in out


def test_rules_check_exit_2_on_bad_yaml(tmp_path, run):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "programmes.yaml").write_text("programmes: [unclosed\n", encoding="utf-8")
    code, out, err = run("rules", "check")
    assert code == 2
    assert "programmes.yaml" in err and "Traceback" not in err


def test_a_broken_bank_profile_stops_rules_check_and_disburse_but_not_validate(tmp_path, run):
    import shutil

    shutil.copytree(SAMPLES / "intake", tmp_path / "intake")
    (tmp_path / "rules" / "banks").mkdir(parents=True)
    (tmp_path / "rules" / "banks" / "icbc-txt.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    code, out, err = run("rules", "check")
    assert code == 2 and "icbc-txt.yaml" in err and "Traceback" not in err
    code, out, err = run("disburse", "--term", "2011-autumn", "--dry-run")
    assert code == 2 and "icbc-txt.yaml" in err
    code, out, err = run("validate", "--term", "2011-autumn")  # bank files are for paying, not checking
    assert code == 1 and "Traceback" not in err


def test_codes_json_lists_the_catalogue(run):
    code, doc, err = run("codes", "--format", "json", as_json=True)
    assert code == 0
    assert doc["version"] == 1
    assert [c["code"] for c in doc["codes"]] == list(CATALOGUE)
    for c in doc["codes"]:
        assert c["severity"] == CATALOGUE[c["code"]].severity
        assert c["title"]


def test_codes_table(run):
    code, out, err = run("codes")
    assert code == 0
    for c in CATALOGUE:
        assert c in out


# --- help ------------------------------------------------------------------------------------------

def _commands(group, path=()):
    """Every command and sub-command registered on the Typer app, with the words that invoke it."""
    for name, cmd in group.commands.items():
        yield path + (name,), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path + (name,))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_walk_finds_the_commands():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"validate", "codes", "init", "rules", "rules check", "rules show"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    cmd = dict(COMMANDS)[path]
    assert (cmd.help or "").strip(), f"aidctl {' '.join(path)} has no help text"
    assert "示例" in result.output, f"aidctl {' '.join(path)} --help shows no example (示例)"
    assert f"aidctl {' '.join(path)}" in result.output


def test_top_level_help(run):
    code, out, err = run("--help")
    assert code == 0
    for name in ("validate", "rules", "codes", "init"):
        assert name in out


def test_python_dash_m_help(tmp_path):
    proc = subprocess.run([str(PYTHON), "-m", "aidctl", "--help"], cwd=tmp_path, capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert "validate" in proc.stdout


def test_version(run):
    code, out, err = run("--version")
    assert code == 0 and out.startswith("aidctl ")


# --- init ------------------------------------------------------------------------------------------

def test_init_makes_a_workspace(tmp_path, run):
    code, out, err = run("init", "ws")
    assert code == 0, err
    root = tmp_path / "ws"
    for sub in ("intake", "out", "rules"):
        assert (root / sub).is_dir()
    assert (root / "aidctl.toml").is_file()
    # the new workspace works: its settings parse and the packaged rules apply
    code, doc, err = run("rules", "show", "--term", "2011-autumn", "--workspace", "ws", "--format", "json",
                         as_json=True)
    assert code == 0, err


def test_init_does_not_overwrite_settings(tmp_path, run):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "aidctl.toml").write_text('operator = "资助中心 李四"\n', encoding="utf-8")
    code, out, err = run("init", "ws")
    assert code == 0, err
    assert (root / "aidctl.toml").read_text(encoding="utf-8") == 'operator = "资助中心 李四"\n'
    assert (root / "intake").is_dir() and (root / "out").is_dir() and (root / "rules").is_dir()
    code, out, err = run("init", "ws")   # again: nothing to do, still fine
    assert code == 0


def test_init_json(tmp_path, run):
    code, doc, err = run("init", "ws", "--format", "json", as_json=True)
    assert code == 0 and doc["version"] == 1
    assert any(p.endswith("aidctl.toml") for p in doc["created"])


def test_workspace_from_environment(tmp_path, run, monkeypatch):
    clean(tmp_path / "a.xlsx")
    ws = tmp_path / "elsewhere"
    (ws / "rules").mkdir(parents=True)
    sev = yaml.safe_load((packaged_rules_dir() / "severities.yaml").read_text(encoding="utf-8"))
    sev["overrides"] = {"gender.mismatch": "error"}
    (ws / "rules" / "severities.yaml").write_text(yaml.safe_dump(sev, allow_unicode=True), encoding="utf-8")
    write_roster(tmp_path / "g.xlsx", [voc_row(1, 性别="女")], VOC_HEADERS, above=TITLE)
    monkeypatch.setenv("AIDCTL_WORKSPACE", str(ws))
    code, doc, err = run("validate", "g.xlsx", "--term", "2011-autumn", "--format", "json", as_json=True)
    assert code == 1
    assert doc["findings"][0]["severity"] == "error"


def test_rules_show_includes_extraction_rates_quotas_and_the_submission_deadline(run):
    code, doc, err = run("rules", "show", "--term", "2011-autumn", "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["extraction"]["中职"]["min_rate"] == "0.05" and doc["extraction"]["普高"]["max_rate"] == "0.05"
    assert doc["extraction"]["普高"]["min_rate"] == "0.03" and "source" in doc["extraction"]["普高"]
    assert doc["quotas"] == {"普高": "20"} and doc["submission_deadline"] == "2011-10-15"
    code, out, err = run("rules", "show", "--term", "2011-autumn")
    assert "中职 5%" in out and "普高 3%—5%" in out and "2011-10-15" in out
