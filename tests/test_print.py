"""Every kind of workbook aidctl writes prints: rendered to PDF by LibreOffice where it is installed.

Where `soffice` is absent the rendering tests are skipped with a note (CI installs LibreOffice in
.ci/run). The print settings themselves are read back with openpyxl in every run."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, VOC_HEADERS, make_card, make_id, voc_row, write_roster

TERM = "2011-autumn"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                   "the PDF rendering is not checked here (CI installs it)")


def pdf_pages(path: Path) -> int:
    """Pages of a PDF: its /Type /Page objects (LibreOffice writes no object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def to_pdf(files: list[Path], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=600)
    return {f.name: out / (f.stem + ".pdf") for f in files}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, run_module):
    """The sample workspace through every command that writes a workbook."""
    root = tmp_path_factory.mktemp("print") / "ws"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db"))
    out = root / "out"
    run = run_module
    run("disburse", "--term", TERM, "--workspace", root)
    run("reconcile", root / "bank" / "回盘_工商银行_2011-autumn.txt", "--term", TERM, "--workspace", root)
    run("publish", "--term", TERM, "--from", "2011-09-29", "--workspace", root)
    run("report", "--term", TERM, "--workspace", root)
    run("validate", "--term", TERM, "--workspace", root, "--report", out / "审核结果.xlsx")
    run("audit-extraction", "--workspace", root, "--report", out / "提取审核.xlsx")
    run("complaints", "--year", "2011", "--workspace", root, "--report", out / "投诉统计.xlsx")
    run("assess", "--year", "2011", "--workspace", root, "--report", out / "量化考核.xlsx")
    run("enlist", root / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx", "--year", "2024", "--workspace", root)
    register = root / "loans" / "生源地信用助学贷款台账.xlsx"
    run("loans", "check", register, "--workspace", root, "--report", out / "台账检查.xlsx")
    run("loans", "summary", "--year", "2024", register, "--workspace", root, "--report", out / "贷款汇总.xlsx")
    run("loans", "collect", "--as-of", "2025-01-10", register, "--workspace", root)
    run("inspect", "sample", "--term", TERM, "--seed", "2011", "--per-school", "3", "--workspace", root)
    run("rules", "diff", proposed_rules(root.parent), "--term", TERM, "--workspace", root, "--report", out / "测算.xlsx")
    return root


def proposed_rules(folder: Path) -> Path:
    """programmes.yaml with 中职国家助学金 at 1000.00 a term from 2007 (rules diff changes every 中职 payee)."""
    target = folder / "proposed-rules"
    target.mkdir(exist_ok=True)
    text = (SAMPLES.parent / "rules" / "programmes.yaml").read_text(encoding="utf-8")
    old = '      - from: 2007-09-01\n        amount: {per_term: "750.00"}'
    assert text.count(old) == 1
    (target / "programmes.yaml").write_text(text.replace(old, old.replace("750.00", "1000.00")), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def run_module():
    from typer.testing import CliRunner

    from aidctl.cli.common import app

    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exit_code in (0, 1), (args, result.output, result.exception)
        return result

    return invoke


KINDS = {"validate": "审核结果.xlsx", "发放审核": "发放审核_*.xlsx", "extraction": "提取审核.xlsx",
         "term report": "资助情况报告_*.xlsx", "公示": "公示/*公示.xlsx", "内部": "内部/*.xlsx",
         "complaints": "投诉统计.xlsx", "assess": "量化考核.xlsx", "enlist": "应征入伍学费补偿审核_*.xlsx",
         "loans check": "台账检查.xlsx", "loans summary": "贷款汇总.xlsx", "loans collect": "生源地贷款逾期催收名单_*.xlsx",
         "inspection": "检查/*.xlsx", "退回修改": "退回修改/*.xlsx", "rules diff": "测算.xlsx"}


def one_of_each(root: Path) -> dict[str, Path]:
    found = {}
    for kind, pattern in KINDS.items():
        hits = sorted((root / "out").rglob(pattern))
        assert hits, (kind, pattern)
        found[kind] = hits[0]
    return found


def test_every_kind_prints_on_a4_one_page_wide_with_numbers_as_numbers(cycle):
    for kind, path in one_of_each(cycle).items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or kind == "退回修改" and ws.title != "退回修改说明":
                continue  # the school's own sheets are the school's
            assert ws.page_setup.paperSize == 9, (kind, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), (kind, ws.title)
    # money and rates are numbers, with two decimals and thousands separators
    money = {"发放审核": ("汇总", "D"), "extraction": ("县区汇总", "D"), "term report": ("按县区", "F")}
    found = one_of_each(cycle)
    for kind, (sheet, col) in money.items():
        ws = openpyxl.load_workbook(found[kind])[sheet]
        cells = [c for c in ws[col] if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
        assert cells and all(c.number_format == "#,##0.00" for c in cells), kind
    rates = openpyxl.load_workbook(found["complaints"])["县区汇总"]
    assert any(isinstance(c.value, float) and c.number_format == "0.00%" for row in rates.iter_rows() for c in row)
    scores = openpyxl.load_workbook(found["assess"])["县区得分"]
    assert any(isinstance(c.value, float) and c.number_format == "0.00" for row in scores.iter_rows() for c in row)


def test_no_internal_workbook_holds_a_full_id_or_card(cycle):
    long_number = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ -]?[0-9]){14,}")
    for kind, path in one_of_each(cycle).items():
        if kind == "退回修改":
            continue  # the school's own file, going back to the school: not masked (README)
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    assert not (isinstance(v, str) and long_number.search(v)), (kind, ws.title, v)


def test_the_term_report_footer_prints_the_year(cycle):
    path = next((cycle / "out").rglob("资助情况报告_*.xlsx"))
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    footers = [m for s in sheets for m in re.findall(r"<oddFooter>(.*?)</oddFooter>", s)]
    assert footers and not any(re.search(r"&amp;\d{2,}年|&\d{2,}年", f) for f in footers)
    assert any("&amp;8 2011年秋季学期" in f for f in footers)


@needs_soffice
def test_each_kind_renders_to_pdf(cycle, tmp_path):
    found = one_of_each(cycle)
    pdfs = to_pdf(list(found.values()), tmp_path / "pdf")
    for kind, path in found.items():
        pdf = pdfs[path.name]
        assert pdf.is_file() and pdf_pages(pdf) >= 1, kind
    # the sample 公示 list (8 students) prints on exactly one page, with its footer and stamp line
    public = next((cycle / "out" / TERM / "公示").glob("第一职业中学_*.xlsx"))
    assert pdf_pages(pdfs.get(public.name) or to_pdf([public], tmp_path / "one")[public.name]) == 1


@needs_soffice
def test_a_long_公示_list_breaks_into_pages_with_its_headings(tmp_path, run):
    rows = [voc_row(i, 身份证号码=make_id(seq=100 + 2 * i), 银行卡号=make_card(seed=i)) for i in range(1, 121)]
    write_roster(tmp_path / "intake" / TERM / "a.xlsx", rows, VOC_HEADERS,
                 above=[["第一职业中学2011年秋季学期受助学生名单"]])
    code, doc, err = run("publish", "--term", TERM, "--from", "2011-09-29", "--workspace", tmp_path, "--format", "json",
                         as_json=True)
    public = tmp_path / doc["schools"][0]["public_file"]
    pages = pdf_pages(to_pdf([public], tmp_path / "pdf")[public.name])
    # 120 rows of about 18 points under a repeated heading: 4 A4 landscape pages, never 1 squeezed page
    assert 3 <= pages <= 5, pages
    assert openpyxl.load_workbook(public).active.print_title_rows == "$3:$3"


def test_bulk_rows_read_back_as_written_shared_and_inline(tmp_path, monkeypatch):
    """Sheet.bulk_table (a term's payments): a column of few distinct values goes to the shared
    strings, a column of many stays inline; both read back exactly, escaped, masked and blank where
    the value is missing, and the shared-string counts add up (Excel refuses a table that lies).
    The rows are compressed at level 1 (zlib's default, 6, took twice the time at 500,000 rows)."""
    import zlib

    import pandas as pd

    levels = []
    real = zlib.compressobj
    monkeypatch.setattr(zipfile.zlib, "compressobj", lambda level, *a: levels.append(level) or real(level, *a))

    from aidctl.core.xlsx import Book

    n = 240
    ident = make_id(seq=7)
    school = pd.Series(["第一职业中学", "A&B<职校>\x02", None, f"备注{ident}"] * (n // 4), dtype="string")
    name = pd.Series([f"学生{i}\x01" if i % 7 else f" 学生{i}" for i in range(n)], dtype="string")
    amount = pd.Series(["750.00", "1500.5", None, "0"] * (n // 4), dtype="string")
    path = tmp_path / "bulk.xlsx"
    wb = Book(path, title="测试")
    sheet = wb.add_worksheet("本次发放")
    for j, head in enumerate(["学校", "姓名", "金额"]):
        sheet.write_string(0, j, head, wb.fmt["head"])
    sheet.write_string(0, 3, "学校", wb.fmt["head"])   # a header text the bulk column shares
    end = sheet.bulk_table(1, [("text", wb.fmt["cell"]), ("text", wb.fmt["cell"]), ("number", wb.fmt["money"])],
                           {0: school, 1: name, 2: amount})
    assert end == n + 1
    wb.close()
    assert 1 in levels
    masked = ident[:6] + "*" * 8 + ident[-4:]
    want_school = ["第一职业中学", "A&B<职校>", None, f"备注{masked}"] * (n // 4)
    rows = list(openpyxl.load_workbook(path)["本次发放"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == want_school
    assert [r[1] for r in rows] == [f"学生{i}" if i % 7 else f" 学生{i}" for i in range(n)]
    assert [r[2] for r in rows] == [750, 1500.5, None, 0] * (n // 4)
    with zipfile.ZipFile(path) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    unique = re.findall(r"<si>", sst)
    count, unique_count = map(int, re.search(r'count="(\d+)" uniqueCount="(\d+)"', sst).groups())
    assert unique_count == len(unique) == 6          # 3 heads (学校 once) + 3 distinct schools
    assert count == len(re.findall(r't="s"', xml)) == 4 + n * 3 // 4
    assert "A&amp;B&lt;职校&gt;" in sst and ident not in sst and "inlineStr" in xml   # names stay inline
