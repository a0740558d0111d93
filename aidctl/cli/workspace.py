"""aidctl init: an empty workspace."""

from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import DebugOpt, Format, FormatOpt, app, emit_json, guarded
from aidctl.core.terminal import printable


@app.command()
@guarded
def init(directory: Annotated[Path, typer.Argument(help="新工作目录（默认当前目录）。")] = Path("."),
         format: FormatOpt = Format.table, debug: DebugOpt = False):
    """建立一个空的工作目录：intake/、out/、rules/ 和 aidctl.toml。

    示例：aidctl init 资助2011
    """
    from aidctl.core.settings import init_workspace

    made = init_workspace(directory)
    if format is Format.json:
        emit_json({"version": 1, "workspace": str(directory), "created": [str(p) for p in made]})
    else:
        for p in made:
            typer.echo(f"已建立 {printable(p)}")
