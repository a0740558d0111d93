"""The aidctl command line: parse options, call one library function, render. No logic here.

One module per command group, in the order of the flow (check → pay → report → oversight →
the other duties); options, the error boundary and JSON output are defined once in `common`,
terminal tables in `render/`.

Start-up is part of every command's time, so the command modules import at their top only typer,
rich and light parts of core; each command imports what it needs inside its function (validate of
a 30-row roster never imports SQLAlchemy, xlsxwriter or openpyxl; --help and codes not even pandas:
tests/test_startup.py). They do not postpone their annotations (no `from __future__ import
annotations`): typer reads every command's parameters at start, and evaluating them once at import
costs less than its evaluating their text then.
"""

from aidctl.cli import roster, pay, report, oversight, enlist, loans, rules, workspace  # noqa: F401, I001  (registers the commands, in this order)
from aidctl.cli.common import app
from aidctl.core.runtime import starting


def main() -> None:
    with starting():  # the collector paused until the command begins (core.runtime)
        app()
