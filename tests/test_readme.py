"""The README stays true: its code table is the catalogue, its Quick start has two commands."""

from __future__ import annotations

import re

from conftest import REPO

from aidctl.cli.common import app
from aidctl.core.findings import CATALOGUE

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_finding_code_table_is_the_catalogue():
    rows = re.findall(r"^\| `([a-z_.]+)` \| (error|warning) \| ([^|]+) \|", README, re.MULTILINE)
    assert [(c, s) for c, s, _ in rows] == [(c, t.severity) for c, t in CATALOGUE.items()]
    assert [t.strip() for _, _, t in rows] == [t.title for t in CATALOGUE.values()]


def test_quick_start_is_two_commands_install_and_run_then_test():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "pip install ." in commands[0] and "aidctl " in commands[0] and "samples" in commands[0]
    assert commands[1].rstrip().endswith("pytest")


def test_every_command_is_documented():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands]
    for name in names:
        assert f"aidctl {name}" in README, name
