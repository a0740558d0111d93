"""Outputs never replace what they must not (README, Output contract): a --report or --out that names
one of the command's inputs (by any name), a file the workspace keeps, a folder, or anything that is
not a regular file is refused with exit 2 and one line naming it, before anything is read or written.
`aidctl init` never follows a link out of its folder."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import SAMPLES
from snapshot import changes, tree

from aidctl.core.errors import UsageError
from aidctl.core.files import check_output, check_output_folder

ROSTER = "intake/2011-autumn/实验中学.xlsx"
FINANCE = "finance/2011年度校内资助资金提取情况.xlsx"
REGISTER = "loans/生源地信用助学贷款台账.xlsx"
APPLICATIONS = "loans/2024年度贷款申请受理清单.xlsx"
COMPLAINTS = "complaints/2011年度学生资助投诉登记台账.xlsx"
ENLIST = "enlist/2024年应征入伍学生学费补偿申请表.xlsx"

# command → (arguments with {ws} for the workspace and {out} for the output, the input it reads)
COMMANDS = {
    "validate": (["validate", "{ws}/" + ROSTER, "--term", "2011-autumn", "--report", "{out}"], ROSTER),
    "validate-registry": (["validate", "{ws}/" + ROSTER, "--term", "2011-autumn", "--registry",
                           "{ws}/registry/学籍2011秋.xlsx", "--report", "{out}"], "registry/学籍2011秋.xlsx"),
    "audit-extraction": (["audit-extraction", "{ws}/" + FINANCE, "--report", "{out}"], FINANCE),
    "report": (["report", "--term", "2011-autumn", "--out", "{out}"], ROSTER),
    "enlist": (["enlist", "{ws}/" + ENLIST, "--year", "2024", "--report", "{out}"], ENLIST),
    "loans-check": (["loans", "check", "{ws}/" + REGISTER, "--report", "{out}"], REGISTER),
    "loans-summary": (["loans", "summary", "--year", "2024", "{ws}/" + REGISTER, "--applications",
                       "{ws}/" + APPLICATIONS, "--report", "{out}"], APPLICATIONS),
    "loans-collect": (["loans", "collect", "--as-of", "2025-01-10", "{ws}/" + REGISTER, "--out", "{out}"], REGISTER),
    "complaints": (["complaints", "{ws}/" + COMPLAINTS, "--year", "2011", "--report", "{out}"], COMPLAINTS),
    "assess": (["assess", "--year", "2011", "--finance", "{ws}/" + FINANCE, "--report", "{out}"], FINANCE),
    "rules-diff": (["rules", "diff", "{ws}/rules", "{ws}/" + ROSTER, "--term", "2011-autumn", "--report", "{out}"],
                   ROSTER),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The sample workspace with a ledger, made once and copied for each test."""
    from aidctl.ledger import Ledger

    root = tmp_path_factory.mktemp("template") / "ws"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", "*.py", "*.md"))
    Ledger.for_workspace(root)
    (root / "rules").mkdir()
    shutil.copy(SAMPLES.parent / "rules" / "terms.yaml", root / "rules" / "terms.yaml")
    return root


@pytest.fixture
def ws(template, tmp_path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return root


def make_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the numbers of /dev/null, in the test's folder
    except (PermissionError, AttributeError, OSError):
        pytest.skip("this system does not let the tests make a device node")


# kind → (make the output path in tmp_path for input `source`; a word the message must hold)
def _input(tmp, ws, source):
    return ws / source


def _link(tmp, ws, source):
    (tmp / "链接.xlsx").symlink_to(ws / source)
    return tmp / "链接.xlsx"


def _hardlink(tmp, ws, source):
    os.link(ws / source, tmp / "硬链接.xlsx")
    return tmp / "硬链接.xlsx"


def _other_spelling(tmp, ws, source):
    return Path(str(ws / "不存在" / ".." / source))   # a folder the OS would not pass through: made on write


def _folder(tmp, ws, source):
    (tmp / "文件夹.xlsx").mkdir()
    return tmp / "文件夹.xlsx"


def _fifo(tmp, ws, source):
    os.mkfifo(tmp / "管道.xlsx")
    return tmp / "管道.xlsx"


def _device(tmp, ws, source):
    make_device(tmp / "设备.xlsx")
    return tmp / "设备.xlsx"


KINDS = {
    "the input": (_input, "输入文件"),
    "a link to the input": (_link, "输入文件"),
    "a hard link to the input": (_hardlink, "输入文件"),
    "the input spelt another way": (_other_spelling, "输入文件"),
    "schools.xlsx": (lambda tmp, ws, s: ws / "schools.xlsx", "学校名单"),
    "aidctl.toml": (lambda tmp, ws, s: ws / "aidctl.toml", "设置文件"),
    "aidctl.db": (lambda tmp, ws, s: ws / "aidctl.db", "发放账本"),
    "a new file in intake/": (lambda tmp, ws, s: ws / "intake" / "2011-autumn" / "结果.xlsx", "intake/"),
    "a roster in intake/": (lambda tmp, ws, s: ws / ROSTER, ("intake/", "输入文件")),
    "a new file in rules/": (lambda tmp, ws, s: ws / "rules" / "结果.xlsx", "rules/"),
    "a folder": (_folder, "文件夹"),
    "a FIFO": (_fifo, "不是普通文件"),
    "a device node": (_device, "不是普通文件"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_output_that_must_not_be_replaced_is_refused(run, ws, tmp_path, command, kind):
    args, source = COMMANDS[command]
    make, word = KINDS[kind]
    out = make(tmp_path, ws, source)
    before = tree(tmp_path)
    code, stdout, stderr = run(*[a.format(ws=ws, out=out) for a in args], "--workspace", ws)
    assert code == 2, (stdout, stderr)
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith(f"aidctl: 错误：{out}："), lines[0]
    assert any(w in lines[0] for w in ((word,) if isinstance(word, str) else word)), lines[0]
    assert not changes(before, tree(tmp_path)), changes(before, tree(tmp_path))


def test_a_refused_validate_records_no_intake_history(run, ws, tmp_path):
    """The refusal comes before the rosters are read: the ledger is not touched either."""
    ledger = (ws / "aidctl.db").read_bytes()
    code, _, err = run("validate", "--term", "2011-autumn", "--report", ws / "schools.xlsx", "--workspace", ws)
    assert code == 2 and "学校名单" in err
    assert (ws / "aidctl.db").read_bytes() == ledger


def test_a_ledger_named_by_db_is_an_input_too(run, ws, tmp_path):
    other = tmp_path / "其他账本.db"
    shutil.copy(ws / "aidctl.db", other)
    code, _, err = run("report", "--term", "2011-autumn", "--db", f"sqlite:///{other}", "--out", other.with_suffix(".xlsx"),
                       "--workspace", ws)
    assert code == 0, err   # a new file beside it is fine
    link = tmp_path / "账本.xlsx"
    link.symlink_to(other)
    code, _, err = run("report", "--term", "2011-autumn", "--db", f"sqlite:///{other}", "--out", link, "--workspace", ws)
    assert code == 2 and "输入文件" in err


@pytest.mark.parametrize("where", ["the workspace", "intake/", "rules/", "a file"])
def test_enlist_out_folder_that_must_not_be_used_is_refused(run, ws, tmp_path, where):
    folder = {"the workspace": ws, "intake/": ws / "intake" / "2024", "rules/": ws / "rules",
              "a file": ws / "schools.xlsx"}[where]
    before = tree(tmp_path)
    code, out, err = run("enlist", ws / ENLIST, "--year", "2024", "--out", folder, "--workspace", ws)
    assert code == 2, (out, err)
    assert err.startswith(f"aidctl: 错误：{folder}：") and len(err.strip().splitlines()) == 1, err
    assert not changes(before, tree(tmp_path))


def test_good_outputs_are_still_written(run, ws, tmp_path):
    """The refusals are exact: a new file, an earlier report of the same name and the default paths
    are written as before."""
    out = tmp_path / "审核结果.xlsx"
    for _ in range(2):  # the second run replaces its own earlier report
        code, _, err = run("validate", ws / ROSTER, "--term", "2011-autumn", "--report", out, "--workspace", ws)
        assert code in (0, 1), err
        assert out.is_file()
    code, _, err = run("loans", "collect", "--as-of", "2025-01-10", ws / REGISTER, "--workspace", ws)
    assert code in (0, 1), err
    assert list((ws / "out" / "loans").glob("*.xlsx"))
    code, _, err = run("enlist", ws / ENLIST, "--year", "2024", "--out", tmp_path / "入伍", "--workspace", ws)
    assert code in (0, 1), err
    assert (tmp_path / "入伍" / "应征入伍学费补偿审核_2024.xlsx").is_file()


def test_check_output_unit(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"x")
    assert check_output(tmp_path / "new.xlsx", inputs=[tmp_path / "a.xlsx", None]) == tmp_path / "new.xlsx"
    with pytest.raises(UsageError, match="输入文件"):
        check_output(tmp_path / "a.xlsx", inputs=[tmp_path / "a.xlsx"])
    with pytest.raises(UsageError, match="文件夹"):
        check_output(tmp_path)
    with pytest.raises(UsageError, match="无法使用"):
        check_output(tmp_path / "a.xlsx" / "b.xlsx")   # a parent that is a file
    (tmp_path / "ws" / "loans").mkdir(parents=True)
    with pytest.raises(UsageError, match="loans/"):
        check_output(tmp_path / "ws" / "loans" / "sub" / "x.xlsx", workspace=tmp_path / "ws")
    assert check_output(tmp_path / "ws" / "out" / "x.xlsx", workspace=tmp_path / "ws")
    assert check_output_folder(tmp_path / "ws" / "out" / "x", workspace=tmp_path / "ws")


# --- init ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["aidctl.toml", "rules", "intake", "rules/README.txt"])
def test_init_never_follows_a_link_out_of_its_folder(run, tmp_path, name):
    outside = tmp_path / "外面"
    outside.mkdir()
    ws = tmp_path / "ws"
    (ws / "rules").mkdir(parents=True) if name == "rules/README.txt" else ws.mkdir()
    target = outside / ("x" if "." in name else "folder")
    (ws / name).symlink_to(target)   # a link to a place that does not exist yet: the attack
    before = tree(tmp_path)
    code, out, err = run("init", ws)
    assert code == 2, (out, err)
    assert err.startswith(f"aidctl: 错误：{ws / name}：") and "之外的链接" in err and len(err.splitlines()) == 1
    assert not changes(before, tree(tmp_path))   # nothing made, outside or inside
    assert not list(outside.iterdir())


def test_init_follows_a_link_inside_its_folder(run, tmp_path):
    ws = tmp_path / "ws"
    (ws / "规则").mkdir(parents=True)
    (ws / "rules").symlink_to("规则")
    code, _, err = run("init", ws)
    assert code == 0, err
    assert (ws / "规则" / "README.txt").is_file() and (ws / "aidctl.toml").is_file()


@pytest.mark.parametrize("case", ["a file", "under a file", "a link to nowhere", "intake is a file"])
def test_init_where_no_workspace_can_be_made_is_exit_2(run, tmp_path, case):
    (tmp_path / "f").write_text("x")
    target = {"a file": tmp_path / "f", "under a file": tmp_path / "f" / "ws",
              "a link to nowhere": tmp_path / "ws", "intake is a file": tmp_path / "ws"}[case]
    if case == "a link to nowhere":
        (tmp_path / "ws").mkdir()
        (tmp_path / "ws" / "intake").symlink_to("不存在")
    if case == "intake is a file":
        (tmp_path / "ws").mkdir()
        (tmp_path / "ws" / "intake").write_text("x")
    before = tree(tmp_path)
    code, out, err = run("init", target)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aidctl: 错误：") and "内部错误" not in err, err
    assert not changes(before, tree(tmp_path))


def test_real_paths_resolve_as_path_resolve_does(tmp_path, monkeypatch):
    """Folders are resolved once each, yet every answer equals Path.resolve(): a symlinked file, a
    symlinked folder, '..' inside a path, a relative path and a missing file."""
    from aidctl.core.files import real_paths

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.xlsx").write_bytes(b"x")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "b.xlsx").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "c.xlsx").symlink_to(tmp_path / "other" / "b.xlsx")
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / "link" / "a.xlsx", tmp_path / "real" / "c.xlsx", tmp_path / "link" / "c.xlsx",
             tmp_path / "real" / ".." / "other" / "b.xlsx", Path("link/a.xlsx"), Path("real/missing.xlsx"),
             tmp_path / "link" / ".."]
    assert real_paths(paths) == [p.resolve() for p in paths]
    assert real_paths(paths)[1] == tmp_path / "other" / "b.xlsx"
