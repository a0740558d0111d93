"""A column squeezed narrower than one character (rules/columns.yaml look.column_width_below) is
hidden, as one of no width is: nobody reading the sheet sees the cards or IDs in it. Before, only a
width of exactly 0 counted: a card column at width 0.3 (two pixels) beside the visible one was paid."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import needs_soffice, saved_by_libreoffice
from test_real_rosters import CARD_HEADERS, TERM, TITLE, card_rows, dry_run, validate, where

from aidctl.rulebook import packaged_rules_dir


def roster(path: Path, widths: dict[str, float], rows=None) -> Path:
    """The card roster (银行卡号 in J holds last term's cards, 资助卡号 in K this term's) with the
    columns of `widths` set to those widths, as a clerk drags a column nearly shut."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [[TITLE], CARD_HEADERS, *(rows or card_rows())]:
        ws.append(row)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    with zipfile.ZipFile(path) as zf:  # the width as written, not left out or rounded by the writer
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert all(f'width="{w:g}"' in sheet or f'width="{w}"' in sheet for w in widths.values()), sheet[:600]
    return path


def test_an_aid_card_column_nearly_shut_is_not_paid_over_the_visible_card(run, tmp_path):
    """资助卡号 at width 0.3 beside a visible 银行卡号: as for one of no width, the two rules disagree:
    an error for the file and nobody paid. Before, the column nobody sees was paid."""
    root = tmp_path / "ws"
    path = roster(root / "intake" / TERM / "a.xlsx", {"K": 0.3})
    code, doc, _ = validate(run, path)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("schema.ambiguous_column", "error")], \
        doc["findings"]
    assert "已隐藏" in doc["findings"][0]["message"] and code == 1
    _, plan = dry_run(run, root)
    assert plan["payments"] == []


@pytest.mark.parametrize("width, hidden", [(0.99, True), (1, False), (8.43, False)])
def test_the_old_card_column_below_one_character_is_hidden(run, tmp_path, width, hidden):
    """银行卡号 (last term's cards) below one character loses to the visible 资助卡号 and is named
    已隐藏; at one character or wider it is a visible column, and the more specific 资助卡号 wins, as
    between two visible columns."""
    path = roster(tmp_path / "ws" / "intake" / TERM / "a.xlsx", {"J": width})
    code, doc, _ = validate(run, path)
    assert where(doc) == [(None, "资助卡号", "schema.ambiguous_column", "warning")], doc["findings"]
    assert ("“银行卡号”（第J列，已隐藏）" in doc["findings"][0]["message"]) is hidden
    assert code == 0


def test_a_workspace_sets_the_width_and_a_copy_without_it_takes_the_packaged_one(run, tmp_path):
    """column_width_below is the rules': a workspace that writes 0.2 sees a column of 0.3; a copy of
    columns.yaml written before the key takes the packaged value and says so."""
    root = tmp_path / "ws"
    path = roster(root / "intake" / TERM / "a.xlsx", {"K": 0.3})
    rules = root / "rules" / "columns.yaml"
    rules.parent.mkdir(parents=True)
    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    assert "  column_width_below: 1\n" in text
    rules.write_text(text.replace("  column_width_below: 1\n", "  column_width_below: 0.2\n"), encoding="utf-8")
    code, doc, _ = validate(run, path, extra=("--workspace", str(root)))
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("schema.ambiguous_column", "warning")]
    assert "已隐藏" not in doc["findings"][0]["message"] and code == 0
    rules.write_text(text.replace("  column_width_below: 1\n", ""), encoding="utf-8")
    code, doc, _ = validate(run, path, extra=("--workspace", str(root)))
    assert [f["code"] for f in doc["findings"]] == ["schema.ambiguous_column"] and code == 1
    assert any("column_width_below" in n and "按内置规则的值" in n for n in doc["notes"]), doc["notes"]


@needs_soffice
def test_an_ods_column_nearly_shut_is_hidden(run, tmp_path):
    """The same roster saved by LibreOffice as .ods: its column-width (a length) is compared in
    Excel's unit, and the card column nobody sees is not paid."""
    source = roster(tmp_path / "src" / "a.xlsx", {"K": 0.3})
    saved = saved_by_libreoffice(source, "ods", tmp_path / "ws" / "intake" / TERM)
    with zipfile.ZipFile(saved) as zf:
        assert "column-width" in zf.read("content.xml").decode()
    code, doc, _ = validate(run, saved)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("schema.ambiguous_column", "error")], \
        doc["findings"]
    assert code == 1


@needs_soffice
def test_an_xls_column_nearly_shut_is_hidden(run, tmp_path):
    """The same roster saved by LibreOffice as .xls: its COLINFO's width (1/256 of a character, the
    .xlsx unit) is compared with the rules', and the card column nobody sees is not paid."""
    source = roster(tmp_path / "src" / "a.xlsx", {"K": 0.3})
    saved = saved_by_libreoffice(source, "xls", tmp_path / "ws" / "intake" / TERM)
    code, doc, _ = validate(run, saved)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("schema.ambiguous_column", "error")], \
        doc["findings"]
    assert "已隐藏" in doc["findings"][0]["message"] and code == 1
