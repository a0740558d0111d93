"""Start-up (README, Performance): a command imports only what it needs. Pinned by the modules a
fresh interpreter holds once the command has run, never by a clock, so that a busy CI machine
cannot make it flaky: `--help` and `codes` need no pandas, and `validate` of a 30-row roster with
no ledger and no report needs no SQLAlchemy, no xlsxwriter, no openpyxl and no code of the later
stages (paying, reports, oversight)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import voc_row, write_roster

# runs one command as `aidctl` would, in a fresh interpreter, and tells which modules it imported
PROBE = """
import contextlib, gc, io, json, sys
sys.argv = ["aidctl", *json.loads(sys.argv[1])]
from aidctl.cli import main
out = io.StringIO()
code = 0
try:
    with contextlib.redirect_stdout(out):
        main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules), "out": out.getvalue(),
                  "collector": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""

DATA = ("pandas", "numpy", "pyarrow", "fastexcel", "yaml")        # reading and checking rosters
WRITERS = ("xlsxwriter", "openpyxl", "python_calamine", "olefile", "msoffcrypto")
LEDGER = ("sqlalchemy", "psycopg")
LATER_STAGES = ("aidctl.pay", "aidctl.report", "aidctl.oversight", "aidctl.loans", "aidctl.enlist",
                "aidctl.ledger.store", "aidctl.ledger.schema")
NEVER_FOR_VALIDATE = (*WRITERS, *LEDGER, "stdnum", "chinese_calendar", *LATER_STAGES)


def run(args: list[str], cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDCTL_")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["collector"], "the garbage collector was left paused (core.runtime)"
    return result


def imported(result: dict, names) -> list[str]:
    """Those of `names` (a package, or a module with what lies under it) that were imported."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in result["modules"])]


@pytest.fixture
def roster30(tmp_path: Path) -> Path:
    return write_roster(tmp_path / "roster.xlsx", [voc_row(i) for i in range(1, 31)])


def test_help_imports_no_data_library(tmp_path):
    result = run(["--help"], tmp_path)
    assert result["exit"] == 0 and "validate" in result["out"]
    assert imported(result, (*DATA, "pydantic", *WRITERS, *LEDGER, "aidctl.check", "aidctl.read",
                             "aidctl.rulebook", *LATER_STAGES)) == []


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_codes_imports_no_data_library(tmp_path, fmt):
    result = run(["codes", "--format", fmt], tmp_path)
    assert result["exit"] == 0 and "id.checksum" in result["out"]
    assert imported(result, (*DATA, *WRITERS, *LEDGER, "aidctl.check", "aidctl.read", "aidctl.rulebook",
                             *LATER_STAGES)) == []


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_validate_of_a_small_roster_imports_only_what_it_needs(roster30, fmt):
    result = run(["validate", roster30.name, "--term", "2011-autumn", "--format", fmt], roster30.parent)
    assert result["exit"] == 0
    if fmt == "json":
        assert json.loads(result["out"])["summary"] == {"records": 30, "errors": 0, "warnings": 0}
    assert imported(result, ("pandas", "fastexcel", "aidctl.check.validation")) == ["pandas", "fastexcel",
                                                                                     "aidctl.check.validation"]
    assert imported(result, NEVER_FOR_VALIDATE) == []
    assert result["frozen"] > 0  # the modules imported were frozen out of the collector's reach


def test_the_probe_sees_what_a_report_needs(roster30):
    """The control: asked for a workbook, validate does import its writer."""
    result = run(["validate", roster30.name, "--term", "2011-autumn", "--report", "out.xlsx"], roster30.parent)
    assert result["exit"] == 0 and (roster30.parent / "out.xlsx").is_file()
    assert imported(result, ("xlsxwriter",)) == ["xlsxwriter"]
    assert imported(result, LEDGER) == []
