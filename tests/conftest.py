"""Shared helpers: write rosters the way schools do, run the CLI, make valid IDs and cards."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from aidctl.cli.common import app

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(birth: str = "19950312", area: str = "420102", seq: int = 123, male: bool = True) -> str:
    """A valid 18-character resident ID (the sequence's last digit sets the gender)."""
    seq = seq - seq % 2 + (1 if male else 0)
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def make_card(prefix: str = "622202", length: int = 19, seed: int = 1) -> str:
    """A Luhn-valid card number."""
    rnd = random.Random(seed)
    body = prefix + "".join(rnd.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


VOC_HEADERS = ["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目", "资助金额（元）", "银行卡号"]


def hanzi(i: int) -> str:
    """A number as hanzi digits (12 → 一二): a name holding a digit is name.invalid."""
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(i))


def voc_row(i: int, **over) -> dict:
    """A clean, eligible 中职国家助学金 record for 2011-autumn (override any header), named 学生一,
    学生二 … (学生1 is no name)."""
    row = {"序号": i, "姓名": f"学生{hanzi(i)}", "性别": "男", "身份证号码": make_id(seq=100 + 2 * i),
           "年级": "一年级", "户口性质": "农村", "学籍状态": "在籍", "资助项目": "中职国家助学金",
           "资助金额（元）": 750, "银行卡号": make_card(seed=i)}
    row.update(over)
    return row


def write_roster(path: Path, rows: list[dict], headers: list[str] | None = None, *,
                 above: list[list] | None = None, sheet: str = "Sheet1", below: list[list] | None = None,
                 first_sheet: str | None = None) -> Path:
    """Write a roster as a school would: optional rows above the header and below the data.

    A value given as int/float is stored as a number cell; a str is stored as text.
    """
    headers = headers or list(rows[0]) if rows else headers
    wb = openpyxl.Workbook()
    ws = wb.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["填表说明：请按要求填写"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for line in above or []:
        ws.append(line)
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    for line in below or []:
        ws.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                   "no .ods/.xls is written here (CI installs it)")


def merge_cells(path: Path, *ranges: str) -> Path:
    """Merge `ranges` (Excel's "G3:G4") on the workbook's active sheet, as a clerk does."""
    wb = openpyxl.load_workbook(path)
    for cells in ranges:
        wb.active.merge_cells(cells)
    wb.save(path)
    return path


def saved_by_libreoffice(path: Path, kind: str, out: Path) -> Path:
    """`path` (an .xlsx built with openpyxl) opened and saved by LibreOffice as `kind` (ods, xls, xlsx)
    in `out`, with its own profile (helpers run side by side): formulas calculated, as a school's
    copy is."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", "--convert-to",
                    kind, "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=300)
    saved = out / f"{path.stem}.{kind}"
    assert saved.is_file(), f"LibreOffice did not write {saved}"
    return saved


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def run(runner, tmp_path):
    """Invoke the CLI; returns (exit_code, stdout, stderr). JSON output is parsed when asked."""

    def invoke(*args: str, as_json: bool = False, cwd: Path | None = None):
        import os

        old = os.getcwd()
        os.chdir(cwd or tmp_path)
        try:
            result = runner.invoke(app, [str(a) for a in args])
        finally:
            os.chdir(old)
        out = json.loads(result.stdout) if as_json and result.stdout.strip() else result.stdout
        return result.exit_code, out, result.stderr

    return invoke


@pytest.fixture
def planted() -> list[dict]:
    return json.loads((SAMPLES / "planted.json").read_text(encoding="utf-8"))


# --- the ledger's databases: SQLite always, PostgreSQL where a server can be had ---------------------

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server():
    """(URL, None) of a PostgreSQL server for the ledger tests, or (None, why not).

    AIDCTL_TEST_PG_URL (set by .ci/run, which starts a throwaway cluster) when given; else a
    cluster of our own, started here from the machine's PostgreSQL programs and removed after."""
    import os
    import tempfile

    import pgserver

    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield None, 'PostgreSQL 未测试：驱动 psycopg 没有安装（pip install ".[test,postgres]"）'
        return
    given = os.environ.get("AIDCTL_TEST_PG_URL")
    if given:
        yield given, None
        return
    folder = Path(tempfile.mkdtemp(prefix="aidctl-pg-"))
    try:
        url = pgserver.start(folder)
    except (RuntimeError, OSError) as exc:
        pgserver.stop(folder)
        yield None, f"PostgreSQL 未测试：{exc}"
        return
    try:
        yield url, None
    finally:
        pgserver.stop(folder)


@pytest.fixture(params=BACKENDS)
def ledger_db(request, postgres_server):
    """The ledger URL a test's workspace uses: None for SQLite (the workspace's aidctl.db), or a
    PostgreSQL URL whose schema (search_path) is this test's own, dropped after it."""
    if request.param == "sqlite":
        yield None
        return
    url, why_not = postgres_server
    if url is None:
        pytest.skip(why_not)
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def _params(report) -> list[str]:
    return getattr(report, "nodeid", "").partition("[")[2].rstrip("]").split("-")


def pytest_terminal_summary(terminalreporter):
    """Say which databases the ledger tests ran on (and why PostgreSQL did not, where it did not)."""
    ran = dict.fromkeys(BACKENDS, 0)
    skipped: dict[str, int] = {}
    for key in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "when", "call") != "call" and key == "passed":
                continue
            for b in BACKENDS:
                ran[b] += b in _params(report)
    for report in terminalreporter.stats.get("skipped", []):
        if "postgresql" in _params(report):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            skipped[reason.removeprefix("Skipped: ")] = skipped.get(reason.removeprefix("Skipped: "), 0) + 1
    if not any(ran.values()) and not skipped:
        return
    line = f"ledger tests ran on: SQLite {ran['sqlite']}, PostgreSQL {ran['postgresql']}"
    terminalreporter.write_sep("-", line)
    for reason, n in skipped.items():
        terminalreporter.write_line(f"PostgreSQL skipped ({n} tests): {reason}")
