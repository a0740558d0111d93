"""Text that looks like a formula stays text everywhere (README, Output contract): every workbook
aidctl writes, from inputs whose names, schools, counties, classes and complaint texts begin with
= + - @, holds those values as text cells and not one formula; the only text files it writes are the
bank files (which must carry names exactly as the bank's template says) and SHA256SUMS."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES

TERM = ("--term", "2011-autumn")
PREFIXES = ("=", "+", "-", "@")
MARK = "公式"
# the columns of the sample inputs that hold free text, by the header as the sample writes it
FREE_TEXT = {"姓名", "学生姓名", "专业", "所学专业", "班级", "学校名称", "所属县区", "涉及县区", "被投诉学校",
             "投诉类别", "投诉人", "投诉内容", "处理结果", "借款人姓名", "学校", "共同借款人", "家庭住址"}
# a payee's name that begins with = + - @ is refused (name.invalid): only every third name is poisoned,
# so that the others are paid and every kind of workbook is written
NAMES = {"姓名", "学生姓名", "借款人姓名"}


def poison(path: Path, free_text: set[str] = FREE_TEXT) -> int:
    """Begin every free-text cell below the header with = + - @ in turn (stored as text, as a clerk's
    typed '=…' is); returns how many cells were changed."""
    wb = openpyxl.load_workbook(path)
    changed = 0
    for sheet in wb.worksheets:
        rows = list(sheet.iter_rows())
        header = next((i for i, r in enumerate(rows[:10]) if sum(c.value in free_text for c in r) >= 1
                       and sum(isinstance(c.value, str) for c in r) >= 4), None)
        if header is None:
            continue
        columns = [j for j, c in enumerate(rows[header]) if c.value in free_text]
        for i, r in enumerate(rows[header + 1:]):
            for j in columns:
                cell = r[j]
                if rows[header][j].value in NAMES and i % 3:
                    continue
                if isinstance(cell.value, str) and cell.value.strip() and not cell.value.startswith(("合计", "制表")):
                    cell.value = PREFIXES[changed % 4] + MARK + cell.value
                    cell.data_type = "s"   # text, as typed with a leading apostrophe
                    changed += 1
    wb.save(path)
    return changed


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """Every command that writes a workbook, run on the poisoned sample workspace."""
    from typer.testing import CliRunner

    from aidctl.cli.common import app

    tmp = tmp_path_factory.mktemp("formulas")
    ws = tmp / "ws"
    shutil.copytree(SAMPLES, ws, ignore=shutil.ignore_patterns("out", "aidctl.db", "*.py", "*.md", "inspection"))
    for path in ws.rglob("*.xlsx"):
        if "registry" not in path.parts:   # schools.xlsx: its counties (its names must still match the rosters')
            assert poison(path, {"所属县区"} if path.name == "schools.xlsx" else FREE_TEXT), path
    reports = tmp / "reports"
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, [*map(str, args), "--workspace", str(ws)])
        assert result.exit_code in (0, 1), (args, result.stderr)

    register = ws / "loans" / "生源地信用助学贷款台账.xlsx"
    run("validate", *TERM, "--report", reports / "审核.xlsx")
    run("disburse", *TERM)
    run("disburse", *TERM, "--bank", "ccb-xlsx")   # nothing new to pay: a second batch pays nobody
    run("report", *TERM)
    run("publish", *TERM, "--from", "2011-09-29")
    run("inspect", "sample", *TERM, "--seed", "1", "--per-school", "3")
    run("audit-extraction", "--report", reports / "提取.xlsx")
    run("complaints", "--year", "2011", "--as-of", "2011-12-31", "--report", reports / "投诉.xlsx")
    run("assess", "--year", "2011", "--as-of", "2011-12-31", "--report", reports / "考核.xlsx")
    run("loans", "check", register, "--report", reports / "台账检查.xlsx")
    run("loans", "summary", "--year", "2024", register, "--applications", ws / "loans" / "2024年度贷款申请受理清单.xlsx",
        "--report", reports / "贷款汇总.xlsx")
    run("loans", "collect", "--as-of", "2025-01-10", register)
    run("enlist", ws / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx", "--year", "2024", "--bank", "ccb-xlsx")
    run("enlist", ws / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx", "--year", "2024", "--out", tmp / "入伍文本")
    proposed = tmp / "proposed-rules"
    proposed.mkdir()
    rule = (SAMPLES.parent / "rules" / "programmes.yaml").read_text(encoding="utf-8")
    (proposed / "programmes.yaml").write_text(rule.replace('amount: {per_term: "750.00"}', 'amount: {per_term: "1000.00"}', 1),
                                              encoding="utf-8")
    run("rules", "diff", proposed, *TERM, "--report", reports / "测算.xlsx")
    return ws, reports, tmp


def written_workbooks(ws: Path, reports: Path, tmp: Path) -> list[Path]:
    return sorted([*(ws / "out").rglob("*.xlsx"), *reports.glob("*.xlsx"), *(tmp / "入伍文本").glob("*.xlsx")])


def test_every_workbook_holds_formula_like_text_as_text(cycle):
    ws, reports, tmp = cycle
    books = written_workbooks(ws, reports, tmp)
    kinds = {re.sub(r"[_\d].*", "", p.stem) for p in books}
    assert len(books) >= 14 and len(kinds) >= 10, books   # every kind of workbook aidctl writes
    without = []
    for path in books:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8")
                    assert not re.search(r"<f[ >]", xml), f"{path.name} {name} holds a formula"
        wb = openpyxl.load_workbook(path)
        texts = [c.value for s in wb.worksheets for r in s.iter_rows() for c in r
                 if c.data_type == "s" and isinstance(c.value, str) and MARK in c.value]
        assert all(c.data_type != "f" for s in wb.worksheets for r in s.iter_rows() for c in r), path.name
        # a sign-off sheet lists paid students only, and an enlistment bank file no free text but the payee's
        # name; a payee named = + - @… is refused (name.invalid): they can show no poisoned text, and are
        # still held to no formula above
        if not any(t.startswith(PREFIXES) for t in texts) and "抽查核对表" not in path.name \
                and not re.match(r"代发_.*_enlist-", path.name):
            without.append(path.name)
    assert not without, f"these workbooks showed no poisoned text, so the test proved nothing for them: {without}"


def test_the_only_text_files_are_bank_files_and_their_checksums(cycle):
    """aidctl writes no CSV or TXT but the bank files (exact names, as the bank's template says: not
    neutralised) and SHA256SUMS (a hash first on every line). A new text output must neutralise a
    leading = + - @ and be added here."""
    ws, reports, tmp = cycle
    written = [p for p in [*(ws / "out").rglob("*"), *(tmp / "入伍文本").rglob("*")]
               if p.is_file() and p.suffix.lower() != ".xlsx"]
    assert written
    for p in written:
        if p.name == "SHA256SUMS":
            lines = p.read_text(encoding="utf-8").splitlines()
            assert lines and all(re.fullmatch(r"[0-9a-f]{64}  \S.*", ln) for ln in lines), p
        else:
            assert p.name.startswith("代发_") and p.suffix == ".txt", p   # a bank file of a packaged profile


def test_a_policy_case_value_that_looks_like_a_formula_is_text(tmp_path):
    """rules check writes each case's record to a workbook: '=…' is written as the text it is, so the
    case judges that text: a name that begins with = is name.invalid (before, openpyxl made it a
    formula and the cell read as blank: name.missing)."""
    from conftest import make_card, make_id

    from aidctl.check import run_case
    from aidctl.read import Workspace
    from aidctl.rulebook import Case

    record = {"姓名": "=张三", "身份证号码": make_id(), "年级": "一年级", "户口性质": "农村", "学籍状态": "在籍",
              "资助项目": "中职国家助学金", "资助金额（元）": 750, "银行卡号": make_card()}
    case = Case.model_validate({"name": "以等号开头的姓名读作文字，按姓名不合格处理", "term": "2011-autumn",
                                "record": record, "expect": ["name.invalid"]})
    passed, got = run_case(case, Workspace(tmp_path))
    assert passed, got
