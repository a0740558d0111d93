"""What every command shares: the app, the options defined once, the error boundary (one line on
stderr, exit 2, a traceback only with --debug) and JSON on stdout."""

import functools
import sys
import traceback
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from aidctl import __version__
from aidctl.core.errors import AidctlError, Exit
from aidctl.core.runtime import command_begins
from aidctl.core.terminal import printable
from aidctl.core.terms import FIRST_YEAR, LAST_YEAR

app = typer.Typer(name="aidctl", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="学生资助管理中心的批处理工具：审核花名册、通过银行发放、接受审计。")


class Format(StrEnum):
    table = "table"
    json = "json"


# Options shared by several commands, defined once.
FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式：table（默认）或 json（标准输出，一个文档）。")]
WorkspaceOpt = Annotated[Path | None, typer.Option(
    "--workspace", "-w", envvar="AIDCTL_WORKSPACE", file_okay=False,
    help="工作目录（默认当前目录，或环境变量 AIDCTL_WORKSPACE）。")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时打印完整的调用栈。")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条（进度条只在标准错误是终端、工作超过两秒时出现）。")]
TermOpt = Annotated[str | None, typer.Option("--term", help="学期，如 2011-autumn、2012-spring。")]
DbOpt = Annotated[str | None, typer.Option("--db", help="账本数据库 URL（默认 aidctl.toml 的 database_url 或工作目录下的 aidctl.db）。")]
WaitOpt = Annotated[float, typer.Option("--wait", min=0, help="另一个发放任务正在运行时最多等待的秒数（默认不等，直接退出）。")]
BankOpt = Annotated[str | None, typer.Option("--bank", help="银行格式（rules/banks/ 中的文件名，如 icbc-txt）。")]
YearOpt = Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help="年度，如 2011（该年春季、秋季学期）。")]
AsOfOpt = Annotated[datetime | None, typer.Option(
    "--as-of", formats=["%Y-%m-%d"], show_default=False,
    help="截止日 YYYY-MM-DD：认定办结和超期的日期（默认今天；该年12月31日早于今天时取12月31日）。")]


class TerminalConsole(Console):
    """The console the tables are printed on. What it prints is data (file names, cells, messages
    that quote them), so it is shown, never obeyed: no markup ([bold], [link=…]) and no emoji codes
    are interpreted, and every control character or escape sequence is shown escaped (terminal.printable),
    in a table cell, a title or a line alike. Styles are given as Text styles, never in the text."""

    def __init__(self, **kwargs):
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs) -> Text:
        return super().render_str(printable(text), **kwargs)

    def render(self, renderable, options=None):
        if isinstance(renderable, str):
            renderable = printable(renderable)
        elif isinstance(renderable, Text) and printable(renderable.plain) != renderable.plain:
            renderable = _escaped(renderable)
        return super().render(renderable, options)


def _escaped(text: Text) -> Text:
    """A Text with its characters escaped and its styles kept on the pieces they covered."""
    cuts = sorted({o for span in text.spans for o in (span.start, span.end)})
    out = Text(style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap,
               end=text.end)
    for piece in text.divide(cuts):
        shown = printable(piece.plain)
        out.append_text(Text(shown, spans=[span.__class__(0, len(shown), span.style) for span in piece.spans]))
    return out


def stdout_console() -> Console:
    return TerminalConsole(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def say(line: str, *, level: str = "提醒") -> None:
    """One line on stderr for the user ("aidctl: 提醒：…"), its data escaped: always one line."""
    typer.echo(f"aidctl: {level}：{printable(line)}", err=True)


def show_progress(quiet: bool) -> None:
    """A progress bar on stderr for long work, when stderr is a terminal and --quiet was not given."""
    from aidctl.core import progress

    progress.enable(not quiet and sys.stderr.isatty())


def emit_json(doc: dict) -> None:
    from aidctl.core.jsonout import encode_pieces

    emit_bytes(encode_pieces(doc))


def emit_bytes(pieces: list) -> None:
    """A JSON document on stdout, from the UTF-8 buffers that make it (jsonout.encode_pieces)."""
    if hasattr(sys.stdout, "buffer"):  # JSON is UTF-8 (RFC 8259), whatever the terminal's locale
        sys.stdout.flush()
        sys.stdout.buffer.writelines([*pieces, b"\n"])
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(b"".join(pieces).decode() + "\n")


def guarded(fn):
    """Turn aidctl's errors into one line on stderr and exit 2; never a traceback unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        command_begins()  # the collector, paused while the command line started, runs again
        try:
            return fn(*args, **kwargs)
        except AidctlError as exc:
            if kwargs.get("debug"):
                traceback.print_exc()
            say(str(exc), level="错误")
            raise typer.Exit(Exit.CANNOT_RUN) from None
        except KeyboardInterrupt:
            interrupted()
        except Exception as exc:  # a bug in aidctl: still one line, and the way to see more
            if type(exc).__module__.startswith(("typer", "click")):
                raise  # exits and usage errors of the CLI framework itself
            from aidctl.core.interrupts import caused_by_interrupt

            if caused_by_interrupt(exc):  # Ctrl-C inside Python's threading code (cannot release …)
                interrupted()
            if kwargs.get("debug"):
                traceback.print_exc()
            say(f"{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）", level="内部错误")
            raise typer.Exit(Exit.CANNOT_RUN) from None

    return wrapper


def interrupted():
    # files are renamed into place whole, and a batch in the ledger is completed by the next run
    typer.echo("aidctl: 已中断。没有留下写了一半的文件；已记入账本的发放批次，下次运行 disburse 时会先完成。",
               err=True)
    raise typer.Exit(130) from None


def workspace_at(path: Path | None):
    from aidctl.read import Workspace

    return Workspace(path)


def term_of(text: str | None):
    from aidctl.core.terms import Term

    return Term.parse(text) if text else None


def percent_of(text: str | None, option: str):
    """A percentage option (10, 10%, 12.5) as an exact Fraction; None when not given."""
    if text is None:
        return None
    import re
    from fractions import Fraction

    from aidctl.core.errors import UsageError

    m = re.fullmatch(r"\s*(\d{1,3}(?:\.\d{1,4})?)\s*[%％]?\s*", text)
    if not m:
        raise UsageError(f"{option} 应为百分比，如 10 或 10%，现为“{text}”")
    return Fraction(m.group(1))


def show_version(value: bool):
    if value:
        typer.echo(f"aidctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(version: Annotated[bool, typer.Option("--version", callback=show_version, is_eager=True,
                                                help="显示版本号。")] = False):
    """学生资助管理中心的批处理工具：审核花名册、通过银行发放、接受审计。"""
