"""The policy cases in rules/tests/*.yaml, one pytest case each (a bureau adds cases without Python)."""

from __future__ import annotations

import pytest
from conftest import REPO

from aidctl.oversight import run_any_case
from aidctl.read import Workspace
from aidctl.rulebook import case_files, load_cases

WS = Workspace(REPO)
CASES = [(path.name, case) for path in case_files(WS.rules) for case in load_cases(path)]


def test_there_are_policy_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[c.name for _, c in CASES])
def test_policy_case(case):
    passed, got, detail = run_any_case(case, WS)
    assert passed, detail


def test_every_kind_of_case_runs_through_its_command():
    kinds = {c.kind for _, c in CASES}
    assert kinds == {"roster", "loan", "enlist"}


def test_rules_check_fails_a_loan_and_an_enlist_case_when_a_dated_value_is_taken_out(run, tmp_path):
    """Without the 2023 step in the workspace's rules, the cases that rely on it fail (exit 1) and say why."""
    import yaml

    from aidctl.rulebook import packaged_rules_dir

    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("loans.yaml", "enlistment.yaml"):
        data = yaml.safe_load((packaged_rules_dir() / name).read_text(encoding="utf-8"))
        data["caps"] = [p for p in data["caps"] if str(p["from"]) != "2023-09-01"]
        (rules / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, doc, _ = run("rules", "check", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 1 and doc["ok"] is False
    failed = {c["name"]: c for c in doc["cases"] if not c["passed"]}
    loan = failed["2023贷款年度本科贷款13000元在教财〔2023〕4号的16000元额度之内"]
    assert loan["kind"] == "loan" and loan["got"] == ["loan.over_cap"]
    enlist = failed["2023年9月入伍的本科生每学年上限16000元（教财〔2023〕4号），不再是12000元"]
    assert "total 期望 32000.00，实际 24000.00" in enlist["detail"]
