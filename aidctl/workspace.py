"""A workspace: a folder with intake/<term>/ rosters, optional aidctl.toml, schools.xlsx and rules/."""

from __future__ import annotations

import os
import tomllib
from functools import cached_property
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from aidctl.errors import RuleError, UsageError
from aidctl.rulebook import Rulebook
from aidctl.terms import Term
from aidctl.text import fold_one, lookup

SETTINGS_FILE = "aidctl.toml"
SCHOOLS_FILE = "schools.xlsx"


class Settings(BaseModel):
    """aidctl.toml. Every key is optional; unknown keys are refused so that typos do not pass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bank_profile: str | None = None     # the agent bank's profile in rules/banks/ (default: the packaged one)
    database_url: str | None = None     # the ledger (default: sqlite:///<workspace>/aidctl.db)
    operator: str | None = None         # recorded with each batch (default: the login name)
    payer_name: str | None = None       # the 资助专户 paying out: needed by ISO 20022 files
    payer_account: str | None = None
    publicity_issuer: str | None = None  # who posts the 公示 (default: each school)
    complaint_phone: str | None = None   # the 监督举报电话 printed on every 公示 list


class Workspace:
    """Where rosters come from and outputs go; the rules and settings in force there."""

    def __init__(self, root: Path | None = None):
        root = root or Path(os.environ.get("AIDCTL_WORKSPACE") or Path.cwd())
        if not root.is_dir():
            raise UsageError(f"工作目录不存在：{root}；请用 --workspace 指定正确的目录或先运行 aidctl init")
        self.root = root.resolve()

    @cached_property
    def settings(self) -> Settings:
        path = self.root / SETTINGS_FILE
        if not path.is_file():
            return Settings()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(f"设置文件格式错误（{exc}）", file=str(path)) from None
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise RuleError(f"{err['msg']}", file=str(path),
                            key=".".join(str(p) for p in err["loc"])) from None

    @cached_property
    def rules(self) -> Rulebook:
        return Rulebook(self.root / "rules")

    def intake(self, term: Term) -> list[Path]:
        folder = self.root / "intake" / str(term)
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".xls", ".csv")
                       and not p.name.startswith(("~$", ".")))
        if not files:
            raise UsageError(f"{folder} 下没有花名册（.xlsx/.xls/.csv）；请把学校报送的文件放到这里，或在命令行上列出文件")
        return files

    def display(self, path: Path) -> str:
        """How a file the workspace supplied is named in reports: relative to the workspace."""
        path = Path(path)
        return str(path.relative_to(self.root)) if path.is_absolute() and path.is_relative_to(self.root) \
            else str(path)

    def ledger_url(self, override: str | None = None) -> str:
        return override or self.settings.database_url or f"sqlite:///{self.root / 'aidctl.db'}"

    def has_ledger(self) -> bool:
        url = self.ledger_url()
        return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).is_file()

    def out_dir(self, term: Term) -> Path:
        return self.root / "out" / str(term)

    @cached_property
    def schools(self) -> pd.DataFrame | None:
        """schools.xlsx as a frame (school, school_code, v_school_type, v_county, v_ownership)."""
        path = self.root / SCHOOLS_FILE
        if not path.is_file():
            return None
        from aidctl.tables import read_tables

        tables = read_tables(path, str(path), "schools", self.rules, all_sheets=False)
        data = tables[0].data
        vocab = self.rules.vocabulary
        types = {k: v.aliases for k, v in vocab.school_types.items()}
        frame = pd.DataFrame({
            "school": data["school"],
            "school_code": data.get("school_code"),
            "v_school_type": lookup(data["school_type"], types),
            "v_county": data.get("county"),
            "v_ownership": lookup(data["ownership"], vocab.ownership) if "ownership" in data else None,
            "enrolment": pd.to_numeric(data["enrolment"], errors="coerce") if "enrolment" in data else None,
        })
        frame = frame[frame["school"].notna()]
        bad = frame[frame["v_school_type"].isna()]
        if len(bad):
            row = int(bad.index[0])
            raise RuleError(f"学校类型“{data.loc[row, 'school_type']}”无法识别（应为中职、普高、学前等）",
                            file=str(path), row=row, column=tables[0].columns["school_type"].header)
        return frame.reset_index(drop=True)


def school_key(name: object) -> str:
    return fold_one(name)


SETTINGS_TEMPLATE = """\
# aidctl workspace settings. Every key is optional; the packaged defaults apply where one is absent.
# bank_profile = "icbc-txt"        # the agent bank (代理银行) profile in rules/banks/
# database_url = "sqlite:///aidctl.db"
# operator = "资助中心 张三"
# complaint_phone = "0000-12345678"  # 监督举报电话, printed on every 公示 list
# publicity_issuer = "市学生资助管理中心"
"""

RULES_README = """\
把要修改的规则文件（如 programmes.yaml）从 aidctl 内置的 rules/ 复制到这里再改：
这里的同名文件整体替换内置文件。改完运行 `aidctl rules check` 检查。
"""


def init_workspace(directory: Path) -> list[Path]:
    """Make an empty workspace; never overwrite a file that is already there."""
    directory = Path(directory)
    made = []
    for sub in ("intake", "out", "rules"):
        path = directory / sub
        if not path.exists():
            path.mkdir(parents=True)
            made.append(path)
    for path, content in ((directory / SETTINGS_FILE, SETTINGS_TEMPLATE),
                          (directory / "rules" / "README.txt", RULES_README)):
        if not path.exists():
            path.write_text(content, encoding="utf-8")
            made.append(path)
    return made
