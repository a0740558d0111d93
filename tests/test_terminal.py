"""The terminal is not an attack surface (README, Output contract): control characters and escape
sequences from file names and cells are shown escaped in table output and in stderr lines, rich
markup in data is shown as written, and a --term with a newline gives one line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import VOC_HEADERS, make_card, voc_row
from rich.table import Table
from rich.text import Text

from aidctl.cli.common import TerminalConsole
from aidctl.core.terminal import printable

TERM = ("--term", "2011-autumn")
ESC_NAME = "张\x1b[2J三"               # clears the screen
ESC_SCHOOL = "校\x1b]0;改\x07"          # sets the window title
LINK_SCHOOL = "[link=http://e.x]点[/link]"  # rich markup for a hyperlink (an OSC 8 sequence) if it were obeyed
RLO_SCHOOL = "甲\u202e乙"               # shows what follows backwards
FILE = "单\x1b[1m粗\r.csv"
RAW = ("\x1b[2J", "\x1b]0;", "\x07", "\u202e", "\x1b[1m粗", "\r", "\x1b]8;")


def hostile_workspace(tmp_path: Path) -> Path:
    """A CSV roster (Excel refuses control characters; a CSV carries them) with a hostile file name,
    name and school names; one record refused so that its name is listed."""
    rows = [voc_row(1, 姓名=ESC_NAME, 学校=ESC_SCHOOL, 银行卡号="123"), voc_row(2, 学校=ESC_SCHOOL),
            voc_row(3, 学校=RLO_SCHOOL, 银行卡号=make_card(seed=9)), voc_row(4, 学校=LINK_SCHOOL, 银行卡号=make_card(seed=8))]
    folder = tmp_path / "ws" / "intake" / "2011-autumn"
    folder.mkdir(parents=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*VOC_HEADERS, "学校"])
    for r in rows:
        writer.writerow([r.get(h) for h in [*VOC_HEADERS, "学校"]])
    (folder / FILE).write_text(buffer.getvalue(), encoding="utf-8")
    return tmp_path / "ws"


# command → what its table shows of the roster, escaped
COMMANDS = {
    "validate": (["validate", *TERM], [r"单\x1b[1m粗\r.csv", r"校\x1b]0;改\x07", r"甲\u202e乙", LINK_SCHOOL]),
    "disburse --dry-run": (["disburse", *TERM, "--dry-run"], [r"单\x1b[1m粗\r.csv", r"张\x1b[2J三"]),
    "publish": (["publish", *TERM, "--from", "2011-09-29"], [r"校\x1b]0;改\x07", r"甲\u202e乙", LINK_SCHOOL]),
}


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "forced colour"])
@pytest.mark.parametrize("command", COMMANDS)
def test_tables_show_control_characters_escaped(run, tmp_path, monkeypatch, command, colour):
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")   # rich writes its own escape sequences: only those
    root = hostile_workspace(tmp_path)
    args, shown = COMMANDS[command]
    code, out, err = run(*args, "--workspace", root)
    assert code in (0, 1), err
    for raw in RAW:
        assert raw not in out, (raw, out)
        assert raw not in err or (colour and raw == "\r"), (raw, err)   # a spinner on a terminal uses \r
    for text in shown:
        assert text in out, (text, out)
    if colour:
        assert "\x1b[1m" in out   # the console did colour: the data's sequences were still not let through


def test_an_error_naming_a_hostile_file_is_one_escaped_line(run, tmp_path):
    code, out, err = run("validate", tmp_path / "不存在\x1b[31m红\n第二行.xlsx", *TERM)
    assert code == 2
    assert len(err.splitlines()) == 1 and "\x1b" not in err
    assert r"不存在\x1b[31m红\n第二行.xlsx" in err


def test_a_term_with_a_newline_gives_one_line(run, tmp_path):
    code, out, err = run("validate", "--term", "2011-autumn\n2012-spring", "--workspace", tmp_path)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("aidctl: 错误：") and r"2011-autumn\n2012-spring" in err


def test_notes_on_stderr_are_escaped(run, tmp_path):
    """A warning quoting a file name (publish removes an old list of the term) is one escaped line."""
    root = hostile_workspace(tmp_path)
    old = root / "out" / "2011-autumn" / "公示" / "旧\x1b[5m_2011-autumn_受助学生名单公示.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"")
    code, out, err = run("publish", *TERM, "--from", "2011-09-29", "--workspace", root)
    assert code == 0, err
    assert "\x1b" not in err and r"旧\x1b[5m_2011-autumn" in err


def test_the_console_escapes_every_place_text_goes():
    buffer = io.StringIO()
    console = TerminalConsole(file=buffer, width=100, force_terminal=True, color_system="standard")
    table = Table(title="标题\x1b[2J")
    table.add_column("列\x1b[5m")
    table.add_row("格\x1b[6m")
    console.print(table)
    console.print(Text.assemble(("红", "red"), "\x1b]0;x\x1b\\", ("绿", "green")))   # (rich drops a BEL in a Text)
    console.print("行\x1b[2J[bold]不是标记[/bold]:smile:")
    console.print(Text("文\x1b[7m", style="bold"))
    shown = buffer.getvalue()
    for raw in ("\x1b[2J", "\x1b[5m", "\x1b[6m", "\x1b]0;", "\x07", "\x1b[7m"):
        assert raw not in shown, raw
    for escaped in (r"标题\x1b[2J", r"列\x1b[5m", r"格\x1b[6m", "\\x1b]0;x\\x1b\\", "[bold]不是标记[/bold]:smile:",
                    r"文\x1b[7m"):
        assert escaped in shown, escaped
    assert "\x1b[31m红" in shown and "\x1b[32m绿" in shown   # the styles the renderer gave are kept


def test_printable():
    assert printable("第一职业中学 2011-autumn") == "第一职业中学 2011-autumn"
    assert printable("a\x1b[2Jb\nc\td\r\x00\x7f\x9b") == r"a\x1b[2Jb\nc\td\r\x00\x7f\x9b"
    assert printable("甲\u202e乙\u2066丙\u2028") == r"甲\u202e乙\u2066丙\u2028"
    assert printable(b"\xd5\xc5.xlsx".decode("utf-8", "surrogateescape")) == r"\xd5\xc5.xlsx"
    assert printable(Path("a\nb")) == r"a\nb"
