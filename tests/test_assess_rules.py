"""rules/assessment.yaml: an indicator key spelt nearly as one aidctl computes is a slip, refused,
never an indicator 未计算 whose weight silently leaves every total."""

from __future__ import annotations

import pytest

from aidctl.rulebook import packaged_rules_dir


def workspace(tmp_path, old: str, new: str):
    text = (packaged_rules_dir() / "assessment.yaml").read_text(encoding="utf-8")
    assert f"\n  {old}:\n" in text
    root = tmp_path / "ws"
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "assessment.yaml").write_text(text.replace(f"\n  {old}:\n", f"\n  {new}:\n"), encoding="utf-8")
    return root


@pytest.mark.parametrize("old, new", [("timely_payment", "timely_paymnet"), ("complaint_rate", "complaints_rate")])
def test_a_misspelt_computed_indicator_is_refused(run, tmp_path, old, new):
    code, out, err = run("rules", "check", "--workspace", workspace(tmp_path, old, new))
    assert code == 2, (out, err)
    assert f"indicators.{new}" in err and f"请改为 {old}" in err


def test_an_indicator_of_its_own_name_is_listed_not_computed(run, tmp_path):
    """A key unlike any aidctl computes is the bureau's own indicator: accepted (未计算 in the scorecard)."""
    code, out, err = run("rules", "check", "--workspace", workspace(tmp_path, "fund_spending", "budget_execution"))
    assert code == 0, (out, err)
