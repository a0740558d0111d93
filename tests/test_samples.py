"""End to end on the sample workspace: validate finds exactly the problems planted in samples/ (planted.json)."""

from __future__ import annotations

import glob
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

from aidctl.core.findings import CATALOGUE

TERM = "2011-autumn"
INTAKE = SAMPLES / "intake" / TERM
REGISTRY = SAMPLES / "registry" / "学籍2011秋.xlsx"
# The student claimed by both 第一职业中学 and 东河县职业高级中学 is registered at 第一职业中学: with the
# registry, the 东河县 claim (row 4) is also a school mismatch. Real and expected, not planted.
DONGHE_SCHOOL_MISMATCH = ("东河县职业高级中学_2011年秋季.xlsx", 4, "registry.mismatch")


def key(f: dict) -> tuple:
    return Path(f["file"]).name, f["row"], f["code"]


@pytest.fixture
def sample_files() -> list[str]:
    files = sorted(str(p.relative_to(REPO)) for p in INTAKE.glob("*.xlsx"))
    assert len(files) == 5
    return files


@pytest.fixture
def validate_samples(run, sample_files, tmp_path):
    # a copy of samples/ under the same relative names: validating a workspace's own intake records
    # it in the workspace's ledger, which must not be the repository's
    shutil.copytree(SAMPLES, tmp_path / "samples",
                    ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))

    def go(*extra: str) -> tuple[int, dict]:
        code, doc, err = run("validate", *sample_files, "--term", TERM, "--workspace", "samples",
                             "--format", "json", *extra, as_json=True, cwd=tmp_path)
        assert isinstance(doc, dict), err
        return code, doc
    return go


def test_finds_exactly_the_planted_problems(validate_samples, planted, sample_files):
    code, doc = validate_samples()
    assert code == 1
    expected = {key(p) for p in planted if not p.get("registry")}
    got = {key(f) for f in doc["findings"]}
    assert got - expected == set(), f"not planted: {sorted(got - expected)}"
    assert expected - got == set(), f"planted but not found: {sorted(expected - got)}"
    assert len(doc["findings"]) == len(expected)   # each planted problem reported once
    # files as given on the command line, each read
    assert [f["file"] for f in doc["files"]] == sample_files
    assert {Path(f["file"]).name for f in doc["findings"]} <= {Path(f).name for f in sample_files}


def test_planted_columns_sheets_and_severities(validate_samples, planted):
    code, doc = validate_samples()
    by_key = {key(f): f for f in doc["findings"]}
    for p in planted:
        if p.get("registry"):
            continue
        f = by_key[key(p)]
        assert f["sheet"] == p["sheet"], (p, f)
        assert f["column"] == p["column"], (p, f)
        assert f["severity"] == CATALOGUE[p["code"]].severity, (p, f)
        assert re.search(r"[\u4e00-\u9fff]", f["message"])


def test_summary_counts_agree_with_findings(validate_samples):
    code, doc = validate_samples()
    errors = sum(f["severity"] == "error" for f in doc["findings"])
    warnings = sum(f["severity"] == "warning" for f in doc["findings"])
    assert doc["summary"]["errors"] == errors and doc["summary"]["warnings"] == warnings
    assert doc["summary"]["records"] == sum(f["records"] for f in doc["files"])
    assert warnings == 6   # id.legacy, gender.mismatch, age.out_of_range, card.luhn, card.shared ×2


def test_with_registry_adds_the_registry_problems(validate_samples, planted):
    code, doc = validate_samples("--registry", str(REGISTRY.relative_to(REPO)))
    assert code == 1
    expected = {key(p) for p in planted} | {DONGHE_SCHOOL_MISMATCH}
    got = {key(f) for f in doc["findings"]}
    assert got - expected == set(), f"not planted: {sorted(got - expected)}"
    assert expected - got == set(), f"planted but not found: {sorted(expected - got)}"
    by_key = {key(f): f for f in doc["findings"]}
    for p in planted:
        if p.get("registry") and p["column"]:
            assert by_key[key(p)]["column"] == p["column"]


def test_registry_school_mismatch_for_the_student_claimed_by_two_schools(validate_samples):
    code, doc = validate_samples("--registry", str(REGISTRY.relative_to(REPO)))
    hits = [f for f in doc["findings"] if key(f) == DONGHE_SCHOOL_MISMATCH]
    assert len(hits) == 1
    f = hits[0]
    assert f["severity"] == "error"
    assert "第一职业中学" in f["message"] and "东河县职业高级中学" in f["message"]
    # the 第一职业中学 claim agrees with the registry
    assert not [g for g in doc["findings"] if g["code"] == "registry.mismatch"
                and Path(g["file"]).name.startswith("第一职业中学")]
    # and both claims are still duplicates
    dups = {key(g) for g in doc["findings"] if g["code"] == "id.duplicate"}
    assert ("东河县职业高级中学_2011年秋季.xlsx", 4, "id.duplicate") in dups
    assert ("第一职业中学_2011秋_助学金.xlsx", 16, "id.duplicate") in dups


def test_intake_folder_is_read_when_no_files_are_given(run, planted, tmp_path):
    # on a copy: validating a workspace's own intake records it in the workspace's ledger
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    code, doc, err = run("validate", "--term", TERM, "--workspace", str(root), "--format", "json",
                         as_json=True)
    assert code == 1, err
    assert {key(f) for f in doc["findings"]} == {key(p) for p in planted if not p.get("registry")}


# --- the README's Quick start ----------------------------------------------------------------------

def _quick_start_command() -> tuple[Path, list[str]] | None:
    """The `aidctl validate` command line of the README's Quick start, and the folder it runs in."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    m = re.search(r"^#+\s*(quick\s*start|快速(开始|上手|入门)).*?$(.*?)(?=^#{1,2}\s|\Z)", text,
                  re.IGNORECASE | re.MULTILINE | re.DOTALL)
    if not m:
        return None
    cwd = REPO
    for block in re.findall(r"```[^\n]*\n(.*?)```", m.group(3), re.DOTALL):
        for raw in block.splitlines():
            for part in re.sub(r"^\s*[$>]\s*", "", raw).split(" #")[0].split("&&"):  # chained commands
                line = part.strip()
                if line.startswith("cd "):
                    cwd = (cwd / shlex.split(line)[1]).resolve()
                elif re.match(r"^(aidctl|python -m aidctl)\s+(validate|disburse)\b", line):
                    return cwd, shlex.split(line)
    return None


def test_readme_quick_start_runs(tmp_path):
    found = _quick_start_command()
    if found is None:
        pytest.skip("README.md has no Quick start section with an aidctl command yet")
    cwd, argv = found
    argv = argv[argv.index("aidctl") + 1:] if "aidctl" in argv else argv[argv.index("-m") + 2:]
    if argv[0] == "disburse":
        assert "--dry-run" in argv, "the Quick start must not pay into the sample workspace"
    args = []
    for a in argv:   # the shell's glob expansion
        hits = sorted(glob.glob(a, root_dir=cwd)) if any(c in a for c in "*?[") else []
        args.extend(hits or [a])
    if "--report" in args:   # keep the repository clean: the report goes to a scratch folder
        i = args.index("--report") + 1
        args[i] = str(tmp_path / Path(args[i]).name)
    proc = subprocess.run([sys.executable, "-m", "aidctl", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 1, proc.stderr   # the samples hold planted errors
    assert "Traceback" not in proc.stderr
    if "--format" in args and args[args.index("--format") + 1] == "json":
        assert json.loads(proc.stdout)["version"] == 1
