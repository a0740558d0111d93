"""The workspace's layout and its settings file (aidctl.toml); `aidctl init` makes an empty one."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

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
