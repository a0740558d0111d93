"""A workspace: a folder with intake/<term>/ rosters, optional aidctl.toml, schools.xlsx and rules/."""

from __future__ import annotations

import os
import tomllib
from functools import cached_property
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from aidctl.core.errors import RuleError, UsageError
from aidctl.core.files import check_output, check_output_folder
from aidctl.core.settings import LEDGER_FILE, SCHOOLS_FILE, SETTINGS_FILE, Settings
from aidctl.core.terms import Term
from aidctl.core.text import lookup
from aidctl.read.limits import regular_file, shown
from aidctl.rulebook import Rulebook, validation_error

SPREADSHEETS = (".xlsx", ".xls", ".ods", ".csv")
_SYSTEM_FILES = ("thumbs.db", "desktop.ini")   # what Windows leaves in a folder: no one's file
NAMES_SHOWN = 5
NO_ROSTERS = "{folder} 下没有花名册（.xlsx/.xls/.ods/.csv）；请把学校报送的文件放到这里，或在命令行上列出文件"


class Workspace:
    """Where rosters come from and outputs go; the rules and settings in force there."""

    def __init__(self, root: Path | None = None, *, rules: Rulebook | None = None, schools: bool = True):
        """`rules` replaces the workspace's own rulebook and `schools=False` ignores its schools.xlsx
        (a scratch workspace that judges with another's rules: the policy cases)."""
        root = root or Path(os.environ.get("AIDCTL_WORKSPACE") or Path.cwd())
        if not root.is_dir():
            raise UsageError(f"工作目录不存在：{root}；请用 --workspace 指定正确的目录或先运行 aidctl init")
        self.root = root.resolve()
        if rules is not None:
            self.__dict__["rules"] = rules
        if not schools:
            self.__dict__["schools"] = None
        self.unread: dict[str, list[str]] = {}   # folder → what in it was not read (spreadsheets())

    @cached_property
    def settings(self) -> Settings:
        """aidctl.toml, or the defaults when there is none; one that is there but cannot be read as
        settings (a folder, not UTF-8, not TOML, nested past reason) is an error, never ignored."""
        path = self.root / SETTINGS_FILE
        if not os.path.lexists(path):
            return Settings()
        if not path.is_file():
            what = "文件夹" if path.is_dir() else ("指向不存在位置的链接" if path.is_symlink() and not path.exists()
                                                else "设备、管道或套接字")
            raise RuleError(f"设置文件应是一个文本文件，这里却是{what}：请删除它，或换成 aidctl init 生成的 aidctl.toml",
                            file=str(path))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise RuleError(f"设置文件不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法识别）：请以 UTF-8 保存",
                            file=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"设置文件格式错误（{exc}）", file=str(path)) from None
        except RecursionError:
            raise RuleError("设置文件嵌套过深，不是 aidctl 的设置：aidctl.toml 只有一层“键 = 值”", file=str(path)) from None
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            key, message = validation_error(exc)
            raise RuleError(message, file=str(path), key=key) from None

    @cached_property
    def rules(self) -> Rulebook:
        return Rulebook(self.root / "rules")

    def spreadsheets(self, folder: str | Path) -> list[Path]:
        """The spreadsheet files (.xlsx/.xls/.ods/.csv) in a folder of the workspace, by name; none when the
        folder is absent. Excel's lock files (~$…) and hidden files are not spreadsheets. Anything else
        there (a .xlsm, a WPS .et, a .zip, a folder a school's files were unpacked into) is not read,
        and is kept in `unread` for `unread_notes` to say aloud."""
        folder = self.root / folder
        if not folder.is_dir():
            return []
        entries = [p for p in folder.iterdir() if not p.name.startswith(("~$", "."))
                   and p.name.lower() not in _SYSTEM_FILES]
        found = sorted(p for p in entries if p.suffix.lower() in SPREADSHEETS)
        others = sorted(p.name + ("/" if p.is_dir() else "") for p in entries if p.suffix.lower() not in SPREADSHEETS)
        if others:
            self.unread[self.display(folder)] = others
        for p in found:  # a FIFO named like a roster would block the reader: refused before anything is read
            regular_file(p, self.display(p))
        return found

    def unread_notes(self) -> list[str]:
        """What the folders read held besides spreadsheets, said aloud: a school's roster saved in
        another format is not read, and its students are not in anything the command reports."""
        notes = []
        for folder, names in self.unread.items():
            listed = "、".join(names[:NAMES_SHOWN]) + (f" 等 {len(names)} 项" if len(names) > NAMES_SHOWN else "")
            notes.append(f"{folder} 中有 {len(names)} 个文件或文件夹未读取（只读取 .xlsx、.xls、.ods、.csv 文件，"
                         f"不读取子文件夹）：{listed}；如其中有要审核的表格，请另存为 .xlsx 放入 {folder}")
        return notes

    def inputs(self, given: list[Path] | None, folder: str | Path, missing: str) -> tuple[list[Path], list[str]]:
        """The files a command reads and how each is named: those given (named as given on the command
        line), else the spreadsheets of `folder` (named relative to the workspace); `missing` is the
        message when there are none."""
        if given:
            for p in given:
                regular_file(p, shown(p))
            return list(given), [shown(p) for p in given]
        files = self.spreadsheets(folder)
        if not files:
            raise UsageError(missing.format(folder=self.root / folder))
        return files, [self.display(p) for p in files]

    def intake(self, term: Term) -> list[Path]:
        """The rosters schools sent for a term: intake/<term>/."""
        return self.inputs(None, Path("intake") / str(term), NO_ROSTERS)[0]

    def rosters(self, given: list[Path] | None, term: Term | None) -> tuple[list[Path], list[str]]:
        """The rosters a command reads: those given, else the term's intake/<term>/ folder."""
        if not given and term is None:
            raise UsageError("请列出要审核的花名册文件，或用 --term 指定学期以读取 intake/<学期>/ 下的文件")
        return self.inputs(given, Path("intake") / str(term), NO_ROSTERS)

    def display(self, path: Path) -> str:
        """How a file the workspace supplied is named in reports: relative to the workspace."""
        path = Path(path)
        return shown(path.relative_to(self.root)) if path.is_absolute() and path.is_relative_to(self.root) \
            else shown(path)

    def ledger_url(self, override: str | None = None) -> str:
        return override or self.settings.database_url or f"sqlite:///{self.root / LEDGER_FILE}"

    def ledger_file(self, override: str | None = None) -> Path | None:
        """The ledger's file when the ledger is SQLite; None for another database."""
        url = self.ledger_url(override)
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    def output(self, target: Path | None, inputs: list[Path | None] = (), *, db: str | None = None) -> Path | None:
        """An output path the user named (--report, --out), refused first when it would replace one of
        `inputs`, the ledger, or what this workspace keeps (core.files.check_output)."""
        if target is None:
            return None
        return check_output(target, inputs=[*inputs, self.ledger_file(db)], workspace=self.root)

    def output_folder(self, folder: Path) -> Path:
        """A folder the user named for outputs, refused when it is the workspace or one of its input folders."""
        return check_output_folder(folder, workspace=self.root)

    def has_ledger(self) -> bool:
        url = self.ledger_url()
        return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).is_file()

    def out_dir(self, term: Term) -> Path:
        return self.root / "out" / str(term)

    @cached_property
    def schools(self) -> pd.DataFrame | None:
        """schools.xlsx as a frame (school, school_code, v_school_type, v_county, v_ownership, enrolment,
        enrolment_unread, enrolment_cell, aliases)."""
        path = self.root / SCHOOLS_FILE
        if not path.is_file() and regular_file(path, shown(path)) is None:  # absent (a FIFO is refused)
            return None
        from aidctl.read.schools import counts
        from aidctl.read.tables import read_tables

        tables = read_tables(path, shown(path), "schools", self.rules, all_sheets=False)
        data = tables[0].data
        vocab = self.rules.vocabulary
        types = {k: v.aliases for k, v in vocab.school_types.items()}
        enrolment, unread = counts(data.get("enrolment"), data.index)
        rows = pd.Series(data.index.astype(str), index=data.index, dtype="string")
        column = tables[0].columns["enrolment"].header if "enrolment" in tables[0].columns else ""
        cell = (tables[0].place() + "第" + rows + f"行“{column}”").where(unread.notna())
        frame = pd.DataFrame({
            "school": data["school"],
            "school_code": data.get("school_code"),
            "v_school_type": lookup(data["school_type"], types),
            "v_county": data.get("county"),
            "v_ownership": lookup(data["ownership"], vocab.ownership) if "ownership" in data else None,
            "enrolment": enrolment,
            "enrolment_unread": unread,   # a 在校生人数 that is not a positive whole number, as written,
            "enrolment_cell": cell,       # and where it is
            "aliases": data.get("aliases"),   # other names: 全称, 简称, 曾用名 (、 ， ; / between them)
        })
        frame = frame[frame["school"].notna()]
        bad = frame[frame["v_school_type"].isna()]
        if len(bad):
            row = int(bad.index[0])
            raise RuleError(f"学校类型“{data.loc[row, 'school_type']}”无法识别（应为中职、普高、学前等）",
                            file=shown(path), row=row, column=tables[0].columns["school_type"].header)
        code = frame["school_code"].astype("string") if "school_code" in data else None
        if code is not None and code.duplicated().any():  # one 学校代码 must be one school
            attrs = frame[["school", "v_school_type", "v_ownership", "v_county"]].astype("string").fillna("")
            known = code.notna()
            differ = attrs[known].groupby(code[known]).nunique().gt(1).any(axis=1)
            if differ.any():
                rows = code.index[(code == differ.index[differ.to_numpy()][0]).fillna(False).to_numpy()]
                raise RuleError(f"学校代码“{code[rows[0]]}”登记了不同的学校（第{rows[0]}行“{frame.at[rows[0], 'school']}”、"
                                f"第{rows[1]}行“{frame.at[rows[1], 'school']}”，或其类型、办学性质、县区不同）：一个学校代码只能"
                                "对应一所学校，请更正", file=shown(path), row=int(rows[1]),
                                column=tables[0].columns["school_code"].header)
        return frame.reset_index(drop=True)
