"""The aidctl command line: parse options, call one library function, render. No logic here.

One module per command group, in the order of the flow (check → pay → report → oversight →
the other duties); options, the error boundary and JSON output are defined once in `common`,
terminal tables in `render/`.
"""

from aidctl.cli import roster, pay, report, oversight, enlist, loans, rules, workspace  # noqa: F401, I001  (registers the commands, in this order)
from aidctl.cli.common import app


def main() -> None:
    app()
