"""A workspace's (or `rules diff`'s) copy of a rule file replaces the packaged one file by file; a key
the packaged file writes that the copy leaves out (a copy made before the key existed) is a default
nobody chose, and is said aloud: `rules check` (JSON `warnings`, the terminal's 提醒 lines) and
Rulebook.notes, naming the file, the key and what applies instead."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from aidctl.rulebook import Rulebook, packaged_rules_dir

PACKAGED = packaged_rules_dir()


def old_programmes(rules: Path) -> Path:
    """programmes.yaml as copied before `spread` (异常金额检查) existed: the packaged text without it."""
    text = (PACKAGED / "programmes.yaml").read_text(encoding="utf-8")
    old, n = re.subn(r",\s*spread:\s*\"?[0-9.]+\"?", "", text)
    assert n >= 2 and "spread:" not in old.split("programmes:", 1)[1]
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "programmes.yaml").write_text(old, encoding="utf-8")
    return rules / "programmes.yaml"


def said_of(notes: list[str], file: str, key: str) -> list[str]:
    return [n for n in notes if file in n and f"未写 {key}" in n]


def test_an_old_programmes_file_without_spread_is_said_in_json_and_on_the_terminal(tmp_path, run):
    """Without `spread` the amount.outlier check did not run, and nothing said so."""
    old_programmes(tmp_path / "rules")
    code, doc, _ = run("rules", "check", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code in (0, 1), doc
    [said] = said_of(doc["warnings"], "工作区 rules/programmes.yaml", "spread")
    assert "异常金额检查" in said and "按不检查处理" in said and "请从内置规则复制该键" in said, said
    assert "programmes.中职免学费.periods.0.amount" in said and "spread: null" in said, said
    code, out, _ = run("rules", "check", "--workspace", tmp_path)
    flat = re.sub(r"\s+", "", out)
    assert "提醒：工作区rules/programmes.yaml未写spread（异常金额检查" in flat and "按不检查处理" in flat, out
    assert Rulebook(tmp_path / "rules").notes == [said]


@pytest.mark.parametrize("copied", ["text", "yaml"])
def test_a_complete_copy_says_nothing(tmp_path, run, copied):
    """Every packaged file and bank profile copied whole (as is, or loaded and dumped again): no note."""
    rules = tmp_path / "rules"
    if copied == "text":
        shutil.copytree(PACKAGED, rules, ignore=shutil.ignore_patterns("tests"))
    else:
        for path in [*PACKAGED.glob("*.yaml"), *PACKAGED.glob("banks/*.yaml")]:
            target = rules / path.relative_to(PACKAGED)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, doc, _ = run("rules", "check", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 0 and doc["warnings"] == [], doc["warnings"]
    assert {f["origin"] for f in doc["files"]} == {"workspace"}
    code, out, _ = run("rules", "check", "--workspace", tmp_path)
    assert code == 0 and "提醒" not in out and "未写" not in out, out
    book = Rulebook(rules)
    assert sorted(book.banks) == ["abc-fixed", "ccb-xlsx", "icbc-txt", "iso20022"]
    assert book.notes == [] and book.inherited == set()


def test_a_key_left_out_on_purpose_is_written_as_such(tmp_path):
    """`spread: null` is the bureau's choice (no check): nothing to say. A period whose amount is a
    fixed per_term cannot hold a spread: no key is missing there."""
    path = old_programmes(tmp_path / "rules")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for period in data["programmes"]["中职免学费"]["periods"] + data["programmes"]["学前教育资助"]["periods"]:
        if period["amount"].get("from_roster"):
            period["amount"]["spread"] = None
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert Rulebook(tmp_path / "rules").notes == []
    for period in data["programmes"]["中职免学费"]["periods"]:
        period["amount"] = {"per_term": "1000.00"}
    for period in data["programmes"]["学前教育资助"]["periods"]:
        period["amount"].pop("spread")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [said] = Rulebook(tmp_path / "rules").notes
    assert "programmes.学前教育资助.periods.0.amount" in said and "中职免学费" not in said, said


def test_an_old_vocabulary_takes_the_packaged_joiners_and_says_so(tmp_path):
    """NameWords kept a Python copy of the packaged joiners for a vocabulary.yaml copied before
    `names` existed. The list is the packaged file's now (a packaged folder with other joiners gives
    those), said aloud, and the packaged file then counts in the rules' fingerprint."""
    packaged = tmp_path / "packaged"
    shutil.copytree(PACKAGED, packaged, ignore=shutil.ignore_patterns("tests"))
    vocabulary = yaml.safe_load((packaged / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocabulary["names"]["joiners"] = ["·", "＝"]
    (packaged / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, allow_unicode=True), encoding="utf-8")
    old = dict(vocabulary)
    del old["names"]
    (tmp_path / "ws" / "rules").mkdir(parents=True)
    (tmp_path / "ws" / "rules" / "vocabulary.yaml").write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")

    book = Rulebook(tmp_path / "ws" / "rules", packaged=packaged)
    assert book.vocabulary.names.joiners == ["·", "＝"]
    [said] = book.notes
    assert "工作区 rules/vocabulary.yaml 未写 names" in said and "按内置规则的值（joiners: ·、＝）处理" in said, said
    assert said in [str(w) for w in book.warnings]
    before = book.fingerprint
    vocabulary["names"]["joiners"] = ["·"]
    (packaged / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, allow_unicode=True), encoding="utf-8")
    again = Rulebook(tmp_path / "ws" / "rules", packaged=packaged)
    assert again.vocabulary.names.joiners == ["·"] and again.fingerprint != before

    # `names:` written without `joiners`: the packaged list, said for the key itself
    old["names"] = {}
    (tmp_path / "ws" / "rules" / "vocabulary.yaml").write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")
    book = Rulebook(tmp_path / "ws" / "rules")
    assert book.vocabulary.names.joiners == yaml.safe_load(
        (PACKAGED / "vocabulary.yaml").read_text(encoding="utf-8"))["names"]["joiners"]
    [said] = book.notes
    assert "未写 joiners（姓名各部分之间可有的连接符号）" in said and "内置规则在 names 写有该键" in said, said


def test_a_bank_profile_copy_and_an_overlay_are_said_too(tmp_path, run):
    """A workspace's copy of a packaged bank profile without `result.pending` (lines 处理中 then
    unknown words), said by rules check; a `rules diff` folder's old programmes.yaml, named as such."""
    profile = yaml.safe_load((PACKAGED / "banks" / "iso20022.yaml").read_text(encoding="utf-8"))
    assert profile["result"].pop("pending")
    (tmp_path / "rules" / "banks").mkdir(parents=True)
    (tmp_path / "rules" / "banks" / "iso20022.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True),
                                                                encoding="utf-8")
    code, doc, _ = run("rules", "check", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 0, doc
    [said] = said_of(doc["warnings"], "工作区 rules/banks/iso20022.yaml", "pending")
    assert "内置规则在 result 写有该键" in said and "pending: []" in said, said

    overlay = tmp_path / "proposed"
    old_programmes(overlay)
    book = Rulebook(tmp_path / "rules", overlay=overlay)
    [said] = book.notes
    assert said.startswith(f"对比规则 {overlay.resolve() / 'programmes.yaml'} 未写 spread"), said
