"""audit-extraction: a money column whose unit nothing states is read as 元 only where that is no guess."""

from __future__ import annotations

from test_extraction import finding, school, sheet

BARE = ["学校代码", "学校名称", "学校类型", "所属县区", "事业收入", "提取金额", "划入专户金额", "发放金额"]


def audit(run, tmp_path, rows, headers, above=None):
    path = sheet(tmp_path / "finance.xlsx", rows, headers, above)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code in (0, 1), err
    return code, doc


def test_a_bare_column_beside_one_in_wan_yuan_is_not_read_as_yuan(run, tmp_path):
    """事业收入（万元） beside a bare 提取金额: 提取金额 5 (5万元, 5%) was read as 5 元, and the school was
    不合规 with 49995 元 short. Which unit the bare columns are in cannot be told: they are not read,
    the school is 无法审核 with the columns named, and no shortfall is given."""
    headers = [*BARE[:4], "事业收入（万元）", *BARE[5:]]
    code, doc = audit(run, tmp_path, [school(income=100, extracted=5)], headers)
    s = doc["schools"][0]
    assert code == 1 and s["verdict"] == "无法审核", s
    assert (s["income"], s["extracted"], s["shortfall"]) == ("1000000.00", None, None), s
    assert [f["code"] for f in s["findings"]] == ["extraction.invalid"] * 3, s["findings"]
    message = s["findings"][0]["message"]
    assert message.startswith("提取金额“5”未读取") and "第F列" in message and "“事业收入（万元）”按万元" in message
    assert "不知该列是按元还是按万元填写" in message and "请在该列表头写明单位" in message, message
    assert doc["summary"]["compliant"] == 0 and doc["summary"]["non_compliant"] == 0


def test_a_bare_income_beside_set_aside_in_wan_yuan_is_never_compliant_on_a_guess(run, tmp_path):
    """提取金额（万元） … beside a bare 事业收入 1000000: read as 元 it made the school 合规 at 5%; as 万元
    it is 不合规. Neither is taken: 无法审核, and nothing is summed."""
    headers = [*BARE[:4], "事业收入", "提取金额（万元）", "划入专户金额（万元）", "发放金额（万元）"]
    code, doc = audit(run, tmp_path, [school(income=1_000_000, extracted=5)], headers)
    s = doc["schools"][0]
    assert code == 1 and (s["verdict"], s["income"], s["rate"]) == ("无法审核", None, None), s
    assert "“事业收入”列（第E列）表头没有写单位" in finding(doc, 0, code="extraction.invalid")["message"]
    assert doc["summary"]["income"] is None and doc["summary"]["totalled"] == 0


def test_yuan_taken_because_nothing_states_a_unit_is_said_aloud(run, tmp_path):
    """No header and no line states a unit: the figures are read as 元, as before, and a note says so
    (a sheet kept in 万元 that says so nowhere is read ten thousand times too small)."""
    code, doc = audit(run, tmp_path, [school(income=100, extracted=5)], BARE)
    s = doc["schools"][0]
    assert code == 0 and (s["income"], s["verdict"]) == ("100.00", "合规"), s
    said = [n for n in doc["notes"] if "按元读取" in n]
    assert len(said) == 1 and "“事业收入”、“提取金额”、“划入专户金额”、“发放金额”的表头没有写金额单位" in said[0], doc["notes"]
    assert "请在表头写明单位" in said[0]


def test_a_bare_column_beside_columns_in_yuan_is_read_as_yuan_and_said(run, tmp_path):
    """事业收入（元） beside a bare 发放金额: 元 is every unit the sheet states, so 发放金额 is read as 元
    (no finding), and the note names it."""
    headers = [*BARE[:4], "事业收入（元）", "提取金额（元）", "划入专户金额（元）", "发放金额"]
    code, doc = audit(run, tmp_path, [school()], headers)
    s = doc["schools"][0]
    assert code == 0 and (s["spent"], s["verdict"], s["findings"]) == ("50000.00", "合规", []), s
    assert any("“发放金额”的表头没有写金额单位" in n and "按元读取" in n for n in doc["notes"]), doc["notes"]
